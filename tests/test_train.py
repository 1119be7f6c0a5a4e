"""The alternating update: which variables change, gradients through D, step counts."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan.models import GANNetworks
from gan.loss_stage import LossConfig
from gan.train import GANTrainer, GANTrainSteps, GeneratorEMA


def generator_fn(z):
    h = keras.layers.Dense(8, activation="relu")(z)
    h = keras.layers.BatchNormalization()(h)
    return keras.layers.Dense(2)(h)


def discriminator_fn(x, z):
    return keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(x))


def regularized_generator_fn(z):
    h = keras.layers.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(0.1))(z)
    return keras.layers.Dense(2)(keras.layers.BatchNormalization()(h))


def make_trainer(train_steps=GANTrainSteps(1, 1), loss="wasserstein", joint_train=False,
                 generator=generator_fn, gradient_penalty_weight=None, clip_discriminator_weights=None):
    networks = GANNetworks(generator, discriminator_fn)
    networks.build(tf.TensorSpec([None, 4]))
    g_opt, d_opt = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1)
    config = LossConfig(*gan.losses.get(loss), gradient_penalty_weight=gradient_penalty_weight)
    return GANTrainer(networks, config, g_opt, d_opt, train_steps, joint_train=joint_train,
                              clip_discriminator_weights=clip_discriminator_weights)


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


@pytest.mark.parametrize("d_steps,g_steps", [(1, 1), (5, 1), (1, 3)])
def test_joint_train_keeps_update_counts(d_steps, g_steps):
    trainer = make_trainer(GANTrainSteps(g_steps, d_steps), joint_train=True)
    iterator = iter(batches())
    trainer.train_rounds(iterator, tf.constant(2))
    assert int(trainer.discriminator_optimizer.iterations) == 2 * d_steps
    assert int(trainer.generator_optimizer.iterations) == 2 * g_steps
    # One batch per update, and a joint update is one update: max(d, g) batches per round.
    assert sum(1 for _ in iterator) == 50 - 2 * max(d_steps, g_steps)


# wasserstein and minimax take both gradients from one backward pass (zero-sum losses).
@pytest.mark.parametrize("loss,generator", [("wasserstein", generator_fn), ("relativistic", generator_fn),
                                            ("minimax", generator_fn), ("wasserstein", regularized_generator_fn)])
def test_joint_update_equals_both_updates_from_the_same_start(loss, generator):
    """A joint update = the discriminator update, and the generator update against the *old* critic."""
    z, x = next(iter(batches()))
    joint, alternating = make_trainer(loss=loss, generator=generator), make_trainer(loss=loss, generator=generator)
    for a, b in zip(alternating.networks.generator.weights + alternating.networks.discriminator.weights,
                    joint.networks.generator.weights + joint.networks.discriminator.weights):
        a.assign(b)
    d_start = snapshot(joint.networks.discriminator.weights)
    g_start = snapshot(joint.networks.generator.weights)
    joint_logs = joint.joint_update(z, x)
    d_logs = alternating.discriminator_update(z, x)
    d_after = snapshot(alternating.networks.discriminator.weights)
    for v, w in zip(alternating.networks.discriminator.weights + alternating.networks.generator.weights,
                    d_start + g_start):
        v.assign(w)  # back to the start: the generator must step against the old critic
    g_logs = alternating.generator_update(z, x)
    for got, want in zip(snapshot(joint.networks.discriminator.weights), d_after):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for got, want, start in zip(snapshot(joint.networks.generator.weights),
                                snapshot(alternating.networks.generator.weights), g_start):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert not np.array_equal(got, start)
    for name, value in {**d_logs, **g_logs}.items():
        assert float(joint_logs[name]) == pytest.approx(float(value), rel=1e-5, abs=1e-6), name


def test_each_update_takes_a_fresh_batch():
    trainer = make_trainer(GANTrainSteps(1, 5))
    iterator = iter(batches())
    trainer.train_rounds(iterator, tf.constant(2))
    remaining = sum(1 for _ in iterator)
    assert remaining == 50 - 2 * 6


def test_weight_clipping_bounds_discriminator():
    trainer = make_trainer(clip_discriminator_weights=0.01)
    trainer.train_rounds(iter(batches()), tf.constant(3))
    assert max(float(tf.reduce_max(tf.abs(v))) for v in trainer.networks.discriminator.trainable_variables) <= 0.01


def test_gradient_penalty_is_logged_and_added():
    trainer = make_trainer(gradient_penalty_weight=10.0)
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
    ema.update(1000)  # long after the start the bias correction is 1 - 0.9**1000 = 1
    trainable = {id(v) for v in live.trainable_weights}
    for before, average, current in zip(start, twin.weights, live.weights):
        expected = 0.9 * before + 0.1 * current.numpy() if id(current) in trainable else current.numpy()
        np.testing.assert_allclose(average.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_generator_ema_rejects_bad_decay():
    trainer = make_trainer()
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        gan.train.GeneratorEMA(trainer.networks.generator, trainer.networks.generator_twin(), decay=1.5)


class HostSGD(keras.optimizers.SGD):
    """SGD whose step also runs host Python (`tf.numpy_function`), which XLA cannot compile."""

    def apply_gradients(self, grads_and_vars):
        tf.numpy_function(lambda: np.float32(0.0), [], tf.float32)
        return super().apply_gradients(grads_and_vars)


def wide_discriminator_fn(x, z):
    return keras.layers.Dense(1)(keras.layers.Dense(2, activation="relu")(keras.layers.Dense(1000)(
        keras.layers.Dense(1000)(x))))  # just over XLA_WEIGHT_UPDATE_MIN_WEIGHTS


@pytest.mark.parametrize("discriminator,jit_compile_attr,compiled", [
    (discriminator_fn, None, False), (wide_discriminator_fn, None, True),
    (discriminator_fn, True, True), (wide_discriminator_fn, False, False)])
def test_optimizer_steps_of_big_networks_are_xla_compiled(discriminator, jit_compile_attr, compiled):
    """Without whole-update XLA, big networks' optimizer steps are compiled; `optimizer.jit_compile` overrides."""
    z, x = next(iter(batches()))
    networks = GANNetworks(generator_fn, discriminator)
    networks.build(tf.TensorSpec([None, 4]))
    host_sgd = HostSGD(0.1)
    if jit_compile_attr is not None:
        host_sgd.jit_compile = jit_compile_attr
    trainer = GANTrainer(networks, LossConfig(*gan.losses.get("wasserstein")), keras.optimizers.SGD(0.1), host_sgd)
    before = snapshot(networks.discriminator.trainable_variables)
    if compiled:
        with pytest.raises(tf.errors.InvalidArgumentError, match="compil"):
            trainer.discriminator_update(z, x)
    else:
        trainer.discriminator_update(z, x)
        assert any(changed(before, networks.discriminator.trainable_variables))


