"""`gan.eval`: evaluation metrics with TF-GAN 2.1.0's names, plus streaming and sample-based extras.

Example:
    from gan import eval as gan_eval
    fid = gan_eval.frechet_classifier_distance_from_activations(real_acts, fake_acts)
"""
from gan.eval.classifier_metrics import (
    classifier_score,
    classifier_score_from_logits,
    frechet_classifier_distance,
    frechet_classifier_distance_from_activations,
    frechet_distance_from_statistics,
    run_classifier_fn,
    trace_sqrt_product,
)
from gan.eval.image_grid import image_grid, python_image_grid
from gan.eval.kernel_metrics import (
    kernel_classifier_distance,
    kernel_classifier_distance_and_std,
    kernel_classifier_distance_and_std_from_activations,
    kernel_classifier_distance_from_activations,
)
from gan.eval.mixture_metrics import (
    MIXTURES,
    Mixture,
    grid_modes,
    high_quality_fraction,
    mixture_metrics,
    mode_histogram,
    mode_reverse_kl,
    modes_captured,
    ring_modes,
)
from gan.eval.running_statistics import RunningClassifierScore, RunningStatistics
from gan.eval.sample_metrics import (
    DensityCoverage,
    PrecisionRecall,
    density_coverage,
    knn_squared_radii,
    precision_recall,
)
from gan.eval.sliced_wasserstein import laplacian_pyramid, sliced_wasserstein_distance

__all__ = [
    "DensityCoverage",
    "MIXTURES",
    "Mixture",
    "PrecisionRecall",
    "RunningClassifierScore",
    "RunningStatistics",
    "classifier_score",
    "classifier_score_from_logits",
    "density_coverage",
    "frechet_classifier_distance",
    "frechet_classifier_distance_from_activations",
    "frechet_distance_from_statistics",
    "grid_modes",
    "high_quality_fraction",
    "image_grid",
    "kernel_classifier_distance",
    "kernel_classifier_distance_and_std",
    "kernel_classifier_distance_and_std_from_activations",
    "kernel_classifier_distance_from_activations",
    "knn_squared_radii",
    "laplacian_pyramid",
    "mixture_metrics",
    "mode_histogram",
    "mode_reverse_kl",
    "modes_captured",
    "precision_recall",
    "python_image_grid",
    "ring_modes",
    "run_classifier_fn",
    "sliced_wasserstein_distance",
    "trace_sqrt_product",
]
