"""The alternating update: which variables change, gradients through D, step counts."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan.models import GANNetworks
from gan.train import AlternatingTrainer, GANTrainSteps, Penalties


def generator_fn(z):
    h = keras.layers.Dense(8, activation="relu")(z)
    h = keras.layers.BatchNormalization()(h)
    return keras.layers.Dense(2)(h)


def discriminator_fn(x, z):
    return keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(x))


def make_trainer(train_steps=GANTrainSteps(1, 1), penalties=Penalties(), loss="wasserstein"):
    networks = GANNetworks(generator_fn, discriminator_fn)
    networks.build(tf.TensorSpec([None, 4]))
    g_opt, d_opt = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1)
    return AlternatingTrainer(networks, gan.losses.get(loss), g_opt, d_opt, train_steps, penalties)


def batches(seed=0):
    rng = np.random.default_rng(seed)
    return tf.data.Dataset.from_tensor_slices(
        (rng.normal(size=(400, 4)).astype("float32"), rng.normal(size=(400, 2)).astype("float32"))).batch(8)


def snapshot(variables):
    return [v.numpy().copy() for v in variables]


def changed(before, variables):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables)]


def test_discriminator_update_leaves_generator_weights_alone():
    trainer = make_trainer()
    z, x = next(iter(batches()))
    g_before = snapshot(trainer.networks.generator.trainable_variables)
    d_before = snapshot(trainer.networks.discriminator.trainable_variables)
    trainer.discriminator_update(z, x)
    assert not any(changed(g_before, trainer.networks.generator.trainable_variables))
    # The critic's output bias cancels in D(G(z)) - D(x), so only the others must move.
    assert any(changed(d_before, trainer.networks.discriminator.trainable_variables))


def test_generator_update_leaves_discriminator_weights_alone():
    trainer = make_trainer()
    z, x = next(iter(batches()))
    g_before = snapshot(trainer.networks.generator.trainable_variables)
    d_before = snapshot(trainer.networks.discriminator.weights)
    trainer.generator_update(z, x)
    assert not any(changed(d_before, trainer.networks.discriminator.weights))
    assert all(changed(g_before, trainer.networks.generator.trainable_variables))


def test_generator_gradient_flows_through_discriminator():
    trainer = make_trainer()
    z, x = next(iter(batches()))
    logs = trainer.generator_update(z, x)
    assert float(logs["generator_gradient_norm"]) > 1e-6


@pytest.mark.parametrize("d_steps,g_steps", [(5, 1), (1, 3)])
def test_train_steps_sets_update_ratio(d_steps, g_steps):
    trainer = make_trainer(GANTrainSteps(generator_train_steps=g_steps, discriminator_train_steps=d_steps))
    trainer.train_rounds(iter(batches()), tf.constant(4))
    assert int(trainer.discriminator_optimizer.iterations) == 4 * d_steps
    assert int(trainer.generator_optimizer.iterations) == 4 * g_steps


def test_each_update_takes_a_fresh_batch():
    trainer = make_trainer(GANTrainSteps(1, 5))
    iterator = iter(batches())
    trainer.train_rounds(iterator, tf.constant(2))
    remaining = sum(1 for _ in iterator)
    assert remaining == 50 - 2 * 6


def test_weight_clipping_bounds_discriminator():
    trainer = make_trainer(penalties=Penalties(clip_discriminator_weights=0.01))
    trainer.train_rounds(iter(batches()), tf.constant(3))
    assert max(float(tf.reduce_max(tf.abs(v))) for v in trainer.networks.discriminator.trainable_variables) <= 0.01


def test_gradient_penalty_is_logged_and_added():
    trainer = make_trainer(penalties=Penalties(gradient_penalty_weight=10.0))
    z, x = next(iter(batches()))
    logs = trainer.discriminator_update(z, x)
    expected = float(logs["discriminator_loss"]) + 10.0 * float(logs["gradient_penalty"])
    assert float(logs["gradient_penalty"]) > 0
    assert float(logs["discriminator_total_loss"]) == pytest.approx(expected, rel=1e-5)


def test_relativistic_generator_loss_sees_real_outputs():
    trainer = make_trainer(loss="relativistic")
    logs = trainer.train_rounds(iter(batches()), tf.constant(1))
    assert np.isfinite(float(logs["generator_loss"]))


def test_invalid_train_steps_rejected():
    with pytest.raises(ValueError, match="positive integer"):
        make_trainer(GANTrainSteps(0, 1))


def test_generator_ema_averages_trainable_weights_and_copies_statistics():
    trainer = make_trainer()
    live = trainer.networks.generator
    twin = trainer.networks.generator_twin()
    ema = gan.train.GeneratorEMA(live, twin, decay=0.9)
    start = snapshot(twin.weights)
    trainer.train_rounds(iter(batches()), tf.constant(1))
    ema.update()
    trainable = {id(v) for v in live.trainable_weights}
    for before, average, current in zip(start, twin.weights, live.weights):
        expected = 0.9 * before + 0.1 * current.numpy() if id(current) in trainable else current.numpy()
        np.testing.assert_allclose(average.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_generator_ema_rejects_bad_decay():
    trainer = make_trainer()
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        gan.train.GeneratorEMA(trainer.networks.generator, trainer.networks.generator_twin(), decay=1.5)
