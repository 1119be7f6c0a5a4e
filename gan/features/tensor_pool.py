"""A history pool of generated batches (Shrivastava et al. 2017): the discriminator sometimes
sees an older batch instead of the newest one."""
import tensorflow as tf

_POOLS = {}  # name -> _Pool: TF1 kept the pool in a graph queue; TF2 keeps it for the process


class _Pool:
    """`pool_size` stored batches in variables; shared by every call with the same name."""

    def __init__(self, name, pool_size, flat):
        self.size = pool_size
        self.specs = [tf.TensorSpec(v.shape, v.dtype) for v in flat]
        with tf.init_scope():  # lifted out of any tf.function, so every later trace shares them
            self.stored = [tf.Variable(tf.zeros([pool_size, *v.shape], v.dtype), trainable=False,
                                       name=f"{name}_{i}") for i, v in enumerate(flat)]
            self.count = tf.Variable(0, dtype=tf.int32, trainable=False, name=f"{name}_count")

    def check(self, name, pool_size, flat):
        specs = [tf.TensorSpec(v.shape, v.dtype) for v in flat]
        if pool_size != self.size or specs != self.specs:
            raise ValueError(f"tensor_pool {name!r} holds pool_size={self.size} of {self.specs}; got "
                             f"pool_size={pool_size} of {specs}: give another pool another name")

    def __call__(self, flat, pooling_probability):
        filling = self.count < self.size  # while filling, keep each batch and return it
        slot = tf.where(filling, tf.identity(self.count), tf.random.uniform([], 0, self.size, dtype=tf.int32))
        use_old = tf.logical_and(tf.logical_not(filling), tf.random.uniform([]) < pooling_probability)
        self.count.assign(tf.minimum(self.count + 1, self.size))
        outputs = []
        for stored, value in zip(self.stored, flat):
            old = tf.identity(stored[slot])
            stored[slot].assign(value)
            outputs.append(tf.where(use_old, old, value))
        return outputs


def tensor_pool(input_values, pool_size=50, pooling_probability=0.5, name="tensor_pool"):
    """Returns `input_values` (a tensor or a structure of them, e.g. `(generated_data,
    generator_inputs)`) or, once `pool_size` batches are stored, with probability
    `pooling_probability` (a float or a scalar tensor) a random stored batch, which the
    input then replaces. Every input is stored, whatever the probability. Calls with the
    same `name` share one pool, in `tf.Variable`s kept for the process (not in
    checkpoints), eagerly and in `tf.function`; shapes must be fully defined (a fixed
    batch size). `pool_size=0` returns `input_values` untouched (e.g. at evaluation).

    >>> loss = gan.gan_loss(model, tensor_pool_fn=lambda values: tensor_pool(values, pool_size=50))
    """
    pool_size = int(pool_size)
    if pool_size < 0:
        raise ValueError(f"pool_size must be a non-negative integer; got {pool_size!r}")
    if pool_size == 0:
        return input_values
    flat = [tf.convert_to_tensor(v) for v in tf.nest.flatten(input_values)]
    for value in flat:
        if not value.shape.is_fully_defined():
            raise ValueError(f"tensor_pool needs fully defined shapes (a fixed batch size); got {value.shape}")
    if name not in _POOLS:
        _POOLS[name] = _Pool(name, pool_size, flat)
    _POOLS[name].check(name, pool_size, flat)
    outputs = _POOLS[name](flat, tf.cast(pooling_probability, tf.float32))
    return tf.nest.pack_sequence_as(input_values, outputs)
