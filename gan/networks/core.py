"""What every reference network shares: the pair type, argument checks and the model families' heads."""
from typing import Callable, NamedTuple

import keras
import tensorflow as tf
from keras import layers

from gan import checks

# InfoGAN's Q head: a hidden layer of this width on the discriminator's features (TF-GAN's
# MNIST InfoGAN example's encoder width), then one output per structured code.
Q_HEAD_UNITS = 128


class NetworkPair(NamedTuple):
    """A TF-GAN-style `(generator_fn, discriminator_fn)` pair.

    Each function builds fresh Keras layers every time it is called, so calling it
    once on `keras.Input`s gives the layers of one model.

    >>> pair = gan.networks.mlp((2,))
    >>> z = keras.Input((8,))
    >>> generator = keras.Model(z, pair.generator_fn(z))
    """

    generator_fn: Callable
    discriminator_fn: Callable


def split_generator_inputs(generator_inputs, conditional):
    """Returns `(noise, one_hot_labels)`; labels are None for unconditional nets.

    >>> split_generator_inputs((z, y), conditional=True)  # -> (z, y)
    """
    is_pair = isinstance(generator_inputs, (tuple, list))
    if conditional:
        if not is_pair or len(generator_inputs) != 2:
            raise ValueError(
                "a conditional network needs generator_inputs=(noise, one_hot_labels), "
                f"got {type(generator_inputs).__name__}"
            )
        return tuple(generator_inputs)
    if is_pair:
        raise ValueError(
            f"an unconditional network needs a single noise tensor, got a "
            f"{len(generator_inputs)}-tuple; build it with conditional=True for "
            f"(noise, one_hot_labels)"
        )
    return generator_inputs, None


def check_family(conditional, auxiliary_classes, structured_codes):
    """Validates a factory's family options; returns whether the generator takes `(noise, one_hot_labels)`.

    `auxiliary_classes=K` (ACGAN, Odena et al. 2017): the generator takes labels, the
    discriminator sees only the data and returns `(logits, class_logits [batch, K])`.
    `structured_codes=(C, N)` (InfoGAN, Chen et al. 2016): the generator takes
    `(noise, categorical_code [batch, C] one-hot, continuous_code [batch, N])` (N=0: no
    continuous code, a pair), the discriminator returns `(logits, [categorical_logits,
    continuous_mean])` from a Q head on its features.

    >>> check_family(False, 10, None)  # ACGAN: labels in
    True
    """
    if auxiliary_classes is not None:
        checks.positive_int("auxiliary_classes", auxiliary_classes)
    if structured_codes is not None:
        if (not isinstance(structured_codes, (tuple, list)) or len(structured_codes) != 2
                or not all(isinstance(v, int) and v >= 0 for v in structured_codes) or structured_codes[0] < 2):
            raise ValueError("structured_codes must be (categorical_dims >= 2, continuous_dims >= 0); "
                             f"got {structured_codes!r}")
    chosen = [name for name, value in (("conditional", conditional), ("auxiliary_classes", auxiliary_classes),
                                       ("structured_codes", structured_codes)) if value]
    if len(chosen) > 1:
        raise ValueError(f"{' and '.join(chosen)} exclude each other: conditional=True conditions both networks, "
                         "auxiliary_classes makes an ACGAN, structured_codes an InfoGAN")
    return bool(conditional or auxiliary_classes)


def generator_input_vector(generator_inputs, labelled, structured_codes):
    """The generator's inputs as `(noise, extra)`: the labels of a labelled generator, the concatenated
    codes of an InfoGAN one (see `check_family`), else None.

    >>> generator_input_vector((z, code, c), False, (10, 2))  # -> (z, [code, c] concatenated)
    """
    if not structured_codes:
        return split_generator_inputs(generator_inputs, labelled)
    expected = 3 if structured_codes[1] else 2
    if not isinstance(generator_inputs, (tuple, list)) or len(generator_inputs) != expected:
        raise ValueError(f"an InfoGAN network with structured_codes={tuple(structured_codes)} needs generator_inputs="
                         f"(noise, categorical_code{', continuous_code' if expected == 3 else ''}), "
                         f"got {type(generator_inputs).__name__}")
    codes = list(generator_inputs[1:])
    return generator_inputs[0], codes[0] if len(codes) == 1 else layers.Concatenate()(codes)


