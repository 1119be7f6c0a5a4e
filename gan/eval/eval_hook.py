"""Evaluation during training: metrics every N steps, logged, with the best checkpoint kept beside the newest.

`make_eval_hook` returns a `hook(step, logs)` for `GANEstimator.train(..., hooks=[hook])`.
Every `every` steps it runs `estimator.evaluate`, appends the results to the run's
JSON-lines log (keys prefixed `eval/`), writes them to TensorBoard under
`model_dir/eval`, and, when `best_metric` improved, saves a checkpoint to
`model_dir/best` with `best/best.json` naming step, metric and value. The best value
is read back on resume, so a restarted run only replaces a better checkpoint.
"""
import math
import os
import time

import tensorflow as tf

from gan import checks
from gan import run_log
from gan.eval import cache

BEST_DIR = "best"
BEST_FILE = "best.json"
EVAL_DIR = "eval"
LOWER_IS_BETTER = ("fid", "kid", "reverse_kl", "generator_loss", "discriminator_loss", "cycle_consistency_loss",
                   "reconstruction_loss")
HIGHER_IS_BETTER = ("class_preserved", "classifier_score", "conditional_accuracy", "coverage", "density",
                    "domain_accuracy", "high_quality", "modes", "precision", "recall")


def metric_direction(name):
    """'min' or 'max': which way `name` improves (a ValueError names the known metrics).

    Example:
        metric_direction('fid')  # 'min'
    """
    if name in LOWER_IS_BETTER:
        return "min"
    if name in HIGHER_IS_BETTER:
        return "max"
    accepted = ", ".join(sorted(LOWER_IS_BETTER + HIGHER_IS_BETTER))
    raise ValueError(f"unknown best_metric {name!r}; accepted: {accepted}.")


def read_best(model_dir):
    """The best-checkpoint record of a run (`{'step', 'metric', 'value', 'metrics', 'checkpoint'}`), or None.

    Example:
        read_best('runs/digits')  # {'step': 2000, 'metric': 'fid', 'value': 3.2, ...}
    """
    return cache.read_json(os.path.join(model_dir, BEST_DIR, BEST_FILE))


class EvalHook:
    """A training hook: evaluates every `every` steps and keeps the best checkpoint (see `make_eval_hook`)."""

    def __init__(self, estimator, eval_input_fn, every, best_metric=None, steps=None, model_dir=None):
        checks.positive_int("every", every)
        self.direction = metric_direction(best_metric) if best_metric else None
        self.estimator, self.eval_input_fn, self.every = estimator, eval_input_fn, every
        self.best_metric, self.steps = best_metric, steps
        self.model_dir = model_dir or estimator.model_dir
        best = read_best(self.model_dir)
        self.best_value = best["value"] if best and best.get("metric") == best_metric else None
        self._writer = None
        self._last_step = None

    def __call__(self, step, logs=None):
        """Evaluates when `step` reached a new multiple of `every`; returns the results or None.

        The results are also added to `logs` as `eval/<metric>`, so hooks after this one
        (the health monitor's convergence check) read them without evaluating again.
        """
        if self._last_step is None:
            self._last_step = (step - 1) // self.every * self.every  # Resumed runs start mid-interval.
        if step // self.every <= self._last_step // self.every:
            return None
        self._last_step = step
        results = self.estimator.evaluate(self.eval_input_fn, steps=self.steps)
        results.pop("global_step", None)
        logged = {f"eval/{k}": v for k, v in results.items()}
        if logs is not None:
            logs.update(logged)
        run_log.append_log(self.model_dir, {"step": step, "time": time.time(), **logged})
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.model_dir, EVAL_DIR))
        with self._writer.as_default(step=step):
            for name, value in results.items():
                tf.summary.scalar(name, value)
        self._writer.flush()
        if self.best_metric:
            self._keep_if_best(step, results)
        return results

    def _keep_if_best(self, step, results):
        if self.best_metric not in results:
            raise ValueError(f"best_metric {self.best_metric!r} is not among the evaluation results: "
                             f"{', '.join(sorted(results))}.")
        value = results[self.best_metric]
        if not math.isfinite(value):
            return
        improved = (self.best_value is None or (value < self.best_value if self.direction == "min"
                                                else value > self.best_value))
        if not improved:
            return
        directory = os.path.join(self.model_dir, BEST_DIR)
        path = self.estimator.save_checkpoint(directory)
        cache.write_json(os.path.join(directory, BEST_FILE), {
            "step": step, "metric": self.best_metric, "value": value, "metrics": results,
            "checkpoint": os.path.basename(path)})
        self.best_value = value


def make_eval_hook(estimator, metrics, eval_input_fn, every, best_metric=None, steps=None, model_dir=None):
    """A `hook(step, logs)` for `estimator.train(hooks=[...])` that evaluates `metrics` every `every` steps.

    Sets `estimator.eval_metrics = metrics` (unless None), then every `every` steps
    (checked when the estimator calls hooks, i.e. every `log_every_steps`: make
    `every` a multiple of it) runs `estimator.evaluate(eval_input_fn, steps)`, logs
    `eval/<metric>` to `model_dir`'s JSON-lines log and TensorBoard (`model_dir/eval`),
    and saves `model_dir/best` when `best_metric` improves (see `metric_direction`).

    Example:
        hook = make_eval_hook(est, metrics_for('digits'), eval_input_fn, every=500, best_metric='fid', steps=20)
        est.train(train_input_fn, max_steps=5000, hooks=[hook])
    """
    if metrics is not None:
        estimator.eval_metrics = metrics
    return EvalHook(estimator, eval_input_fn, every, best_metric, steps, model_dir)
