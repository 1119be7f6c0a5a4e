"""End-to-end tests of `gan-train` and `gan-generate`, run as subprocesses with tiny budgets.

Trained runs are shared per module (one digits, one ring, one conditional mnist run) and
every test that would change one works on a copy. Bad input must end with one stderr
line and exit status 2 without touching the run in --model_dir. Each program start
imports TensorFlow (seconds of CPU), so independent commands are started early, two at
a time (the machine has 2 cores), and each test waits for its own.
"""
import concurrent.futures
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image
import tensorflow as tf

from gan.cli import common

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--max_steps=4", "--batch_size=8", "--save_every=2", "--sample_every=2", "--log_every=2",
        "--steps_per_execution=1", "--noise_dims=4", "--discriminator_steps=1"]
# `tfds.testing.mock_data` must patch TFDS inside the training process.
MOCK_MNIST = ("import sys, tensorflow_datasets as tfds\n"
              "from gan.cli import train\n"
              "with tfds.testing.mock_data(num_examples=64):\n"
              "    train.run()\n")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def pool():
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def _cli(workdir, program, *args, code=None):
    env = {**os.environ, "PYTHONPATH": ROOT, "GAN_DATA_DIR": os.environ["GAN_TESTS_DATA_DIR"]}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", f"experiments.{program}"]
    return subprocess.run(command + list(args), cwd=workdir, env=env, capture_output=True, text=True, timeout=600)


