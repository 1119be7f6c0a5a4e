"""`GANEstimator`: TF-GAN's estimator workflow on TensorFlow 2.16+ and Keras 3.

    est = gan.GANEstimator(generator_fn, discriminator_fn, model_dir='runs/x')
    est.train(input_fn, max_steps=1000)      # resumes from the newest checkpoint
    est.evaluate(input_fn, steps=10)         # dict of floats
    samples = list(est.predict(noise_fn))    # one numpy sample per example
    est.export('export/')                    # SavedModel, serving_default: inputs -> samples
"""
import math
import os
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf
from gan.progress import tqdm

from gan import checks, distribute, estimator_args, export
from gan import health
from gan import losses as gan_losses
from gan import checkpoints
from gan import eval as gan_eval
from gan import run_log, summaries
from gan.summaries import SummaryType  # noqa: F401  (TF-GAN's gan.estimator.SummaryType)
from gan.models import GANNetworks, ModeKeys, batch_spec, load_spec, save_spec
from gan.precision import MIXED_PRECISION_POLICIES, dtype_policy, native_bfloat16
from gan import loss_stage, pipeline
from gan.latent_gan_estimator import get_latent_gan_estimator  # noqa: F401  (TF-GAN's gan.estimator name)
from gan.train import GANTrainer, GANTrainSteps, GeneratorEMA, optimizer_for
from gan.train_ops import TrainHooksFn

# Adam as in the WGAN-GP paper (Gulrajani et al. 2017: lr 1e-4, beta2 0.9) with DCGAN's
# beta1 0.5 (Radford et al. 2016), a choice that trains every registered loss.
DEFAULT_LEARNING_RATE = 1e-4
DEFAULT_BETA_1 = 0.5
DEFAULT_BETA_2 = 0.9


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or Inf; the newest checkpoint on disk is still finite."""


class IncompatibleCheckpointError(ValueError):
    """`model_dir` holds a checkpoint of networks that differ from the ones given."""


class CheckpointWriteError(OSError):
    """A checkpoint could not be written (disk full, read-only, ...); older checkpoints are intact."""

    exit_status = 1  # a failure mid-training (gan-train exits with it)


def _write_checkpoint(manager, step, directory):
    """`manager.save(step)`; a failed write (disk full, read-only) removes its partial files and raises
    CheckpointWriteError naming the directory and the cause."""
    try:
        return manager.save(checkpoint_number=step)
    except (tf.errors.OpError, OSError) as error:
        checkpoints.discard_failed_save(directory, step)
        raise CheckpointWriteError(
            f"could not write checkpoint {step} to {directory} "
            f"({str(error).strip().splitlines()[0][:160]}); the older checkpoints are intact") from None


def _default_optimizer():
    return keras.optimizers.Adam(DEFAULT_LEARNING_RATE, beta_1=DEFAULT_BETA_1, beta_2=DEFAULT_BETA_2)


def _make_optimizer(optimizer, strategy):
    return _default_optimizer() if optimizer is None else optimizer_for(optimizer, strategy)


def _check_jit_compile(strategy, jit_compile):
    if jit_compile and not distribute.xla_compiles_updates(strategy):
        raise ValueError(f"jit_compile=True with {strategy.num_replicas_in_sync} replicas needs GPU (or TPU) "
                         f"replicas: XLA cannot compile the cross-replica reduction on "
                         f"{', '.join(strategy.extended.worker_devices)}; pass jit_compile=False.")


def _constant_learning_rate(optimizer):
    """The optimizer's learning rate as a float, or None when a schedule (which the step count drives) sets it."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if isinstance(getattr(inner, "_learning_rate", None), keras.optimizers.schedules.LearningRateSchedule):
        return None
    return float(keras.ops.convert_to_numpy(inner.learning_rate))


def _first_non_finite(logs):
    return next((k for k, v in logs.items() if not math.isfinite(v)), None)


