"""Precision/recall and density/coverage of generated samples, from feature arrays.

Both pairs estimate each distribution's support as a union of balls: around each
sample, radius = distance to its k-th nearest neighbour in the same set.
- Precision / recall (Kynkaanniemi et al. 2019, https://arxiv.org/abs/1904.06991):
  the fraction of generated samples inside the real manifold, and of real samples
  inside the generated manifold.
- Density / coverage (Naeem et al. 2020, https://arxiv.org/abs/2002.09797):
  density = (1 / (k M)) sum_j #{real balls containing generated sample j}
  (1 on average when the distributions match; (k + 1) / k for identical sets),
  coverage = fraction of real balls that contain at least one generated sample.
A point on a ball's boundary counts as inside (as in Kynkaanniemi et al.'s code).

Distances are computed in float64, `max_block_size` rows against
`max_block_size` rows at a time, so memory stays bounded for 50,000 samples
(the time is quadratic in the number of samples).
"""
import collections

import numpy as np

from gan import checks
from gan.eval import _checks

PrecisionRecall = collections.namedtuple("PrecisionRecall", ["precision", "recall"])
DensityCoverage = collections.namedtuple("DensityCoverage", ["density", "coverage"])


def _features(values, name, min_rows, purpose):
    features = np.asarray(values, dtype=np.float64)
    _checks.check_matrix(features.shape, name, min_rows, purpose)
    return features


def _check_settings(k, max_block_size):
    checks.positive_int("k", k)
    checks.positive_int("max_block_size", max_block_size)


def _check_widths(real, generated, purpose):
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"{purpose}: real and generated features must have the same width; "
                         f"got {real.shape[1]} and {generated.shape[1]}.")


def _blocks(num_rows, block_size):
    return [slice(start, min(start + block_size, num_rows)) for start in range(0, num_rows, block_size)]


def _squared_distances(a, b):
    """Pairwise squared Euclidean distances, clipped at 0 against rounding."""
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(squared, 0.0)


def knn_squared_radii(features, k, max_block_size=1024):
    """Squared distance from each row of `features` to its k-th nearest other row.

    Example:
        knn_squared_radii(np.array([[0.], [1.], [3.]]), k=1)  # [1., 1., 4.]
    """
    _check_settings(k, max_block_size)
    features = _features(features, "features", k + 1, f"k-nearest neighbours with k={k}")
    blocks = _blocks(len(features), max_block_size)
    radii = np.empty(len(features))
    for rows in blocks:
        # The k + 1 smallest include the row itself at distance 0.
        nearest = np.full((rows.stop - rows.start, 0), np.inf)
        for cols in blocks:
            candidates = np.concatenate([nearest, _squared_distances(features[rows], features[cols])], axis=1)
            keep = min(k + 1, candidates.shape[1])
            nearest = np.partition(candidates, keep - 1, axis=1)[:, :keep]
        radii[rows] = nearest.max(axis=1)
    return radii


def _ball_membership(real, generated, real_radii, generated_radii, max_block_size):
    """Per-sample hits of the real and generated balls, streamed over block pairs."""
    generated_in_real = np.zeros(len(generated), dtype=bool)
    real_in_generated = np.zeros(len(real), dtype=bool)
    real_ball_hit = np.zeros(len(real), dtype=bool)
    real_ball_count = 0
    for gen_rows in _blocks(len(generated), max_block_size):
        for real_rows in _blocks(len(real), max_block_size):
            distances = _squared_distances(generated[gen_rows], real[real_rows])
            inside_real_balls = distances <= real_radii[None, real_rows]
            generated_in_real[gen_rows] |= inside_real_balls.any(axis=1)
            real_ball_hit[real_rows] |= inside_real_balls.any(axis=0)
            real_ball_count += int(inside_real_balls.sum())
            if generated_radii is not None:
                real_in_generated[real_rows] |= (distances <= generated_radii[gen_rows, None]).any(axis=0)
    return generated_in_real, real_in_generated, real_ball_hit, real_ball_count


def precision_recall(real_features, generated_features, k=3, max_block_size=1024):
    """Improved precision and recall (Kynkaanniemi et al. 2019) with k-NN manifolds, k=3 by default.

    Needs at least k + 1 samples in each set. Returns PrecisionRecall(precision, recall), floats in [0, 1].

    Example:
        precision, recall = precision_recall(real_features, generated_features)
    """
    _check_settings(k, max_block_size)
    purpose = f"precision_recall with k={k}"
    real = _features(real_features, "real_features", k + 1, purpose)
    generated = _features(generated_features, "generated_features", k + 1, purpose)
    _check_widths(real, generated, purpose)
    generated_in_real, real_in_generated, _, _ = _ball_membership(
        real, generated, knn_squared_radii(real, k, max_block_size),
        knn_squared_radii(generated, k, max_block_size), max_block_size)
    return PrecisionRecall(float(generated_in_real.mean()), float(real_in_generated.mean()))


def density_coverage(real_features, generated_features, k=5, max_block_size=1024):
    """Density and coverage (Naeem et al. 2020) with k-NN balls around real samples, k=5 by default.

    Needs at least k + 1 real samples and 1 generated sample. Returns
    DensityCoverage(density, coverage); density can exceed 1, coverage is in [0, 1].

    Example:
        density, coverage = density_coverage(real_features, generated_features)
    """
    _check_settings(k, max_block_size)
    purpose = f"density_coverage with k={k}"
    real = _features(real_features, "real_features", k + 1, purpose)
    generated = _features(generated_features, "generated_features", 1, purpose)
    _check_widths(real, generated, purpose)
    _, _, real_ball_hit, real_ball_count = _ball_membership(
        real, generated, knn_squared_radii(real, k, max_block_size), None, max_block_size)
    return DensityCoverage(real_ball_count / (k * len(generated)), float(real_ball_hit.mean()))
