"""Alternating GAN training: discriminator updates, then generator updates, compiled.

One *round* = `GANTrainSteps.discriminator_train_steps` discriminator updates with the
generator held constant, then `generator_train_steps` generator updates with the
discriminator held constant (gradients flow through the discriminator, only generator
variables change). Each update takes a fresh `(generator_inputs, real_data)` batch.
With `joint_train=True` (TF-GAN's `get_joint_train_hooks`), the first
min(generator, discriminator) steps of the round become *joint* updates instead: one
forward pass, both networks' gradients from it, both applied at once. That is
simultaneous rather than alternating training, and it skips one generator and one
discriminator forward pass per update (the extra updates of the network with more
steps run first, alternating as usual).
Every update runs through `strategy.run` with losses averaged over the global batch, so
the same code serves one device, several GPUs, several hosts and TPUs.
"""
from typing import NamedTuple, Optional

import tensorflow as tf

from gan import losses as gan_losses
from gan.health.signals import discriminator_accuracies
from gan.models import adversarial_output
from gan.namedtuples import GANTrainSteps


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

    The average is bias-corrected as in Adam (Kingma & Ba 2015): after `t` generator
    updates it weighs update `k` by `decay**(t-k)` normalised by `1 - decay**t`, so the
    initial random weights never linger, and long horizons (e.g. 0.9995) suit short runs.
    Step by step that is `average += (1 - decay) / (1 - decay**t) * (live - average)`.

    >>> ema = GeneratorEMA(generator, twin_generator, decay=0.999)
    >>> ema.update(generator_optimizer.iterations)   # after each generator update
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

    def update(self, updates):
        """Folds in the live weights after the generator's `updates`-th update (counting from 1)."""
        updates = tf.maximum(tf.cast(updates, tf.float32), 1.0)
        rate = (1.0 - self.decay) / (1.0 - tf.pow(tf.constant(self.decay, tf.float32), updates))
        for average, live, trainable in self._pairs:
            if trainable:
                average.assign_sub(tf.cast(rate, average.dtype) * (average - live))
            else:
                average.assign(live)


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


# Below this many weights, one XLA launch per update costs more than fusing the per-weight
# work saves: on the ring's 17k-weight MLP it cost 18% of the steps/s; on tfgan_mnist's
# 6.6M-weight networks it gained 1.3x (docs/benchmarks.md).
XLA_WEIGHT_UPDATE_MIN_WEIGHTS = 1_000_000


def _compile_weight_updates(model, requested=None):
    """Whether to XLA-compile per-weight work on `model` (optimizer step, moving average):
    `requested` if set (an optimizer's `jit_compile`), else whether `model` is big enough."""
    return requested if requested is not None else model.count_params() >= XLA_WEIGHT_UPDATE_MIN_WEIGHTS


def _optimizer_step(optimizer, model, allowed):
    """`step(grads)` applying `optimizer` to `model`; XLA-compiled where `allowed` and worth it.

    XLA fuses an optimizer's several passes over each weight into one. As in Keras 2, set
    `optimizer.jit_compile` to True or False to force the choice.
    """
    def step(grads):
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    compiled = allowed and _compile_weight_updates(model, getattr(optimizer, "jit_compile", None))
    return tf.function(step, jit_compile=True) if compiled else step


def _critic_output(networks, data, generator_inputs):
    """The discriminator's adversarial output for `data` in training mode, as float32."""
    return tf.cast(adversarial_output(networks.discriminate(data, generator_inputs, training=True)), tf.float32)


