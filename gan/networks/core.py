"""What every reference network shares: the pair type and argument checks."""
from typing import Callable, NamedTuple

import keras


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


def spectrally_normalized(layer, spectral_norm):
    """Wraps `layer` in `keras.layers.SpectralNormalization` when asked to.

    Keras' wrapper divides the kernel by its largest singular value (one power
    iteration per training call, Miyato et al. 2018, arXiv:1802.05957) and stores
    the result in the kernel, so gradients do not flow through the norm itself.

    >>> spectrally_normalized(keras.layers.Dense(1), True)  # SpectralNormalization
    """
    return keras.layers.SpectralNormalization(layer) if spectral_norm else layer
