"""Mode-collapse metrics on 2-D Gaussian mixtures: the VEEGAN / PacGAN benchmark protocol.

Srivastava et al. 2017 (VEEGAN, https://arxiv.org/abs/1705.07761) and Lin et al.
2018 (PacGAN, https://arxiv.org/abs/1712.04086) score generated samples against
the known modes:
- a sample is *high quality* when it lies within 3 standard deviations of its
  nearest mode (strictly closer than 3 std, as in PacGAN's released code);
- a mode is *captured* when it is the nearest mode of at least one high-quality sample;
- *reverse KL* is KL(p_gen || uniform) between the histogram of high-quality
  samples over their nearest modes and the uniform distribution over modes.
The mixtures themselves (`MIXTURES`, `Mixture`) are defined with the data, in `gan.data.mixtures`.
"""
import math

import numpy as np

from gan.data.mixtures import MIXTURES, Mixture, grid_modes, ring_modes  # noqa: F401  (gan.eval's names)

HIGH_QUALITY_STDS = 3.0
_ROWS_PER_BLOCK = 16384


def _samples(samples, centers):
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples must be [num_samples, {centers.shape[1]}] like the mode centers; "
                         f"got shape {samples.shape}.")
    if samples.shape[0] < 1:
        raise ValueError("mixture metrics need at least 1 sample; got 0.")
    return samples


def mode_histogram(samples, centers, std):
    """Number of high-quality samples (closer than 3 std) whose nearest mode is each center, int [K].

    Example:
        mode_histogram([[1.0, 0.0], [5.0, 5.0]], ring_modes().centers, 0.01)  # [1, 0, 0, 0, 0, 0, 0, 0]
    """
    centers = Mixture(centers, std).centers
    samples = _samples(samples, centers)
    counts = np.zeros(len(centers), dtype=np.int64)
    for start in range(0, len(samples), _ROWS_PER_BLOCK):
        block = samples[start:start + _ROWS_PER_BLOCK]
        distances = np.linalg.norm(block[:, None, :] - centers[None, :, :], axis=-1)
        nearest = distances.argmin(axis=1)
        high_quality = distances[np.arange(len(block)), nearest] < HIGH_QUALITY_STDS * std
        counts += np.bincount(nearest[high_quality], minlength=len(centers))
    return counts


def modes_captured(samples, centers, std):
    """Number of modes that are the nearest mode of at least one high-quality sample.

    Example:
        modes_captured(ring_modes().centers, ring_modes().centers, 0.01)  # 8
    """
    return int(np.count_nonzero(mode_histogram(samples, centers, std)))


def high_quality_fraction(samples, centers, std):
    """Fraction of samples within 3 std of their nearest mode, in [0, 1].

    Example:
        high_quality_fraction([[1.0, 0.0], [0.0, 0.0]], ring_modes().centers, 0.01)  # 0.5
    """
    return float(mode_histogram(samples, centers, std).sum() / len(np.asarray(samples)))


def mode_reverse_kl(samples, centers, std):
    """KL(p_gen || uniform) of the high-quality samples' mode histogram, in nats, in [0, log K].

    Equals log K - entropy(p_gen). Empty modes need no epsilon: they contribute
    0 * log 0 = 0, and the uniform reference is never 0, so the value is exact
    (0 when every mode gets the same count, log K when one mode gets them all).
    It is NaN when no sample is high quality, since p_gen is then undefined.

    Example:
        mode_reverse_kl(np.repeat(ring_modes().centers[:1], 5, axis=0), ring_modes().centers, 0.01)  # log 8
    """
    return _reverse_kl_from_histogram(mode_histogram(samples, centers, std))


def _reverse_kl_from_histogram(counts):
    total = counts.sum()
    if total == 0:
        return math.nan
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(p * len(counts))))


def mixture_metrics(samples, name_or_mixture):
    """The benchmark's three numbers for samples [N, 2] against a mixture (`'ring'`, `'grid'` or a `Mixture`).

    Returns dict(modes=int, high_quality=fraction in [0, 1], reverse_kl=nats).

    Example:
        mixture_metrics(generated_points, "grid")  # {'modes': 25, 'high_quality': 0.93, 'reverse_kl': 0.01}
    """
    if isinstance(name_or_mixture, Mixture):
        mixture = name_or_mixture
    elif isinstance(name_or_mixture, str) and name_or_mixture in MIXTURES:
        mixture = MIXTURES[name_or_mixture]
    else:
        raise ValueError(f"unknown mixture {name_or_mixture!r}; accepted: {', '.join(sorted(MIXTURES))} "
                         "or a Mixture.")
    counts = mode_histogram(samples, mixture.centers, mixture.std)
    return {"modes": int(np.count_nonzero(counts)),
            "high_quality": float(counts.sum() / len(np.asarray(samples))),
            "reverse_kl": _reverse_kl_from_histogram(counts)}