class AlternatingTrainer:
    """Builds the compiled training round for one GAN.

    `networks` is a built `gan.models.GANNetworks`; `gan_loss` a `gan.losses.GANLoss`.
    `train_rounds(iterator, n)` runs `n` rounds in one compiled call and returns the
    last round's logs (losses, discriminator accuracy, critic gap, gradient norms).
    `joint_train=True` trains both networks from one forward pass per update (see the
    module docstring).

    >>> trainer = AlternatingTrainer(networks, gan.losses.get('wasserstein'), g_opt, d_opt)
    >>> logs = trainer.train_rounds(iter(strategy.experimental_distribute_dataset(ds)), 10)
    """

    def __init__(self, networks, gan_loss, generator_optimizer, discriminator_optimizer,
                 train_steps=GANTrainSteps(), penalties=Penalties(), strategy=None,
                 rng=None, jit_compile=False, generator_ema=None, joint_train=False):
        _validate_train_steps(train_steps)
        self.networks = networks
        self.gan_loss = gan_loss
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.train_steps = train_steps
        self.penalties = penalties
        self.strategy = strategy or tf.distribute.get_strategy()
        self.rng = rng if rng is not None else tf.random.Generator.from_non_deterministic_state()
        self.joint_train = joint_train
        self._gen_loss_needs_real = gan_losses.generator_loss_needs_real_outputs(
            gan_loss.generator_loss_fn)
        # Loss scaling (mixed_float16) scales each network's loss on its own: two passes then.
        self._one_backward_pass = gan_losses.is_zero_sum(gan_loss) and not any(
            hasattr(o, "dynamic_scale") for o in (generator_optimizer, discriminator_optimizer))
        self._discriminator_update = tf.function(self.discriminator_update, jit_compile=jit_compile)
        self._generator_update = tf.function(self.generator_update, jit_compile=jit_compile)
        self._joint_update = tf.function(self.joint_update, jit_compile=jit_compile)
        # Updates without XLA still compile the per-weight work of big networks (optimizer
        # steps, the average) with it. Only on one replica: there apply_gradients needs no
        # cross-replica merge.
        one_replica = self.strategy.num_replicas_in_sync == 1
        self._optimizer_steps = {
            "generator": _optimizer_step(generator_optimizer, networks.generator, one_replica and not jit_compile),
            "discriminator": _optimizer_step(discriminator_optimizer, networks.discriminator,
                                             one_replica and not jit_compile)}
        self._ema_update = None if generator_ema is None else tf.function(generator_ema.update, jit_compile=(
            one_replica and (jit_compile or _compile_weight_updates(networks.generator))))
        self.train_rounds = tf.function(self._train_rounds)

    # The updates, each on one replica's share of the batch.
    def discriminator_update(self, generator_inputs, real_data):
        generated = self.networks.generate(generator_inputs, training=True)
        with tf.GradientTape() as tape:
            total, logs, outputs = self._discriminator_objective(generator_inputs, real_data, generated)
        grads = self._gradients(tape, total, self.networks.discriminator, self.discriminator_optimizer)
        return self._update_discriminator(grads, total, logs, outputs)

    def generator_update(self, generator_inputs, real_data):
        nets = self.networks
        with tf.GradientTape() as tape:
            generated = nets.generate(generator_inputs, training=True)
            gen_out = _critic_output(nets, generated, generator_inputs)
            real_out = _critic_output(nets, real_data, generator_inputs) if self._gen_loss_needs_real else None
            total, logs = self._generator_objective(real_out, gen_out)
        grads = self._gradients(tape, total, nets.generator, self.generator_optimizer)
        return self._update_generator(grads, total, logs)

    def joint_update(self, generator_inputs, real_data):
        """Both updates from one forward pass (TF-GAN's joint training): simultaneous, not alternating.

        The generator's gradient is taken through the discriminator as it was before this
        update, which saves one generator and one discriminator forward pass; with a
        zero-sum loss (`gan.losses.is_zero_sum`) one backward pass gives both gradients.
        """
        nets = self.networks
        with tf.GradientTape(persistent=not self._one_backward_pass) as tape:
            generated = nets.generate(generator_inputs, training=True)
            d_total, d_logs, outputs = self._discriminator_objective(generator_inputs, real_data, generated)
            g_total, g_logs = self._generator_objective(*outputs)
            if self._one_backward_pass:
                # Zero-sum loss: the generator's adversarial gradient is minus the critic
                # loss's, so one pass back through D(G(z)) serves both networks.
                both = d_total - g_logs.get("generator_regularization_loss", 0.0)
        if self._one_backward_pass:
            d_vars, g_vars = nets.discriminator.trainable_variables, nets.generator.trainable_variables
            grads = tape.gradient(both, d_vars + g_vars,
                                  output_gradients=tf.constant(1.0 / self.strategy.num_replicas_in_sync))
            d_grads, g_grads = grads[:len(d_vars)], [-g for g in grads[len(d_vars):]]
        else:
            d_grads = self._gradients(tape, d_total, nets.discriminator, self.discriminator_optimizer)
            g_grads = self._gradients(tape, g_total, nets.generator, self.generator_optimizer)
        del tape
        return {**self._update_discriminator(d_grads, d_total, d_logs, outputs),
                **self._update_generator(g_grads, g_total, g_logs)}

    def _discriminator_objective(self, generator_inputs, real_data, generated):
        """The discriminator's total loss, its logged parts, and its (real, generated) float32 outputs."""
        nets = self.networks
        real_out = _critic_output(nets, real_data, generator_inputs)
        gen_out = _critic_output(nets, generated, generator_inputs)
        adversarial = gan_losses.call_discriminator_loss(self.gan_loss.discriminator_loss_fn, real_out, gen_out)
        logs = {"discriminator_loss": adversarial}
        total = adversarial
        if self.penalties.gradient_penalty_weight:
            penalty = gan_losses.wasserstein_gradient_penalty(
                real_data, tf.stop_gradient(generated), generator_inputs,
                lambda data, inputs: adversarial_output(nets.discriminate(data, inputs, training=True)),
                target=self.penalties.gradient_penalty_target,
                one_sided=self.penalties.gradient_penalty_one_sided,
                seed=self.rng.make_seeds(1)[:, 0])
            logs["gradient_penalty"] = penalty
            total += self.penalties.gradient_penalty_weight * penalty
        total = _add_regularization(nets.discriminator, "discriminator", total, logs)
        return total, logs, (real_out, gen_out)

    def _generator_objective(self, real_out, gen_out):
        """The generator's total loss and its logged parts, from the critic's outputs."""
        adversarial = gan_losses.call_generator_loss(self.gan_loss.generator_loss_fn, real_out, gen_out)
        logs = {"generator_loss": adversarial}
        return _add_regularization(self.networks.generator, "generator", adversarial, logs), logs

    def _update_discriminator(self, grads, total, logs, outputs):
        discriminator = self.networks.discriminator
        gradient_norm = self._apply(grads, "discriminator")
        if self.penalties.clip_discriminator_weights:
            clip = self.penalties.clip_discriminator_weights
            for v in discriminator.trainable_variables:
                v.assign(tf.clip_by_value(v, -clip, clip))
        real_out, gen_out = outputs
        logs = {
            **logs,
            "discriminator_total_loss": total,
            "discriminator_gradient_norm": gradient_norm,
            "real_score": _float_mean(real_out),
            "generated_score": _float_mean(gen_out),
            "critic_gap": _float_mean(real_out) - _float_mean(gen_out),
        }
        logs["discriminator_real_accuracy"], logs["discriminator_generated_accuracy"] = (
            discriminator_accuracies(real_out, gen_out, self.gan_loss))
        return logs

    def _update_generator(self, grads, total, logs):
        return {**logs, "generator_total_loss": total,
                "generator_gradient_norm": self._apply(grads, "generator")}

    def _gradients(self, tape, total, model, optimizer):
        """This replica's share of the gradient of the global-batch mean of `total` (1/replicas,
        times the loss scale of mixed_float16): summed over replicas it is the full gradient."""
        scale = optimizer.scale_loss(tf.constant(1.0 / self.strategy.num_replicas_in_sync))
        return tape.gradient(total, model.trainable_variables, output_gradients=scale)

    def _apply(self, grads, role):
        """Applies `grads` to the `role` network; returns the unscaled norm of this replica's
        full-loss gradient."""
        self._optimizer_steps[role](grads)
        optimizer = getattr(self, f"{role}_optimizer")
        return _unscaled_norm(grads, optimizer, self.strategy.num_replicas_in_sync)

    def _run(self, update, iterator):
        per_replica = self.strategy.run(update, args=next(iterator))
        return {k: self.strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in per_replica.items()}

    def _train_round(self, iterator):
        d_steps, g_steps = self.train_steps.discriminator_train_steps, self.train_steps.generator_train_steps
        joint_steps = min(d_steps, g_steps) if self.joint_train else 0
        logs = {}
        for _ in range(d_steps - joint_steps):
            logs.update(self._run(self._discriminator_update, iterator))
        for update, steps in ((self._generator_update, g_steps - joint_steps), (self._joint_update, joint_steps)):
            for _ in range(steps):
                logs.update(self._run(update, iterator))
                if self._ema_update is not None:  # cross-replica context: mirrored weights agree
                    self._ema_update(self.generator_optimizer.iterations.value)
        return logs

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
