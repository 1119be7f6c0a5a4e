"""Virtual batch normalisation (Salimans et al. 2016): each example is normalised with the
statistics of a fixed reference batch plus itself, so outputs never depend on batch mates."""
import keras
import tensorflow as tf


def _statistics(x, axes):
    x = tf.cast(x, tf.float32)
    return tf.reduce_mean(x, axis=axes, keepdims=True), tf.reduce_mean(tf.square(x), axis=axes, keepdims=True)


class VBN:
    """Virtual batch norm over `axis` with a reference batch (TF-GAN's constructor arguments).

    >>> vbn = VBN(reference_batch)
    >>> normalized = vbn(inputs)                      # per-example virtual statistics
    >>> reference = vbn.reference_batch_normalization()
    """

    def __init__(self, reference_batch, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, trainable=True, name=None,
                 batch_axis=0):
        reference_batch = tf.convert_to_tensor(reference_batch)
        rank = reference_batch.shape.rank
        self._axis, self._batch_axis = axis % rank, batch_axis % rank
        if self._axis == self._batch_axis:
            raise ValueError(f"VBN's axis and batch_axis must differ; both are {self._axis}")
        self._reference_batch, self._epsilon = reference_batch, epsilon
        self._reduction_axes = [a for a in range(rank) if a != self._axis]
        self._example_axes = [a for a in range(rank) if a not in (self._axis, self._batch_axis)]
        self._ref_mean, self._ref_mean_sq = _statistics(reference_batch, self._reduction_axes)
        self._example_weight = 1.0 / (float(reference_batch.shape[self._batch_axis]) + 1.0)
        channels = reference_batch.shape[self._axis]
        shape = [1] * rank
        shape[self._axis] = channels
        self.beta = tf.Variable(tf.reshape(keras.initializers.get(beta_initializer)((channels,)), shape),
                                trainable=trainable, name=f"{name or 'vbn'}/beta") if center else None
        self.gamma = tf.Variable(tf.reshape(keras.initializers.get(gamma_initializer)((channels,)), shape),
                                 trainable=trainable, name=f"{name or 'vbn'}/gamma") if scale else None
        self._regularizers = [(r, v) for r, v in ((beta_regularizer, self.beta), (gamma_regularizer, self.gamma))
                              if r is not None and v is not None]

    @property
    def losses(self):
        """The regularization losses of beta and gamma."""
        return [regularizer(variable) for regularizer, variable in self._regularizers]

    def _normalize(self, x, mean, mean_sq):
        return tf.nn.batch_normalization(tf.cast(x, tf.float32), mean, mean_sq - tf.square(mean), self.beta,
                                         self.gamma, self._epsilon)

    def reference_batch_normalization(self):
        """The reference batch normalised with its own statistics."""
        return self._normalize(self._reference_batch, self._ref_mean, self._ref_mean_sq)

    def __call__(self, inputs):
        inputs = tf.convert_to_tensor(inputs)
        if inputs.shape.rank != self._reference_batch.shape.rank or \
                inputs.shape[self._axis] != self._reference_batch.shape[self._axis]:
            raise ValueError(f"VBN inputs of shape {inputs.shape} do not match the reference batch's "
                             f"{self._reference_batch.shape} outside the batch axis")
        mean, mean_sq = _statistics(inputs, self._example_axes) if self._example_axes else (
            tf.cast(inputs, tf.float32), tf.square(tf.cast(inputs, tf.float32)))
        w = self._example_weight
        return self._normalize(inputs, w * mean + (1 - w) * self._ref_mean, w * mean_sq + (1 - w) * self._ref_mean_sq)