def family_outputs(features, logits, auxiliary_classes, structured_codes):
    """The discriminator's output for its family: `logits`; ACGAN's `(logits, class_logits)`; InfoGAN's
    `(logits, [categorical_logits, continuous_mean])` from a Q head sharing the body's `features`.

    >>> family_outputs(features, logits, 10, None)  # (logits, class_logits [batch, 10])
    """
    if auxiliary_classes:
        return logits, layers.Dense(auxiliary_classes, name="class_logits")(features)
    if structured_codes:
        categorical, continuous = structured_codes
        hidden = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(Q_HEAD_UNITS, name="q_hidden")(features))
        heads = [layers.Dense(categorical, name="q_categorical")(hidden)]
        if continuous:
            heads.append(layers.Dense(continuous, name="q_continuous")(hidden))
        return logits, heads
    return logits


def check_shape(data_shape, rank=None):
    """Returns `data_shape` as a tuple of positive ints, of length `rank` if given.

    >>> check_shape([28, 28, 1], rank=3)  # -> (28, 28, 1)
    """
    try:
        shape = tuple(int(d) for d in data_shape)
    except (TypeError, ValueError):
        shape = None
    expected = "(H, W, C) with positive sizes" if rank == 3 else "a tuple of positive sizes"
    if (
        not shape
        or any(d <= 0 for d in shape)
        or (rank is not None and len(shape) != rank)
        or shape != tuple(data_shape)
    ):
        raise ValueError(f"data_shape must be {expected}, got {data_shape!r}")
    return shape


@keras.saving.register_keras_serializable(package="gan")
class L2(keras.regularizers.L2):
    """`keras.regularizers.L2` (`l2 * sum(w**2)`), computed as `2 * l2 * tf.nn.l2_loss(w)`.

    The same value; its gradient is one multiply (`2 * l2 * w`), where Keras' square-and-sum
    also broadcasts the upstream gradient over the kernel and multiplies twice: on
    tfgan_mnist's 6.4M-weight kernels 1.8 ms against 4.3-6.1 ms per gradient (docs/benchmarks.md).

    >>> keras.layers.Dense(1024, kernel_regularizer=L2(2.5e-5))
    """

    def __call__(self, x):
        return 2.0 * self.l2 * tf.nn.l2_loss(tf.convert_to_tensor(x))


# Kernels at least this big are normalized in one XLA computation: unfused, the zero check,
# the power iteration's products, the division and the store each pass over the kernel, and
# on tfgan_mnist's 6.4M-weight dense kernel that was most of a training step (docs/benchmarks.md).
FUSED_NORMALIZATION_MIN_WEIGHTS = 1_000_000


@keras.saving.register_keras_serializable(package="gan")
class SpectralNormalization(keras.layers.SpectralNormalization):
    """`keras.layers.SpectralNormalization`, normalizing the float32 kernel, fused for big kernels.

    Same algorithm and weights as Keras' wrapper (one power iteration per training call,
    Miyato et al. 2018, arXiv:1802.05957; the normalized kernel is stored back, so
    gradients do not flow through the norm). Two differences: under a mixed-precision
    policy Keras' wrapper normalizes the bfloat16/float16 copy of the kernel and stores
    it back, rounding the float32 weights each call; this one computes in the variables'
    dtype (its own policy is the global policy's variable dtype; the wrapped layer still
    computes in its policy's dtype).
    And on one replica a kernel of `FUSED_NORMALIZATION_MIN_WEIGHTS` or more is
    normalized in one XLA-compiled call.

    >>> SpectralNormalization(keras.layers.Dense(1024))(keras.Input((6272,)))
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        kwargs.setdefault("dtype", keras.config.dtype_policy().variable_dtype)
        super().__init__(layer, power_iterations=power_iterations, **kwargs)
        self._fused = tf.function(self._normalize, jit_compile=True)

    def call(self, inputs, training=False):
        if training:
            fuse = (self.kernel.shape.num_elements() >= FUSED_NORMALIZATION_MIN_WEIGHTS
                    and tf.distribute.get_strategy().num_replicas_in_sync == 1)
            (self._fused if fuse else self._normalize)()
        return self.layer(inputs)

    def _normalize(self):
        kernel, vector_u = self.kernel.value, self.vector_u.value
        new_vector_u, new_kernel = self.normalized_weights()
        untouched = tf.reduce_all(tf.equal(kernel, 0))  # an all-zero kernel has no norm to divide by
        self.vector_u.assign(tf.where(untouched, vector_u, new_vector_u))
        self.kernel.assign(tf.where(untouched, kernel, new_kernel))


def spectrally_normalized(layer, spectral_norm):
    """Wraps `layer` in `gan.networks.core.SpectralNormalization` when asked to.

    The wrapper divides the kernel by its largest singular value (one power
    iteration per training call, Miyato et al. 2018, arXiv:1802.05957) and stores
    the result in the kernel, so gradients do not flow through the norm itself.

    >>> spectrally_normalized(keras.layers.Dense(1), True)  # SpectralNormalization
    """
    return SpectralNormalization(layer) if spectral_norm else layer
