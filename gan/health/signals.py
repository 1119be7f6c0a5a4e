"""Which logged numbers measure the discriminator under each kind of GAN loss.

Each registered loss declares its family (`gan.losses.register(..., family=...)`, see
`gan.losses.decisions`): under a *probabilistic* loss the discriminator's accuracies on
real and generated data drift to 50% as the generator matches the data; under a
*Wasserstein*-type loss the critic gap `mean D(x) - mean D(G(z))` shrinks towards 0.
The trainer logs both; the health checks read the one that fits.

Example:
    loss_family('modified')      # 'probabilistic'
    meaningful_signals('wasserstein')  # ('critic_gap',)
"""
from gan.losses import decisions
from gan.losses.decisions import FAMILIES, PROBABILISTIC, WASSERSTEIN  # noqa: F401  (gan.health's names)
from gan.losses.registry import discriminator_loss_of, loss_family  # noqa: F401  (loss_family: gan.health's name)

ACCURACY_KEYS = ("discriminator_real_accuracy", "discriminator_generated_accuracy")
GAP_KEY = "critic_gap"


def meaningful_signals(gan_loss, default=WASSERSTEIN):
    """The logged keys that measure how well the discriminator separates real from generated data.

    Discriminator accuracies for probabilistic losses, the critic gap for
    Wasserstein-type ones (a critic's sign is arbitrary, so its "accuracy" means nothing).

    >>> meaningful_signals('minimax')
    ('discriminator_real_accuracy', 'discriminator_generated_accuracy')
    """
    return ACCURACY_KEYS if loss_family(gan_loss, default) == PROBABILISTIC else (GAP_KEY,)


def discriminator_accuracies(discriminator_real_outputs, discriminator_gen_outputs, gan_loss):
    """(accuracy on real, accuracy on generated) with the decision rule of `gan_loss` (a name, a
    `gan.losses.LossPair` or a discriminator loss): `gan.losses.decisions.discriminator_accuracies`.

    >>> discriminator_accuracies([0.9, 0.2], [0.1, 0.7], 'least_squares')  # (0.5, 0.5)
    """
    return decisions.discriminator_accuracies(discriminator_real_outputs, discriminator_gen_outputs,
                                              discriminator_loss_of(gan_loss))


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
