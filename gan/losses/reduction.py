"""Weighted reduction of per-element losses, with TF-GAN's (TF1's) semantics.

TF-GAN reduces every loss with `tf.compat.v1.losses.compute_weighted_loss`, default
`SUM_BY_NONZERO_WEIGHTS`: the weighted sum divided by the number of non-zero weights
(for `weights=1.0` that is the plain mean). Keras 3 dropped that reduction, so it lives here.
"""
import tensorflow as tf


class Reduction:
    """Names of the supported reductions (TF1's `weighted_*` spellings are accepted too).

    >>> Reduction.SUM_BY_NONZERO_WEIGHTS
    'sum_by_nonzero_weights'
    """

    NONE = "none"
    SUM = "sum"
    MEAN = "mean"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "sum_by_nonzero_weights"

    @classmethod
    def all(cls):
        """Every accepted reduction name, in TF's canonical spelling.

        >>> Reduction.all()[0]
        'none'
        """
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, reduction):
        """Returns the canonical name of `reduction`, or raises ValueError.

        `tf.compat.v1.losses.Reduction` values (e.g. 'weighted_sum') map to their
        un-prefixed names so TF-GAN code ports unchanged.

        >>> Reduction.validate('weighted_sum_by_nonzero_weights')
        'sum_by_nonzero_weights'
        """
        name = reduction
        if isinstance(name, str) and name.startswith("weighted_"):
            name = name[len("weighted_"):]
        if name not in cls.all():
            raise ValueError(
                f"Unknown reduction {reduction!r}; accepted: {', '.join(cls.all())}")
        return name


def _broadcast_weights(weights, losses):
    """Broadcasts `weights` to the shape of `losses`; losses never grow to fit weights."""
    static = weights.shape
    if static.is_fully_defined() and losses.shape.is_fully_defined():
        try:
            broadcast = tf.broadcast_static_shape(static, losses.shape)
        except ValueError:
            broadcast = None
        if broadcast != losses.shape:
            raise ValueError(
                f"weights of shape {static} do not broadcast to losses of shape "
                f"{losses.shape}; accepted: a scalar or a broadcastable shape")
    return tf.broadcast_to(weights, tf.shape(losses))


def compute_weighted_loss(losses, weights=1.0, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Multiplies `losses` by `weights` and reduces them as TF1's function of that name.

    Reductions: 'none' (weighted elements), 'sum', 'mean' (divided by the sum of weights),
    'sum_over_batch_size' (divided by the element count) and 'sum_by_nonzero_weights'
    (divided by the count of non-zero weights). Divisions by zero give 0. Result is float32.

    >>> float(compute_weighted_loss([1.0, 2.0, 6.0], weights=[1.0, 0.0, 1.0]))
    3.5
    """
    reduction = Reduction.validate(reduction)
    losses = tf.cast(losses, tf.float32)
    weights = _broadcast_weights(tf.cast(weights, tf.float32), losses)
    weighted = losses * weights
    if reduction == Reduction.NONE:
        return weighted
    total = tf.reduce_sum(weighted)
    if reduction == Reduction.SUM:
        return total
    if reduction == Reduction.MEAN:
        denominator = tf.reduce_sum(weights)
    elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
        denominator = tf.cast(tf.size(losses), tf.float32)
    else:
        denominator = tf.math.count_nonzero(weights, dtype=tf.float32)
    return tf.math.divide_no_nan(total, denominator)
