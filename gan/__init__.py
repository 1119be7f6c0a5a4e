"""`gan`: TF-GAN's estimator workflow and pipeline, rebuilt on TensorFlow 2.16+ and Keras 3.

>>> import gan
>>> est = gan.GANEstimator(generator_fn, discriminator_fn, loss='wasserstein',
...                        train_steps=gan.GANTrainSteps(1, 5), gradient_penalty_weight=10.0)
>>> model = gan.gan_model(generator_fn, discriminator_fn, real_data, noise)   # TF-GAN's pipeline
"""
from gan import data, features, losses, networks, tpu
from gan import eval  # noqa: A004  (TF-GAN's module name: gan.eval)
from gan.estimator import CheckpointWriteError, GANEstimator, IncompatibleCheckpointError, NonFiniteError
from gan import health
from gan.namedtuples import (ACGANModel, CycleGANLoss, CycleGANModel, GANLoss, GANModel, GANTrainOps,
                             GANTrainSteps, InfoGANModel, StarGANModel)
from gan.pipeline import (acgan_model, cyclegan_loss, cyclegan_model, gan_loss, gan_model, infogan_model,
                          stargan_loss, stargan_model)
from gan.summaries import SummaryType
from gan.train_ops import (RunTrainOpsHook, StopAtStepHook, gan_train, gan_train_ops, get_joint_train_hooks,
                           get_sequential_train_hooks, get_sequential_train_steps)

__version__ = "0.1.0"
