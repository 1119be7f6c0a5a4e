"""Sliced Wasserstein distance between image sets, per Laplacian-pyramid level (TF-GAN 2.1.0's API).

Karras et al. 2018 (https://arxiv.org/abs/1710.10196): random patches from each
level of the images' Laplacian pyramids are normalised and compared with the
sliced Wasserstein distance (mean absolute difference of sorted random 1-D
projections). It is an approximation; numbers depend on the number of images.
"""
import math

import numpy as np
import tensorflow as tf

from gan import checks

# 5x5 binomial filter, the Gaussian used by cv2.pyrDown / cv2.pyrUp.
_BINOMIAL_5 = np.outer([1.0, 4.0, 6.0, 4.0, 1.0], [1.0, 4.0, 6.0, 4.0, 1.0]) / 256.0


def _blur(images, gain):
    """Filters every channel with the 5x5 binomial filter times `gain`, reflecting at the borders."""
    channels = images.shape[-1]
    kernel = np.tile((_BINOMIAL_5 * gain)[:, :, None, None], [1, 1, channels, 1]).astype(np.float32)
    padded = tf.pad(images, [[0, 0], [2, 2], [2, 2], [0, 0]], mode="REFLECT")
    return tf.nn.depthwise_conv2d(padded, kernel, strides=[1, 1, 1, 1], padding="VALID")


def _pyramid_down(images):
    return _blur(images, 1.0)[:, ::2, ::2]


def _pyramid_up(images, height, width):
    """Doubles the size by inserting zeros between pixels, blurs with gain 4 and crops to height x width."""
    batch, rows, cols, channels = images.shape
    zeros = tf.zeros_like(images)
    widened = tf.reshape(tf.stack([images, zeros], axis=3), [batch, rows, 2 * cols, channels])
    doubled = tf.reshape(tf.stack([widened, tf.zeros_like(widened)], axis=2), [batch, 2 * rows, 2 * cols, channels])
    return _blur(doubled, 4.0)[:, :height, :width]


def laplacian_pyramid(batch, num_levels):
    """Laplacian pyramid of NHWC images, finest level first; the last level is the low-pass residual.

    Odd sizes are allowed: a level of size s is followed by one of size ceil(s / 2).

    Example:
        levels = laplacian_pyramid(images, 3)  # shapes [N,32,32,C], [N,16,16,C], [N,8,8,C]
    """
    levels = [tf.cast(batch, tf.float32)]
    for _ in range(1, num_levels):
        finer = levels[-1]
        coarser = _pyramid_down(finer)
        levels[-1] = finer - _pyramid_up(coarser, finer.shape[1], finer.shape[2])
        levels.append(coarser)
    return levels


def _random_patches(level, patches_per_image, patch_size, rng):
    """`patches_per_image` random patch_size x patch_size patches from every image, [P, size*size*C]."""
    batch, height, width, _ = level.shape
    count = batch * patches_per_image
    image = np.repeat(np.arange(batch), patches_per_image)
    top = rng.integers(0, height - patch_size + 1, size=count)
    left = rng.integers(0, width - patch_size + 1, size=count)
    offsets = np.arange(patch_size)
    rows = top[:, None, None] + offsets[None, :, None]
    cols = left[:, None, None] + offsets[None, None, :]
    indices = np.stack(np.broadcast_arrays(image[:, None, None], rows, cols), axis=-1)
    patches = tf.gather_nd(level, indices)
    # Each patch is normalised by its own mean and std, as in TF-GAN; flat patches become zeros, not NaN.
    mean, variance = tf.nn.moments(patches, axes=[1, 2, 3], keepdims=True)
    patches = tf.math.divide_no_nan(patches - mean, tf.sqrt(variance))
    return tf.reshape(patches, [count, -1])


def _sorted_projection_distance(projected_a, projected_b):
    """Mean |difference| of the column-wise sorted projections: the 1-D Wasserstein-1 distances."""
    return tf.reduce_mean(tf.abs(tf.sort(projected_a, axis=0) - tf.sort(projected_b, axis=0)))


