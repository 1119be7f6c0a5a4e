"""What a discriminator's outputs mean under its loss: the loss's family, and how its outputs decide.

A *probabilistic* loss (minimax, modified, least squares, relativistic) trains the
discriminator as a classifier of real vs generated data, so its accuracy on each is
meaningful and drifts to 50% (a coin flip) as the generator matches the data. A
*Wasserstein*-type loss (Wasserstein, hinge) trains a critic whose unbounded scores
estimate a distance: there the critic gap `mean D(x) - mean D(G(z))` is the signal.
A discriminator loss's family is declared where it is registered
(`gan.losses.register(..., family=...)`); this module keeps the declarations.

Example:
    declare_family(my_discriminator_loss, WASSERSTEIN)
    family_of(my_discriminator_loss)  # 'wasserstein'
"""
import tensorflow as tf

from gan.losses import functions

PROBABILISTIC = "probabilistic"
WASSERSTEIN = "wasserstein"
FAMILIES = (PROBABILISTIC, WASSERSTEIN)

_FAMILY_OF_DISCRIMINATOR_LOSS = {}


def argument_style(loss_fn):
    """The argument-style function behind a tuple-style loss (`gan.losses.X`), else `loss_fn` itself."""
    return getattr(loss_fn, "argument_style", loss_fn)


def declare_family(discriminator_loss_fn, family):
    """Records that `discriminator_loss_fn`'s outputs are read as `family` ('probabilistic' or 'wasserstein')."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}.")
    _FAMILY_OF_DISCRIMINATOR_LOSS[argument_style(discriminator_loss_fn)] = family


def family_of(discriminator_loss_fn, default=None):
    """The declared family of `discriminator_loss_fn`; `default` when it has none (ValueError when None).

    Example:
        family_of(functions.least_squares_discriminator_loss)  # 'probabilistic'
    """
    if default is not None and default not in FAMILIES:
        raise ValueError(f"default must be one of {', '.join(FAMILIES)} or None; got {default!r}.")
    family = _FAMILY_OF_DISCRIMINATOR_LOSS.get(argument_style(discriminator_loss_fn), default)
    if family is None:
        name = getattr(discriminator_loss_fn, "__name__", repr(discriminator_loss_fn))
        raise ValueError(f"cannot tell whether discriminator loss {name!r} is probabilistic or Wasserstein-type: "
                         f"register it with gan.losses.register(..., family=...) (pass family= one of "
                         f"{', '.join(FAMILIES)}), or give a default.")
    return family


def discriminator_accuracies(discriminator_real_outputs, discriminator_gen_outputs, discriminator_loss_fn=None):
    """(accuracy on real, accuracy on generated) as float32 tensors, with the decision rule of the loss.

    Logistic losses (minimax, modified) decide at logit 0; least squares at 0.5, halfway
    between its default labels 1 and 0; relativistic compares each output with the
    other side's mean (its discriminator only ranks real above generated). Other losses
    (and None) use logit 0. Works eagerly and inside `tf.function`.

    Example:
        discriminator_accuracies([0.9, 0.2], [0.1, 0.7], functions.least_squares_discriminator_loss)  # (0.5, 0.5)
    """
    real = tf.reshape(tf.cast(discriminator_real_outputs, tf.float32), [-1])
    gen = tf.reshape(tf.cast(discriminator_gen_outputs, tf.float32), [-1])
    fn = argument_style(discriminator_loss_fn)
    if fn is functions.relativistic_discriminator_loss:
        real_threshold, gen_threshold = tf.reduce_mean(gen), tf.reduce_mean(real)
    elif fn is functions.least_squares_discriminator_loss:
        real_threshold = gen_threshold = tf.constant(0.5)
    else:
        real_threshold = gen_threshold = tf.constant(0.0)
    return (tf.reduce_mean(tf.cast(real > real_threshold, tf.float32)),
            tf.reduce_mean(tf.cast(gen < gen_threshold, tf.float32)))
