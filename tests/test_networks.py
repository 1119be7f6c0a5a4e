"""Tests for gan.networks: shapes, ranges, conditioning and TF-GAN's MNIST architecture."""
import collections

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan import networks

NOISE_DIMS = 16
NUM_CLASSES = 10
BATCH = 3


def _inputs(data_shape, conditional):
    noise = keras.Input((NOISE_DIMS,))
    z = (noise, keras.Input((NUM_CLASSES,))) if conditional else noise
    return keras.Input(data_shape), z


def _build(pair, data_shape, conditional=False):
    """Builds the generator and discriminator models the way the estimator does."""
    x, z = _inputs(data_shape, conditional)
    generator = keras.Model(z, pair.generator_fn(z))
    discriminator = keras.Model([x, z], pair.discriminator_fn(x, z))
    return generator, discriminator


def _batch(data_shape, labels=None, noise_scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    noise = (noise_scale * rng.standard_normal((BATCH, NOISE_DIMS))).astype("float32")
    data = rng.uniform(-1, 1, (BATCH, *data_shape)).astype("float32")
    if labels is None:
        return data, noise
    return data, (noise, np.eye(NUM_CLASSES, dtype="float32")[labels])


def _layer_types(model):
    return collections.Counter(type(layer).__name__ for layer in model.layers)


@pytest.mark.parametrize(
    "size, expected",
    [((8, 8), (1, (4, 4))), ((28, 28), (2, (7, 7))), ((32, 32), (3, (4, 4))),
     ((64, 64), (4, (4, 4))), ((6, 6), (0, (6, 6))), ((28, 32), (2, (7, 8))),
     ((32, 18), (1, (16, 9)))],
)
def test_upsampling_plan_doubles_back_to_the_size(size, expected):
    assert networks.upsampling_plan(*size) == expected


@pytest.mark.parametrize("data_shape", [(8, 8, 1), (28, 28, 1), (32, 32, 3), (32, 18, 2)])
def test_dcgan_shapes_and_tanh_range(data_shape):
    generator, discriminator = _build(networks.dcgan(data_shape, base_filters=4), data_shape)
    data, noise = _batch(data_shape, noise_scale=50.0)
    samples = generator(noise, training=True).numpy()
    assert samples.shape == (BATCH, *data_shape)
    assert np.all(np.abs(samples) <= 1.0) and np.abs(samples).max() > 0.5
    assert discriminator([data, noise]).shape == (BATCH, 1)


def test_dcgan_upsamples_28_through_7_and_14():
    generator, _ = _build(networks.dcgan((28, 28, 1), base_filters=4), (28, 28, 1))
    reshape = next(layer for layer in generator.layers if isinstance(layer, keras.layers.Reshape))
    assert reshape.output.shape[1:] == (7, 7, 16)
    deconvs = [layer for layer in generator.layers
               if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [layer.output.shape[1:] for layer in deconvs] == [(14, 14, 8), (28, 28, 4)]


def test_dcgan_options_change_the_layers():
    data_shape = (32, 32, 3)
    plain_g, plain_d = _build(networks.dcgan(data_shape, base_filters=4), data_shape)
    sn_g, sn_d = _build(
        networks.dcgan(data_shape, base_filters=4, spectral_norm=True, batch_norm=False), data_shape
    )
    assert _layer_types(plain_g)["BatchNormalization"] == 4  # projection + 3 doublings
    assert _layer_types(sn_g)["BatchNormalization"] == 0
    assert _layer_types(plain_d)["SpectralNormalization"] == 0
    assert _layer_types(sn_d)["SpectralNormalization"] == 4  # 3 strided convs + dense
    assert all(layer.negative_slope == pytest.approx(0.2)
               for layer in sn_d.layers if isinstance(layer, keras.layers.LeakyReLU))


@pytest.mark.parametrize("factory, data_shape", [
    (lambda shape: networks.dcgan(shape, base_filters=4, conditional=True), (8, 8, 1)),
    (lambda shape: networks.mlp(shape, hidden_units=(8,), conditional=True), (2,)),
])
def test_conditional_outputs_depend_on_labels(factory, data_shape):
    generator, discriminator = _build(factory(data_shape), data_shape, conditional=True)
    data, (noise, labels_a) = _batch(data_shape, labels=[0, 1, 2])
    _, (_, labels_b) = _batch(data_shape, labels=[7, 8, 9])
    samples_a = generator((noise, labels_a)).numpy()
    assert samples_a.shape == (BATCH, *data_shape)
    assert not np.allclose(samples_a, generator((noise, labels_b)).numpy())
    logits_a = discriminator([data, (noise, labels_a)]).numpy()
    assert logits_a.shape == (BATCH, 1)
    assert not np.allclose(logits_a, discriminator([data, (noise, labels_b)]).numpy())


@pytest.mark.parametrize("data_shape", [(2,), (3, 4)])
def test_mlp_shapes_and_unbounded_output(data_shape):
    generator, discriminator = _build(networks.mlp(data_shape, hidden_units=(8, 8)), data_shape)
    data, noise = _batch(data_shape, noise_scale=100.0)
    samples = generator(noise).numpy()
    assert samples.shape == (BATCH, *data_shape)
    assert np.abs(samples).max() > 1.0  # linear output, not squashed
    assert discriminator([data, noise]).shape == (BATCH, 1)
    assert _layer_types(generator)["Dense"] == 3
    assert generator.layers[-1 if len(data_shape) == 1 else -2].activation.__name__ == "linear"


def test_unconditional_discriminator_model_accepts_unused_noise_input():
    _, discriminator = _build(networks.mlp((2,), hidden_units=(4,)), (2,))
    data, noise = _batch((2,))
    assert discriminator.predict([data, noise], verbose=0).shape == (BATCH, 1)


@pytest.fixture(scope="module")
def mnist_models():
    return _build(networks.tfgan_mnist(), (28, 28, 1))


def test_tfgan_mnist_layer_structure(mnist_models):
    generator, discriminator = mnist_models
    assert _layer_types(generator) == {
        "InputLayer": 1, "Dense": 2, "BatchNormalization": 4, "ReLU": 4, "Reshape": 1,
        "Conv2DTranspose": 2, "Conv2D": 1, "Activation": 1,
    }
    assert _layer_types(discriminator) == {
        "InputLayer": 2, "SpectralNormalization": 3, "LeakyReLU": 3, "Flatten": 1,
        "BatchStatsNormalization": 1, "Dense": 1,
    }
    wrapped = [type(layer.layer).__name__ for layer in discriminator.layers
               if isinstance(layer, keras.layers.SpectralNormalization)]
    assert wrapped == ["Conv2D", "Conv2D", "Dense"]
    assert [layer.output.shape[1:] for layer in generator.layers
            if isinstance(layer, (keras.layers.Conv2DTranspose, keras.layers.Conv2D))] == [
        (14, 14, 64), (28, 28, 32), (28, 28, 1)]
    assert all(layer.negative_slope == pytest.approx(0.01)
               for layer in discriminator.layers if isinstance(layer, keras.layers.LeakyReLU))
    norms = [layer for model in mnist_models for layer in model.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 5
    assert all(n.momentum == pytest.approx(0.999) for n in norms)
    assert all(n.epsilon == pytest.approx(0.001) for n in norms)


def test_tfgan_mnist_l2_penalty_on_every_kernel(mnist_models):
    for model, kernels in zip(mnist_models, (5, 4)):
        kernel_values = [w.numpy() for w in model.trainable_weights if w.name == "kernel"]
        assert len(kernel_values) == kernels
        assert len(model.losses) == kernels
        expected = 2.5e-5 * sum(float(np.sum(k.astype("float64") ** 2)) for k in kernel_values)
        actual = sum(float(loss) for loss in model.losses)
        assert actual == pytest.approx(expected, rel=1e-4)


def _trainable_count(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_tfgan_mnist_parameter_count(mnist_models):
    generator, discriminator = mnist_models
    conv = lambda k, c_in, c_out: k * k * c_in * c_out + c_out  # kernel + bias
    bn = lambda c: 2 * c  # gamma, beta
    expected_generator = (
        NOISE_DIMS * 1024 + bn(1024)  # dense without bias
        + 1024 * 7 * 7 * 128 + bn(7 * 7 * 128)
        + conv(4, 128, 64) + bn(64) + conv(4, 64, 32) + bn(32) + conv(4, 32, 1)
    )
    expected_discriminator = (
        conv(4, 1, 64) + conv(4, 64, 128)
        + 7 * 7 * 128 * 1024 + bn(1024)  # dense without bias
        + 1024 + 1  # final dense with bias
    )
    assert _trainable_count(generator) == expected_generator == 6_618_145
    assert _trainable_count(discriminator) == expected_discriminator == 6_557_889


def test_tfgan_mnist_conditional_adds_embedding_and_projection(mnist_models):
    generator, discriminator = _build(networks.tfgan_mnist(conditional=True), (28, 28, 1), True)
    conditioning = lambda features: NUM_CLASSES * 256 + 256 * features + features
    assert _trainable_count(generator) - _trainable_count(mnist_models[0]) == conditioning(1024)
    assert _trainable_count(discriminator) - _trainable_count(mnist_models[1]) == conditioning(6272)
    assert _layer_types(discriminator)["SpectralNormalization"] == 4
    data, z = _batch((28, 28, 1), labels=[1, 2, 3])
    assert generator(z).shape == (BATCH, 28, 28, 1)
    assert discriminator([data, z]).shape == (BATCH, 1)


def test_batch_stats_normalization_ignores_inference_mode():
    x = keras.Input((4,))
    model = keras.Model(x, networks.BatchStatsNormalization(epsilon=0.001)(x))
    data = np.random.default_rng(0).normal(5.0, 3.0, (64, 4)).astype("float32")
    out = model(data, training=False).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-3)


def test_registry_names_and_options():
    assert networks.names() == ["dcgan", "mlp", "tfgan_mnist", "translator"]
    generator, _ = _build(networks.get("mlp", (2,), hidden_units=(5,)), (2,))
    units = [layer.units for layer in generator.layers if isinstance(layer, keras.layers.Dense)]
    assert units == [5, 2]


def test_unknown_name_lists_accepted_names():
    expected = r"unknown network 'resnet'; accepted: dcgan, mlp, tfgan_mnist, translator$"
    with pytest.raises(ValueError, match=expected):
        networks.get("resnet", (28, 28, 1))


@pytest.mark.parametrize("call, message", [
    (lambda: networks.dcgan((28, 28)), "data_shape"),
    (lambda: networks.dcgan((28, 0, 1)), "data_shape"),
    (lambda: networks.mlp((2.5,)), "data_shape"),
    (lambda: networks.dcgan((8, 8, 1), base_filters=0), "base_filters"),
    (lambda: networks.mlp((2,), hidden_units=(8, -1)), "hidden_units"),
    (lambda: networks.tfgan_mnist((32, 32, 3)), "28x28x1"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_generator_inputs_must_match_conditional():
    pair = networks.mlp((2,), hidden_units=(4,), conditional=True)
    with pytest.raises(ValueError, match="noise, one_hot_labels"):
        pair.generator_fn(keras.Input((NOISE_DIMS,)))
    unconditional = networks.dcgan((8, 8, 1), base_filters=4)
    with pytest.raises(ValueError, match="conditional=True"):
        unconditional.generator_fn((keras.Input((NOISE_DIMS,)), keras.Input((NUM_CLASSES,))))


def test_gradients_reach_every_generator_weight_through_the_discriminator():
    data_shape = (8, 8, 1)
    pair = networks.dcgan(data_shape, base_filters=4, spectral_norm=True, conditional=True)
    generator, discriminator = _build(pair, data_shape, conditional=True)
    # Keras refuses nested inputs that mix tensors and numpy arrays.
    z = tf.nest.map_structure(tf.convert_to_tensor, _batch(data_shape, labels=[0, 1, 2])[1])
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(discriminator([generator(z, training=True), z], training=True))
    gradients = tape.gradient(loss, generator.trainable_weights)
    assert len(gradients) == len(generator.trainable_weights) > 0
    assert all(g is not None and float(tf.reduce_sum(tf.abs(g))) > 0 for g in gradients)


def _kernel_and_vector(layer):
    return layer.kernel.numpy().copy(), layer.vector_u.numpy().copy()


@pytest.mark.parametrize("units", [8, 1024])  # 1024 x 1024: fused with XLA
def test_spectral_normalization_equals_keras_in_float32(units):
    from gan.networks.core import FUSED_NORMALIZATION_MIN_WEIGHTS, SpectralNormalization
    assert (units * 1024 >= FUSED_NORMALIZATION_MIN_WEIGHTS) == (units == 1024)
    ours, theirs = SpectralNormalization(keras.layers.Dense(units)), keras.layers.SpectralNormalization(
        keras.layers.Dense(units))
    x = tf.random.stateless_normal([4, 1024], seed=[1, 2])
    ours(x), theirs(x)
    theirs.layer.kernel.assign(ours.layer.kernel)
    theirs.vector_u.assign(ours.vector_u)
    call = tf.function(lambda layer: layer(x, training=True))
    for _ in range(3):
        out_ours, out_theirs = call(ours), call(theirs)
    np.testing.assert_allclose(out_ours, out_theirs, rtol=1e-4, atol=1e-5)
    for a, b in zip(_kernel_and_vector(ours), _kernel_and_vector(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_spectral_normalization_keeps_float32_weights_under_mixed_bfloat16():
    """Keras' wrapper normalizes the bfloat16 copy and stores it, rounding every weight to 8 bits."""
    from gan.networks.core import SpectralNormalization

    def bfloat16_representable(kernel):
        return np.array_equal(kernel, tf.cast(tf.cast(kernel, tf.bfloat16), tf.float32).numpy())

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        ours, theirs = SpectralNormalization(keras.layers.Dense(16)), keras.layers.SpectralNormalization(
            keras.layers.Dense(16))
        x = tf.random.stateless_normal([4, 32], seed=[3, 4])
        ours(x), theirs(x)
        theirs.layer.kernel.assign(ours.layer.kernel)
        theirs.vector_u.assign(ours.vector_u)
        out = ours(x, training=True)
        theirs(x, training=True)
    finally:
        keras.config.set_dtype_policy(previous)
    assert out.dtype == tf.bfloat16 and ours.kernel.dtype == "float32"
    assert bfloat16_representable(theirs.kernel.numpy())  # what this layer avoids
    assert not bfloat16_representable(ours.kernel.numpy())
    np.testing.assert_allclose(ours.kernel.numpy(), theirs.kernel.numpy(), rtol=2e-2, atol=2e-3)  # else the same


def test_l2_regularizer_equals_keras_in_value_and_gradient_and_round_trips():
    from gan.networks.core import L2
    w = tf.Variable(tf.random.stateless_normal([30, 20], seed=[5, 6]))
    values, grads = [], []
    for regularizer in (L2(0.01), keras.regularizers.L2(0.01)):
        with tf.GradientTape() as tape:
            value = regularizer(w)
        values.append(float(value))
        grads.append(tape.gradient(value, w).numpy())
    assert values[0] == pytest.approx(values[1], rel=1e-6)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
    restored = keras.regularizers.deserialize(keras.regularizers.serialize(L2(0.25)))
    assert isinstance(restored, L2) and restored.l2 == pytest.approx(0.25)
