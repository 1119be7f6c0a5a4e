"""What the discriminator's numbers mean under each kind of GAN loss.

A *probabilistic* loss (minimax, modified, least squares, relativistic) trains the
discriminator as a classifier of real vs generated data, so its accuracy on each is
meaningful and drifts to 50% (a coin flip) as the generator matches the data. A
*Wasserstein*-type loss (Wasserstein, hinge) trains a critic whose unbounded scores
estimate a distance: there the critic gap `mean D(x) - mean D(G(z))` is the signal, and
it shrinks towards 0 as the distributions meet.

Example:
    loss_family('modified')      # 'probabilistic'
    meaningful_signals('wasserstein')  # ('critic_gap',)
"""
import tensorflow as tf

from gan import losses as gan_losses
from gan.losses import functions as F

PROBABILISTIC = "probabilistic"
WASSERSTEIN = "wasserstein"
FAMILIES = (PROBABILISTIC, WASSERSTEIN)
ACCURACY_KEYS = ("discriminator_real_accuracy", "discriminator_generated_accuracy")
GAP_KEY = "critic_gap"

# The discriminator loss decides what its outputs mean, so it decides the family.
_FAMILY_OF_DISCRIMINATOR_LOSS = {
    F.wasserstein_discriminator_loss: WASSERSTEIN,
    F.wasserstein_hinge_discriminator_loss: WASSERSTEIN,
    F.minimax_discriminator_loss: PROBABILISTIC,
    F.modified_discriminator_loss: PROBABILISTIC,
    F.least_squares_discriminator_loss: PROBABILISTIC,
    F.relativistic_discriminator_loss: PROBABILISTIC,
}


def _discriminator_loss_fn(gan_loss):
    if not (callable(gan_loss) and not isinstance(gan_loss, gan_losses.LossPair)):
        gan_loss = gan_losses.get(gan_loss).discriminator_loss_fn
    return getattr(gan_loss, "argument_style", gan_loss)  # a tuple-style loss's twin


def loss_family(gan_loss, default=None):
    """'probabilistic' or 'wasserstein': how to read the discriminator's outputs under `gan_loss`.

    `gan_loss` is a registered name, a `gan.losses.LossPair` or a discriminator loss
    function. A custom loss whose function name contains 'wasserstein' or 'hinge' counts
    as Wasserstein-type; any other unknown loss gives `default`, or a ValueError when
    `default` is None.

    >>> loss_family('least_squares')
    'probabilistic'
    >>> loss_family(gan.losses.get('wasserstein_hinge'))
    'wasserstein'
    """
    if default is not None and default not in FAMILIES:
        raise ValueError(f"default must be one of {', '.join(FAMILIES)} or None; got {default!r}.")
    fn = _discriminator_loss_fn(gan_loss)
    if fn in _FAMILY_OF_DISCRIMINATOR_LOSS:
        return _FAMILY_OF_DISCRIMINATOR_LOSS[fn]
    name = getattr(fn, "__name__", "")
    if "wasserstein" in name or "hinge" in name:
        return WASSERSTEIN
    if default is not None:
        return default
    raise ValueError(f"cannot tell whether discriminator loss {name or fn!r} is probabilistic or Wasserstein-type; "
                     f"pass family= one of {', '.join(FAMILIES)}.")


def meaningful_signals(gan_loss, default=WASSERSTEIN):
    """The logged keys that measure how well the discriminator separates real from generated data.

    Discriminator accuracies for probabilistic losses, the critic gap for
    Wasserstein-type ones (a critic's sign is arbitrary, so its "accuracy" means nothing).

    >>> meaningful_signals('minimax')
    ('discriminator_real_accuracy', 'discriminator_generated_accuracy')
    """
    return ACCURACY_KEYS if loss_family(gan_loss, default) == PROBABILISTIC else (GAP_KEY,)


def discriminator_accuracies(discriminator_real_outputs, discriminator_gen_outputs, gan_loss):
    """(accuracy on real, accuracy on generated) as float32 tensors, with the decision rule of `gan_loss`.

    Logistic losses (minimax, modified) decide at logit 0; least squares at 0.5, halfway
    between its default labels 1 and 0; relativistic compares each output with the
    other side's mean (its discriminator only ranks real above generated). Other losses
    use logit 0. Works eagerly and inside `tf.function`.

    >>> discriminator_accuracies([0.9, 0.2], [0.1, 0.7], 'least_squares')  # (0.5, 0.5)
    """
    real = tf.reshape(tf.cast(discriminator_real_outputs, tf.float32), [-1])
    gen = tf.reshape(tf.cast(discriminator_gen_outputs, tf.float32), [-1])
    fn = _discriminator_loss_fn(gan_loss)
    if fn is F.relativistic_discriminator_loss:
        real_threshold, gen_threshold = tf.reduce_mean(gen), tf.reduce_mean(real)
    elif fn is F.least_squares_discriminator_loss:
        real_threshold = gen_threshold = tf.constant(0.5)
    else:
        real_threshold = gen_threshold = tf.constant(0.0)
    return (tf.reduce_mean(tf.cast(real > real_threshold, tf.float32)),
            tf.reduce_mean(tf.cast(gen < gen_threshold, tf.float32)))


def balanced_accuracy(logs):
    """Mean of the discriminator's accuracies on real and on generated data, from a log record (0.5 = coin flip).

    A discriminator that outputs the same value for everything scores exactly 0.5
    whatever its threshold, which is what makes this the coin-flip signal.

    >>> balanced_accuracy({'discriminator_real_accuracy': 1.0, 'discriminator_generated_accuracy': 0.0})
    0.5
    """
    missing = [k for k in ACCURACY_KEYS if k not in logs]
    if missing:
        raise ValueError(f"the training logs lack {', '.join(missing)}; accepted: logs of gan.GANEstimator.train.")
    return 0.5 * (float(logs[ACCURACY_KEYS[0]]) + float(logs[ACCURACY_KEYS[1]]))
