"""How well a CycleGAN or StarGAN translates: does a translation keep its digit and land in its domain?

On `digits_domains` each domain is a known transform of the digits (`gan.data.to_domain`),
so a translation into domain t, mapped back by t's inverse, should be the same digit as its
input mapped back by its own domain's inverse. Two cached classifiers judge
(`gan.eval.dataset_classifier`): the `digits` classifier reads the digit, the
`digits_domains` one (its labels are the domains) the domain.

- `class_preserved`: the share of translations whose digit, so read, is their input's.
- `domain_accuracy`: the share of translations the domain classifier puts in their target
  domain (choosing among the run's domains).

Both are averaged over the ordered pairs of different domains (2 for CycleGAN, 12 for
StarGAN on the four domains) and reported per pair too, as `class_preserved/<from>_to_<to>`.
A StarGAN batch's examples whose target is their own domain are not counted. The cycle
reconstruction error comes with the losses: `GANEstimator.evaluate` reports CycleGAN's
`cycle_consistency_loss` and StarGAN's `reconstruction_loss`.

Example:
    metrics = translation_metrics_for('digits_domains', ('original', 'inverted'), 'cyclegan')
    estimator = gan.GANEstimator(..., cycle_consistency_loss_weight=10.0, eval_metrics=metrics)
    estimator.evaluate(gan.data.translation_input_fn('digits_domains', 100, repeat=False), steps=10)
"""
import numpy as np

from gan.data import translation
from gan.eval.classifiers import dataset_classifier
from gan.names import TRANSLATION_FAMILIES

DIGITS = "digits"


class TranslationMetrics:
    """`eval_metrics` of a translation run (see the module docstring): `update_state(real_data,
    generated_data, generator_inputs)` per batch, `result()` the averages.

    `digit_classifier` and `domain_classifier` are `DatasetClassifier`s (None: that figure is
    not measured); `domains` the run's domain names, in the order of its one-hot codes.

    >>> metrics = TranslationMetrics(('original', 'inverted'), 'cyclegan', digits_clf, domains_clf)
    """

    def __init__(self, domains, kind, digit_classifier=None, domain_classifier=None, classifier_domains=None):
        if kind not in TRANSLATION_FAMILIES:
            raise ValueError(f"kind must be one of {', '.join(TRANSLATION_FAMILIES)}; got {kind!r}")
        self.domains, self.kind = tuple(domains), kind
        self.digit_classifier, self.domain_classifier = digit_classifier, domain_classifier
        # What evaluation during training ranks checkpoints by, unless told otherwise.
        self.default_best_metric = "class_preserved" if digit_classifier is not None else (
            "cycle_consistency_loss" if kind == "cyclegan" else "reconstruction_loss")
        # Where each of the run's domains sits among the domain classifier's classes.
        self._columns = [list(classifier_domains or self.domains).index(d) for d in self.domains]
        self.reset_state()

    def reset_state(self):
        """Forgets every batch seen."""
        size = len(self.domains)
        self._counts = np.zeros((size, size))
        self._preserved = np.zeros((size, size))
        self._in_domain = np.zeros((size, size))

    def _pairs(self, generated_data, generator_inputs):
        """(inputs, translations, source ids, target ids) of one batch, identity translations dropped."""
        if self.kind == "cyclegan":
            x, y = (np.asarray(t) for t in generator_inputs)
            to_y, to_x = (np.asarray(t) for t in generated_data)
            count = len(x)
            return (np.concatenate([x, y]), np.concatenate([to_y, to_x]),
                    np.repeat([0, 1], count), np.repeat([1, 0], count))
        images, source, target = (np.asarray(t) for t in generator_inputs)
        source, target = source.argmax(-1), target.argmax(-1)
        moved = source != target
        return images[moved], np.asarray(generated_data)[moved], source[moved], target[moved]

    def _restored(self, images, domain_ids):
        """Images mapped back from their domains to the original one."""
        restored = np.empty_like(images)
        for index, name in enumerate(self.domains):
            chosen = domain_ids == index
            if chosen.any():
                restored[chosen] = translation.from_domain(images[chosen], name)
        return restored

    def update_state(self, real_data, generated_data, generator_inputs):
        """Adds one evaluation batch (numpy, as `GANEstimator.evaluate` passes them)."""
        del real_data  # the translations are judged against their own inputs
        inputs, translations, source, target = self._pairs(generated_data, generator_inputs)
        if not len(inputs):
            return
        np.add.at(self._counts, (source, target), 1)
        if self.digit_classifier is not None:
            before = self.digit_classifier.extract(self._restored(inputs, source))[1].argmax(-1)
            after = self.digit_classifier.extract(self._restored(translations, target))[1].argmax(-1)
            np.add.at(self._preserved, (source, target), before == after)
        if self.domain_classifier is not None:
            logits = self.domain_classifier.extract(translations)[1][:, self._columns]
            np.add.at(self._in_domain, (source, target), logits.argmax(-1) == target)

    def result(self):
        """{'class_preserved', 'domain_accuracy'}: means over the ordered domain pairs seen, and per pair."""
        seen = self._counts > 0
        results = {}
        for name, hits, judge in (("class_preserved", self._preserved, self.digit_classifier),
                                  ("domain_accuracy", self._in_domain, self.domain_classifier)):
            if judge is None or not seen.any():
                continue
            shares = np.where(seen, hits / np.maximum(self._counts, 1), np.nan)
            results[name] = float(np.nanmean(shares))
            for s, t in zip(*np.nonzero(seen)):
                results[f"{name}/{self.domains[s]}_to_{self.domains[t]}"] = float(shares[s, t])
        return results


def translation_metrics_for(dataset_name, domains, kind, data_dir=None, cache_dir=None, image_size=None,
                            download=True):
    """The `TranslationMetrics` of a translation dataset, its classifiers cached (trained on first use).

    `digits_domains` gets both figures; other datasets (cycle_gan/*, celeb_a) have no known
    inverse transforms or cached domain labels, so neither: their evaluation reports the
    losses, the cycle reconstruction error among them.

    Example:
        metrics = translation_metrics_for('digits_domains', ('original', 'inverted', 'mirrored', 'rotated'), 'stargan')
    """
    if dataset_name != "digits_domains":
        return TranslationMetrics(domains, kind)
    digits = dataset_classifier(DIGITS, data_dir=data_dir, cache_dir=cache_dir, image_size=image_size,
                                download=download)
    domain_classifier = dataset_classifier(dataset_name, data_dir=data_dir, cache_dir=cache_dir,
                                           image_size=image_size, download=download)
    return TranslationMetrics(domains, kind, digits, domain_classifier, classifier_domains=translation.DIGITS_DOMAINS)
