"""Quality per time on `digits`: train for a wall-clock budget, then judge 1,000 samples.

A scikit-learn MLP fitted on the real digits classifies the generated samples; the
figures are the share recognised with confidence >= 0.9 and the classes that appear.

    python benchmarks/digits_quality.py --max_seconds=150 --loss=wasserstein --gradient_penalty_weight=10
"""
import json
import sys
import tempfile
import time

from absl import app, flags

flags.DEFINE_float("max_seconds", 150, "Training budget in seconds.")
flags.DEFINE_integer("max_steps", 100000, "Training rounds at most.")
flags.DEFINE_string("loss", "wasserstein", "Registered GAN loss.")
flags.DEFINE_float("gradient_penalty_weight", 10.0, "WGAN-GP weight (0 for none).")
flags.DEFINE_integer("discriminator_steps", 1, "Critic updates per round.")
flags.DEFINE_integer("batch_size", 64, "Batch size.")
flags.DEFINE_integer("noise_dims", 32, "Noise dimensions.")
flags.DEFINE_float("generator_lr", 1e-3, "Generator learning rate.")
flags.DEFINE_float("discriminator_lr", 1e-3, "Discriminator learning rate.")
flags.DEFINE_float("beta1", 0.5, "Adam beta1.")
flags.DEFINE_float("beta2", 0.9, "Adam beta2.")
flags.DEFINE_float("ema", 0.999, "Generator EMA decay (0 for none).")
flags.DEFINE_integer("base_filters", 64, "DCGAN base filters.")
flags.DEFINE_bool("spectral_norm", False, "Spectral normalisation in the discriminator.")
flags.DEFINE_integer("seed", 0, "Seed.")
flags.DEFINE_bool("conditional", False, "Condition both networks on the digit class.")
flags.DEFINE_integer("steps_per_execution", 10, "Rounds per compiled call.")
FLAGS = flags.FLAGS


def digits_judge():
    """A classifier of real digits in [-1, 1]: probabilities for `[N, 8, 8, 1]` images."""
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier
    digits = load_digits()
    x = digits.images.reshape(-1, 64) / 8.0 - 1.0
    clf = MLPClassifier(hidden_layer_sizes=(128,), max_iter=1000, random_state=0).fit(x, digits.target)
    return lambda images: clf.predict_proba(images.reshape(len(images), 64))


def judge_samples(samples, judge, requested_labels=None):
    """Share recognised with confidence >= 0.9, classes among those, and (conditional) label accuracy."""
    import numpy as np
    probs = judge(samples)
    confident = probs.max(1) >= 0.9
    result = {"confident_share": float(confident.mean()),
              "classes": int(len(set(probs.argmax(1)[confident]))),
              "class_histogram": np.bincount(probs.argmax(1), minlength=10).tolist()}
    if requested_labels is not None:
        result["requested_label_accuracy"] = float((probs.argmax(1) == requested_labels).mean())
    return result


def main(argv):
    del argv
    import keras
    import numpy as np
    import tensorflow as tf
    import gan
    keras.utils.set_random_seed(FLAGS.seed)
    root = tempfile.mkdtemp()
    input_fn = gan.data.gan_input_fn("digits", FLAGS.batch_size, noise_dims=FLAGS.noise_dims,
                                     data_dir=f"{root}/data", seed=FLAGS.seed,
                                     conditional=FLAGS.conditional)
    est = gan.GANEstimator(
        *gan.networks.dcgan((8, 8, 1), base_filters=FLAGS.base_filters, spectral_norm=FLAGS.spectral_norm,
                            conditional=FLAGS.conditional),
        model_dir=f"{root}/run", loss=FLAGS.loss,
        gradient_penalty_weight=FLAGS.gradient_penalty_weight or None,
        train_steps=gan.GANTrainSteps(1, FLAGS.discriminator_steps),
        generator_optimizer=keras.optimizers.Adam(FLAGS.generator_lr, FLAGS.beta1, FLAGS.beta2),
        discriminator_optimizer=keras.optimizers.Adam(FLAGS.discriminator_lr, FLAGS.beta1, FLAGS.beta2),
        generator_ema_decay=FLAGS.ema or None, steps_per_execution=FLAGS.steps_per_execution,
        log_every_steps=500, save_checkpoints_steps=10**6, seed=FLAGS.seed)
    start = time.time()
    est.train(input_fn, max_steps=FLAGS.max_steps, max_seconds=FLAGS.max_seconds, progress=False)
    elapsed = time.time() - start
    noise = tf.random.stateless_normal([1000, FLAGS.noise_dims], seed=(7, 7))
    inputs = (noise, tf.one_hot(tf.range(1000) % 10, 10)) if FLAGS.conditional else noise
    samples = np.stack(list(est.predict(lambda: tf.data.Dataset.from_tensor_slices(inputs).batch(250))))
    result = {"command": " ".join(sys.argv), "steps": est.global_step, "train_seconds": round(elapsed, 1),
              **judge_samples(samples, digits_judge(), np.arange(1000) % 10 if FLAGS.conditional else None)}
    print(json.dumps(result))


if __name__ == "__main__":
    app.run(main)
