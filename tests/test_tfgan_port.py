"""Programs written in TF-GAN's style run here after changing `import tensorflow_gan as tfgan`
to `import gan as tfgan` (and the edits TensorFlow 2.16 itself forces: Keras layers and optimizers
instead of tf.layers and tf.train)."""
import itertools

import keras
import numpy as np
import tensorflow as tf

import gan as tfgan

BATCH, NOISE = 8, 4


def real_points():
    points = np.random.default_rng(0).normal(size=(256, 2)).astype("float32") * 0.1 + 1.0
    return iter(tf.data.Dataset.from_tensor_slices(points).repeat().batch(BATCH))


def unconditional_generator(noise, mode):
    is_training = mode == tfgan.estimator.ModeKeys.TRAIN
    h = keras.layers.Dense(8, activation="relu")(noise)
    h = keras.layers.Dropout(0.1)(h, training=is_training)
    return keras.layers.Dense(2)(h)


def unconditional_discriminator(data, unused_conditioning):
    return keras.layers.Dense(1)(keras.layers.Dense(8, activation="tanh")(data))


def test_estimator_program_with_params_and_eval_metric_ops(tmp_path):
    """mnist_estimator's shape: tensor input_fns taking params, TF-GAN tuple losses, metric ops."""
    data = real_points()

    def train_input_fn(params):
        return tf.random.normal([params["batch_size"], NOISE]), next(data)

    def predict_input_fn(params):
        return tf.random.normal([params["batch_size"], NOISE])

    def get_eval_metric_ops_fn(gan_model):
        return {
            "real_data_logits": (tf.reduce_mean(gan_model.discriminator_real_outputs), None),
            "gen_data_logits": tf.reduce_mean(gan_model.discriminator_gen_outputs),
        }

    gan_estimator = tfgan.estimator.GANEstimator(
        str(tmp_path),
        generator_fn=unconditional_generator,
        discriminator_fn=unconditional_discriminator,
        generator_loss_fn=tfgan.losses.wasserstein_generator_loss,
        discriminator_loss_fn=tfgan.losses.wasserstein_discriminator_loss,
        generator_optimizer=keras.optimizers.Adam(0.001, 0.5),
        discriminator_optimizer=keras.optimizers.Adam(0.0001, 0.5),
        get_hooks_fn=tfgan.get_sequential_train_hooks(tfgan.GANTrainSteps(1, 2)),
        get_eval_metric_ops_fn=get_eval_metric_ops_fn,
        add_summaries=tfgan.estimator.SummaryType.IMAGES,
        params={"batch_size": BATCH})
    gan_estimator.train(train_input_fn, max_steps=3)
    assert gan_estimator.global_step == 3
    assert int(gan_estimator._trainer.discriminator_optimizer.iterations.numpy()) == 6  # 2 critic steps
    metrics = gan_estimator.evaluate(train_input_fn, steps=2)
    assert {"real_data_logits", "gen_data_logits", "generator_loss", "discriminator_loss"} <= set(metrics)
    assert np.isfinite(metrics["real_data_logits"])
    predictions = np.array(list(itertools.islice(gan_estimator.predict(predict_input_fn), 12)))
    assert predictions.shape == (12, 2)
    tiled = tfgan.eval.python_image_grid(predictions.reshape(12, 1, 2, 1)[:4], grid_shape=(2, 2))
    assert tiled.shape[-1] == 1
    exported = gan_estimator.export_saved_model(str(tmp_path / "export"))
    assert tf.saved_model.load(exported.decode()).signatures["serving_default"] is not None


