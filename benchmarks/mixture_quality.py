"""Quality per time on the 2-D mixtures (`ring`, `grid`): PacGAN's protocol on 2,500 samples.

Trains for a wall-clock budget, then reports modes captured, the share of high-quality
samples (within 3 std of a mode) and the reverse KL of the mode histogram.

    python benchmarks/mixture_quality.py --dataset=ring --max_seconds=120
"""
import json
import sys
import tempfile
import time

from absl import app, flags

flags.DEFINE_enum("dataset", "ring", ["ring", "grid"], "Mixture.")
flags.DEFINE_float("max_seconds", 120, "Training budget in seconds.")
flags.DEFINE_integer("max_steps", 10**6, "Training rounds at most.")
flags.DEFINE_string("loss", "wasserstein", "Registered GAN loss.")
flags.DEFINE_float("gradient_penalty_weight", 1.0, "WGAN-GP weight (0 for none).")
flags.DEFINE_integer("discriminator_steps", 5, "Critic updates per round.")
flags.DEFINE_integer("batch_size", 256, "Batch size.")
flags.DEFINE_integer("noise_dims", 8, "Noise dimensions.")
flags.DEFINE_integer("hidden", 128, "Hidden units per layer (two layers).")
flags.DEFINE_float("generator_lr", 1e-3, "Generator learning rate.")
flags.DEFINE_float("discriminator_lr", 1e-3, "Discriminator learning rate.")
flags.DEFINE_float("beta1", 0.5, "Adam beta1.")
flags.DEFINE_float("beta2", 0.9, "Adam beta2.")
flags.DEFINE_float("ema", 0.0, "Generator EMA decay (0 for none).")
flags.DEFINE_integer("seed", 0, "Seed.")
flags.DEFINE_integer("steps_per_execution", 50, "Rounds per compiled call.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    import keras
    import numpy as np
    import tensorflow as tf
    import gan
    keras.utils.set_random_seed(FLAGS.seed)
    root = tempfile.mkdtemp()
    input_fn = gan.data.gan_input_fn(FLAGS.dataset, FLAGS.batch_size, noise_dims=FLAGS.noise_dims,
                                     data_dir=f"{root}/data", seed=FLAGS.seed)
    est = gan.GANEstimator(
        *gan.networks.mlp((2,), hidden_units=(FLAGS.hidden, FLAGS.hidden)),
        model_dir=f"{root}/run", loss=FLAGS.loss, gradient_penalty_weight=FLAGS.gradient_penalty_weight or None,
        train_steps=gan.GANTrainSteps(1, FLAGS.discriminator_steps),
        generator_optimizer=keras.optimizers.Adam(FLAGS.generator_lr, FLAGS.beta1, FLAGS.beta2),
        discriminator_optimizer=keras.optimizers.Adam(FLAGS.discriminator_lr, FLAGS.beta1, FLAGS.beta2),
        generator_ema_decay=FLAGS.ema or None, steps_per_execution=FLAGS.steps_per_execution,
        log_every_steps=10 * FLAGS.steps_per_execution, save_checkpoints_steps=10**6, seed=FLAGS.seed,
        add_summaries=None)
    list(est.predict(lambda: tf.data.Dataset.from_tensors(tf.zeros([1, FLAGS.noise_dims]))))  # build
    start = time.time()
    est.train(input_fn, max_steps=FLAGS.max_steps, max_seconds=FLAGS.max_seconds, progress=False)
    elapsed = time.time() - start
    noise = tf.random.stateless_normal([2500, FLAGS.noise_dims], seed=(7, 7))
    samples = np.stack(list(est.predict(lambda: tf.data.Dataset.from_tensors(noise))))
    print(json.dumps({"command": " ".join(sys.argv), "steps": est.global_step, "train_seconds": round(elapsed, 1),
                      **gan.eval.mixture_metrics(samples, FLAGS.dataset)}))


if __name__ == "__main__":
    app.run(main)
