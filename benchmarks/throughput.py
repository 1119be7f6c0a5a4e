"""Training throughput: the library's path and a hand-written Keras loop, side by side.

Both train TF-GAN's MNIST example networks (`tfgan_mnist`) with the Wasserstein loss,
batch 32, noise 64, Adam(1e-3 generator / 1e-4 discriminator, beta1 0.5), on the same
in-memory batches. Timing windows of the two alternate in one process, so machine noise
hits both alike; the figure is the median steady-state steps/s of each and their ratio.

    python benchmarks/throughput.py --jit_compile --steps_per_execution=10
"""
import json
import resource
import sys
import time

from absl import app, flags

flags.DEFINE_integer("batch_size", 32, "Batch size.")
flags.DEFINE_integer("noise_dims", 64, "Noise dimensions.")
flags.DEFINE_integer("window", 20, "Steps per timing window.")
flags.DEFINE_integer("windows", 6, "Timing windows per side (after warm-up).")
flags.DEFINE_bool("jit_compile", False, "XLA for the library path.")
flags.DEFINE_bool("reference_jit_compile", True, "XLA for the hand-written loop.")
flags.DEFINE_bool("reference_mixed_bfloat16", False, "Hand-written loop under the mixed_bfloat16 policy.")
flags.DEFINE_integer("steps_per_execution", 1, "Library: rounds per compiled call.")
flags.DEFINE_bool("joint_train", False, "Library: both updates from one forward pass (simultaneous).")
flags.DEFINE_enum("mixed_precision", None, ["mixed_bfloat16", "mixed_float16"], "Library: dtype policy.")
FLAGS = flags.FLAGS


def batches(tf):
    """Fresh noise per batch, a fixed pool of images in [-1, 1] (no input-pipeline cost)."""
    images = tf.random.uniform([FLAGS.batch_size * 8, 28, 28, 1], -1.0, 1.0, seed=1)
    pool = tf.data.Dataset.from_tensor_slices(images).repeat().batch(FLAGS.batch_size, drop_remainder=True)
    return pool.map(lambda x: (tf.random.normal([FLAGS.batch_size, FLAGS.noise_dims]), x)).prefetch(4)


class ReferenceLoop:
    """The hand-written recipe: one compiled discriminator update, then one generator update."""

    def __init__(self, tf, keras, gan, noise_dims=64, jit_compile=True, iterator=None, dtype_policy="float32"):
        pair = gan.networks.tfgan_mnist()
        previous_policy = keras.config.dtype_policy()
        keras.config.set_dtype_policy(dtype_policy)
        z = keras.Input((noise_dims,))
        self.generator = keras.Model(z, pair.generator_fn(z))
        x, z2 = keras.Input((28, 28, 1)), keras.Input((noise_dims,))
        self.discriminator = keras.Model([x, z2], pair.discriminator_fn(x, z2))
        keras.config.set_dtype_policy(previous_policy)
        self.g_opt = keras.optimizers.Adam(1e-3, beta_1=0.5)
        self.d_opt = keras.optimizers.Adam(1e-4, beta_1=0.5)
        self.tf = tf
        self.d_step = tf.function(self._d_step, jit_compile=jit_compile)
        self.g_step = tf.function(self._g_step, jit_compile=jit_compile)
        self.iterator = iterator

    def _d_step(self, z, x):
        tf = self.tf
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            loss = (self._mean(self.discriminator([fake, z], training=True))
                    - self._mean(self.discriminator([x, z], training=True)) + sum(self.discriminator.losses))
        variables = self.discriminator.trainable_variables
        self.d_opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def _mean(self, critic_output):
        return self.tf.reduce_mean(self.tf.cast(critic_output, "float32"))  # bf16 outputs: loss in float32

    def _g_step(self, z):
        tf = self.tf
        with tf.GradientTape() as tape:
            loss = -self._mean(self.discriminator([self.generator(z, training=True), z], training=True))
            loss += sum(self.generator.losses)
        variables = self.generator.trainable_variables
        self.g_opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def run(self, steps):
        for _ in range(steps):
            self.d_step(*next(self.iterator))
            loss = self.g_step(next(self.iterator)[0])
        float(loss)  # wait for the last step


def main(argv):
    del argv
    import tempfile

    import keras
    import numpy as np
    import tensorflow as tf

    import gan
    reference = ReferenceLoop(tf, keras, gan, FLAGS.noise_dims, FLAGS.reference_jit_compile, iter(batches(tf)),
                              "mixed_bfloat16" if FLAGS.reference_mixed_bfloat16 else "float32")
    est = gan.GANEstimator(
        *gan.networks.tfgan_mnist(), model_dir=tempfile.mkdtemp(),
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5),
        jit_compile=FLAGS.jit_compile, steps_per_execution=FLAGS.steps_per_execution, joint_train=FLAGS.joint_train,
        mixed_precision=FLAGS.mixed_precision, log_every_steps=FLAGS.window,
        save_checkpoints_steps=10**9, add_summaries=None)
    library_rates = []
    record = lambda step, logs: library_rates.append(logs["steps_per_sec"])
    input_fn = lambda: batches(tf)
    est.train(input_fn, steps=2 * FLAGS.window, progress=False)  # compile
    reference.run(FLAGS.window)
    reference_rates = []
    for _ in range(FLAGS.windows):
        library_rates.append(None)  # the first window of each call includes iterator start-up
        est.train(input_fn, steps=2 * FLAGS.window, hooks=[record], progress=False)
        start = time.perf_counter()
        reference.run(FLAGS.window)
        reference_rates.append(FLAGS.window / (time.perf_counter() - start))
    steady = [r for previous, r in zip(library_rates, library_rates[1:]) if previous is not None and r is not None]
    library, hand = float(np.median(steady)), float(np.median(reference_rates))
    print(json.dumps({
        "command": " ".join(sys.argv),
        "library_steps_per_sec": round(library, 2),
        "reference_steps_per_sec": round(hand, 2),
        "ratio": round(library / hand, 3),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }))


if __name__ == "__main__":
    app.run(main)
