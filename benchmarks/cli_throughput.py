"""Throughput where users train: `gan-train --dataset=mnist` as a subprocess against the hand-written loop.

Every contender is a fresh process trained for `--max_seconds` on real MNIST through the
library's input pipeline: `gan-train` with the `mnist` defaults (and variations that switch
one per-step extra off, or make it 10x more frequent so its cost shows), and the
hand-written XLA loop of `benchmarks/throughput.py` (`ReferenceLoop`). Runs alternate,
round after round in a rotating order, so machine noise hits all alike. Steady-state
steps/s is the median of the timing windows (the `train_log.jsonl` records; the
reference writes the same kind) after `--warmup_steps`; each extra's cost is the
difference of step times in % of the defaults' step time. Start-up is the time from the
command to the first logged step, less that many steps at the steady rate (so it holds
imports, data, building, the start-up check and tracing). The best of five eager 2048x2048 `tf.matmul`s gives
this CPU's float32 and bfloat16 peak; each figure's share of the bound of its precision
uses the networks' FLOPs per alternating step counted from their layer shapes.

    python benchmarks/cli_throughput.py --data_dir=DIR --max_seconds=60 --rounds=3
    python benchmarks/cli_throughput.py --data_dir=DIR --configs=defaults,no_ema,no_health
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import ReferenceLoop  # noqa: E402  (also defines its flags, --window among them)

flags.DEFINE_string("data_dir", None, "TFDS data dir holding mnist.")
flags.DEFINE_float("max_seconds", 60.0, "Training time of each run.")
flags.DEFINE_integer("rounds", 3, "Runs of each contender (alternating); 0: only the matmul bound.")
flags.DEFINE_integer("warmup_steps", 100, "Windows ending at or before this step are warm-up.")
flags.DEFINE_list("configs", "defaults,tfgan_flags,float32,no_ema,no_health,no_preflight,log_x5,sample_x10",
                  "gan-train contenders (names of CONFIGS); the reference always runs.")
flags.DEFINE_string("before", None, "A directory holding another version's `gan` package (e.g. from "
                    "`git archive OLD gan | tar -x -C DIR`): adds contender `before`, the defaults run with it.")
flags.DEFINE_enum("role", "driver", ["driver", "reference"], "reference: one run of the hand-written loop.")
flags.DEFINE_string("reference_dir", None, "reference role: where to write train_log.jsonl.")
FLAGS = flags.FLAGS

TFGAN_EXAMPLE = ["--architecture=tfgan_mnist", "--loss=wasserstein", "--gradient_penalty_weight=0", "--batch_size=32",
                 "--noise_dims=64", "--generator_steps=1", "--discriminator_steps=1", "--generator_lr=0.001",
                 "--discriminator_lr=0.0001", "--beta1=0.5"]
# name -> (extra gan-train flags, what it changes, defaults' per-step work it removes or multiplies by `factor`).
CONFIGS = {
    "defaults": ([], "mnist defaults", None),
    "before": ([], "mnist defaults, the --before version", None),
    "tfgan_flags": (TFGAN_EXAMPLE, "the TF-GAN example's flags (issue 19)", None),
    "float32": (["--mixed_precision=float32"], "float32 instead of bf16", None),
    "no_ema": (["--generator_ema_decay=0"], "no generator EMA", 0),
    "no_health": (["--nohealth"], "no health monitor", 0),
    "no_preflight": (["--nopreflight"], "no start-up check (start-up only)", None),
    "log_x5": (["--log_every=10"], "logging 5x as often", 5),
    "sample_x10": (["--sample_every=50"], "samples.png 10x as often", 10),
    "save_x10": (["--save_every=100"], "checkpoints+summaries 10x as often", 10),
    "spe_1": (["--steps_per_execution=1"], "one step per compiled call", None),
}


def reference_run():
    """Trains the hand-written loop on gan-train's mnist batches for --max_seconds, logging like gan-train."""
    began = time.time()
    import keras
    import tensorflow as tf

    import gan
    keras.utils.set_random_seed(0)
    dataset = gan.data.gan_input_fn("mnist", 32, noise_dims=64, data_dir=FLAGS.data_dir, download=False, seed=0)()
    loop = ReferenceLoop(tf, keras, gan, 64, True, iter(dataset))
    os.makedirs(FLAGS.reference_dir, exist_ok=True)
    step, last = 0, time.time()
    training_began = last  # like gan-train's --max_seconds, the budget counts from the first step
    with open(os.path.join(FLAGS.reference_dir, "train_log.jsonl"), "w") as log:
        log.write(json.dumps({"started": began}) + "\n")
        while time.time() - training_began < FLAGS.max_seconds:
            loop.run(FLAGS.window)
            step += FLAGS.window
            now = time.time()
            log.write(json.dumps({"step": step, "time": now, "steps_per_sec": FLAGS.window / (now - last)}) + "\n")
            last = now


