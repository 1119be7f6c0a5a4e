"""Stall hint: the minimax generator loss saturates when the discriminator wins easily.

The original (minimax) generator minimises `log(1 - sigmoid(l))` with `l = D(G(z))`,
whose gradient w.r.t. the logit is `-sigmoid(l)`: when the discriminator confidently
rejects generated samples (`l` very negative) the gradient vanishes and the generator
stops learning. The modified (non-saturating) loss `-log sigmoid(l)` has gradient
`-sigmoid(-l)`, close to -1 in the same place (Goodfellow et al. 2014, section 3).
`StallCheck` spots the saturated state in the training logs and suggests the fix once.

Example:
    check = StallCheck('minimax')
    check(step, logs)  # [HealthEvent(step, 'stall', '... try --loss=modified')] once, when it happens
"""
import collections
import math

from gan import checks
from gan import losses as gan_losses
from gan.health.events import STALL, HealthEvent

GENERATED_ACCURACY = "discriminator_generated_accuracy"
GENERATED_SCORE = "generated_score"
GRADIENT_NORM = "generator_gradient_norm"


def minimax_gradient_factor(generated_logit):
    """How much smaller the minimax generator gradient is than the modified loss's at logit `l = D(G(z))`.

    The ratio of the two gradients w.r.t. the logit is sigmoid(l) / sigmoid(-l) = exp(l).

    >>> f'{minimax_gradient_factor(-10.0):.1e}'
    '4.5e-05'
    """
    return math.exp(min(float(generated_logit), 50.0))


def uses_minimax_generator_loss(gan_loss):
    """Whether the generator loss of `gan_loss` (a name, `LossPair` or function) is the saturating minimax one.

    >>> uses_minimax_generator_loss('minimax'), uses_minimax_generator_loss('modified')
    (True, False)
    """
    fn = gan_loss if callable(gan_loss) and not isinstance(gan_loss, gan_losses.LossPair) \
        else gan_losses.get(gan_loss).generator_loss_fn
    return getattr(fn, "argument_style", fn) is gan_losses.wargs.minimax_generator_loss


class StallCheck:
    """Reports once when the minimax generator loss saturates because the discriminator wins easily.

    Fires when, for `patience` logs in a row, the discriminator rejects at least
    `accuracy` of the generated samples and the generator's gradient is crushed:
    its norm is below `saturation` times the largest norm logged so far, or the
    minimax/modified gradient ratio `exp(mean D(G(z)))` is below `saturation`. Inert
    for any other generator loss. Calling it with `(step, logs)` returns a list of
    `HealthEvent`s.

    >>> StallCheck('minimax')(100, {'discriminator_generated_accuracy': 1.0, 'generated_score': -10.0,
    ...                             'generator_gradient_norm': 1e-6})  # patience 2: nothing yet
    []
    """

    def __init__(self, gan_loss, accuracy=0.95, saturation=0.01, patience=2, suggestion="loss='modified'"):
        checks.positive_int("patience", patience)
        self.active = uses_minimax_generator_loss(gan_loss)
        self.accuracy, self.saturation, self.patience = accuracy, saturation, patience
        self.suggestion = suggestion
        self.peak_norm = 0.0
        self.recent = collections.deque(maxlen=patience)
        self.fired_step = None

    def _saturated(self, logs):
        rejected = float(logs.get(GENERATED_ACCURACY, 0.0))
        norm = float(logs.get(GRADIENT_NORM, math.inf))
        self.peak_norm = max(self.peak_norm, norm) if math.isfinite(norm) else self.peak_norm
        factor = minimax_gradient_factor(logs[GENERATED_SCORE]) if GENERATED_SCORE in logs else math.inf
        crushed = factor < self.saturation or (self.peak_norm > 0 and norm < self.saturation * self.peak_norm)
        return rejected >= self.accuracy and crushed, rejected, norm, factor

    def __call__(self, step, logs):
        if not self.active or self.fired_step is not None:
            return []
        saturated, rejected, norm, factor = self._saturated(logs)
        self.recent.append(saturated)
        if len(self.recent) < self.patience or not all(self.recent):
            return []
        self.fired_step = step
        details = [f"generator gradient norm {norm:.2g}, peak {self.peak_norm:.2g}"]
        if math.isfinite(factor):
            details.append(f"mean D(G(z)) = {float(logs[GENERATED_SCORE]):.3g} scales the minimax gradient by "
                           f"{factor:.1e} of the modified loss's")
        return [HealthEvent(step, STALL, (
            f"Step {step}: training stalls: the discriminator wins easily (it rejects {rejected:.0%} of generated "
            f"samples) and the minimax generator loss log(1 - D(G(z))) saturates, so the generator gets almost no "
            f"gradient ({'; '.join(details)}); try {self.suggestion}, the non-saturating loss -log D(G(z)), "
            "whose gradient stays large exactly when the discriminator is confident."))]
