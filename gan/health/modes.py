"""Mode-collapse alarm: generated samples that cover few of the data's classes or modes.

A collapsed generator maps most noise to a few outputs. With labelled data a
classifier's predicted classes of the samples show it; with the 2-D mixtures the
histogram of samples over the known modes does (`gan.eval.mode_histogram`). A
class or mode counts as *covered* when it gets at least `min_share` of its fair
share (1/K) of the recognised samples, so a few stray samples do not hide a collapse.

Example:
    counts = class_histogram(classifier_logits, min_confidence=0.5)
    mode_collapse_message(counts, 'classes')  # 'generated samples cover only 2 of 10 classes ...' or None
"""
from typing import NamedTuple

import numpy as np

from gan import checks
from gan.data import describe
from gan.eval import MIXTURES, Mixture, dataset_classifier, mode_histogram
from gan.health.events import MODE_COLLAPSE, HealthEvent


class Coverage(NamedTuple):
    """How generated samples spread over K classes or modes (see `coverage`)."""
    covered: int
    total: int
    max_share: float
    top: int
    samples: int

    @property
    def covered_fraction(self):
        return self.covered / self.total


def coverage(counts, min_share=0.2):
    """`Coverage` of a histogram: classes with at least `min_share / K` of the samples, the largest share and its class.

    >>> coverage([90, 5, 5, 0])
    Coverage(covered=3, total=4, max_share=0.9, top=0, samples=100)
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 1 or counts.size == 0 or np.any(counts < 0):
        raise ValueError(f"counts must be a non-empty 1-D histogram of non-negative counts; got {counts!r}.")
    total = int(counts.sum())
    if total == 0:
        return Coverage(0, counts.size, 0.0, -1, 0)
    shares = counts / total
    return Coverage(int(np.sum(shares >= min_share / counts.size)), counts.size, float(shares.max()),
                    int(shares.argmax()), total)


def class_histogram(logits, num_classes=None, min_confidence=0.0):
    """Counts of predicted classes: `logits` [N, K] (softmax confidence >= `min_confidence` only) or class ids [N].

    >>> class_histogram([[5.0, 0.0], [0.0, 5.0], [4.0, 0.0]])
    array([2, 1])
    """
    logits = np.asarray(logits)
    if logits.ndim == 1:
        if num_classes is None:
            raise ValueError("class ids [N] need num_classes; pass it, or pass logits [N, K].")
        return np.bincount(logits.astype(np.int64), minlength=num_classes)[:num_classes]
    if logits.ndim != 2:
        raise ValueError(f"logits must be [N, num_classes] or class ids [N]; got shape {logits.shape}.")
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    confident = probabilities.max(axis=1) >= min_confidence
    return np.bincount(probabilities.argmax(axis=1)[confident], minlength=logits.shape[1])


def mode_collapse_message(counts, what="classes", min_coverage=0.5, max_share=0.5, min_samples=None, min_share=0.2):
    """A one-line alarm when samples cover under `min_coverage` of the classes or one has over `max_share`; else None.

    No verdict (None) with fewer than `min_samples` recognised samples (default 5 per
    class), e.g. an untrained generator whose points lie near no mode.

    >>> mode_collapse_message([100, 0, 0, 0, 0, 0, 0, 0], 'modes')
    'mode collapse: generated samples cover only 1 of 8 modes (100% of recognised samples in mode 0) ...'
    """
    summary = coverage(counts, min_share)
    if not _enough(summary, min_samples):
        return None
    if summary.covered_fraction >= min_coverage and summary.max_share <= max_share:
        return None
    singular = what[:-2] if what.endswith("ses") else what[:-1]
    return (f"mode collapse: generated samples cover only {summary.covered} of {summary.total} {what} "
            f"({summary.max_share:.0%} of {summary.samples} recognised samples in {singular} {summary.top}; the alarm "
            f"needs {min_coverage:.0%} covered and at most {max_share:.0%} in one): the generator maps most noise to a "
            "few outputs. Keep the best checkpoint, and consider a Wasserstein loss with gradient penalty, a lower "
            "learning rate or more discriminator steps.")


def _enough(summary, min_samples):
    return summary.samples >= max(1, 5 * summary.total if min_samples is None else min_samples)


def mixture_histogram(mixture):
    """A `histogram(samples) -> counts` over the modes of a 2-D mixture (`'ring'`, `'grid'` or a `gan.eval.Mixture`).

    >>> mixture_histogram('ring')(gan.eval.MIXTURES['ring'].centers)
    array([1, 1, 1, 1, 1, 1, 1, 1])
    """
    if isinstance(mixture, str) and mixture in MIXTURES:
        mixture = MIXTURES[mixture]
    if not isinstance(mixture, Mixture):
        raise ValueError(f"unknown mixture {mixture!r}; accepted: {', '.join(sorted(MIXTURES))} or a Mixture.")
    return lambda samples: mode_histogram(np.reshape(samples, [len(samples), -1]), mixture.centers, mixture.std)


def classifier_histogram(classifier, min_confidence=0.5):
    """A `histogram(samples) -> counts` of a `gan.eval.DatasetClassifier`'s confident predictions.

    >>> histogram = classifier_histogram(gan.eval.dataset_classifier('digits'))
    >>> histogram(generated_images)  # e.g. array([98, 103, 95, ...])
    """
    return lambda samples: class_histogram(classifier.extract(samples)[1], min_confidence=min_confidence)


class ModeCollapseCheck:
    """Raises the mode-collapse alarm from samples drawn every `every` steps; calls return lists of `HealthEvent`s.

    `samples_fn()` returns generated samples (e.g. `lambda: estimator.generate(fixed_noise).numpy()`),
    `histogram(samples)` their counts per class or mode (`classifier_histogram`,
    `mixture_histogram`). The alarm is raised once, and again only after coverage recovered.
    `coverage` holds the latest `Coverage`.

    >>> check = ModeCollapseCheck(lambda: samples, mixture_histogram('ring'), what='modes', every=500)
    """

    def __init__(self, samples_fn, histogram, what="classes", every=500, min_coverage=0.5, max_share=0.5,
                 min_samples=None, min_share=0.2):
        checks.positive_int("every", every)
        self.samples_fn, self.histogram, self.what, self.every = samples_fn, histogram, what, every
        self.options = dict(min_coverage=min_coverage, max_share=max_share, min_samples=min_samples,
                            min_share=min_share)
        self.coverage = None
        self._last_step = None
        self._alarmed = False

    def __call__(self, step, logs=None):
        del logs  # The samples tell, not the losses.
        if self._last_step is not None and step // self.every <= self._last_step // self.every:
            return []
        self._last_step = step
        counts = self.histogram(self.samples_fn())
        self.coverage = coverage(counts, self.options["min_share"])
        message = mode_collapse_message(counts, self.what, **self.options)
        if message is None:
            if _enough(self.coverage, self.options["min_samples"]):  # A verdict of health re-arms the alarm.
                self._alarmed = False
            return []
        if self._alarmed:
            return []
        self._alarmed = True
        return [HealthEvent(step, MODE_COLLAPSE, f"Step {step}: {message}")]


def histogram_for(dataset_name, data_dir=None, cache_dir=None, image_size=None, download=True, min_confidence=0.5):
    """(histogram, what) for the mode-collapse alarm on a dataset, or (None, None) when it has no classes or modes.

    `ring` / `grid` -> the mixture's modes; a labelled image dataset -> its cached
    `gan.eval.dataset_classifier` (trained on first use, which takes seconds to a minute).

    >>> histogram, what = histogram_for('digits', cache_dir='/tmp/gan_cache')  # what == 'classes'
    """
    if dataset_name in MIXTURES:
        return mixture_histogram(dataset_name), "modes"
    spec = describe(dataset_name, data_dir, download, image_size=image_size)
    if not spec.is_image or not spec.num_classes:
        return None, None
    classifier = dataset_classifier(dataset_name, data_dir=data_dir, cache_dir=cache_dir, image_size=image_size,
                                    download=download)
    return classifier_histogram(classifier, min_confidence), "classes"
