"""TF-GAN's pipeline in TF2, its last two stages: `gan_train_ops` -> `gan_train` (after `gan.pipeline`).

    ops = gan.gan_train_ops(model, loss, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-4))
    gan.gan_train(ops, 'runs/x', get_hooks_fn=gan.get_sequential_train_hooks(gan.GANTrainSteps(1, 5)),
                  hooks=[gan.StopAtStepHook(num_steps=1000)])

A train op is a callable: each call draws a batch from the model's sources, recomputes the
model and its loss under a `GradientTape` and updates one network; a hook is an object
with optional `begin(global_step)`, `before_run(run_context)` and `after_run(run_context,
global_step)`, as TF1's session hooks had.
"""
import time
from typing import Any, NamedTuple

import tensorflow as tf

from gan.namedtuples import CycleGANModel, GANTrainOps, GANTrainSteps
from gan.loss_stage import LossConfig
from gan.train import GANTrainer, optimizer_for


# ---- stage 3: the train ops --------------------------------------------------------------
class _TrainOp:
    """One network's update as a callable; `op()` draws a batch from the model's sources."""

    def __init__(self, trainer, role, sources):
        self.trainer, self.role, self._sources = trainer, role, sources

    def __call__(self, generator_inputs=None, real_data=None):
        draw_real, draw_inputs = self._sources
        batch = (draw_inputs() if generator_inputs is None else generator_inputs,
                 draw_real() if real_data is None else real_data)
        return self.trainer.run_update(self.role, batch)


def gan_train_ops(model, loss, generator_optimizer, discriminator_optimizer, check_for_unused_update_ops=True,
                  is_chief=True, **kwargs):
    """`GANTrainOps` whose ops are callables: each call recomputes `model` and `loss` on a batch
    and updates one network (the other held constant). `loss` is a `GANLoss` from `gan_loss`, or
    a function `loss(gan_model) -> GANLoss`. TF1's `create_train_op` options in `kwargs`
    (e.g. `summarize_gradients`) and `check_for_unused_update_ops` are accepted and have no
    effect: Keras layers apply their own updates.

    >>> ops = gan.gan_train_ops(model, loss, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-4))
    >>> logs = ops.discriminator_train_op()
    """
    if isinstance(model, CycleGANModel):
        raise ValueError("gan_train_ops: train a CycleGANModel's two directions with gan_train_ops(model.model_x2y, "
                         "loss.loss_x2y, ...) and gan_train_ops(model.model_y2x, loss.loss_y2x, ...)")
    networks, sources = getattr(model, "networks", None), getattr(model, "sources", None)
    if networks is None:
        raise ValueError("gan_train_ops needs a model made by gan.gan_model / acgan_model / infogan_model "
                         "(TF2 rebuilds it for every update); got a tuple built by hand")
    if callable(loss) and not isinstance(loss, tuple):
        config = LossConfig(gan_loss_fn=loss)
    elif getattr(loss, "config", None) is not None:
        config = loss.config
    else:
        raise ValueError("gan_train_ops needs the GANLoss made by gan.gan_loss, or a function "
                         "loss(gan_model) -> GANLoss: in TF2 a loss tensor computed earlier has no gradient")
    strategy = tf.distribute.get_strategy()
    trainer = GANTrainer(
        networks, config, optimizer_for(generator_optimizer, strategy), optimizer_for(discriminator_optimizer, strategy),
        model_kind=getattr(model, "kind", "gan"), num_structured=getattr(model, "num_structured", 0))
    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
    trainer.global_step = step
    return GANTrainOps(_TrainOp(trainer, "generator", sources), _TrainOp(trainer, "discriminator", sources),
                       lambda: int(step.assign_add(1)))


# ---- stage 4: training -------------------------------------------------------------------
class RunContext:
    """What hooks see of the loop: `request_stop()` ends it after this step (TF1's `SessionRunContext`)."""

    def __init__(self):
        self.stop_requested = False
        self.session = None

    def request_stop(self):
        self.stop_requested = True


class RunTrainOpsHook:
    """Runs train op(s) `train_steps` times before every step; `[generator_op, discriminator_op]`
    of one model run as one joint update (both networks from one forward pass).

    >>> hook = RunTrainOpsHook(ops.discriminator_train_op, 5)
    """

    def __init__(self, train_ops, train_steps):
        self.train_ops = list(train_ops) if isinstance(train_ops, (list, tuple)) else [train_ops]
        self.train_steps = train_steps
        self.logs = {}

    def before_run(self, run_context):
        joint = (len(self.train_ops) == 2 and all(isinstance(op, _TrainOp) for op in self.train_ops)
                 and self.train_ops[0].trainer is self.train_ops[1].trainer
                 and {op.role for op in self.train_ops} == {"generator", "discriminator"})
        for _ in range(self.train_steps):
            if joint:
                op = self.train_ops[0]
                draw_real, draw_inputs = op._sources  # pylint: disable=protected-access
                self.logs = op.trainer.run_update("joint", (draw_inputs(), draw_real()))
            else:
                for op in self.train_ops:
                    self.logs = op()