def test_low_level_pipeline_program(tmp_path):
    """mnist/train_lib's shape: gan_model -> gan_loss -> gan_train_ops -> gan_train with hooks."""
    data = real_points()
    gan_model = tfgan.gan_model(
        generator_fn=lambda noise: keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(noise)),
        discriminator_fn=unconditional_discriminator,
        real_data=lambda: next(data),
        generator_inputs=lambda: tf.random.normal([BATCH, NOISE]),
        generator_scope="PortGenerator")
    gan_loss = tfgan.gan_loss(
        gan_model,
        generator_loss_fn=tfgan.losses.wasserstein_generator_loss,
        discriminator_loss_fn=tfgan.losses.wasserstein_discriminator_loss,
        gradient_penalty_weight=1.0)
    train_ops = tfgan.gan_train_ops(
        gan_model, gan_loss,
        generator_optimizer=keras.optimizers.Adam(0.001, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(0.0001, beta_1=0.5),
        summarize_gradients=True)
    train_steps = tfgan.GANTrainSteps(generator_train_steps=1, discriminator_train_steps=1)
    final_step = tfgan.gan_train(
        train_ops, hooks=[tfgan.StopAtStepHook(num_steps=4)], logdir=str(tmp_path),
        get_hooks_fn=tfgan.get_sequential_train_hooks(train_steps))
    assert final_step == 4
    assert tf.train.latest_checkpoint(str(tmp_path)) is not None


def test_custom_tuple_style_loss_in_the_estimator(tmp_path):
    """A loss written TF-GAN's way, `my_loss(gan_model, add_summaries=False)`, trains the estimator."""
    seen = []

    def my_generator_loss(gan_model, add_summaries=False):
        seen.append(type(gan_model).__name__)
        return -tf.reduce_mean(gan_model.discriminator_gen_outputs)

    data = real_points()
    est = tfgan.estimator.GANEstimator(
        model_dir=str(tmp_path), generator_fn=unconditional_generator,
        discriminator_fn=unconditional_discriminator, generator_loss_fn=my_generator_loss,
        discriminator_loss_fn=tfgan.losses.wasserstein_discriminator_loss)
    est.train(lambda: (tf.random.normal([BATCH, NOISE]), next(data)), max_steps=2)
    assert est.global_step == 2 and "GANModel" in seen


def test_latent_gan_estimator_fits_latents_of_a_trained_gan(tmp_path):
    """TF-GAN's get_latent_gan_estimator: only z trains, towards the loss, and resumes."""
    data = real_points()
    run = tmp_path / "gan"
    est = tfgan.estimator.GANEstimator(
        model_dir=str(run), generator_fn=unconditional_generator, discriminator_fn=unconditional_discriminator)
    est.train(lambda: (tf.random.normal([BATCH, NOISE]), next(data)), max_steps=2)
    weights = [w.copy() for w in est.networks.generator.get_weights()]
    target = tf.fill([BATCH, 2], 0.5)

    def loss_fn(gan_model, features, labels, add_summaries):
        return tf.reduce_mean(tf.square(gan_model.generated_data - labels))

    params = {"batch_size": BATCH, "z_shape": [NOISE], "learning_rate": 0.05, "input_clip": 1.5,
              "add_summaries": False}
    latent = tfgan.estimator.get_latent_gan_estimator(
        unconditional_generator, unconditional_discriminator, loss_fn, keras.optimizers.Adam, params,
        {"model_dir": str(tmp_path / "latent")}, str(run))
    assert all(np.array_equal(a, b) for a, b in zip(latent.networks.generator.get_weights(), weights))
    before = float(loss_fn(latent._model(target), None, target, False))
    latent.train(lambda: (target, target), max_steps=40)
    after = float(loss_fn(latent._model(target), None, target, False))
    assert after < before and float(tf.reduce_max(tf.abs(latent.z))) <= 1.5
    assert next(latent.predict()).shape == (BATCH, 2)
    resumed = tfgan.estimator.get_latent_gan_estimator(
        unconditional_generator, unconditional_discriminator, loss_fn, keras.optimizers.Adam, params,
        {"model_dir": str(tmp_path / "latent")}, str(run))
    assert resumed.global_step == 40


def test_tpu_estimator_names_its_tf2_replacement():
    with np.testing.assert_raises_regex(ValueError, "strategy=gan.distribute.make_strategy"):
        tfgan.estimator.TPUGANEstimator(generator_fn=unconditional_generator)


def test_stargan_estimator_trains_resumes_and_translates(tmp_path):
    """stargan_estimator's shape: images with one-hot domains, TF-GAN's StarGANEstimator arguments."""
    domains = 3

    def generator_fn(images, targets):
        h = keras.layers.Concatenate()([keras.layers.Flatten()(images), targets])
        return keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16, activation="tanh")(h))

    def discriminator_fn(images, num_domains):
        h = keras.layers.Dense(8, activation="relu")(keras.layers.Flatten()(images))
        return keras.layers.Dense(1)(h), keras.layers.Dense(num_domains)(h)

    images = tf.random.uniform([BATCH, 4, 4, 1], -1, 1, seed=1)
    labels = tf.one_hot(np.arange(BATCH) % domains, domains)

    def make():
        return tfgan.estimator.StarGANEstimator(
            str(tmp_path), generator_fn=generator_fn, discriminator_fn=discriminator_fn,
            generator_optimizer=keras.optimizers.Adam(1e-3), discriminator_optimizer=keras.optimizers.Adam(1e-3),
            get_hooks_fn=tfgan.get_sequential_train_hooks(tfgan.GANTrainSteps(1, 2)))

    est = make()
    est.train(lambda: (images, labels), max_steps=3)
    # The GANEstimator underneath trains the StarGAN: 2 critic updates per step.
    assert est.global_step == 3 and int(est.estimator._trainer.discriminator_optimizer.iterations.numpy()) == 6
    assert est.estimator.model_kind == "stargan"
    assert set(est.evaluate(lambda: (images, labels))) >= {"generator_loss", "discriminator_loss"}
    predict_fn = tfgan.estimator.stargan_prediction_input_fn_wrapper(lambda: (images, tf.one_hot([2] * BATCH, 3)))
    translated = np.stack(list(est.predict(predict_fn)))
    assert translated.shape == (BATCH, 4, 4, 1)
    np.testing.assert_allclose(translated, est.estimator.translate(images, 2), atol=1e-6)
    resumed = make()
    assert resumed.evaluate(lambda: (images, labels))["global_step"] == 3  # restored from model_dir
    resumed.train(lambda: (images, labels), max_steps=4)
    assert resumed.global_step == 4
    # TF-GAN's loss_fn argument: the user's function of the StarGANModel gives both losses.
    seen = []

    def loss_fn(model):
        seen.append(type(model).__name__)
        return tfgan.stargan_loss(model, gradient_penalty_weight=1.0)

    own = tfgan.estimator.StarGANEstimator(str(tmp_path / "own"), generator_fn=generator_fn,
                                           discriminator_fn=discriminator_fn, loss_fn=loss_fn)
    own.train(lambda: (images, labels), max_steps=2)
    assert own.global_step == 2 and set(seen) == {"StarGANModel"}


