"""InceptionV3 features and logits for FID / Inception score on natural images, offline.

TF-GAN fetched Inception from TF-Hub at evaluation time; here the weights come from a
local file: the `weights` argument, else $GAN_INCEPTION_WEIGHTS, else the Keras cache
(`$KERAS_HOME/models` or `~/.keras/models`, where `keras.applications` keeps its
downloads). Nothing is downloaded and there is no random-weights fallback: without a
weights file `InceptionWeightsError` says how to provide one.

Images in [-1, 1] (the library's data range, which is also InceptionV3's preprocessed
range) are resized bilinearly to 299x299, like TF-GAN; grayscale is repeated to RGB.
Features are the 2,048 pool-3 activations; logits the 1,000 ImageNet classes (only
with the full "with top" weights file).
"""
import os
import warnings

import keras
import numpy as np
import tensorflow as tf

WEIGHTS_ENV = "GAN_INCEPTION_WEIGHTS"
WEIGHTS_FILES = ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                 "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
INPUT_SIZE = 299


class InceptionWeightsError(ValueError):
    """No usable InceptionV3 weights file; the message says how to provide one.

    Example:
        try:
            InceptionExtractor()
        except InceptionWeightsError as error:
            print(error)
    """


def keras_cache_dir():
    """The folder where `keras.applications` caches downloaded weights.

    Example:
        keras_cache_dir()  # '/home/me/.keras/models'
    """
    return os.path.join(os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras"), "models")


def inception_weights_path(weights=None):
    """The InceptionV3 weights file to use: `weights`, else $GAN_INCEPTION_WEIGHTS, else the Keras cache.

    Raises InceptionWeightsError (one line) when a named file is missing or none is found.

    Example:
        inception_weights_path('/data/inception_v3_weights_tf_dim_ordering_tf_kernels.h5')
    """
    named = weights or os.environ.get(WEIGHTS_ENV)
    if named:
        if not os.path.isfile(named):
            source = "weights" if weights else f"${WEIGHTS_ENV}"
            raise InceptionWeightsError(f"InceptionV3 weights file {named!r} (from {source}) does not exist.")
        return named
    for name in WEIGHTS_FILES:
        path = os.path.join(keras_cache_dir(), name)
        if os.path.isfile(path):
            return path
    raise InceptionWeightsError(
        f"No InceptionV3 weights found offline: pass weights=PATH (gan-evaluate --inception_weights=PATH), "
        f"set ${WEIGHTS_ENV}, or put {WEIGHTS_FILES[0]} (from {WEIGHTS_URL}) in {keras_cache_dir()}.")


def _load(path):
    """(model, has_logits): a full-weights file gives features and logits, a 'notop' file features only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns before raising when a 'notop' file lacks the top.
            full = keras.applications.InceptionV3(include_top=True, weights=path, classifier_activation=None)
        return keras.Model(full.input, [full.get_layer("avg_pool").output, full.output]), True
    except ValueError:
        pass
    try:
        return keras.applications.InceptionV3(include_top=False, weights=path, pooling="avg"), False
    except ValueError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InceptionWeightsError(f"{path!r} holds no InceptionV3 weights ({first[:200]}).") from None


class InceptionExtractor:
    """InceptionV3 pool-3 features [N, 2048] and ImageNet logits [N, 1000] of images in [-1, 1].

    `num_classes` is None: ImageNet classes are not the dataset's labels, so there is
    no conditional accuracy. `logits` are None with a 'notop' weights file.

    Example:
        extractor = InceptionExtractor(weights='/data/inception_v3_weights_tf_dim_ordering_tf_kernels.h5')
        features, logits = extractor.extract(images)  # images [N, H, W, 1 or 3] in [-1, 1]
    """

    num_classes = None

    def __init__(self, weights=None, batch_size=64):
        self.weights_path = inception_weights_path(weights)
        self.model, self.has_logits = _load(self.weights_path)
        self.batch_size = batch_size
        # The cache key names the weights file, so statistics from other weights are not reused.
        self.cache_name = "inception_v3-" + os.path.basename(self.weights_path).split(".")[0]

    def check_input(self, images):
        """Raises ValueError unless `images` are [N, H, W, 1 or 3]."""
        shape = tuple(images.shape) if hasattr(images, "shape") else np.shape(images)
        if len(shape) != 4 or shape[-1] not in (1, 3):
            raise ValueError(f"InceptionV3 takes images [N, H, W, 1 or 3]; got shape {tuple(shape)}.")

    @tf.function(reduce_retracing=True)
    def _run(self, images):
        images = tf.image.resize(tf.cast(images, tf.float32), (INPUT_SIZE, INPUT_SIZE), method="bilinear")
        if images.shape[-1] == 1:
            images = tf.tile(images, [1, 1, 1, 3])
        return self.model(images, training=False)

    def features_and_logits(self, images):
        """(features float32 [N, 2048], logits float32 [N, 1000] or None) tensors of one batch in [-1, 1].

        Works eagerly and inside `tf.function`; `extract` batches NumPy arrays through it.
        """
        self.check_input(images)
        outputs = self._run(images)
        return tuple(outputs) if self.has_logits else (outputs, None)

    def extract(self, images):
        """(features float32 [N, 2048], logits float32 [N, 1000] or None) of images in [-1, 1]."""
        self.check_input(images)
        features, logits = [], []
        for start in range(0, len(images), self.batch_size):
            batch_features, batch_logits = self.features_and_logits(
                np.asarray(images[start:start + self.batch_size], np.float32))
            features.append(batch_features.numpy())
            if self.has_logits:
                logits.append(batch_logits.numpy())
        return np.concatenate(features), (np.concatenate(logits) if self.has_logits else None)
