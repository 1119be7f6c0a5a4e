"""TF-GAN's Inception metrics, on InceptionV3 with local weights instead of TF Hub.

Each is the classifier metric with `classifier_fn` set to `local_inception(output)`,
which loads InceptionV3 from `$GAN_INCEPTION_WEIGHTS` or the Keras cache on first use
(never a download; a one-line `InceptionWeightsError` when no weights are there).
Pass `classifier_fn=` to use another network.

>>> fid = gan.eval.frechet_inception_distance(real_images, generated_images)   # images in [-1, 1]
"""
import functools

import tensorflow as tf

from gan.eval import streaming
from gan.eval.classifier_metrics import (classifier_score, frechet_classifier_distance, run_classifier_fn,
                                         sample_and_run_classifier_fn)
from gan.eval.inception import INPUT_SIZE, InceptionExtractor
from gan.eval.kernel_metrics import kernel_classifier_distance, kernel_classifier_distance_and_std

INCEPTION_TFHUB = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"  # TF-GAN's module (not loaded here)
INCEPTION_OUTPUT = "logits"
INCEPTION_FINAL_POOL = "pool_3"
INCEPTION_DEFAULT_IMAGE_SIZE = INPUT_SIZE


def classifier_fn_from_tfhub(tfhub_module, output_fields, return_tensor=False):
    """TF Hub modules are not loaded (that would download); this says what to use instead."""
    raise ValueError(f"classifier_fn_from_tfhub({tfhub_module!r}) would load from TF Hub, which this library never "
                     "does; use gan.eval.local_inception(output) (InceptionV3 from $GAN_INCEPTION_WEIGHTS) or "
                     "your own classifier_fn")


@functools.lru_cache(maxsize=None)
def _extractor():
    return InceptionExtractor()


def local_inception(output=None):
    """A `classifier_fn(images)` running local InceptionV3: `'logits'`, `'pool_3'` or both (a dict).

    >>> logits = run_classifier_fn(images, local_inception('logits'))
    """
    if output not in (None, INCEPTION_OUTPUT, INCEPTION_FINAL_POOL):
        raise ValueError(f"output must be {INCEPTION_OUTPUT!r}, {INCEPTION_FINAL_POOL!r} or None; got {output!r}")

    def classifier_fn(images):
        extractor = _extractor()
        if output != INCEPTION_FINAL_POOL and not extractor.has_logits:
            raise ValueError("the InceptionV3 weights have no classification top, so no logits; use weights with "
                             "the top, or output='pool_3'")
        features, logits = extractor.features_and_logits(images)  # tensors: works inside tf.function too
        outputs = {INCEPTION_OUTPUT: logits, INCEPTION_FINAL_POOL: features}
        return outputs[output] if output else outputs
    return classifier_fn


_DTYPES = {INCEPTION_OUTPUT: tf.float32, INCEPTION_FINAL_POOL: tf.float32}
run_inception = functools.partial(run_classifier_fn, classifier_fn=local_inception(), dtypes=_DTYPES)
sample_and_run_inception = functools.partial(sample_and_run_classifier_fn, classifier_fn=local_inception(),
                                             dtypes=_DTYPES)
inception_score = functools.partial(classifier_score, classifier_fn=local_inception(INCEPTION_OUTPUT))
inception_score_streaming = functools.partial(streaming.classifier_score_streaming,
                                              classifier_fn=local_inception(INCEPTION_OUTPUT))
frechet_inception_distance = functools.partial(frechet_classifier_distance,
                                               classifier_fn=local_inception(INCEPTION_FINAL_POOL))
frechet_inception_distance_streaming = functools.partial(streaming.frechet_classifier_distance_streaming,
                                                         classifier_fn=local_inception(INCEPTION_FINAL_POOL))
kernel_inception_distance = functools.partial(kernel_classifier_distance,
                                              classifier_fn=local_inception(INCEPTION_FINAL_POOL))
kernel_inception_distance_and_std = functools.partial(kernel_classifier_distance_and_std,
                                                      classifier_fn=local_inception(INCEPTION_FINAL_POOL))


def _document(partial, metric, output, example):
    partial.__doc__ = (f"TF-GAN's `{metric}` with `classifier_fn` set to local InceptionV3 ({output}); "
                       f"pass `classifier_fn=` to use another network.\n\n    Example:\n        {example}\n")


_document(run_inception, "run_classifier_fn", "both outputs, a dict",
          "outputs = run_inception(images, num_batches=4)  # outputs['pool_3'], outputs['logits']")
_document(sample_and_run_inception, "sample_and_run_classifier_fn", "both outputs, a dict",
          "outputs = sample_and_run_inception(generator, [noise1, noise2])")
_document(inception_score, "classifier_score", "logits", "score = inception_score(images, num_batches=10)")
_document(inception_score_streaming, "classifier_score_streaming", "logits",
          "score, _ = inception_score_streaming(batch)  # per call site, see gan.eval.streaming")
_document(frechet_inception_distance, "frechet_classifier_distance", "pool_3 features",
          "fid = frechet_inception_distance(real_images, generated_images)")
_document(frechet_inception_distance_streaming, "frechet_classifier_distance_streaming", "pool_3 features",
          "fid, _ = frechet_inception_distance_streaming(real_batch, fake_batch)")
_document(kernel_inception_distance, "kernel_classifier_distance", "pool_3 features",
          "kid = kernel_inception_distance(real_images, generated_images)")
_document(kernel_inception_distance_and_std, "kernel_classifier_distance_and_std", "pool_3 features",
          "kid, kid_std = kernel_inception_distance_and_std(real_images, generated_images)")
