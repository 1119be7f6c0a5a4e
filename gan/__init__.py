"""`gan`: TF-GAN's estimator workflow, rebuilt on TensorFlow 2.16+ and Keras 3.

>>> import gan
>>> est = gan.GANEstimator(generator_fn, discriminator_fn, loss='wasserstein',
...                        train_steps=gan.GANTrainSteps(1, 5), gradient_penalty_weight=10.0)
>>> model = gan.gan_model(generator_fn, discriminator_fn, real_data, noise)   # TF-GAN's pipeline

`import gan` is cheap: TensorFlow and each submodule load on first use of a name
(PEP 562), so command-line programs can check their flags before paying for them.
"""
import importlib

__version__ = "0.1.0"

# Submodules reachable as attributes (`gan.distribute.make_strategy`).
_SUBMODULES = ("atomic", "checkpoints", "checks", "cli", "data", "distribute", "estimator", "estimator_args", "eval",
               "export", "features", "health", "loss_stage", "losses", "manifest", "models", "namedtuples",
               "networks", "pipeline", "plots", "precision", "run_log", "summaries", "tpu", "train", "train_ops")

# Top-level name -> the module that defines it. Adding a public name is one line here.
_NAMES = {
    "GANEstimator": "gan.estimator",
    "CheckpointWriteError": "gan.estimator",
    "IncompatibleCheckpointError": "gan.estimator",
    "NonFiniteError": "gan.estimator",
    "SummaryType": "gan.summaries",
    # TF-GAN's pipeline tuples.
    "GANModel": "gan.namedtuples",
    "InfoGANModel": "gan.namedtuples",
    "ACGANModel": "gan.namedtuples",
    "CycleGANModel": "gan.namedtuples",
    "StarGANModel": "gan.namedtuples",
    "GANLoss": "gan.namedtuples",
    "CycleGANLoss": "gan.namedtuples",
    "GANTrainOps": "gan.namedtuples",
    "GANTrainSteps": "gan.namedtuples",
    # TF-GAN's pipeline functions.
    "gan_model": "gan.pipeline",
    "acgan_model": "gan.pipeline",
    "infogan_model": "gan.pipeline",
    "cyclegan_model": "gan.pipeline",
    "stargan_model": "gan.pipeline",
    "gan_loss": "gan.loss_stage",
    "cyclegan_loss": "gan.loss_stage",
    "stargan_loss": "gan.loss_stage",
    "gan_train_ops": "gan.train_ops",
    "gan_train": "gan.train_ops",
    "get_sequential_train_hooks": "gan.train_ops",
    "get_joint_train_hooks": "gan.train_ops",
    "get_sequential_train_steps": "gan.train_ops",
    "RunTrainOpsHook": "gan.train_ops",
    "StopAtStepHook": "gan.train_ops",
}

__all__ = sorted(set(_SUBMODULES) | set(_NAMES))


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"gan.{name}")
    else:
        raise AttributeError(f"module 'gan' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
