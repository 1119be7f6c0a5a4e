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
import keras
import tensorflow as tf

from gan import checks, loss_stage, pipeline
from gan.losses.decisions import discriminator_accuracies
from gan.namedtuples import GANTrainSteps


class GeneratorEMA:
    """An exponential moving average of the generator's weights, kept in a twin network (`average`).

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
        self.average, self.decay = twin, decay
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
        checks.positive_int(f"GANTrainSteps.{name}", value)


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


def optimizer_for(optimizer, strategy):
    """The Keras optimizer to train with, its variables under `strategy` (call in its scope).

    `optimizer` is a Keras optimizer or a function returning one (TF-GAN accepted both); one
    made outside the strategy's scope and not used yet is recreated inside it, since a Keras
    optimizer creates its step counter and learning rate when constructed.

    >>> with strategy.scope(): opt = optimizer_for(keras.optimizers.Adam(1e-4), strategy)
    """
    if not isinstance(optimizer, keras.optimizers.Optimizer) and callable(optimizer):
        optimizer = optimizer()
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        name = type(optimizer).__name__
        hint = (f"; TF1 optimizers do not train Keras models: use keras.optimizers.{name.replace('Optimizer', '')}"
                if isinstance(optimizer, tf.compat.v1.train.Optimizer) else "")
        raise ValueError(f"Optimizers must be keras.optimizers.Optimizer or functions returning one; got {name}{hint}")
    if strategy.extended.variable_created_in_scope(optimizer.iterations.value):
        return optimizer
    if optimizer.built or int(optimizer.iterations.numpy()):
        raise ValueError(f"The {type(optimizer).__name__} optimizer was created and used outside the "
                         "strategy's scope; create it inside `strategy.scope()`, pass an unused one, or pass "
                         "a function returning one.")
    return type(optimizer).from_config(optimizer.get_config())


class GANTrainer:
    """Builds the compiled training round for one GAN, on the pipeline's model and loss stages.

    Each update builds the `GANModel` of one batch (`gan.pipeline.model_from_networks`),
    its loss terms (`gan.loss_stage.discriminator_terms` / `generator_terms`, what
    `gan.gan_loss` sums) and applies one network's gradient. `networks` is a built
    `gan.models.GANNetworks`; `loss_config` a `gan.loss_stage.LossConfig`.
    `train_rounds(iterator, n)` runs `n` rounds in one compiled call and returns the
    last round's logs (losses, discriminator accuracy, critic gap, gradient norms);
    `run_update(role, batch)` runs one update ('discriminator', 'generator' or 'joint').
    `joint_train=True` trains both networks from one forward pass per update (see the
    module docstring). `model_kind` ('gan', 'acgan', 'infogan', 'cyclegan', 'stargan') picks the
    model tuple: ACGAN's labels are the generator inputs' last element; InfoGAN's structured codes
    are their last `num_structured` elements; the translation families' networks are one pair
    built by `gan.pipeline.translation_generator_fn` / `translation_discriminator_fn`. `generator_training=False` generates in inference mode
    during discriminator updates (batch-norm statistics untouched: the start-up check's setting);
    `autograph=False` traces the updates without AutoGraph, seconds faster, for losses that do not
    branch on tensors in Python (AutoGraph never converts Keras layers' code either way); None, the
    default, does so when all of `loss_config` is the library's (`gan.loss_stage.only_library_code`).

    >>> trainer = GANTrainer(networks, LossConfig(*gan.losses.get('wasserstein')), g_opt, d_opt)
    >>> logs = trainer.train_rounds(iter(strategy.experimental_distribute_dataset(ds)), 10)
    """

    def __init__(self, networks, loss_config, generator_optimizer, discriminator_optimizer,
                 train_steps=GANTrainSteps(), strategy=None, rng=None, jit_compile=False, generator_ema=None,
                 joint_train=False, clip_discriminator_weights=None, model_kind="gan", num_structured=0,
                 generator_training=True, autograph=None):
        _validate_train_steps(train_steps)
        self._generator_training = generator_training
        self.networks = networks
        self.loss_config = loss_config
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.train_steps = train_steps
        self.clip_discriminator_weights = clip_discriminator_weights
        self.strategy = strategy or tf.distribute.get_strategy()
        self.rng = rng if rng is not None else tf.random.Generator.from_non_deterministic_state()
        self.joint_train = joint_train
        self.model_kind, self.num_structured = model_kind, num_structured
        self.global_step = None
        self._gen_loss_needs_real = loss_stage.generator_needs_real_outputs(loss_config)
        # Loss scaling (mixed_float16) scales each network's loss on its own: two passes then.
        self._one_backward_pass = loss_stage.is_zero_sum(loss_config) and not any(
            hasattr(o, "dynamic_scale") for o in (generator_optimizer, discriminator_optimizer))
        if autograph is None:
            autograph = not loss_stage.only_library_code(loss_config)
        self._updates = {role: tf.function(update, jit_compile=jit_compile, autograph=autograph) for role, update in (
            ("discriminator", self.discriminator_update), ("generator", self.generator_update),
            ("joint", self.joint_update))}
        # Updates without XLA still compile the per-weight work of big networks (optimizer
        # steps, the average) with it. Only on one replica: there apply_gradients needs no
        # cross-replica merge.
        one_replica = self.strategy.num_replicas_in_sync == 1
        self._optimizer_steps = {
            "generator": _optimizer_step(generator_optimizer, networks.generator, one_replica and not jit_compile),
            "discriminator": _optimizer_step(discriminator_optimizer, networks.discriminator,
                                             one_replica and not jit_compile)}
        self._ema_update = None if generator_ema is None else tf.function(
            generator_ema.update, autograph=False,
            jit_compile=one_replica and (jit_compile or _compile_weight_updates(networks.generator)))
        # Its loop is written as tf.while_loop, so AutoGraph has nothing to convert (seconds of tracing).
        self.train_rounds = tf.function(self._train_rounds, autograph=False)

    def checkpointables(self):
        """The objects a checkpoint of this trainer holds (networks, optimizers, global step)."""
        state = dict(generator=self.networks.generator, discriminator=self.networks.discriminator,
                     generator_optimizer=self.generator_optimizer,
                     discriminator_optimizer=self.discriminator_optimizer)
        if self.global_step is not None:
            state["global_step"] = self.global_step
        return state

    def model(self, generator_inputs, real_data, generated_data=None, real_outputs=True, reconstruct=True):
        """The model tuple of one batch, in training mode (`gan.gan_model`'s stage; CycleGAN's and
        StarGAN's reconstructions only with `reconstruct`, which the critic's update skips)."""
        if self.model_kind in loss_stage.TRANSLATION_KINDS:
            return pipeline.translation_model(self.networks, self.model_kind, generator_inputs, real_data,
                                              generated_data, reconstruct=reconstruct)
        model = pipeline.model_from_networks(self.networks, real_data, generator_inputs, generated_data,
                                             training=True, real_outputs=real_outputs)
        if self.model_kind == "acgan":
            return pipeline._acgan(model, tf.nest.flatten(generator_inputs)[-1])  # pylint: disable=protected-access
        if self.model_kind == "infogan":
            return pipeline._infogan(model, self.num_structured)  # pylint: disable=protected-access
        return pipeline.adversarial_model(model)

    # The updates, each on one replica's share of the batch.
    def discriminator_update(self, generator_inputs, real_data):
        generated = self.networks.generate(generator_inputs, training=self._generator_training)
        with tf.GradientTape() as tape:
            # A user's loss function of the whole model may read the reconstructions; the built-in terms do not.
            model = self.model(generator_inputs, real_data, generated,
                               reconstruct=self.loss_config.gan_loss_fn is not None)
            total, logs = self._discriminator_objective(model)
        grads = self._gradients(tape, total, self.networks.discriminator, self.discriminator_optimizer)
        return self._update_discriminator(grads, total, logs, model)

    def generator_update(self, generator_inputs, real_data):
        with tf.GradientTape() as tape:
            model = self.model(generator_inputs, real_data, real_outputs=self._gen_loss_needs_real)
            total, logs = loss_stage.generator_terms(model, self.loss_config)
        grads = self._gradients(tape, total, self.networks.generator, self.generator_optimizer)
        return self._update_generator(grads, total, logs)

    def joint_update(self, generator_inputs, real_data):
        """Both updates from one forward pass (TF-GAN's joint training): simultaneous, not alternating.

        The generator's gradient is taken through the discriminator as it was before this
        update, which saves one generator and one discriminator forward pass; with a
        zero-sum loss (`gan.loss_stage.is_zero_sum`) one backward pass gives both gradients.
        """
        nets = self.networks
        with tf.GradientTape(persistent=not self._one_backward_pass) as tape:
            model = self.model(generator_inputs, real_data)
            d_total, d_logs = self._discriminator_objective(model)
            g_total, g_logs = loss_stage.generator_terms(model, self.loss_config)
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
        return {**self._update_discriminator(d_grads, d_total, d_logs, model),
                **self._update_generator(g_grads, g_total, g_logs)}

    def _discriminator_objective(self, model):
        return loss_stage.discriminator_terms(model, self.loss_config, seed=self.rng.make_seeds(1)[:, 0])

    def _update_discriminator(self, grads, total, logs, model):
        discriminator = self.networks.discriminator
        gradient_norm = self._apply(grads, "discriminator")
        if self.clip_discriminator_weights:
            clip = self.clip_discriminator_weights
            for v in discriminator.trainable_variables:
                v.assign(tf.clip_by_value(v, -clip, clip))
        real_out, gen_out = pipeline.adversarial_outputs(model)
        logs = {
            **logs,
            "discriminator_total_loss": total,
            "discriminator_gradient_norm": gradient_norm,
            "real_score": _float_mean(real_out),
            "generated_score": _float_mean(gen_out),
            "critic_gap": _float_mean(real_out) - _float_mean(gen_out),
        }
        logs["discriminator_real_accuracy"], logs["discriminator_generated_accuracy"] = (
            discriminator_accuracies(real_out, gen_out, self.loss_config.discriminator_loss_fn))
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

    def _run(self, update, batch):
        per_replica = self.strategy.run(update, args=batch)
        return {k: self.strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in per_replica.items()}

    def run_update(self, role, batch):
        """One update of `role` ('discriminator', 'generator' or 'joint') on `batch` =
        (generator_inputs, real_data); returns its logs (what `gan.gan_train_ops`' ops run)."""
        logs = self._run(self._updates[role], batch)
        if role != "discriminator" and self._ema_update is not None:
            self._ema_update(self.generator_optimizer.iterations.value)
        return logs

    def _train_round(self, iterator):
        d_steps, g_steps = self.train_steps.discriminator_train_steps, self.train_steps.generator_train_steps
        joint_steps = min(d_steps, g_steps) if self.joint_train else 0
        logs = {}
        for _ in range(d_steps - joint_steps):
            logs.update(self._run(self._updates["discriminator"], next(iterator)))
        for role, steps in (("generator", g_steps - joint_steps), ("joint", joint_steps)):
            for _ in range(steps):
                logs.update(self._run(self._updates[role], next(iterator)))
                if self._ema_update is not None:  # cross-replica context: mirrored weights agree
                    self._ema_update(self.generator_optimizer.iterations.value)
        return logs

    def _train_rounds(self, iterator, num_rounds):
        # Only the last round's logs are returned, so the rounds before it compute none: their
        # gradient norms, scores and accuracies have no consumer and the compiled graph drops them.
        def one_round(done):
            self._train_round(iterator)
            return (done + 1,)

        tf.while_loop(lambda done: done < num_rounds - 1, one_round, (tf.zeros_like(num_rounds),))
        return self._train_round(iterator)