@pytest.mark.parametrize("jit_compile", [False, True])
def test_generator_ema_is_a_bias_corrected_average_of_the_updates(jit_compile):
    networks = GANNetworks(generator_fn, discriminator_fn)
    networks.build(tf.TensorSpec([None, 4]))
    ema = GeneratorEMA(networks.generator, networks.generator_twin(), decay=0.75)
    trainer = GANTrainer(networks, LossConfig(*gan.losses.get("wasserstein")), keras.optimizers.SGD(0.1),
                                 keras.optimizers.SGD(0.1), GANTrainSteps(1, 1), jit_compile=jit_compile,
                                 generator_ema=ema, joint_train=True)
    iterator, trainable = iter(batches()), {id(v) for v in networks.generator.trainable_weights}
    live = []
    for _ in range(3):
        trainer.train_rounds(iterator, tf.constant(1))
        live.append(snapshot(networks.generator.weights))
    # Adam-style correction: sum_k 0.75**(3-k) * 0.25 * w_k / (1 - 0.75**3); the initial weights get no share.
    shares = np.array([0.75 ** 2, 0.75, 1.0]) * 0.25 / (1 - 0.75 ** 3)
    for i, (average, variable) in enumerate(zip(ema.average.weights, networks.generator.weights)):
        expected = (sum(share * w[i] for share, w in zip(shares, live)) if id(variable) in trainable
                    else live[-1][i])
        np.testing.assert_allclose(average.numpy(), expected, rtol=1e-5, atol=1e-6)
        assert not np.allclose(average.numpy(), live[-1][i]) or id(variable) not in trainable


def branching_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs, **kwargs):
    """A user's Wasserstein critic loss written with a Python `if` on a tensor: needs AutoGraph."""
    gap = tf.reduce_mean(discriminator_real_outputs) - tf.reduce_mean(discriminator_gen_outputs)
    if gap > 1e6:
        return tf.zeros_like(gap)
    return -gap


def test_updates_skip_autograph_only_for_the_librarys_own_losses():
    wasserstein = gan.losses.get("wasserstein")
    assert gan.loss_stage.only_library_code(LossConfig(*wasserstein))
    user_config = LossConfig(wasserstein.generator_loss_fn, branching_discriminator_loss)
    assert not gan.loss_stage.only_library_code(user_config)
    z, x = next(iter(batches()))
    for autograph, trains in ((None, True), (False, False)):
        networks = GANNetworks(generator_fn, discriminator_fn)
        networks.build(tf.TensorSpec([None, 4]))
        trainer = GANTrainer(networks, user_config, keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1),
                             autograph=autograph)
        before = snapshot(networks.discriminator.trainable_variables)
        if trains:  # the user's loss gets AutoGraph: its `if` becomes a tf.cond
            trainer.run_update("discriminator", (z, x))
            assert any(changed(before, networks.discriminator.trainable_variables))
        else:
            with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
                trainer.run_update("discriminator", (z, x))
