"""Penalties and loss combinators from TF-GAN: gradient penalty, InfoGAN's mutual
information penalty and `combine_adversarial_loss`, rewritten with `tf.GradientTape`
so they work both eagerly and inside `tf.function` (TF-GAN's refused eager mode).
"""
import math

import keras
import tensorflow as tf

from gan.losses.reduction import Reduction, compute_weighted_loss

# TF-GAN's argument-style penalties defined here (`gan.losses.wargs` and, tuple style, `gan.losses`).
__all__ = ["combine_adversarial_loss", "mutual_information_penalty", "wasserstein_gradient_penalty"]

_DEFAULT_REDUCTION = Reduction.SUM_BY_NONZERO_WEIGHTS


def _call_discriminator(discriminator_fn, data, generator_inputs):
    """Calls `discriminator_fn(data, generator_inputs)`; a Keras model gets its inputs
    as one list (or `data` alone when it was built with a single input)."""
    if isinstance(discriminator_fn, keras.Model):
        model_inputs = getattr(discriminator_fn, "inputs", None)
        if model_inputs is not None and len(model_inputs) == 1:
            return discriminator_fn(data)
        return discriminator_fn([data, generator_inputs])
    return discriminator_fn(data, generator_inputs)


def _interpolation_weights(batch_size, rank, seed):
    """One uniform weight per example in [0, 1), broadcastable over the data."""
    shape = [batch_size] + [1] * (rank - 1)
    if seed is None:
        return tf.random.uniform(shape)
    if isinstance(seed, int):
        seed = (seed, 0)
    return tf.random.stateless_uniform(shape, seed=seed)


