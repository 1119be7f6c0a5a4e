"""TF-GAN's argument-style adversarial losses, in TF2 eager / `tf.function` style.

Names, argument order and defaults follow `tensorflow_gan.losses.wargs` 2.1.0 so ported
code keeps working. `scope`, `loss_collection` and `add_summaries` are accepted for that
reason and ignored (TF2 has no loss collections; the trainer writes summaries).
Outputs may be `[batch, 1]` or `[batch]` logits; results are float32.
"""
import tensorflow as tf

from gan.losses.reduction import Reduction, compute_weighted_loss

# TF-GAN's argument-style losses defined here (`gan.losses.wargs` and, tuple style, `gan.losses`).
__all__ = [
    "wasserstein_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_hinge_generator_loss",
    "wasserstein_hinge_discriminator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "modified_discriminator_loss",
    "modified_generator_loss",
    "least_squares_generator_loss",
    "least_squares_discriminator_loss",
    "relativistic_discriminator_loss",
    "relativistic_generator_loss",
    "acgan_discriminator_loss",
    "acgan_generator_loss",
    "cycle_consistency_loss",
]

_DEFAULT_REDUCTION = Reduction.SUM_BY_NONZERO_WEIGHTS


def _as_float(tensor):
    return tf.cast(tensor, tf.float32)


def _check_compatible(real, gen):
    if not real.shape.is_compatible_with(gen.shape):
        raise ValueError(
            f"discriminator_real_outputs shape {real.shape} differs from "
            f"discriminator_gen_outputs shape {gen.shape}; they must match")


def _sigmoid_cross_entropy(labels, logits, weights, label_smoothing, reduction):
    """TF1's `sigmoid_cross_entropy`: labels smoothed towards 1/2, then weighted."""
    logits = _as_float(logits)
    labels = tf.cast(labels, tf.float32) * (1.0 - label_smoothing) + 0.5 * label_smoothing
    losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, reduction)


def wasserstein_generator_loss(discriminator_gen_outputs, weights=1.0, scope=None,
                               loss_collection=None, reduction=_DEFAULT_REDUCTION,
                               add_summaries=False):
    """Wasserstein generator loss `-D(G(z))` (https://arxiv.org/abs/1701.07875).

    >>> float(wasserstein_generator_loss([[1.0], [3.0]]))
    -2.0
    """
    return compute_weighted_loss(-_as_float(discriminator_gen_outputs), weights, reduction)


def wasserstein_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                   real_weights=1.0, generated_weights=1.0, scope=None,
                                   loss_collection=None, reduction=_DEFAULT_REDUCTION,
                                   add_summaries=False):
    """Wasserstein critic loss `D(G(z)) - D(x)`, each term reduced on its own.

    >>> float(wasserstein_discriminator_loss([3.0, 5.0], [1.0, 1.0]))
    -3.0
    """
    real = _as_float(discriminator_real_outputs)
    gen = _as_float(discriminator_gen_outputs)
    _check_compatible(real, gen)
    return (compute_weighted_loss(gen, generated_weights, reduction)
            - compute_weighted_loss(real, real_weights, reduction))


def wasserstein_hinge_generator_loss(discriminator_gen_outputs, weights=1.0, scope=None,
                                     loss_collection=None, reduction=_DEFAULT_REDUCTION,
                                     add_summaries=False):
    """Generator side of the hinge loss: identical to `wasserstein_generator_loss`.

    >>> float(wasserstein_hinge_generator_loss([2.0]))
    -2.0
    """
    return wasserstein_generator_loss(discriminator_gen_outputs, weights,
                                      reduction=reduction)


def wasserstein_hinge_discriminator_loss(discriminator_real_outputs,
                                         discriminator_gen_outputs, real_weights=1.0,
                                         generated_weights=1.0, real_hinge=1.0,
                                         generated_hinge=1.0, scope=None,
                                         loss_collection=None,
                                         reduction=_DEFAULT_REDUCTION,
                                         add_summaries=False):
    """Hinge critic loss `relu(real_hinge - D(x)) + relu(generated_hinge + D(G(z)))`.

    From the spectral normalisation paper (https://arxiv.org/abs/1802.05957).

    >>> float(wasserstein_hinge_discriminator_loss([0.5], [-0.25]))
    1.25
    """
    real = _as_float(discriminator_real_outputs)
    gen = _as_float(discriminator_gen_outputs)
    _check_compatible(real, gen)
    on_real = compute_weighted_loss(tf.nn.relu(real_hinge - real), real_weights, reduction)
    on_gen = compute_weighted_loss(tf.nn.relu(generated_hinge + gen), generated_weights,
                                   reduction)
    return on_gen + on_real


