"""Alternating GAN training: discriminator updates, then generator updates, compiled.

One *round* = `GANTrainSteps.discriminator_train_steps` discriminator updates with the
generator held constant, then `generator_train_steps` generator updates with the
discriminator held constant (gradients flow through the discriminator, only generator
variables change). Each update takes a fresh `(generator_inputs, real_data)` batch.
Every update runs through `strategy.run` with losses averaged over the global batch, so
the same code serves one device, several GPUs, several hosts and TPUs.
"""
from typing import NamedTuple, Optional

import tensorflow as tf

from gan import losses as gan_losses
from gan.health.signals import discriminator_accuracies
from gan.models import adversarial_output


class GANTrainSteps(NamedTuple):
    """How many updates of each network make one training round (TF-GAN's `GANTrainSteps`).

    >>> GANTrainSteps(generator_train_steps=1, discriminator_train_steps=5)  # WGAN's 5 critic steps
    """
    generator_train_steps: int = 1
    discriminator_train_steps: int = 1


class Penalties(NamedTuple):
    """Loss terms composed with any GAN loss (TF-GAN's `gan_loss` keyword arguments).

    `gradient_penalty_weight` adds `wasserstein_gradient_penalty` (WGAN-GP, Gulrajani et
    al. 2017) to the discriminator loss; `clip_discriminator_weights` clips every
    discriminator weight to [-c, c] after each update (WGAN, Arjovsky et al. 2017).

    >>> Penalties(gradient_penalty_weight=10.0)
    """
    gradient_penalty_weight: Optional[float] = None
    gradient_penalty_target: float = 1.0
    gradient_penalty_one_sided: bool = False
    clip_discriminator_weights: Optional[float] = None


class GeneratorEMA:
    """An exponential moving average of the generator's weights, kept in a twin network.

    Sampling from the average of recent generators gives sharper, more stable samples
    than the last iterate (Yazici et al. 2019, "The Unusual Effectiveness of Averaging in
    GAN Training"). Trainable weights are averaged; batch-norm statistics are copied.

    >>> ema = GeneratorEMA(generator, twin_generator, decay=0.999)
    >>> ema.update()   # after each generator update
    """

    def __init__(self, generator, twin, decay):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"generator_ema_decay must be in (0, 1), got {decay!r}.")
        if len(generator.weights) != len(twin.weights):
            raise ValueError("The EMA twin of the generator must have the same weights.")
        self.generator, self.model, self.decay = generator, twin, decay
        trainable = {id(v) for v in generator.trainable_weights}
        self._pairs = [(t, v, id(v) in trainable) for t, v in zip(twin.weights, generator.weights)]
        for t, v, _ in self._pairs:
            t.assign(v)

    def update(self):
        for average, live, trainable in self._pairs:
            average.assign(self.decay * average + (1.0 - self.decay) * live if trainable else live)


def _validate_train_steps(train_steps):
    if not isinstance(train_steps, GANTrainSteps):
        raise ValueError(f"train_steps must be a gan.GANTrainSteps, got {train_steps!r}.")
    for name, value in zip(train_steps._fields, train_steps):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"GANTrainSteps.{name} must be a positive integer, got {value!r}.")


def _add_regularization(model, role, total, logs):
    """`total` plus `model`'s regularization losses (e.g. L2 on kernels), logged as `<role>_regularization_loss`."""
    if not model.losses:
        return total
    logs[f"{role}_regularization_loss"] = tf.add_n(model.losses)
    return total + logs[f"{role}_regularization_loss"]


def _unscaled_norm(grads, optimizer, replicas):
    """Norm of one replica's gradient of its full loss, undoing loss scaling (mixed_float16)."""
    scale = tf.cast(getattr(optimizer, "dynamic_scale", 1.0), tf.float32)
    return tf.linalg.global_norm(grads) * replicas / scale


def _float_mean(x):
    return tf.reduce_mean(tf.cast(x, tf.float32))


