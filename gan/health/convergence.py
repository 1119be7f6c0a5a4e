"""Convergence and collapse: the discriminator drifts to a coin flip while sample quality stops improving.

As the generator's distribution approaches the data's, the best discriminator can do
is guess: its accuracy drifts to 50% (probabilistic losses), or the critic gap
`mean D(x) - mean D(G(z))`, a distance estimate, shrinks towards 0 (Wasserstein-type
losses). Training past that point feeds the generator noisy feedback, and its quality
can collapse. `ConvergenceCheck` watches both the discriminator and a quality metric
(e.g. FID from periodic evaluation): it reports *converged* once, then *collapsed* if
quality later degrades, pointing to the best checkpoint.

Example:
    check = ConvergenceCheck('probabilistic', quality=eval_quality(eval_hook, 'fid'), model_dir=est.model_dir)
    events = check(step, logs)   # [] or [HealthEvent(step, 'converged', ...)]
"""
import collections
import math
import os

from gan import checks
from gan.eval import metric_direction, read_best
from gan.eval.eval_hook import BEST_DIR
from gan.health.events import COLLAPSED, CONVERGED, HealthEvent
from gan.health.signals import FAMILIES, GAP_KEY, PROBABILISTIC, balanced_accuracy


class EvalQuality:
    """A quality source that runs a `gan.eval.EvalHook` and reads one of its metrics (see `eval_quality`)."""

    def __init__(self, eval_hook, metric):
        self.eval_hook, self.metric, self.direction = eval_hook, metric, metric_direction(metric)

    def __call__(self, step, logs):
        results = self.eval_hook(step, logs)
        if results is None:
            return None
        if self.metric not in results:
            raise ValueError(f"quality metric {self.metric!r} is not among the evaluation results: "
                             f"{', '.join(sorted(results))}.")
        return results[self.metric]


def eval_quality(eval_hook, metric):
    """A `quality(step, logs)` for `ConvergenceCheck`: runs `eval_hook`, returns `metric` (None between evaluations).

    The check then owns the evaluation: pass it instead of listing `eval_hook` among the
    train hooks. Its direction ('min' for fid) comes from `gan.eval.metric_direction`.

    >>> hook = gan.eval.make_eval_hook(est, metrics, eval_input_fn, every=500, best_metric='fid')
    >>> quality = eval_quality(hook, 'fid')
    """
    return EvalQuality(eval_hook, metric)


def best_checkpoint_note(model_dir, metric):
    """One sentence saying where the best checkpoint is, or how to keep one.

    >>> best_checkpoint_note('runs/x', 'fid')  # 'The best checkpoint is in runs/x/best (step 1500, fid=3.2): ...'
    """
    if not model_dir:
        return f"No best checkpoint was kept: evaluate with best_metric='{metric}' (gan.eval.make_eval_hook)."
    directory = os.path.join(model_dir, BEST_DIR)
    best = read_best(model_dir)
    if best is None:
        return (f"No best checkpoint was kept: evaluate with best_metric='{metric}' (gan.eval.make_eval_hook) "
                f"to keep one in {directory}.")
    return (f"The best checkpoint is in {directory} (step {best['step']}, {best['metric']}={best['value']:.4g}): "
            f"restore it with estimator.restore_checkpoint('{directory}').")


