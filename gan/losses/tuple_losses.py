"""TF-GAN's tuple-style losses: each takes a `GANModel`-family tuple and reads its fields.

`gan.losses.X(gan_model, **kwargs)` calls `gan.losses.wargs.X` with the arguments whose
names are fields of the model (`discriminator_gen_outputs`, `real_data`, ...); keyword
arguments set the rest (`weights`, `reduction`, `label_smoothing`, ...).

>>> model = gan.gan_model(generator_fn, discriminator_fn, real_data, noise)
>>> gan.losses.wasserstein_generator_loss(model)   # == wargs version on D(G(z))
"""
import functools
import inspect

from gan.losses import functions, penalties
from gan.namedtuples import CycleGANModel, GANLoss, StarGANModel


def from_model(argument_loss_fn):
    """The tuple-style version of an argument-style loss: fields of the model fill its arguments.

    The result keeps the name and has `argument_style` pointing back at `argument_loss_fn`.

    >>> my_loss = from_model(lambda discriminator_gen_outputs, weights=1.0: -weights * discriminator_gen_outputs)
    >>> my_loss(gan_model, weights=2.0)
    """
    parameters = inspect.signature(argument_loss_fn).parameters

    @functools.wraps(argument_loss_fn)
    def tuple_loss(gan_model, **kwargs):
        from_fields = {name: getattr(gan_model, name) for name in parameters
                       if name in gan_model._fields and name not in kwargs}
        missing = [name for name, p in parameters.items()
                   if p.default is p.empty and name not in from_fields and name not in kwargs]
        if missing:
            raise ValueError(f"{argument_loss_fn.__name__} needs {', '.join(missing)}, which "
                             f"{type(gan_model).__name__} has no field for; pass them as keyword arguments")
        return argument_loss_fn(**from_fields, **kwargs)

    tuple_loss.__doc__ = (f"Tuple-style `{argument_loss_fn.__name__}`: reads its arguments from a "
                          f"GANModel-family tuple.\n\n{argument_loss_fn.__doc__ or ''}")
    tuple_loss.argument_style = argument_loss_fn
    return tuple_loss


# Every argument-style loss gets its tuple-style twin of the same name, except the two defined
# below, which read more than one model's fields (CycleGAN) or take loss tensors.
_DEFINED_BELOW = ("cycle_consistency_loss", "combine_adversarial_loss")
for _module in (functions, penalties):
    for _name in _module.__all__:
        if _name not in _DEFINED_BELOW:
            globals()[_name] = from_model(getattr(_module, _name))
del _module, _name

__all__ = ["from_model", *functions.__all__, *penalties.__all__, "stargan_discriminator_loss_wrapper",
           "stargan_generator_loss_wrapper", "stargan_gradient_penalty_wrapper"]


def cycle_consistency_loss(cyclegan_model, scope=None, add_summaries=False):
    """Cycle-consistency loss of a `CycleGANModel`: L1 between each input and its reconstruction.

    >>> gan.losses.cycle_consistency_loss(gan.cyclegan_model(generator_fn, discriminator_fn, x, y))
    """
    if not isinstance(cyclegan_model, CycleGANModel):
        raise ValueError(f"cycle_consistency_loss takes a CycleGANModel; got {type(cyclegan_model).__name__}")
    return functions.cycle_consistency_loss(
        cyclegan_model.model_x2y.generator_inputs, cyclegan_model.reconstructed_x,
        cyclegan_model.model_y2x.generator_inputs, cyclegan_model.reconstructed_y)


def combine_adversarial_loss(gan_loss, gan_model, non_adversarial_loss, weight_factor=None,
                             gradient_ratio=None, gradient_ratio_epsilon=1e-6, scalar_summaries=True,
                             gradient_summaries=True, tape=None):
    """A `GANLoss` whose generator loss is `non_adversarial_loss + c * generator_loss`
    (see `gan.losses.wargs.combine_adversarial_loss`; `gradient_ratio` needs `tape=`).

    >>> loss = gan.losses.combine_adversarial_loss(loss, model, l1_loss, weight_factor=0.01)
    """
    combined = penalties.combine_adversarial_loss(
        non_adversarial_loss, gan_loss.generator_loss, weight_factor=weight_factor,
        gradient_ratio=gradient_ratio, gradient_ratio_epsilon=gradient_ratio_epsilon,
        variables=gan_model.generator_variables, tape=tape)
    return GANLoss(combined, gan_loss.discriminator_loss)


def _stargan_wrapper(loss_fn, read):
    @functools.wraps(loss_fn)
    def stargan_loss(stargan_model, **kwargs):
        if not isinstance(stargan_model, StarGANModel):
            raise ValueError(f"{loss_fn.__name__} takes a StarGANModel; got {type(stargan_model).__name__}")
        return loss_fn(*read(stargan_model), **kwargs)
    return stargan_loss


def stargan_generator_loss_wrapper(loss_fn):
    """`loss_fn(discriminator_gen_outputs, ...)` as a loss of a `StarGANModel` (its source
    predictions on generated data).

    >>> loss = gan.losses.stargan_generator_loss_wrapper(gan.losses.wargs.wasserstein_generator_loss)(model)
    """
    return _stargan_wrapper(loss_fn, lambda m: (m.discriminator_generated_data_source_predication,))


def stargan_discriminator_loss_wrapper(loss_fn):
    """`loss_fn(real_outputs, gen_outputs, ...)` as a loss of a `StarGANModel`.

    >>> loss = gan.losses.stargan_discriminator_loss_wrapper(
    ...     gan.losses.wargs.wasserstein_discriminator_loss)(model)
    """
    return _stargan_wrapper(loss_fn, lambda m: (m.discriminator_input_data_source_predication,
                                                m.discriminator_generated_data_source_predication))


def stargan_gradient_penalty_wrapper(loss_fn):
    """A gradient penalty `loss_fn(real_data, generated_data, generator_inputs, discriminator_fn,
    discriminator_scope, ...)` as a loss of a `StarGANModel` (the discriminator's second
    argument is the number of domains, as in TF-GAN).

    >>> gp = gan.losses.stargan_gradient_penalty_wrapper(gan.losses.wargs.wasserstein_gradient_penalty)(model)
    """
    return _stargan_wrapper(loss_fn, lambda m: (
        m.input_data, m.generated_data, m.input_data_domain_label.shape[-1], m.discriminator_fn,
        m.discriminator_scope))
