"""Tests for `gan.losses`: every expected value is derived by hand in numpy from the
papers' formulas and TF-GAN 2.1.0's documented defaults, not from the library."""
import doctest

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan.losses as losses
from gan.losses import functions, penalties, reduction, registry, wargs

REAL = np.array([[1.0], [-2.0], [0.5]], np.float32)
GEN = np.array([[-1.0], [3.0], [0.0]], np.float32)
WEIGHTS = np.array([[1.0], [0.0], [2.0]], np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def cross_entropy(label, logit):
    """-label log σ(logit) - (1 - label) log(1 - σ(logit)), elementwise."""
    return -label * np.log(sigmoid(logit)) - (1.0 - label) * np.log(1.0 - sigmoid(logit))


def by_nonzero_weights(values, weights):
    """TF-GAN's default reduction: weighted sum over the count of non-zero weights."""
    weights = np.broadcast_to(weights, values.shape)
    return np.sum(values * weights) / np.count_nonzero(weights)


def close(tensor, expected):
    np.testing.assert_allclose(np.asarray(tensor), expected, rtol=1e-5, atol=1e-6)


# --- adversarial losses --------------------------------------------------------------

def test_wasserstein_losses():
    close(wargs.wasserstein_generator_loss(GEN), -np.mean(GEN))
    close(wargs.wasserstein_generator_loss(GEN, weights=WEIGHTS),
          -(1 * -1.0 + 2 * 0.0) / 2)
    close(wargs.wasserstein_discriminator_loss(REAL, GEN), np.mean(GEN) - np.mean(REAL))
    close(wargs.wasserstein_discriminator_loss(REAL, GEN, real_weights=WEIGHTS,
                                                generated_weights=2.0),
          np.mean(2 * GEN) - (1 * 1.0 + 2 * 0.5) / 2)


def test_wasserstein_hinge_losses():
    close(wargs.wasserstein_hinge_generator_loss(GEN), -np.mean(GEN))
    on_real = np.mean(np.maximum(0.0, 1.0 - REAL))  # [0, 3, 0.5]
    on_gen = np.mean(np.maximum(0.0, 1.0 + GEN))  # [0, 4, 1]
    close(wargs.wasserstein_hinge_discriminator_loss(REAL, GEN), on_real + on_gen)
    close(wargs.wasserstein_hinge_discriminator_loss(REAL, GEN, real_hinge=0.5,
                                                      generated_hinge=2.0),
          np.mean([0.0, 2.5, 0.0]) + np.mean([1.0, 5.0, 2.0]))


def test_minimax_discriminator_loss_smooths_real_labels_by_default():
    expected = np.mean(cross_entropy(0.875, REAL)) + np.mean(cross_entropy(0.0, GEN))
    close(wargs.minimax_discriminator_loss(REAL, GEN), expected)
    close(wargs.modified_discriminator_loss(REAL, GEN), expected)
    unsmoothed = np.mean(-np.log(sigmoid(REAL))) + np.mean(-np.log(1 - sigmoid(GEN)))
    close(wargs.minimax_discriminator_loss(REAL, GEN, label_smoothing=0.0), unsmoothed)
    weighted = (by_nonzero_weights(cross_entropy(0.875, REAL), WEIGHTS)
                + np.mean(3.0 * cross_entropy(0.0, GEN)))
    close(wargs.modified_discriminator_loss(REAL, GEN, real_weights=WEIGHTS,
                                             generated_weights=3.0), weighted)


def test_minimax_generator_loss_keeps_tfgan_constant_term():
    # TF-GAN negates the discriminator loss evaluated with real logits fixed at 1.
    close(wargs.minimax_generator_loss(GEN),
          -(np.log1p(np.exp(-1.0)) + np.mean(-np.log(1 - sigmoid(GEN)))))
    close(wargs.minimax_generator_loss(GEN, label_smoothing=0.5),
          -(cross_entropy(0.75, 1.0) + np.mean(cross_entropy(0.0, GEN))))
    close(wargs.minimax_generator_loss(GEN, weights=WEIGHTS),
          -(cross_entropy(1.0, 1.0) * 3 / 2 + by_nonzero_weights(cross_entropy(0.0, GEN),
                                                                  WEIGHTS)))


def test_modified_generator_loss():
    close(wargs.modified_generator_loss(GEN), np.mean(-np.log(sigmoid(GEN))))
    close(wargs.modified_generator_loss(GEN, label_smoothing=0.2),
          np.mean(cross_entropy(0.9, GEN)))


def test_least_squares_losses():
    close(wargs.least_squares_generator_loss(GEN), np.mean((GEN - 1) ** 2 / 2))
    close(wargs.least_squares_generator_loss(GEN, real_label=3, weights=WEIGHTS),
          (16 / 2 + 2 * 9 / 2) / 2)
    close(wargs.least_squares_discriminator_loss(REAL, GEN),
          np.mean((REAL - 1) ** 2 / 2) + np.mean(GEN ** 2 / 2))
    close(wargs.least_squares_discriminator_loss(REAL, GEN, real_label=2, fake_label=-1),
          np.mean((REAL - 2) ** 2 / 2) + np.mean((GEN + 1) ** 2 / 2))


@pytest.mark.parametrize("shape", [(3, 1), (3,)])
def test_relativistic_losses(shape):
    real, gen = REAL.reshape(shape), GEN.reshape(shape)
    real_vs_gen = real - np.mean(gen)
    gen_vs_real = gen - np.mean(real)
    close(wargs.relativistic_discriminator_loss(real, gen),
          np.mean(-np.log(sigmoid(real_vs_gen))) + np.mean(-np.log(1 - sigmoid(gen_vs_real))))
    close(wargs.relativistic_generator_loss(real, gen),
          np.mean(-np.log(1 - sigmoid(real_vs_gen))) + np.mean(-np.log(sigmoid(gen_vs_real))))


def test_losses_return_float32_scalars_for_flat_and_float64_inputs():
    result = wargs.least_squares_discriminator_loss(REAL.ravel().astype(np.float64),
                                                     GEN.ravel())
    assert result.dtype == tf.float32 and result.shape == ()


def test_mismatched_output_shapes_raise():
    with pytest.raises(ValueError, match="must match"):
        wargs.wasserstein_discriminator_loss(REAL, GEN[:2])


def test_tfgan_porting_keywords_are_accepted():
    close(wargs.wasserstein_generator_loss(GEN, scope="g", loss_collection="losses",
                                            add_summaries=True), -np.mean(GEN))
    assert losses.minimax_discriminator_loss.argument_style is wargs.minimax_discriminator_loss


# --- reductions ------------------------------------------------------------------------

def test_reductions():
    values = np.array([1.0, 2.0, 6.0], np.float32)
    weights = np.array([2.0, 0.0, 1.0], np.float32)
    close(losses.compute_weighted_loss(values, weights), (2 + 6) / 2)
    close(losses.compute_weighted_loss(values, weights, "mean"), (2 + 6) / 3)
    close(losses.compute_weighted_loss(values, weights, "sum"), 8.0)
    close(losses.compute_weighted_loss(values, weights, "sum_over_batch_size"), 8 / 3)
    close(losses.compute_weighted_loss(values, weights, "none"), [2.0, 0.0, 6.0])
    close(losses.compute_weighted_loss(values, 0.0), 0.0)
    # tf.compat.v1.losses.Reduction values port unchanged.
    close(wargs.wasserstein_generator_loss(GEN, reduction="weighted_sum"), -np.sum(GEN))
    close(wargs.wasserstein_generator_loss(GEN, reduction="none"), -GEN)


def test_bad_reduction_and_weights_raise():
    with pytest.raises(ValueError, match="Unknown reduction 'median'; accepted: none"):
        wargs.wasserstein_generator_loss(GEN, reduction="median")
    with pytest.raises(ValueError, match="do not broadcast"):
        wargs.wasserstein_generator_loss(GEN, weights=np.ones([2, 1], np.float32))


# --- gradient penalty ------------------------------------------------------------------

W = np.array([0.6, 0.0, -0.3], np.float32)  # |w| = sqrt(0.45)
NORM = float(np.sqrt(0.45))
DATA_REAL = np.random.RandomState(1).randn(4, 3).astype(np.float32)
DATA_GEN = np.random.RandomState(2).randn(4, 3).astype(np.float32)


def linear_critic(data, generator_inputs):
    """D(x) = x·w: its input gradient is w at every interpolate."""
    return tf.reduce_sum(data * W, axis=1, keepdims=True)


def half_square_critic(data, generator_inputs):
    """D(x) = |x|^2 / 2: its input gradient is x itself."""
    return 0.5 * tf.reduce_sum(tf.square(data), axis=1)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, (NORM - 1.0) ** 2),
    ({"target": 0.5}, (NORM / 0.5 - 1.0) ** 2),
    ({"one_sided": True}, 0.0),
    ({"one_sided": True, "target": 0.5}, (NORM / 0.5 - 1.0) ** 2),
    ({"weights": np.array([3.0, 0.0, 1.0, 0.0], np.float32)}, 4 * (NORM - 1.0) ** 2 / 2),
])
def test_gradient_penalty_of_linear_critic(kwargs, expected):
    close(wargs.wasserstein_gradient_penalty(DATA_REAL, DATA_GEN, None, linear_critic,
                                              **kwargs), expected)


