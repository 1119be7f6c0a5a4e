"""Start-up check: can the discriminator tell real data from the untrained generator's output?

The generator learns only through the discriminator's gradient. If a discriminator
cannot separate real data from what the *untrained* generator makes, that gradient
carries no information and GAN training cannot start. `preflight` trains a throwaway
copy of the discriminator (same architecture, fresh weights, its own Adam) for up to
100 steps on real batches vs the untrained generator's output, with the trainer's own
discriminator update (`gan.train.GANTrainer`) and the logistic (`modified`) loss,
measuring its accuracy every 20 steps on batches it did not train on; it passes at the
first measurement that clears the bar. The real networks are not touched. It takes seconds.

Example:
    result = gan.health.preflight(estimator, input_fn)   # raises PreflightError when hopeless
    result.accuracy  # e.g. 0.99
"""
import itertools
import time
import warnings
from typing import NamedTuple

import keras
import tensorflow as tf

from gan import checks
from gan import losses as gan_losses
from gan.loss_stage import LossConfig
from gan.models import adversarial_output
from gan.train import GANTrainer

DEFAULT_STEPS = 100
DEFAULT_EVAL_BATCHES = 4
DEFAULT_LEARNING_RATE = 3e-3  # Adam: fast enough to separate clearly different data in ~100 steps.
MIN_ACCURACY = 0.75
CHECKS = 5  # held-out measurements during the check: it stops at the first that passes


class PreflightError(ValueError):
    """The start-up check failed: the discriminator cannot tell real from generated data, so training cannot start."""


class PreflightResult(NamedTuple):
    """Outcome of `preflight`: held-out accuracies of the throwaway discriminator (0.5 = coin flip).

    >>> PreflightResult(0.99, 1.0, 0.98, True, 100, 1.2, 'Start-up check passed: ...').passed
    True
    """
    accuracy: float
    real_accuracy: float
    generated_accuracy: float
    passed: bool
    steps: int
    seconds: float
    message: str


def _copy(discriminator):
    try:
        return keras.models.clone_model(discriminator)
    except (ValueError, TypeError, NotImplementedError) as error:
        raise ValueError(f"the start-up check cannot copy the discriminator ({type(error).__name__}: "
                         f"{str(error).splitlines()[0][:200] if str(error) else ''}); build it from layers "
                         "(functional Keras) or skip the check (preflight=False).") from None


def _failure_message(accuracy, real_accuracy, generated_accuracy, steps, min_accuracy):
    return (f"Start-up check failed: after {steps} training steps a fresh copy of the discriminator tells real data "
            f"from the untrained generator's output only {accuracy:.0%} of the time on held-out batches (real "
            f"{real_accuracy:.0%}, generated {generated_accuracy:.0%}; a coin flip scores 50%, the check needs "
            f"{min_accuracy:.0%}). GAN training cannot start: the generator learns only from the discriminator's "
            "gradient, and a discriminator that cannot tell real from generated gives it no useful direction. "
            "What to change: make sure the discriminator actually uses its data input and has enough capacity "
            "(layers, units), try another discriminator learning rate, scale real data to [-1, 1] like the "
            "generator's output, and check the data pipeline (real batches that are constant, empty or noise); "
            "if the generator is already trained, skip this check (preflight=False).")


