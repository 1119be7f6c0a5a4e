"""`gan.eval`: evaluation metrics with TF-GAN 2.1.0's names, plus streaming and sample-based extras.

Beyond the metric functions: offline feature extractors (a cached classifier per
labelled dataset, InceptionV3 from local weights), cached real-data statistics,
metric sets for `GANEstimator(eval_metrics=...)` and a training hook that keeps the
best checkpoint.

Example:
    from gan import eval as gan_eval
    fid = gan_eval.frechet_classifier_distance_from_activations(real_acts, fake_acts)
    metrics = gan_eval.metrics_for('digits')  # FID, KID, classifier score, ... for GANEstimator
"""
from gan.eval.classifier_metrics import (
    classifier_score,
    classifier_score_from_logits,
    frechet_classifier_distance,
    frechet_classifier_distance_from_activations,
    frechet_distance_from_statistics,
    diagonal_only_frechet_classifier_distance_from_activations,
    mean_only_frechet_classifier_distance_from_activations,
    run_classifier_fn,
    sample_and_run_classifier_fn,
    trace_sqrt_product,
)
from gan.eval.cache import resolve_cache_dir
from gan.eval.classifiers import DatasetClassifier, dataset_classifier
from gan.eval.evaluators import ClassifierMetrics, MixtureMetrics, code_accuracy, metrics_for, requested_labels
from gan.eval.image_grid import image_grid, image_reshaper, python_image_grid
from gan.eval.inception import InceptionExtractor, InceptionWeightsError, inception_weights_path
from gan.eval.inception_metrics import (
    INCEPTION_DEFAULT_IMAGE_SIZE,
    INCEPTION_FINAL_POOL,
    INCEPTION_OUTPUT,
    INCEPTION_TFHUB,
    classifier_fn_from_tfhub,
    frechet_inception_distance,
    frechet_inception_distance_streaming,
    inception_score,
    inception_score_streaming,
    kernel_inception_distance,
    kernel_inception_distance_and_std,
    local_inception,
    run_inception,
    sample_and_run_inception,
)
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
from gan.eval.reference import FeatureAccumulator, Reference, real_reference
from gan.eval.running_statistics import RunningClassifierScore, RunningStatistics
from gan.eval.sample_metrics import (
    DensityCoverage,
    PrecisionRecall,
    density_coverage,
    knn_squared_radii,
    precision_recall,
)
from gan.eval.sliced_wasserstein import laplacian_pyramid, sliced_wasserstein_distance
from gan.eval.streaming import (
    classifier_score_from_logits_streaming,
    classifier_score_streaming,
    frechet_classifier_distance_from_activations_streaming,
    frechet_classifier_distance_streaming,
    reset_streaming_metrics,
)
from gan.eval.summaries import (
    add_cyclegan_image_summaries,
    add_gan_model_image_summaries,
    add_gan_model_summaries,
    add_image_comparison_summaries,
    add_regularization_loss_summaries,
    add_stargan_image_summaries,
)
# Last: it imports gan.summaries, which imports gan.eval's image grids.
from gan.eval.eval_hook import EvalHook, make_eval_hook, metric_direction, read_best
from gan.eval.translation_metrics import TranslationMetrics, translation_metrics_for

__all__ = [
    "ClassifierMetrics",
    "code_accuracy",
    "DatasetClassifier",
    "DensityCoverage",
    "EvalHook",
    "FeatureAccumulator",
    "INCEPTION_DEFAULT_IMAGE_SIZE",
    "INCEPTION_FINAL_POOL",
    "INCEPTION_OUTPUT",
    "INCEPTION_TFHUB",
    "InceptionExtractor",
    "InceptionWeightsError",
    "MIXTURES",
    "Mixture",
    "MixtureMetrics",
    "PrecisionRecall",
    "Reference",
    "RunningClassifierScore",
    "RunningStatistics",
    "add_cyclegan_image_summaries",
    "add_gan_model_image_summaries",
    "add_gan_model_summaries",
    "add_image_comparison_summaries",
    "add_regularization_loss_summaries",
    "add_stargan_image_summaries",
    "classifier_fn_from_tfhub",
    "classifier_score",
    "classifier_score_from_logits",
    "classifier_score_from_logits_streaming",
    "classifier_score_streaming",
    "dataset_classifier",
    "density_coverage",
    "diagonal_only_frechet_classifier_distance_from_activations",
    "frechet_classifier_distance",
    "frechet_classifier_distance_from_activations",
    "frechet_classifier_distance_from_activations_streaming",
    "frechet_classifier_distance_streaming",
    "frechet_distance_from_statistics",
    "frechet_inception_distance",
    "frechet_inception_distance_streaming",
    "grid_modes",
    "high_quality_fraction",
    "image_grid",
    "image_reshaper",
    "inception_score",
    "inception_score_streaming",
    "inception_weights_path",
    "kernel_classifier_distance",
    "kernel_classifier_distance_and_std",
    "kernel_classifier_distance_and_std_from_activations",
    "kernel_classifier_distance_from_activations",
    "kernel_inception_distance",
    "kernel_inception_distance_and_std",
    "knn_squared_radii",
    "laplacian_pyramid",
    "local_inception",
    "make_eval_hook",
    "mean_only_frechet_classifier_distance_from_activations",
    "metric_direction",
    "metrics_for",
    "translation_metrics_for",
    "TranslationMetrics",
    "mixture_metrics",
    "mode_histogram",
    "mode_reverse_kl",
    "modes_captured",
    "precision_recall",
    "python_image_grid",
    "read_best",
    "real_reference",
    "requested_labels",
    "reset_streaming_metrics",
    "resolve_cache_dir",
    "ring_modes",
    "run_classifier_fn",
    "run_inception",
    "sample_and_run_classifier_fn",
    "sample_and_run_inception",
    "sliced_wasserstein_distance",
    "trace_sqrt_product",
]
