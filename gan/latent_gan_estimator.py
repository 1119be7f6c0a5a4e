"""Search a trained GAN's latent space: TF-GAN's `get_latent_gan_estimator`, on TF2.

    est = gan.estimator.get_latent_gan_estimator(
        generator_fn, discriminator_fn, loss_fn, keras.optimizers.Adam,
        params={'batch_size': 8, 'z_shape': [64], 'learning_rate': 0.05, 'input_clip': 2.0,
                'add_summaries': False}, config={'model_dir': 'runs/inpaint'}, ckpt_dir='runs/mnist')
    est.train(lambda: (masks, targets), max_steps=200)   # trains only the latent z
    images = next(est.predict())

The generator and discriminator come from a checkpoint of a `GANEstimator` run
(`ckpt_dir`) and stay fixed; a trainable batch of latent inputs `z` (clipped to
±`input_clip`) is fitted to `loss_fn(gan_model, features, labels, add_summaries)`,
e.g. an inpainting loss between generated and target images.
"""
import os

import tensorflow as tf

from gan import pipeline
from gan.models import GANNetworks, ModeKeys

_REQUIRED_PARAMS = ("batch_size", "z_shape", "learning_rate", "input_clip", "add_summaries")


def _setting(config, name, default=None):
    value = config.get(name) if isinstance(config, dict) else getattr(config, name, None)
    return default if value is None else value


class LatentGANEstimator:
    """What `get_latent_gan_estimator` returns: `train`, `predict`, `global_step` and the latent `z`.

    >>> est.train(input_fn, max_steps=100); samples = next(est.predict())
    """

    def __init__(self, generator_fn, discriminator_fn, loss_fn, optimizer, params, config, ckpt_dir,
                 warmstart_options=True):
        missing = [name for name in _REQUIRED_PARAMS if name not in (params or {})]
        if missing:
            raise ValueError(f"get_latent_gan_estimator params lack {', '.join(missing)}; "
                             f"needed: {', '.join(_REQUIRED_PARAMS)} (and optionally opt_kwargs)")
        self.params, self.loss_fn = dict(params), loss_fn
        self.model_dir = _setting(config, "model_dir")
        if not self.model_dir:
            raise ValueError("get_latent_gan_estimator needs config with a model_dir (a directory without checkpoints)")
        self._save_every = _setting(config, "save_checkpoints_steps", 100)
        z_shape = [params["batch_size"]] + list(params["z_shape"])
        self.z = tf.Variable(tf.random.truncated_normal(z_shape), name="new_var_z_input")
        self.networks = GANNetworks(generator_fn, discriminator_fn)
        self.networks.build(tf.TensorSpec([None] + list(params["z_shape"])))
        if warmstart_options:
            self._warm_start(ckpt_dir)
        opt = optimizer(learning_rate=params["learning_rate"], **params.get("opt_kwargs", {}))
        self.optimizer = opt
        self._step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        checkpoint = tf.train.Checkpoint(z=self.z, optimizer=opt, global_step=self._step)
        self._manager = tf.train.CheckpointManager(checkpoint, self.model_dir, max_to_keep=3)
        self._manager.restore_or_initialize()

    def _warm_start(self, ckpt_dir):
        path = tf.train.latest_checkpoint(ckpt_dir) if os.path.isdir(ckpt_dir or "") else ckpt_dir
        if not path:
            raise ValueError(f"ckpt_dir '{ckpt_dir}' holds no checkpoint of a trained GAN; pass a GANEstimator "
                             "model_dir, or warmstart_options=False")
        tf.train.Checkpoint(generator=self.networks.generator, discriminator=self.networks.discriminator) \
            .restore(path).expect_partial()

    @property
    def global_step(self):
        """Latent updates made so far."""
        return int(self._step.numpy())

    def _model(self, labels):
        return pipeline.adversarial_model(pipeline.model_from_networks(
            self.networks, labels, self.z, training=False, real_outputs=labels is not None))

    @tf.function
    def _update(self, features, labels):
        with tf.GradientTape() as tape:
            loss = self.loss_fn(self._model(labels), features, labels, self.params["add_summaries"])
        self.optimizer.apply_gradients([(tape.gradient(loss, self.z), self.z)])
        clip = self.params["input_clip"]
        self.z.assign(tf.clip_by_value(self.z, -clip, clip))
        return loss

    def train(self, input_fn, max_steps=None, steps=None):
        """Fits `z` to batches of `input_fn()`: a `(features, labels)` pair, or a dataset of them."""
        data = input_fn()
        batches = iter(data) if isinstance(data, tf.data.Dataset) else None
        target = max_steps if max_steps is not None else self.global_step + (steps or 1)
        while self.global_step < target:
            features, labels = next(batches) if batches is not None else data
            self._update(features, labels)
            self._step.assign_add(1)
            if self.global_step % self._save_every == 0:
                self._manager.save(checkpoint_number=self.global_step)
        self._manager.save(checkpoint_number=self.global_step)
        return self

    def predict(self, input_fn=None):
        """Yields the generated batch for the current `z` (TF-GAN's predictions)."""
        del input_fn  # the latent batch is the model's own
        yield self.networks.generate(self.z, training=False, mode=ModeKeys.PREDICT).numpy()


def get_latent_gan_estimator(generator_fn, discriminator_fn, loss_fn, optimizer, params, config, ckpt_dir,
                             warmstart_options=True):
    """An estimator that trains only a batch of latent inputs of a trained GAN (see the module).

    `optimizer` is called as `optimizer(learning_rate=..., **params['opt_kwargs'])`, e.g.
    `keras.optimizers.Adam`; `config` is a dict or object with `model_dir`.

    >>> est = get_latent_gan_estimator(g_fn, d_fn, loss_fn, keras.optimizers.Adam, params, {'model_dir': d}, run)
    """
    return LatentGANEstimator(generator_fn, discriminator_fn, loss_fn, optimizer, params, config, ckpt_dir,
                              warmstart_options)