class GANEstimator:
    """Trains, evaluates, samples and exports a GAN defined by two functions.

    Args mirror TF-GAN's `GANEstimator` and `gan_loss`: `loss` names a registered
    `gan.losses` pair (default Wasserstein) that `generator_loss_fn` /
    `discriminator_loss_fn` override; `train_steps` sets the alternating schedule, and
    `joint_train=True` updates both networks from one shared forward pass instead
    (simultaneous updates, TF-GAN's joint train hooks; fewer passes per step);
    `gradient_penalty_*` and `clip_discriminator_weights` add a Lipschitz constraint.
    `aux_cond_generator_weight` / `aux_cond_discriminator_weight` train an ACGAN (Odena et
    al. 2017): generator inputs `(noise, one_hot_labels)`, a discriminator returning
    `(logits, class_logits)`. `mutual_information_penalty_weight` trains an InfoGAN (Chen
    et al. 2016): generator inputs `(noise, code, ...)` whose elements after the first are
    structured codes, a discriminator returning `(logits, [prediction per code])` (see
    `gan.infogan_model`; `gan.networks` factories build both with `auxiliary_classes=` /
    `structured_codes=`); `structured_code_weights` weighs each code's part of its penalty.
    `cycle_consistency_loss_weight` trains a CycleGAN (Zhu et al. 2017):
    `generator_fn(images)` and `discriminator_fn(images, generator_inputs)` are called once per
    direction (two generators, two critics), batches are `((x, y), (y, x))`, samples `(F(x), G(y))`.
    `reconstruction_loss_weight` / `classification_loss_weight` train a StarGAN (Choi et al. 2018):
    `generator_fn(images, target_domains)`, `discriminator_fn(images, num_domains)` returning
    `(source_logits, domain_logits)`, batches `((images, source_one_hot, target_one_hot), images)`
    (`gan.networks.translator` builds both families' networks, `gan.data.translation_input_fn`
    their batches). The names and meaning are `gan.gan_loss`'s, `gan.cyclegan_loss`'s and
    `gan.stargan_loss`'s.
    `model_dir` holds checkpoints (the `keep_checkpoint_max` newest), TensorBoard events
    and `train_log.jsonl`; training resumes from it automatically. `eval_metrics` is an
    object with `reset_state()`, `update_state(real_data, generated_data, generator_inputs)`
    (numpy batches) and `result() -> dict`, e.g. from `gan.eval`; `evaluate` reports it.
    `generator_ema_decay` (e.g. 0.999) keeps an exponential moving average of the
    generator's weights (bias-corrected, so no trace of the initial weights remains),
    used by `predict`, `evaluate`, `export` and sample summaries.
    `mixed_precision` ('mixed_bfloat16' or 'mixed_float16', with loss scaling) builds the
    networks under that Keras dtype policy; losses and critic outputs stay float32. 'auto'
    picks 'mixed_bfloat16' where the hardware computes it natively (`native_bfloat16`),
    float32 (None, the default) elsewhere.
    `jit_compile=True` compiles each update with XLA; without it, the optimizer steps and
    weight average of networks with 1M weights or more are still XLA-compiled (one fused
    pass over memory; set `optimizer.jit_compile = False` to opt out), on one replica.

    >>> est = GANEstimator(generator_fn, discriminator_fn, model_dir='/tmp/gan',
    ...                    train_steps=GANTrainSteps(1, 5), gradient_penalty_weight=10.0)
    >>> est.train(lambda: dataset_of_noise_and_images, max_steps=100)
    """

    def __init__(self, *positional, generator_fn=None, discriminator_fn=None, model_dir=None,
                 loss=gan_losses.DEFAULT, generator_loss_fn=None, discriminator_loss_fn=None,
                 generator_optimizer=None, discriminator_optimizer=None,
                 train_steps=GANTrainSteps(1, 1), gradient_penalty_weight=None,
                 gradient_penalty_target=1.0, gradient_penalty_one_sided=False,
                 aux_cond_generator_weight=None, aux_cond_discriminator_weight=None,
                 mutual_information_penalty_weight=None, cycle_consistency_loss_weight=None,
                 reconstruction_loss_weight=None, classification_loss_weight=None, structured_code_weights=None,
                 clip_discriminator_weights=None, add_summaries=None,
                 save_checkpoints_steps=500, keep_checkpoint_max=5, log_every_steps=100,
                 steps_per_execution=1, jit_compile=False, strategy=None, seed=None, eval_metrics=None,
                 generator_ema_decay=None, mixed_precision=None, joint_train=False,
                 get_hooks_fn=None, get_eval_metric_ops_fn=None, use_loss_summaries=True, config=None,
                 params=None, warm_start_from=None, is_chief=True):
        if positional:
            # Ours, GANEstimator(generator_fn, discriminator_fn, ...), or TF-GAN's positional order,
            # GANEstimator(model_dir, generator_fn, discriminator_fn, ...); both continue in TF-GAN's order.
            names = estimator_args.TFGAN_POSITIONAL[1:] if callable(positional[0]) else estimator_args.TFGAN_POSITIONAL
            if len(positional) > len(names):
                raise ValueError(f"GANEstimator takes at most {len(names)} positional arguments here "
                                 f"(TF-GAN's order: {', '.join(estimator_args.TFGAN_POSITIONAL)})")
            twice = [n for n, _ in zip(names, positional) if n in estimator_args.given_by_keyword(locals())]
            if twice:
                raise ValueError(f"GANEstimator got {', '.join(twice)} both by position and by keyword")
            given = dict(zip(names, positional))
            model_dir = given.get("model_dir", model_dir)
            generator_fn = given.get("generator_fn", generator_fn)
            discriminator_fn = given.get("discriminator_fn", discriminator_fn)
            generator_loss_fn = given.get("generator_loss_fn", generator_loss_fn)
            discriminator_loss_fn = given.get("discriminator_loss_fn", discriminator_loss_fn)
            generator_optimizer = given.get("generator_optimizer", generator_optimizer)
            discriminator_optimizer = given.get("discriminator_optimizer", discriminator_optimizer)
            get_hooks_fn = given.get("get_hooks_fn", get_hooks_fn)
            get_eval_metric_ops_fn = given.get("get_eval_metric_ops_fn", get_eval_metric_ops_fn)
            add_summaries = given.get("add_summaries", add_summaries)
            config, params = given.get("config", config), given.get("params", params)
            warm_start_from = given.get("warm_start_from", warm_start_from)
        if generator_fn is None or discriminator_fn is None:
            raise ValueError("GANEstimator needs generator_fn and discriminator_fn (functions or keras.Models)")
        if get_hooks_fn is not None:
            if not isinstance(get_hooks_fn, TrainHooksFn):
                raise ValueError("get_hooks_fn must come from gan.get_sequential_train_hooks(...) or "
                                 "gan.get_joint_train_hooks(...); per-step callbacks go to train(hooks=...)")
            train_steps, joint_train = get_hooks_fn.train_steps, get_hooks_fn.joint
        model_dir, save_checkpoints_steps, keep_checkpoint_max, log_every_steps, seed = estimator_args.from_run_config(
            config, model_dir, save_checkpoints_steps, keep_checkpoint_max, log_every_steps, seed)
        self.params = dict(params or {})
        self._get_eval_metric_ops_fn = get_eval_metric_ops_fn
        self._warm_start_from = warm_start_from
        if model_dir is None:
            model_dir = tempfile.mkdtemp(prefix="gan_")
        if os.path.exists(model_dir) and not os.path.isdir(model_dir):
            raise ValueError(f"model_dir '{model_dir}' is a file; pass a directory (new or holding a run).")
        for name in ("save_checkpoints_steps", "keep_checkpoint_max", "log_every_steps", "steps_per_execution"):
            checks.positive_int(name, locals()[name], optional=True)
        base = gan_losses.get(loss)
        self.loss_pair = gan_losses.LossPair(generator_loss_fn or base.generator_loss_fn,
                                             discriminator_loss_fn or base.discriminator_loss_fn)
        self.loss_config = loss_stage.LossConfig(
            *self.loss_pair, gradient_penalty_weight=gradient_penalty_weight,
            gradient_penalty_target=gradient_penalty_target, gradient_penalty_one_sided=gradient_penalty_one_sided,
            mutual_information_penalty_weight=mutual_information_penalty_weight,
            aux_cond_generator_weight=aux_cond_generator_weight,
            aux_cond_discriminator_weight=aux_cond_discriminator_weight,
            cycle_consistency_loss_weight=cycle_consistency_loss_weight,
            reconstruction_loss_weight=reconstruction_loss_weight, classification_loss_weight=classification_loss_weight,
            structured_code_weights=structured_code_weights)
        self.model_kind = loss_stage.model_kind(self.loss_config)
        if self.model_kind in loss_stage.TRANSLATION_KINDS:
            if isinstance(generator_fn, keras.Model) or isinstance(discriminator_fn, keras.Model):
                raise ValueError(f"A {self.model_kind} needs generator_fn and discriminator_fn as functions that build "
                                 "fresh layers on each call (each direction or role gets its own network), "
                                 "not keras.Models")
            generator_fn = pipeline.translation_generator_fn(self.model_kind, generator_fn)
            discriminator_fn = pipeline.translation_discriminator_fn(self.model_kind, discriminator_fn)
        self._clip_discriminator_weights = clip_discriminator_weights
        self.model_dir = model_dir
        self.train_steps = train_steps
        self.strategy = strategy or tf.distribute.get_strategy()
        _check_jit_compile(self.strategy, jit_compile)
        self.networks = GANNetworks(generator_fn, discriminator_fn)
        self._add_summaries = summaries.summary_types(add_summaries)
        self._optimizers = (generator_optimizer, discriminator_optimizer)
        self._save_every, self._keep = save_checkpoints_steps, keep_checkpoint_max
        self._log_every, self._steps_per_execution = log_every_steps, steps_per_execution
        self._jit_compile, self._seed, self._joint_train = jit_compile, seed, bool(joint_train)
        self.eval_metrics = eval_metrics
        self._ema_decay = generator_ema_decay
        if mixed_precision not in MIXED_PRECISION_POLICIES:
            raise ValueError(f"mixed_precision must be one of {MIXED_PRECISION_POLICIES}, got {mixed_precision!r}.")
        if mixed_precision == "auto":
            mixed_precision = "mixed_bfloat16" if native_bfloat16() else None
        self._mixed_precision = None if mixed_precision == "float32" else mixed_precision
        self._ema = None
        self._trainer = self._manager = None
        self._stop_requested = False
        # The generator inputs of the samples shown in TensorBoard (None: the first training batch's).
        # gan-train sets the fixed inputs of its samples.png, so both show the same samples.
        self.preview_inputs = None
        self._build_from_model_dir()

    # ---- state ---------------------------------------------------------------------
    @property
    def global_step(self):
        """Training rounds completed (restored from `model_dir` when there is a checkpoint)."""
        return 0 if self._manager is None else int(self._step.numpy())

    @property
    def is_chief(self):
        """Whether this process writes checkpoints, summaries and logs (always, unless multi-worker)."""
        return bool(getattr(self.strategy.extended, "should_checkpoint", True))

    def _build_from_model_dir(self):
        """Builds the networks now when `model_dir` records their inputs (so predict works before train)."""
        spec = load_spec(self.model_dir)
        if spec is not None:
            self._build(spec)

    def _build(self, generator_inputs_spec):
        """Creates networks, optimizers and checkpoint state once, under the strategy's scope."""
        spec = batch_spec(generator_inputs_spec)
        if self._manager is not None:
            if not _same_spec(spec, self.networks.generator_inputs_spec):
                raise ValueError(f"Generator inputs {spec} differ from the ones this estimator was built for "
                                 f"({self.networks.generator_inputs_spec}).")
            return
        saved = load_spec(self.model_dir)
        if saved is not None and not _same_spec(saved, spec):
            raise IncompatibleCheckpointError(
                f"model_dir '{self.model_dir}' holds a run with generator inputs {saved}, not {spec}; "
                "use another model_dir or the original input settings.")
        num_structured = loss_stage.structured_inputs(self.model_kind, spec)
        if self.model_kind == "infogan":
            loss_stage.check_structured_code_weights(self.loss_config, num_structured)
        with self.strategy.scope(), dtype_policy(self._mixed_precision):
            self.networks.build(spec)
            g_opt, d_opt = (_make_optimizer(o, self.strategy) for o in self._optimizers)
            if self._mixed_precision == "mixed_float16":
                g_opt, d_opt = (o if isinstance(o, keras.optimizers.LossScaleOptimizer)
                                else keras.optimizers.LossScaleOptimizer(o) for o in (g_opt, d_opt))
            g_opt.build(self.networks.generator.trainable_variables)
            d_opt.build(self.networks.discriminator.trainable_variables)
            self._step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
            self._rng = (tf.random.Generator.from_seed(self._seed) if self._seed is not None
                         else tf.random.Generator.from_non_deterministic_state())
            if self._ema_decay is not None:
                self._ema = GeneratorEMA(self.networks.generator, self.networks.generator_twin(), self._ema_decay)
            self._trainer = GANTrainer(
                self.networks, self.loss_config, g_opt, d_opt, self.train_steps, self.strategy, rng=self._rng,
                jit_compile=self._jit_compile, generator_ema=self._ema, joint_train=self._joint_train,
                clip_discriminator_weights=self._clip_discriminator_weights, model_kind=self.model_kind,
                num_structured=num_structured)
        # Traced as the updates are: without AutoGraph unless a user's loss may branch on tensors.
        self._eval_step = tf.function(self._eval_losses, autograph=not loss_stage.only_library_code(self.loss_config))
        state = dict(generator=self.networks.generator, discriminator=self.networks.discriminator,
                     generator_optimizer=g_opt, discriminator_optimizer=d_opt, global_step=self._step, rng=self._rng)
        if self._ema is not None:
            state["generator_ema"] = self._ema.average
        self._checkpoint = tf.train.Checkpoint(**state)
        # Under multi-worker training only the chief writes to model_dir; the other workers
        # save the same collective state to a scratch dir, as tf.distribute expects.
        self._write_dir = self.model_dir if self.is_chief else tempfile.mkdtemp(prefix="gan_worker_")
        self._manager = tf.train.CheckpointManager(self._checkpoint, self._write_dir, self._keep)
        self._resume_from = checkpoints.resume_point(self.model_dir)
        rates = [_constant_learning_rate(o) for o in (g_opt, d_opt)]
        self._restore(self._resume_from)
        for optimizer, rate in zip((g_opt, d_opt), rates):  # the optimizers given win over the checkpoint's
            if rate is not None:
                optimizer.learning_rate = rate
        if self._warm_start_from and self._resume_from is None:
            self._warm_start(self._warm_start_from)

    def _warm_start(self, source):
        """Starts a new run from the networks of another run's checkpoint (TF's `warm_start_from`)."""
        path = tf.train.latest_checkpoint(source) if os.path.isdir(source) else source
        if path is None:
            raise ValueError(f"warm_start_from '{source}' holds no checkpoint; pass a checkpoint or a run directory")
        tf.train.Checkpoint(generator=self.networks.generator, discriminator=self.networks.discriminator) \
            .restore(path).expect_partial()

    def _restore(self, path):
        if path is None:
            return
        try:
            self._checkpoint.restore(path).assert_existing_objects_matched()
        except (AssertionError, ValueError, tf.errors.OpError) as e:
            raise IncompatibleCheckpointError(
                f"Checkpoint '{path}' does not match these networks ({str(e).splitlines()[0][:200]}); "
                "use another model_dir or the configuration that wrote it.") from None

    # ---- training ------------------------------------------------------------------
    def train(self, input_fn, max_steps=None, steps=None, max_seconds=None, hooks=(), progress=True,
              preflight=False):
        """Trains until `max_steps` rounds in total, `steps` more rounds, `max_seconds` or the data end.

        `input_fn()` returns a `tf.data.Dataset` of `(generator_inputs, real_data)` batches
        (TF-GAN's estimator contract); each update takes one batch. `hooks` are callables
        `hook(step, logs)` run in order every `log_every_steps` rounds, on one dict per call
        (a hook may add entries for the later ones, as `gan.eval.EvalHook` adds `eval/<metric>`).
        `preflight=True` first checks, on a fresh run, that a discriminator can tell real
        data from the untrained generator's (`gan.health.preflight`; raises `gan.health.PreflightError`). Returns `self`.
        """
        checks.positive_int("max_steps", max_steps, optional=True)
        checks.positive_int("steps", steps, optional=True)
        if max_seconds is not None and max_seconds <= 0:
            raise ValueError(f"max_seconds must be positive or None, got {max_seconds!r}.")
        dataset = estimator_args.call_input_fn(input_fn, ModeKeys.TRAIN, self.params)
        generator_inputs_spec = dataset.element_spec[0]
        self._build(generator_inputs_spec)
        if preflight and self.global_step == 0 and self.model_kind not in loss_stage.TRANSLATION_KINDS:
            health.preflight(self.networks, lambda: dataset)  # its own iterator over the training batches
        os.makedirs(self._write_dir, exist_ok=True)
        if self.is_chief:  # the directory agrees with what was restored before anything is written
            checkpoints.prepare_for_writing(self._write_dir, self._resume_from)
            self._manager = tf.train.CheckpointManager(self._checkpoint, self._write_dir, self._keep)
        save_spec(self._write_dir, batch_spec(generator_inputs_spec))
        start = self.global_step
        target = min(x for x in (max_steps, start + steps if steps else None, 2**62) if x is not None)
        if start >= target:
            return self
        first_inputs, preview_real = next(iter(dataset.take(1)))
        preview_inputs = first_inputs if self.preview_inputs is None else self.preview_inputs
        writer = summaries.SummaryWriter(self._write_dir, self._add_summaries)
        writer.check_comparison(first_inputs, preview_real)
        iterator = iter(self.strategy.experimental_distribute_dataset(dataset))
        # The bar counts global steps; with max_seconds its total is the step it predicts time runs out at.
        bar = tqdm(total=None if target == 2**62 or max_seconds is not None else target, initial=start, desc="train", unit="step",
                   disable=not progress, dynamic_ncols=True)
        step, began, last_time, last_step = start, time.time(), time.time(), start
        logs = {}
        try:
            while step < target:
                if self._stop_requested:
                    self._stop_requested = False
                    raise KeyboardInterrupt
                n = min(self._steps_per_execution, target - step,
                        self._log_every - step % self._log_every, self._save_every - step % self._save_every)
                try:
                    out = self._trainer.train_rounds(iterator, tf.constant(n))
                except tf.errors.OutOfRangeError:
                    break
                step += n
                self._step.assign(step)
                rate = (step - start) / max(time.time() - began, 1e-9)
                if max_seconds is not None:
                    bar.total = max(step, min(target, start + math.ceil(rate * max_seconds)))
                if step - n == start and step % self._log_every:  # losses before the first logged step
                    first = {k: float(v) for k, v in out.items()}
                    first["steps_per_sec"] = rate
                    bar.set_postfix(self._progress_fields(first), refresh=False)
                bar.update(n)
                out_of_time = max_seconds is not None and self._on_any_worker(time.time() - began >= max_seconds)
                if step % self._log_every == 0 or step == target or out_of_time:
                    logs = {k: float(v) for k, v in out.items()}
                    self._check_finite(step, logs)
                    now = time.time()
                    logs["steps_per_sec"] = (step - last_step) / max(now - last_time, 1e-9)
                    last_time, last_step = now, step
                    writer.scalars(step, logs)
                    run_log.append_log(self._write_dir, {"step": step, "time": now, **logs})
                    bar.set_postfix(self._progress_fields(logs), refresh=False)
                    shared = dict(logs)  # hooks may add entries for the hooks after them
                    for hook in hooks:
                        hook(step, shared)
                if step % self._save_every == 0 or step == target or out_of_time:
                    self._save(step, logs, writer, preview_inputs, first_inputs, preview_real)
                if out_of_time:
                    break
        except KeyboardInterrupt:  # keep what was trained since the last checkpoint
            if self._latest_saved_step() != step:
                self._save(step, logs, writer, preview_inputs, first_inputs, preview_real)
            raise
        finally:
            bar.close()
        if self._latest_saved_step() != step:
            self._save(step, logs, writer, preview_inputs, first_inputs, preview_real)
        writer.flush()
        return self

    def _progress_fields(self, logs):
        """Losses, speed and the discriminator signal that fits the loss (accuracy or critic gap)."""
        fields = {"d_loss": logs["discriminator_loss"], "g_loss": logs["generator_loss"]}
        if health.meaningful_signals(self.loss_pair) == health.ACCURACY_KEYS:
            fields["d_acc"] = health.balanced_accuracy(logs)
        else:
            fields["gap"] = logs[health.GAP_KEY]
        fields["steps/s"] = logs["steps_per_sec"]
        return {k: f"{v:.3g}" for k, v in fields.items()}

    def _on_any_worker(self, condition):
        """Whether `condition` holds on any worker, so that all workers stop at the same step
        (a worker that stopped alone would leave the others waiting in an all-reduce)."""
        replicas = self.strategy.num_replicas_in_sync
        if replicas == 1 or replicas == len(self.strategy.extended.worker_devices):
            return condition  # one process drives every replica
        return bool(self._sum_over_replicas(tf.constant(int(condition))) > 0)

    @tf.function(autograph=False)
    def _sum_over_replicas(self, value):
        per_replica = self.strategy.run(lambda: tf.identity(value))
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    def request_stop(self):
        """Asks a running `train` to stop at its next round boundary: it saves that step and raises
        KeyboardInterrupt, as Ctrl-C does. Safe to call from a signal handler or another thread.

        Example:
            signal.signal(signal.SIGTERM, lambda signum, frame: est.request_stop())
        """
        self._stop_requested = True

    def save_checkpoint(self, directory):
        """Writes the current state to its own `directory` (e.g. the best run so far); returns the path."""
        if self._manager is None:
            raise ValueError("save_checkpoint: nothing to save yet; train first.")
        self._check_finite_weights(self.global_step)
        checkpoints.prepare_for_writing(directory, checkpoints.newest_readable(directory)[0])
        manager = tf.train.CheckpointManager(self._checkpoint, directory, max_to_keep=1)
        return _write_checkpoint(manager, self.global_step, directory)

    def restore_checkpoint(self, path):
        """Loads a checkpoint file prefix or the newest checkpoint in a directory (e.g. `model_dir/best`)."""
        if self._manager is None:
            raise ValueError("restore_checkpoint: the networks are not built; pass the run's model_dir.")
        resolved = checkpoints.resume_point(path) if os.path.isdir(path) else path
        if resolved is None:
            raise ValueError(f"No readable checkpoint found in '{path}'.")
        reason = checkpoints.unreadable_reason(resolved)
        if reason is not None:
            raise ValueError(f"Checkpoint '{resolved}' is unreadable ({reason}); pass another checkpoint.")
        self._restore(resolved)
        return resolved

    def generate(self, generator_inputs):
        """Samples for a batch of generator inputs, from the EMA generator when there is one."""
        return self.networks.generate(generator_inputs, training=False,
                                      generator=self._ema.average if self._ema is not None else None)

    def translate(self, images, target_domain):
        """A CycleGAN's or StarGAN's translations of `images` [N, H, W, C] into domain number
        `target_domain` (CycleGAN: 1 is Y, through F; 0 is X, through G), as numpy; from the
        EMA generator when there is one.

        >>> est.translate(digits, 1)    # CycleGAN: F(x)
        """
        if self.model_kind not in loss_stage.TRANSLATION_KINDS:
            raise ValueError(f"translate needs a CycleGAN or StarGAN; this estimator trains a {self.model_kind}")
        if self._manager is None:
            raise ValueError("translate: the networks are not built; train first or pass the run's model_dir.")
        images = tf.convert_to_tensor(images, tf.float32)
        domains = int(tf.nest.flatten(self.networks.generator_inputs_spec)[-1].shape[-1]) if (
            self.model_kind == "stargan") else 2
        if not 0 <= int(target_domain) < domains:
            raise ValueError(f"target_domain must be in [0, {domains}); got {target_domain!r}")
        if self.model_kind == "cyclegan":
            return self.generate((images, images))[1 - int(target_domain)].numpy()
        target = tf.one_hot(tf.fill([tf.shape(images)[0]], int(target_domain)), domains)
        return self.generate((images, target, target)).numpy()

    def _latest_saved_step(self):
        path = self._manager.latest_checkpoint
        return int(path.rsplit("-", 1)[1]) if path else None

    def _check_finite(self, step, logs):
        bad = _first_non_finite(logs)
        if bad is not None:
            network = "generator" if bad.startswith("generator") else "discriminator"
            raise NonFiniteError(
                f"Training stopped at step {step}: the {network}'s {bad} is {logs[bad]}; "
                f"the newest checkpoint ({self._manager.latest_checkpoint or 'none'}) is kept. "
                "Lower the learning rates or add a gradient penalty.")

    def _check_finite_weights(self, step):
        for model in (self.networks.generator, self.networks.discriminator):
            if not all(bool(tf.reduce_all(tf.math.is_finite(v))) for v in model.weights):
                raise NonFiniteError(
                    f"Training stopped at step {step}: the {model.name}'s weights hold NaN or Inf; "
                    f"the newest checkpoint ({self._manager.latest_checkpoint or 'none'}) is kept. "
                    "Lower the learning rates or add a gradient penalty.")

    def _save(self, step, logs, writer, preview_inputs, first_inputs, preview_real):
        if logs:
            self._check_finite(step, logs)
        self._check_finite_weights(step)
        _write_checkpoint(self._manager, step, self._write_dir)
        if writer.wants(summaries.SummaryType.IMAGES):
            # CycleGAN's samples are a pair (F(x), G(y)): both directions' images in one grid.
            writer.samples(step, np.concatenate([t.numpy() for t in tf.nest.flatten(self.generate(preview_inputs))]))
        if writer.wants(summaries.SummaryType.IMAGE_COMPARISON):
            writer.comparison(step, first_inputs, self.generate(first_inputs).numpy(), preview_real)
        writer.variables(step, (self.networks.generator, self.networks.discriminator))

    # ---- evaluation, sampling, export ---------------------------------------------
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Mean losses (networks in inference mode) over `steps` batches, plus `global_step`.

        With `get_eval_metric_ops_fn`, its values for each batch's `GANModel` are averaged
        over the batches too; a TF1-style `(value, update_op)` pair (e.g. a
        `gan.eval.*_streaming` metric, which accumulates over the batches) reports its
        last value. `checkpoint_path` evaluates that checkpoint; `hooks` and `name` are
        TF estimator arguments without effect here.
        """
        checks.positive_int("steps", steps, optional=True)
        dataset = estimator_args.call_input_fn(input_fn, ModeKeys.EVAL, self.params)
        self._build(dataset.element_spec[0])
        if checkpoint_path is not None:
            self.restore_checkpoint(checkpoint_path)
        if steps:
            dataset = dataset.take(steps)
        if self.eval_metrics is not None:
            self.eval_metrics.reset_state()
        totals, count, streamed = {}, 0, {}
        gan_eval.reset_streaming_metrics()
        for generator_inputs, real_data in dataset:
            losses, generated = self._eval_step(generator_inputs, real_data)
            if self._get_eval_metric_ops_fn is not None:
                averaged, last = self._eval_metric_values(generator_inputs, real_data, generated)
                losses.update(averaged)
                streamed.update(last)
            for k, v in losses.items():
                totals[k] = totals.get(k, 0.0) + float(v)
            if self.eval_metrics is not None:
                self.eval_metrics.update_state(*(tf.nest.map_structure(lambda t: t.numpy(), part)
                                                 for part in (real_data, generated, generator_inputs)))
            count += 1
        if count == 0:
            raise ValueError("evaluate: input_fn() yielded no batches.")
        results = {**{k: v / count for k, v in totals.items()}, **{k: float(v) for k, v in streamed.items()}}
        if self.eval_metrics is not None:
            results.update({k: float(v) for k, v in self.eval_metrics.result().items()})
        results["global_step"] = self.global_step
        return results

    def _eval_losses(self, generator_inputs, real_data):
        nets = self.networks
        generated = (self.generate(generator_inputs) if self._ema is not None
                     else nets.generate(generator_inputs, training=False, mode="eval"))
        model = self._eval_model(generator_inputs, real_data, generated)
        config = self.loss_config._replace(  # penalties and heads are training devices: the adversarial losses
            gradient_penalty_weight=None, mutual_information_penalty_weight=None, aux_cond_generator_weight=None,
            aux_cond_discriminator_weight=None)
        generator_logs = loss_stage.generator_terms(model, config)[1]
        real, fake = pipeline.adversarial_outputs(model)
        # The translation families' own terms are their measures of success, so they are reported too.
        reported = {name: generator_logs[name] for name in ("cycle_consistency_loss", "reconstruction_loss")
                    if name in generator_logs}
        return {
            "generator_loss": generator_logs["generator_loss"],
            "discriminator_loss": loss_stage.discriminator_terms(model, config)[1]["discriminator_loss"],
            "real_score": tf.reduce_mean(real), "generated_score": tf.reduce_mean(fake), **reported,
        }, generated

    def _eval_model(self, generator_inputs, real_data, generated):
        """The model tuple evaluation reads, networks in inference mode: the translation families' own
        tuples, else the `GANModel` of the adversarial outputs."""
        if self.model_kind in loss_stage.TRANSLATION_KINDS:
            return pipeline.translation_model(self.networks, self.model_kind, generator_inputs, real_data, generated,
                                              training=False)
        return pipeline.adversarial_model(pipeline.model_from_networks(
            self.networks, real_data, generator_inputs, generated, training=False))

    def _eval_metric_values(self, generator_inputs, real_data, generated):
        model = self._eval_model(generator_inputs, real_data, generated)
        averaged, last = {}, {}
        for key, value in self._get_eval_metric_ops_fn(model).items():
            if isinstance(value, (tuple, list)):
                last[key] = value[0]
            else:
                averaged[key] = value
        return averaged, last

    def _generator_inputs_of(self, element_spec):
        """Picks the generator inputs out of a predict dataset's elements."""
        known = self.networks.generator_inputs_spec or load_spec(self.model_dir)
        # tf.data's map passes a tuple element's components as separate arguments.
        if known is None or _same_spec(batch_spec(element_spec), known):
            return lambda *element: element if len(element) > 1 else element[0]
        if isinstance(element_spec, tuple) and len(element_spec) == 2 and _same_spec(
                batch_spec(element_spec[0]), known):
            return lambda *element: element[0]
        raise ValueError(f"predict: input_fn() elements {element_spec} are neither generator inputs "
                         f"{known} nor (generator_inputs, real_data) pairs.")

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None, yield_single_examples=True):
        """Yields one numpy sample per example of `input_fn()`'s batches of generator inputs
        (whole batches with `yield_single_examples=False`); `checkpoint_path` samples from that
        checkpoint. `predict_keys` and `hooks` are TF estimator arguments without effect here.
        """
        dataset = estimator_args.call_input_fn(input_fn, ModeKeys.PREDICT, self.params)
        pick = self._generator_inputs_of(dataset.element_spec)
        dataset = dataset.map(tf.autograph.experimental.do_not_convert(pick))
        self._build(dataset.element_spec)
        if checkpoint_path is not None:
            self.restore_checkpoint(checkpoint_path)
        for generator_inputs in dataset:
            samples = tf.nest.map_structure(lambda t: t.numpy(), self.generate(generator_inputs))
            if not yield_single_examples:
                yield samples
                continue
            flat = tf.nest.flatten(samples)  # CycleGAN's pairs are yielded pair by pair
            for index in range(len(flat[0])):
                yield tf.nest.pack_sequence_as(samples, [part[index] for part in flat])

    def export_saved_model(self, export_dir_base, serving_input_receiver_fn=None, assets_extra=None, as_text=False,
                           checkpoint_path=None, experimental_mode=ModeKeys.PREDICT):
        """TF estimator's export: a SavedModel (see `export`) in a new timestamped folder of
        `export_dir_base`; returns its path as bytes. The signature comes from the generator
        inputs, so `serving_input_receiver_fn` and the other arguments are not needed.

        >>> path = est.export_saved_model('export/')   # b'export/1796211785'
        """
        if checkpoint_path is not None:
            self.restore_checkpoint(checkpoint_path)
        path = os.path.join(os.fspath(export_dir_base), str(int(time.time())))
        return self.export(path).encode()

    def export(self, export_dir):
        """Writes a SavedModel whose `serving_default` signature maps generator inputs to samples.

        Signature inputs are named `generator_inputs` (a tensor), `generator_inputs_<i>`
        (tuple) or the dict keys; the output is `{'samples': ...}`. Returns `export_dir`.
        """
        if not self.networks.built:
            raise ValueError("export: nothing to export yet; train first or pass a model_dir holding a run.")
        # The predict-mode copy of a mode-aware generator (or the average), its weights copied now.
        generator = self._ema.average if self._ema is not None else self.networks.models_for(ModeKeys.PREDICT)[0]
        return export.save_generator(self.networks, generator, export_dir)


