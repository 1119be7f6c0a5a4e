"""Metric sets for `GANEstimator(eval_metrics=...)`: one object per kind of data, fed batch by batch.

Each follows the estimator's protocol: `reset_state()`, `update_state(real_data,
generated_data, generator_inputs)` with numpy batches, `result() -> dict of floats`.
- `ClassifierMetrics`: images, through a feature extractor (a cached dataset
  classifier or InceptionV3): FID, KID, classifier score, precision/recall,
  density/coverage, and for conditional generators the classifier's accuracy on
  the requested labels.
- `MixtureMetrics`: 2-D points of `ring` / `grid`, the PacGAN protocol on 2,500 samples.
`metrics_for(dataset_name)` picks and builds the right one.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment

from gan.data import describe
from gan import checks
from gan.eval.classifier_metrics import frechet_distance_from_statistics
from gan.eval.classifiers import dataset_classifier
from gan.eval.inception import InceptionExtractor
from gan.eval.kernel_metrics import kernel_classifier_distance_from_activations
from gan.eval.mixture_metrics import MIXTURES, Mixture, mixture_metrics
from gan.eval.reference import DEFAULT_MAX_FEATURES, FeatureAccumulator, real_reference
from gan.eval.running_statistics import RunningClassifierScore
from gan.eval.sample_metrics import density_coverage, precision_recall

PACGAN_SAMPLES = 2_500
DEFAULT_SAMPLE_FEATURES = 5_000
EXTRACTORS = ("auto", "classifier", "inception")


def code_accuracy(confusion):
    """InfoGAN's categorical-code accuracy from `confusion[code, class]` counts: the share of samples
    whose class is their code's under the best one-to-one matching of code values to classes
    (the Hungarian algorithm; unmatched codes count as wrong).

    Example:
        code_accuracy(np.array([[0, 9], [8, 1]]))  # 17 / 18: code 0 -> class 1, code 1 -> class 0
    """
    confusion = np.asarray(confusion, dtype=np.float64)
    rows, columns = linear_sum_assignment(-confusion)
    return float(confusion[rows, columns].sum() / max(confusion.sum(), 1))


def requested_labels(generator_inputs, num_classes):
    """Class indices a conditional generator was asked for: argmax of the one-hot part of `(noise, one_hot)`.

    None when `generator_inputs` is not such a pair or the one-hot width is not `num_classes`.

    Example:
        requested_labels((noise, np.eye(10)[[3, 7]]), 10)  # array([3, 7])
    """
    if num_classes is None or not isinstance(generator_inputs, (tuple, list)) or len(generator_inputs) != 2:
        return None
    one_hot = np.asarray(generator_inputs[1])
    if one_hot.ndim != 2 or one_hot.shape[1] != num_classes:
        return None
    return one_hot.argmax(axis=1)


class ClassifierMetrics:
    """Sample-quality metrics of generated images in an extractor's feature space.

    `extractor` (a `DatasetClassifier` or `InceptionExtractor`) has `extract(images) ->
    (features, logits or None)` and `num_classes` (the dataset's classes, or None).
    Generated features are compared with `reference` (e.g. cached real statistics from
    `real_reference`); without one, with the real batches passed to `update_state`. Results: `fid`, `kid` (unbiased, on
    the first `max_sample_features` samples), `precision`, `recall`, `density`,
    `coverage` (same subset), `classifier_score` (with logits) and
    `conditional_accuracy` (when generator inputs are `(noise, one_hot)`). With
    `categorical_code=i` (an InfoGAN's, the i-th generator input, one-hot) it reports
    `categorical_code_accuracy` (`code_accuracy`: codes matched one-to-one to the
    classifier's classes) instead of a conditional accuracy.

    Example:
        classifier = dataset_classifier('digits')
        metrics = ClassifierMetrics(classifier, real_reference(classifier, 'digits'))
        estimator = gan.GANEstimator(gen_fn, disc_fn, eval_metrics=metrics)
        estimator.evaluate(input_fn, steps=20)  # {..., 'fid': 3.1, 'kid': 0.02, 'classifier_score': 8.7, ...}
    """

    default_best_metric = "fid"  # What evaluation during training ranks checkpoints by, unless told otherwise.

    def __init__(self, extractor, reference=None, max_sample_features=DEFAULT_SAMPLE_FEATURES,
                 precision_recall_k=3, density_coverage_k=5, categorical_code=None):
        self.extractor = extractor
        self.categorical_code = categorical_code
        self.reference = reference
        self.max_sample_features = max_sample_features
        self.precision_recall_k, self.density_coverage_k = precision_recall_k, density_coverage_k
        self.reset_state()

    def reset_state(self):
        """Forgets every batch seen so far."""
        self._generated = FeatureAccumulator(self.max_sample_features)
        self._real = FeatureAccumulator(self.max_sample_features)
        self._score = RunningClassifierScore()
        self._correct = self._labelled = 0
        self._codes = None  # confusion counts [code value, class]

    def update_state(self, real_data, generated_data, generator_inputs=None):
        """Adds a batch of generated images (and real ones when there is no cached reference)."""
        features, logits = self.extractor.extract(generated_data)
        self._generated.update_state(features)
        if logits is not None:
            self._score.update_state(logits)
            if self.categorical_code is not None:
                self._count_codes(generator_inputs, logits)
                labels = None
            else:
                labels = requested_labels(generator_inputs, self.extractor.num_classes)
            if labels is not None:
                self._correct += int(np.sum(logits.argmax(axis=1) == labels))
                self._labelled += len(labels)
        if self.reference is None:
            self._real.update_state(self.extractor.extract(real_data)[0])

    def _count_codes(self, generator_inputs, logits):
        if not isinstance(generator_inputs, (tuple, list)) or len(generator_inputs) <= self.categorical_code:
            raise ValueError(f"categorical_code={self.categorical_code} names no element of the generator inputs; "
                             "an InfoGAN's are (noise, categorical_code, ...)")
        codes = np.asarray(generator_inputs[self.categorical_code]).argmax(axis=1)
        if self._codes is None:
            self._codes = np.zeros((np.asarray(generator_inputs[self.categorical_code]).shape[1], logits.shape[1]))
        np.add.at(self._codes, (codes, logits.argmax(axis=1)), 1)

    def result(self):
        """Dict of floats; raises ValueError when too few samples were seen for a metric."""
        if self._generated.count == 0:
            raise ValueError("ClassifierMetrics.result needs generated samples; update_state was not called.")
        real = self.reference if self.reference is not None else self._real.result()
        generated = self._generated.result()
        real_features = real.features[:self.max_sample_features].astype(np.float64)
        generated_features = generated.features.astype(np.float64)
        results = {
            "fid": float(frechet_distance_from_statistics(real.mean, real.covariance,
                                                          generated.mean, generated.covariance)),
            "kid": float(kernel_classifier_distance_from_activations(real_features, generated_features)),
        }
        results.update(precision_recall(real_features, generated_features, k=self.precision_recall_k)._asdict())
        results.update(density_coverage(real_features, generated_features, k=self.density_coverage_k)._asdict())
        if float(self._score.count) > 0:
            results["classifier_score"] = float(self._score.result())
        if self._labelled:
            results["conditional_accuracy"] = self._correct / self._labelled
        if self._codes is not None:
            results["categorical_code_accuracy"] = code_accuracy(self._codes)
        return results


class MixtureMetrics:
    """The PacGAN/VEEGAN mode metrics of generated 2-D points: `modes`, `high_quality`, `reverse_kl`.

    Scores the first `num_samples` generated points (2,500 in the protocol); fewer
    are scored when fewer were seen.

    Example:
        estimator = gan.GANEstimator(gen_fn, disc_fn, eval_metrics=MixtureMetrics('ring'))
        estimator.evaluate(input_fn, steps=5)  # batch 500: {..., 'modes': 8.0, 'high_quality': 0.9, ...}
    """

    # Mode balance of the high-quality samples; NaN (never best) while no sample is high quality.
    default_best_metric = "reverse_kl"

    def __init__(self, mixture="ring", num_samples=PACGAN_SAMPLES):
        if not (isinstance(mixture, Mixture) or mixture in MIXTURES):
            raise ValueError(f"unknown mixture {mixture!r}; accepted: {', '.join(sorted(MIXTURES))} or a Mixture.")
        checks.positive_int("num_samples", num_samples)
        self.mixture, self.num_samples = mixture, num_samples
        self.reset_state()

    def reset_state(self):
        """Forgets every batch seen so far."""
        self._kept, self._count = [], 0

    def update_state(self, real_data, generated_data, generator_inputs=None):
        """Keeps generated points until `num_samples` are held; real data and inputs are not needed."""
        del real_data, generator_inputs  # The modes are known exactly.
        points = np.asarray(generated_data, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"MixtureMetrics takes generated 2-D points [batch, 2]; got shape {points.shape}.")
        room = self.num_samples - self._count
        if room > 0:
            self._kept.append(points[:room])
            self._count += len(self._kept[-1])

    def result(self):
        """Dict(modes, high_quality, reverse_kl) of the points kept, as floats."""
        if not self._count:
            raise ValueError("MixtureMetrics.result needs generated samples; update_state was not called.")
        return {k: float(v) for k, v in mixture_metrics(np.concatenate(self._kept), self.mixture).items()}


def metrics_for(dataset_name, data_dir=None, cache_dir=None, split="train", image_size=None, download=True,
                extractor="auto", inception_weights=None, max_sample_features=DEFAULT_SAMPLE_FEATURES,
                max_real_examples=None, classifier_split="train", classifier_epochs=None, categorical_code=None):
    """The eval_metrics object that fits a dataset, with its real-data statistics cached.

    2-D `ring` / `grid` -> `MixtureMetrics`. Images -> `ClassifierMetrics` with
    `extractor`: 'classifier' (the cached `dataset_classifier`), 'inception'
    (InceptionV3 from local weights, `inception_weights` or $GAN_INCEPTION_WEIGHTS) or
    'auto' (classifier for labelled single-channel datasets such as digits, mnist,
    fashion_mnist; InceptionV3 otherwise). The classifier learns `classifier_split`;
    the real statistics come from `split` (the split the GAN learns). `categorical_code`
    goes to `ClassifierMetrics` (an InfoGAN's code accuracy).

    Example:
        metrics = metrics_for('digits', cache_dir='/tmp/gan_cache')
        gan.GANEstimator(gen_fn, disc_fn, eval_metrics=metrics).evaluate(input_fn, steps=10)
    """

    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r}; accepted: {', '.join(EXTRACTORS)}.")
    spec = describe(dataset_name, data_dir, download, image_size=image_size)
    if not spec.is_image:
        if dataset_name in MIXTURES:
            return MixtureMetrics(dataset_name)
        raise ValueError(f"No metrics for the point dataset {dataset_name!r}; accepted point datasets: "
                         f"{', '.join(sorted(MIXTURES))}.")
    if extractor == "auto":
        extractor = "classifier" if spec.num_classes and spec.data_shape[-1] == 1 else "inception"
    if extractor == "classifier":
        model = dataset_classifier(dataset_name, classifier_split, data_dir, cache_dir, image_size, download,
                                   epochs=classifier_epochs)
    else:
        model = InceptionExtractor(inception_weights)
    reference = real_reference(model, dataset_name, split, data_dir, cache_dir, image_size, download,
                               max_examples=max_real_examples, max_features=max(DEFAULT_MAX_FEATURES,
                                                                                max_sample_features))
    return ClassifierMetrics(model, reference, max_sample_features=max_sample_features,
                             categorical_code=categorical_code)