def test_gradient_penalty_uses_per_example_norms():
    # real == generated pins every interpolate to the real example.
    norms = np.linalg.norm(DATA_REAL, axis=1)
    close(wargs.wasserstein_gradient_penalty(DATA_REAL, DATA_REAL, None,
                                              half_square_critic),
          np.mean((norms - 1.0) ** 2))


def test_gradient_penalty_same_eagerly_and_in_tf_function():
    def penalty(real, gen):
        return wargs.wasserstein_gradient_penalty(real, gen, None, half_square_critic,
                                                   seed=(7, 3))

    eager = penalty(DATA_REAL, DATA_GEN)
    compiled = tf.function(penalty)(tf.constant(DATA_REAL), tf.constant(DATA_GEN))
    close(compiled, float(eager))
    other_seed = wargs.wasserstein_gradient_penalty(DATA_REAL, DATA_GEN, None,
                                                     half_square_critic, seed=8)
    assert abs(float(other_seed) - float(eager)) > 1e-6
    close(tf.function(lambda r, g: wargs.wasserstein_gradient_penalty(
        r, g, None, linear_critic))(DATA_REAL, DATA_GEN), (NORM - 1.0) ** 2)


def test_gradient_penalty_trains_critic_weights_under_xla():
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w|: second-order gradient through the inner tape.
    weights = tf.Variable(W)

    @tf.function(jit_compile=True)
    def penalty_gradient(real, gen, seed):
        with tf.GradientTape() as tape:
            penalty = wargs.wasserstein_gradient_penalty(
                real, gen, None, lambda data, inputs: tf.linalg.matvec(data, weights),
                seed=seed)
        return tape.gradient(penalty, weights)

    seed = tf.constant([5, 6], tf.int64)
    close(penalty_gradient(DATA_REAL, DATA_GEN, seed), 2 * (NORM - 1.0) * W / NORM)


