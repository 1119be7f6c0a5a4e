"""Reference generator/discriminator pairs, as TF-GAN-style functions for
`gan.GANEstimator`.

Each factory returns a `NetworkPair(generator_fn, discriminator_fn)`:
`generator_fn(generator_inputs)` returns generated data and
`discriminator_fn(data, generator_inputs)` returns unbounded logits `[batch, 1]`.
`generator_inputs` is a noise tensor `[batch, noise_dims]`, or
`(noise, one_hot_labels)` for pairs built with `conditional=True`. `translator` builds the
image-to-image pairs of CycleGAN and StarGAN instead (`gan.networks.translation`). Both functions
take Keras symbolic inputs and use only Keras layers; batch norm follows Keras'
`training` flag at call time.

>>> pair = gan.networks.get('dcgan', (32, 32, 3), base_filters=16)
>>> x, z = keras.Input((32, 32, 3)), keras.Input((64,))
>>> discriminator = keras.Model([x, z], pair.discriminator_fn(x, z))
"""
from gan.networks.core import NetworkPair
from gan.networks.dcgan import dcgan, upsampling_plan
from gan.networks.mlp import mlp
from gan.networks.tfgan_mnist import BatchStatsNormalization, tfgan_mnist
from gan.networks.translation import translator

_FACTORIES = {"dcgan": dcgan, "mlp": mlp, "tfgan_mnist": tfgan_mnist, "translator": translator}


def names():
    """Names accepted by `get`, sorted.

    >>> gan.networks.names()
    ['dcgan', 'mlp', 'tfgan_mnist', 'translator']
    """
    return sorted(_FACTORIES)


def get(name, data_shape, **options):
    """Builds the named pair for `data_shape`; `options` go to its factory.

    >>> gan.networks.get('mlp', (2,), hidden_units=(64, 64))
    """
    if name not in _FACTORIES:
        raise ValueError(f"unknown network {name!r}; accepted: {', '.join(names())}")
    return _FACTORIES[name](data_shape, **options)


__all__ = [
    "BatchStatsNormalization",
    "NetworkPair",
    "dcgan",
    "get",
    "mlp",
    "names",
    "tfgan_mnist",
    "translator",
    "upsampling_plan",
]
