"""GAN losses in TF-GAN's layout, and a registry of named loss pairs.

`gan.losses.X(gan_model, ...)` is TF-GAN's tuple style (reads a `GANModel`);
`gan.losses.wargs.X(...)` the argument style. The registry names pairs of
argument-style functions (`LossPair`), default `'wasserstein'`.

>>> import gan.losses
>>> gan.losses.get(gan.losses.DEFAULT).generator_loss_fn.__name__
'wasserstein_generator_loss'
"""
from gan.losses import wargs
from gan.losses.penalties import Categorical, Normal
from gan.losses.reduction import Reduction, compute_weighted_loss
from gan.losses.registry import (
    DEFAULT,
    LossPair,
    call_discriminator_loss,
    call_generator_loss,
    generator_loss_needs_real_outputs,
    get,
    is_zero_sum,
    loss_family,
    names,
    register,
)
from gan.losses.tuple_losses import *  # noqa: F401,F403  (every TF-GAN loss, tuple style: tuple_losses.__all__)