def test_gradient_penalty_with_two_input_keras_model_and_tuple_output():
    data = keras.Input((3,))
    condition = keras.Input((2,))
    dense = keras.layers.Dense(1, use_bias=False)
    model = keras.Model([data, condition], (dense(data), condition))
    dense.set_weights([W.reshape(3, 1)])
    close(wargs.wasserstein_gradient_penalty(DATA_REAL, DATA_GEN, tf.zeros([4, 2]), model),
          (NORM - 1.0) ** 2)


def test_gradient_penalty_of_constant_critic_is_one():
    constant = lambda data, generator_inputs: tf.ones([tf.shape(data)[0], 1])
    close(wargs.wasserstein_gradient_penalty(DATA_REAL, DATA_GEN, None, constant),
          (np.sqrt(1e-10) - 1.0) ** 2)  # epsilon keeps the norm off zero


# --- other penalties -------------------------------------------------------------------

class SquareDistribution:
    """Stand-in distribution: log_prob(x) = -x^2."""

    def log_prob(self, x):
        return -tf.square(x)


def test_mutual_information_penalty():
    inputs = [tf.constant([1.0, 3.0]), tf.constant([2.0])]
    close(wargs.mutual_information_penalty(inputs, [SquareDistribution()] * 2),
          np.mean([(1 + 9) / 2, 4.0]))
    with pytest.raises(ValueError, match="they must match"):
        wargs.mutual_information_penalty(inputs, [SquareDistribution()])