def _same_spec(a, b):
    try:
        tf.nest.assert_same_structure(a, b)
    except (ValueError, TypeError):
        return False
    return all(x.shape.as_list() == y.shape.as_list() and x.dtype == y.dtype
               for x, y in zip(tf.nest.flatten(a), tf.nest.flatten(b)))


class TPUGANEstimator:
    """TF-GAN's TPU estimator. TF2 trains on TPUs through a strategy instead; constructing one says so.

    >>> gan.GANEstimator(generator_fn, discriminator_fn, strategy=gan.distribute.make_strategy('tpu'))
    """

    def __init__(self, *args, **kwargs):
        raise ValueError("TPUGANEstimator needs TF1's TPUEstimator, which TF2 removed; use "
                         "gan.GANEstimator(..., strategy=gan.distribute.make_strategy('tpu')) "
                         "(strategy='tpu')")


def stargan_prediction_input_fn_wrapper(fn):
    """Wraps a prediction `fn() -> (images, target_domains)` as `() -> ((images, target_domains), None)`,
    the features/labels pair TF's estimators expected.

    >>> est.predict(stargan_prediction_input_fn_wrapper(lambda: (images, targets)))
    """
    def new_fn():
        return fn(), None
    return new_fn


def _with_targets(result):
    """`(images, domain_one_hot)` batches (a dataset, or tensors reused) as StarGAN training batches
    `((images, source, target), images)`, each target drawn uniformly from the domains."""
    dataset = result if isinstance(result, tf.data.Dataset) else tf.data.Dataset.from_tensors(tuple(result)).repeat()

    @tf.autograph.experimental.do_not_convert  # as gan.data's dataset functions, straight-line
    def add_targets(images, labels):
        labels = tf.cast(labels, tf.float32)
        count = labels.shape[-1]
        target = tf.one_hot(tf.random.uniform([tf.shape(labels)[0]], 0, count, dtype=tf.int32), count)
        return (images, labels, target), images

    return dataset.map(add_targets)


