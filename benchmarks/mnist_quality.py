"""Quality per CPU-minute on MNIST: `gan-train` defaults against the hand-written Keras loop.

Each contender trains for the same wall-clock budget from the same seed, then 5,000
samples are scored with the library's cached MNIST classifier (FID against the real
training statistics, classifier score, class coverage). Contenders: `library` (the
`gan-train --dataset=mnist` defaults), `reference` (the hand-written XLA loop of
throughput.py, TF-GAN's MNIST settings) and `reference_ema` (the same with a 0.99
exponential moving average of the generator's weights). Report medians over seeds.

    python benchmarks/mnist_quality.py --data_dir=../shared/data/tfds --max_seconds=300 --seeds=0,1,2
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from absl import app, flags

flags.DEFINE_string("data_dir", None, "TFDS data dir holding mnist (default: mock data, for a smoke run).")
flags.DEFINE_float("max_seconds", 300, "Training budget per run, seconds.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds; the figures are medians over them.")
flags.DEFINE_list("contenders", ["library", "reference", "reference_ema"], "Which runs to make.")
flags.DEFINE_integer("num_samples", 5000, "Samples scored per run.")
flags.DEFINE_list("library_flags", [], "Extra gan-train flags for the library run, e.g. --joint_train.")
FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train_library(seed, workdir):
    """`gan-train --dataset=mnist` with its defaults (plus --library_flags); returns (samples, steps)."""
    model_dir = os.path.join(workdir, f"library-{seed}")
    subprocess.run([sys.executable, "-m", "gan.cli.train", "--dataset=mnist", f"--data_dir={FLAGS.data_dir}",
                    "--nodownload", f"--model_dir={model_dir}", f"--max_seconds={FLAGS.max_seconds}",
                    f"--seed={seed}", "--nohealth", *FLAGS.library_flags],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": ROOT})
    output = os.path.join(workdir, f"library-{seed}.npy")
    subprocess.run([sys.executable, "-m", "gan.cli.generate", f"--model_dir={model_dir}",
                    f"--num_samples={FLAGS.num_samples}", f"--output={output}", f"--seed={seed + 100}"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": ROOT})
    import numpy as np
    steps = [json.loads(line)["step"] for line in open(os.path.join(model_dir, "train_log.jsonl"))
             if "generator_loss" in line][-1]
    return np.load(output), steps


def train_reference(seed, ema):
    """The hand-written loop (throughput.ReferenceLoop on real MNIST batches) for the budget."""
    import keras
    import tensorflow as tf

    import gan
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from throughput import ReferenceLoop
    keras.utils.set_random_seed(seed)
    loop = ReferenceLoop(tf, keras, gan, noise_dims=64, jit_compile=True, iterator=iter(gan.data.gan_dataset(
        "mnist", 32, noise_dims=64, data_dir=FLAGS.data_dir, download=False, seed=seed)))
    average = None
    if ema:
        average = keras.models.clone_model(loop.generator)
        average.set_weights(loop.generator.get_weights())
    start, steps = time.time(), 0
    while time.time() - start < FLAGS.max_seconds:
        loop.run(10)
        steps += 10
        if average is not None:  # per 10 steps: decay 0.99**10 keeps the 0.99-per-step horizon
            for a, w in zip(average.weights, loop.generator.weights):
                a.assign(0.99 ** 10 * a + (1 - 0.99 ** 10) * w)
    generator = average or loop.generator
    noise = tf.random.stateless_normal([FLAGS.num_samples, 64], seed=(seed, 100))
    return generator.predict(noise, batch_size=500, verbose=0), steps


def score(samples, metrics):
    metrics.reset_state()
    for start in range(0, len(samples), 500):
        metrics.update_state(None, samples[start:start + 500])
    result = metrics.result()
    import numpy as np
    classes = metrics.extractor.extract(samples[:2000])[1].argmax(axis=1)
    return {"fid": result["fid"], "classifier_score": result["classifier_score"],
            "classes": int(len(np.unique(classes)))}


def main(argv):
    del argv
    import numpy as np

    import gan
    metrics = gan.eval.metrics_for("mnist", data_dir=FLAGS.data_dir, download=False)
    workdir = tempfile.mkdtemp(prefix="mnist_quality_")
    runs = []
    for seed in (int(s) for s in FLAGS.seeds):
        for contender in FLAGS.contenders:
            samples, steps = (train_library(seed, workdir) if contender == "library"
                              else train_reference(seed, ema=contender == "reference_ema"))
            runs.append({"contender": contender, "seed": seed, "steps": steps, **score(samples, metrics)})
            if contender == "library":  # the largest resident set of any gan-train / gan-generate so far
                runs[-1]["gan_programs_peak_rss_gb"] = round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20, 2)
            print(json.dumps(runs[-1]), flush=True)
    medians = {c: float(np.median([r["fid"] for r in runs if r["contender"] == c])) for c in FLAGS.contenders}
    print(json.dumps({"command": " ".join(sys.argv), "median_fid": medians}))


if __name__ == "__main__":
    app.run(main)