class TrainHooksFn(NamedTuple):
    """What `get_sequential_train_hooks` / `get_joint_train_hooks` return: `fn(train_ops) -> hooks`,
    also telling `GANEstimator` the schedule (`train_steps`, `joint`)."""
    train_steps: Any
    joint: bool

    def __call__(self, train_ops):
        g_op, d_op = train_ops.generator_train_op, train_ops.discriminator_train_op
        d_steps, g_steps = self.train_steps.discriminator_train_steps, self.train_steps.generator_train_steps
        if not self.joint:
            hooks = [RunTrainOpsHook(d_op, d_steps), RunTrainOpsHook(g_op, g_steps)]
        else:
            both = min(d_steps, g_steps)
            hooks = [RunTrainOpsHook([g_op, d_op], both), RunTrainOpsHook(g_op, g_steps - both),
                     RunTrainOpsHook(d_op, d_steps - both)]
        return hooks + list(train_ops.train_hooks)


def get_sequential_train_hooks(train_steps=GANTrainSteps(1, 1)):
    """Alternating updates: each step runs the discriminator's updates with the generator held
    constant, then the generator's (TF-GAN ran the generator's first; the order within a step
    is the only difference).

    >>> gan.gan_train(ops, logdir, get_hooks_fn=gan.get_sequential_train_hooks(gan.GANTrainSteps(1, 5)))
    """
    return TrainHooksFn(train_steps, False)


def get_joint_train_hooks(train_steps=GANTrainSteps(1, 1)):
    """Joint updates: min(G, D) updates of both networks from one forward pass, then the rest alone.

    >>> gan.gan_train(ops, logdir, get_hooks_fn=gan.get_joint_train_hooks())
    """
    return TrainHooksFn(train_steps, True)


def get_sequential_train_steps(train_steps=GANTrainSteps(1, 1)):
    """A function `train_step(train_ops) -> logs` running one alternating step (TF-GAN's slim
    variant; here it runs the ops directly).

    >>> step = gan.get_sequential_train_steps(gan.GANTrainSteps(1, 5)); logs = step(ops)
    """
    def train_step(train_ops, *unused_session_args):
        context, logs = RunContext(), {}
        for hook in get_sequential_train_hooks(train_steps)(train_ops):
            hook.before_run(context)
            logs.update(getattr(hook, "logs", {}))
        train_ops.global_step_inc_op()
        return logs
    return train_step


class StopAtStepHook:
    """Stops `gan_train` after `num_steps` more steps or at `last_step` (TF1's `StopAtStepHook`).

    >>> gan.gan_train(ops, logdir, hooks=[gan.StopAtStepHook(num_steps=1000)])
    """

    def __init__(self, num_steps=None, last_step=None):
        if (num_steps is None) == (last_step is None):
            raise ValueError("StopAtStepHook takes exactly one of num_steps and last_step")
        self.num_steps, self.last_step = num_steps, last_step

    def begin(self, global_step):
        if self.last_step is None:
            self.last_step = global_step + self.num_steps

    def after_run(self, run_context, global_step):
        if global_step >= self.last_step:
            run_context.request_stop()


def gan_train(train_ops, logdir, get_hooks_fn=get_sequential_train_hooks(), master="", is_chief=True, scaffold=None,
              hooks=None, chief_only_hooks=None, save_checkpoint_secs=600, save_summaries_steps=100,
              max_wait_secs=7200, config=None):
    """Runs `get_hooks_fn(train_ops)` then `hooks` every step until a hook requests a stop;
    resumes from and saves checkpoints in `logdir` (every `save_checkpoint_secs`, and at the end)
    and writes the losses as TensorBoard scalars every `save_summaries_steps`. Returns the
    final global step. `master`, `scaffold`, `max_wait_secs` and `config` are TF1 session
    settings with no TF2 meaning and are ignored.

    >>> gan.gan_train(ops, 'runs/x', hooks=[gan.StopAtStepHook(num_steps=100)])
    100
    """
    if not logdir and (save_checkpoint_secs or save_summaries_steps):
        raise ValueError("gan_train needs a logdir to save checkpoints or summaries; pass one, or set "
                         "save_checkpoint_secs=None and save_summaries_steps=None")
    trainer = train_ops.discriminator_train_op.trainer
    train_hooks = get_hooks_fn(train_ops)
    user_hooks = list(hooks or []) + (list(chief_only_hooks or []) if is_chief else [])
    manager = None
    if logdir and save_checkpoint_secs:
        manager = tf.train.CheckpointManager(tf.train.Checkpoint(**trainer.checkpointables()), logdir, max_to_keep=5)
        manager.restore_or_initialize()
    writer = tf.summary.create_file_writer(logdir) if logdir and save_summaries_steps and is_chief else None
    step = int(trainer.global_step.numpy())
    for hook in user_hooks:
        if hasattr(hook, "begin"):
            hook.begin(step)
    context, last_save = RunContext(), time.time()
    while not context.stop_requested:
        logs = {}
        for hook in train_hooks + user_hooks:
            if hasattr(hook, "before_run"):
                hook.before_run(context)
            logs.update(getattr(hook, "logs", {}))
        step = train_ops.global_step_inc_op()
        for hook in user_hooks:
            if hasattr(hook, "after_run"):
                hook.after_run(context, step)
        if writer is not None and step % save_summaries_steps == 0:
            with writer.as_default(step=step):
                for name, value in logs.items():
                    tf.summary.scalar(name, value)
        if manager is not None and time.time() - last_save >= save_checkpoint_secs:
            manager.save(checkpoint_number=step)
            last_save = time.time()
    if manager is not None and is_chief:
        manager.save(checkpoint_number=step)
    return step
