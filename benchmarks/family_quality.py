"""Quality of the model families on `digits` through the programs users run: `gan-train --model=M`
with its default flags for each seed, then `gan-generate` 1,000 samples judged by a scikit-learn MLP
fitted on the real digits (`digits_quality.digits_judge`).

- acgan: the share recognised with confidence >= 0.9, and the share whose class is the requested one.
- infogan: the categorical-code accuracy (`gan.eval.code_accuracy`: code values matched one-to-one
  to the judged classes), with no labels used in training; and what its misses are made of: the
  code purity (the share of each code's samples in that code's most frequent class) and the
  classes that are no code's most frequent one.
- cyclegan / stargan (on digits_domains): `gan-evaluate`'s `class_preserved` and `domain_accuracy`
  over 2,000 translations (`gan.eval.translation_metrics`: the cached digits and domain
  classifiers), averaged over the ordered domain pairs.

Prints one JSON line per run and one with the medians over seeds.

    python benchmarks/family_quality.py --model=acgan --seeds=0,1,2
    python benchmarks/family_quality.py --model=infogan --seeds=0,1,2
    python benchmarks/family_quality.py --model=cyclegan --seeds=0,1,2
    python benchmarks/family_quality.py --model=stargan --seeds=0,1,2
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from digits_quality import digits_judge  # noqa: E402  pylint: disable=wrong-import-position

flags.DEFINE_enum("model", "acgan", ["acgan", "infogan", "cyclegan", "stargan"], "Model family (gan-train --model).")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds, one run each.")
flags.DEFINE_list("train_flags", [], "Extra gan-train flags, e.g. --train_flags=--max_seconds=60.")
FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = 1000
TRANSLATIONS = 2000


def _program(name, *args):
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-m", f"gan.cli.{name}", *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{name} {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def judge_run(model, model_dir, judge):
    """The figures of `model_dir`'s newest checkpoint (see the module docstring)."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    from gan.eval.evaluators import code_accuracy  # pylint: disable=import-outside-toplevel

    path = os.path.join(model_dir, "judged.npy")
    _program("generate", f"--model_dir={model_dir}", f"--num_samples={SAMPLES}", f"--output={path}",
             "--seed=12345", "--labels=cycle" if model == "acgan" else "--codes=cycle")
    probabilities = judge(np.load(path))
    requested = np.arange(SAMPLES) % 10
    judged = probabilities.argmax(1)
    result = {"confident_share": float((probabilities.max(1) >= 0.9).mean())}
    if model == "acgan":
        result["requested_class_share"] = float((judged == requested).mean())
    else:
        confusion = np.zeros((10, probabilities.shape[1]))
        np.add.at(confusion, (requested, judged), 1)
        result["categorical_code_accuracy"] = code_accuracy(confusion)
        # What a miss is made of: codes whose samples are of mixed classes (purity below 1), or
        # classes that no code draws (two codes drawing one class, another class drawn by none).
        result["code_purity"] = float(confusion.max(1).sum() / confusion.sum())
        result["classes_no_code_draws"] = sorted(set(range(10)) - set(confusion.argmax(1).tolist()))
    return result


def judge_translations(model_dir):
    """gan-evaluate's translation figures of `model_dir`'s newest checkpoint."""
    report = json.loads(_program("evaluate", f"--model_dir={model_dir}", f"--num_samples={TRANSLATIONS}").stdout)
    return {k: report[k] for k in ("class_preserved", "domain_accuracy", "cycle_consistency_loss",
                                   "reconstruction_loss") if k in report}


def main(argv):
    del argv
    translation = FLAGS.model in ("cyclegan", "stargan")
    judge = None if translation else digits_judge()
    results = []
    for seed in FLAGS.seeds:
        model_dir = tempfile.mkdtemp(prefix=f"family_{FLAGS.model}_")
        _program("train", f"--model={FLAGS.model}", f"--seed={seed}", f"--model_dir={model_dir}", *FLAGS.train_flags)
        steps = max(json.loads(line)["step"] for line in open(os.path.join(model_dir, "train_log.jsonl")))
        figures = judge_translations(model_dir) if translation else judge_run(FLAGS.model, model_dir, judge)
        results.append({"model": FLAGS.model, "seed": int(seed), "steps": steps, **figures})
        print(json.dumps(results[-1]), flush=True)
    keys = [k for k in results[0] if k.endswith(("share", "accuracy", "preserved", "purity"))]
    print(json.dumps({"model": FLAGS.model, "seeds": len(results), "train_flags": FLAGS.train_flags,
                      **{f"median_{k}": statistics.median(r[k] for r in results) for k in keys}}))
    print("command: python " + " ".join(sys.argv))


if __name__ == "__main__":
    app.run(main)