def _sliced_wasserstein(a, b, random_sampling_count, random_projection_dim, rng):
    """Average over `random_sampling_count` draws of `random_projection_dim` random unit directions."""
    distances = []
    for _ in range(random_sampling_count):
        directions = rng.standard_normal((a.shape[1], random_projection_dim))
        directions = (directions / np.linalg.norm(directions, axis=0, keepdims=True)).astype(np.float32)
        distances.append(_sorted_projection_distance(tf.matmul(a, directions), tf.matmul(b, directions)))
    return tf.reduce_mean(tf.stack(distances))


def _sliced_wasserstein_svd(a, b):
    """Projects on the principal directions of the pooled patches instead of random ones."""
    singular_values, left_vectors = tf.linalg.svd(tf.concat([a, b], axis=0))[:2]
    projected_a, projected_b = tf.split(left_vectors * singular_values, 2, axis=0)
    return _sorted_projection_distance(projected_a, projected_b)


def _num_levels(size, resolution_min, patch_size):
    """TF-GAN's level count (powers of two from the image size down to resolution_min), stopping early
    where a level would be smaller than a patch."""
    resolution_min = min(resolution_min, size)
    levels = int(np.log2(size)) - int(np.log2(resolution_min)) + 1
    usable, level_size = 1, size
    while usable < levels and math.ceil(level_size / 2) >= max(patch_size, 3):
        usable, level_size = usable + 1, math.ceil(level_size / 2)
    return usable


def sliced_wasserstein_distance(real_images, fake_images, resolution_min=16, patches_per_image=64, patch_size=7,
                                random_sampling_count=1, random_projection_dim=7 * 7 * 3, use_svd=False, *,
                                seed=None):
    """Sliced Wasserstein distances between real and fake NHWC images, one pair per pyramid level.

    Returns a list, finest level first, of (distance_real, distance_fake) float32
    scalars: distance_real compares two independent patch samples of the real
    images (the noise floor), distance_fake compares real with fake patches.
    The pyramid runs from the image size down to `resolution_min` (TF-GAN's rule)
    and stops earlier where a level would be smaller than `patch_size`, so small
    images (8x8 digits, 28x28 MNIST) work. Any channel count is accepted.
    `seed` (an extension) fixes the random patches and projections, which are
    drawn with NumPy, so call it eagerly rather than inside `tf.function`.

    Example:
        for real_level, fake_level in sliced_wasserstein_distance(real, fake, seed=0): ...
    """
    real_images = tf.convert_to_tensor(real_images)
    fake_images = tf.convert_to_tensor(fake_images)
    if real_images.shape.rank != 4 or real_images.shape != fake_images.shape:
        raise ValueError("real_images and fake_images must be NHWC images of the same shape; "
                         f"got {tuple(real_images.shape)} and {tuple(fake_images.shape)}.")
    num_images, height, width, _ = real_images.shape
    if num_images < 1:
        raise ValueError("sliced_wasserstein_distance needs at least 1 image in each set; got 0.")
    for name, value in (("resolution_min", resolution_min), ("patches_per_image", patches_per_image),
                        ("patch_size", patch_size), ("random_sampling_count", random_sampling_count),
                        ("random_projection_dim", random_projection_dim)):
        checks.positive_int(name, value)
    if min(height, width) < patch_size:
        raise ValueError(f"images must be at least patch_size={patch_size} pixels high and wide; "
                         f"got {height}x{width}.")
    rng = np.random.default_rng(seed)
    num_levels = _num_levels(min(height, width), resolution_min, patch_size)
    real_levels = laplacian_pyramid(real_images, num_levels)
    fake_levels = laplacian_pyramid(fake_images, num_levels)
    scores = []
    for real_level, fake_level in zip(real_levels, fake_levels):
        real = _random_patches(real_level, patches_per_image, patch_size, rng)
        real_again = _random_patches(real_level, patches_per_image, patch_size, rng)
        fake = _random_patches(fake_level, patches_per_image, patch_size, rng)
        if use_svd:
            scores.append((_sliced_wasserstein_svd(real, real_again), _sliced_wasserstein_svd(real, fake)))
        else:
            scores.append(tuple(_sliced_wasserstein(real, other, random_sampling_count, random_projection_dim, rng)
                                for other in (real_again, fake)))
    return scores