class ConvergenceCheck:
    """Reports convergence once (discriminator at coin flip, quality on a plateau), then collapse if quality degrades.

    - Coin flip: over the last `window` logs, the mean balanced accuracy is within
      `accuracy_band` of 50% (`family='probabilistic'`), or the mean |critic gap| is below
      `gap_fraction` of its largest value so far (`'wasserstein'`).
    - Plateau: `quality` (a key of the logs, also read as `eval/<key>`, or a callable
      `quality(step, logs) -> float or None`) has not improved on its best by more than
      `min_improvement` (relative) in the last `patience` readings. Without `quality`,
      the coin flip alone is reported.
    - Collapse (after convergence): `collapse_patience` readings in a row worse than the
      best by more than `collapse_tolerance` (relative).
    `direction` ('min' or 'max') defaults to `gan.eval.metric_direction` of the metric.
    Calling the check with `(step, logs)` returns a list of `HealthEvent`s.

    >>> check = ConvergenceCheck('wasserstein', quality='fid', window=3)
    >>> [check(s, {'critic_gap': g, 'fid': 5.0}) for s, g in ((1, 2.0), (2, 0.1), (3, 0.1), (4, 0.1))][-1]
    [HealthEvent(step=4, kind='converged', message='Step 4: converged: ...')]
    """

    def __init__(self, family, quality=None, direction=None, window=5, accuracy_band=0.1, gap_fraction=0.1,
                 patience=3, min_improvement=0.01, collapse_tolerance=0.25, collapse_patience=2, model_dir=None):
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}.")
        for name, value in (("window", window), ("patience", patience), ("collapse_patience", collapse_patience)):
            checks.positive_int(name, value)
        self.metric = quality if isinstance(quality, str) else getattr(quality, "metric", "quality")
        if quality is not None and direction is None:
            direction = getattr(quality, "direction", None) or metric_direction(self.metric)
        if quality is not None and direction not in ("min", "max"):
            raise ValueError(f"direction must be 'min' or 'max'; got {direction!r}.")
        self.family, self.quality, self.direction = family, quality, direction
        self.window, self.accuracy_band, self.gap_fraction = window, accuracy_band, gap_fraction
        self.patience, self.min_improvement = patience, min_improvement
        self.collapse_tolerance, self.collapse_patience = collapse_tolerance, collapse_patience
        self.model_dir = model_dir
        self.separation = collections.deque(maxlen=window)
        self.peak_gap = 0.0
        self.best = self.best_step = None
        self.readings_since_best = 0
        self.converged_step = self.collapsed_step = None
        self._worse_in_a_row = 0

    def _read_quality(self, step, logs):
        if self.quality is None:
            return None
        if callable(self.quality):
            value = self.quality(step, logs)
        else:
            value = logs.get(self.quality, logs.get(f"eval/{self.quality}"))
        return None if value is None or not math.isfinite(float(value)) else float(value)

    def _better(self, value, than, margin):
        if self.direction == "min":
            return value < than - margin
        return value > than + margin

    def _update_quality(self, step, value):
        if self.best is None or self._better(value, self.best, self.min_improvement * abs(self.best)):
            self.best, self.best_step, self.readings_since_best = value, step, 0
        else:
            self.readings_since_best += 1
            if self._better(value, self.best, 0.0):  # A small gain: remember the value, keep the plateau count.
                self.best, self.best_step = value, step

    def _at_coin_flip(self):
        if len(self.separation) < self.window:
            return False, None
        mean = sum(self.separation) / len(self.separation)
        if self.family == PROBABILISTIC:
            return abs(mean - 0.5) <= self.accuracy_band, mean
        return self.peak_gap > 0 and mean <= self.gap_fraction * self.peak_gap, mean

    def _coin_flip_phrase(self, mean):
        if self.family == PROBABILISTIC:
            return (f"the discriminator is at coin-flip accuracy ({mean:.0%} over the last {self.window} logs, "
                    f"within 50% +/- {self.accuracy_band:.0%}), so it can no longer tell generated from real data")
        return (f"the critic gap mean D(x) - mean D(G(z)) is near 0 (|gap| {mean:.3g} over the last {self.window} "
                f"logs, under {self.gap_fraction:.0%} of its peak {self.peak_gap:.3g}), so the critic's distance "
                "estimate says the generated and real distributions meet")

    def __call__(self, step, logs):
        if self.family == PROBABILISTIC:
            self.separation.append(balanced_accuracy(logs))
        else:
            if GAP_KEY not in logs:
                raise ValueError(f"the training logs lack {GAP_KEY}; accepted: logs of gan.GANEstimator.train.")
            gap = abs(float(logs[GAP_KEY]))
            self.peak_gap = max(self.peak_gap, gap)
            self.separation.append(gap)
        value = self._read_quality(step, logs)
        if value is not None:
            self._update_quality(step, value)
        if self.converged_step is None:
            return self._check_converged(step)
        if value is not None and self.collapsed_step is None:
            return self._check_collapsed(step, value)
        return []

    def _check_converged(self, step):
        at_coin_flip, mean = self._at_coin_flip()
        if not at_coin_flip:
            return []
        # Coin-flip alone is no verdict: an early critic gap near 0 is common while samples still improve.
        if self.quality is None or self.best is None or self.readings_since_best < self.patience:
            return []
        quality = (f"{self.metric} stopped improving (best {self.best:.4g} at step {self.best_step}, no gain of "
                   f"{self.min_improvement:.0%} in the last {self.patience} evaluations)")
        self.converged_step = step
        return [HealthEvent(step, CONVERGED, (
            f"Step {step}: converged: {self._coin_flip_phrase(mean)}, and {quality}. Training on feeds the "
            "generator noisy feedback and can degrade it: stop here or keep the best checkpoint."))]

    def _check_collapsed(self, step, value):
        margin = self.collapse_tolerance * abs(self.best)
        worse = self._better(self.best, value, margin)
        self._worse_in_a_row = self._worse_in_a_row + 1 if worse else 0
        if self._worse_in_a_row < self.collapse_patience:
            return []
        self.collapsed_step = step
        change = abs(value - self.best) / abs(self.best) if self.best else math.inf
        return [HealthEvent(step, COLLAPSED, (
            f"Step {step}: quality collapsed after convergence (step {self.converged_step}): {self.metric} is "
            f"{value:.4g}, {change:.0%} worse than the best {self.best:.4g} (step {self.best_step}) in "
            f"{self._worse_in_a_row} evaluations in a row. {best_checkpoint_note(self.model_dir, self.metric)}"))]