def minimax_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                               label_smoothing=0.25, real_weights=1.0,
                               generated_weights=1.0, scope=None, loss_collection=None,
                               reduction=_DEFAULT_REDUCTION, add_summaries=False):
    """Original GAN discriminator loss `-log σ(D(x)) - log(1 - σ(D(G(z))))`.

    The real label 1 is smoothed to `1 - label_smoothing / 2` (one-sided smoothing,
    https://arxiv.org/abs/1606.03498); generated labels stay 0.

    >>> round(float(minimax_discriminator_loss([0.0], [0.0], label_smoothing=0.0)), 4)
    1.3863
    """
    real = _as_float(discriminator_real_outputs)
    gen = _as_float(discriminator_gen_outputs)
    on_real = _sigmoid_cross_entropy(tf.ones_like(real), real, real_weights,
                                     label_smoothing, reduction)
    on_gen = _sigmoid_cross_entropy(tf.zeros_like(gen), gen, generated_weights, 0.0,
                                    reduction)
    return on_real + on_gen


def minimax_generator_loss(discriminator_gen_outputs, label_smoothing=0.0, weights=1.0,
                           scope=None, loss_collection=None, reduction=_DEFAULT_REDUCTION,
                           add_summaries=False):
    """Original (saturating) generator loss: minus the discriminator loss.

    Like TF-GAN, this is `-minimax_discriminator_loss(ones, D(G(z)))`: the real-data
    term is evaluated on constant logits of 1, which only shifts the value by the
    constant `-softplus(-1)` (about -0.3133 without smoothing) and leaves gradients alone.

    >>> round(float(minimax_generator_loss([0.0])), 4)
    -1.0064
    """
    gen = _as_float(discriminator_gen_outputs)
    return -minimax_discriminator_loss(tf.ones_like(gen), gen, label_smoothing, weights,
                                       weights, reduction=reduction)


def modified_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                label_smoothing=0.25, real_weights=1.0,
                                generated_weights=1.0, scope=None, loss_collection=None,
                                reduction=_DEFAULT_REDUCTION, add_summaries=False):
    """Discriminator loss paired with the modified generator loss: same as minimax.

    >>> round(float(modified_discriminator_loss([0.0], [0.0])), 4)
    1.3863
    """
    return minimax_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                      label_smoothing, real_weights, generated_weights,
                                      reduction=reduction)


def modified_generator_loss(discriminator_gen_outputs, label_smoothing=0.0, weights=1.0,
                            scope=None, loss_collection=None, reduction=_DEFAULT_REDUCTION,
                            add_summaries=False):
    """Non-saturating generator loss `-log σ(D(G(z)))`, which keeps gradients alive
    when the discriminator wins early (https://arxiv.org/abs/1406.2661).

    >>> round(float(modified_generator_loss([0.0])), 4)
    0.6931
    """
    gen = _as_float(discriminator_gen_outputs)
    return _sigmoid_cross_entropy(tf.ones_like(gen), gen, weights, label_smoothing, reduction)


def least_squares_generator_loss(discriminator_gen_outputs, real_label=1, weights=1.0,
                                 scope=None, loss_collection=None,
                                 reduction=_DEFAULT_REDUCTION, add_summaries=False):
    """Least-squares generator loss `(D(G(z)) - real_label)^2 / 2`
    (https://arxiv.org/abs/1611.04076).

    >>> float(least_squares_generator_loss([3.0]))
    2.0
    """
    gen = _as_float(discriminator_gen_outputs)
    losses = tf.math.squared_difference(gen, tf.cast(real_label, tf.float32)) / 2.0
    return compute_weighted_loss(losses, weights, reduction)


def least_squares_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                     real_label=1, fake_label=0, real_weights=1.0,
                                     generated_weights=1.0, scope=None,
                                     loss_collection=None, reduction=_DEFAULT_REDUCTION,
                                     add_summaries=False):
    """Least-squares discriminator loss
    `(D(x) - real_label)^2 / 2 + (D(G(z)) - fake_label)^2 / 2`.

    >>> float(least_squares_discriminator_loss([3.0], [1.0]))
    2.5
    """
    real = _as_float(discriminator_real_outputs)
    gen = _as_float(discriminator_gen_outputs)
    _check_compatible(real, gen)
    real_losses = tf.math.squared_difference(real, tf.cast(real_label, tf.float32)) / 2.0
    fake_losses = tf.math.squared_difference(gen, tf.cast(fake_label, tf.float32)) / 2.0
    return (compute_weighted_loss(real_losses, real_weights, reduction)
            + compute_weighted_loss(fake_losses, generated_weights, reduction))


