"""Fully connected pair for flat data such as the 2-D `ring` and `grid` mixtures."""
import math

from keras import layers

from gan import checks
from gan.networks.core import (
    NetworkPair,
    check_shape,
    spectrally_normalized,
    split_generator_inputs,
)


def mlp(data_shape=(2,), *, hidden_units=(128, 128), spectral_norm=False, conditional=False):
    """MLP generator/discriminator pair for data of any fixed shape.

    Generator: `Dense -> ReLU` per entry of `hidden_units`, then a linear dense
    layer reshaped to `data_shape` (linear because the data is unbounded, e.g.
    the `grid` modes span [-4, 4]). Discriminator: the flattened data through
    `Dense -> LeakyReLU(0.2)` per entry of `hidden_units`, then a dense layer to
    one logit per example (`[batch, 1]`); `spectral_norm=True` wraps its dense
    layers in `gan.networks.core.SpectralNormalization`. Conditional
    (`generator_inputs = (noise, one_hot_labels)`): both networks concatenate
    the labels to their input.

    >>> pair = mlp((2,), hidden_units=(64,))
    >>> x, z = keras.Input((2,)), keras.Input((8,))
    >>> keras.Model([x, z], pair.discriminator_fn(x, z)).output_shape
    (None, 1)
    """
    shape = check_shape(data_shape)
    units = tuple(checks.positive_int("hidden_units", u) for u in hidden_units)

    def generator_fn(generator_inputs):
        """Maps noise (and labels) to unbounded samples of shape `data_shape`."""
        noise, labels = split_generator_inputs(generator_inputs, conditional)
        net = noise if labels is None else layers.Concatenate()([noise, labels])
        for width in units:
            net = layers.Dense(width, activation="relu")(net)
        net = layers.Dense(math.prod(shape))(net)
        return layers.Reshape(shape)(net) if len(shape) > 1 else net

    def discriminator_fn(data, generator_inputs):
        """Maps samples (and the labels in `generator_inputs`) to logits `[batch, 1]`."""
        net = layers.Flatten()(data) if len(shape) > 1 else data
        if conditional:
            _, labels = split_generator_inputs(generator_inputs, conditional)
            net = layers.Concatenate()([net, labels])
        for width in units:
            net = spectrally_normalized(layers.Dense(width), spectral_norm)(net)
            net = layers.LeakyReLU(negative_slope=0.2)(net)
        return spectrally_normalized(layers.Dense(1), spectral_norm)(net)

    return NetworkPair(generator_fn, discriminator_fn)