def preflight(estimator_or_networks, input_fn, steps=DEFAULT_STEPS, eval_batches=DEFAULT_EVAL_BATCHES,
              learning_rate=DEFAULT_LEARNING_RATE, min_accuracy=MIN_ACCURACY, raise_on_failure=True):
    """Trains a throwaway discriminator copy against the untrained generator; returns a `PreflightResult`.

    `estimator_or_networks` is a `gan.GANEstimator` or its `gan.models.GANNetworks` (built here from
    `input_fn`'s generator inputs when they are not built yet). `input_fn()` returns
    `(generator_inputs, real_data)` batches, as for `train`: up to `steps` of them train the
    copy; after each fifth of them, the next `eval_batches` measure its balanced accuracy
    (mean of the accuracies on real and on generated data) and the check passes as soon as
    it reaches `min_accuracy` (`steps` in the result: the updates it took). Still below it after
    all `steps`, the check fails: a
    `PreflightError` with a one-line explanation, or with `raise_on_failure=False` a
    result whose `passed` is False and whose `message` explains.

    >>> preflight(estimator, gan.data.gan_input_fn('ring', 256, noise_dims=16)).passed
    True
    """
    checks.positive_int("steps", steps)
    checks.positive_int("eval_batches", eval_batches)
    if not 0.5 <= min_accuracy <= 1.0:
        raise ValueError(f"min_accuracy must be in [0.5, 1]; got {min_accuracy!r}.")
    networks = getattr(estimator_or_networks, "networks", estimator_or_networks)
    began = time.time()
    dataset = input_fn()
    if not networks.built:
        networks.build(dataset.element_spec[0])
    # The real discriminator update (gan.train), on a copy, with the logistic loss of a classifier;
    # the generator stays in inference mode, so its batch-norm statistics are not touched.
    # The library's loss: its update is traced without AutoGraph (gan.loss_stage.only_library_code).
    throwaway = networks.with_discriminator(_copy(networks.discriminator))
    trainer = GANTrainer(throwaway, LossConfig(*gan_losses.get("modified")), keras.optimizers.Adam(),
                         keras.optimizers.Adam(learning_rate), rng=tf.random.Generator.from_seed(0),
                         generator_training=False)

    def logits(data, generator_inputs):
        return tf.reshape(tf.cast(adversarial_output(
            throwaway.discriminate(data, generator_inputs, training=True)), tf.float32), [-1])

    def generate(generator_inputs):
        return throwaway.generate(generator_inputs, training=False)

    def hits(scores):
        # A tie at 0 is half right: a discriminator that outputs 0 for everything scores a coin flip.
        return tf.reduce_mean(tf.cast(scores > 0, tf.float32) + 0.5 * tf.cast(scores == 0, tf.float32))

    @tf.function(autograph=False)  # Straight-line code: skipping autograph saves seconds of tracing.
    def accuracies(generator_inputs, real):
        return hits(logits(real, generator_inputs)), hits(-logits(generate(generator_inputs), generator_inputs))

    def held_out(batches):
        """(real, generated) accuracy on the next `eval_batches` batches, none of them trained on."""
        hit_pairs = [accuracies(*next(batches)) for _ in range(eval_batches)]
        return tuple(sum(float(pair[i]) for pair in hit_pairs) / eval_batches for i in (0, 1))

    # Up to `steps` updates; the copy is measured every `check_every` of them and passes as soon as it
    # separates the data (a clearly separable pair needs a fraction of them); failing takes all `steps`.
    check_every = max(1, steps // CHECKS)
    batches, trained = iter(dataset.repeat()), 0
    try:
        first = next(batches)
        generate(first[0])  # Builds any mode-specific copies eagerly, outside the compiled steps.
        batches = itertools.chain([first], batches)
        while True:
            with warnings.catch_warnings():
                # The copy trains on the adversarial loss alone, so an ACGAN's or InfoGAN's
                # auxiliary heads get no gradient here, and Keras would warn about it on a sound run.
                warnings.filterwarnings("ignore", message="Gradients do not exist for variables")
                for _ in range(min(check_every, steps - trained)):
                    trainer.run_update("discriminator", next(batches))
            trained = min(steps, trained + check_every)
            real_accuracy, generated_accuracy = held_out(batches)
            accuracy = 0.5 * (real_accuracy + generated_accuracy)
            if accuracy >= min_accuracy or trained == steps:
                break
    except StopIteration:
        raise ValueError("input_fn() yielded no batches; the start-up check needs some to train and measure "
                         "its discriminator copy on.") from None
    steps = trained
    passed = accuracy >= min_accuracy
    message = (f"Start-up check passed: after {steps} steps a fresh copy of the discriminator tells real data from "
               f"the untrained generator's output {accuracy:.0%} of the time on held-out batches, so the generator "
               "gets a useful gradient." if passed
               else _failure_message(accuracy, real_accuracy, generated_accuracy, steps, min_accuracy))
    if not passed and raise_on_failure:
        raise PreflightError(message)
    return PreflightResult(accuracy, real_accuracy, generated_accuracy, passed, steps, time.time() - began, message)
