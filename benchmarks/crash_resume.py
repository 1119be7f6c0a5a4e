"""Kill `gan-train` at random moments, then resume, generate and evaluate: does the run survive?

Each round starts `gan-train --dataset=ring` (small networks, frequent saves and samples) on
one model_dir and SIGKILLs it: in `--training_share` of the rounds once training has logged a
step (then training, saving and sample writing alternate within a fraction of a second), in
the others after a random delay from the start (on a busy machine, mostly in start-up). It
then resumes it for a few steps and runs `gan-generate` and
`gan-evaluate` on it. Prints one JSON line: kills, successful resumes / generations /
evaluations, the most steps a kill lost (the last logged step before the kill against the
step the resume started from; at most one save interval, 50 steps, is expected), how often
a resume fell back past unreadable newest files, and any leftover temporary files.

    python benchmarks/crash_resume.py --kills=50
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

from absl import app, flags

flags.DEFINE_integer("kills", 50, "SIGKILLs (one per round).")
flags.DEFINE_float("max_delay", 25.0, "Start-up kills: a uniform random delay in [1, max_delay] seconds.")
flags.DEFINE_float("training_share", 0.7, "Share of rounds whose kill waits until training has logged a step "
                   "(then up to 2 s more: training, saving and sample writing recur every 50 steps); the rest "
                   "are killed at a random moment from the start, mostly during start-up on a busy machine.")
flags.DEFINE_integer("seed", 0, "Seed of the kill delays.")
FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = ["--dataset=ring", "--hidden_units=32", "--nopreflight", "--nohealth", "--save_every=50",
         "--sample_every=50", "--log_every=25", "--steps_per_execution=25", "--max_seconds=600"]
LEFTOVER = re.compile(r"(_temp|\.tmp|\.probe)")


def _wait_for_training(model_dir, process, timeout=300):
    """Waits until the run logs a step newer than it had (training is underway); whether it did."""
    before = max([r["step"] for r in _log(model_dir)], default=0)
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        if max([r["step"] for r in _log(model_dir)], default=0) > before:
            return True
        time.sleep(0.05)
    return False


def _program(name, *args, timeout=600):
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", f"experiments.{name}", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def _saved_step(model_dir):
    steps = [int(m.group(1)) for m in map(re.compile(r"^ckpt-(\d+)\.index$").match, os.listdir(model_dir)) if m]
    return max(steps, default=0)


def _log(model_dir):
    path = os.path.join(model_dir, "train_log.jsonl")
    records = []
    for line in open(path, encoding="utf-8") if os.path.exists(path) else []:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # a line torn by the kill
    return [r for r in records if "step" in r]


def main(argv):
    del argv
    rng = random.Random(FLAGS.seed)
    model_dir = os.path.join(tempfile.mkdtemp(prefix="crash_resume_"), "run")
    results = {"kills": 0, "kills_in_training": 0, "resumes_ok": 0, "generate_ok": 0, "evaluate_ok": 0, "max_steps_lost": 0, "fallbacks": 0,
               "leftover_files": [], "failures": []}
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for round_ in range(FLAGS.kills):
        # An explicit --max_steps: the resume below records its own in run.json, which a bare rerun would reuse
        # (and exit at once, already there).
        process = subprocess.Popen([sys.executable, "-m", "experiments.train", f"--model_dir={model_dir}", *TRAIN,
                                    "--max_steps=1000000000"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < FLAGS.training_share:
            results["kills_in_training"] += _wait_for_training(model_dir, process)
            time.sleep(rng.uniform(0.0, 2.0))
        else:
            time.sleep(rng.uniform(1.0, FLAGS.max_delay))
        process.send_signal(signal.SIGKILL)
        process.wait()
        results["kills"] += 1
        saved = _saved_step(model_dir) if os.path.isdir(model_dir) else 0
        logged = max([r["step"] for r in _log(model_dir)], default=0)  # trained at least this far before the kill
        resume = _program("train", f"--model_dir={model_dir}", *TRAIN, f"--max_steps={max(saved, logged) + 25}")
        started = re.search(r"from step (\d+) to", resume.stdout)
        if resume.returncode == 0 and started:
            results["resumes_ok"] += 1
            results["max_steps_lost"] = max(results["max_steps_lost"], logged - int(started.group(1)))
            results["fallbacks"] += int(started.group(1)) < saved  # the newest files did not read back
        else:
            results["failures"].append({"round": round_, "program": "gan-train", "stderr": resume.stderr[-300:]})
        output = os.path.join(os.path.dirname(model_dir), "samples.npy")
        generated = _program("generate", f"--model_dir={model_dir}", "--num_samples=100", f"--output={output}")
        results["generate_ok"] += generated.returncode == 0
        evaluated = _program("evaluate", f"--model_dir={model_dir}", "--num_samples=500")
        results["evaluate_ok"] += evaluated.returncode == 0
        for failed, name in ((generated, "gan-generate"), (evaluated, "gan-evaluate")):
            if failed.returncode:
                results["failures"].append({"round": round_, "program": name, "stderr": failed.stderr[-300:]})
        results["leftover_files"] += [f for f in os.listdir(model_dir) if LEFTOVER.search(f)]
        print(f"round {round_ + 1}/{FLAGS.kills}: saved step {saved}, resume "
              f"{'ok' if started else 'FAILED'}", file=sys.stderr, flush=True)
    results["leftover_files"] = sorted(set(results["leftover_files"]))
    print(json.dumps(results))
    print("command: python " + " ".join(sys.argv))


if __name__ == "__main__":
    app.run(main)
