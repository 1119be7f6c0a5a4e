"""GAN losses: TF-GAN's argument-style loss functions and a registry of named pairs.

>>> import gan.losses
>>> gan.losses.get(gan.losses.DEFAULT).generator_loss_fn.__name__
'wasserstein_generator_loss'
"""
from gan.losses import wargs
from gan.losses.functions import (
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    modified_discriminator_loss,
    modified_generator_loss,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
    wasserstein_hinge_discriminator_loss,
    wasserstein_hinge_generator_loss,
)
from gan.losses.penalties import (
    combine_adversarial_loss,
    mutual_information_penalty,
    wasserstein_gradient_penalty,
)
from gan.losses.reduction import Reduction, compute_weighted_loss
from gan.losses.registry import (
    DEFAULT,
    GANLoss,
    call_discriminator_loss,
    call_generator_loss,
    generator_loss_needs_real_outputs,
    get,
    is_zero_sum,
    names,
    register,
)
