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
# # GAN losses side by side: Wasserstein, minimax, modified, and the gradient penalty
#
# Five runs on the `ring` benchmark (8 Gaussian modes on the unit circle, standard deviation
# 0.01) that differ **only in the loss**: everything else is `gan-train`'s ring run, built by its
# own `build_estimator` from its defaults table (the same MLP networks and initial weights, data
# and noise, Adam optimizer and weight average, batch size), with its 5 discriminator updates per
# generator update, `GANTrainSteps(1, 5)` as in the WGAN papers (on `grid`, `gan-train`'s 2).
#
# | run | discriminator (critic) loss | generator loss | gradient penalty |
# |---|---|---|---|
# | `wasserstein` | `D(G(z)) - D(x)` | `-D(G(z))` | none |
# | `wasserstein + GP` | `D(G(z)) - D(x)` | `-D(G(z))` | weight 1 |
# | `minimax` | `-log σ(D(x)) - log(1 - σ(D(G(z))))` | `log(1 - σ(D(G(z))))` | none |
# | `modified` | same as minimax | `-log σ(D(G(z)))` | none |
# | `modified + GP` | same as minimax | `-log σ(D(G(z)))` | weight 1 |
#
# `σ` is the sigmoid, and the minimax discriminator smooths its real labels by 0.25 as in TF-GAN.
# The gradient penalty (Gulrajani et al. 2017) pushes the norm of the discriminator's gradient
# towards 1 between real and generated points; it combines with any loss. The default settings
# take a few minutes on a CPU runtime.

# %% [markdown]
# ## 1. Parameters
#
# Tagged `parameters`: papermill (and this project's tests) override them with a cell right after
# this one. `None` means "what `gan-train` uses for the dataset". `PACKAGE_SOURCE` is what the
# next cell pip-installs when `gan` is not installed yet (a fresh Colab runtime): the released
# distribution `gan-estimator`, or any other pip requirement, such as
# `git+https://github.com/OWNER/REPO@BRANCH` for the repository this notebook came from.

# %% tags=["parameters"]
PACKAGE_SOURCE = "gan-estimator"  # pip requirement installed when gan is missing (see above)
DATASET = "ring"                  # or "grid" (25 modes: give it about three times the steps)
STEPS = 1000                      # training rounds per run (the same for every loss)
DISCRIMINATOR_STEPS = None        # discriminator updates per round; None: gan-train's (ring 5, grid 2)
BATCH_SIZE = None                 # None: gan-train's (256)
MODEL_DIR = "runs/losses"         # one sub-directory per run; rerunning resumes
DATA_DIR = None                   # TFDS data dir; None: $GAN_DATA_DIR, else ~/tensorflow_datasets
NUM_SAMPLES = 2500                # generated points drawn and scored per run (the PacGAN protocol)
SEED = 0

# %% [markdown]
# ## 2. Install
#
# Installs `PACKAGE_SOURCE` only when Python cannot import `gan` yet; where `gan` is already
# installed it does nothing, so it is safe to run every time.

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
# TensorFlow is loaded the way `gan-train` loads it: its C++ log lines stay out of the cell
# outputs. Progress bars are notebook widgets where `ipywidgets` is installed (Colab) and plain
# text otherwise. These small networks train about as fast on a CPU runtime as on a GPU.

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
# ## 4. Imports and the runs

# %%
import re

import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

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
given = {"discriminator_steps": DISCRIMINATOR_STEPS, "batch_size": BATCH_SIZE}
chosen = {"dataset": DATASET, "seed": SEED, "data_dir": DATA_DIR, "log_every": LOG_EVERY,
          "steps_per_execution": LOG_EVERY, **{name: value for name, value in given.items() if value is not None}}
NOISE_DIMS, BATCH_SIZE = common.dataset_defaults(DATASET)["noise_dims"], common.resolve(chosen)["batch_size"]
fixed_noise = tf.random.stateless_normal([NUM_SAMPLES, NOISE_DIMS], seed=(SEED, 1))
real_points = np.stack([point for point, _ in gan.data.real_dataset(DATASET, data_dir=DATA_DIR)
                        .take(NUM_SAMPLES).as_numpy_iterator()])


def accuracy(record):
    """The discriminator's accuracy: the mean of its accuracy on real (D(x) > 0) and generated points."""
    return (record["discriminator_real_accuracy"] + record["discriminator_generated_accuracy"]) / 2


# %% [markdown]
# ## 5. Train the runs
#
# Each run trains in its own directory under `MODEL_DIR`, logging the discriminator's accuracy and
# the critic gap `mean D(x) - mean D(G(z))` every `LOG_EVERY` rounds to `train_log.jsonl`.

