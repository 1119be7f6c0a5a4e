"""gan.eval metrics against independent NumPy/SciPy computations and constructed cases."""
import itertools

import numpy as np
import pytest
import scipy.linalg
import scipy.ndimage
import scipy.special
import scipy.stats
import tensorflow as tf
from scipy.spatial.distance import cdist

from gan import eval as gan_eval
from gan.eval import sliced_wasserstein


def _rng(seed=0):
    return np.random.default_rng(seed)


def _activations(seed=0, shift=0.0, n=300, dim=6):
    rng = _rng(seed)
    mixing = rng.normal(size=(dim, dim))
    return rng.normal(size=(n, dim)) @ mixing + shift


# ---------------------------------------------------------------- classifier score

def _numpy_classifier_score(logits):
    p = scipy.special.softmax(logits, axis=1)
    marginal = p.mean(axis=0)
    kl = np.sum(p * (np.log(p) - np.log(marginal)), axis=1)
    return np.exp(kl.mean())


def test_classifier_score_from_logits_matches_numpy_formula():
    logits = _rng(1).normal(scale=3.0, size=(200, 10))
    expected = _numpy_classifier_score(logits)
    assert float(gan_eval.classifier_score_from_logits(logits)) == pytest.approx(expected, rel=1e-12)
    float32_result = gan_eval.classifier_score_from_logits(logits.astype(np.float32))
    assert float32_result.dtype == tf.float32
    assert float(float32_result) == pytest.approx(expected, rel=1e-5)


def test_classifier_score_extremes():
    confident_spread = np.eye(4) * 50.0
    assert float(gan_eval.classifier_score_from_logits(confident_spread)) == pytest.approx(4.0, rel=1e-9)
    identical = np.tile([[1.0, 2.0, 3.0]], (5, 1))
    assert float(gan_eval.classifier_score_from_logits(identical)) == pytest.approx(1.0, abs=1e-12)


def test_running_classifier_score_equals_one_shot_for_uneven_batches():
    logits = _rng(2).normal(scale=2.0, size=(101, 7))
    running = gan_eval.RunningClassifierScore()
    for start, stop in [(0, 1), (1, 40), (40, 101)]:
        running.update_state(logits[start:stop])
    assert float(running.count) == 101
    assert float(running.result()) == pytest.approx(_numpy_classifier_score(logits), rel=1e-12)


def test_classifier_score_runs_classifier_in_batches():
    images = _rng(3).normal(size=(12, 4, 4, 1)).astype(np.float32)
    weights = _rng(4).normal(size=(16, 5)).astype(np.float32)
    calls = []

    def classifier_fn(batch):
        calls.append(int(batch.shape[0]))
        return tf.matmul(tf.reshape(batch, [-1, 16]), weights)

    score = gan_eval.classifier_score(images, classifier_fn, num_batches=3)
    assert calls == [4, 4, 4]
    expected = _numpy_classifier_score(images.reshape(12, 16).astype(np.float64) @ weights)
    assert float(score) == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="num_batches=5 must divide"):
        gan_eval.classifier_score(images, classifier_fn, num_batches=5)


# ---------------------------------------------------------------- Frechet distance

def _scipy_frechet(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    sigma1, sigma2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2).real
    return np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2 - 2.0 * covmean)


def test_frechet_distance_matches_scipy_sqrtm():
    real, fake = _activations(0), _activations(1, shift=0.5, n=250)
    result = gan_eval.frechet_classifier_distance_from_activations(real, fake)
    assert result.dtype == tf.float64
    assert float(result) == pytest.approx(_scipy_frechet(real, fake), rel=1e-8)
    float32_result = gan_eval.frechet_classifier_distance_from_activations(
        real.astype(np.float32), fake.astype(np.float32))
    assert float32_result.dtype == tf.float32
    assert float(float32_result) == pytest.approx(_scipy_frechet(real, fake), rel=1e-4)


