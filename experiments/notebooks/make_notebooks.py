"""Writes the Colab notebooks `quickstart.ipynb` and `losses.ipynb` from the cell sources below.

The notebooks are generated so that reviews read plain Python and the stored files
carry no outputs. After editing a cell here, regenerate (tests check they agree):

    python experiments/notebooks/make_notebooks.py
"""
import os

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMETERS_TAG = "parameters"  # papermill's tag: tools inject overrides right after this cell

INSTALL_MARKDOWN = """\
## 1. Install

This cell installs `gan` only when Python cannot import it yet (a fresh Colab runtime); where `gan` is \
already installed it does nothing, so it is safe to run every time. To install from somewhere else (a \
fork, a local checkout such as `/content/gan`, a wheel), set `GAN_SOURCE` here or in the environment \
variable of the same name. Working in a checkout of the repository? `pip install -e .` there first."""

INSTALL_CODE = """\
import importlib
import importlib.util
import os
import subprocess
import sys

GAN_SOURCE = os.environ.get("GAN_SOURCE", "gan @ git+https://github.com/gan-project/gan")
if importlib.util.find_spec("gan") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", GAN_SOURCE])
    importlib.invalidate_caches()  # so this running kernel sees the new package without a restart
else:
    print("gan is already installed; nothing to do.")"""


def md(source):
    """A markdown cell.

    >>> md("## Data").cell_type
    'markdown'
    """
    return nbformat.v4.new_markdown_cell(source)


def code(source, tags=()):
    """A code cell without outputs, with optional cell tags.

    >>> code("STEPS = 10", tags=["parameters"]).metadata["tags"]
    ['parameters']
    """
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


