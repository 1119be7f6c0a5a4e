"""Group and instance normalisation (Wu & He 2018; Ulyanov et al. 2016) as functions, on Keras layers."""
import keras


def _normalize(inputs, groups, axis, center, scale, epsilon, activation_fn, param_initializers, trainable):
    initializers = param_initializers or {}
    outputs = keras.layers.GroupNormalization(
        groups=groups, axis=axis, epsilon=epsilon, center=center, scale=scale, trainable=trainable,
        beta_initializer=initializers.get("beta", "zeros"), gamma_initializer=initializers.get("gamma", "ones"))(inputs)
    # As a layer, so a raw TF activation (tf.nn.relu) also works on a network function's Keras inputs.
    return keras.layers.Activation(activation_fn)(outputs) if activation_fn is not None else outputs


def group_norm(inputs, groups=32, channels_axis=-1, reduction_axes=(-3, -2), center=True, scale=True, epsilon=1e-6,
               activation_fn=None, param_initializers=None, reuse=None, outputs_collections=None, trainable=True,
               scope=None, mean_close_to_zero=False):
    """Normalises each group of `groups` channels over `reduction_axes` (all non-batch,
    non-channel axes: what Keras' GroupNormalization does). `reuse`, the collections,
    `scope` and `mean_close_to_zero` are TF1 options without effect here.

    >>> h = group_norm(h, groups=8)
    """
    rank = len(inputs.shape)
    channels = channels_axis % rank
    spatial = sorted(a % rank for a in reduction_axes)
    if spatial != [a for a in range(1, rank) if a != channels]:
        raise ValueError(f"group_norm reduces over every non-batch, non-channel axis here; got reduction_axes="
                         f"{tuple(reduction_axes)} for rank {rank} with channels_axis={channels_axis}")
    return _normalize(inputs, groups, channels, center, scale, epsilon, activation_fn, param_initializers, trainable)


def instance_norm(inputs, center=True, scale=True, epsilon=1e-6, activation_fn=None, param_initializers=None,
                  reuse=None, outputs_collections=None, trainable=True, data_format="NHWC", scope=None):
    """Normalises each channel of each example over its spatial axes (group norm, one channel a group).

    >>> h = instance_norm(h)                   # NHWC; data_format='NCHW' for channels first
    """
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW'; got {data_format!r}")
    axis = -1 if data_format == "NHWC" else 1
    return _normalize(inputs, inputs.shape[axis], axis, center, scale, epsilon, activation_fn, param_initializers,
                      trainable)