def wasserstein_gradient_penalty(real_data, generated_data, generator_inputs,
                                 discriminator_fn, discriminator_scope=None,
                                 epsilon=1e-10, target=1.0, one_sided=False, weights=1.0,
                                 scope=None, loss_collection=None,
                                 reduction=_DEFAULT_REDUCTION, add_summaries=False,
                                 seed=None):
    """WGAN-GP penalty `(‖∇D(x̂)‖ / target - 1)^2` on random interpolates
    `x̂ = x + α (G(z) - x)`, `α ~ U[0, 1)` per example (https://arxiv.org/abs/1704.00028).

    `‖·‖` is `sqrt(sum of squares + epsilon)` per example. `one_sided=True` penalises only
    norms above `target` (https://arxiv.org/abs/1709.08894). `discriminator_fn` is any
    callable `discriminator_fn(data, generator_inputs)` or a Keras model (called on
    `[data, generator_inputs]`); a tuple output uses its first element (ACGAN).
    `discriminator_scope` is ignored (Keras objects own their variables). `seed`, an int
    or a pair of ints, makes `α` deterministic via `tf.random.stateless_uniform`.

    >>> real, fake = tf.zeros([4, 2]), tf.ones([4, 2])
    >>> critic = lambda data, inputs: 3.0 * data[:, :1] + 4.0 * data[:, 1:]  # ‖∇‖ = 5
    >>> round(float(wasserstein_gradient_penalty(real, fake, None, critic)), 4)
    16.0
    """
    real_data = tf.cast(real_data, tf.float32)
    generated_data = tf.cast(generated_data, tf.float32)
    rank = real_data.shape.rank
    if rank is None or generated_data.shape.rank is None:
        raise ValueError("real_data and generated_data need a known rank; got unknown")
    differences = generated_data - real_data
    alpha = _interpolation_weights(tf.shape(differences)[0], rank, seed)
    interpolates = real_data + alpha * differences
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = _call_discriminator(discriminator_fn, interpolates, generator_inputs)
        if isinstance(scores, tuple):
            scores = scores[0]
    # A critic that ignores its input has gradient 0 there, not "no gradient".
    gradients = tape.gradient(scores, interpolates,
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
    squares = tf.reduce_sum(tf.square(gradients), axis=list(range(1, rank)))
    slopes = tf.sqrt(squares + epsilon)
    penalties = slopes / target - 1.0
    if one_sided:
        penalties = tf.maximum(0.0, penalties)
    return compute_weighted_loss(tf.square(penalties), weights, reduction)


class Categorical:
    """A categorical distribution over the last axis of `logits`, for InfoGAN's Q head
    (`mutual_information_penalty` needs only `log_prob`; TensorFlow Probability's work too).
    `log_prob` takes one-hot rows or integer class ids.

    >>> round(float(Categorical(tf.math.log([[0.25, 0.75]])).log_prob(tf.constant([1]))[0]), 4)  # log 0.75
    -0.2877
    """

    def __init__(self, logits):
        self.logits = tf.cast(logits, tf.float32)

    def log_prob(self, value):
        log_probs = tf.nn.log_softmax(self.logits)
        value = tf.convert_to_tensor(value)
        if value.shape.rank == log_probs.shape.rank:  # one-hot
            return tf.reduce_sum(tf.cast(value, tf.float32) * log_probs, axis=-1)
        return tf.gather(log_probs, tf.cast(value, tf.int32), axis=-1, batch_dims=value.shape.rank)


class Normal:
    """An element-wise normal distribution, for InfoGAN's continuous codes (unit `scale` by
    default, the InfoGAN paper's fixed-variance choice).

    >>> round(float(Normal(0.0).log_prob(0.0)), 4)   # -log sqrt(2 pi)
    -0.9189
    """

    def __init__(self, loc, scale=1.0):
        self.loc = tf.cast(loc, tf.float32)
        self.scale = tf.cast(scale, tf.float32)

    def log_prob(self, value):
        z = (tf.cast(value, tf.float32) - self.loc) / self.scale
        return -0.5 * tf.square(z) - tf.math.log(self.scale) - 0.5 * math.log(2.0 * math.pi)


def mutual_information_penalty(structured_generator_inputs, predicted_distributions,
                               weights=1.0, scope=None, loss_collection=None,
                               reduction=_DEFAULT_REDUCTION, add_summaries=False):
    """InfoGAN penalty: minus the mean log-likelihood of each structured noise input under
    the distribution the recogniser predicted for it (https://arxiv.org/abs/1606.03657).

    Distributions are duck-typed: anything with `log_prob` (e.g. TensorFlow Probability).

    >>> class Dist:
    ...     def log_prob(self, x): return -tf.square(x)
    >>> float(mutual_information_penalty([tf.constant([1.0, 3.0])], [Dist()]))
    5.0
    """
    if not isinstance(predicted_distributions, (list, tuple)):
        raise ValueError("predicted_distributions must be a list or tuple of "
                         f"distributions; got {type(predicted_distributions).__name__}")
    for distribution in predicted_distributions:
        if not callable(getattr(distribution, "log_prob", None)):
            raise ValueError("predicted_distributions must hold objects with a log_prob "
                             f"method; got {type(distribution).__name__}")
    if len(structured_generator_inputs) != len(predicted_distributions):
        raise ValueError(
            f"structured_generator_inputs has {len(structured_generator_inputs)} entries "
            f"but predicted_distributions has {len(predicted_distributions)}; they must match")
    log_probs = [tf.reduce_mean(tf.cast(distribution.log_prob(noise), tf.float32))
                 for distribution, noise in zip(predicted_distributions,
                                                structured_generator_inputs)]
    return -compute_weighted_loss(tf.stack(log_probs), weights, reduction)


def _stable_global_norm(tensors):
    """Global L2 norm, scaled by the largest magnitude first so squares cannot overflow."""
    tensors = [t for t in tensors if t is not None]
    if not tensors:
        return tf.constant(0.0)
    largest = tf.reduce_max([tf.reduce_max(tf.abs(t)) for t in tensors])
    return largest * tf.linalg.global_norm([t / largest for t in tensors])


def combine_adversarial_loss(main_loss, adversarial_loss, weight_factor=None,
                             gradient_ratio=None, gradient_ratio_epsilon=1e-6,
                             variables=None, scalar_summaries=True,
                             gradient_summaries=True, scope=None, tape=None):
    """`main_loss + c * adversarial_loss`, with `c` fixed (`weight_factor`) or chosen so
    the gradient norms keep `gradient_ratio = ‖∇main‖ / ‖∇adversarial‖`
    (https://arxiv.org/abs/1705.05823). `c` gets no gradient.

    Gradients need TF2's explicit tape: pass `tape`, a persistent `tf.GradientTape` that
    recorded both losses, and `variables`. Mismatched loss shapes are averaged down to
    `[batch]`. The summary flags are accepted for porting and ignored.

    >>> float(combine_adversarial_loss(tf.constant(1.0), tf.constant(2.0), weight_factor=0.5))
    2.0
    """
    if (weight_factor is None) == (gradient_ratio is None):
        raise ValueError("combine_adversarial_loss needs exactly one of weight_factor and "
                         "gradient_ratio; got both or neither")
    main_loss = tf.convert_to_tensor(main_loss)
    adversarial_loss = tf.convert_to_tensor(adversarial_loss)
    if not main_loss.shape.is_compatible_with(adversarial_loss.shape):
        if main_loss.shape[:1] != adversarial_loss.shape[:1]:
            raise ValueError(
                f"main_loss shape {main_loss.shape} and adversarial_loss shape "
                f"{adversarial_loss.shape} need the same first (batch) dimension")
        main_loss = tf.reduce_mean(main_loss, axis=list(range(1, main_loss.shape.rank)))
        adversarial_loss = tf.reduce_mean(
            adversarial_loss, axis=list(range(1, adversarial_loss.shape.rank)))
    factor = weight_factor if weight_factor is not None else gradient_ratio
    static_factor = tf.get_static_value(tf.convert_to_tensor(factor))
    if static_factor is not None and static_factor == 0:
        return main_loss
    if weight_factor is not None:
        coefficient = weight_factor
    else:
        if tape is None or variables is None:
            raise ValueError("gradient_ratio needs tape= (a persistent tf.GradientTape that "
                             "recorded both losses) and variables=; got None")
        main_norm = _stable_global_norm(tape.gradient(main_loss, variables))
        adversarial_norm = _stable_global_norm(tape.gradient(adversarial_loss, variables))
        coefficient = main_norm / (adversarial_norm + gradient_ratio_epsilon) / gradient_ratio
    return main_loss + tf.stop_gradient(coefficient) * adversarial_loss
