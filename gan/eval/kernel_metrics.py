"""Kernel classifier distance (KID), with TF-GAN 2.1.0's names, arguments and block estimator.

Binkowski et al. 2018 (https://arxiv.org/abs/1801.01401): the unbiased estimate of
MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y) under the polynomial kernel
k(x, y) = (x . y / dim + 1)^3, averaged over blocks of at most `max_block_size`
samples (the block estimator of https://arxiv.org/abs/1307.1954), so memory grows
with the block size, not with the number of samples.
"""
import math

import numpy as np
import tensorflow as tf

from gan.eval import _checks
from gan.eval.classifier_metrics import run_classifier_fn


def kernel_classifier_distance(input_tensor1, input_tensor2, classifier_fn, num_batches=1,
                               max_block_size=1024, dtype=None):
    """Kernel classifier distance between two sets of inputs, via `classifier_fn`'s activations.

    Example:
        kid = kernel_classifier_distance(real_images, generated_images, feature_model)
    """
    return kernel_classifier_distance_and_std(input_tensor1, input_tensor2, classifier_fn, num_batches,
                                              max_block_size, dtype)[0]


def kernel_classifier_distance_and_std(input_tensor1, input_tensor2, classifier_fn, num_batches=1,
                                       max_block_size=1024, dtype=None):
    """(KID, standard error of the estimate) between two sets of inputs, via `classifier_fn`.

    Example:
        kid, kid_std = kernel_classifier_distance_and_std(real_images, fake_images, feature_model)
    """
    activations1 = run_classifier_fn(input_tensor1, classifier_fn, num_batches)
    activations2 = run_classifier_fn(input_tensor2, classifier_fn, num_batches)
    return kernel_classifier_distance_and_std_from_activations(activations1, activations2, max_block_size, dtype)


def kernel_classifier_distance_from_activations(activations1, activations2, max_block_size=1024, dtype=None):
    """Unbiased polynomial-kernel MMD^2 between two [num_samples, dim] activation sets.

    Assumes both sets are in random order (blocks must be representative).

    Example:
        kernel_classifier_distance_from_activations(real_acts, fake_acts)  # ~0 for equal distributions
    """
    return kernel_classifier_distance_and_std_from_activations(activations1, activations2, max_block_size,
                                                               dtype)[0]


def _block_bounds(num_samples, num_blocks):
    """Start/end indices of `num_blocks` near-equal blocks, the larger ones last (as in TF-GAN)."""
    small, num_large = divmod(num_samples, num_blocks)
    sizes = [small] * (num_blocks - num_large) + [small + 1] * num_large
    return np.concatenate([[0], np.cumsum(sizes)]).tolist()


def _unbiased_within_mean(kernel, size):
    """Mean of a kernel matrix's off-diagonal entries."""
    return (tf.reduce_sum(kernel) - tf.linalg.trace(kernel)) / (size * (size - 1.0))


def kernel_classifier_distance_and_std_from_activations(activations1, activations2, max_block_size=1024,
                                                        dtype=None):
    """(KID, standard error) between two activation sets, computed in blocks of <= max_block_size.

    Both sets are split into the same number of blocks, ceil(max(n1, n2) /
    max_block_size); each block pair gives an unbiased MMD^2 estimate, the KID is
    their mean and the standard error is std(block estimates) / sqrt(num_blocks)
    (NaN with a single block). Computed in `dtype` (default: the activations'
    dtype, which must then match).

    Example:
        kid, std = kernel_classifier_distance_and_std_from_activations(real_acts, fake_acts, max_block_size=500)
    """
    if not isinstance(max_block_size, int) or max_block_size < 1:
        raise ValueError(f"max_block_size must be a positive integer; got {max_block_size!r}.")
    activations1 = _checks.float_tensor(activations1, "activations1")
    activations2 = _checks.float_tensor(activations2, "activations2")
    purpose = "kernel_classifier_distance_and_std_from_activations"
    for activations, name in ((activations1, "activations1"), (activations2, "activations2")):
        _checks.check_matrix(activations.shape, name, 2, purpose)
        if activations.shape[0] is None:
            raise ValueError(f"{name} must have a known number of rows to be split into blocks.")
    _checks.check_same_width(activations1.shape, activations2.shape, "activations1", "activations2")
    if dtype is None:
        if activations1.dtype != activations2.dtype:
            raise ValueError(f"activations1 and activations2 have different dtypes ({activations1.dtype.name}, "
                             f"{activations2.dtype.name}); pass dtype= to cast both.")
        dtype = activations1.dtype
    activations1 = tf.cast(activations1, dtype)
    activations2 = tf.cast(activations2, dtype)

    num1, num2 = activations1.shape[0], activations2.shape[0]
    num_blocks = math.ceil(max(num1, num2) / max_block_size)
    if min(num1, num2) < 2 * num_blocks:
        raise ValueError(f"{purpose} needs at least {2 * num_blocks} samples in each set for {num_blocks} "
                         f"block(s) of up to max_block_size={max_block_size}; got {num1} and {num2}.")
    dim = tf.cast(activations1.shape[1], dtype)

    def kernel(x, y):
        return (tf.matmul(x, y, transpose_b=True) / dim + 1.0) ** 3

    bounds1, bounds2 = _block_bounds(num1, num_blocks), _block_bounds(num2, num_blocks)
    estimates = []
    for block in range(num_blocks):
        x = activations1[bounds1[block]:bounds1[block + 1]]
        y = activations2[bounds2[block]:bounds2[block + 1]]
        size_x = tf.cast(tf.shape(x)[0], dtype)
        size_y = tf.cast(tf.shape(y)[0], dtype)
        estimates.append(_unbiased_within_mean(kernel(x, x), size_x)
                         + _unbiased_within_mean(kernel(y, y), size_y)
                         - 2.0 * tf.reduce_mean(kernel(x, y)))
    estimates = tf.stack(estimates)
    mean = tf.reduce_mean(estimates)
    if num_blocks == 1:
        return mean, tf.constant(float("nan"), dtype)
    variance = tf.reduce_sum(tf.square(estimates - mean)) / (num_blocks - 1.0)
    return mean, tf.sqrt(variance / num_blocks)
