"""A history pool of generated batches (Shrivastava et al. 2017): the discriminator sometimes
sees an older batch instead of the newest one."""
import tensorflow as tf

_POOLS = {}  # name -> _Pool


class _Pool:
    """`pool_size` stored batches in variables; shared by every call with the same name."""

    def __init__(self, values, pool_size):
        flat = tf.nest.flatten(values)
        for value in flat:
            if not value.shape.is_fully_defined():
                raise ValueError(f"tensor_pool needs fully defined shapes; got {value.shape}")
        self.size = pool_size
        self.stored = [tf.Variable(tf.zeros([pool_size] + value.shape.as_list(), value.dtype), trainable=False)
                       for value in flat]
        self.count = tf.Variable(0, dtype=tf.int32, trainable=False)

    def __call__(self, values, pooling_probability):
        flat = tf.nest.flatten(values)
        filling = self.count < self.size  # while filling, keep each batch and return it
        slot = tf.where(filling, tf.identity(self.count), tf.random.uniform([], 0, self.size, dtype=tf.int32))
        use_old = tf.logical_and(tf.logical_not(filling), tf.random.uniform([]) < pooling_probability)
        self.count.assign(tf.minimum(self.count + 1, self.size))
        outputs = []
        for stored, value in zip(self.stored, flat):
            old = tf.identity(stored[slot])
            stored[slot].assign(value)
            outputs.append(tf.where(use_old, old, value))
        return tf.nest.pack_sequence_as(values, outputs)


def tensor_pool(input_values, pool_size=50, pooling_probability=0.5, name="tensor_pool"):
    """Returns `input_values` (a tensor or a structure of them, e.g. `(generated_data,
    generator_inputs)`) or, once `pool_size` batches are stored, with probability
    `pooling_probability` a random stored batch, which the input then replaces. Calls with
    the same `name` share one pool (its variables); works eagerly and in `tf.function`.

    >>> loss = gan.gan_loss(model, tensor_pool_fn=lambda values: tensor_pool(values, pool_size=50))
    """
    if pool_size < 1:
        raise ValueError(f"pool_size must be a positive integer; got {pool_size!r}")
    if pooling_probability == 0:
        return input_values
    if name not in _POOLS:
        _POOLS[name] = _Pool(input_values, pool_size)
    return _POOLS[name](input_values, pooling_probability)
