"""What TF-GAN's estimator callers pass, in our terms: its positional argument order, a `RunConfig`,
and input functions that take `mode` / `params` or return one batch of tensors.

Example:
    dataset = call_input_fn(input_fn, ModeKeys.TRAIN, params)   # input_fn(), input_fn(params) or input_fn(mode, params)
"""
import inspect

import tensorflow as tf

from gan.models import ModeKeys

# TF-GAN 2.1.0's GANEstimator arguments, in its positional order.
TFGAN_POSITIONAL = ("model_dir", "generator_fn", "discriminator_fn", "generator_loss_fn", "discriminator_loss_fn",
                     "generator_optimizer", "discriminator_optimizer", "get_hooks_fn", "get_eval_metric_ops_fn",
                     "add_summaries", "use_loss_summaries", "config", "params", "warm_start_from", "is_chief")


def given_by_keyword(arguments):
    """The TF-GAN positional names also given by keyword (a value other than the default None)."""
    return {name for name in ("model_dir", "generator_fn", "discriminator_fn", "generator_loss_fn",
                              "discriminator_loss_fn", "generator_optimizer", "discriminator_optimizer",
                              "get_hooks_fn", "get_eval_metric_ops_fn", "config", "params", "warm_start_from")
            if arguments.get(name) is not None}


def from_run_config(config, model_dir, save_checkpoints_steps, keep_checkpoint_max, log_every_steps, seed):
    """Settings from a TF estimator `RunConfig`-like object or dict (its `model_dir`,
    `save_checkpoints_steps`, `keep_checkpoint_max`, `log_step_count_steps`, `tf_random_seed`)."""
    if config is None:
        return model_dir, save_checkpoints_steps, keep_checkpoint_max, log_every_steps, seed

    def read(name, default):
        value = config.get(name) if isinstance(config, dict) else getattr(config, name, None)
        return default if value is None else value

    return (read("model_dir", model_dir), read("save_checkpoints_steps", save_checkpoints_steps),
            read("keep_checkpoint_max", keep_checkpoint_max), read("log_step_count_steps", log_every_steps),
            read("tf_random_seed", seed))


def call_input_fn(input_fn, mode, params):
    """`input_fn()`, `input_fn(params)` or `input_fn(mode, params)` as it declares (TF's estimator
    contract); a `(features, labels)` pair of tensors becomes a dataset repeating that batch."""
    try:
        parameters = inspect.signature(input_fn).parameters
    except (TypeError, ValueError):
        parameters = {}
    kwargs = {name: value for name, value in (("mode", mode), ("params", params), ("config", None))
              if name in parameters}
    result = input_fn(**kwargs)
    if isinstance(result, tf.data.Dataset):
        return result
    if mode != ModeKeys.PREDICT:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise ValueError("input_fn must return a tf.data.Dataset or a (features, labels) pair; "
                             f"got {type(result).__name__}")
        result = tuple(result)
    # Tensors are one batch, as TF1's were one step's: call input_fn again for every batch.
    spec = tf.nest.map_structure(lambda t: tf.TensorSpec.from_tensor(tf.convert_to_tensor(t)), result)
    first = [result]

    def batches():
        while True:
            yield first.pop() if first else input_fn(**kwargs)
    return tf.data.Dataset.from_generator(batches, output_signature=spec)
