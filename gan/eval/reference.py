"""Feature statistics of a set of samples, streamed in bounded memory, and cached for real data.

A `Reference` is what sample-based metrics need from one side of a comparison: the
mean and covariance of its features (FID) and a bounded subset of the features
themselves (KID, precision/recall, density/coverage). `FeatureAccumulator` builds one
batch by batch, keeping `max_features` rows however many samples stream past, so
50,000 samples cost the memory of one batch plus a [dim, dim] matrix.
`real_reference` computes it once per (feature extractor, dataset split) and caches it.
"""
import collections
import os

import numpy as np

from gan.data import real_dataset
from gan.eval import cache
from gan.eval.running_statistics import RunningStatistics

DEFAULT_MAX_FEATURES = 10_000

Reference = collections.namedtuple("Reference", ["mean", "covariance", "count", "features"])
Reference.__doc__ = """Feature statistics of a sample set: mean [dim], unbiased covariance [dim, dim] (float64),
count (samples seen) and features [<= max_features, dim] (the first ones seen).

Example:
    reference = real_reference(extractor, 'digits')
    reference.mean.shape  # (128,)
"""


class FeatureAccumulator:
    """Streams [batch, dim] features into a `Reference`: running mean/covariance and the first `max_features` rows.

    Example:
        accumulator = FeatureAccumulator(max_features=5000)
        for features in feature_batches:
            accumulator.update_state(features)
        reference = accumulator.result()
    """

    def __init__(self, max_features=DEFAULT_MAX_FEATURES):
        if not isinstance(max_features, int) or max_features < 2:
            raise ValueError(f"max_features must be an integer >= 2; got {max_features!r}.")
        self.max_features = max_features
        self.reset_state()

    def reset_state(self):
        """Forgets every sample seen so far."""
        self._statistics = RunningStatistics()
        self._kept = []
        self._num_kept = 0

    @property
    def count(self):
        """Number of samples seen."""
        return int(self._statistics.count)

    def update_state(self, features):
        """Adds a [batch, dim] batch of features."""
        features = np.asarray(features)
        self._statistics.update_state(features)
        room = self.max_features - self._num_kept
        if room > 0:
            self._kept.append(np.array(features[:room], dtype=np.float32))
            self._num_kept += len(self._kept[-1])

    def result(self):
        """The `Reference` of everything seen (needs at least 2 samples)."""
        return Reference(self._statistics.mean.numpy(), self._statistics.covariance.numpy(), self.count,
                         np.concatenate(self._kept))


def real_reference(extractor, name, split="train", data_dir=None, cache_dir=None, image_size=None, download=True,
                   max_examples=None, max_features=DEFAULT_MAX_FEATURES, batch_size=500):
    """The `Reference` of a dataset split's features under `extractor`, computed once and cached.

    `extractor` has `extract(images) -> (features, logits)` and a `cache_name`
    (`DatasetClassifier`, `InceptionExtractor`); `max_examples` limits the real
    examples read (default: the whole split). Cached in
    `<cache_dir>/references/<extractor>/<dataset key>-<max_examples>-<max_features>.npz`.

    Example:
        reference = real_reference(dataset_classifier('digits'), 'digits')
    """

    _, key = cache.dataset_key(name, split, data_dir, image_size, download)
    path = os.path.join(cache.resolve_cache_dir(cache_dir), "references", extractor.cache_name,
                        f"{key}-{max_examples or 'all'}-{max_features}.npz")
    if os.path.isfile(path):
        with np.load(path) as saved:
            return Reference(saved["mean"], saved["covariance"], int(saved["count"]), saved["features"])
    dataset = real_dataset(name, split, data_dir, download, image_size)
    if max_examples:
        dataset = dataset.take(max_examples)
    accumulator = FeatureAccumulator(max_features)
    for images, _ in dataset.batch(batch_size):
        accumulator.update_state(extractor.extract(images.numpy())[0])
    reference = accumulator.result()
    cache.write_arrays(path, mean=reference.mean, covariance=reference.covariance, count=reference.count,
                       features=reference.features)
    return reference
