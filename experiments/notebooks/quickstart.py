# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quickstart: train, look at, evaluate and export a GAN with `gan`
#
# `gan` is TF-GAN's estimator workflow (`GANEstimator`, the TF-GAN loss library, its evaluation
# metrics) rebuilt on TensorFlow 2.16+ and Keras 3, so it runs in today's Colab, where TF-GAN no
# longer imports.
#
# This notebook trains on scikit-learn's handwritten digits (8x8 pixels, bundled with
# scikit-learn: nothing to download) exactly as `gan-train --dataset=digits` does: the same
# defaults (a class-conditional WGAN-GP with tuned Adam settings and a generator weight average)
# and the same estimator, built by `gan-train`'s own `build_estimator`. It then shows samples and
# loss curves, scores the samples with a classifier, and exports the generator as a SavedModel
# that loads without `gan`. A CPU runtime is enough: `gan-train`'s budget for the digits is
# 120 seconds of training.

# %% [markdown]
# ## 1. Parameters
#
# Change these to taste. `None` means "what `gan-train` uses for the dataset". Tools such as
# papermill (and this project's tests) override them by running a cell right after this one,
# which is why it is tagged `parameters`.
#
# `PACKAGE_SOURCE` is what the next cell pip-installs when `gan` is not installed yet (a fresh
# Colab runtime): the released distribution `gan-estimator`, or any other pip requirement, such
# as `git+https://github.com/OWNER/REPO@BRANCH` for the repository this notebook came from, or
# the path of an uploaded wheel.

# %% tags=["parameters"]
PACKAGE_SOURCE = "gan-estimator"  # pip requirement installed when gan is missing (see above)
DATASET = "digits"                # embedded, no download; section 5 switches to MNIST from TFDS
STEPS = None                      # training rounds in total; None: gan-train's max_steps
MAX_SECONDS = None                # seconds of training per run of the cell; None: gan-train's (digits: 120)
BATCH_SIZE = None                 # None: gan-train's batch size for the dataset
LOG_EVERY = None                  # rounds between log records (the curves); None: gan-train's
MODEL_DIR = "runs/quickstart"     # checkpoints, TensorBoard events, train_log.jsonl; training resumes from it
DATA_DIR = None                   # TFDS data dir; None: $GAN_DATA_DIR, else ~/tensorflow_datasets
EVAL_BATCHES = 20                 # batches of generated samples that evaluate() scores
USE_MNIST = False                 # True: train on MNIST instead (needs the internet once), section 5
USE_DRIVE = False                 # True in Colab: keep MODEL_DIR on Google Drive, section 6
SEED = 0

# %% [markdown]
# ## 2. Install
#
# Installs `PACKAGE_SOURCE` only when Python cannot import `gan` yet; where `gan` is already
# installed (a local Jupyter, a checkout with `pip install -e .`) it does nothing, so it is safe
# to run every time.

# %% tags=["install"]
import importlib
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("gan") is None:
    print(f"installing {PACKAGE_SOURCE} ...")
    try:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", PACKAGE_SOURCE])
    except subprocess.CalledProcessError:
        raise RuntimeError(f"pip could not install PACKAGE_SOURCE = {PACKAGE_SOURCE!r}: set PACKAGE_SOURCE in the "
                           "parameters cell to a pip requirement that has gan (a git URL or a wheel).") from None
    importlib.invalidate_caches()  # so this running kernel sees the new package without a restart
else:
    print("gan is already installed; nothing to do.")

# %% [markdown]
# ## 3. Device and versions
#
# TensorFlow is loaded the way `gan-train` loads it: its C++ log lines (oneDNN, CUDA and
# graph-optimizer notes) stay out of the cell outputs. Progress bars are notebook widgets where
# `ipywidgets` is installed (Colab) and plain text otherwise. In Colab, *Runtime > Change runtime
# type* picks a GPU or TPU.

# %% tags=["environment"]
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads: no C++ log lines
# Without ipywidgets tqdm falls back to text bars, which render fine; its warning would only clutter.
warnings.filterwarnings("ignore", message="IProgress not found")

import gan
from gan.cli import common

tf = common.import_tensorflow()
common.quiet_logging()  # Python log lines from WARNING up, as in gan-train
tf.get_logger().setLevel("WARNING")  # no INFO notes such as SavedModel's "Assets written to ..."
accelerators = {kind: tf.config.list_physical_devices(kind) for kind in ("TPU", "GPU")}
device = next((f"{len(found)} x {kind} ({', '.join(d.name for d in found)})"
               for kind, found in accelerators.items() if found), "CPU only")
