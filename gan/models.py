"""Keras models built from TF-GAN style `generator_fn` / `discriminator_fn` functions.

The estimator calls the user's functions once on `keras.Input`s to build functional
models. Generator inputs may be a tensor, a tuple or a dict (e.g. `(noise, one_hot_labels)`
for conditional GANs); the models take them as a flat list so any structure works, and
the user's functions always receive the structure back.
"""
import inspect
import json
import os

import keras
import tensorflow as tf

from gan import manifest

LEGACY_SPEC_FILE = "gan_spec.json"


class _PredictMode(str):
    """'infer' (TF's `ModeKeys.PREDICT`), also equal to 'predict'."""

    def __eq__(self, other):
        return str.__eq__(self, other) or other == "predict"

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__


class ModeKeys:
    """The `mode` a network function receives (TF's `tf.estimator.ModeKeys` values).

    >>> def generator_fn(noise, mode):
    ...     training = mode == ModeKeys.TRAIN      # 'train'; EVAL is 'eval', PREDICT 'infer'
    """
    TRAIN = "train"
    EVAL = "eval"
    PREDICT = _PredictMode("infer")


MODES = (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)
_KERAS_TENSOR_IN_TF_OP = "KerasTensor cannot be used as input to a TensorFlow function"


def _call_network_fn(role, fn, *args, **kwargs):
    """Calls a user's network function on Keras inputs; a raw TensorFlow op on them fails in one line."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError) as error:
        if _KERAS_TENSOR_IN_TF_OP not in str(error):
            raise
        raise ValueError(f"{role}_fn applies a TensorFlow op to Keras inputs, which Keras 3 cannot build into a "
                         "model; use the keras.ops equivalent (e.g. keras.ops.relu for tf.nn.relu, "
                         "keras.ops.concatenate for tf.concat) or a keras.layers.Lambda") from None


def _declares_mode(fn):
    try:
        return "mode" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def adversarial_output(discriminator_output):
    """The adversarial logits of a discriminator output.

    A discriminator may return a tuple whose first element is the adversarial output
    (ACGAN's class logits or InfoGAN's code predictions follow it).

    >>> adversarial_output((logits, class_logits)) is logits
    True
    """
    if isinstance(discriminator_output, (tuple, list)):
        return discriminator_output[0]
    return discriminator_output


def batch_spec(spec):
    """Element spec of generator inputs, as nested `tf.TensorSpec`s with a free batch dim."""
    return tf.nest.map_structure(
        lambda s: tf.TensorSpec([None] + list(s.shape[1:]), s.dtype), spec)


def spec_to_json(spec):
    """Serialises a nested TensorSpec structure (tensor, tuple, list or dict) to JSON data."""
    if isinstance(spec, tf.TensorSpec):
        return {"shape": [d for d in spec.shape.as_list()], "dtype": spec.dtype.name}
    if isinstance(spec, dict):
        return {"dict": {k: spec_to_json(v) for k, v in spec.items()}}
    return {"tuple": [spec_to_json(s) for s in spec]}


def spec_from_json(data):
    """Inverse of `spec_to_json`."""
    if "dict" in data:
        return {k: spec_from_json(v) for k, v in data["dict"].items()}
    if "tuple" in data:
        return tuple(spec_from_json(v) for v in data["tuple"])
    return tf.TensorSpec(data["shape"], tf.as_dtype(data["dtype"]))


def save_spec(model_dir, spec):
    """Records the generator-input spec in the run manifest so a new estimator can rebuild the networks."""
    manifest.update(model_dir, generator_inputs=spec_to_json(spec))


def load_spec(model_dir):
    """The generator-input spec recorded in `model_dir`, or None (runs written before the manifest held
    it kept it in `gan_spec.json`, which is still read)."""
    if not model_dir:
        return None
    recorded = manifest.read(model_dir) or {}
    if "generator_inputs" in recorded:
        return spec_from_json(recorded["generator_inputs"])
    legacy = os.path.join(model_dir, LEGACY_SPEC_FILE)
    if os.path.exists(legacy):
        with open(legacy, encoding="utf-8") as f:
            return spec_from_json(json.load(f)["generator_inputs"])
    return None


class GANNetworks:
    """The generator and discriminator of one GAN, built lazily from their functions.

    `generator_fn(generator_inputs[, mode])` and `discriminator_fn(data,
    generator_inputs[, mode])` are called on symbolic Keras inputs; ready
    `keras.Model`s are used as they are (called as `generator(generator_inputs)` and
    `discriminator([data, generator_inputs])`).

    >>> nets = GANNetworks(lambda z: keras.layers.Dense(2)(z),
    ...                    lambda x, z: keras.layers.Dense(1)(x))
    >>> nets.build(tf.TensorSpec([None, 4]))
    >>> nets.generate(tf.zeros([3, 4])).shape
    TensorShape([3, 2])
    """

    def __init__(self, generator_fn, discriminator_fn):
        self._generator_fn = generator_fn
        self._discriminator_fn = discriminator_fn
        self.generator = None
        self.discriminator = None
        self.generator_inputs_spec = None
        self._mode_models = {}

    @property
    def built(self):
        return self.generator is not None

    def build(self, generator_inputs_spec):
        """Builds both networks for generator inputs matching `generator_inputs_spec`."""
        self.generator_inputs_spec = batch_spec(generator_inputs_spec)
        self.generator, self.discriminator = self._build_pair("train")

    def _build_pair(self, mode):
        generator = self._build_generator(mode)  # also records the data shape
        return generator, self._build_discriminator(mode, self._data_spec)

    def _generator_inputs(self):
        flat_specs = tf.nest.flatten(self.generator_inputs_spec)
        return [keras.Input(s.shape[1:], dtype=s.dtype) for s in flat_specs]

    def _build_generator(self, mode):
        gen_inputs = self._generator_inputs()
        structured = tf.nest.pack_sequence_as(self.generator_inputs_spec, gen_inputs)
        if isinstance(self._generator_fn, keras.Model):
            generator = self._generator_fn
            generated = generator(structured)
        else:
            kwargs = {"mode": mode} if _declares_mode(self._generator_fn) else {}
            generated = _call_network_fn("generator", self._generator_fn, structured, **kwargs)
            generator = keras.Model(gen_inputs, generated, name="generator")
        # A structure of data (CycleGAN's pair of domains) gives the discriminator one input per element.
        self._data_spec = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape[1:], t.dtype), generated)
        return generator

    def _build_discriminator(self, mode, data_spec):
        if isinstance(self._discriminator_fn, keras.Model):
            return self._discriminator_fn
        flat = tf.nest.flatten(data_spec)
        data = [keras.Input(s.shape, name="data" if len(flat) == 1 else f"data_{i}") for i, s in enumerate(flat)]
        d_inputs = self._generator_inputs()
        kwargs = {"mode": mode} if _declares_mode(self._discriminator_fn) else {}
        outputs = _call_network_fn("discriminator", self._discriminator_fn, tf.nest.pack_sequence_as(data_spec, data),
                                   tf.nest.pack_sequence_as(self.generator_inputs_spec, d_inputs), **kwargs)
        return keras.Model(data + d_inputs, outputs, name="discriminator")

    def with_discriminator(self, discriminator):
        """These networks with `discriminator` (of the same architecture, e.g. a clone) in place of theirs;
        the generator is shared.

        >>> throwaway = nets.with_discriminator(keras.models.clone_model(nets.discriminator))
        """
        other = GANNetworks(self._generator_fn, self._discriminator_fn)
        other.generator_inputs_spec, other._data_spec = self.generator_inputs_spec, self._data_spec
        other.generator, other.discriminator = self.generator, discriminator
        return other

    def generator_twin(self):
        """A second generator with the same architecture and fresh weights (e.g. for an EMA)."""
        if isinstance(self._generator_fn, keras.Model):
            return keras.models.clone_model(self._generator_fn)
        return self._build_generator("train")

    def models_for(self, mode):
        """Models for `mode`: the trained ones, or mode-specific copies sharing their weights."""
        needs_copy = (mode != "train"
                      and (_declares_mode(self._generator_fn) or _declares_mode(self._discriminator_fn)))
        if not needs_copy:
            return self.generator, self.discriminator
        if mode not in self._mode_models:
            self._mode_models[mode] = self._build_pair(mode)
        generator, discriminator = self._mode_models[mode]
        for target, source in ((generator, self.generator), (discriminator, self.discriminator)):
            if len(target.weights) != len(source.weights):
                raise ValueError(
                    f"generator_fn/discriminator_fn build different variables for mode='{mode}' "
                    "than for mode='train'; the mode argument may change behaviour, not variables.")
            for t, s in zip(target.weights, source.weights):
                t.assign(s)
        return generator, discriminator

    def generate(self, generator_inputs, training=False, mode=None, generator=None):
        """Generated data for `generator_inputs` (`generator` overrides the network, e.g. an EMA copy)."""
        if generator is None:
            generator = self.models_for(mode or (ModeKeys.TRAIN if training else ModeKeys.PREDICT))[0]
        if isinstance(self._generator_fn, keras.Model):
            return generator(generator_inputs, training=training)
        return generator(tf.nest.flatten(generator_inputs), training=training)

    def discriminate(self, data, generator_inputs, training=False, mode=None):
        """The discriminator's raw output (possibly a tuple; see `adversarial_output`)."""
        discriminator = self.models_for(mode or (ModeKeys.TRAIN if training else ModeKeys.EVAL))[1]
        if isinstance(self._discriminator_fn, keras.Model):
            return discriminator([data, generator_inputs], training=training)
        return discriminator(tf.nest.flatten(data) + tf.nest.flatten(generator_inputs), training=training)
