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
from gan.losses.tuple_losses import (
    acgan_discriminator_loss,
    acgan_generator_loss,
    combine_adversarial_loss,
    cycle_consistency_loss,
    from_model,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    modified_discriminator_loss,
    modified_generator_loss,
    mutual_information_penalty,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    stargan_discriminator_loss_wrapper,
    stargan_generator_loss_wrapper,
    stargan_gradient_penalty_wrapper,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
    wasserstein_gradient_penalty,
    wasserstein_hinge_discriminator_loss,
    wasserstein_hinge_generator_loss,
)
