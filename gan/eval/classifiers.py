"""A small classifier per labelled dataset, trained once on the real data and cached: TF-GAN's "MNIST score", offline.

TF-GAN scored MNIST GANs with a pretrained MNIST classifier downloaded at run time.
Here `dataset_classifier('mnist')` trains a small Keras network on the real training
split the first time (seconds to a minute on a CPU), measures its accuracy on held-out
data, and keeps model and report under the cache folder (`gan.eval.cache`); later
calls load it. Its penultimate-layer activations give FID, KID and precision/recall,
its logits the classifier score and the accuracy of conditional samples.

Held-out data: the dataset's `test` split when it has one, else the last 20% of the
training split (which is then left out of training), e.g. `digits`.
"""
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from gan.data import real_dataset
from gan import atomic
from gan.eval import cache

# Bump when the network or its training changes, so older cached classifiers are not reused.
RECIPE = "v1"
EXAMPLES_PER_TRAINING = 30_000  # Epochs are chosen so training sees about this many examples.
MAX_EPOCHS = 30
MLP_BELOW = 16  # Images smaller than this on a side get an MLP; convolutions need more room.
HELD_OUT_FRACTION = 20
MODEL_FILE = "classifier.keras"
INFO_FILE = "classifier.json"


def _network(shape, num_classes, seed):
    """Keras model mapping images in [-1, 1] to (penultimate features [N, 128], logits [N, num_classes])."""
    init = keras.initializers.GlorotUniform(seed=seed)
    images = keras.Input(shape, name="images")
    if min(shape[:2]) < MLP_BELOW:
        hidden = keras.layers.Dense(256, "relu", kernel_initializer=init)(keras.layers.Flatten()(images))
    else:
        hidden = images
        for filters in (32, 64):
            hidden = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu",
                                         kernel_initializer=init)(hidden)
        hidden = keras.layers.Flatten()(hidden)
    features = keras.layers.Dense(128, "relu", kernel_initializer=init, name="features")(hidden)
    logits = keras.layers.Dense(num_classes, kernel_initializer=init, name="logits")(features)
    return keras.Model(images, [features, logits], name="dataset_classifier")


class DatasetClassifier:
    """A cached dataset classifier: `extract(images)` gives (features [N, 128], logits [N, num_classes]).

    `info` is the training report (held-out accuracy, splits, epochs, ...), `trained`
    says whether this object trained it (False when loaded from the cache).

    Example:
        classifier = dataset_classifier('digits')
        features, logits = classifier.extract(images)  # images [N, 8, 8, 1] in [-1, 1]
        classifier.accuracy  # held-out accuracy, e.g. 0.97
    """

    def __init__(self, model, info, directory, trained):
        self.model, self.info, self.directory, self.trained = model, info, directory, trained
        self.input_shape = tuple(info["shape"])
        self.num_classes = int(info["num_classes"])
        self.cache_name = "classifier-" + os.path.basename(directory)

    @property
    def accuracy(self):
        """Accuracy on the held-out data, measured when the classifier was trained."""
        return self.info["held_out_accuracy"]

    def check_input(self, images):
        """Raises ValueError unless `images` are [N, *input_shape]."""
        if tuple(np.shape(images)[1:]) != self.input_shape:
            raise ValueError(f"The {self.info['dataset']} classifier takes data [N, "
                             f"{', '.join(map(str, self.input_shape))}]; got shape {tuple(np.shape(images))}.")

    @tf.function(reduce_retracing=True, autograph=False)
    def _run(self, images):
        return self.model(images, training=False)

    def extract(self, images, batch_size=1024):
        """(features float32 [N, 128], logits float32 [N, num_classes]) of data in [-1, 1]."""
        self.check_input(images)
        features, logits = [], []
        for start in range(0, len(images), batch_size):
            batch_features, batch_logits = self._run(np.asarray(images[start:start + batch_size], np.float32))
            features.append(batch_features.numpy())
            logits.append(batch_logits.numpy())
        return np.concatenate(features), np.concatenate(logits)


