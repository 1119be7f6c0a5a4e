"""TF-GAN's argument-style losses (`tfgan.losses.wargs.X`): each takes the tensors it needs.

`gan.losses.X` is the tuple style (takes a `GANModel`); `gan.losses.wargs.X` takes
`discriminator_real_outputs`, `discriminator_gen_outputs`, ... as in TF-GAN 2.1.0.

>>> from gan.losses import wargs
>>> float(wargs.wasserstein_generator_loss([1.0]))
-1.0
"""
from gan.losses.functions import (  # noqa: F401  (re-exported names)
    acgan_discriminator_loss,
    acgan_generator_loss,
    cycle_consistency_loss,
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
from gan.losses.penalties import (  # noqa: F401
    combine_adversarial_loss,
    mutual_information_penalty,
    wasserstein_gradient_penalty,
)
