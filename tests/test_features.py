"""gan.features: TF-GAN's features on TF2 and Keras 3, each against its formula."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan import features

RNG = np.random.default_rng(0)


def close(a, b, tol=1e-4):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_clipping_optimizer_keeps_variables_in_range_eagerly_and_in_tf_function():
    kernel = tf.Variable(RNG.normal(size=(3, 3)).astype("float32"))
    other = tf.Variable(5.0)
    opt = features.clip_variables(keras.optimizers.Adam(0.5), [kernel], 0.01)

    @tf.function
    def step():
        opt.apply_gradients([(tf.ones_like(kernel), kernel), (tf.constant(-1.0), other)])

    opt.apply_gradients([(tf.ones_like(kernel), kernel), (tf.constant(-1.0), other)])
    step()
    assert float(tf.reduce_max(tf.abs(kernel))) <= 0.01 + 1e-7
    assert float(other) > 5.0  # not listed: moved by Adam, not clipped
    assert int(opt.iterations.numpy()) == 2


def test_clip_discriminator_weights_reads_the_model():
    def g(z):
        return keras.layers.Dense(2)(z)

    def d(x, z):
        return keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(3.0))(x)

    model = gan.gan_model(g, d, tf.zeros([4, 2]), tf.zeros([4, 3]), generator_scope="ClipG")
    opt = features.clip_discriminator_weights(keras.optimizers.SGD(0.1), model, 0.05)
    opt.apply_gradients([(tf.zeros_like(v), v) for v in model.discriminator_variables])
    assert all(float(tf.reduce_max(tf.abs(v))) <= 0.05 + 1e-7 for v in model.discriminator_variables)


def test_clipping_along_dimensions_bounds_the_norm():
    w = tf.Variable(RNG.normal(size=(4, 3)).astype("float32") * 10)
    opt = features.VariableClippingOptimizer(keras.optimizers.SGD(0.0), [(w, [0])], 1.0)
    opt.apply_gradients([(tf.zeros_like(w), w)])
    close(tf.norm(w, axis=0), np.ones(3))


def test_condition_tensor_adds_a_projection_eagerly_and_on_keras_inputs():
    tensor, conditioning = tf.zeros([2, 3, 4]), tf.constant([[1.0, 0.0], [0.0, 1.0]])
    out = features.condition_tensor(tensor, conditioning)
    assert out.shape == (2, 3, 4) and float(tf.reduce_sum(tf.abs(out))) > 0
    inputs, labels = keras.Input((5,)), keras.Input((10,))
    model = keras.Model([inputs, labels], features.condition_tensor_from_onehot(inputs, labels, embedding_size=7))
    one_hot = tf.one_hot([3, 3, 4], 10)
    out = model([tf.zeros([3, 5]), one_hot]).numpy()
    close(out[0], out[1])  # same class, same conditioning
    assert not np.allclose(out[0], out[2])
    with pytest.raises(ValueError, match="at least 2-D"):
        features.condition_tensor(tensor, tf.zeros([2]))


def test_group_and_instance_norm_match_their_formulas():
    x = tf.constant(RNG.normal(size=(2, 4, 4, 6)).astype("float32"))
    out = features.group_norm(x, groups=2, epsilon=0.0)
    groups = x.numpy().reshape(2, 4, 4, 2, 3)
    mean, var = groups.mean(axis=(1, 2, 4), keepdims=True), groups.var(axis=(1, 2, 4), keepdims=True)
    close(out, ((groups - mean) / np.sqrt(var)).reshape(2, 4, 4, 6), tol=1e-3)
    inst = features.instance_norm(x, epsilon=0.0)
    m, v = x.numpy().mean(axis=(1, 2), keepdims=True), x.numpy().var(axis=(1, 2), keepdims=True)
    close(inst, (x.numpy() - m) / np.sqrt(v), tol=1e-3)
    with pytest.raises(ValueError, match="reduction_axes"):
        features.group_norm(x, groups=2, reduction_axes=(-2,))


def test_tensor_pool_fills_then_returns_stored_batches():
    batches = [tf.fill([2, 3], float(i)) for i in range(6)]
    outs = [features.tensor_pool(b, pool_size=3, pooling_probability=1.0, name="always") for b in batches]
    for b, out in zip(batches[:3], outs[:3]):  # filling: the input comes back
        close(out, b)
    for i, out in enumerate(outs[3:], start=3):  # full: always an older stored batch
        assert float(out[0, 0]) < i
    pooled = tf.function(lambda v: features.tensor_pool(v, pool_size=2, name="fn"))
    assert pooled((tf.zeros([2, 3]), tf.ones([2, 1])))[1].shape == (2, 1)


def test_spectral_norm_converges_to_the_largest_singular_value():
    w = tf.Variable(RNG.normal(size=(6, 4)).astype("float32"))
    largest = np.linalg.svd(w.numpy(), compute_uv=False)[0]
    close(features.compute_spectral_norm(w, power_iteration_rounds=50), largest, tol=1e-3)
    for _ in range(30):  # one round per call, the vector persisting between calls
        sigma = features.compute_spectral_norm(w)
    close(sigma, largest, tol=1e-3)
    normalized = features.spectral_normalize(w, power_iteration_rounds=50)
    close(np.linalg.svd(normalized.numpy(), compute_uv=False)[0], 1.0, tol=1e-3)
    small = tf.Variable(w.numpy() / (10 * largest))
    close(features.spectral_normalize(small, 20, equality_constrained=False), small)
    close(features.spectral_norm_regularizer(0.5, 50)(w), 0.5 * largest, tol=1e-3)
    with pytest.raises(ValueError, match="keras.layers.SpectralNormalization"):
        features.spectral_normalization_custom_getter()


def test_vbn_normalizes_with_the_reference_batch_statistics():
    reference = RNG.normal(2.0, 3.0, size=(5, 3)).astype("float32")
    vbn = features.VBN(tf.constant(reference), epsilon=0.0)
    ref_out = vbn.reference_batch_normalization().numpy()
    close(ref_out, (reference - reference.mean(0)) / reference.std(0), tol=1e-3)
    x = RNG.normal(size=(2, 3)).astype("float32")
    out = vbn(x).numpy()
    for i in range(2):  # each example: the statistics of the reference batch plus itself
        virtual = np.concatenate([reference, x[i:i + 1]])
        close(out[i], (x[i] - virtual.mean(0)) / virtual.std(0), tol=1e-3)


def test_conditional_networks_in_tfgan_style_train_in_the_estimator(tmp_path):
    def generator_fn(inputs):
        noise, one_hot = inputs
        h = features.condition_tensor_from_onehot(keras.layers.Dense(8, activation="relu")(noise), one_hot, 4)
        return keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(h))

    def discriminator_fn(images, inputs):
        h = keras.layers.Dense(8, activation="relu")(keras.layers.Flatten()(images))
        return keras.layers.Dense(1)(features.condition_tensor_from_onehot(h, inputs[1], 4))

    est = gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(tmp_path))
    est.train(gan.data.gan_input_fn("digits", 8, noise_dims=4, conditional=True), max_steps=2, progress=False)
    assert est.global_step == 2


def test_tensor_pool_stores_at_probability_zero_and_passes_through_at_size_zero():
    value = tf.ones([2])
    assert features.tensor_pool(value, pool_size=0, name="off") is value  # TF-GAN: no pool at all
    with pytest.raises(ValueError, match="non-negative"):
        features.tensor_pool(value, pool_size=-1)
    for i in range(3):  # probability 0: the input comes back, and is still stored
        close(features.tensor_pool(tf.fill([2], float(i)), pool_size=3, pooling_probability=0.0, name="p0"), [i, i])
    old = features.tensor_pool(tf.fill([2], 9.0), pool_size=3, pooling_probability=1.0, name="p0")
    assert float(old[0]) in (0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="another name"):
        features.tensor_pool(tf.ones([3]), pool_size=3, name="p0")


def test_tensor_pool_takes_a_tensor_probability_in_tf_function():
    pooled = tf.function(lambda v, p: features.tensor_pool(v, pool_size=2, pooling_probability=p, name="tensor_p"))
    outs = [float(pooled(tf.fill([1], float(i)), tf.constant(1.0))[0]) for i in range(5)]
    assert outs[:2] == [0.0, 1.0] and all(out < i for i, out in enumerate(outs) if i >= 2)


def test_clipping_optimizer_takes_tfgan_arguments_and_clips_only_updated_variables():
    with pytest.raises(ValueError, match="non-negative"):
        features.clip_variables(keras.optimizers.Adam(), [], -0.1)
    updated, untouched = tf.Variable([3.0, -3.0]), tf.Variable([3.0])
    opt = features.VariableClippingOptimizer(keras.optimizers.SGD(0.0), {updated.ref(): [], untouched.ref(): []},
                                             1.0, True, True, "Clip")  # TF-GAN's positional arguments
    opt.apply_gradients([(tf.zeros([2]), updated)], global_step=None)
    close(updated, [1.0, -1.0])
    close(untouched, [3.0])  # no gradient this step: left alone, as TF-GAN did


def test_clipping_optimizer_trains_keras_model_in_xla_tf_function():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    opt = features.clip_variables(keras.optimizers.Adam(0.5), model.trainable_variables, 0.05)

    @tf.function(jit_compile=True)
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))

    for _ in range(2):
        step(tf.random.normal([8, 3]))
    assert all(float(tf.reduce_max(tf.abs(v))) <= 0.05 + 1e-7 for v in model.trainable_variables)
    assert int(opt.iterations.numpy()) == 2


def test_group_norm_activation_may_be_a_tf_function_on_keras_inputs():
    inputs = keras.Input((2, 2, 4))
    model = keras.Model(inputs, features.group_norm(inputs, groups=2, activation_fn=tf.nn.relu))
    out = model(tf.constant(RNG.normal(size=(3, 2, 2, 4)).astype("float32"))).numpy()
    assert out.min() == 0.0 and out.max() > 0.0


def test_spectral_norm_power_vector_is_dropped_with_its_variable():
    from gan.features import spectral_normalization
    w = tf.Variable(RNG.normal(size=(3, 2)).astype("float32"))
    features.compute_spectral_norm(w)
    before = len(spectral_normalization._POWER_VECTORS)
    del w
    assert len(spectral_normalization._POWER_VECTORS) == before - 1


def test_vbn_is_a_keras_layer_inside_a_network_function():
    reference = RNG.normal(1.0, 2.0, size=(6, 4)).astype("float32")
    inputs, reference_input = keras.Input((4,)), keras.Input((4,), batch_size=6)
    dense = keras.layers.Dense(3, kernel_initializer="identity")
    vbn = features.VBN(dense(reference_input), gamma_regularizer=keras.regularizers.L2(0.5))
    model = keras.Model([inputs, reference_input], vbn(dense(inputs)))
    assert {v.path for v in model.trainable_variables} >= {f"{vbn.name}/beta", f"{vbn.name}/gamma"}
    close(model.losses[0], 0.5 * 3)  # gamma starts at ones
    x = RNG.normal(size=(2, 4)).astype("float32")
    out = model([x, reference]).numpy()
    h, ref = x[:, :3], reference[:, :3]
    for i in range(2):
        virtual = np.concatenate([ref, h[i:i + 1]])
        close(out[i], (h[i] - virtual.mean(0)) / np.sqrt(virtual.var(0) + 1e-3), tol=1e-3)
    shifted = model([x, reference + 5.0]).numpy()  # statistics follow the reference batch fed in
    assert not np.allclose(out, shifted)


def test_vbn_on_images_uses_per_example_spatial_statistics():
    images = RNG.normal(size=(4, 3, 3, 2)).astype("float32")
    out = features.VBN(images, epsilon=0.0)(images[:1]).numpy()
    weight = 1 / 5  # one example beside a reference batch of four
    mean = weight * images[0].mean((0, 1)) + (1 - weight) * images.mean((0, 1, 2))
    mean_sq = weight * (images[0] ** 2).mean((0, 1)) + (1 - weight) * (images ** 2).mean((0, 1, 2))
    close(out[0], (images[0] - mean) / np.sqrt(mean_sq - mean ** 2), tol=1e-3)
    with pytest.raises(ValueError, match="do not match"):
        features.VBN(images)(tf.zeros([1, 3, 3, 5]))


def test_vbn_in_a_discriminator_fn_trains_in_the_estimator(tmp_path):
    reference = RNG.uniform(-1, 1, size=(16, 8, 8, 1)).astype("float32")
    layers = []

    def generator_fn(noise):
        return keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(noise))

    def discriminator_fn(images, noise):
        layers.append(features.VBN(reference))
        return keras.layers.Dense(1)(keras.layers.Flatten()(layers[-1](images)))

    est = gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(tmp_path))
    est.train(gan.data.gan_input_fn("digits", 8, noise_dims=4), max_steps=2, progress=False)
    assert est.global_step == 2
    assert not np.allclose(layers[-1].gamma.numpy(), 1.0)  # a weight of the discriminator: trained
