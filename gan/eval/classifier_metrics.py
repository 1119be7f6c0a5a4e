"""Classifier score and Frechet classifier distance, with TF-GAN 2.1.0's names and arguments.

Work in TF2 eager mode or inside `tf.function`; statistics are computed in float64
and the result is cast back to the inputs' floating dtype, as in TF-GAN.
"""
import tensorflow as tf

from gan.eval import _checks
from gan.eval.running_statistics import RunningClassifierScore, RunningStatistics


def run_classifier_fn(input_tensor, classifier_fn, num_batches=1, dtypes=None, name="RunClassifierFn"):
    """Runs `classifier_fn` on `num_batches` equal slices of `input_tensor` and concatenates the outputs.

    Splitting bounds the memory a large classifier needs. Outputs may be nested
    (a dict or tuple of tensors); `dtypes`, when given, has the same structure
    and each output is cast to it. `name` (a TF1 name scope) is accepted and unused.

    Example:
        logits = run_classifier_fn(images, keras_model, num_batches=4)
    """
    if not isinstance(num_batches, int) or num_batches < 1:
        raise ValueError(f"num_batches must be a positive integer; got {num_batches!r}.")
    input_tensor = tf.convert_to_tensor(input_tensor)
    num_inputs = input_tensor.shape[0] if input_tensor.shape.rank else None
    if num_inputs is not None and num_inputs % num_batches:
        raise ValueError(f"num_batches={num_batches} must divide the number of inputs, {num_inputs}.")
    if num_batches == 1:
        outputs = classifier_fn(input_tensor)
    else:
        pieces = [classifier_fn(piece) for piece in tf.split(input_tensor, num_batches)]
        outputs = tf.nest.map_structure(lambda *parts: tf.concat(parts, axis=0), *pieces)
    if dtypes is not None:
        outputs = tf.nest.map_structure(tf.cast, outputs, dtypes)
    return outputs


def sample_and_run_classifier_fn(sample_fn, sample_inputs, classifier_fn, dtypes=None,
                                 name="SampleAndRunClassifierFn"):
    """Draws `sample_fn(x)` for each element `x` of `sample_inputs` (e.g. batches of noise), runs
    `classifier_fn` on each sample and concatenates the outputs along the batch axis.

    Example:
        logits = sample_and_run_classifier_fn(generator, [noise1, noise2], classifier)
    """
    outputs = [run_classifier_fn(sample_fn(inputs), classifier_fn, dtypes=dtypes) for inputs in sample_inputs]
    if not outputs:
        raise ValueError("sample_inputs must hold at least one element; got none.")
    return tf.nest.map_structure(lambda *parts: tf.concat(parts, axis=0), *outputs)


def classifier_score(input_tensor, classifier_fn, num_batches=1):
    """Classifier (Inception) score of inputs whose logits `classifier_fn` computes.

    Example:
        score = classifier_score(generated_images, mnist_classifier, num_batches=10)
    """
    return classifier_score_from_logits(run_classifier_fn(input_tensor, classifier_fn, num_batches))


def classifier_score_from_logits(logits):
    """Classifier score exp(E_x KL(p(y|x) || p(y))) of [num_samples, num_classes] logits.

    Salimans et al. 2016 (https://arxiv.org/abs/1606.03498); computed in float64
    and returned in the logits' dtype. It ranges from 1 (every sample gets the
    same class distribution) to num_classes (confident and evenly spread).

    Example:
        classifier_score_from_logits([[9., 0.], [0., 9.]])  # close to 2.0
    """
    logits = _checks.float_tensor(logits, "logits")
    _checks.check_matrix(logits.shape, "logits", 1, "classifier_score_from_logits")
    score = RunningClassifierScore()
    score.update_state(logits)
    return tf.cast(score.result(), logits.dtype)


def trace_sqrt_product(sigma, sigma_v):
    """Trace of the square root of sigma @ sigma_v for symmetric positive semi-definite matrices.

    With A = sqrt(sigma), sigma @ sigma_v has the same eigenvalues as the symmetric
    matrix A @ sigma_v @ A, so the trace is the sum of the square roots of that
    matrix's eigenvalues; tiny negative eigenvalues from rounding are clipped to 0.

    Example:
        trace_sqrt_product(tf.eye(3, dtype=tf.float64), 4 * tf.eye(3, dtype=tf.float64))  # 6.0
    """
    eigenvalues, eigenvectors = tf.linalg.eigh(sigma)
    sqrt_sigma = tf.matmul(eigenvectors * tf.sqrt(tf.maximum(eigenvalues, 0.0)), eigenvectors, transpose_b=True)
    product = tf.matmul(sqrt_sigma, tf.matmul(sigma_v, sqrt_sigma))
    product = (product + tf.transpose(product)) / 2.0
    return tf.reduce_sum(tf.sqrt(tf.maximum(tf.linalg.eigvalsh(product), 0.0)))


