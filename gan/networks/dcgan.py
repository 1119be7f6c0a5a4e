"""DCGAN-style convolutional pair for images of any size (Radford et al. 2015,
arXiv:1511.06434)."""
from keras import layers

from gan import checks
from gan.networks.core import (
    NetworkPair,
    check_family,
    check_shape,
    family_outputs,
    generator_input_vector,
    spectrally_normalized,
    split_generator_inputs,
)

_MIN_START_SIZE = 4


def upsampling_plan(height, width):
    """Returns `(doublings, (start_h, start_w))` whose repeated doubling gives
    exactly `(height, width)`.

    Halves both sides while they are even and the halves stay at least 4 pixels,
    so odd sizes stop early (28 -> 14 -> 7) and no cropping is ever needed.

    >>> upsampling_plan(28, 28)
    (2, (7, 7))
    >>> upsampling_plan(32, 32)
    (3, (4, 4))
    """
    doublings = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= _MIN_START_SIZE:
        height, width, doublings = height // 2, width // 2, doublings + 1
    return doublings, (height, width)


def dcgan(
    data_shape,
    *,
    base_filters=64,
    kernel_size=4,
    max_filters=1024,
    spectral_norm=False,
    conditional=False,
    batch_norm=True,
    auxiliary_classes=None,
    structured_codes=None,
):
    """DCGAN generator/discriminator pair for `data_shape = (H, W, C)`.

    Generator: dense projection of the noise to a small `start_h x start_w` map
    (see `upsampling_plan`), then `Conv2DTranspose(stride 2) -> BN -> ReLU` per
    doubling, with filters halving down to `base_filters`, then a `Conv2D` to C
    channels with tanh, so samples lie in [-1, 1] with exactly `data_shape`.
    Discriminator: one strided `Conv2D -> LeakyReLU(0.2)` per doubling (at least
    one), filters doubling from `base_filters`, then a dense layer to one
    unbounded logit per example (`[batch, 1]`). It has no batch norm, so it stays
    valid under gradient penalties (Gulrajani et al. 2017, arXiv:1704.00028);
    `spectral_norm=True` wraps its conv and dense layers in
    `gan.networks.core.SpectralNormalization`.

    Conditional (`generator_inputs = (noise, one_hot_labels)`): the generator
    concatenates the labels to the noise; the discriminator projects the labels
    with a dense layer to one H x W plane and concatenates it to the image as an
    extra channel, so every conv layer sees the class.

    `auxiliary_classes=K` makes an ACGAN pair and `structured_codes=(C, N)` an InfoGAN
    one (`gan.networks.core.check_family`): the generator concatenates the labels or
    codes to the noise; the discriminator's heads read its flattened features.

    >>> pair = dcgan((28, 28, 1), base_filters=32)
    >>> z = keras.Input((64,))
    >>> keras.Model(z, pair.generator_fn(z)).output_shape
    (None, 28, 28, 1)
    """
    height, width, channels = check_shape(data_shape, rank=3)
    labelled = check_family(conditional, auxiliary_classes, structured_codes)
    sizes = {"base_filters": base_filters, "kernel_size": kernel_size, "max_filters": max_filters}
    for name, value in sizes.items():
        checks.positive_int(name, value)
    doublings, (start_h, start_w) = upsampling_plan(height, width)
    generator_filters = [min(base_filters * 2**i, max_filters) for i in range(doublings, -1, -1)]
    discriminator_filters = [
        min(base_filters * 2**i, max_filters) for i in range(max(doublings, 1))
    ]

    def bn_relu(net):
        if batch_norm:
            net = layers.BatchNormalization()(net)
        return layers.ReLU()(net)

    def generator_fn(generator_inputs):
        """Maps noise (and labels) to images in [-1, 1] of shape `data_shape`."""
        noise, extra = generator_input_vector(generator_inputs, labelled, structured_codes)
        net = noise if extra is None else layers.Concatenate()([noise, extra])
        # A bias right before batch norm is cancelled by its mean subtraction.
        net = layers.Dense(start_h * start_w * generator_filters[0], use_bias=not batch_norm)(net)
        net = bn_relu(net)
        net = layers.Reshape((start_h, start_w, generator_filters[0]))(net)
        for filters in generator_filters[1:]:
            net = layers.Conv2DTranspose(
                filters, kernel_size, strides=2, padding="same", use_bias=not batch_norm
            )(net)
            net = bn_relu(net)
        return layers.Conv2D(channels, kernel_size, padding="same", activation="tanh")(net)

    def discriminator_fn(data, generator_inputs):
        """Maps images (and the labels in `generator_inputs`) to logits `[batch, 1]`."""
        net = data
        if conditional:
            _, labels = split_generator_inputs(generator_inputs, conditional)
            label_plane = layers.Reshape((height, width, 1))(layers.Dense(height * width)(labels))
            net = layers.Concatenate()([net, label_plane])
        for filters in discriminator_filters:
            conv = layers.Conv2D(filters, kernel_size, strides=2, padding="same")
            net = spectrally_normalized(conv, spectral_norm)(net)
            net = layers.LeakyReLU(negative_slope=0.2)(net)
        features = layers.Flatten()(net)
        logits = spectrally_normalized(layers.Dense(1), spectral_norm)(features)
        return family_outputs(features, logits, auxiliary_classes, structured_codes)

    return NetworkPair(generator_fn, discriminator_fn)
