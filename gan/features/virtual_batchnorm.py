"""Virtual batch normalisation (Salimans et al. 2016): each example is normalised with the
statistics of a fixed reference batch plus itself, so outputs never depend on batch mates."""
import keras
from keras import ops


class VBN(keras.layers.Layer):
    """Virtual batch norm over `axis` with a reference batch, as a Keras layer (TF-GAN's arguments).

    `reference_batch` is a tensor or array, or a Keras tensor inside a network function
    (e.g. a fixed real batch passed through the same earlier layers): it becomes an input
    of the layer's node, so the model recomputes its statistics every call. `beta` and
    `gamma` are the layer's weights (in the model's `trainable_variables`; their
    regularizers in its `losses`), shared by every call of this object.

    >>> vbn = VBN(reference_batch)
    >>> normalized = vbn(inputs)                      # per-example virtual statistics
    >>> reference = vbn.reference_batch_normalization()
    """

    def __init__(self, reference_batch, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, trainable=True, name=None,
                 batch_axis=0):
        super().__init__(trainable=trainable, name=name)
        if not isinstance(reference_batch, keras.KerasTensor):
            reference_batch = ops.convert_to_tensor(reference_batch)
        rank = len(reference_batch.shape)
        if rank < 2:
            raise ValueError(f"VBN's reference_batch must have a batch and a feature axis; got shape "
                             f"{tuple(reference_batch.shape)}")
        for value, what in ((axis, "axis"), (batch_axis, "batch_axis")):
            if not -rank <= value < rank:
                raise ValueError(f"VBN's {what}={value} is out of range for a rank-{rank} reference_batch")
        self._axis, self._batch_axis = axis % rank, batch_axis % rank
        if self._axis == self._batch_axis:
            raise ValueError(f"VBN's axis and batch_axis must differ; both are {self._axis}")
        channels = reference_batch.shape[self._axis]
        if channels is None:
            raise ValueError(f"VBN needs the reference_batch's axis {self._axis} defined; got shape "
                             f"{tuple(reference_batch.shape)}")
        self._reference_batch, self.epsilon = reference_batch, epsilon
        self._reduction_axes = tuple(a for a in range(rank) if a != self._axis)
        self._example_axes = tuple(a for a in range(rank) if a not in (self._axis, self._batch_axis))
        self._broadcast = [1] * rank
        self._broadcast[self._axis] = channels
        # The parameters' shape is known now (TF-GAN made them here too), so no build step.
        self.beta = self.add_weight(shape=(channels,), initializer=beta_initializer, regularizer=beta_regularizer,
                                    trainable=trainable, name="beta") if center else None
        self.gamma = self.add_weight(shape=(channels,), initializer=gamma_initializer, regularizer=gamma_regularizer,
                                     trainable=trainable, name="gamma") if scale else None
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        # A Functional model replays the node with the reference batch it recorded.
        if not args and "reference_batch" not in kwargs:
            args = (self._reference_batch,)
        ref_shape = list(args[0].shape if args else kwargs["reference_batch"].shape)
        shape = list(inputs.shape)
        del shape[self._batch_axis], ref_shape[self._batch_axis]
        if len(shape) != len(ref_shape) or any(a is not None and b is not None and a != b
                                               for a, b in zip(shape, ref_shape)):
            raise ValueError(f"VBN inputs of shape {tuple(inputs.shape)} do not match the reference batch's "
                             f"{tuple(self._reference_batch.shape)} outside the batch axis")
        return super().__call__(inputs, *args, **kwargs)

    def reference_batch_normalization(self):
        """The reference batch normalised with its own statistics."""
        return self(self._reference_batch, self._reference_batch, reference_only=True)

    def call(self, inputs, reference_batch, reference_only=False):
        reference = ops.cast(reference_batch, "float32")
        mean = ops.mean(reference, axis=self._reduction_axes, keepdims=True)
        mean_sq = ops.mean(ops.square(reference), axis=self._reduction_axes, keepdims=True)
        x = ops.cast(inputs, "float32")
        if not reference_only:
            # The reference batch plus the example itself, i.e. the example weighs 1 / (n + 1).
            weight = 1.0 / (ops.cast(ops.shape(reference)[self._batch_axis], "float32") + 1.0)
            example_mean = ops.mean(x, axis=self._example_axes, keepdims=True) if self._example_axes else x
            example_mean_sq = (ops.mean(ops.square(x), axis=self._example_axes, keepdims=True)
                               if self._example_axes else ops.square(x))
            mean = weight * example_mean + (1.0 - weight) * mean
            mean_sq = weight * example_mean_sq + (1.0 - weight) * mean_sq
        outputs = (x - mean) * ops.rsqrt(mean_sq - ops.square(mean) + self.epsilon)
        if self.gamma is not None:
            outputs = outputs * ops.reshape(ops.cast(self.gamma, "float32"), self._broadcast)
        if self.beta is not None:
            outputs = outputs + ops.reshape(ops.cast(self.beta, "float32"), self._broadcast)
        return ops.cast(outputs, inputs.dtype)

    def compute_output_spec(self, inputs, reference_batch, reference_only=False):
        return keras.KerasTensor(inputs.shape, inputs.dtype)