class AlternatingTrainer:
    """Builds the compiled training round for one GAN.

    `networks` is a built `gan.models.GANNetworks`; `gan_loss` a `gan.losses.GANLoss`.
    `train_rounds(iterator, n)` runs `n` rounds in one compiled call and returns the
    last round's logs (losses, discriminator accuracy, critic gap, gradient norms).

    >>> trainer = AlternatingTrainer(networks, gan.losses.get('wasserstein'), g_opt, d_opt)
    >>> logs = trainer.train_rounds(iter(strategy.experimental_distribute_dataset(ds)), 10)
    """

    def __init__(self, networks, gan_loss, generator_optimizer, discriminator_optimizer,
                 train_steps=GANTrainSteps(), penalties=Penalties(), strategy=None,
                 rng=None, jit_compile=False, generator_ema=None):
        _validate_train_steps(train_steps)
        self.networks = networks
        self.gan_loss = gan_loss
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.train_steps = train_steps
        self.penalties = penalties
        self.strategy = strategy or tf.distribute.get_strategy()
        self.rng = rng if rng is not None else tf.random.Generator.from_non_deterministic_state()
        self.generator_ema = generator_ema
        self._gen_loss_needs_real = gan_losses.generator_loss_needs_real_outputs(
            gan_loss.generator_loss_fn)
        self._discriminator_update = tf.function(self.discriminator_update, jit_compile=jit_compile)
        self._generator_update = tf.function(self.generator_update, jit_compile=jit_compile)
        self.train_rounds = tf.function(self._train_rounds)

    # The two updates, each on one replica's share of the batch.
    def discriminator_update(self, generator_inputs, real_data):
        nets = self.networks
        discriminator = nets.discriminator
        generated = nets.generate(generator_inputs, training=True)
        with tf.GradientTape() as tape:
            real_out = adversarial_output(nets.discriminate(real_data, generator_inputs, training=True))
            gen_out = adversarial_output(nets.discriminate(generated, generator_inputs, training=True))
            real_out, gen_out = tf.cast(real_out, tf.float32), tf.cast(gen_out, tf.float32)
            adversarial = gan_losses.call_discriminator_loss(
                self.gan_loss.discriminator_loss_fn, real_out, gen_out)
            logs = {"discriminator_loss": adversarial}
            total = adversarial
            if self.penalties.gradient_penalty_weight:
                penalty = gan_losses.wasserstein_gradient_penalty(
                    real_data, generated, generator_inputs,
                    lambda data, inputs: adversarial_output(nets.discriminate(data, inputs, training=True)),
                    target=self.penalties.gradient_penalty_target,
                    one_sided=self.penalties.gradient_penalty_one_sided,
                    seed=self.rng.make_seeds(1)[:, 0])
                logs["gradient_penalty"] = penalty
                total += self.penalties.gradient_penalty_weight * penalty
            total = _add_regularization(discriminator, "discriminator", total, logs)
        gradient_norm = self._minimize(tape, total, discriminator, self.discriminator_optimizer)
        if self.penalties.clip_discriminator_weights:
            clip = self.penalties.clip_discriminator_weights
            for v in discriminator.trainable_variables:
                v.assign(tf.clip_by_value(v, -clip, clip))
        logs.update({
            "discriminator_total_loss": total,
            "discriminator_gradient_norm": gradient_norm,
            "real_score": _float_mean(real_out),
            "generated_score": _float_mean(gen_out),
            "critic_gap": _float_mean(real_out) - _float_mean(gen_out),
        })
        logs["discriminator_real_accuracy"], logs["discriminator_generated_accuracy"] = (
            discriminator_accuracies(real_out, gen_out, self.gan_loss))
        return logs

    def generator_update(self, generator_inputs, real_data):
        nets = self.networks
        generator = nets.generator
        with tf.GradientTape() as tape:
            generated = nets.generate(generator_inputs, training=True)
            gen_out = tf.cast(adversarial_output(
                nets.discriminate(generated, generator_inputs, training=True)), tf.float32)
            real_out = None
            if self._gen_loss_needs_real:
                real_out = tf.cast(adversarial_output(
                    nets.discriminate(real_data, generator_inputs, training=True)), tf.float32)
            adversarial = gan_losses.call_generator_loss(
                self.gan_loss.generator_loss_fn, real_out, gen_out)
            logs = {"generator_loss": adversarial}
            total = adversarial
            total = _add_regularization(generator, "generator", total, logs)
        logs.update({"generator_total_loss": total,
                     "generator_gradient_norm": self._minimize(tape, total, generator, self.generator_optimizer)})
        return logs

    def _minimize(self, tape, total, model, optimizer):
        """Updates `model` for this replica's `total` loss; returns the gradient norm of that loss.

        The gradient is scaled by 1/replicas (summed over replicas it is the gradient of the
        global-batch mean) and by the loss scale of mixed_float16.
        """
        replicas = self.strategy.num_replicas_in_sync
        variables = model.trainable_variables
        scale = optimizer.scale_loss(tf.constant(1.0 / replicas))
        grads = tape.gradient(total, variables, output_gradients=scale)
        optimizer.apply_gradients(zip(grads, variables))
        return _unscaled_norm(grads, optimizer, replicas)

    def _run(self, update, iterator):
        per_replica = self.strategy.run(update, args=next(iterator))
        return {k: self.strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in per_replica.items()}

    def _train_round(self, iterator):
        for _ in range(self.train_steps.discriminator_train_steps):
            d_logs = self._run(self._discriminator_update, iterator)
        for _ in range(self.train_steps.generator_train_steps):
            g_logs = self._run(self._generator_update, iterator)
            if self.generator_ema is not None:  # cross-replica context: mirrored weights agree
                self.generator_ema.update()
        return {**d_logs, **g_logs}

    def _log_names(self):
        """The names `_train_round` logs, known before tracing so the round is traced only once."""
        d_names = ["discriminator_loss"]
        d_names += ["gradient_penalty"] if self.penalties.gradient_penalty_weight else []
        d_names += ["discriminator_regularization_loss"] if self.networks.discriminator.losses else []
        g_names = ["generator_loss"]
        g_names += ["generator_regularization_loss"] if self.networks.generator.losses else []
        return d_names + [
            "discriminator_total_loss", "discriminator_gradient_norm", "real_score", "generated_score",
            "critic_gap", "discriminator_real_accuracy", "discriminator_generated_accuracy",
        ] + g_names + ["generator_total_loss", "generator_gradient_norm"]

    def _train_rounds(self, iterator, num_rounds):
        logs = {name: tf.constant(0.0) for name in self._log_names()}
        for _ in tf.range(num_rounds):
            logs = self._train_round(iterator)
        return logs