print("device:", device)
print("versions:", ", ".join(f"{name} {version}" for name, version in common.library_versions().items()))

# %% [markdown]
# ## 4. Imports

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from gan.cli import train as gan_train
from gan.plots import tile_images


def show_images(axes, images, title):
    """Draws [N, H, W, C] images in [-1, 1] as one grid (tiles 2 pixels apart) on `axes`."""
    grid = (tile_images(images) + 1.0) / 2.0
    axes.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0.0, vmax=1.0,
                interpolation="nearest")
    axes.set_title(title)
    axes.axis("off")


# %% [markdown]
# ## 5. ⚠️ Optional: switch to MNIST (needs the internet)
#
# **Skipped by default.** With `USE_MNIST = True` in section 1 this cell trains on MNIST (28x28)
# from TensorFlow Datasets instead of the embedded digits, with `gan-train`'s MNIST settings
# (TF-GAN's own MNIST networks) and a separate `MODEL_DIR` (a checkpoint only fits the networks
# that wrote it). TFDS downloads MNIST (about 11 MB) once into `DATA_DIR`. Offline, unless MNIST
# is already prepared there, the cell says so within seconds and the notebook stays on the
# digits. `gan-train`'s MNIST run has no time budget and stops at 20,000 rounds: set
# `MAX_SECONDS` on a CPU runtime, or use a GPU runtime.

# %%
if USE_MNIST:
    try:
        gan.data.describe("mnist", DATA_DIR)  # prepares MNIST (downloading it once)
        DATASET, MODEL_DIR = "mnist", MODEL_DIR.rstrip("/") + "_mnist"
    except gan.data.DatasetError as error:
        print(f"{error}\nStaying on {DATASET}.")
print(f"dataset {DATASET}")

# %% [markdown]
# ## 6. Keep `MODEL_DIR` on Google Drive, so a disconnected runtime resumes
#
# Colab runtimes disconnect (idle time, usage limits) and take their local disk with them.
# `gan-train`'s estimator writes a checkpoint into `model_dir` every few hundred rounds and when
# `train()` returns, and a new estimator on the same `model_dir` restores the newest one. So with
# `USE_DRIVE = True` the run lives on Google Drive: after a disconnect, reconnect and *Run all*
# again. Nothing is lost but the rounds since the last checkpoint; training continues from there
# (its progress bar counts only the rounds left) and does nothing once `STEPS` are done. The
# networks must stay the same (a different `model_dir` for other settings), otherwise
# `gan.IncompatibleCheckpointError` says so.

# %%
if USE_DRIVE:
    from google.colab import drive  # only exists in Colab

    drive.mount("/content/drive")
    MODEL_DIR = os.path.join("/content/drive/MyDrive/gan", os.path.basename(MODEL_DIR.rstrip("/")))
print("model_dir:", os.path.abspath(MODEL_DIR))

# %% [markdown]
# ## 7. Settings and data
#
# The settings are `gan-train`'s for the dataset, from its defaults table (`common.resolve`),
# with the parameters above that are not `None` in place of command-line flags.
# `gan.data.gan_input_fn` gives TF-GAN's estimator `input_fn`: a function returning a `tf.data`
# pipeline of `(generator_inputs, real_data)` batches, here `((noise, one_hot_labels), images)`
# for the conditional digits (`(noise, images)` for MNIST) with images scaled to [-1, 1]. The
# same call serves every TFDS image dataset and folders of your own images.

# %%
given = {"max_steps": STEPS, "max_seconds": MAX_SECONDS, "batch_size": BATCH_SIZE, "log_every": LOG_EVERY}
chosen = {"dataset": DATASET, "seed": SEED, "data_dir": DATA_DIR,
          **{name: value for name, value in given.items() if value is not None}}
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
plt.show()

# %% [markdown]
# ## 8. The estimator
#
# `gan-train`'s own `build_estimator` makes the `GANEstimator` from those settings: a reference
# generator/discriminator pair from `gan.networks`, the library's default loss (Wasserstein) with a
# gradient penalty that keeps the critic 1-Lipschitz (WGAN-GP, Gulrajani et al. 2017), the tuned
# Adam settings and a moving average of the generator's weights for sampling. Written out, it is
# `gan.GANEstimator(generator_fn, discriminator_fn, model_dir=..., loss="wasserstein",
# gradient_penalty_weight=10.0, generator_optimizer=keras.optimizers.Adam(...), ...)`: TF-GAN code
# ports by changing imports.