def test_combine_adversarial_loss():
    close(wargs.combine_adversarial_loss(tf.constant(1.0), tf.constant(4.0),
                                          weight_factor=0.25), 2.0)
    close(wargs.combine_adversarial_loss(tf.constant(1.0), tf.constant(4.0),
                                          weight_factor=0.0), 1.0)
    variable = tf.Variable([3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        main = tf.reduce_sum(tf.square(variable))  # gradient 2v, norm 10
        adversarial = 2.0 * tf.reduce_sum(variable)  # gradient [2, 2], norm sqrt(8)
        combined = wargs.combine_adversarial_loss(main, adversarial, gradient_ratio=2.0,
                                                   variables=[variable], tape=tape)
    coefficient = 10.0 / (np.sqrt(8.0) + 1e-6) / 2.0
    close(combined, 25.0 + coefficient * 14.0)
    with pytest.raises(ValueError, match="exactly one of"):
        wargs.combine_adversarial_loss(main, adversarial)
    with pytest.raises(ValueError, match="needs tape="):
        wargs.combine_adversarial_loss(main, adversarial, gradient_ratio=1.0)


# --- registry and calling convention ---------------------------------------------------

BUILT_IN = ["least_squares", "minimax", "modified", "relativistic", "wasserstein",
            "wasserstein_hinge"]


@pytest.fixture
def private_registry(monkeypatch):
    """Lets a test register losses without leaking them into other tests."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_ZERO_SUM", set(registry._ZERO_SUM))


def test_built_in_losses_are_registered():
    assert set(BUILT_IN) <= set(losses.names()) and losses.names() == sorted(losses.names())
    assert losses.DEFAULT == "wasserstein"
    assert losses.get("wasserstein") == losses.LossPair(
        wargs.wasserstein_generator_loss, wargs.wasserstein_discriminator_loss)
    assert losses.get("least_squares").discriminator_loss_fn is \
        wargs.least_squares_discriminator_loss
    pair = losses.LossPair(wargs.modified_generator_loss, wargs.minimax_discriminator_loss)
    assert losses.get(pair) is pair


def test_unknown_loss_lists_registered_names():
    with pytest.raises(ValueError) as error:
        losses.get("foo")
    message = str(error.value)
    assert message.startswith("Unknown GAN loss 'foo'; registered losses: least_squares, "
                              "minimax, modified, relativistic, wasserstein")
    assert "\n" not in message


def test_register_user_loss(private_registry):
    def generator_loss(discriminator_gen_outputs):
        return -2.0 * tf.reduce_mean(discriminator_gen_outputs)

    pair = losses.register("doubled", generator_loss, wargs.wasserstein_discriminator_loss)
    assert losses.get("doubled") is pair and pair.generator_loss_fn is generator_loss
    assert "doubled" in losses.names()
    with pytest.raises(ValueError, match="already registered"):
        losses.register("doubled", generator_loss, wargs.wasserstein_discriminator_loss)
    replaced = losses.register("doubled", wargs.wasserstein_generator_loss,
                               wargs.wasserstein_discriminator_loss, overwrite=True)
    assert losses.get("doubled") is replaced
    with pytest.raises(ValueError, match="must be callable"):
        losses.register("broken", "not a function", generator_loss)
    with pytest.raises(ValueError, match="declares neither"):
        losses.register("broken", lambda logits: logits, generator_loss)
    assert "broken" not in losses.names()


def test_call_passes_only_declared_outputs():
    seen = {}

    def gen_only(discriminator_gen_outputs, weights=1.0):
        seen["gen_only"] = discriminator_gen_outputs
        return 0.0

    def real_only(discriminator_real_outputs):
        seen["real_only"] = discriminator_real_outputs
        return 0.0

    def anything(**kwargs):
        seen["anything"] = kwargs
        return 0.0

    losses.call_generator_loss(gen_only, "real", "gen")
    losses.call_discriminator_loss(real_only, "real", "gen")
    losses.call_generator_loss(anything, "real", "gen")
    assert seen == {"gen_only": "gen", "real_only": "real",
                    "anything": {"discriminator_real_outputs": "real",
                                 "discriminator_gen_outputs": "gen"}}
    close(losses.call_generator_loss(wargs.relativistic_generator_loss, REAL, GEN),
          float(wargs.relativistic_generator_loss(REAL, GEN)))
    close(losses.call_discriminator_loss(wargs.wasserstein_discriminator_loss, REAL, GEN),
          np.mean(GEN) - np.mean(REAL))
    with pytest.raises(ValueError, match="discriminator loss .* declares neither"):
        losses.call_discriminator_loss(lambda fake_logits: fake_logits, REAL, GEN)


@pytest.mark.parametrize("name", BUILT_IN)
def test_zero_sum_flag_matches_the_gradients(name):
    """Joint training trusts `is_zero_sum`: dLg/dD(G(z)) must then be exactly -dLd/dD(G(z))."""
    pair = losses.get(name)
    real = tf.constant(np.random.default_rng(0).normal(size=(6, 1)), tf.float32)
    gen = tf.Variable(np.random.default_rng(1).normal(size=(6, 1)), dtype=tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        d_loss = losses.call_discriminator_loss(pair.discriminator_loss_fn, real, gen)
        g_loss = losses.call_generator_loss(pair.generator_loss_fn, real, gen)
    opposite = np.allclose(tape.gradient(g_loss, gen), -tape.gradient(d_loss, gen), atol=1e-7)
    assert losses.is_zero_sum(pair) == opposite
    assert losses.is_zero_sum(pair) == (name in ("minimax", "wasserstein"))


def test_register_zero_sum_pair(private_registry):
    def halved_critic_loss(discriminator_real_outputs, discriminator_gen_outputs):
        return 0.5 * wargs.wasserstein_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs)

    def halved_generator_loss(discriminator_gen_outputs):
        return 0.5 * wargs.wasserstein_generator_loss(discriminator_gen_outputs)

    assert not losses.is_zero_sum(losses.register("halved", halved_generator_loss, halved_critic_loss))
    assert losses.is_zero_sum(losses.register("halved", halved_generator_loss, halved_critic_loss,
                                              overwrite=True, zero_sum=True))


def test_generator_loss_needs_real_outputs():
    assert not losses.generator_loss_needs_real_outputs(wargs.wasserstein_generator_loss)
    assert not losses.generator_loss_needs_real_outputs(wargs.modified_generator_loss)
    assert losses.generator_loss_needs_real_outputs(wargs.relativistic_generator_loss)
    assert losses.generator_loss_needs_real_outputs(lambda **kwargs: 0.0)


@pytest.mark.parametrize("module", [losses, functions, penalties, reduction, registry, wargs],
                         ids=lambda module: module.__name__)
def test_docstring_examples(module, private_registry):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
