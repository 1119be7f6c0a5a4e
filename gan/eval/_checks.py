"""Input checks shared by the metrics, so every bad input fails with one clear line."""
import tensorflow as tf


def float_tensor(values, name):
    """Converts `values` to a floating-point tensor (integers become float32)."""
    try:
        tensor = tf.convert_to_tensor(values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a numeric array or tensor; got {type(values).__name__}.") from error
    if not tensor.dtype.is_floating:
        tensor = tf.cast(tensor, tf.float32)
    return tensor


def check_matrix(shape, name, min_rows, purpose):
    """Raises ValueError unless `shape` is [rows, features] with at least `min_rows` rows.

    Unknown (graph-mode) row counts pass; they cannot be checked before running.
    """
    dims = tuple(shape)
    if len(dims) != 2:
        raise ValueError(f"{name} must be 2-D [num_samples, num_features]; got shape {dims}.")
    if dims[0] is not None and dims[0] < min_rows:
        plural = "s" * (min_rows != 1)
        raise ValueError(f"{purpose} needs at least {min_rows} sample{plural} in {name}; got {dims[0]}.")


def check_same_width(shape1, shape2, name1, name2):
    """Raises ValueError when two [rows, features] shapes disagree on the number of features."""
    width1, width2 = tuple(shape1)[1], tuple(shape2)[1]
    if width1 is not None and width2 is not None and width1 != width2:
        raise ValueError(f"{name1} and {name2} must have the same number of features; got {width1} and {width2}.")
