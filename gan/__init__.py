"""`gan`: TF-GAN's estimator workflow, rebuilt on TensorFlow 2.16+ and Keras 3.

>>> import gan
>>> est = gan.GANEstimator(generator_fn, discriminator_fn, loss='wasserstein',
...                        train_steps=gan.GANTrainSteps(1, 5), gradient_penalty_weight=10.0)
"""
from gan import data, losses, networks
from gan import eval  # noqa: A004  (TF-GAN's module name: gan.eval)
from gan.estimator import GANEstimator, IncompatibleCheckpointError, NonFiniteError
from gan import health
from gan.summaries import SummaryType
from gan.train import GANTrainSteps

__version__ = "0.1.0"