def run_contender(name, extra, workdir):
    """One run; (steady window rates, start-up seconds, steps made)."""
    model_dir = os.path.join(workdir, f"{name}-{time.time_ns()}")
    start = time.time()
    if name == "reference":
        command = [sys.executable, os.path.abspath(__file__), "--role=reference", f"--reference_dir={model_dir}",
                   f"--max_seconds={FLAGS.max_seconds}", f"--data_dir={FLAGS.data_dir}",
                   "--window=50"]  # gan-train's mnist --log_every
    else:
        command = [sys.executable, "-m", "gan.cli.train", "--dataset=mnist", f"--data_dir={FLAGS.data_dir}",
                   "--nodownload", f"--model_dir={model_dir}", f"--max_seconds={FLAGS.max_seconds}", *extra]
    env, cwd = dict(os.environ), None
    if name == "before":  # `python -m` looks in the working directory first
        cwd = env["PYTHONPATH"] = os.path.abspath(FLAGS.before)
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                          env=env, cwd=cwd)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    with open(os.path.join(model_dir, "train_log.jsonl")) as f:
        records = [r for r in map(json.loads, f) if "steps_per_sec" in r]
    steps = [r["step"] for r in records]
    window = steps[1] - steps[0] if len(steps) > 1 else steps[0]
    rates = [r["steps_per_sec"] for r, before in zip(records[1:], steps)
             if before >= FLAGS.warmup_steps and r["step"] - before == window]
    steady = statistics.median(rates) if rates else float("nan")
    startup = records[0]["time"] - start - records[0]["step"] / steady
    return rates, startup, steps[-1]


def matmul_peak(tf, dtype, n=2048, reps=5):
    """Best GFLOP/s of one n x n matmul in `dtype`, eager (each call runs to completion; a compiled chain of
    identical matmuls would be merged into one by the graph optimizer)."""
    a, b = (tf.cast(tf.random.normal([n, n], seed=s), dtype) for s in (1, 2))
    tf.matmul(a, b).numpy()
    best = float("inf")
    for _ in range(reps):
        began = time.perf_counter()
        tf.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - began)
    return 2 * n**3 / best / 1e9


def forward_flops(model, batch):
    """Multiply-adds x 2 of a model's Dense/Conv layers for one batch, from their kernel and output shapes."""
    import keras
    total = 0
    for layer in model.layers:
        inner = getattr(layer, "layer", layer)  # SpectralNormalization wraps its layer
        kernel = getattr(inner, "kernel", None)
        if kernel is None:
            continue
        macs = 1
        for d in kernel.shape:
            macs *= d
        if isinstance(inner, keras.layers.Conv2DTranspose):
            macs *= layer.input.shape[1] * layer.input.shape[2]
        elif isinstance(inner, keras.layers.Conv2D):
            macs *= layer.output.shape[1] * layer.output.shape[2]
        total += 2 * macs * batch
    return total