def _ok(result):
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _snapshot(path):
    """Names, modification times and content hashes of everything under `path` (a file or a directory)."""
    paths = [path] if os.path.isfile(path) else [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
    return {p: (os.stat(p).st_mtime_ns, hashlib.sha256(open(p, "rb").read()).hexdigest()) for p in sorted(paths)}


def _copy_run(run, workdir, name):
    target = workdir / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(run, target)
    return target


def _logged_steps(model_dir):
    with open(os.path.join(model_dir, "train_log.jsonl")) as f:
        records = [json.loads(line) for line in f]
    return [r["step"] for r in records if "generator_loss" in r]  # not the health or evaluation records


def _manifest(model_dir):
    with open(os.path.join(model_dir, "run.json")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def trainings(workdir, pool):
    """The three shared runs, started at once: (future of the finished process, model_dir) by name."""
    # Each prepares a different dataset in the shared data dir, so they may run side by side.
    return {
        "digits": (pool.submit(_cli, workdir, "train", f"--model_dir={workdir / 'digits'}", "--base_filters=4",
                               *TINY), workdir / "digits"),
        # From the ring flag file, tiny flags after it overriding its values. An 8-unit critic on
        # batches of 8 is below what the start-up check is calibrated for: it passes or fails by seed.
        "ring": (pool.submit(_cli, workdir, "train", f"--flagfile={ROOT}/gan/cli/configs/ring.cfg",
                             "--hidden_units=8", "--eval_every=2", "--nopreflight", *TINY),
                 workdir / "runs" / "ring-wasserstein"),
        "mnist": (pool.submit(_cli, workdir, None, "--dataset=mnist", "--conditional", "--architecture=dcgan",
                              "--base_filters=4", f"--model_dir={workdir / 'mnist'}", *TINY, code=MOCK_MNIST),
                  workdir / "mnist"),
    }


def _finished(trainings, name):
    future, model_dir = trainings[name]
    _ok(future.result())
    return model_dir


@pytest.fixture(scope="module")
def digits_run(trainings):
    return _finished(trainings, "digits")


@pytest.fixture(scope="module")
def ring_run(trainings):
    return _finished(trainings, "ring")


@pytest.fixture(scope="module")
def mnist_run(trainings):
    return _finished(trainings, "mnist")


def test_digits_run_writes_checkpoints_log_samples_and_manifest(digits_run):
    names = set(os.listdir(digits_run))
    assert {"checkpoint", "ckpt-4.index", "train_log.jsonl", "samples.png", "run.json"} <= names
    assert any(name.startswith("events.out.tfevents") for name in names)
    assert _logged_steps(digits_run) == [2, 4]
    # digits runs are conditional by default: 100 previews (10 per class) of 8x8 digits, a 10 x 10
    # grid of tiles enlarged 6x (8 px * 6 = 48 >= MIN_TILE_PIXELS), each framed by 1 px.
    assert Image.open(digits_run / "samples.png").size == (10 * 50, 10 * 50)
    manifest = _manifest(digits_run)
    assert manifest["config"]["architecture"] == "dcgan" and manifest["config"]["base_filters"] == 4
    assert manifest["config"]["batch_size"] == 8 and manifest["config"]["seed"] == 0
    assert manifest["config"]["jit_compile"] is True  # the digits default: XLA (see its table row)
    assert manifest["dataset"]["data_shape"] == [8, 8, 1] and manifest["dataset"]["num_classes"] == 10
    assert {"gan", "tensorflow", "keras", "tensorflow_datasets", "numpy"} <= set(manifest["versions"])
    assert manifest["generator_inputs"]  # one manifest: the estimator's record and the program's side by side
    assert "gan_spec.json" not in names


# ---- bad input: one line, exit status 2, the run in --model_dir untouched ------------------------------
def _assert_rejected(result, program, *words):
    """Exit status 2 and one error line, the last; before it at most the program's own progress notes."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr[-3000:]
    errors = [line for line in lines if line.startswith(f"{program}: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert all(line.startswith(f"{program}: ") for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in errors[0], errors[0]


def _exit_status_and_whether_tensorflow_loaded(program):
    """Python code running `gan.cli.<program>` that prints its exit status and whether TensorFlow was imported."""
    return ("import runpy, sys\n"
            "try:\n"
            f"    runpy.run_module('gan.cli.{program}', run_name='__main__')\n"
            "except SystemExit as exit:\n"
            "    print(exit.code, 'tensorflow' in sys.modules)\n")


TRAIN_BAD_INPUT = {
    "unknown_dataset": (["--dataset=mnsit"], ["Unknown dataset 'mnsit'", "mnist", "digits, digits_domains, grid, ring"]),
    "unknown_loss": (["--loss=wasserstien"], ["--loss", "'wasserstien'", "wasserstein, wasserstein_hinge"]),
    "unknown_architecture": (["--architecture=resnet"], ["--architecture", "dcgan, mlp, tfgan_mnist"]),
    "zero_batch_size": (["--batch_size=0"], ["--batch_size", "positive integer", "got 0"]),
    "negative_max_steps": (["--max_steps=-3"], ["--max_steps", "positive integer", "got -3"]),
    "negative_lr_half_life": (["--lr_half_life=-5"], ["--lr_half_life", "positive integer", "got -5"]),
    "zero_discriminator_steps": (["--discriminator_steps=0"], ["--discriminator_steps", "positive integer"]),
    "zero_generator_steps": (["--generator_steps=0"], ["--generator_steps", "positive integer"]),
    "non_numeric_batch_size": (["--batch_size=many"], ["--batch_size", "many"]),
    "incompatible_architecture": (["--architecture=mlp"], ["--architecture=dcgan", "not mlp", "another --model_dir"]),
    "eval_every_not_multiple_of_log_every": (["--eval_every=3"], ["--eval_every=3", "multiple of --log_every"]),
    "stop_on_collapse_without_evaluation": (["--stop_on_collapse"], ["--stop_on_collapse", "--eval_every"]),
    "unreachable_tpu": (["--strategy=tpu", "--tpu=grpc://127.0.0.1:1"], ["No TPU reachable", "--strategy=mirrored"]),
}


@pytest.fixture(scope="module")
def train_rejections(digits_run, workdir, pool):
    """Every bad-input command, started at once on its own copy of the digits run: (future, model_dir, snapshot)."""
    started = {}
    for case, (args, _) in TRAIN_BAD_INPUT.items():
        model_dir = _copy_run(digits_run, workdir, f"bad_{case}")
        before = _snapshot(model_dir)
        started[case] = (pool.submit(_cli, workdir, "train", f"--model_dir={model_dir}", *args), model_dir, before)
    return started


@pytest.mark.parametrize("case", sorted(TRAIN_BAD_INPUT))
def test_train_rejects_bad_input_leaving_the_run_untouched(case, train_rejections):
    future, model_dir, before = train_rejections[case]
    _assert_rejected(future.result(), "gan-train", *TRAIN_BAD_INPUT[case][1])
    assert _snapshot(model_dir) == before


def test_library_errors_reach_the_command_line_in_flag_terms(workdir):
    """The library names its arguments (`download=False`, `data_dir=PATH`); gan-train says the flags."""
    result = _cli(workdir, "train", f"--model_dir={workdir / 'unprepared'}", "--dataset=mnist", "--nodownload",
                  f"--data_dir={workdir / 'empty_tfds'}")
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert last.startswith("gan-train: error: Dataset 'mnist' is not prepared in "), last
    assert last.endswith("and --nodownload: pass --data_dir=PATH of a prepared copy (a TFDS data dir holding it)."), last
    assert not os.path.exists(workdir / "unprepared")


def test_train_rejects_a_model_dir_that_is_a_file(workdir):
    path = workdir / "a_file"
    path.write_text("not a run")
    before = _snapshot(path)
    _assert_rejected(_cli(workdir, "train", f"--model_dir={path}"), "gan-train", "is a file", "directory")
    assert _snapshot(path) == before


def test_generate_rejects_a_model_dir_without_a_checkpoint(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "no_checkpoint")
    for name in os.listdir(model_dir):
        if name.startswith("ckpt-") or name == "checkpoint":
            os.remove(model_dir / name)
    before = _snapshot(model_dir)
    result = _cli(workdir, None, f"--model_dir={model_dir}", f"--output={workdir / 'x.npy'}",
                  code=_exit_status_and_whether_tensorflow_loaded("generate"))
    assert result.stdout.split() == ["2", "False"], (result.stdout, result.stderr[-2000:])  # found without TensorFlow
    assert result.stderr.strip().splitlines()[-1].startswith("gan-generate: error: ") and "holds no checkpoint" in \
        result.stderr and "gan-train" in result.stderr
    assert _snapshot(model_dir) == before and not os.path.exists(workdir / "x.npy")


def test_generate_falls_back_from_a_corrupt_newest_checkpoint(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "corrupt_checkpoint")
    data = model_dir / "ckpt-4.data-00000-of-00001"
    data.write_bytes(bytes(reversed(data.read_bytes())))
    before = _snapshot(model_dir)
    result = _ok(_cli(workdir, "generate", f"--model_dir={model_dir}", f"--output={workdir / 'y.npy'}"))
    notes = [line for line in result.stderr.splitlines() if "skipping checkpoint" in line]
    assert len(notes) == 1 and "ckpt-4" in notes[0] and "resuming from ckpt-2" in notes[0], result.stderr
    assert "Traceback" not in result.stderr and np.load(workdir / "y.npy").shape[0] > 0
    assert _snapshot(model_dir) == before  # gan-generate writes nothing in model_dir


def test_generate_rejects_a_run_whose_checkpoints_are_all_unreadable(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "all_corrupt")
    for data in model_dir.glob("ckpt-*.data-*"):
        data.write_bytes(data.read_bytes()[: len(data.read_bytes()) // 2])  # truncated
    before = _snapshot(model_dir)
    result = _cli(workdir, "generate", f"--model_dir={model_dir}", f"--output={workdir / 'z.npy'}")
    errors = [line for line in result.stderr.splitlines() if line.startswith("gan-generate: error:")]
    assert result.returncode == 2 and len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert _snapshot(model_dir) == before and not os.path.exists(workdir / "z.npy")


def test_train_without_the_state_file_resumes_from_the_newest_checkpoint(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "no_state_file")
    os.remove(model_dir / "checkpoint")
    older = {p.name: p.read_bytes() for p in model_dir.glob("ckpt-2.*")}
    result = _ok(_cli(workdir, "train", f"--model_dir={model_dir}", "--max_steps=6"))
    assert "from step 4 to 6" in result.stdout, result.stdout
    assert "state file" in result.stderr and "ckpt-4" in result.stderr
    assert tf.train.latest_checkpoint(str(model_dir)).endswith("ckpt-6")
    assert all((model_dir / name).read_bytes() == data for name, data in older.items())  # not overwritten


def test_a_rejected_resume_leaves_run_json_alone(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "rejected_resume")
    before = _snapshot(model_dir)
    result = _cli(workdir, "train", f"--model_dir={model_dir}", "--split=nosuch", "--max_steps=6")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert _snapshot(model_dir) == before


@pytest.mark.parametrize("flag, words", [
    ("--generator_lr=inf", ["--generator_lr", "finite"]),
    ("--gradient_penalty_weight=nan", ["--gradient_penalty_weight", "finite"]),
    ("--seed=-1", ["--seed", "[0, 4.29497e+09)"]),
    ("--batch_size=99999999999999999999", ["--batch_size", "65536"]),
])
def test_numeric_flags_are_checked_before_tensorflow_starts(flag, words, workdir):
    model_dir = workdir / "never_created"
    result = _cli(workdir, "train", f"--model_dir={model_dir}", flag)
    _assert_rejected(result, "gan-train", *words)
    assert not model_dir.exists()


def test_a_second_trainer_on_one_model_dir_is_refused_and_a_stale_lock_taken_over(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "locked")
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (model_dir / common.RunLock.NAME).write_text(str(holder.pid))
        before = _snapshot(model_dir)
        result = _cli(workdir, "train", f"--model_dir={model_dir}", "--max_steps=6")
        _assert_rejected(result, "gan-train", f"process {holder.pid}")
        assert _snapshot(model_dir) == before
    finally:
        holder.kill()
        holder.wait()
    result = _ok(_cli(workdir, "train", f"--model_dir={model_dir}", "--max_steps=6"))  # holder gone: stale
    assert f"stale lock of process {holder.pid}" in result.stderr
    assert not (model_dir / common.RunLock.NAME).exists()


def test_learning_rates_given_on_resume_apply_and_are_recorded(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "new_rates")
    _ok(_cli(workdir, "train", f"--model_dir={model_dir}", "--max_steps=6", "--generator_lr=0.0123"))
    assert _manifest(model_dir)["config"]["generator_lr"] == 0.0123
    reader = tf.train.load_checkpoint(str(model_dir / "ckpt-6"))
    rates = [reader.get_tensor(k) for k in reader.get_variable_to_shape_map()
             if k.startswith("generator_optimizer/") and "learning_rate" in k]
    assert rates and np.allclose(rates, 0.0123)


def test_sigterm_saves_the_current_step_and_exits_with_one_line(workdir):
    model_dir = workdir / "sigterm"
    env = {**os.environ, "PYTHONPATH": ROOT, "GAN_DATA_DIR": os.environ["GAN_TESTS_DATA_DIR"]}
    process = subprocess.Popen([sys.executable, "-m", "experiments.train", "--dataset=ring", f"--model_dir={model_dir}",
                                "--hidden_units=8", "--nopreflight", "--nohealth", "--max_seconds=300",
                                "--log_every=10", "--save_every=100000", "--sample_every=100000",
                                "--steps_per_execution=10"], cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                               stderr=open(workdir / "sigterm.err", "w"))  # a file: a full pipe would block it
    log = model_dir / "train_log.jsonl"
    for _ in range(600):
        if log.exists() and log.stat().st_size:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    stderr = (workdir / "sigterm.err").read_text()
    errors = [line for line in stderr.replace("\r", "\n").splitlines() if line.startswith("gan-train: error:")]
    assert process.returncode == 143 and len(errors) == 1 and "SIGTERM" in errors[0], stderr[-2000:]
    saved = tf.train.latest_checkpoint(str(model_dir))
    assert saved is not None and int(saved.rsplit("-", 1)[1]) >= 10  # not lost: saved at the signal
    assert (model_dir / "run.json").exists() and not (model_dir / common.RunLock.NAME).exists()


@pytest.mark.parametrize("args, words", [
    (["--output=samples.jpg"], ["--output", ".npy or .png"]),
    (["--output=s.npy", "--num_samples=0"], ["--num_samples", "positive integer"]),
], ids=["bad_output_format", "zero_num_samples"])
def test_generate_rejects_bad_flags(args, words, digits_run, workdir):
    before = _snapshot(digits_run)
    _assert_rejected(_cli(workdir, "generate", f"--model_dir={digits_run}", *args), "gan-generate", *words)
    assert _snapshot(digits_run) == before


def test_eval_every_logs_metrics_and_keeps_the_best_checkpoint(ring_run):
    with open(ring_run / "train_log.jsonl") as f:
        records = [json.loads(line) for line in f]
    evaluations = [r for r in records if "eval/modes" in r]
    assert [r["step"] for r in evaluations] == [2, 4]
    assert all(0 <= r["eval/high_quality"] <= 1 for r in evaluations)
    assert os.path.exists(ring_run / "best" / "checkpoint") or all(
        r["eval/reverse_kl"] != r["eval/reverse_kl"] for r in evaluations)  # NaN is never "best"


def test_generate_refuses_flag_mistakes_before_loading_tensorflow(ring_run, workdir):
    for mistake in ("--num_samples=0", "--labels=3", "--input=x.npy"):
        result = _cli(workdir, None, f"--model_dir={ring_run}", "--output=s.npy", mistake,
                      code=_exit_status_and_whether_tensorflow_loaded("generate"))
        assert result.stdout.split() == ["2", "False"], (mistake, result.stdout, result.stderr[-2000:])


def test_train_refuses_changing_a_runs_networks_before_loading_tensorflow(digits_run, workdir):
    """A resumed run's structural settings are checked against run.json first: a typo costs no TensorFlow start."""
    model_dir = _copy_run(digits_run, workdir, "changed_networks")
    before = _snapshot(model_dir)
    result = _cli(workdir, None, f"--model_dir={model_dir}", "--architecture=mlp",
                  code=_exit_status_and_whether_tensorflow_loaded("train"))
    assert result.stdout.split() == ["2", "False"], (result.stdout, result.stderr[-2000:])
    assert "holds a run with --architecture=dcgan, not mlp" in result.stderr and _snapshot(model_dir) == before


def test_generate_rejects_labels_for_an_unconditional_run(ring_run, workdir):
    before = _snapshot(ring_run)
    _assert_rejected(_cli(workdir, "generate", f"--model_dir={ring_run}", "--output=s.npy", "--labels=3"),
                     "gan-generate", "--labels", "conditional")
    assert _snapshot(ring_run) == before


def test_generate_rejects_a_directory_that_is_no_run(workdir):
    (workdir / "empty").mkdir(exist_ok=True)
    _assert_rejected(_cli(workdir, "generate", f"--model_dir={workdir / 'empty'}", "--output=s.npy"),
                     "gan-generate", "no run.json")


def test_rerun_resumes_with_the_recorded_settings(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "digits_resumed")
    # Only the budget is given: every other setting comes from run.json, not from the digits defaults.
    result = _ok(_cli(workdir, "train", f"--model_dir={model_dir}", "--max_steps=6"))
    assert "from step 4 to 6" in result.stdout
    assert _logged_steps(model_dir) == [2, 4, 6]
    assert os.path.exists(model_dir / "ckpt-6.index")
    manifest = _manifest(model_dir)
    assert manifest["resumed_from_step"] == 4 and manifest["config"]["base_filters"] == 4


def test_generate_npy_holds_images_in_range(digits_run, workdir):
    output = workdir / "out" / "digits.npy"
    _ok(_cli(workdir, "generate", f"--model_dir={digits_run}", "--num_samples=10", f"--output={output}"))
    samples = np.load(output)
    assert samples.shape == (10, 8, 8, 1) and samples.dtype == np.float32
    assert samples.min() >= -1.0 and samples.max() <= 1.0 and samples.std() > 0


def test_generate_png_is_an_image_grid(digits_run, workdir):
    output = workdir / "out" / "digits.png"
    _ok(_cli(workdir, "generate", f"--model_dir={digits_run}", "--num_samples=10", f"--output={output}"))
    # 10 samples: 4 columns (ceil(sqrt(10))) by 3 rows of 48-pixel tiles framed by 1 px.
    picture = np.asarray(Image.open(output))
    assert picture.shape == (3 * 50, 4 * 50)
    # Samples are framed in dark grey (-0.5 -> 64); the 11th and 12th tiles are padding, all black.
    assert picture[0, 25] == 64 and picture[50, 125] == 64 and (picture[100:150, 100:200] == 0).all()


def test_ring_run_plots_samples_over_data_and_generates_points(ring_run, workdir):
    assert _manifest(ring_run)["config"]["architecture"] == "mlp"
    assert _manifest(ring_run)["config"]["hidden_units"] == [8]
    assert Image.open(ring_run / "samples.png").size == (500, 500)  # matplotlib figure: 5 x 5 in at 100 dpi
    output = workdir / "out" / "ring.npy"
    _ok(_cli(workdir, "generate", f"--model_dir={ring_run}", "--num_samples=30", f"--output={output}"))
    points = np.load(output)
    assert points.shape == (30, 2) and points.dtype == np.float32 and np.isfinite(points).all()


def test_conditional_mnist_run_under_mock_data_generates_chosen_labels(mnist_run, workdir):
    manifest = _manifest(mnist_run)
    assert manifest["dataset"]["data_shape"] == [28, 28, 1] and manifest["config"]["conditional"] is True
    # mnist's table defaults (benchmarks/mnist_quality.py), exercised end to end here.
    assert manifest["config"]["mixed_precision"] == "auto" and manifest["config"]["jit_compile"] is False
    assert _logged_steps(mnist_run) == [2, 4]
    # 100 conditional previews: 10 x 10 tiles of 28 px enlarged 2x (56 >= MIN_TILE_PIXELS), framed by 1 px.
    assert Image.open(mnist_run / "samples.png").size == (10 * 58, 10 * 58)
    output = workdir / "out" / "mnist.npy"
    _ok(_cli(workdir, "generate", f"--model_dir={mnist_run}", "--num_samples=5", "--labels=3,7",
             f"--output={output}"))
    samples = np.load(output)
    assert samples.shape == (5, 28, 28, 1) and samples.min() >= -1.0 and samples.max() <= 1.0


# ---- in-process: the defaults table and how settings are resolved (no TensorFlow) --------------------
def test_dataset_defaults_rows_are_complete_and_pick_architectures():
    keys = set(common.DATASET_DEFAULTS["default"])
    assert all(set(row) - {"models"} == keys for row in common.DATASET_DEFAULTS.values())
    picked = {name: common.dataset_defaults(name)["architecture"] for name in ("digits", "mnist", "ring", "cifar10")}
    assert picked == {"digits": "dcgan", "mnist": "tfgan_mnist", "ring": "mlp", "cifar10": "dcgan"}


def test_explicit_flags_beat_the_recorded_run_which_beats_the_table():
    config = common.resolve({"batch_size": 8}, {"dataset": "ring", "batch_size": 16, "noise_dims": 3},
                            {"dataset": "digits", "seed": 0, "batch_size": None})
    assert (config["batch_size"], config["noise_dims"], config["seed"]) == (8, 3, 0)
    assert config["architecture"] == "mlp"  # the recorded dataset's row, not the flag default's


def test_network_options_reject_an_option_the_architecture_does_not_take():
    config = {**common.dataset_defaults("ring"), "hidden_units": [8]}
    assert common.network_options(config) == {"hidden_units": (8,), "spectral_norm": False}
    with pytest.raises(common.UsageError, match="--base_filters does not apply to --architecture=mlp"):
        common.network_options(config, explicit={"base_filters"})


def test_lr_half_life_halves_each_rate_per_training_step_whatever_the_updates_per_step():
    import keras

    from gan.cli import train
    config = {**common.dataset_defaults("grid"), "generator_lr": 1e-3, "discriminator_lr": 4e-3,
              "generator_steps": 1, "discriminator_steps": 2, "lr_half_life": None}

    def rates(optimizer, updates):
        values = []
        for count in updates:
            optimizer.iterations.assign(count)
            values.append(float(optimizer.learning_rate))
        return np.array(values)

    constant = train.adam(keras, config, "discriminator")
    np.testing.assert_allclose(rates(constant, [0, 1000]), [4e-3, 4e-3])
    halving = {**config, "lr_half_life": 100}
    np.testing.assert_allclose(rates(train.adam(keras, halving, "generator"), [0, 100, 200]), [1e-3, 5e-4, 2.5e-4],
                               rtol=1e-6)
    # Two critic updates per training step: half the rate after 100 steps = 200 updates.
    np.testing.assert_allclose(rates(train.adam(keras, halving, "discriminator"), [0, 50, 200]),
                               [4e-3, 4e-3 * 0.5 ** 0.25, 2e-3], rtol=1e-6)


def test_exploding_learning_rate_stops_with_one_line_and_a_finite_checkpoint(workdir):
    model_dir = workdir / "exploding"
    result = _cli(workdir, "train", "--dataset=ring", "--hidden_units=8", "--loss=least_squares",
                  "--generator_lr=1e3", "--discriminator_lr=1e3", "--max_steps=60", "--log_every=1", "--save_every=1",
                  "--steps_per_execution=1", "--batch_size=8", f"--model_dir={model_dir}", "--nopreflight", "--nohealth")
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.replace("\r", "\n").splitlines() if line.startswith("gan-train: error:")]
    assert len(errors) == 1 and "Training stopped at step" in errors[0] and "Traceback" not in result.stderr
    latest = tf.train.latest_checkpoint(str(model_dir))
    if latest is not None:  # what was saved before the blow-up holds only finite numbers
        reader = tf.train.load_checkpoint(latest)
        for name in reader.get_variable_to_shape_map():
            value = np.asarray(reader.get_tensor(name))
            if np.issubdtype(value.dtype, np.floating):
                assert np.all(np.isfinite(value)), name


def test_strategy_one_device_trains_with_gan_trains_own_optimizers(workdir):
    """gan-train builds its Adam optimizers before the strategy's scope; that must not crash."""
    model_dir = workdir / "one_device"
    result = _ok(_cli(workdir, "train", "--strategy=one_device", "--dataset=ring", f"--model_dir={model_dir}",
                      "--hidden_units=8", "--nopreflight", *TINY))
    assert "Mixing different" not in result.stderr
    assert tf.train.latest_checkpoint(str(model_dir)).endswith("ckpt-4")


def test_generate_checks_its_output_is_writable_before_generating(digits_run, workdir):
    result = _cli(workdir, "generate", f"--model_dir={digits_run}", "--output=/proc/samples.npy")
    _assert_rejected(result, "gan-generate", "--output /proc/samples.npy", "cannot write")


def test_a_state_file_pointing_outside_the_run_is_not_followed(digits_run, workdir):
    model_dir = _copy_run(digits_run, workdir, "foreign_state")
    (model_dir / "checkpoint").write_text('model_checkpoint_path: "/etc/ckpt-999"\n'
                                         'all_model_checkpoint_paths: "/etc/ckpt-999"\n')
    result = _ok(_cli(workdir, "generate", f"--model_dir={model_dir}", f"--output={workdir / 'f.npy'}"))
    assert "ckpt-4" in result.stdout and "/etc" not in result.stdout


def test_a_run_json_cannot_choose_where_data_comes_from(digits_run, workdir):
    """A run directory from elsewhere must not make gan-train download or write outside it."""
    model_dir = _copy_run(digits_run, workdir, "foreign_manifest")
    manifest = _manifest(model_dir)
    manifest["config"].update(data_dir="/tmp/elsewhere_should_not_appear", download=True)
    (model_dir / "run.json").write_text(json.dumps(manifest))
    _ok(_cli(workdir, "train", f"--model_dir={model_dir}", "--max_steps=6"))
    assert not os.path.exists("/tmp/elsewhere_should_not_appear")
    assert _manifest(model_dir)["config"]["data_dir"] is None
