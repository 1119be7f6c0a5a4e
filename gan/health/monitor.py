"""`HealthMonitor`: the training hook that runs the health checks and tells the user what they find.

It keeps a window of recent logs, runs each check on every log record, reports each
event once (above the progress bar, and as a record in the run's JSON-lines log), and
with `stop_on_collapse` ends training when quality collapses after convergence.
`monitor_for(estimator, ...)` builds the usual set for a `gan.GANEstimator`.

Example:
    monitor = gan.health.monitor_for(est, quality=gan.health.eval_quality(eval_hook, 'fid'), stop_on_collapse=True)
    est.train(input_fn, max_steps=10_000, hooks=[monitor])   # may raise gan.health.TrainingCollapsed
"""
import collections
import sys
import time

import numpy as np
from gan.progress import tqdm

from gan import run_log
from gan.health.convergence import ConvergenceCheck
from gan.health.events import COLLAPSED
from gan.health.modes import ModeCollapseCheck
from gan.health.signals import WASSERSTEIN, loss_family
from gan.health.stall import StallCheck

EVENT_KEY = "health/event"
MESSAGE_KEY = "health/message"


class TrainingCollapsed(RuntimeError):
    """Training stopped because sample quality collapsed after convergence; the message names the best checkpoint."""

    def __init__(self, message, step):
        super().__init__(message)
        self.step = step


def print_event(event):
    """Writes an event's message to stderr above the progress bar (the default `report`)."""
    tqdm.write(f"gan health: {event.message}", file=sys.stderr)


class HealthMonitor:
    """A train hook `hook(step, logs)` running `checks` (callables `(step, logs) -> [HealthEvent]`).

    `history` holds the last `window` `(step, logs)` pairs and `events` every event so
    far. Each event goes to `report(event)` and, with `model_dir`, to its JSON-lines log
    as `{"step", "time", "health/event", "health/message"}`. With `stop_on_collapse`, a
    'collapsed' event raises `TrainingCollapsed`.

    >>> monitor = HealthMonitor([StallCheck('minimax')], model_dir=est.model_dir)
    >>> est.train(input_fn, max_steps=1000, hooks=[monitor])
    """

    def __init__(self, checks, model_dir=None, stop_on_collapse=False, report=print_event, window=20):
        self.checks = list(checks)
        self.model_dir, self.stop_on_collapse, self.report = model_dir, stop_on_collapse, report
        self.history = collections.deque(maxlen=window)
        self.events = []

    def __call__(self, step, logs):
        self.history.append((step, dict(logs)))
        for check in self.checks:
            for event in check(step, logs):
                self._emit(event)
                if event.kind == COLLAPSED and self.stop_on_collapse:
                    raise TrainingCollapsed(f"{event.message} Training stopped (stop_on_collapse).", step)

    def _emit(self, event):
        self.events.append(event)
        if self.report is not None:
            self.report(event)
        if self.model_dir:
            run_log.append_log(self.model_dir, {"step": event.step, "time": time.time(),
                                                  EVENT_KEY: event.kind, MESSAGE_KEY: event.message})


def monitor_for(estimator, quality=None, stop_on_collapse=False, histogram=None, what="classes",
                generator_inputs=None, every=500, report=print_event, **convergence_options):
    """The usual `HealthMonitor` for a `gan.GANEstimator`: convergence/collapse, the minimax stall hint, mode collapse.

    `quality` and `convergence_options` go to `ConvergenceCheck` (the loss family comes
    from `estimator.loss_pair`; an unknown custom loss is read by its critic gap). The
    mode-collapse alarm runs every `every` steps when `histogram` (see `histogram_for`)
    and `generator_inputs` (a fixed batch to sample from) are given.

    >>> histogram, what = gan.health.histogram_for('ring')
    >>> monitor = monitor_for(est, histogram=histogram, what=what, generator_inputs=noise_2500x16)
    """
    family = loss_family(estimator.loss_pair, default=WASSERSTEIN)
    checks = [ConvergenceCheck(family, quality, model_dir=estimator.model_dir, **convergence_options),
              StallCheck(estimator.loss_pair)]
    if histogram is not None:
        if generator_inputs is None:
            raise ValueError("the mode-collapse alarm needs generator_inputs to sample from; pass a fixed batch.")
        checks.append(ModeCollapseCheck(lambda: np.asarray(estimator.generate(generator_inputs)), histogram, what,
                                        every))
    return HealthMonitor(checks, model_dir=estimator.model_dir, stop_on_collapse=stop_on_collapse, report=report)
