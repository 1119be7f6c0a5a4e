"""Streaming accumulators: evaluate 50,000 samples batch by batch in bounded memory.

Both accumulators keep float64 state (like TF-GAN's streaming metrics) and give
exactly the one-shot answer however the samples are split into batches.
They hold TensorFlow tensors, so on a GPU the work stays on the GPU.
"""
import tensorflow as tf

from gan.eval import _checks


def _static_count(count):
    """The number of samples seen as a Python int, or None inside a graph."""
    value = tf.get_static_value(count)
    return None if value is None else int(value)


class RunningStatistics:
    """Mean and unbiased covariance of [batch, dim] activations, merged batch by batch.

    Each batch is reduced to its own mean and centered scatter matrix and merged
    with Chan, Golub & LeVeque's (1979) pairwise update, which avoids the
    cancellation of summing raw outer products when the mean is large.

    Example:
        stats = RunningStatistics()
        for batch in activation_batches:
            stats.update_state(batch)
        mu, sigma = stats.mean, stats.covariance
    """

    def __init__(self):
        self.reset_state()

    def reset_state(self):
        """Forgets every sample seen so far."""
        self._count = None
        self._mean = None
        self._scatter = None

    def update_state(self, activations):
        """Adds a [batch, dim] batch of activations."""
        batch = tf.cast(_checks.float_tensor(activations, "activations"), tf.float64)
        _checks.check_matrix(batch.shape, "activations", 1, "RunningStatistics.update_state")
        if self._mean is not None:
            _checks.check_same_width((None, self._mean.shape[0]), batch.shape, "earlier batches", "activations")
        batch_count = tf.cast(tf.shape(batch)[0], tf.float64)
        batch_mean = tf.reduce_mean(batch, axis=0)
        centered = batch - batch_mean
        batch_scatter = tf.matmul(centered, centered, transpose_a=True)
        if self._count is None:
            self._count, self._mean, self._scatter = batch_count, batch_mean, batch_scatter
            return
        total = self._count + batch_count
        delta = batch_mean - self._mean
        self._mean = self._mean + delta * (batch_count / total)
        self._scatter = (self._scatter + batch_scatter
                         + tf.tensordot(delta, delta, axes=0) * (self._count * batch_count / total))
        self._count = total

    @property
    def count(self):
        """Number of samples seen (a float64 scalar tensor; 0 before any update)."""
        return tf.constant(0.0, tf.float64) if self._count is None else self._count

    @property
    def mean(self):
        """Sample mean, float64 [dim]."""
        self._require(1, "mean")
        return self._mean

    @property
    def covariance(self):
        """Unbiased sample covariance (divided by count - 1), float64 [dim, dim]."""
        self._require(2, "covariance")
        return self._scatter / (self._count - 1.0)

    def _require(self, needed, what):
        seen = 0 if self._count is None else _static_count(self._count)
        if seen is not None and seen < needed:
            raise ValueError(f"RunningStatistics.{what} needs at least {needed} samples; got {seen}.")


class RunningClassifierScore:
    """Classifier score exp(E_x KL(p(y|x) || p(y))) accumulated over batches of logits.

    Uses the identity E_x KL(p(y|x) || p(y)) = E_x sum_y p log p - sum_y q log q
    with q = E_x p(y|x), so only three float64 sums are kept (Salimans et al.
    2016, https://arxiv.org/abs/1606.03498).

    Example:
        score = RunningClassifierScore()
        for logits in logits_batches:
            score.update_state(logits)
        print(float(score.result()))
    """

    def __init__(self):
        self.reset_state()

    def reset_state(self):
        """Forgets every sample seen so far."""
        self._count = None
        self._sum_p = None
        self._sum_p_log_p = None

    def update_state(self, logits):
        """Adds a [batch, num_classes] batch of logits."""
        logits = tf.cast(_checks.float_tensor(logits, "logits"), tf.float64)
        _checks.check_matrix(logits.shape, "logits", 1, "RunningClassifierScore.update_state")
        if self._sum_p is not None:
            _checks.check_same_width((None, self._sum_p.shape[0]), logits.shape, "earlier logits", "logits")
        log_p = tf.nn.log_softmax(logits)
        p = tf.exp(log_p)
        batch_count = tf.cast(tf.shape(logits)[0], tf.float64)
        batch_sum_p = tf.reduce_sum(p, axis=0)
        batch_sum_p_log_p = tf.reduce_sum(p * log_p)
        if self._count is None:
            self._count, self._sum_p, self._sum_p_log_p = batch_count, batch_sum_p, batch_sum_p_log_p
            return
        self._count += batch_count
        self._sum_p += batch_sum_p
        self._sum_p_log_p += batch_sum_p_log_p

    @property
    def count(self):
        """Number of samples seen (a float64 scalar tensor; 0 before any update)."""
        return tf.constant(0.0, tf.float64) if self._count is None else self._count

    def result(self):
        """The classifier score so far, a float64 scalar tensor."""
        seen = 0 if self._count is None else _static_count(self._count)
        if seen is not None and seen < 1:
            raise ValueError("RunningClassifierScore.result needs at least 1 sample; got 0.")
        marginal = self._sum_p / self._count
        # xlogy makes classes whose probability underflowed to 0 contribute 0, not NaN.
        log_score = self._sum_p_log_p / self._count - tf.reduce_sum(tf.math.xlogy(marginal, marginal))
        return tf.exp(log_score)