class StarGANEstimator:
    """TF-GAN's `StarGANEstimator` on TF2: one generator translating images between domains.

    `generator_fn(images, target_domains)` and `discriminator_fn(images, num_domains)` (which
    returns `(source_logits, domain_logits)`) are TF-GAN's. It is a `GANEstimator` (`.estimator`)
    training a StarGAN (`reconstruction_loss_weight`, `classification_loss_weight`): the same
    trainer, checkpoints, resume and model tuples (`gan.StarGANModel` per batch), on batches of
    `(images, domain_one_hot)` given targets drawn uniformly from the domains; `loss_fn(model) ->
    GANLoss` replaces the default (TF-GAN's `stargan_loss`: WGAN-GP, reconstruction 10,
    classification 1).

    >>> est = StarGANEstimator(model_dir, generator_fn=g, discriminator_fn=d,
    ...                        generator_optimizer=keras.optimizers.Adam(1e-4))
    >>> est.train(lambda: (images, domain_one_hot), max_steps=1000)   # or a dataset of such pairs
    >>> translated = est.predict(stargan_prediction_input_fn_wrapper(lambda: (images, targets)))
    """

    def __init__(self, model_dir=None, generator_fn=None, discriminator_fn=None, loss_fn=None,
                 generator_optimizer=None, discriminator_optimizer=None, get_hooks_fn=None, get_eval_metric_ops_fn=None,
                 add_summaries=None, use_loss_summaries=True, config=None, params=None):
        del use_loss_summaries  # TF-GAN's summary switch: summaries here are written by add_summaries
        if generator_fn is None or discriminator_fn is None:
            raise ValueError("StarGANEstimator needs generator_fn and discriminator_fn")
        optimizers = [o if o is not None else keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999)
                      for o in (generator_optimizer, discriminator_optimizer)]
        self.estimator = GANEstimator(
            generator_fn, discriminator_fn, model_dir=model_dir or tempfile.mkdtemp(prefix="stargan_"),
            loss="wasserstein", gradient_penalty_weight=10.0, reconstruction_loss_weight=10.0,
            classification_loss_weight=1.0, generator_optimizer=optimizers[0], discriminator_optimizer=optimizers[1],
            get_hooks_fn=get_hooks_fn, get_eval_metric_ops_fn=get_eval_metric_ops_fn, add_summaries=add_summaries,
            config=config, params=params)
        if loss_fn is not None:
            self.estimator.loss_config = self.estimator.loss_config._replace(gan_loss_fn=loss_fn)
        self.model_dir, self.params = self.estimator.model_dir, self.estimator.params

    @property
    def global_step(self):
        """Training steps completed (restored from `model_dir`)."""
        return self.estimator.global_step

    def train(self, input_fn, max_steps=None, steps=None):
        """Trains on `input_fn()` `(images, domain_one_hot)` batches (a dataset, or tensors reused)."""
        self.estimator.train(lambda: _with_targets(input_fn()), max_steps=max_steps, steps=steps, progress=False)
        return self

    def evaluate(self, input_fn, steps=1):
        """Mean adversarial losses and the reconstruction loss over `steps` batches (plus metric-ops values)."""
        return self.estimator.evaluate(lambda: _with_targets(input_fn()), steps=steps)

    def predict(self, input_fn):
        """Yields one translated image per example of `input_fn()`'s `((images, target_domains), _)`."""
        (images, targets), _ = input_fn()
        if not self.estimator.networks.built:
            raise ValueError("predict: nothing to translate with yet; train first or pass a model_dir holding a run.")
        targets = tf.cast(targets, tf.float32)
        yield from self.estimator.generate((images, targets, targets)).numpy()