# %%
keras.utils.set_random_seed(SEED)  # reproducible initial weights
estimator = gan_train.build_estimator(gan, keras, config, spec, MODEL_DIR)
print({k: config[k] for k in ("architecture", "conditional", "loss", "gradient_penalty_weight", "generator_lr",
                              "generator_ema_decay", "max_steps", "max_seconds")})
print("rounds already trained in model_dir:", estimator.global_step)

# %% [markdown]
# ## 9. Train
#
# Trains until `STEPS` rounds or `MAX_SECONDS` seconds, whichever comes first, as `gan-train`
# does. The progress bar shows the latest losses and speed. Running this cell again resumes
# instead of starting over.

# %%
began = time.time()
estimator.train(input_fn, max_steps=config["max_steps"], max_seconds=config["max_seconds"])
print(f"global step {estimator.global_step}, {time.time() - began:.0f} s")

# %% [markdown]
# ## 10. Samples and loss curves
#
# Samples come from a fixed batch of noise (and, for the conditional digits, labels cycling
# 0..9), so reruns are comparable. The curves read `train_log.jsonl` in `model_dir` (the same
# numbers are in TensorBoard: `%load_ext tensorboard`, then `%tensorboard --logdir runs`). The
# Wasserstein critic's scores are unbounded, so its training health signal is the critic gap
# `mean D(x) - mean D(G(z))`, an estimate of the distance between the real and the generated
# data: it heads towards 0 as the two meet, the critic's version of a classifier's drift to
# coin-flip accuracy (see `losses.ipynb`). The estimate is only as good as the critic: with one
# critic update per generator update, as here, the critic lags behind and the gap can even dip
# below 0; its trend is the signal.

# %%
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
plt.show()

# %% [markdown]
# ## 11. Evaluate
#
# `gan.eval.metrics_for(DATASET)` builds the metric set for a dataset: for labelled images, a
# small classifier trained once on the real data (cached in `~/.cache/gan`, or `$GAN_CACHE_DIR`)
# plays the part of TF-GAN's MNIST classifier, offline. `evaluate` then reports the losses plus
# FID and KID (lower is better), the classifier score (higher is better, at most the number of
# classes), and precision/recall and density/coverage. The same metrics on real training images
# (the data the reference statistics come from) show what a perfect generator would score.

# %%
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
    print(f"{key:<20}{value:>12.4g}{real}")

# %% [markdown]
# ## 12. Export the generator and load it back
#
# `export` writes a SavedModel whose `serving_default` signature maps generator inputs to
# samples. Loading it needs only TensorFlow, not `gan`: serve it, or load it in another notebook.

# %%
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
plt.show()

# %% [markdown]
# ## 13. Other GAN families: InfoGAN (and ACGAN)
#
# The same route trains TF-GAN's other families: `model="infogan"` (Chen et al. 2016) gives the
# generator a 10-valued categorical code and 2 continuous codes that the discriminator's Q head
# must recover, with no labels; `model="acgan"` (Odena et al. 2017) gives it the class and makes
# the discriminator classify too. Written out, they are `gan.GANEstimator(...,
# mutual_information_penalty_weight=3.0, structured_code_weights=(1.0, 0.1))` (the continuous
# codes' part of the penalty weighs a tenth; the discriminator's Adam runs at 2e-4 beside the
# generator's 1e-3, as in the InfoGAN paper) and `gan.GANEstimator(..., aux_cond_generator_weight=1.0,
# aux_cond_discriminator_weight=1.0)`, with networks from `gan.networks.get('dcgan', shape,
# structured_codes=(10, 2))` or `auxiliary_classes=10`. On the command line: `gan-train
# --model=infogan`. In the picture each row is one code value, and the first continuous code runs
# from -1 to 1 along the row: after `gan-train`'s 300 s about 85-92% of the samples take the digit
# class their code stands for (code accuracy, median of 3 seeds in two runs, docs/benchmarks.md).

