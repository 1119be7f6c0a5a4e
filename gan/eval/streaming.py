"""TF-GAN's streaming metrics on TF2: each call folds one batch into a running total.

TF1 returned `(value, update_op)` and accumulated when the update op ran. Here the call
itself updates the total kept for that call site (so one metric function can stream
several metrics) and returns `(value_so_far, value_so_far)`; `reset_streaming_metrics()`
starts over (`GANEstimator.evaluate` does at its start, and reports each pair's last value).

>>> for real, fake in batches:
...     fid, _ = frechet_classifier_distance_from_activations_streaming(real, fake)
"""
import sys

from gan.eval.classifier_metrics import frechet_distance_from_statistics, run_classifier_fn
from gan.eval.running_statistics import RunningClassifierScore, RunningStatistics

_STATE = {}  # (metric, caller file, caller line) -> running statistics


def reset_streaming_metrics():
    """Forgets every streaming metric's running totals.

    >>> reset_streaming_metrics()
    """
    _STATE.clear()


def _state(metric, make):
    caller = sys._getframe(3)  # pylint: disable=protected-access  (who called the public metric)
    key = (metric, caller.f_code.co_filename, caller.f_lineno)
    if key not in _STATE:
        _STATE[key] = make()
    return _STATE[key]


def _score(logits, metric):
    running = _state(metric, RunningClassifierScore)
    running.update_state(logits)
    value = running.result()
    return value, value


def _distance(activations1, activations2, metric):
    first, second = _state(metric, lambda: (RunningStatistics(), RunningStatistics()))
    first.update_state(activations1)
    second.update_state(activations2)
    value = frechet_distance_from_statistics(first.mean, first.covariance, second.mean, second.covariance)
    return value, value


def classifier_score_from_logits_streaming(logits):
    """Streaming `classifier_score_from_logits` over the batches seen at this call site.

    >>> score, _ = classifier_score_from_logits_streaming(logits)
    """
    return _score(logits, "classifier_score")


def classifier_score_streaming(input_tensor, classifier_fn, num_batches=1):
    """Streaming `classifier_score` (`classifier_fn` gives logits).

    >>> score, _ = classifier_score_streaming(images, classifier)
    """
    return _score(run_classifier_fn(input_tensor, classifier_fn, num_batches), "classifier_score")


def frechet_classifier_distance_from_activations_streaming(activations1, activations2):
    """Streaming Frechet distance: means and covariances accumulated over the batches seen.

    >>> fid, _ = frechet_classifier_distance_from_activations_streaming(real_acts, fake_acts)
    """
    return _distance(activations1, activations2, "frechet_distance")


def frechet_classifier_distance_streaming(input_tensor1, input_tensor2, classifier_fn, num_batches=1):
    """Streaming `frechet_classifier_distance` (`classifier_fn` gives activations).

    >>> fid, _ = frechet_classifier_distance_streaming(real, fake, classifier)
    """
    return _distance(run_classifier_fn(input_tensor1, classifier_fn, num_batches),
                     run_classifier_fn(input_tensor2, classifier_fn, num_batches), "frechet_distance")