# %%
input_fn = gan.data.gan_input_fn(DATASET, BATCH_SIZE, noise_dims=NOISE_DIMS, data_dir=DATA_DIR, seed=SEED)
samples, logs = {}, {}
for name, options in RUNS.items():
    run_dir = os.path.join(MODEL_DIR, re.sub(r"\W+", "_", name))
    config = common.resolve({**chosen, "gradient_penalty_weight": 0.0, **options}, None,
                            {"generator_loss": None, "discriminator_loss": None})
    keras.utils.set_random_seed(SEED)  # the same initial weights in every run
    estimator = gan_train.build_estimator(gan, keras, config, gan.data.describe(DATASET, DATA_DIR), run_dir)
    print(f"{name}:")
    estimator.train(input_fn, max_steps=STEPS)
    samples[name] = estimator.generate(fixed_noise).numpy()
    logs[name] = gan.summaries.read_log(run_dir)

# %% [markdown]
# ## 6. Samples over the data
#
# Blue: real points; orange: each run's points for the same noise. Titles count the modes captured.

# %%
figure, axes = plt.subplots(1, len(RUNS), figsize=(3.6 * len(RUNS), 3.8))
for axis, name in zip(axes, RUNS):
    axis.scatter(*real_points.T, s=4, c="tab:blue", alpha=0.5, linewidths=0, label="real")
    axis.scatter(*samples[name].T, s=4, c="tab:orange", alpha=0.5, linewidths=0, label="generated")
    axis.set_title(f"{name}: {gan.eval.mixture_metrics(samples[name], DATASET)['modes']} modes")
    axis.set_aspect("equal", adjustable="datalim")
axes[0].legend(loc="upper left", markerscale=3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7. Discriminator accuracy and critic gap over time
#
# A discriminator trained with the minimax or modified loss is a classifier (`σ(D(x))` is its
# probability that `x` is real), so its accuracy means something, and 50% is a coin flip. A
# Wasserstein critic's scores are unbounded and can shift by any constant, so its accuracy at 0
# means nothing: its signal is the critic gap, an estimate of the distance between real and
# generated data that heads to 0 as they meet. The gap is drawn on a symmetric log scale, because
# without a constraint it swings through orders of magnitude.

# %%
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
plt.show()

# %% [markdown]
# ## 8. Mixture metrics
#
# The VEEGAN/PacGAN protocol on each run's generated points: **modes** captured (a mode counts
# when at least one point lies within 3 standard deviations of it), **high quality**, the fraction
# of points that close to some mode, and **reverse KL** between the histogram of those points over
# the modes and the uniform one (0 when every mode gets its share, log 8 = 2.08 when one mode
# takes all, nan with no high-quality point). The last columns are the training-health signals at
# the end of each run.

# %%
num_modes = len(gan.eval.MIXTURES[DATASET].centers)
rows = ["| run | modes | high quality | reverse KL | discriminator accuracy | critic gap |",
        "|---|---|---|---|---|---|"]
for name in RUNS:
    metrics = gan.eval.mixture_metrics(samples[name], DATASET)
    last = logs[name][-1]
    shown_accuracy = f"{accuracy(last):.2f}" if name in CLASSIFIER_RUNS else "(critic)"
    rows.append(f"| {name} | {metrics['modes']} of {num_modes} | {metrics['high_quality']:.3f} "
                f"| {metrics['reverse_kl']:.3f} | {shown_accuracy} | {last['critic_gap']:.3g} |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# ## 9. What to look for
#
# GAN runs vary with seeds and hardware, so read your own plots; these are the patterns they show:
#
# - **Wasserstein without a constraint.** Nothing bounds the critic's scores: the critic gap
#   swings through orders of magnitude (see its log scale) instead of measuring a distance, and
#   the generator, chasing that critic, wanders as a blob. This is why the Wasserstein loss needs
#   a Lipschitz constraint: a gradient penalty, spectral normalisation or weight clipping.
# - **Wasserstein + GP.** With the penalty the gap is a distance estimate: it shrinks as the
#   points settle onto the modes.
# - **Minimax: the stall.** The discriminator wins early and easily (accuracy near 100%), so the
#   generator's loss `log(1 - σ(D(G(z))))` saturates: its gradient vanishes, the generator stops
#   learning and its points stay a blob, while the gap runs away. (A wide blob brushes several
#   modes by chance: the mode count alone flatters it, the high-quality fraction does not.)
# - **Modified (non-saturating) loss.** Same discriminator, but the generator maximises `log
#   σ(D(G(z)))`, whose gradient stays alive when the discriminator is confident: the points do
#   reach the data. Coverage is not promised: it often lands on a few modes only (mode collapse),
#   which the mode count and reverse KL expose while the high-quality fraction looks fine.
# - **Modified + GP: coin-flip convergence.** The penalty keeps the discriminator from winning
#   outright: as the points spread over the modes its accuracy drifts to **50%**, a coin flip, and
#   the gap to 0. That is what convergence looks like, and why it is hard to see: at a coin flip
#   the discriminator has nothing left to teach, and training on past that point feeds the
#   generator noise, so quality can fall again. Stop there, or keep the best checkpoint by a
#   metric (`gan.eval.make_eval_hook`).