def _splits(spec, split):
    """(training split, held-out split) for a classifier of `split`."""
    if "test" in spec.num_examples and split != "test":
        return split, "test"
    if "[" in split:
        raise ValueError(f"Dataset {spec.name!r} has no test split to hold out, and split {split!r} is already "
                         "sliced: pass a whole split name such as 'train'.")
    return f"{split}[:{100 - HELD_OUT_FRACTION}%]", f"{split}[{100 - HELD_OUT_FRACTION}%:]"


def _accuracy(model, dataset):
    correct = total = 0
    for images, labels in dataset:
        _, logits = model(images, training=False)
        correct += int(tf.reduce_sum(tf.cast(tf.argmax(logits, axis=1) == labels, tf.int32)))
        total += int(labels.shape[0])
    return correct / total, total


def _train(spec, key, split, data_dir, image_size, download, epochs, batch_size, seed):

    fit_split, held_out_split = _splits(spec, split)
    fit_data = real_dataset(spec.name, fit_split, data_dir, download, image_size).cache()
    num_fit = int(fit_data.reduce(0, lambda count, _: count + 1))
    if num_fit == 0:
        raise ValueError(f"Dataset {spec.name!r} split {fit_split!r} is empty: nothing to train a classifier on.")
    epochs = epochs or min(MAX_EPOCHS, max(2, math.ceil(EXAMPLES_PER_TRAINING / num_fit)))
    model = _network(spec.data_shape, spec.num_classes, seed)
    trainer = keras.Model(model.input, model.outputs[1])
    trainer.compile(keras.optimizers.Adam(1e-3),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    began = time.time()
    trainer.fit(fit_data.shuffle(min(num_fit, 10_000), seed=seed).batch(batch_size).prefetch(2),
                epochs=epochs, shuffle=False, verbose=0)  # Shuffled by tf.data above, with the seed.
    held_out = real_dataset(spec.name, held_out_split, data_dir, download, image_size)
    accuracy, num_held_out = _accuracy(model, held_out.batch(1024))
    return model, {
        "dataset": spec.name, "key": key, "recipe": RECIPE, "shape": list(spec.data_shape),
        "num_classes": spec.num_classes, "training_split": fit_split, "held_out_split": held_out_split,
        "num_training": num_fit, "num_held_out": num_held_out, "held_out_accuracy": accuracy,
        "epochs": epochs, "batch_size": batch_size, "seed": seed, "training_seconds": time.time() - began,
    }


def dataset_classifier(name, split="train", data_dir=None, cache_dir=None, image_size=None, download=True,
                       epochs=None, batch_size=64, seed=0):
    """The cached classifier of a labelled image dataset, trained on `split` first if there is none.

    Cached in `<cache_dir>/classifiers/<name>-<version>-<split>-<shape>-<recipe>/` with
    `classifier.json` holding its held-out accuracy; training logs that accuracy.
    `epochs` (default: enough for ~30,000 examples, 2 to 30) only applies when training.

    Example:
        classifier = dataset_classifier('mnist', data_dir='../shared/data/tfds', download=False)
        print(classifier.accuracy)
    """
    spec, key = cache.dataset_key(name, split, data_dir, image_size, download)
    if not spec.is_image or spec.num_classes is None:
        raise ValueError(f"Dataset {name!r} is not a labelled image dataset, so no classifier can be trained "
                         "for it: use InceptionV3 features (extractor='inception') or a dataset with labels.")
    directory = os.path.join(cache.resolve_cache_dir(cache_dir), "classifiers", f"{key}-{RECIPE}")
    model_path, info_path = os.path.join(directory, MODEL_FILE), os.path.join(directory, INFO_FILE)
    info = cache.read_json(info_path)
    if info is not None and os.path.isfile(model_path):
        return DatasetClassifier(keras.models.load_model(model_path, compile=False), info, directory, False)
    model, info = _train(spec, key, split, data_dir, image_size, download, epochs, batch_size, seed)
    with atomic.replacing(model_path) as temporary:
        model.save(temporary)
    cache.write_json(info_path, info)  # Written last: its presence marks a complete entry.
    logging.info("Trained the %s classifier (%s, %d examples, %d epochs, %.1f s): held-out accuracy %.4f on %d "
                 "examples of %s; cached in %s", name, info["training_split"], info["num_training"], info["epochs"],
                 info["training_seconds"], info["held_out_accuracy"], info["num_held_out"],
                 info["held_out_split"], directory)
    return DatasetClassifier(model, info, directory, True)
