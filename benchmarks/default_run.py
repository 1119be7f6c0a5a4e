"""The first command a user types: `gan-train` with no flags, timed and judged.

Runs `gan-train` in a scratch directory, then `gan-generate` for 1,000 samples, and
judges them with a scikit-learn MLP fitted on the real digits (see digits_quality.py):
the share recognised with confidence >= 0.9 and the classes among them. Arguments are
passed on to `gan-train`, to set one default aside.

    python benchmarks/default_run.py
    python benchmarks/default_run.py --nojit_compile
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from digits_quality import digits_judge, judge_samples  # noqa: E402


def main(train_flags):
    workdir = tempfile.mkdtemp(prefix="gan_default_run_")
    env = {**os.environ, "GAN_DATA_DIR": os.path.join(workdir, "tfds")}
    start = time.time()
    subprocess.run([sys.executable, "-m", "gan.cli.train", *train_flags], cwd=workdir, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    train_seconds = time.time() - start
    model_dir = os.path.join(workdir, "runs", "digits-wasserstein")
    output = os.path.join(workdir, "samples.npy")
    subprocess.run([sys.executable, "-m", "gan.cli.generate", f"--model_dir={model_dir}",
                    "--num_samples=1000", f"--output={output}"], cwd=workdir, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    samples = np.load(output)
    manifest = json.load(open(os.path.join(model_dir, "run.json")))
    labels = np.arange(1000) % 10 if manifest["config"]["conditional"] else None  # gan-generate's --labels=cycle
    steps = [json.loads(line)["step"] for line in open(os.path.join(model_dir, "train_log.jsonl"))][-1]
    command = " ".join(["gan-train", *train_flags]) if train_flags else "gan-train (no flags)"
    print(json.dumps({"command": command, "wall_seconds": round(train_seconds, 1), "steps": steps,
                      "model_dir": model_dir, **judge_samples(samples, digits_judge(), labels)}))


if __name__ == "__main__":
    main(sys.argv[1:])