def test_infogan_program_draws_fresh_noise_from_functions(tmp_path):
    """mnist/train_lib's infogan branch, its noise tensors wrapped in functions (TF2 tensors are fixed values)."""
    data, draws = real_points(), []

    def infogan_noise():
        draws.append(1)
        return ([tf.random.normal([BATCH, NOISE])],
                [tf.random.uniform([BATCH], 0, 3, dtype=tf.int32), tf.random.uniform([BATCH, 1], -1.0, 1.0)])

    def infogan_generator(inputs):
        unstructured, categorical, continuous = inputs
        net = keras.ops.concatenate([unstructured, keras.ops.one_hot(categorical, 3), continuous], axis=1)
        return keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(net))

    def infogan_discriminator(data, unused_conditioning):
        net = keras.layers.Dense(8, activation="tanh")(data)
        return keras.layers.Dense(1)(net), [keras.layers.Dense(3)(net), keras.layers.Dense(1)(net)]

    gan_model = tfgan.infogan_model(
        generator_fn=infogan_generator, discriminator_fn=infogan_discriminator, real_data=lambda: next(data),
        unstructured_generator_inputs=lambda: infogan_noise()[0],
        structured_generator_inputs=lambda: infogan_noise()[1], generator_scope="PortInfoGenerator")
    assert isinstance(gan_model, tfgan.InfoGANModel) and len(gan_model.structured_generator_inputs) == 2
    gan_loss = tfgan.gan_loss(gan_model, generator_loss_fn=tfgan.losses.modified_generator_loss,
                              discriminator_loss_fn=tfgan.losses.modified_discriminator_loss,
                              mutual_information_penalty_weight=1.0)
    train_ops = tfgan.gan_train_ops(gan_model, gan_loss, keras.optimizers.Adam(1e-3, 0.5),
                                    keras.optimizers.Adam(1e-3, 0.5))
    before = len(draws)
    final_step = tfgan.gan_train(train_ops, logdir=str(tmp_path), hooks=[tfgan.StopAtStepHook(num_steps=3)],
                                 get_hooks_fn=tfgan.get_joint_train_hooks())
    assert final_step == 3
    assert len(draws) - before == 2 * 3  # each of the 3 joint updates drew both lists anew


def test_an_optimizer_function_with_a_step_dependent_learning_rate_keeps_it(tmp_path):
    """TF-GAN accepted `generator_optimizer=lambda: ...` with a rate decaying in the global step;
    here the decay follows the optimizer's own step count, through a resume."""
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=2, decay_rate=0.5)
    data = real_points()

    def make():
        return tfgan.estimator.GANEstimator(
            model_dir=str(tmp_path), generator_fn=unconditional_generator,
            discriminator_fn=unconditional_discriminator,
            generator_optimizer=lambda: keras.optimizers.Adam(schedule, beta_1=0.5),
            discriminator_optimizer=lambda: keras.optimizers.Adam(1e-3))

    input_fn = lambda: (tf.random.normal([BATCH, NOISE]), next(data))  # noqa: E731
    make().train(input_fn, max_steps=2)
    est = make()  # resumed: the step count, and so the rate, come back from the checkpoint
    est.train(input_fn, max_steps=4)
    optimizer = est._trainer.generator_optimizer
    assert int(optimizer.iterations.numpy()) == 4
    np.testing.assert_allclose(float(optimizer.learning_rate), 1e-2 * 0.5 ** 2, rtol=1e-5)
