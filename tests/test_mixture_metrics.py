"""Mode-collapse metrics on the ring and grid mixtures, on samples with known answers."""
import math

import numpy as np
import pytest

from gan import eval as gan_eval


def test_ring_and_grid_modes_follow_the_benchmark():
    ring, grid = gan_eval.ring_modes(), gan_eval.grid_modes()
    assert ring.centers.shape == (8, 2) and ring.std == 0.01
    np.testing.assert_allclose(np.linalg.norm(ring.centers, axis=1), 1.0)
    np.testing.assert_allclose(ring.centers[2], [0.0, 1.0], atol=1e-12)
    assert grid.centers.shape == (25, 2) and grid.std == 0.05
    assert {tuple(c) for c in grid.centers} == {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert gan_eval.MIXTURES["ring"].std == 0.01 and gan_eval.MIXTURES["grid"].std == 0.05
    with pytest.raises(ValueError):
        gan_eval.MIXTURES["grid"].centers[0, 0] = 1.0


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_samples_on_every_mode(name):
    mixture = gan_eval.MIXTURES[name]
    rng = np.random.default_rng(0)
    # Ten samples per mode, all within 2 std of it.
    offsets = rng.uniform(-1.4, 1.4, size=(10 * len(mixture.centers), 2)) * mixture.std
    samples = np.repeat(mixture.centers, 10, axis=0) + offsets
    metrics = gan_eval.mixture_metrics(samples, name)
    assert metrics["modes"] == len(mixture.centers)
    assert metrics["high_quality"] == 1.0
    assert metrics["reverse_kl"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_samples_on_one_mode(name):
    mixture = gan_eval.MIXTURES[name]
    samples = np.repeat(mixture.centers[3:4], 20, axis=0)
    metrics = gan_eval.mixture_metrics(samples, mixture)
    assert metrics == {"modes": 1, "high_quality": 1.0, "reverse_kl": pytest.approx(math.log(len(mixture.centers)))}


def test_samples_off_every_mode():
    ring = gan_eval.ring_modes()
    samples = np.array([[0.0, 0.0], [3.0, 3.0], [1.0 + 3.5 * 0.01, 0.0]])
    metrics = gan_eval.mixture_metrics(samples, "ring")
    assert metrics["modes"] == 0 and metrics["high_quality"] == 0.0
    assert math.isnan(metrics["reverse_kl"])
    assert gan_eval.modes_captured(samples, ring.centers, ring.std) == 0


def test_partial_collapse_against_hand_computed_histogram():
    grid = gan_eval.grid_modes()
    centers = grid.centers
    # 6 samples on mode 0, 2 on mode 1, 1 just inside 3 std of mode 2, 1 just outside, 2 far away.
    samples = np.concatenate([
        np.repeat(centers[0:1], 6, axis=0),
        np.repeat(centers[1:2], 2, axis=0),
        centers[2:3] + [0.0, 2.9 * grid.std],
        centers[2:3] + [0.0, 3.1 * grid.std],
        [[1.0, 1.0], [10.0, -10.0]],
    ])
    counts = gan_eval.mode_histogram(samples, centers, grid.std)
    assert counts[:3].tolist() == [6, 2, 1] and counts[3:].sum() == 0
    p = np.array([6, 2, 1]) / 9
    expected_kl = float(np.sum(p * np.log(p * 25)))
    assert gan_eval.modes_captured(samples, centers, grid.std) == 3
    assert gan_eval.high_quality_fraction(samples, centers, grid.std) == pytest.approx(9 / 12)
    assert gan_eval.mode_reverse_kl(samples, centers, grid.std) == pytest.approx(expected_kl)
    assert gan_eval.mixture_metrics(samples, "grid") == {
        "modes": 3, "high_quality": pytest.approx(0.75), "reverse_kl": pytest.approx(expected_kl)}


def test_bad_inputs_raise_one_line_value_errors():
    with pytest.raises(ValueError, match="at least 1 sample"):
        gan_eval.mixture_metrics(np.zeros((0, 2)), "ring")
    with pytest.raises(ValueError, match=r"\[num_samples, 2\]"):
        gan_eval.mixture_metrics(np.zeros((5, 3)), "ring")
    with pytest.raises(ValueError, match="accepted: grid, ring"):
        gan_eval.mixture_metrics(np.zeros((5, 2)), "spiral")
    with pytest.raises(ValueError, match="std must be positive"):
        gan_eval.Mixture(np.zeros((2, 2)), 0.0)