def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2):
    """Frechet distance |mu1 - mu2|^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2)) between two Gaussians.

    Heusel et al. 2017 (https://arxiv.org/abs/1706.08500). Takes means [dim] and
    covariances [dim, dim], e.g. from `RunningStatistics`; returns float64.

    Example:
        real, fake = RunningStatistics(), RunningStatistics()
        ...  # update_state() both with activation batches
        fid = frechet_distance_from_statistics(real.mean, real.covariance, fake.mean, fake.covariance)
    """
    mu1, sigma1, mu2, sigma2 = (tf.cast(_checks.float_tensor(value, name), tf.float64)
                                for value, name in ((mu1, "mu1"), (sigma1, "sigma1"),
                                                    (mu2, "mu2"), (sigma2, "sigma2")))
    for mu, sigma, suffix in ((mu1, sigma1, "1"), (mu2, sigma2, "2")):
        dim = mu.shape[0] if mu.shape.rank == 1 else None
        if dim is None or tuple(sigma.shape) != (dim, dim):
            raise ValueError(f"mu{suffix} must be [dim] and sigma{suffix} [dim, dim]; "
                             f"got {tuple(mu.shape)} and {tuple(sigma.shape)}.")
    if mu1.shape != mu2.shape:
        raise ValueError(f"mu1 and mu2 must have the same dimension; got {mu1.shape[0]} and {mu2.shape[0]}.")
    mean_term = tf.reduce_sum(tf.math.squared_difference(mu1, mu2))
    trace_term = tf.linalg.trace(sigma1) + tf.linalg.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2)
    return mean_term + trace_term


def frechet_classifier_distance(input_tensor1, input_tensor2, classifier_fn, num_batches=1):
    """Frechet classifier distance between two sets of inputs, via `classifier_fn`'s activations.

    Example:
        fid = frechet_classifier_distance(real_images, generated_images, feature_model)
    """
    activations1 = run_classifier_fn(input_tensor1, classifier_fn, num_batches)
    activations2 = run_classifier_fn(input_tensor2, classifier_fn, num_batches)
    return frechet_classifier_distance_from_activations(activations1, activations2)


def frechet_classifier_distance_from_activations(activations1, activations2):
    """Frechet distance between Gaussians fitted to two [num_samples, dim] activation sets.

    Uses the unbiased covariance, like TF-GAN; the result is biased upwards for
    small samples, so compare models at equal sample sizes. Equals
    `frechet_distance_from_statistics` of two `RunningStatistics` fed the same
    activations in any batches. Returned in activations1's dtype.

    Example:
        frechet_classifier_distance_from_activations(real_acts, fake_acts)
    """
    activations1 = _checks.float_tensor(activations1, "activations1")
    activations2 = _checks.float_tensor(activations2, "activations2")
    for activations, name in ((activations1, "activations1"), (activations2, "activations2")):
        _checks.check_matrix(activations.shape, name, 2, "frechet_classifier_distance_from_activations")
    _checks.check_same_width(activations1.shape, activations2.shape, "activations1", "activations2")
    statistics = []
    for activations in (activations1, activations2):
        running = RunningStatistics()
        running.update_state(activations)
        statistics += [running.mean, running.covariance]
    return tf.cast(frechet_distance_from_statistics(*statistics), activations1.dtype)


def _moments(activations1, activations2, caller):
    activations1 = _checks.float_tensor(activations1, "activations1")
    activations2 = _checks.float_tensor(activations2, "activations2")
    for activations, name in ((activations1, "activations1"), (activations2, "activations2")):
        _checks.check_matrix(activations.shape, name, 2, caller)
    _checks.check_same_width(activations1.shape, activations2.shape, "activations1", "activations2")
    return activations1, activations2


def mean_only_frechet_classifier_distance_from_activations(activations1, activations2):
    """The mean term of the Frechet distance alone, `||mu1 - mu2||^2` (cheap; no covariances).

    Example:
        mean_only_frechet_classifier_distance_from_activations(real_acts, fake_acts)
    """
    a1, a2 = _moments(activations1, activations2, "mean_only_frechet_classifier_distance_from_activations")
    mean1, mean2 = tf.reduce_mean(tf.cast(a1, tf.float64), 0), tf.reduce_mean(tf.cast(a2, tf.float64), 0)
    return tf.cast(tf.reduce_sum(tf.math.squared_difference(mean1, mean2)), a1.dtype)


def diagonal_only_frechet_classifier_distance_from_activations(activations1, activations2):
    """The Frechet distance with diagonal covariances:
    `||mu1 - mu2||^2 + sum(var1 + var2 - 2 sqrt(var1 var2))`, the variances divided by the number
    of samples (`tf.nn.moments`, as TF-GAN).

    Example:
        diagonal_only_frechet_classifier_distance_from_activations(real_acts, fake_acts)
    """
    a1, a2 = _moments(activations1, activations2, "diagonal_only_frechet_classifier_distance_from_activations")
    mean1, var1 = tf.nn.moments(tf.cast(a1, tf.float64), axes=[0])
    mean2, var2 = tf.nn.moments(tf.cast(a2, tf.float64), axes=[0])
    distance = tf.reduce_sum(tf.math.squared_difference(mean1, mean2)) + tf.reduce_sum(
        var1 + var2 - 2.0 * tf.sqrt(var1 * var2))
    return tf.cast(distance, a1.dtype)
