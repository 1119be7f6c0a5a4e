"""Time and peak memory of FID on 50,000 samples: streamed in batches vs. all samples held at once.

    python benchmarks/fid_memory.py                       # digits classifier features, 50,000 samples
    python benchmarks/fid_memory.py --dataset=mnist --data_dir=../shared/data/tfds --download=false

The "generated" samples are real training images plus Gaussian noise (clipped to
[-1, 1]), made batch by batch. Features come from the dataset's cached classifier
(`gan.eval.dataset_classifier`, trained on first use; the one-off training is not
timed). Both routes compare with the cached real statistics:
- streaming: images made, featurised and folded into `gan.eval.FeatureAccumulator`
  one batch at a time (what `ClassifierMetrics` does);
- all at once: every image and feature array held in memory, mean and covariance by numpy.
Peak memory is the rise of the process's resident set (VmHWM, reset before each route
via /proc/self/clear_refs) above its size when the route starts. Prints the figures,
the time ratio, the memory difference and the command line.
"""
import shlex
import sys
import time

import numpy as np
from absl import app, flags

from gan import data
from gan import eval as gan_eval

flags.DEFINE_string("dataset", "digits", "Labelled image dataset whose cached classifier gives the features.")
flags.DEFINE_string("data_dir", None, "TFDS data dir (default: $GAN_DATA_DIR, else ~/tensorflow_datasets).")
flags.DEFINE_boolean("download", True, "Let TFDS download a dataset missing from --data_dir.")
flags.DEFINE_string("cache_dir", None, "Evaluation cache (default: $GAN_CACHE_DIR, else ~/.cache/gan).")
flags.DEFINE_integer("num_samples", 50_000, "Generated samples to score.")
flags.DEFINE_integer("batch_size", 1_000, "Samples per streamed batch.")
flags.DEFINE_float("noise", 0.2, "Std of the Gaussian noise added to real images.")
flags.DEFINE_integer("seed", 0, "Seed of the noise.")
FLAGS = flags.FLAGS


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _measure(route):
    """(result, seconds, peak resident-set rise in MiB) of calling `route()`."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # Resets VmHWM (peak RSS) to the current RSS (Linux >= 4.0).
    before = _status_kib("VmRSS")
    began = time.perf_counter()
    result = route()
    seconds = time.perf_counter() - began
    return result, seconds, (_status_kib("VmHWM") - before) / 1024


def _batches(real_images, num_samples, batch_size, noise, seed):
    """Perturbed real images, `batch_size` at a time (the last batch may be smaller)."""
    rng = np.random.default_rng(seed)
    for start in range(0, num_samples, batch_size):
        picks = rng.integers(len(real_images), size=min(batch_size, num_samples - start))
        images = real_images[picks] + noise * rng.standard_normal((len(picks),) + real_images.shape[1:])
        yield np.clip(images, -1.0, 1.0).astype(np.float32)


def main(argv):
    del argv
    classifier = gan_eval.dataset_classifier(FLAGS.dataset, data_dir=FLAGS.data_dir, cache_dir=FLAGS.cache_dir,
                                             download=FLAGS.download)
    reference = gan_eval.real_reference(classifier, FLAGS.dataset, data_dir=FLAGS.data_dir,
                                        cache_dir=FLAGS.cache_dir, download=FLAGS.download)
    real_images = np.concatenate([images.numpy() for images, _ in
                                  data.real_dataset(FLAGS.dataset, data_dir=FLAGS.data_dir,
                                                    download=FLAGS.download).batch(10_000)])
    settings = (FLAGS.num_samples, FLAGS.batch_size, FLAGS.noise, FLAGS.seed)

    def fid(mean, covariance):
        return float(gan_eval.frechet_distance_from_statistics(reference.mean, reference.covariance, mean,
                                                               covariance))

    def streaming():
        accumulator = gan_eval.FeatureAccumulator(max_features=2)
        for images in _batches(real_images, *settings):
            accumulator.update_state(classifier.extract(images)[0])
        generated = accumulator.result()
        return fid(generated.mean, generated.covariance)

    def all_at_once():
        images = np.concatenate(list(_batches(real_images, *settings)))
        features = classifier.extract(images, batch_size=len(images))[0].astype(np.float64)
        return fid(features.mean(axis=0), np.cov(features, rowvar=False))

    _measure(streaming)  # Warm-up: traces the classifier's tf.function and loads kernels.
    streamed, streamed_seconds, streamed_mib = _measure(streaming)
    streamed_peak = _status_kib("VmHWM") / 1024
    held, held_seconds, held_mib = _measure(all_at_once)
    held_peak = _status_kib("VmHWM") / 1024
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable] + sys.argv)}")
    print(f"features: {FLAGS.dataset} classifier ({classifier.info['recipe']}, held-out accuracy "
          f"{classifier.accuracy:.4f}), {reference.mean.shape[0]} dims; real statistics from "
          f"{reference.count} images; {FLAGS.num_samples:,} samples, noise std {FLAGS.noise}")
    print(f"streaming, batch {FLAGS.batch_size}: FID {streamed:.4f}  {streamed_seconds:.2f} s  "
          f"peak RSS +{streamed_mib:.1f} MiB (process peak {streamed_peak:.0f} MiB)")
    print(f"all at once:          FID {held:.4f}  {held_seconds:.2f} s  peak RSS +{held_mib:.1f} MiB "
          f"(process peak {held_peak:.0f} MiB)")
    print(f"all at once / streaming: time {held_seconds / streamed_seconds:.2f}x, peak memory "
          f"+{held_mib - streamed_mib:.1f} MiB; FIDs differ by {abs(streamed - held):.2e}")


if __name__ == "__main__":
    app.run(main)
