"""TF-GAN's `StarGANEstimator` on TF2: one generator translating images between domains.

    est = gan.estimator.StarGANEstimator(model_dir, generator_fn=generator_fn, discriminator_fn=discriminator_fn,
                                         generator_optimizer=keras.optimizers.Adam(1e-4),
                                         discriminator_optimizer=keras.optimizers.Adam(1e-4))
    est.train(lambda: (images, domain_one_hot), max_steps=1000)   # or a dataset of such pairs
    translated = est.predict(gan.estimator.stargan_prediction_input_fn_wrapper(lambda: (images, targets)))

`generator_fn(images, target_domains)` and `discriminator_fn(images, num_domains)` (which
returns `(source_logits, domain_logits)`) are built once on Keras inputs by
`gan.stargan_model`; each update recomputes the model and `loss_fn` (default
`gan.stargan_loss`) under a `GradientTape`. Checkpoints in `model_dir`; training resumes.
"""
import os
import tempfile

import keras
import tensorflow as tf

from gan import loss_stage, pipeline
from gan.namedtuples import GANTrainSteps
from gan.train import optimizer_for
from gan.train_ops import TrainHooksFn


def stargan_prediction_input_fn_wrapper(fn):
    """Wraps a prediction `fn() -> (images, target_domains)` as `() -> ((images, target_domains), None)`,
    the features/labels pair TF's estimators expected.

    >>> est.predict(stargan_prediction_input_fn_wrapper(lambda: (images, targets)))
    """
    def new_fn():
        return fn(), None
    return new_fn


def _batches(result):
    if isinstance(result, tf.data.Dataset):
        return iter(result)
    return iter(tf.data.Dataset.from_tensors(tuple(result)).repeat())


class StarGANEstimator:
    """Trains, evaluates and applies a StarGAN (TF-GAN's arguments; see the module).

    >>> est = StarGANEstimator(model_dir, generator_fn=g, discriminator_fn=d); est.train(input_fn, max_steps=10)
    """

    def __init__(self, model_dir=None, generator_fn=None, discriminator_fn=None, loss_fn=None,
                 generator_optimizer=None, discriminator_optimizer=None, get_hooks_fn=None, get_eval_metric_ops_fn=None,
                 add_summaries=None, use_loss_summaries=True, config=None, params=None):
        if generator_fn is None or discriminator_fn is None:
            raise ValueError("StarGANEstimator needs generator_fn and discriminator_fn")
        if get_hooks_fn is not None and not isinstance(get_hooks_fn, TrainHooksFn):
            raise ValueError("get_hooks_fn must come from gan.get_sequential_train_hooks(...)")
        self.model_dir = model_dir or tempfile.mkdtemp(prefix="stargan_")
        self.train_steps = get_hooks_fn.train_steps if get_hooks_fn is not None else GANTrainSteps(1, 1)
        self.params = dict(params or {})
        self._fns = (generator_fn, discriminator_fn)
        self._loss_fn = loss_fn or loss_stage.stargan_loss
        self._get_eval_metric_ops_fn = get_eval_metric_ops_fn
        self._optimizers = [o if o is not None else keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999)
                            for o in (generator_optimizer, discriminator_optimizer)]
        self._scopes = (f"StarGAN:{os.path.abspath(self.model_dir)}/Generator",
                        f"StarGAN:{os.path.abspath(self.model_dir)}/Discriminator")
        self._manager = None

    def _model(self, images, labels):
        return pipeline.stargan_model(*self._fns, images, labels, *self._scopes)

    def _build(self, images, labels):
        if self._manager is not None:
            return
        model = self._model(images, labels)
        strategy = tf.distribute.get_strategy()
        self._generator_optimizer, self._discriminator_optimizer = (
            optimizer_for(o, strategy) for o in self._optimizers)
        self._variables = (model.generator_variables, model.discriminator_variables)
        self._step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        built = self._networks = model.networks
        checkpoint = tf.train.Checkpoint(generator=built.generator, discriminator=built.discriminator,
                                         generator_optimizer=self._generator_optimizer,
                                         discriminator_optimizer=self._discriminator_optimizer, global_step=self._step)
        self._manager = tf.train.CheckpointManager(checkpoint, self.model_dir, max_to_keep=5)
        self._manager.restore_or_initialize()
        self._updates = {"generator": tf.function(lambda x, y: self._update(x, y, "generator")),
                         "discriminator": tf.function(lambda x, y: self._update(x, y, "discriminator"))}

    def _update(self, images, labels, role):
        with tf.GradientTape() as tape:
            loss = self._loss_fn(self._model(images, labels))
            total = loss.generator_loss if role == "generator" else loss.discriminator_loss
        variables = self._variables[0] if role == "generator" else self._variables[1]
        optimizer = self._generator_optimizer if role == "generator" else self._discriminator_optimizer
        optimizer.apply_gradients(zip(tape.gradient(total, variables), variables))
        return total

    @property
    def global_step(self):
        """Training steps completed (restored from `model_dir`)."""
        return 0 if self._manager is None else int(self._step.numpy())

    def train(self, input_fn, max_steps=None, steps=None):
        """Trains on `input_fn()` `(images, domain_one_hot)` batches (a dataset, or tensors reused)."""
        batches = _batches(input_fn())
        images, labels = next(batches)
        self._build(images, labels)
        target = max_steps if max_steps is not None else self.global_step + (steps or 1)
        while self.global_step < target:
            for _ in range(self.train_steps.discriminator_train_steps):
                self._updates["discriminator"](*next(batches))
            for _ in range(self.train_steps.generator_train_steps):
                self._updates["generator"](*next(batches))
            self._step.assign_add(1)
        self._manager.save(checkpoint_number=self.global_step)
        return self

    def evaluate(self, input_fn, steps=1):
        """Mean generator and discriminator losses over `steps` batches (plus metric-ops values)."""
        batches = _batches(input_fn())
        totals = {}
        for _ in range(steps):
            images, labels = next(batches)
            self._build(images, labels)
            model = self._model(images, labels)
            loss = self._loss_fn(model)
            values = {"generator_loss": loss.generator_loss, "discriminator_loss": loss.discriminator_loss}
            if self._get_eval_metric_ops_fn is not None:
                values.update({k: v[0] if isinstance(v, (tuple, list)) else v
                               for k, v in self._get_eval_metric_ops_fn(model).items()})
            for key, value in values.items():
                totals[key] = totals.get(key, 0.0) + float(value) / steps
        return {**totals, "global_step": self.global_step}

    def predict(self, input_fn):
        """Yields one translated image per example of `input_fn()`'s `((images, target_domains), _)`."""
        (images, targets), _ = input_fn()
        if self._manager is None:
            self._build(images, targets)
        yield from self._networks.generate((images, targets), training=False).numpy()