QUICKSTART = [
    md("""\
# Quickstart: train, look at, evaluate and export a GAN with `gan`

`gan` is TF-GAN's estimator workflow (`GANEstimator`, the TF-GAN loss library, its evaluation \
metrics) rebuilt on TensorFlow 2.16+ and Keras 3, so it runs in today's Colab, where TF-GAN no \
longer imports.

This notebook trains a DCGAN-style generator on scikit-learn's handwritten digits (8x8 pixels, \
bundled with scikit-learn: nothing to download) with the settings `gan-train` uses for them \
(a class-conditional WGAN-GP, built by the same function), shows samples and loss curves, scores the samples \
with a classifier, and exports the generator as a SavedModel that loads without `gan`. A CPU runtime \
is enough: the default settings train for about a minute or two."""),
    md(INSTALL_MARKDOWN),
    code(INSTALL_CODE),
    md("""\
## 2. Parameters

Change these to taste. Tools such as papermill (and this project's tests) override them by running a \
cell right after this one, which is why it is tagged `parameters`."""),
    code("""\
DATASET = "digits"              # embedded, no download; section 4 switches to MNIST from TFDS
STEPS = 3000                    # training rounds in total (one critic + one generator update each)
BATCH_SIZE = None               # None: gan-train's batch size for the dataset
MODEL_DIR = "runs/quickstart"   # checkpoints, TensorBoard events, train_log.jsonl; training resumes from it
DATA_DIR = None                 # TFDS data dir; None: $GAN_DATA_DIR, else ~/tensorflow_datasets
EVAL_BATCHES = 20               # batches of generated samples that evaluate() scores
USE_MNIST = False               # True: train on MNIST instead (needs the internet once), section 4
USE_DRIVE = False               # True in Colab: keep MODEL_DIR on Google Drive, section 5
SEED = 0""", tags=[PARAMETERS_TAG]),
    md("## 3. Imports"),
    code("""\
import os
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import gan
from gan.cli import common
from gan.cli import train as gan_train
from gan.plots import tile_images

print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, gan {gan.__version__}")


def show_images(axes, images, title):
    \"\"\"Draws [N, H, W, C] images in [-1, 1] as one grid on `axes`.\"\"\"
    grid = (tile_images(images) + 1.0) / 2.0
    axes.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0.0, vmax=1.0,
                interpolation="nearest")
    axes.set_title(title)
    axes.axis("off")"""),
    md("""\
## 4. ⚠️ Optional: switch to MNIST (needs the internet)

**Skipped by default.** With `USE_MNIST = True` in section 2 this cell trains on MNIST (28x28) from \
TensorFlow Datasets instead of the embedded digits, with TF-GAN's own MNIST networks and a separate \
`MODEL_DIR` (a checkpoint only fits the networks that wrote it). TFDS downloads MNIST (about 11 MB) \
once into `DATA_DIR` (section 6 does). Offline, unless MNIST is already prepared in `DATA_DIR`, \
the cell says so and the notebook stays on the digits. MNIST wants \
more steps than the digits: try `STEPS = 10000` on a GPU runtime."""),
    code("""\
if USE_MNIST:
    import socket

    try:
        gan.data.describe("mnist", DATA_DIR, download=False)  # already prepared: no download needed
        mnist_ready = True
    except gan.data.DatasetError:
        try:  # TFDS downloads MNIST from Google Cloud Storage; offline it would retry for minutes
            socket.create_connection(("storage.googleapis.com", 443), timeout=5).close()
            mnist_ready = True
        except OSError:
            mnist_ready = False
    if mnist_ready:
        DATASET, MODEL_DIR = "mnist", MODEL_DIR.rstrip("/") + "_mnist"
    else:
        print(f"Offline and MNIST is not prepared in DATA_DIR: staying on {DATASET}.")
print(f"dataset {DATASET}")"""),
    md("""\
## 5. Keep `MODEL_DIR` on Google Drive, so a disconnected runtime resumes

Colab runtimes disconnect (idle time, usage limits) and take their local disk with them. \
`GANEstimator` writes a checkpoint into `model_dir` every `save_checkpoints_steps` rounds (500 by \
default) and when `train()` returns, and a new estimator on the same `model_dir` restores the newest \
one. So with `USE_DRIVE = True` the run lives on Google Drive: after a disconnect, reconnect and \
*Run all* again. Nothing is lost but the rounds since the last checkpoint; `train(max_steps=STEPS)` \
continues from there (its progress bar counts only the rounds left) and does nothing once `STEPS` \
are done. Raise `STEPS` to train on. The networks must stay the same (a different `model_dir` for \
other settings), otherwise `gan.IncompatibleCheckpointError` says so."""),
    code("""\
if USE_DRIVE:
    from google.colab import drive  # only exists in Colab

    drive.mount("/content/drive")
    MODEL_DIR = os.path.join("/content/drive/MyDrive/gan", os.path.basename(MODEL_DIR.rstrip("/")))
print("model_dir:", os.path.abspath(MODEL_DIR))"""),
    md("""\
## 6. Data

`gan-train`'s settings for the dataset come from its defaults table (`common.resolve`), as on the \
command line. `gan.data.gan_input_fn` gives TF-GAN's estimator `input_fn`: a function returning a \
`tf.data` pipeline of `(generator_inputs, real_data)` batches, here `((noise, one_hot_labels), images)` \
for the conditional digits (`(noise, images)` for MNIST) with images scaled to [-1, 1]. The same \
call serves every TFDS image dataset."""),
    code("""\
LOG_EVERY = max(1, min(25, STEPS // 50))  # rounds between log records (the curves below)
chosen = {"dataset": DATASET, "seed": SEED, "data_dir": DATA_DIR, "log_every": LOG_EVERY,
          "steps_per_execution": LOG_EVERY, **({"batch_size": BATCH_SIZE} if BATCH_SIZE else {})}
config = common.resolve(chosen, None, {"generator_loss": None, "discriminator_loss": None})
NOISE_DIMS, BATCH_SIZE = config["noise_dims"], config["batch_size"]
spec = gan.data.describe(DATASET, DATA_DIR)
input_fn = gan.data.gan_input_fn(DATASET, BATCH_SIZE, noise_dims=NOISE_DIMS, conditional=config["conditional"],
                                 data_dir=DATA_DIR, seed=SEED)
generator_inputs, real_images = next(iter(input_fn()))
print(spec)
print("generator inputs", [tuple(t.shape) for t in tf.nest.flatten(generator_inputs)], "images", real_images.shape)
figure, axes = plt.subplots(figsize=(4, 4))
show_images(axes, real_images[:64].numpy(), f"real {DATASET}")
plt.show()"""),
    md("""\
## 7. The estimator

`gan-train`'s own `build_estimator` makes the `GANEstimator` from those settings: a reference \
generator/discriminator pair from `gan.networks`, the library's default loss (Wasserstein) with a \
gradient penalty that keeps the critic 1-Lipschitz (WGAN-GP, Gulrajani et al. 2017), the tuned Adam \
settings and a moving average of the generator's weights for sampling. Written out, it is \
`gan.GANEstimator(generator_fn, discriminator_fn, model_dir=..., loss="wasserstein", \
gradient_penalty_weight=10.0, generator_optimizer=keras.optimizers.Adam(...), ...)`: TF-GAN code \
ports by changing imports."""),
    code("""\
keras.utils.set_random_seed(SEED)  # reproducible initial weights
estimator = gan_train.build_estimator(gan, keras, config, spec, MODEL_DIR)
print({k: config[k] for k in ("architecture", "conditional", "loss", "gradient_penalty_weight", "generator_lr",
                              "generator_ema_decay")})
print("rounds already trained in model_dir:", estimator.global_step)"""),
    md("""\
## 8. Train

The progress bar is a notebook widget in Colab and Jupyter (text elsewhere) and shows the latest \
losses and speed. Running this cell again resumes instead of starting over."""),
    code("""\
began = time.time()
estimator.train(input_fn, max_steps=STEPS)
print(f"global step {estimator.global_step}, {time.time() - began:.0f} s")"""),
    md("""\
## 9. Samples and loss curves

Samples come from a fixed batch of noise (and, for the conditional digits, labels cycling \
0..9), so reruns are comparable. The curves read \
`train_log.jsonl` in `model_dir` (the same numbers are in TensorBoard: `%load_ext tensorboard`, \
then `%tensorboard --logdir runs`). The Wasserstein critic's scores are unbounded, so its training \
health signal is the critic gap `mean D(x) - mean D(G(z))`, an estimate of the distance between the \
real and the generated data: it heads towards 0 as the two meet, the critic's version of a \
classifier's drift to coin-flip accuracy (see `losses.ipynb`). The estimate is only as good as the \
critic: with one critic update per generator update, as here, the critic lags behind and the gap \
can even dip below 0; its trend is the signal."""),
    code("""\
fixed_inputs = common.generator_inputs(64, NOISE_DIMS, spec.num_classes if config["conditional"] else None,
                                      seed=SEED + 1)
samples = estimator.generate(tf.nest.map_structure(tf.constant, fixed_inputs)).numpy()
log = gan.summaries.read_log(MODEL_DIR)
steps = [record["step"] for record in log]

figure, axes = plt.subplots(1, 4, figsize=(17, 4), gridspec_kw={"width_ratios": [1, 1, 1.3, 1.3]})
show_images(axes[0], real_images[:64].numpy(), "real")
show_images(axes[1], samples, f"generated, step {estimator.global_step}")
for key in ("discriminator_loss", "generator_loss", "gradient_penalty"):
    axes[2].plot(steps, [record[key] for record in log], label=key)
axes[2].set(title="losses", xlabel="step")
axes[2].legend()
axes[3].plot(steps, [record["critic_gap"] for record in log])
axes[3].axhline(0.0, color="gray", linestyle=":")
axes[3].set(title="critic gap  mean D(x) - mean D(G(z))", xlabel="step")
plt.tight_layout()
plt.show()"""),
    md("""\
## 10. Evaluate

`gan.eval.metrics_for(DATASET)` builds the metric set for a dataset: for labelled images, a small \
classifier trained once on the real data (cached in `~/.cache/gan`, or `$GAN_CACHE_DIR`) plays the \
part of TF-GAN's MNIST classifier, offline. `evaluate` then reports the losses plus FID and KID \
(lower is better), the classifier score (higher is better, at most the number of classes), and \
precision/recall and density/coverage. The same metrics on real training images (the data the \
reference statistics come from) show what a perfect generator would score."""),
    code("""\
metrics = gan.eval.metrics_for(DATASET, data_dir=DATA_DIR)
print(f"classifier held-out accuracy: {metrics.extractor.accuracy:.3f}")
estimator.eval_metrics = metrics
eval_input_fn = gan.data.gan_input_fn(DATASET, BATCH_SIZE, noise_dims=NOISE_DIMS, conditional=config["conditional"],
                                      data_dir=DATA_DIR, seed=SEED + 1)
results = estimator.evaluate(eval_input_fn, steps=EVAL_BATCHES)

real_sample = np.stack([image for image, _ in gan.data.real_dataset(DATASET, data_dir=DATA_DIR)
                        .take(EVAL_BATCHES * BATCH_SIZE).as_numpy_iterator()])
metrics.reset_state()
metrics.update_state(None, real_sample)
real_results = metrics.result()
print(f"{'':<20}{'generated':>12}{'real':>12}")
for key, value in results.items():
    real = f"{real_results[key]:>12.4g}" if key in real_results else ""
    print(f"{key:<20}{value:>12.4g}{real}")"""),
    md("""\
## 11. Export the generator and load it back

`export` writes a SavedModel whose `serving_default` signature maps generator inputs to samples. \
Loading it needs only TensorFlow, not `gan`: serve it, or load it in another notebook."""),
    code("""\
export_dir = estimator.export(os.path.join(MODEL_DIR, "export"))
reloaded = tf.saved_model.load(export_dir)
serve = reloaded.signatures["serving_default"]
print("inputs:", serve.structured_input_signature[1])
named = ({f"generator_inputs_{i}": tf.constant(t) for i, t in enumerate(fixed_inputs)}
         if isinstance(fixed_inputs, tuple) else {"generator_inputs": tf.constant(fixed_inputs)})
exported_samples = serve(**named)["samples"].numpy()
print("largest difference to the estimator's samples:", float(np.abs(exported_samples - samples).max()))
figure, axes = plt.subplots(figsize=(4, 4))
show_images(axes, exported_samples, "from the reloaded SavedModel")
plt.show()"""),
    md("""\
## Next steps

- Raise `STEPS` and run the training cell again: it resumes from `model_dir`.
- The same run from the command line: `gan-train --dataset=digits --model_dir=runs/digits`, then \
`gan-generate --model_dir=runs/digits --num_samples=64 --output=samples.png` and `gan-evaluate`.
- `losses.ipynb` puts the Wasserstein, minimax and modified losses side by side."""),
]

