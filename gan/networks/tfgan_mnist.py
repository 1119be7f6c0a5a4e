"""The network pair of TF-GAN 2.1.0's MNIST example (`examples/mnist/networks.py`),
rebuilt with Keras 3 layers for like-for-like comparisons."""
import keras
from keras import layers

from gan.networks.core import (L2, NetworkPair, SpectralNormalization, check_family, family_outputs,
                               generator_input_vector)

_DATA_SHAPE = (28, 28, 1)
_EMBEDDING_SIZE = 256  # TF-GAN's `condition_tensor_from_onehot` default.


@keras.saving.register_keras_serializable(package="gan")
class BatchStatsNormalization(layers.BatchNormalization):
    """Batch norm that always normalizes with the current batch's statistics.

    TF-GAN's MNIST discriminator calls batch norm with `training=True` even at
    evaluation; this layer keeps that behaviour whatever Keras' `training` flag
    says while the layer is trainable (Keras runs a frozen, `trainable=False`,
    batch norm in inference mode). Its moving averages are still updated, as in
    TF-GAN, but never read.

    >>> BatchStatsNormalization(momentum=0.999, epsilon=0.001)(keras.Input((8,)))
    """

    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=True, mask=mask)


def tfgan_mnist(data_shape=_DATA_SHAPE, *, weight_decay=2.5e-5, conditional=False, auxiliary_classes=None,
                structured_codes=None):
    """TF-GAN's MNIST generator/discriminator pair, for 28x28x1 images.

    Generator: dense 1024 -> BN -> ReLU, dense 7*7*128 -> BN -> ReLU, reshape,
    4x4 stride-2 transposed convs with 64 then 32 filters, each -> BN -> ReLU,
    4x4 conv to 1 channel -> tanh.
    Discriminator: 4x4 stride-2 convs with 64 then 128 filters, each ->
    LeakyReLU(0.01), flatten, dense 1024 -> BN -> LeakyReLU(0.01), dense 1.

    As in TF-GAN: every conv and dense layer has an L2 kernel regularizer of
    `weight_decay` (read the penalties from `model.losses`); the dense layers
    before batch norm have no bias; batch norm uses momentum 0.999 and epsilon
    0.001. TF-GAN's spectral-normalization getter covers every kernel of the
    discriminator *except the final dense 1*: both convs and the dense 1024 are
    wrapped in `gan.networks.core.SpectralNormalization`; the generator has none.
    The discriminator's batch norm always uses batch statistics
    (`BatchStatsNormalization`), because TF-GAN hard-codes `is_training=True`.

    Conditional (`generator_inputs = (noise, one_hot_labels)`), as in TF-GAN's
    `condition_tensor_from_onehot` (Reed et al. 2016, arXiv:1609.03499): the
    labels pick a 256-d learned embedding (a bias-free dense layer, which equals
    TF-GAN's lookup for one-hot labels), a dense layer maps it to the size of
    the features, and the result is added to them: after the generator's first
    dense block and after the discriminator's flatten. These conditioning
    kernels have no L2 penalty; the discriminator's projection (not its
    embedding) is spectrally normalized, as TF-GAN's getter does.

    `auxiliary_classes=K` (ACGAN) conditions the generator as above and adds a class head
    to the discriminator's dense 1024 features instead of conditioning it;
    `structured_codes=(C, N)` (InfoGAN, as TF-GAN's InfoGAN example) concatenates the
    codes to the generator's noise and adds a Q head to those features
    (`gan.networks.core.check_family`).

    >>> pair = tfgan_mnist()
    >>> z = keras.Input((64,))
    >>> keras.Model(z, pair.generator_fn(z)).output_shape
    (None, 28, 28, 1)
    """
    if tuple(data_shape) != _DATA_SHAPE:
        raise ValueError(
            f"tfgan_mnist only makes 28x28x1 images, got data_shape={tuple(data_shape)!r}"
        )
    if not weight_decay >= 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
    labelled = check_family(conditional, auxiliary_classes, structured_codes)

    def l2():
        return L2(weight_decay)

    def dense(units, use_bias=False):
        return layers.Dense(units, use_bias=use_bias, kernel_regularizer=l2())

    def conv(filters, strides, transpose=False):
        conv_class = layers.Conv2DTranspose if transpose else layers.Conv2D
        return conv_class(filters, 4, strides=strides, padding="same", kernel_regularizer=l2())

    def batch_norm(layer_class=layers.BatchNormalization):
        return layer_class(momentum=0.999, epsilon=0.001)

    def condition(net, labels, spectral_norm):
        embedding = layers.Dense(_EMBEDDING_SIZE, use_bias=False)(labels)
        projection = layers.Dense(net.shape[-1])
        if spectral_norm:
            projection = SpectralNormalization(projection)
        return layers.Add()([net, projection(embedding)])

    def generator_fn(generator_inputs):
        """Maps noise (and labels) to 28x28x1 images in [-1, 1]."""
        noise, extra = generator_input_vector(generator_inputs, labelled, structured_codes)
        if structured_codes:
            noise, extra = layers.Concatenate()([noise, extra]), None
        net = layers.ReLU()(batch_norm()(dense(1024)(noise)))
        if extra is not None:
            net = condition(net, extra, spectral_norm=False)
        net = layers.ReLU()(batch_norm()(dense(7 * 7 * 128)(net)))
        net = layers.Reshape((7, 7, 128))(net)
        for filters in (64, 32):
            net = layers.ReLU()(batch_norm()(conv(filters, 2, transpose=True)(net)))
        return layers.Activation("tanh")(conv(1, 1)(net))

    def discriminator_fn(data, generator_inputs):
        """Maps 28x28x1 images (and the labels in `generator_inputs`) to logits `[batch, 1]`."""
        net = data
        for filters in (64, 128):
            net = SpectralNormalization(conv(filters, 2))(net)
            net = layers.LeakyReLU(negative_slope=0.01)(net)
        net = layers.Flatten()(net)
        if conditional:
            _, labels = generator_input_vector(generator_inputs, True, None)
            net = condition(net, labels, spectral_norm=True)
        net = SpectralNormalization(dense(1024))(net)
        features = layers.LeakyReLU(negative_slope=0.01)(batch_norm(BatchStatsNormalization)(net))
        return family_outputs(features, dense(1, use_bias=True)(features), auxiliary_classes, structured_codes)

    return NetworkPair(generator_fn, discriminator_fn)
