"""The 2-D Gaussian mixtures `ring` and `grid` (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018).

This module is the single home of their definition (`MIXTURES`): the `ring` and `grid`
datasets sample them (`gan.data.embedded`) and the mode-collapse metrics score samples
against them (`gan.eval.mixture_metrics`).

Example:
    MIXTURES['ring'].centers.shape  # (8, 2)
"""
import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Mixture:
    """Equal-weight mixture of isotropic Gaussians: `centers` [K, dim] (read-only) and one `std`.

    Example:
        Mixture(centers=np.array([[0.0, 0.0], [1.0, 1.0]]), std=0.1)
    """

    centers: np.ndarray
    std: float

    def __post_init__(self):
        centers = np.array(self.centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] < 1:
            raise ValueError(f"Mixture centers must be [num_modes >= 1, dim]; got shape {centers.shape}.")
        if not self.std > 0:
            raise ValueError(f"Mixture std must be positive; got {self.std!r}.")
        centers.flags.writeable = False
        object.__setattr__(self, "centers", centers)
        object.__setattr__(self, "std", float(self.std))


def ring_modes():
    """The `ring` benchmark: 8 modes (cos 2 pi i / 8, sin 2 pi i / 8) on the unit circle, std 0.01.

    Example:
        ring_modes().centers.shape  # (8, 2)
    """
    angles = 2.0 * np.pi * np.arange(8) / 8.0
    return Mixture(np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.01)


def grid_modes():
    """The `grid` benchmark: 25 modes at {-4, -2, 0, 2, 4}^2 (row-major in x, then y), std 0.05.

    Example:
        grid_modes().centers[:2]  # [[-4, -4], [-4, -2]]
    """
    axis = np.arange(-4.0, 5.0, 2.0)
    return Mixture(np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2), 0.05)


MIXTURES = {"ring": ring_modes(), "grid": grid_modes()}