LOSSES = [
    md("""\
# GAN losses side by side: Wasserstein, minimax, modified, and the gradient penalty

Five runs on the `ring` benchmark (8 Gaussian modes on the unit circle, standard deviation 0.01) that \
differ **only in the loss**: everything else is `gan-train`'s ring run, built by its own \
`build_estimator` from its defaults table (the same MLP networks and initial weights, data and \
noise, Adam optimizer and weight average), with `DISCRIMINATOR_STEPS` (5) discriminator updates per \
generator update, `GANTrainSteps(1, 5)` as in the WGAN papers.

| run | discriminator (critic) loss | generator loss | gradient penalty |
|---|---|---|---|
| `wasserstein` | `D(G(z)) - D(x)` | `-D(G(z))` | none |
| `wasserstein + GP` | `D(G(z)) - D(x)` | `-D(G(z))` | weight 1 |
| `minimax` | `-log σ(D(x)) - log(1 - σ(D(G(z))))` | `log(1 - σ(D(G(z))))` | none |
| `modified` | same as minimax | `-log σ(D(G(z)))` | none |
| `modified + GP` | same as minimax | `-log σ(D(G(z)))` | weight 1 |

`σ` is the sigmoid, and the minimax discriminator smooths its real labels by 0.25 as in TF-GAN. The \
gradient penalty (Gulrajani et al. 2017) pushes the norm of the discriminator's gradient towards 1 \
between real and generated points; it combines with any loss. The default settings take a few \
minutes on a CPU runtime."""),
    md(INSTALL_MARKDOWN),
    code(INSTALL_CODE),
    md("""\
## 2. Parameters

Tagged `parameters`: papermill (and this project's tests) override them with a cell right after this one."""),
    code("""\
DATASET = "ring"            # or "grid" (25 modes: give it about three times the steps)
STEPS = 1000                # training rounds per run: DISCRIMINATOR_STEPS + 1 generator update each
DISCRIMINATOR_STEPS = 5     # discriminator updates per round
BATCH_SIZE = 256
MODEL_DIR = "runs/losses"   # one sub-directory per run; rerunning resumes
DATA_DIR = None             # TFDS data dir; None: $GAN_DATA_DIR, else ~/tensorflow_datasets
NUM_SAMPLES = 2500          # generated points drawn and scored per run (the PacGAN protocol)
SEED = 0""", tags=[PARAMETERS_TAG]),
    code("""\
import os
import re

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Markdown, display

import gan
from gan.cli import common
from gan.cli import train as gan_train

RUNS = {
    "wasserstein": dict(loss="wasserstein"),
    "wasserstein + GP": dict(loss="wasserstein", gradient_penalty_weight=1.0),
    "minimax": dict(loss="minimax"),
    "modified": dict(loss="modified"),
    "modified + GP": dict(loss="modified", gradient_penalty_weight=1.0),
}
CLASSIFIER_RUNS = [name for name, options in RUNS.items() if options["loss"] != "wasserstein"]
LOG_EVERY = max(1, min(20, STEPS // 50))
NOISE_DIMS = common.dataset_defaults(DATASET)["noise_dims"]
fixed_noise = tf.random.stateless_normal([NUM_SAMPLES, NOISE_DIMS], seed=(SEED, 1))
real_points = np.stack([point for point, _ in gan.data.real_dataset(DATASET, data_dir=DATA_DIR)
                        .take(NUM_SAMPLES).as_numpy_iterator()])


def accuracy(record):
    \"\"\"The discriminator's accuracy: the mean of its accuracy on real (D(x) > 0) and generated points.\"\"\"
    return (record["discriminator_real_accuracy"] + record["discriminator_generated_accuracy"]) / 2"""),
    md("""\
## 3. Train the runs

Each run trains in its own directory under `MODEL_DIR`, logging the discriminator's accuracy and the \
critic gap `mean D(x) - mean D(G(z))` every `LOG_EVERY` rounds to `train_log.jsonl`."""),
    code("""\
input_fn = gan.data.gan_input_fn(DATASET, BATCH_SIZE, noise_dims=NOISE_DIMS, data_dir=DATA_DIR, seed=SEED)
samples, logs = {}, {}
for name, options in RUNS.items():
    run_dir = os.path.join(MODEL_DIR, re.sub(r"\\W+", "_", name))
    chosen = {"dataset": DATASET, "seed": SEED, "batch_size": BATCH_SIZE, "discriminator_steps": DISCRIMINATOR_STEPS,
              "log_every": LOG_EVERY, "steps_per_execution": LOG_EVERY, "gradient_penalty_weight": 0.0, **options}
    config = common.resolve(chosen, None, {"generator_loss": None, "discriminator_loss": None})
    keras.utils.set_random_seed(SEED)  # the same initial weights in every run
    estimator = gan_train.build_estimator(gan, keras, config, gan.data.describe(DATASET), run_dir)
    print(f"{name}:")
    estimator.train(input_fn, max_steps=STEPS)
    samples[name] = estimator.generate(fixed_noise).numpy()
    logs[name] = gan.summaries.read_log(run_dir)"""),
    md("""\
## 4. Samples over the data

Blue: real points; orange: each run's points for the same noise. Titles count the modes captured."""),
    code("""\
figure, axes = plt.subplots(1, len(RUNS), figsize=(3.6 * len(RUNS), 3.8))
for axis, name in zip(axes, RUNS):
    axis.scatter(*real_points.T, s=4, c="tab:blue", alpha=0.5, linewidths=0, label="real")
    axis.scatter(*samples[name].T, s=4, c="tab:orange", alpha=0.5, linewidths=0, label="generated")
    axis.set_title(f"{name}: {gan.eval.mixture_metrics(samples[name], DATASET)['modes']} modes")
    axis.set_aspect("equal", adjustable="datalim")
axes[0].legend(loc="upper left", markerscale=3)
plt.tight_layout()
plt.show()"""),
    md("""\
## 5. Discriminator accuracy and critic gap over time

A discriminator trained with the minimax or modified loss is a classifier (`σ(D(x))` is its \
probability that `x` is real), so its accuracy means something, and 50% is a coin flip. A Wasserstein \
critic's scores are unbounded and can shift by any constant, so its accuracy at 0 means nothing: its \
signal is the critic gap, an estimate of the distance between real and generated data that heads to \
0 as they meet. The gap is drawn on a symmetric log scale, because without a constraint it swings \
through orders of magnitude."""),
    code("""\
figure, (accuracy_axis, gap_axis) = plt.subplots(1, 2, figsize=(14, 4))
for index, (name, log) in enumerate(logs.items()):
    steps = [record["step"] for record in log]
    color = f"C{index}"  # one color per run in both panels
    if name in CLASSIFIER_RUNS:
        accuracy_axis.plot(steps, [accuracy(record) for record in log], color=color, label=name)
    gap_axis.plot(steps, [record["critic_gap"] for record in log], color=color, label=name)
accuracy_axis.axhline(0.5, color="gray", linestyle=":", label="coin flip")
accuracy_axis.set(title="discriminator accuracy (minimax, modified)", xlabel="step", ylim=(0, 1.05))
gap_axis.axhline(0.0, color="gray", linestyle=":")
gap_axis.set(title="critic gap  mean D(x) - mean D(G(z))", xlabel="step", yscale="symlog")
accuracy_axis.legend(loc="lower right")
gap_axis.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
plt.tight_layout()
plt.show()"""),
    md("""\
## 6. Mixture metrics

The VEEGAN/PacGAN protocol on each run's generated points: **modes** captured (a mode counts when at \
least one point lies within 3 standard deviations of it), **high quality**, the fraction of points \
that close to some mode, and **reverse KL** between the histogram of those points over the modes and \
the uniform one (0 when every mode gets its share, log 8 = 2.08 when one mode takes all, nan with no \
high-quality point). The last columns are the training-health signals at the end of each run."""),
    code("""\
num_modes = len(gan.eval.MIXTURES[DATASET].centers)
rows = ["| run | modes | high quality | reverse KL | discriminator accuracy | critic gap |",
        "|---|---|---|---|---|---|"]
for name in RUNS:
    metrics = gan.eval.mixture_metrics(samples[name], DATASET)
    last = logs[name][-1]
    shown_accuracy = f"{accuracy(last):.2f}" if name in CLASSIFIER_RUNS else "(critic)"
    rows.append(f"| {name} | {metrics['modes']} of {num_modes} | {metrics['high_quality']:.3f} "
                f"| {metrics['reverse_kl']:.3f} | {shown_accuracy} | {last['critic_gap']:.3g} |")
display(Markdown("\\n".join(rows)))"""),
    md("""\
## 7. What to look for

The project's design notes (`DESIGN.md`, *The GAN ideas the library is built around*) name what these \
plots show. GAN runs vary with seeds and hardware, so read your own plots; these are the patterns:

- **Wasserstein without a constraint.** Nothing bounds the critic's scores: the critic gap swings \
through orders of magnitude (see its log scale) instead of measuring a distance, and the generator, \
chasing that critic, wanders as a blob. This is why the Wasserstein loss needs a Lipschitz \
constraint: a gradient penalty, spectral normalisation or weight clipping.
- **Wasserstein + GP.** With the penalty the gap is a distance estimate: it shrinks as the points \
settle onto the modes.
- **Minimax: the stall.** The discriminator wins early and easily (accuracy near 100%), so the \
generator's loss `log(1 - σ(D(G(z))))` saturates: its gradient vanishes, the generator stops \
learning and its points stay a blob, while the gap runs away. (A wide blob brushes several modes \
by chance: the mode count alone flatters it, the high-quality fraction does not.)
- **Modified (non-saturating) loss.** Same discriminator, but the generator maximises \
`log σ(D(G(z)))`, whose gradient stays alive when the discriminator is confident: the points do \
reach the data. Coverage is not promised: it often lands on a few modes only (mode collapse), which \
the mode count and reverse KL expose while the high-quality fraction looks fine.
- **Modified + GP: coin-flip convergence.** The penalty keeps the discriminator from winning outright: \
as the points spread over the modes its accuracy drifts to **50%**, a coin flip, and the gap to 0. \
That is what convergence looks like, and why it is hard to see: at a coin flip the discriminator has \
nothing left to teach, and training on past that point feeds the generator noise, so quality can \
fall again. Stop there, or keep the best checkpoint by a metric (`gan.eval.make_eval_hook`)."""),
]


def notebook(stem, cells):
    """A notebook of `cells` for a Python 3 kernel, marked for Colab, with no outputs.

    Cell ids are `<stem>-<index>` rather than random, so regenerating changes nothing.
    """
    for index, cell in enumerate(cells):
        cell.id = f"{stem}-{index}"
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    }
    return nb


NOTEBOOKS = {"quickstart.ipynb": QUICKSTART, "losses.ipynb": LOSSES}


def build():
    """{file name: notebook} for every notebook of this folder.

    >>> sorted(build())
    ['losses.ipynb', 'quickstart.ipynb']
    """
    return {name: notebook(name.split(".")[0], cells) for name, cells in NOTEBOOKS.items()}


def main(directory=HERE):
    """Writes every notebook into `directory`; returns the paths written."""
    paths = []
    for name, nb in build().items():
        nbformat.validate(nb)
        path = os.path.join(directory, name)
        nbformat.write(nb, path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in main():
        print(written)
