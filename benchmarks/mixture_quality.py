"""Quality per time on the 2-D mixtures (`ring`, `grid`): PacGAN's protocol on 2,500 samples.

Runs `gan-train --dataset=<ring|grid>` with its defaults (its wall-clock budget unless
`--max_seconds` is given; extra `gan-train` flags after `--`), draws 2,500 samples with
`gan-generate`, and reports modes captured, the share of high-quality samples (within
3 std of a mode), the reverse KL of the mode histogram, and where the other samples lie
(quantiles of the distance to the nearest mode, in mode std units).

    python benchmarks/mixture_quality.py --dataset=ring
    python benchmarks/mixture_quality.py --dataset=grid --seeds=0,1,2 -- --batch_size=512
"""
import json
import os
import subprocess
import sys
import tempfile

from absl import app, flags

flags.DEFINE_enum("dataset", "ring", ["ring", "grid"], "Mixture.")
flags.DEFINE_float("max_seconds", None, "Training budget in seconds (default: gan-train's for the dataset).")
flags.DEFINE_list("seeds", ["0"], "Seeds, one run each.")
FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = 2500


def run(program, *args):
    subprocess.run([sys.executable, "-m", f"experiments.{program}", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": ROOT})


def main(argv):
    import numpy as np

    from gan.eval.mixture_metrics import MIXTURES, mixture_metrics
    mixture = MIXTURES[FLAGS.dataset]
    extra = argv[1:]
    for seed in FLAGS.seeds:
        workdir = tempfile.mkdtemp(prefix=f"mixture_{FLAGS.dataset}_")
        model_dir, output = os.path.join(workdir, "run"), os.path.join(workdir, "samples.npy")
        budget = [f"--max_seconds={FLAGS.max_seconds}"] if FLAGS.max_seconds else []
        run("train", f"--dataset={FLAGS.dataset}", f"--model_dir={model_dir}", f"--seed={seed}", "--nohealth",
            *budget, *extra)
        run("generate", f"--model_dir={model_dir}", f"--num_samples={SAMPLES}", f"--output={output}",
            f"--seed={int(seed) + 100}")
        samples = np.load(output)
        distance = np.min(np.linalg.norm(samples[:, None] - mixture.centers[None], axis=-1), axis=1) / mixture.std
        log = [json.loads(line) for line in open(os.path.join(model_dir, "train_log.jsonl"))]
        steps = max(entry.get("step", 0) for entry in log)
        print(json.dumps({
            "command": " ".join(sys.argv), "seed": int(seed), "steps": steps,
            **mixture_metrics(samples, FLAGS.dataset),
            "distance_quantiles_in_std": {q: round(float(np.quantile(distance, q / 100)), 2)
                                          for q in (50, 90, 95, 99)},
        }), flush=True)


if __name__ == "__main__":
    app.run(main)
