"""TF-GAN's argument-style losses (`tfgan.losses.wargs.X`): each takes the tensors it needs.

`gan.losses.X` is the tuple style (takes a `GANModel`); `gan.losses.wargs.X` takes
`discriminator_real_outputs`, `discriminator_gen_outputs`, ... as in TF-GAN 2.1.0.

>>> from gan.losses import wargs
>>> float(wargs.wasserstein_generator_loss([1.0]))
-1.0
"""
from gan.losses import functions, penalties
from gan.losses.functions import *  # noqa: F401,F403  (functions.__all__)
from gan.losses.penalties import *  # noqa: F401,F403  (penalties.__all__)

__all__ = [*functions.__all__, *penalties.__all__]