# %%
def train_family(model):
    """gan-train's settings for `model` (on its dataset: digits, or digits_domains for the translation
    families), trained through gan-train's own estimator and input_fn; returns (settings, estimator)."""
    own = {name: value for name, value in chosen.items()
           if not (name == "dataset" and model in common.TRANSLATION_MODELS)}
    settings = common.resolve({**own, "model": model}, None, {"generator_loss": None, "discriminator_loss": None})
    if model in common.TRANSLATION_MODELS:
        settings["domains"] = gan_train.translation_domains(gan, settings)
    keras.utils.set_random_seed(SEED)
    trained = gan_train.build_estimator(gan, keras, settings, gan.data.describe(settings["dataset"], DATA_DIR),
                                        MODEL_DIR.rstrip("/") + f"_{model}")
    trained.train(gan_train.input_fn(gan, settings, settings["batch_size"], SEED, DATA_DIR, True),
                  max_steps=settings["max_steps"], max_seconds=settings["max_seconds"])
    return settings, trained


family_config, family_estimator = train_family("infogan")
code_grid = gan_train.preview_inputs(gan, family_config, spec)
figure, axes = plt.subplots(figsize=(5, 5))
show_images(axes, family_estimator.generate(code_grid).numpy(),
            f"InfoGAN codes, step {family_estimator.global_step}")
plt.show()

# %% [markdown]
# The ACGAN: one column per class (the labels cycle 0..9 along each row).

# %%
acgan_config, acgan_estimator = train_family("acgan")
figure, axes = plt.subplots(figsize=(5, 5))
show_images(axes, acgan_estimator.generate(gan_train.preview_inputs(gan, acgan_config, spec)).numpy(),
            f"ACGAN, a column per class, step {acgan_estimator.global_step}")
plt.show()

# %% [markdown]
# ## 14. Translating images: CycleGAN (and StarGAN)
#
# `model="cyclegan"` (Zhu et al. 2017) trains two generators, F from one domain to the other and G
# back, each judged by its own critic, plus the cycle-consistency loss that asks G(F(x)) to be x.
# It trains on `digits_domains`, embedded like `digits`: the digits as four domains (`original`,
# `inverted`, `mirrored`, `rotated`), each from its own share of the images, so no pair is ever
# seen; CycleGAN takes `original` and `inverted`. Written out it is `gan.GANEstimator(generator_fn,
# discriminator_fn, cycle_consistency_loss_weight=10.0, ...)` with networks from
# `gan.networks.translator(shape)` and batches `((x, y), (y, x))` from `gan.data.translation_input_fn`.
# `model="stargan"` (Choi et al. 2018) trains one generator for all four domains. On the command
# line: `gan-train --model=cyclegan`. Each row of the picture is x, F(x), G(F(x)), then y, G(y), F(G(y)).

# %%
def show_rows(rows, title):
    """Draws image rows [rows, columns, H, W, C] (gan-train's translation pictures) as one grid."""
    figure, axes = plt.subplots(figsize=(rows.shape[1] * 0.7, rows.shape[0] * 0.7))
    grid = tile_images(rows.reshape((-1,) + rows.shape[2:]), grid_shape=rows.shape[:2])
    axes.imshow((grid[..., 0] + 1) / 2, cmap="gray", vmin=0, vmax=1)
    axes.set_title(title)
    axes.axis("off")
    plt.show()


translation_config, translator = train_family("cyclegan")
rows = gan_train.translation_rows(translator, gan_train.translation_preview_inputs(gan, translation_config))
show_rows(rows, f"x, F(x), G(F(x)), y, G(y), F(G(y)); step {translator.global_step}")

# %% [markdown]
# The StarGAN: each row an input, then its translation into each of the four domains.

# %%
stargan_config, stargan_estimator = train_family("stargan")
stargan_rows = gan_train.translation_rows(stargan_estimator, gan_train.translation_preview_inputs(gan, stargan_config))
show_rows(stargan_rows, f"input, then {', '.join(stargan_config['domains'])}; step {stargan_estimator.global_step}")

# %% [markdown]
# ## Next steps
#
# - Run the training cell again: each run trains another `MAX_SECONDS`, resuming from
#   `model_dir`, until `STEPS` rounds are done.
# - The same run from the command line: `gan-train --dataset=digits --model_dir=runs/digits`,
#   then `gan-generate --model_dir=runs/digits --num_samples=64 --output=samples.png` and
#   `gan-evaluate --model_dir=runs/digits`.
# - `gan-train --model=acgan`, `--model=infogan`, `--model=cyclegan` and `--model=stargan` train the
#   other families from the command line.
# - `losses.ipynb` puts the Wasserstein, minimax and modified losses side by side.
