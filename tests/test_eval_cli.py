"""gan-evaluate end to end on a tiny gan-train run, and evaluation during training (best checkpoint kept)."""
import json
import os
import shutil
import subprocess
import sys

import keras
import pytest

import gan
from gan.cli import common
from gan.cli import evaluate as evaluate_program
from gan.cli import train as train_program
from gan.eval import classifiers, eval_hook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN_STEPS = 20


@pytest.fixture(scope="module")
def env(tmp_path_factory, embedded_data_dir):
    """Environment of the subprocesses: this checkout, the prepared data dir, a private cache dir."""
    variables = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2", GAN_DATA_DIR=embedded_data_dir,
                     GAN_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))
    variables.pop("GAN_INCEPTION_WEIGHTS", None)
    return variables


def _run(program, args, env, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", f"experiments.{program}", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory, env):
    """A 20-step digits run made by gan-train (so run.json is in its real format)."""
    model_dir = str(tmp_path_factory.mktemp("runs") / "digits")
    done = _run("train", [f"--model_dir={model_dir}", f"--max_steps={TRAIN_STEPS}", "--batch_size=16",
                          "--base_filters=8", "--log_every=10", "--save_every=10", "--sample_every=20",
                          "--steps_per_execution=10"], env)
    assert done.returncode == 0, done.stderr[-2000:]
    return model_dir


def _files(root):
    return sorted((os.path.relpath(os.path.join(d, f), root), os.stat(os.path.join(d, f)).st_mtime_ns)
                  for d, _, files in os.walk(root) for f in files)


def _evaluate_json(args, env):
    done = _run("evaluate", args, env)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0]), done.stderr


def test_evaluate_prints_one_json_object_and_writes_nothing_in_model_dir(digits_run, env):
    before = _files(digits_run)
    report, stderr = _evaluate_json([f"--model_dir={digits_run}", "--num_samples=200", "--batch_size=100"], env)
    assert _files(digits_run) == before
    assert report["global_step"] == TRAIN_STEPS and report["num_samples"] == 200
    assert report["checkpoint"] == os.path.join(digits_run, f"ckpt-{TRAIN_STEPS}")
    for key in ("fid", "kid", "classifier_score", "precision", "recall", "density", "coverage",
                "generator_loss", "discriminator_loss"):
        assert isinstance(report[key], float), key
    assert report["fid"] > 0 and 1.0 <= report["classifier_score"] <= 10.0
    # The classifier was trained by this call (empty cache): its accuracy is reported and recorded.
    info_files = [os.path.join(d, f) for d, _, files in os.walk(env["GAN_CACHE_DIR"]) for f in files
                  if f == classifiers.INFO_FILE]
    assert len(info_files) == 1
    with open(info_files[0]) as f:
        accuracy = json.load(f)["held_out_accuracy"]
    assert report["classifier_held_out_accuracy"] == accuracy > 0.8
    assert "trained the digits classifier" in stderr and f"{accuracy:.4f}" in stderr


class _ScriptedMetrics:
    """eval_metrics whose FID follows a script, to steer which checkpoint is best."""

    def __init__(self, fids):
        self.fids, self.batches = list(fids), 0

    def reset_state(self):
        self.batches = 0

    def update_state(self, real_data, generated_data, generator_inputs):
        assert real_data.shape == generated_data.shape == (16, 8, 8, 1)
        self.batches += 1

    def result(self):
        return {"fid": self.fids.pop(0), "batches": self.batches}


def _estimator(model_dir):
    manifest = common.read_manifest(model_dir)
    spec = gan.data.describe("digits")
    return manifest, train_program.build_estimator(gan, keras, manifest["config"], spec, model_dir)


def test_eval_hook_keeps_the_best_checkpoint_which_gan_evaluate_restores(digits_run, env, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", env["GAN_DATA_DIR"])
    model_dir = str(tmp_path / "run")
    shutil.copytree(digits_run, model_dir)
    manifest, estimator = _estimator(model_dir)
    config = manifest["config"]
    input_fn = gan.data.gan_input_fn("digits", 16, noise_dims=config["noise_dims"], conditional=config["conditional"],
                                     seed=1)
    hook = gan.eval.make_eval_hook(estimator, _ScriptedMetrics([4.0, 9.0]), input_fn, every=10,
                                   best_metric="fid", steps=2)
    estimator.train(input_fn, max_steps=TRAIN_STEPS + 20, hooks=[hook], progress=False)  # Hooks at 30 and 40.

    records = [r for r in gan.summaries.read_log(model_dir) if "eval/fid" in r]
    assert [(r["step"], r["eval/fid"], r["eval/batches"]) for r in records] == [(30, 4.0, 2), (40, 9.0, 2)]
    assert os.listdir(os.path.join(model_dir, eval_hook.EVAL_DIR))  # TensorBoard events
    best = gan.eval.read_best(model_dir)
    assert (best["step"], best["metric"], best["value"], best["checkpoint"]) == (30, "fid", 4.0, "ckpt-30")

    report, _ = _evaluate_json([f"--model_dir={model_dir}", "--checkpoint=best", "--num_samples=100"], env)
    assert report["checkpoint"] == os.path.join(model_dir, eval_hook.BEST_DIR, "ckpt-30")
    assert report["global_step"] == 30  # Not the newest checkpoint, step 40.

    # A resumed run knows the best value: worse is not kept, better is.
    resumed = gan.eval.make_eval_hook(estimator, _ScriptedMetrics([5.0, 3.0]), input_fn, every=10,
                                      best_metric="fid", steps=1)
    resumed(50)
    assert gan.eval.read_best(model_dir)["step"] == 30
    resumed(60)
    assert (gan.eval.read_best(model_dir)["step"], gan.eval.read_best(model_dir)["value"]) == (60, 3.0)


def test_evaluate_names_the_best_folder_the_hook_writes():
    assert evaluate_program.BEST_DIR == eval_hook.BEST_DIR


def test_unknown_best_metric_is_refused_before_training(digits_run):
    with pytest.raises(ValueError, match="unknown best_metric 'fidd'; accepted: .*fid"):
        gan.eval.make_eval_hook(None, None, None, every=10, best_metric="fidd", model_dir=digits_run)
    assert gan.eval.metric_direction("fid") == "min" and gan.eval.metric_direction("modes") == "max"


@pytest.mark.parametrize("args, message", [
    (["--model_dir=/nonexistent/run"], "--model_dir '/nonexistent/run' does not exist"),
    (["--model_dir={run}", "--checkpoint=newest"], "value should be one of <latest|best>"),
    (["--model_dir={run}", "--num_samples=0"], "--num_samples must be a positive integer; got 0."),
    (["--model_dir={bare}"], "holds no checkpoint"),
    (["--model_dir={run}", "--checkpoint=best"], "holds no best checkpoint (best/)"),
])
def test_bad_input_is_one_line_on_stderr_with_status_2(digits_run, env, tmp_path, args, message):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(os.path.join(digits_run, common.MANIFEST), bare)  # A run that never saved a checkpoint.
    done = _run("evaluate", [a.format(run=digits_run, bare=bare) for a in args], env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("gan-evaluate: error:")]
    assert len(errors) == 1 and message in errors[0]
