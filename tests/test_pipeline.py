"""TF-GAN's pipeline in TF2: gan_model -> gan_loss -> gan_train_ops -> gan_train, and tuple-style losses."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan.losses import wargs

BATCH, NOISE, CLASSES = 8, 4, 3
RNG = np.random.default_rng(0)
REAL = tf.constant(RNG.normal(size=(BATCH, 2)).astype("float32"))
NOISE_BATCH = tf.constant(RNG.normal(size=(BATCH, NOISE)).astype("float32"))
ONE_HOT = tf.one_hot(np.arange(BATCH) % CLASSES, CLASSES)


def generator_fn(noise):
    return keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.01))(
        keras.layers.Dense(8, activation="relu")(noise))


def discriminator_fn(data, unused_inputs):
    return keras.layers.Dense(1)(keras.layers.Dense(8, activation="tanh")(data))


def acgan_generator_fn(inputs):
    return keras.layers.Dense(2)(keras.layers.Concatenate()(list(inputs)))


def acgan_discriminator_fn(data, unused_inputs):
    h = keras.layers.Dense(8, activation="tanh")(data)
    return keras.layers.Dense(1)(h), keras.layers.Dense(CLASSES)(h)


@pytest.fixture(scope="module")
def model():
    return gan.gan_model(generator_fn, discriminator_fn, real_data=REAL, generator_inputs=NOISE_BATCH)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_gan_model_holds_tfgan_fields_and_reuses_its_networks(model):
    assert isinstance(model, gan.GANModel)
    assert model.generated_data.shape == REAL.shape
    assert model.generator_scope.name == "Generator" and model.discriminator_scope.name == "Discriminator"
    close(model.discriminator_gen_outputs, model.discriminator_fn(model.generated_data, NOISE_BATCH))
    close(model.discriminator_real_outputs, model.discriminator_fn(REAL, NOISE_BATCH))
    assert {id(v) for v in model.generator_variables} == {
        id(v) for v in model.generator_fn.model.trainable_variables}
    again = gan.gan_model(generator_fn, discriminator_fn, REAL, NOISE_BATCH)  # TF-GAN's AUTO_REUSE
    assert again.generator_variables[0] is model.generator_variables[0]
    close(again.generated_data, model.generated_data)


def test_gan_model_checks_shapes():
    with pytest.raises(ValueError, match="must be the same as the real data"):
        gan.gan_model(generator_fn, discriminator_fn, tf.zeros([BATCH, 3]), NOISE_BATCH, generator_scope="G3")


TUPLE_VS_ARGUMENT = [
    ("wasserstein_generator_loss", lambda m: (m.discriminator_gen_outputs,)),
    ("wasserstein_discriminator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
    ("wasserstein_hinge_generator_loss", lambda m: (m.discriminator_gen_outputs,)),
    ("wasserstein_hinge_discriminator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
    ("minimax_generator_loss", lambda m: (m.discriminator_gen_outputs,)),
    ("minimax_discriminator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
    ("modified_generator_loss", lambda m: (m.discriminator_gen_outputs,)),
    ("modified_discriminator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
    ("least_squares_generator_loss", lambda m: (m.discriminator_gen_outputs,)),
    ("least_squares_discriminator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
    ("relativistic_generator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
    ("relativistic_discriminator_loss", lambda m: (m.discriminator_real_outputs, m.discriminator_gen_outputs)),
]


@pytest.mark.parametrize("name, arguments", TUPLE_VS_ARGUMENT, ids=[n for n, _ in TUPLE_VS_ARGUMENT])
def test_tuple_style_loss_equals_argument_style(model, name, arguments):
    tuple_loss, argument_loss = getattr(gan.losses, name), getattr(wargs, name)
    assert tuple_loss is not argument_loss and tuple_loss.__name__ == name
    close(tuple_loss(model), argument_loss(*arguments(model)))


def test_tuple_style_keywords_reach_the_argument_style(model):
    close(gan.losses.minimax_discriminator_loss(model, label_smoothing=0.0),
          wargs.minimax_discriminator_loss(model.discriminator_real_outputs, model.discriminator_gen_outputs,
                                           label_smoothing=0.0))
    close(gan.losses.wasserstein_generator_loss(model, reduction="sum"),
          -tf.reduce_sum(model.discriminator_gen_outputs))


def test_tuple_style_gradient_penalty_reads_the_model(model):
    seed = (1, 2)
    close(gan.losses.wasserstein_gradient_penalty(model, seed=seed),
          wargs.wasserstein_gradient_penalty(REAL, model.generated_data, NOISE_BATCH, model.discriminator_fn, seed=seed))


@pytest.fixture(scope="module")
def acgan():
    return gan.acgan_model(acgan_generator_fn, acgan_discriminator_fn, REAL, (NOISE_BATCH, ONE_HOT), ONE_HOT)


def test_acgan_model_and_losses(acgan):
    assert isinstance(acgan, gan.ACGANModel)
    assert acgan.discriminator_gen_outputs.shape == [BATCH, 1]
    assert acgan.discriminator_gen_classification_logits.shape == [BATCH, CLASSES]
    close(gan.losses.acgan_generator_loss(acgan),
          tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(ONE_HOT, acgan.discriminator_gen_classification_logits)))
    expected = sum(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(ONE_HOT, logits)) for logits in (
        acgan.discriminator_real_classification_logits, acgan.discriminator_gen_classification_logits))
    close(gan.losses.acgan_discriminator_loss(acgan), expected)


def test_gan_loss_keywords_change_the_loss_as_documented(model, acgan):
    plain = gan.gan_loss(model)
    assert isinstance(plain, gan.GANLoss)
    g_reg = tf.add_n(model.generator_fn.model.losses)
    close(plain.generator_loss, gan.losses.wasserstein_generator_loss(model) + g_reg)  # regularization included
    close(plain.discriminator_loss, gan.losses.wasserstein_discriminator_loss(model))
    penalised = gan.gan_loss(model, gradient_penalty_weight=10.0)
    assert float(penalised.discriminator_loss) > float(plain.discriminator_loss)
    one_sided = gan.gan_loss(model, gradient_penalty_weight=10.0, gradient_penalty_one_sided=True,
                             gradient_penalty_target=100.0)  # every slope is far below 100: no penalty
    close(one_sided.discriminator_loss, plain.discriminator_loss)
    summed = gan.gan_loss(model, reduction="sum")
    close(summed.discriminator_loss, tf.reduce_sum(model.discriminator_gen_outputs)
          - tf.reduce_sum(model.discriminator_real_outputs))
    aux = gan.gan_loss(acgan, aux_cond_generator_weight=2.0, aux_cond_discriminator_weight=3.0)
    base = gan.gan_loss(acgan)
    close(aux.generator_loss - base.generator_loss, 2.0 * gan.losses.acgan_generator_loss(acgan))
    close(aux.discriminator_loss - base.discriminator_loss, 3.0 * gan.losses.acgan_discriminator_loss(acgan))
    pooled = gan.gan_loss(model, tensor_pool_fn=lambda pair: (pair[0] * 0.0, pair[1]))
    close(pooled.discriminator_loss, tf.reduce_mean(model.discriminator_fn(tf.zeros_like(REAL), NOISE_BATCH))
          - tf.reduce_mean(model.discriminator_real_outputs))
    with pytest.raises(ValueError, match="ACGANModel"):
        gan.gan_loss(model, aux_cond_generator_weight=1.0)
    with pytest.raises(ValueError, match="InfoGANModel"):
        gan.gan_loss(model, mutual_information_penalty_weight=1.0)
    with pytest.raises(ValueError, match="non-negative"):
        gan.gan_loss(model, gradient_penalty_weight=-1.0)


def test_a_loss_written_tfgans_way_works_in_gan_loss(model):
    def my_generator_loss(gan_model, add_summaries=False):
        return -2.0 * tf.reduce_mean(gan_model.discriminator_gen_outputs)

    loss = gan.gan_loss(model, generator_loss_fn=my_generator_loss)
    close(loss.generator_loss, -2.0 * tf.reduce_mean(model.discriminator_gen_outputs)
          + tf.add_n(model.generator_fn.model.losses))


def test_infogan_model_and_mutual_information_penalty():
    def generator(inputs):
        return keras.layers.Dense(2)(keras.layers.Concatenate()(list(inputs)))

    def discriminator(data, unused_inputs):
        h = keras.layers.Dense(8, activation="tanh")(data)
        return keras.layers.Dense(1)(h), [keras.layers.Dense(CLASSES)(h), keras.layers.Dense(1)(h)]

    continuous = tf.constant(RNG.uniform(-1, 1, size=(BATCH, 1)).astype("float32"))
    model = gan.infogan_model(generator, discriminator, REAL, [NOISE_BATCH], [ONE_HOT, continuous])
    assert isinstance(model, gan.InfoGANModel) and len(model.predicted_distributions) == 2
    categorical, normal = model.predicted_distributions
    # TF-GAN averages the per-code mean log-likelihoods (SUM_BY_NONZERO_WEIGHTS over the list).
    expected = -(tf.reduce_mean(categorical.log_prob(ONE_HOT)) + tf.reduce_mean(normal.log_prob(continuous))) / 2
    close(gan.losses.mutual_information_penalty(model), expected)
    with_info = gan.gan_loss(model, mutual_information_penalty_weight=1.0)
    close(with_info.generator_loss - gan.gan_loss(model).generator_loss, expected)


def test_cyclegan_model_loss_and_cycle_consistency():
    def generator(data):
        return keras.layers.Dense(2)(data)

    def discriminator(data, unused_inputs):
        return keras.layers.Dense(1)(data)

    x, y = REAL, -REAL
    model = gan.cyclegan_model(generator, discriminator, x, y)
    assert isinstance(model, gan.CycleGANModel)
    close(model.reconstructed_x, model.model_y2x.generator_fn(model.model_x2y.generated_data))
    assert model.model_x2y.generator_variables[0] is not model.model_y2x.generator_variables[0]
    cycle = gan.losses.cycle_consistency_loss(model)
    close(cycle, 0.5 * (tf.reduce_mean(tf.abs(x - model.reconstructed_x))
                        + tf.reduce_mean(tf.abs(y - model.reconstructed_y))))
    loss = gan.cyclegan_loss(model, cycle_consistency_loss_weight=10.0)
    plain = gan.gan_loss(model.model_x2y, gan.losses.least_squares_generator_loss,
                         gan.losses.least_squares_discriminator_loss)
    close(loss.loss_x2y.generator_loss, plain.generator_loss + 10.0 * cycle)
    close(loss.loss_x2y.discriminator_loss, plain.discriminator_loss)


def test_stargan_model_and_loss():
    domains = 3

    def generator(data, target):
        return keras.layers.Dense(2)(keras.layers.Concatenate()([data, target]))

    def discriminator(data, num_domains):
        h = keras.layers.Dense(8, activation="tanh")(data)
        return keras.layers.Dense(1)(h), keras.layers.Dense(num_domains)(h)

    labels = tf.one_hot(np.arange(BATCH) % domains, domains)
    model = gan.stargan_model(generator, discriminator, REAL, labels)
    assert isinstance(model, gan.StarGANModel)
    assert model.discriminator_generated_data_domain_predication.shape == [BATCH, domains]
    assert model.reconstructed_data.shape == REAL.shape
    adversarial = gan.losses.stargan_generator_loss_wrapper(wargs.wasserstein_generator_loss)(model)
    close(adversarial, -tf.reduce_mean(model.discriminator_generated_data_source_predication))
    loss = gan.stargan_loss(model, gradient_penalty_weight=0.0, classification_loss_weight=0.0)
    close(loss.generator_loss, adversarial + 10.0 * tf.reduce_mean(tf.abs(REAL - model.reconstructed_data)))
    close(loss.discriminator_loss, gan.losses.stargan_discriminator_loss_wrapper(
        wargs.wasserstein_discriminator_loss)(model))


def test_gan_train_sequential_hooks_make_five_discriminator_updates_per_generator_update(tmp_path):
    dataset = iter(tf.data.Dataset.from_tensor_slices(np.tile(REAL.numpy(), (50, 1))).repeat().batch(BATCH))
    model = gan.gan_model(generator_fn, discriminator_fn, real_data=lambda: next(dataset),
                          generator_inputs=lambda: tf.random.normal([BATCH, NOISE]), generator_scope="G5")
    loss = gan.gan_loss(model, gradient_penalty_weight=1.0)
    g_opt, d_opt = keras.optimizers.SGD(0.01), keras.optimizers.SGD(0.01)
    ops = gan.gan_train_ops(model, loss, g_opt, d_opt, summarize_gradients=True)
    assert isinstance(ops, gan.GANTrainOps)
    step = gan.gan_train(ops, str(tmp_path), get_hooks_fn=gan.get_sequential_train_hooks(gan.GANTrainSteps(1, 5)),
                         hooks=[gan.StopAtStepHook(num_steps=3)], save_summaries_steps=1)
    assert step == 3
    assert int(g_opt.iterations.numpy()) == 3 and int(d_opt.iterations.numpy()) == 15
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-3")
    assert any(p.name.startswith("events.out") for p in tmp_path.iterdir())
    # Resumes from logdir: three more steps continue the count.
    again = gan.gan_train(ops, str(tmp_path), get_hooks_fn=gan.get_sequential_train_hooks(gan.GANTrainSteps(1, 5)),
                          hooks=[gan.StopAtStepHook(last_step=5)])
    assert again == 5 and int(d_opt.iterations.numpy()) == 25


def test_train_ops_update_only_their_network_and_joint_hooks_update_both():
    model = gan.gan_model(generator_fn, discriminator_fn, REAL, NOISE_BATCH, generator_scope="GJ")
    ops = gan.gan_train_ops(model, gan.gan_loss(model), keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    g_before = [v.numpy().copy() for v in model.generator_variables]
    d_before = [v.numpy().copy() for v in model.discriminator_variables]
    logs = ops.discriminator_train_op()
    assert "discriminator_loss" in logs
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(g_before, model.generator_variables))
    assert not all(np.array_equal(b, v.numpy()) for b, v in zip(d_before, model.discriminator_variables))
    d_now = [v.numpy().copy() for v in model.discriminator_variables]
    ops.generator_train_op()
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(d_now, model.discriminator_variables))
    g_opt = ops.generator_train_op.trainer.generator_optimizer
    d_opt = ops.discriminator_train_op.trainer.discriminator_optimizer
    before = int(g_opt.iterations.numpy()), int(d_opt.iterations.numpy())
    for hook in gan.get_joint_train_hooks(gan.GANTrainSteps(2, 3))(ops):
        hook.before_run(None)
    assert (int(g_opt.iterations.numpy()) - before[0], int(d_opt.iterations.numpy()) - before[1]) == (2, 3)


def test_train_ops_refuse_what_tf2_cannot_differentiate(model):
    with pytest.raises(ValueError, match="GANLoss made by gan.gan_loss"):
        gan.gan_train_ops(model, gan.GANLoss(tf.constant(1.0), tf.constant(1.0)), keras.optimizers.SGD(0.1),
                          keras.optimizers.SGD(0.1))
    with pytest.raises(ValueError, match="made by gan.gan_model"):
        gan.gan_train_ops(gan.GANModel(*model), gan.gan_loss(model), keras.optimizers.SGD(0.1),
                          keras.optimizers.SGD(0.1))
    with pytest.raises(ValueError, match="keras.optimizers.Adam"):
        gan.gan_train_ops(model, gan.gan_loss(model), tf.compat.v1.train.AdamOptimizer(1e-3),
                          keras.optimizers.SGD(0.1))


def test_get_sequential_train_steps_runs_one_round():
    model = gan.gan_model(generator_fn, discriminator_fn, REAL, NOISE_BATCH, generator_scope="GS")
    ops = gan.gan_train_ops(model, gan.gan_loss(model), keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    logs = gan.get_sequential_train_steps(gan.GANTrainSteps(1, 2))(ops)
    assert int(ops.discriminator_train_op.trainer.discriminator_optimizer.iterations.numpy()) == 2
    assert {"discriminator_loss", "generator_loss"} <= set(logs)