def _relativistic_loss(discriminator_real_outputs, discriminator_gen_outputs, real_label):
    """Logistic loss of `D_ra(x) = D(x) - E[D(G(z))]` against `real_label` and of
    `D_ra(G(z)) = D(G(z)) - E[D(x)]` against `1 - real_label`."""
    real = _as_float(discriminator_real_outputs)
    gen = _as_float(discriminator_gen_outputs)
    real_logits, gen_logits = real - tf.reduce_mean(gen), gen - tf.reduce_mean(real)
    return (tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
                labels=tf.fill(tf.shape(real_logits), real_label), logits=real_logits))
            + tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
                labels=tf.fill(tf.shape(gen_logits), 1.0 - real_label), logits=gen_logits)))


def relativistic_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                    scope=None):
    """Relativistic average discriminator loss (https://arxiv.org/abs/1807.00734):
    real data should look more real than the average generated sample, and vice versa.

    >>> round(float(relativistic_discriminator_loss([1.0], [1.0])), 4)
    1.3863
    """
    return _relativistic_loss(discriminator_real_outputs, discriminator_gen_outputs, 1.0)


def relativistic_generator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                scope=None):
    """Relativistic average generator loss: the discriminator loss with labels swapped.
    It needs `D(x)` as well as `D(G(z))`.

    >>> round(float(relativistic_generator_loss([1.0], [1.0])), 4)
    1.3863
    """
    return _relativistic_loss(discriminator_real_outputs, discriminator_gen_outputs, 0.0)


def _softmax_cross_entropy(one_hot_labels, logits, weights, label_smoothing, reduction):
    """TF1's `softmax_cross_entropy`: labels smoothed towards 1/num_classes, then weighted."""
    logits = _as_float(logits)
    labels = tf.cast(one_hot_labels, tf.float32)
    if label_smoothing:
        labels = labels * (1.0 - label_smoothing) + label_smoothing / tf.cast(tf.shape(labels)[-1], tf.float32)
    losses = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, reduction)


def acgan_discriminator_loss(discriminator_real_classification_logits,
                             discriminator_gen_classification_logits, one_hot_labels,
                             label_smoothing=0.0, real_weights=1.0, generated_weights=1.0,
                             scope=None, loss_collection=None, reduction=_DEFAULT_REDUCTION,
                             add_summaries=False):
    """ACGAN's auxiliary classifier loss for the discriminator: the cross entropy of its
    class logits on real and on generated data against `one_hot_labels`
    (https://arxiv.org/abs/1610.09585).

    >>> round(float(acgan_discriminator_loss([[0.0, 0.0]], [[0.0, 0.0]], [[1.0, 0.0]])), 4)
    1.3863
    """
    on_real = _softmax_cross_entropy(one_hot_labels, discriminator_real_classification_logits,
                                     real_weights, label_smoothing, reduction)
    on_gen = _softmax_cross_entropy(one_hot_labels, discriminator_gen_classification_logits,
                                    generated_weights, label_smoothing, reduction)
    return on_real + on_gen


def acgan_generator_loss(discriminator_gen_classification_logits, one_hot_labels, weights=1.0,
                         scope=None, loss_collection=None, reduction=_DEFAULT_REDUCTION,
                         add_summaries=False):
    """ACGAN's auxiliary classifier loss for the generator: generated data should be
    classified as the labels it was generated for.

    >>> round(float(acgan_generator_loss([[0.0, 0.0]], [[1.0, 0.0]])), 4)
    0.6931
    """
    return _softmax_cross_entropy(one_hot_labels, discriminator_gen_classification_logits,
                                  weights, 0.0, reduction)


def cycle_consistency_loss(data_x, reconstructed_data_x, data_y, reconstructed_data_y,
                           scope=None, add_summaries=False):
    """CycleGAN's cycle-consistency loss: the mean of the two L1 reconstruction errors,
    `(mean|x - G(F(x))| + mean|y - F(G(y))|) / 2` (https://arxiv.org/abs/1703.10593).

    >>> float(cycle_consistency_loss([0.0], [1.0], [0.0], [3.0]))
    2.0
    """
    def l1(data, reconstructed):
        return tf.reduce_mean(tf.abs(_as_float(data) - _as_float(reconstructed)))

    return (l1(data_x, reconstructed_data_x) + l1(data_y, reconstructed_data_y)) / 2.0