def step_flops():
    """FLOPs of one alternating step of tfgan_mnist, batch 32: backward ~ 2x forward.

    Critic update: G forward, D forward and backward on fake and real (G + 6D);
    generator update: G forward and backward, D forward and backward to its input (3G + 2D).
    """
    import keras

    import gan
    pair = gan.networks.tfgan_mnist()
    z = keras.Input((64,))
    generator = keras.Model(z, pair.generator_fn(z))
    x = keras.Input((28, 28, 1))
    discriminator = keras.Model([x, z], pair.discriminator_fn(x, z))
    g, d = forward_flops(generator, 32), forward_flops(discriminator, 32)
    return 4 * g + 8 * d


def driver():
    import tensorflow as tf
    peaks = {"float32": matmul_peak(tf, tf.float32), "bfloat16": matmul_peak(tf, tf.bfloat16)}
    peaks["float32"] = max(peaks["float32"], matmul_peak(tf, tf.float32))
    peaks["bfloat16"] = max(peaks["bfloat16"], matmul_peak(tf, tf.bfloat16))
    flops = step_flops()
    bound = (f"matmul peak 2048x2048: float32 {peaks['float32']:.0f} GFLOP/s, bfloat16 {peaks['bfloat16']:.0f} GFLOP/s; "
             f"tfgan_mnist alternating step, batch 32: {flops / 1e9:.2f} GFLOP, bound "
             f"{peaks['float32'] * 1e9 / flops:.1f} steps/s (float32), {peaks['bfloat16'] * 1e9 / flops:.1f} (bf16)")
    if not FLAGS.rounds:
        print(f"command: {' '.join(sys.argv)}\nload average: {os.getloadavg()[0]:.1f}\n{bound}")
        return
    names = ["reference"] + [c for c in FLAGS.configs if c != "reference"] + (["before"] if FLAGS.before else [])
    results = {name: ([], [], []) for name in names}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="cli_throughput_") as workdir:
        for round_ in range(FLAGS.rounds):
            order = names[round_ % len(names):] + names[:round_ % len(names)]
            for name in order:
                rates, startup, steps = run_contender(name, CONFIGS.get(name, ([],))[0], workdir)
                results[name][0].extend(rates)
                results[name][1].append(startup)
                results[name][2].append(steps)
                load.append(os.getloadavg()[0])
                print(f"round {round_ + 1} {name}: {len(rates)} windows, median "
                      f"{statistics.median(rates) if rates else float('nan'):.2f} steps/s, start-up {startup:.1f} s, "
                      f"{steps} steps", file=sys.stderr, flush=True)
    rate = {name: statistics.median(r[0]) for name, r in results.items()}
    defaults = rate.get("defaults")
    print(f"command: {' '.join(sys.argv)}")
    print(f"load average during the runs: {min(load):.1f}-{max(load):.1f}")
    print(bound)
    print("| configuration | windows | steps/s (median) | ratio to reference | extra's cost, % of default step time "
          "| share of matmul bound | start-up to first step (median) |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        windows, startups, _ = results[name]
        extra, what, factor = CONFIGS.get(name, ([], "hand-written XLA loop (float32)", None))
        cost = ""
        if defaults and name != "defaults" and factor is not None:
            # step-time difference, per occurrence at the default frequency (factor 0: the extra removed)
            delta = 1 / defaults - 1 / rate[name] if factor == 0 else (1 / rate[name] - 1 / defaults) / (factor - 1)
            cost = f"{100 * delta * defaults:+.1f}%"
        precision = "float32" if name in ("reference", "float32") else "bfloat16"
        share = rate[name] * flops / (peaks[precision] * 1e9)
        label = f"{name}: {what}" + (f" (`{' '.join(extra)}`)" if extra and name != "tfgan_flags" else "")
        print(f"| {label} | {len(windows)} | {rate[name]:.2f} | {rate[name] / rate['reference']:.3f} | {cost} "
              f"| {100 * share:.0f}% ({precision}) | {statistics.median(startups):.1f} s |")


def main(argv):
    del argv
    if FLAGS.role == "reference":
        reference_run()
    else:
        driver()


if __name__ == "__main__":
    app.run(main)
