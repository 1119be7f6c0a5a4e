"""`gan.health`: training-health signals from GAN theory, as functions and `train` hooks.

- `loss_family`, `meaningful_signals`, `discriminator_accuracies`: which numbers measure
  the discriminator under a loss (accuracy for probabilistic losses, the critic gap
  for Wasserstein-type ones).
- `preflight`: can a discriminator tell real data from the untrained generator's output?
  If not, training cannot start (`PreflightError`).
- `HealthMonitor` / `monitor_for`: a hook running `ConvergenceCheck` (coin flip +
  quality plateau -> converged; later degradation -> collapsed, `TrainingCollapsed`
  with `stop_on_collapse`), `StallCheck` (saturated minimax loss -> try the modified
  loss) and `ModeCollapseCheck` (few classes or modes covered).

Example:
    gan.health.preflight(est, input_fn)
    est.train(input_fn, max_steps=5000, hooks=[gan.health.monitor_for(est)])
"""
from gan.health.convergence import ConvergenceCheck, EvalQuality, best_checkpoint_note, eval_quality
from gan.health.events import COLLAPSED, CONVERGED, KINDS, MODE_COLLAPSE, STALL, HealthEvent
from gan.health.modes import (
    Coverage,
    ModeCollapseCheck,
    class_histogram,
    classifier_histogram,
    coverage,
    histogram_for,
    mixture_histogram,
    mode_collapse_message,
)
from gan.health.monitor import HealthMonitor, TrainingCollapsed, monitor_for, print_event
from gan.health.startup import PreflightError, PreflightResult, preflight
from gan.health.signals import (
    ACCURACY_KEYS,
    FAMILIES,
    GAP_KEY,
    PROBABILISTIC,
    WASSERSTEIN,
    balanced_accuracy,
    discriminator_accuracies,
    loss_family,
    meaningful_signals,
)
from gan.health.stall import StallCheck, minimax_gradient_factor, uses_minimax_generator_loss

__all__ = [
    "ACCURACY_KEYS", "COLLAPSED", "CONVERGED", "FAMILIES", "GAP_KEY", "KINDS", "MODE_COLLAPSE", "PROBABILISTIC", "STALL", "WASSERSTEIN",
    "ConvergenceCheck", "Coverage", "EvalQuality", "HealthEvent", "HealthMonitor", "ModeCollapseCheck",
    "PreflightError", "PreflightResult", "StallCheck", "TrainingCollapsed", "balanced_accuracy",
    "best_checkpoint_note", "class_histogram", "classifier_histogram", "coverage", "discriminator_accuracies",
    "eval_quality", "histogram_for", "loss_family", "meaningful_signals", "minimax_gradient_factor",
    "mixture_histogram", "mode_collapse_message", "monitor_for", "preflight", "print_event",
    "uses_minimax_generator_loss",
]
