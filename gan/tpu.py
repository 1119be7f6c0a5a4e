"""TF-GAN's `tfgan.tpu` normalisation ops, on `tf.distribute`: batch statistics averaged over
every replica (TPU cores, GPUs) when called inside `strategy.run`, plain batch statistics
elsewhere.

>>> h = gan.tpu.batch_norm(h, is_training=True, name='g_bn1')
"""
import sys

import keras
import tensorflow as tf

_STATE = {}  # name or call site -> variables kept between calls


def cross_replica_mean(inputs, group_size=None):
    """The mean of `inputs` over all replicas, or over groups of `group_size` consecutive replicas.

    Inside `strategy.run` it averages through the replica context (`all_reduce`, or
    `all_gather` for groups); with one replica or outside a replica context it is
    `inputs` itself. `group_size` None or 0 means all replicas, as in TF-GAN.

    >>> cross_replica_mean(tf.constant(2.0))                 # 2.0 without a strategy
    >>> strategy.run(lambda x: cross_replica_mean(x, group_size=2), (x,))
    """
    context = tf.distribute.get_replica_context()
    num_replicas = 1 if context is None else context.num_replicas_in_sync
    group_size = group_size or num_replicas
    if num_replicas == 1 or group_size == 1:
        return inputs
    if num_replicas % group_size:
        raise ValueError(f"group_size={group_size} must divide the number of replicas, {num_replicas}")
    if group_size == num_replicas:
        return context.all_reduce(tf.distribute.ReduceOp.MEAN, inputs)
    gathered = context.all_gather(tf.expand_dims(inputs, 0), axis=0)  # [num_replicas, ...]
    start = (context.replica_id_in_sync_group // group_size) * group_size
    return tf.reduce_mean(gathered[start:start + group_size], axis=0)


def cross_replica_moments(inputs, axis, parallel=True, group_size=None):
    """(mean, variance) of `inputs` over `axis` and over the replicas of each group (equal batches per replica).

    `parallel=True` takes the variance as E[x^2] - E[x]^2, so both means travel
    together; `parallel=False` averages (x - mean)^2 after the mean has arrived
    (one more exchange, less cancellation when the mean is large).

    >>> mean, variance = cross_replica_moments(x, axis=[0, 1, 2])
    """
    inputs = tf.convert_to_tensor(inputs)
    if not inputs.dtype.is_floating:
        inputs = tf.cast(inputs, tf.float32)
    axes = [axis] if isinstance(axis, int) else list(axis)
    mean = cross_replica_mean(tf.reduce_mean(inputs, axis=axes, keepdims=True), group_size)
    if parallel:
        variance = cross_replica_mean(tf.reduce_mean(tf.square(inputs), axis=axes, keepdims=True),
                                      group_size) - tf.square(mean)
    else:
        variance = cross_replica_mean(tf.reduce_mean(tf.square(inputs - mean), axis=axes, keepdims=True), group_size)
    return tf.squeeze(mean, axes), tf.squeeze(variance, axes)


def _variables(key, make):
    if key not in _STATE:
        _STATE[key] = make()
    return _STATE[key]


def _standardize(inputs, is_training, axis, key, decay, epsilon, use_moving_averages, use_cross_replica_mean):
    """`inputs` normalised over every axis but `axis`, and the moving averages kept under `key`."""
    channels = inputs.shape[axis]
    reduce = [a for a in range(inputs.shape.rank) if a != axis]
    moving_mean, moving_variance, seen = _variables(key, lambda: (
        tf.Variable(tf.zeros([channels]), trainable=False), tf.Variable(tf.ones([channels]), trainable=False),
        tf.Variable(0.0, trainable=False)))
    x = tf.cast(inputs, tf.float32)
    if is_training:
        if use_cross_replica_mean is False:
            mean, variance = tf.reduce_mean(x, reduce), tf.math.reduce_variance(x, reduce)
        else:
            mean, variance = cross_replica_moments(x, reduce)
        weight = (1.0 - decay) if use_moving_averages else 1.0 / (seen + 1.0)
        moving_mean.assign_add(weight * (mean - moving_mean))
        moving_variance.assign_add(weight * (variance - moving_variance))
        seen.assign_add(1.0)
    else:
        mean, variance = moving_mean, moving_variance
    shape = [1] * inputs.shape.rank
    shape[axis] = channels
    return (x - tf.reshape(mean, shape)) * tf.math.rsqrt(tf.reshape(variance, shape) + epsilon), shape


def standardize_batch(inputs, is_training, offset=None, scale=None, decay=0.999, epsilon=1e-3, data_format="NHWC",
                      use_moving_averages=True, use_cross_replica_mean=None):
    """Batch-normalises `inputs` ([N, C] or [N, H, W, C] / [N, C, H, W]); in training with the
    batch's (cross-replica) moments, folded into moving averages with `decay`; otherwise
    with those averages (kept per call site). `use_moving_averages=False` keeps a plain
    running average instead. `use_cross_replica_mean=False` uses this replica's batch only.

    >>> y = standardize_batch(x, is_training=True)
    """
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW'; got {data_format!r}")
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank not in (2, 4):
        raise ValueError(f"standardize_batch takes inputs of rank 2 or 4; got shape {inputs.shape}")
    axis = 1 if (data_format == "NCHW" or inputs.shape.rank == 2) else inputs.shape.rank - 1
    caller = sys._getframe(1)  # pylint: disable=protected-access  (one set of averages per call site)
    normalized, shape = _standardize(inputs, is_training, axis, ("standardize", caller.f_code.co_filename,
                                     caller.f_lineno), decay, epsilon, use_moving_averages, use_cross_replica_mean)
    if scale is not None:
        normalized *= tf.reshape(scale, shape)
    if offset is not None:
        normalized += tf.reshape(offset, shape)
    return tf.cast(normalized, inputs.dtype)


def batch_norm(inputs, is_training, conditional_class_labels=None, axis=-1, variance_epsilon=1e-3, center=True,
               scale=True, beta_initializer="zeros", gamma_initializer="ones", batch_axis=0, name="batch_norm",
               use_cross_replica_mean=None):
    """`standardize_batch` with learned offset/scale (one pair per class with one-hot
    `conditional_class_labels`: conditional batch norm); variables and averages kept per `name`.
    `use_cross_replica_mean` as in `standardize_batch` (later TF-GAN releases' argument).

    >>> h = batch_norm(h, is_training=True, conditional_class_labels=one_hot, name='g_bn')
    """
    inputs = tf.convert_to_tensor(inputs)
    axis = axis % inputs.shape.rank
    if axis == batch_axis % inputs.shape.rank:
        raise ValueError(f"batch_norm's axis and batch_axis must differ; both are {axis}")
    channels = inputs.shape[axis]
    rows = 1 if conditional_class_labels is None else conditional_class_labels.shape[-1]
    beta, gamma = _variables(("batch_norm", name), lambda: (
        tf.Variable(keras.initializers.get(beta_initializer)((rows, channels)), name=f"{name}/beta"),
        tf.Variable(keras.initializers.get(gamma_initializer)((rows, channels)), name=f"{name}/gamma")))
    normalized, shape = _standardize(inputs, is_training, axis, ("batch_norm_moments", name), 0.999,
                                     variance_epsilon, True, use_cross_replica_mean)
    if conditional_class_labels is None:
        offset, factor = tf.reshape(beta[0], shape), tf.reshape(gamma[0], shape)
    else:  # per example: its class's row
        labels = tf.cast(conditional_class_labels, tf.float32)
        example_shape = [-1] + [channels if a == axis else 1 for a in range(1, inputs.shape.rank)]
        offset, factor = tf.reshape(labels @ beta, example_shape), tf.reshape(labels @ gamma, example_shape)
    outputs = normalized * (factor if scale else 1.0) + (offset if center else 0.0)
    return tf.cast(outputs, inputs.dtype)
