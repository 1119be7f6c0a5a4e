"""Spectral normalisation (Miyato et al. 2018): a weight divided by its largest singular value,
estimated by power iteration whose vector persists between calls (one per variable)."""
import weakref

import keras
import tensorflow as tf

_POWER_VECTORS = {}  # id of a tf.Variable -> its persistent left singular vector estimate


def _unwrap(w):
    """The tf.Variable under a Keras variable; anything else as is."""
    return w.value if isinstance(w, keras.Variable) else w


def _matrix(w_tensor):
    w = tf.convert_to_tensor(_unwrap(w_tensor))
    return tf.reshape(w, [-1, w.shape[-1]])


def _power_vector(w_tensor, rows):
    variable = _unwrap(w_tensor)
    if not isinstance(variable, tf.Variable):
        return None
    key = id(variable)
    if key not in _POWER_VECTORS:
        with tf.init_scope():  # lifted out of any tf.function, so every later trace shares it
            _POWER_VECTORS[key] = tf.Variable(tf.math.l2_normalize(tf.random.normal([rows, 1], dtype=variable.dtype)),
                                              trainable=False)
        # Dropped with its variable, so a new variable that reuses the id starts afresh.
        weakref.finalize(variable, _POWER_VECTORS.pop, key, None)
    return _POWER_VECTORS[key]


def compute_spectral_norm(w_tensor, power_iteration_rounds=1, training=True, name=None):
    """The largest singular value of `w_tensor` reshaped to [-1, last dim], by power iteration.

    For a variable the iteration's vector is kept between calls (and updated when
    `training`), so one round per call converges over training as in the paper.

    >>> float(compute_spectral_norm(tf.Variable([[3.0, 0.0], [0.0, 1.0]]), power_iteration_rounds=20))
    3.0
    """
    w = _matrix(w_tensor)
    stored = _power_vector(w_tensor, w.shape[0])
    u = stored if stored is not None else tf.math.l2_normalize(tf.random.normal([w.shape[0], 1]))
    u = tf.convert_to_tensor(u)
    for _ in range(power_iteration_rounds):
        v = tf.math.l2_normalize(tf.matmul(w, u, transpose_a=True))
        u = tf.math.l2_normalize(tf.matmul(w, v))
    u, v = tf.stop_gradient(u), tf.stop_gradient(v)
    if stored is not None and training:
        stored.assign(u)
    return tf.squeeze(tf.matmul(tf.matmul(u, w, transpose_a=True), v))


def spectral_normalize(w, power_iteration_rounds=1, equality_constrained=True, training=True, name=None):
    """`w / sigma(w)`, or with `equality_constrained=False` `w / max(1, sigma(w))`.

    >>> spectral_normalize(kernel)   # spectral norm 1
    """
    sigma = compute_spectral_norm(w, power_iteration_rounds, training)
    if not equality_constrained:
        sigma = tf.maximum(sigma, 1.0)
    return tf.convert_to_tensor(_unwrap(w)) / sigma


def spectral_norm_regularizer(scale, power_iteration_rounds=1, training=True, scope=None):
    """A regularizer `w -> scale * sigma(w)`, usable as a Keras `kernel_regularizer`.

    >>> keras.layers.Dense(64, kernel_regularizer=spectral_norm_regularizer(0.01))
    """
    if scale < 0:
        raise ValueError(f"spectral_norm_regularizer needs scale >= 0; got {scale!r}")

    def regularizer(weights):
        return scale * compute_spectral_norm(weights, power_iteration_rounds, training)
    return regularizer


def spectral_normalization_custom_getter(name_filter=None, power_iteration_rounds=1, equality_constrained=True,
                                         training=True):
    """TF1 variable getters do not exist in TF2: this raises, naming the Keras replacement."""
    raise ValueError("spectral_normalization_custom_getter needs TF1 variable scopes, which TF2 removed; wrap the "
                     "layers instead: keras.layers.SpectralNormalization(keras.layers.Conv2D(...), "
                     f"power_iterations={power_iteration_rounds})")
