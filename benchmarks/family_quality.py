"""Quality of the model families on `digits` through the programs users run: `gan-train --model=M`
with its default flags for each seed, then `gan-generate` 1,000 samples judged by a scikit-learn MLP
fitted on the real digits (`digits_quality.digits_judge`).

- acgan: the share recognised with confidence >= 0.9, and the share whose class is the requested one.
- infogan: the categorical-code accuracy (`gan.eval.code_accuracy`: code values matched one-to-one
  to the judged classes), with no labels used in training; and what its misses are made of: the
  code purity (the share of each code's samples in that code's most frequent class) and the
  classes that are no code's most frequent one. Also the code accuracy of each checkpoint the run
  kept and their mean: a less noisy figure of a setting than its final checkpoint alone.
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
NOISE_SEED = 12345
TRANSLATIONS = 2000


def _program(name, *args):
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-m", f"gan.cli.{name}", *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{name} {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def judge_run(model, model_dir, judge):
    """The figures of `model_dir`'s newest checkpoint, sampled by gan-generate (see the module docstring)."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    path = os.path.join(model_dir, "judged.npy")
    _program("generate", f"--model_dir={model_dir}", f"--num_samples={SAMPLES}", f"--output={path}",
             f"--seed={NOISE_SEED}", "--labels=cycle" if model == "acgan" else "--codes=cycle")
    probabilities = judge(np.load(path))
    result = {"confident_share": float((probabilities.max(1) >= 0.9).mean())}
    if model == "acgan":
        result["requested_class_share"] = float((probabilities.argmax(1) == np.arange(SAMPLES) % 10).mean())
        return result
    return {**result, **code_figures(probabilities)}


def code_figures(probabilities):
    """InfoGAN's figures of samples whose code values cycle 0..9, from the judge's class `probabilities`."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    from gan.eval.evaluators import code_accuracy  # pylint: disable=import-outside-toplevel

    confusion = np.zeros((10, probabilities.shape[1]))
    np.add.at(confusion, (np.arange(len(probabilities)) % 10, probabilities.argmax(1)), 1)
    # What a miss is made of: codes whose samples are of mixed classes (purity below 1), or
    # classes that no code draws (two codes drawing one class, another class drawn by none).
    return {"categorical_code_accuracy": code_accuracy(confusion),
            "code_purity": float(confusion.max(1).sum() / confusion.sum()),
            "classes_no_code_draws": sorted(set(range(10)) - set(confusion.argmax(1).tolist()))}


def kept_checkpoints_accuracy(model_dir, judge):
    """`{step: code accuracy}` of every checkpoint an InfoGAN run kept (the last five, 500 steps apart
    on digits), sampled as `judge_run` samples the newest. The newest one's figure is one draw: at
    300 s the codes' classes still change every few hundred steps (docs/benchmarks.md)."""
    import numpy as np  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    import gan  # pylint: disable=import-outside-toplevel
    from gan.checkpoints import checkpoints_in  # pylint: disable=import-outside-toplevel
    from gan.cli import common, generate  # pylint: disable=import-outside-toplevel

    manifest = generate.run_manifest(model_dir)
    config = manifest["config"]
    inputs = common.generator_inputs(SAMPLES, config["noise_dims"], seed=NOISE_SEED,
                                     structured_codes=common.structured_codes(config))
    estimator = generate.rebuilt_estimator(gan, manifest, model_dir)
    accuracies = {}
    for step, prefix in sorted(checkpoints_in(model_dir)):
        samples = estimator.predict(lambda: tf.data.Dataset.from_tensor_slices(inputs).batch(256),
                                    checkpoint_path=prefix)
        accuracies[step] = code_figures(judge(np.stack(list(samples))))["categorical_code_accuracy"]
    return accuracies


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
        if FLAGS.model == "infogan":
            kept = kept_checkpoints_accuracy(model_dir, judge)
            figures["kept_checkpoints_accuracy"] = {str(step): round(value, 3) for step, value in kept.items()}
            figures["kept_checkpoints_mean_accuracy"] = statistics.mean(kept.values())
        results.append({"model": FLAGS.model, "seed": int(seed), "steps": steps, **figures})
        print(json.dumps(results[-1]), flush=True)
    keys = [k for k in results[0] if k.endswith(("share", "accuracy", "preserved", "purity"))
            and k != "kept_checkpoints_accuracy"]
    print(json.dumps({"model": FLAGS.model, "seeds": len(results), "train_flags": FLAGS.train_flags,
                      **{f"median_{k}": statistics.median(r[k] for r in results) for k in keys}}))
    print("command: python " + " ".join(sys.argv))


if __name__ == "__main__":
    app.run(main)