def test_frechet_distance_of_a_set_with_itself_is_zero():
    real = _activations(5)
    scale = np.trace(np.cov(real, rowvar=False))
    assert abs(float(gan_eval.frechet_classifier_distance_from_activations(real, real))) < 1e-9 * scale


def test_frechet_distance_from_statistics_known_gaussians():
    # Means 3 apart in one coordinate, covariances I and 4I in 2-D: 9 + (2 + 8 - 2 * 4) = 11.
    fid = gan_eval.frechet_distance_from_statistics([0.0, 0.0], np.eye(2), [3.0, 0.0], 4 * np.eye(2))
    assert float(fid) == pytest.approx(11.0, rel=1e-12)
    with pytest.raises(ValueError, match="sigma1"):
        gan_eval.frechet_distance_from_statistics([0.0, 0.0], np.eye(3), [0.0, 0.0], np.eye(2))


def test_running_statistics_match_numpy_and_one_shot_fid():
    real, fake = _activations(6), _activations(7, shift=1.0, n=123)
    streams = []
    for data, cuts in ((real, [0, 1, 64, 65, 300]), (fake, [0, 50, 100, 123])):
        stats = gan_eval.RunningStatistics()
        for start, stop in zip(cuts[:-1], cuts[1:]):
            stats.update_state(data[start:stop])
        np.testing.assert_allclose(stats.mean, data.mean(0), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(stats.covariance, np.cov(data, rowvar=False), rtol=1e-10, atol=1e-12)
        streams.append(stats)
    streamed = gan_eval.frechet_distance_from_statistics(
        streams[0].mean, streams[0].covariance, streams[1].mean, streams[1].covariance)
    one_shot = gan_eval.frechet_classifier_distance_from_activations(real, fake)
    assert float(streamed) == pytest.approx(float(one_shot), rel=1e-10)


def test_running_statistics_stay_accurate_with_a_large_mean():
    # Summing raw outer products would lose the unit variance next to a 1e6 mean.
    data = 1e6 + _rng(8).normal(size=(4000, 3))
    stats = gan_eval.RunningStatistics()
    for batch in np.array_split(data, 37):
        stats.update_state(batch)
    np.testing.assert_allclose(stats.covariance, np.cov(data, rowvar=False), rtol=1e-7, atol=1e-7)


def test_frechet_distance_inside_tf_function():
    real, fake = _activations(9), _activations(10, shift=0.2)
    compiled = tf.function(gan_eval.frechet_classifier_distance_from_activations)
    assert float(compiled(tf.constant(real), tf.constant(fake))) == pytest.approx(_scipy_frechet(real, fake), rel=1e-8)


def test_frechet_classifier_distance_applies_classifier_fn():
    real, fake = _activations(11, n=120), _activations(12, shift=0.3, n=120)
    double = gan_eval.frechet_classifier_distance(real, fake, lambda x: 2.0 * x, num_batches=4)
    assert float(double) == pytest.approx(4.0 * _scipy_frechet(real, fake), rel=1e-8)


# ---------------------------------------------------------------- kernel distance

def _kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def _mmd2_with_loops(x, y):
    m, n = len(x), len(y)
    kxx = sum(_kernel(x[i:i + 1], x[j:j + 1])[0, 0] for i in range(m) for j in range(m) if i != j)
    kyy = sum(_kernel(y[i:i + 1], y[j:j + 1])[0, 0] for i in range(n) for j in range(n) if i != j)
    kxy = sum(_kernel(x[i:i + 1], y[j:j + 1])[0, 0] for i in range(m) for j in range(n))
    return kxx / (m * (m - 1)) + kyy / (n * (n - 1)) - 2.0 * kxy / (m * n)


def test_kernel_distance_single_block_matches_explicit_loops():
    real, fake = _activations(13, n=30, dim=5), _activations(14, shift=0.4, n=25, dim=5)
    kid, std = gan_eval.kernel_classifier_distance_and_std_from_activations(real, fake)
    assert float(kid) == pytest.approx(_mmd2_with_loops(real, fake), rel=1e-10)
    assert np.isnan(float(std))
    assert float(gan_eval.kernel_classifier_distance_from_activations(real, fake)) == pytest.approx(float(kid))


def test_kernel_distance_blocks_and_standard_error():
    real, fake = _activations(15, n=60, dim=4), _activations(16, shift=0.5, n=40, dim=4)
    # ceil(60 / 30) = 2 blocks: real 30 + 30, fake 20 + 20.
    estimates = [_mmd2_with_loops(real[:30], fake[:20]), _mmd2_with_loops(real[30:], fake[20:])]
    kid, std = gan_eval.kernel_classifier_distance_and_std_from_activations(real, fake, max_block_size=30)
    assert float(kid) == pytest.approx(np.mean(estimates), rel=1e-10)
    assert float(std) == pytest.approx(np.std(estimates, ddof=1) / np.sqrt(2), rel=1e-8)


def test_kernel_distance_puts_larger_blocks_last():
    real, fake = _activations(17, n=10, dim=3), _activations(18, n=9, dim=3)
    # ceil(10 / 4) = 3 blocks: real 3, 3, 4 and fake 3, 3, 3.
    estimates = [_mmd2_with_loops(real[0:3], fake[0:3]), _mmd2_with_loops(real[3:6], fake[3:6]),
                 _mmd2_with_loops(real[6:10], fake[6:9])]
    kid = gan_eval.kernel_classifier_distance_from_activations(real, fake, max_block_size=4)
    assert float(kid) == pytest.approx(np.mean(estimates), rel=1e-10)


def test_kernel_distance_of_two_samples_of_one_distribution_is_near_zero():
    # A set against itself is not ~0 for the unbiased estimator: the cross term keeps k(x, x).
    real, same = _activations(19, n=400), _activations(19, n=800)[400:]
    kid = float(gan_eval.kernel_classifier_distance_from_activations(real, same))
    typical_kernel = float(np.mean(_kernel(real, real)))
    assert abs(kid) < 0.1 * typical_kernel
    shifted = float(gan_eval.kernel_classifier_distance_from_activations(real, same + 3.0))
    assert shifted > 50 * abs(kid)


def test_kernel_classifier_distance_applies_classifier_fn_and_dtype():
    real, fake = _activations(20, n=40, dim=3), _activations(21, n=40, dim=3, shift=1.0)
    kid = gan_eval.kernel_classifier_distance(real.astype(np.float32), fake.astype(np.float32),
                                              lambda x: x, num_batches=2, dtype=tf.float64)
    assert kid.dtype == tf.float64
    assert float(kid) == pytest.approx(_mmd2_with_loops(real.astype(np.float32).astype(np.float64),
                                                        fake.astype(np.float32).astype(np.float64)), rel=1e-9)
    with pytest.raises(ValueError, match="different dtypes"):
        gan_eval.kernel_classifier_distance_from_activations(real.astype(np.float32), fake)


# ---------------------------------------------------------------- too few samples

@pytest.mark.parametrize("call, needed", [
    (lambda: gan_eval.frechet_classifier_distance_from_activations(np.ones((1, 3)), np.ones((5, 3))), "at least 2"),
    (lambda: gan_eval.classifier_score_from_logits(np.ones((0, 3))), "at least 1"),
    (lambda: gan_eval.RunningStatistics().covariance, "at least 2"),
    (lambda: gan_eval.RunningClassifierScore().result(), "at least 1"),
    (lambda: gan_eval.kernel_classifier_distance_from_activations(np.ones((1, 3)), np.ones((5, 3))), "at least 2"),
    (lambda: gan_eval.kernel_classifier_distance_from_activations(np.ones((50, 3)), np.ones((3, 3)),
                                                                  max_block_size=10), "at least 10"),
    (lambda: gan_eval.precision_recall(np.ones((3, 2)), np.ones((9, 2))), "at least 4"),
    (lambda: gan_eval.density_coverage(np.ones((9, 2)), np.ones((0, 2))), "at least 1"),
    (lambda: gan_eval.density_coverage(np.ones((5, 2)), np.ones((9, 2))), "at least 6"),
])
def test_too_few_samples_raise_one_line_value_error(call, needed):
    with pytest.raises(ValueError, match=needed) as error:
        call()
    assert "\n" not in str(error.value)


def test_mismatched_feature_widths_raise():
    with pytest.raises(ValueError, match="same number of features"):
        gan_eval.frechet_classifier_distance_from_activations(np.ones((5, 3)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="same width"):
        gan_eval.precision_recall(np.ones((5, 3)), np.ones((5, 4)))


# ---------------------------------------------------------------- precision / recall / density / coverage

def _brute_force_manifold_metrics(real, fake, k):
    def radii(x):
        distances = cdist(x, x)
        return np.sort(distances, axis=1)[:, k]  # column 0 is the point itself
    real_radii, fake_radii = radii(real), radii(fake)
    fake_to_real = cdist(fake, real)
    inside_real = fake_to_real <= real_radii[None, :]
    inside_fake = fake_to_real.T <= fake_radii[None, :]
    return (inside_real.any(1).mean(), inside_fake.any(1).mean(),
            inside_real.sum() / (k * len(fake)), inside_real.any(0).mean())


def test_manifold_metrics_match_brute_force_with_small_blocks():
    real = _rng(22).normal(size=(57, 4))
    fake = _rng(23).normal(size=(43, 4)) * 0.8 + 0.8
    for k in (1, 3, 5):
        precision, recall, density, coverage = _brute_force_manifold_metrics(real, fake, k)
        assert 0 < precision < 1 and 0 < recall < 1
        assert tuple(gan_eval.precision_recall(real, fake, k=k, max_block_size=7)) == pytest.approx(
            (precision, recall), abs=1e-12)
        assert tuple(gan_eval.density_coverage(real, fake, k=k, max_block_size=7)) == pytest.approx(
            (density, coverage), abs=1e-12)


def test_manifold_metrics_identical_and_disjoint_sets():
    real = _rng(24).normal(size=(80, 5))
    assert tuple(gan_eval.precision_recall(real, real)) == (1.0, 1.0)
    density, coverage = gan_eval.density_coverage(real, real, k=5)
    # Each point lies in its own ball and in the balls of the k points it is a neighbour of.
    assert coverage == 1.0 and density == pytest.approx(6 / 5)
    far = real + 1000.0
    assert tuple(gan_eval.precision_recall(real, far)) == (0.0, 0.0)
    assert tuple(gan_eval.density_coverage(real, far)) == (0.0, 0.0)


def test_knn_squared_radii_on_a_line():
    radii = gan_eval.knn_squared_radii(np.array([[0.0], [1.0], [3.0], [7.0]]), k=2, max_block_size=1)
    np.testing.assert_allclose(radii, [9.0, 4.0, 9.0, 36.0])


# ---------------------------------------------------------------- sliced Wasserstein

def test_laplacian_pyramid_matches_scipy_filtering_and_reconstructs():
    images = _rng(25).uniform(size=(2, 16, 12, 3)).astype(np.float32)
    levels = gan_eval.laplacian_pyramid(images, 3)
    assert [tuple(level.shape) for level in levels] == [(2, 16, 12, 3), (2, 8, 6, 3), (2, 4, 3, 3)]
    kernel = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0
    # TF's REFLECT padding is SciPy's 'mirror' mode (the edge pixel is not repeated).
    blurred = scipy.ndimage.convolve(images[0, :, :, 1].astype(np.float64), kernel, mode="mirror")
    down = blurred[::2, ::2]
    zero_filled = np.zeros((16, 12))
    zero_filled[::2, ::2] = down
    up = scipy.ndimage.convolve(zero_filled, 4 * kernel, mode="mirror")
    np.testing.assert_allclose(levels[0][0, :, :, 1], images[0, :, :, 1] - up, atol=1e-5)


def test_sliced_wasserstein_matches_scipy_one_dimensional_distances():
    a, b = _rng(26).normal(size=(50, 6)), _rng(27).normal(size=(50, 6)) + 0.5
    result = sliced_wasserstein._sliced_wasserstein(
        tf.constant(a, tf.float32), tf.constant(b, tf.float32), 2, 4, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    expected = []
    for _ in range(2):
        directions = rng.standard_normal((6, 4))
        directions /= np.linalg.norm(directions, axis=0)
        expected += [scipy.stats.wasserstein_distance(a @ d, b @ d) for d in directions.T]
    assert float(result) == pytest.approx(np.mean(expected), rel=1e-4)


def test_sliced_wasserstein_whole_image_patches_are_standardised():
    images = _rng(28).uniform(size=(3, 7, 7, 1)).astype(np.float32)
    patches = sliced_wasserstein._random_patches(tf.constant(images), 2, 7, np.random.default_rng(0))
    flat = images.reshape(3, 49).astype(np.float64)
    expected = (flat - flat.mean(1, keepdims=True)) / flat.std(1, keepdims=True)
    np.testing.assert_allclose(patches, np.repeat(expected, 2, axis=0), atol=1e-5)


def test_sliced_wasserstein_distance_small_images_and_sensitivity():
    rng = _rng(29)
    real = rng.uniform(-1, 1, size=(64, 8, 8, 1)).astype(np.float32)
    same = rng.uniform(-1, 1, size=(64, 8, 8, 1)).astype(np.float32)
    smooth = np.tile(np.linspace(-1, 1, 8, dtype=np.float32)[None, :, None, None], (64, 1, 8, 1))
    smooth += rng.normal(scale=0.01, size=smooth.shape).astype(np.float32)
    near = gan_eval.sliced_wasserstein_distance(real, same, seed=1)
    far = gan_eval.sliced_wasserstein_distance(real, smooth, seed=1)
    assert len(near) == len(far) == 1  # 8x8 images: a single level
    assert float(far[0][1]) > 3 * float(near[0][1])
    svd = gan_eval.sliced_wasserstein_distance(real, smooth, use_svd=True, seed=1)
    assert float(svd[0][1]) > float(svd[0][0])
    mnist_sized = gan_eval.sliced_wasserstein_distance(
        np.zeros((4, 28, 28, 1)), np.zeros((4, 28, 28, 1)), resolution_min=4, patches_per_image=4, seed=0)
    assert len(mnist_sized) == 3  # 28 -> 14 -> 7; a 4-pixel level would be smaller than a 7-pixel patch
    assert all(float(value) == 0.0 for pair in mnist_sized for value in pair)
    with pytest.raises(ValueError, match="patch_size=7"):
        gan_eval.sliced_wasserstein_distance(np.zeros((2, 5, 5, 3)), np.zeros((2, 5, 5, 3)))


# ---------------------------------------------------------------- image grids

def test_python_image_grid_layout():
    images = np.arange(6)[:, None, None, None] * np.ones((6, 2, 3, 1))
    grid = gan_eval.python_image_grid(images, [2, 3])
    assert grid.shape == (4, 9, 1)
    for row, col in itertools.product(range(2), range(3)):
        np.testing.assert_array_equal(grid[2 * row:2 * row + 2, 3 * col:3 * col + 3], row * 3 + col)
    with pytest.raises(ValueError, match="grid_shape"):
        gan_eval.python_image_grid(images, [4, 4])


def test_image_grid_matches_python_grid_for_4d_and_flat_inputs():
    images = _rng(30).uniform(size=(6, 4, 5, 3)).astype(np.float32)
    expected = gan_eval.python_image_grid(images, [3, 2])
    grid = gan_eval.image_grid(images, [3, 2], image_shape=(4, 5), num_channels=3)
    assert grid.shape == (1, 12, 10, 3)
    np.testing.assert_array_equal(grid[0], expected)
    np.testing.assert_array_equal(gan_eval.image_grid(images.reshape(6, -1), [3, 2], (4, 5), 3)[0], expected)
    with pytest.raises(ValueError, match="image_shape"):
        gan_eval.image_grid(images, [3, 2])
