"""The command line and the package as a new user meets them: cheap imports, fast errors, help, progress."""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(code, cwd=ROOT, **env):
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": ROOT, **env})


def test_import_gan_leaves_tensorflow_unloaded_until_a_name_needs_it():
    result = _python("import sys, gan\n"
                     "print('tensorflow' in sys.modules, 'distribute' in dir(gan), 'GANModel' in dir(gan))\n"
                     "print(callable(gan.distribute.make_strategy), 'tensorflow' in sys.modules)\n"
                     "from gan import GANTrainSteps\n"
                     "print(GANTrainSteps(1, 5).discriminator_train_steps)\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "5"]


def test_unknown_top_level_name_is_an_attribute_error():
    result = _python("import gan\ntry:\n    gan.nosuch\nexcept AttributeError as e:\n    print(e)\n")
    assert result.stdout.strip() == "module 'gan' has no attribute 'nosuch'"


def test_tensorflow_free_name_lists_equal_the_registries():
    from gan import data, losses, names, networks

    assert list(names.LOSSES) == losses.names()
    assert list(names.ARCHITECTURES) == networks.names()
    assert names.EMBEDDED_DATASETS == data.EMBEDDED
    assert names.unknown_dataset("mnist") is None and names.unknown_dataset("ring") is None
    assert "did you mean mnist?" in names.unknown_dataset("mnsit")


def _train(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "gan.cli.train", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_name_typos_exit_2_within_2_seconds(tmp_path):
    for flag, message in [("--dataset=nosuch", "Unknown dataset 'nosuch'"),
                          ("--loss=wasserstien", "Unknown --loss 'wasserstien'"),
                          ("--architecture=dcgann", "Unknown --architecture 'dcgann'")]:
        start = time.monotonic()
        result = _train(flag, f"--model_dir={tmp_path / 'run'}")
        elapsed = time.monotonic() - start
        assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
        assert elapsed < 2.0, f"{flag} took {elapsed:.1f} s"
        assert not (tmp_path / "run").exists()


def test_help_lists_each_programs_own_flags_grouped_with_true_defaults():
    for program, expected in [("train", ["--dataset", "--loss", "data:", "losses:", "budget:", "scale:"]),
                              ("generate", ["--model_dir", "--num_samples", "output:"]),
                              ("evaluate", ["--model_dir", "--checkpoint", "evaluation:"])]:
        result = subprocess.run([sys.executable, "-m", f"gan.cli.{program}", "--help"], cwd=ROOT,
                                capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": ROOT})
        assert result.returncode == 0, result.stderr[-2000:]
        for text in expected:
            assert f"\n{text}" in result.stdout or f"  {text}\n" in result.stdout, (program, text)
        assert "--verbosity" not in result.stdout  # absl's own flags stay in --helpfull
    ring = _train("--dataset=ring", "--help").stdout
    assert "(default: 128,128*)" in ring and "(default: 5*)" in ring  # ring's hidden units and critic steps
    assert "'false'" not in ring and "default: False*" in ring  # per-dataset booleans: one, true default


TINY_RING = ["--dataset=ring", "--hidden_units=8", "--noise_dims=2", "--batch_size=8", "--log_every=2",
             "--save_every=2", "--sample_every=100", "--steps_per_execution=1", "--discriminator_steps=1",
             "--nopreflight", "--nohealth"]


def _train_streaming(args, cwd, data_dir):
    """(seconds until the first stderr line, exit status, stderr with progress-bar redraws as lines)."""
    env = {**os.environ, "PYTHONPATH": ROOT, "GAN_DATA_DIR": str(data_dir)}
    start = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "gan.cli.train", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stderr.readline()
    first_seconds = time.monotonic() - start
    _, rest = process.communicate(timeout=300)
    return first_seconds, process.returncode, (first + rest).replace("\r", "\n")


def test_progress_first_line_eval_lines_resume_and_time_bounded_bar(tmp_path, embedded_data_dir):
    run = tmp_path / "run"
    seconds, status, err = _train_streaming(
        TINY_RING + [f"--model_dir={run}", "--max_steps=4", "--eval_every=2", "--eval_samples=64",
                   "--best_metric=high_quality"], tmp_path, embedded_data_dir)
    assert status == 0, err[-3000:]
    assert seconds < 1.5 and err.startswith(f"gan-train: starting {run}: loading TensorFlow and dataset 'ring'")
    assert f"tensorboard --logdir={run}" in err
    evals = [line for line in err.splitlines() if line.startswith("gan-train: eval at step")]
    assert len(evals) == 2 and "reverse_kl=" in evals[0] and evals[0].endswith("new best high_quality"), evals
    _, status, err = _train_streaming(TINY_RING + [f"--model_dir={run}", "--max_steps=1000000", "--max_seconds=4"],
                                      tmp_path, embedded_data_dir)
    assert status == 0, err[-3000:]
    assert "gan-train: resuming from step 4 (ckpt-4)" in err
    bars = [line for line in err.splitlines() if line.startswith("train:") and "d_loss=" in line]
    assert bars and "/1000000" not in bars[-1], bars[-3:]  # the total follows --max_seconds


def _write_digit_pngs(folder, count=64):
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    for i in range(count):
        label = str(digits.target[i])
        os.makedirs(folder / label, exist_ok=True)
        Image.fromarray((digits.images[i] * 255 / 16).astype(np.uint8), "L").save(folder / label / f"{i}.png")


def test_a_folder_of_png_digits_trains_20_steps_and_generates(tmp_path):
    _write_digit_pngs(tmp_path / "pngs")
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": ROOT}
    trained = subprocess.run(
        [sys.executable, "-m", "gan.cli.train", "--dataset=./pngs", "--image_size=16", "--conditional",
         f"--model_dir={run}", "--max_steps=20", "--batch_size=8", "--base_filters=8", "--noise_dims=8",
         "--log_every=10", "--save_every=10", "--sample_every=10", "--steps_per_execution=5",
         "--discriminator_steps=1", "--nopreflight"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr[-3000:]
    import json

    manifest = json.load(open(run / "run.json"))
    assert manifest["config"]["dataset"] == str(tmp_path / "pngs")  # found again from any directory
    assert manifest["dataset"]["data_shape"] == [16, 16, 1] and manifest["dataset"]["num_classes"] == 10
    generated = subprocess.run(
        [sys.executable, "-m", "gan.cli.generate", f"--model_dir={run}", "--num_samples=10",
         f"--output={tmp_path / 'g.npy'}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr[-3000:]
    import numpy as np

    assert np.load(tmp_path / "g.npy").shape == (10, 16, 16, 1)


def test_packaged_config_by_name_and_flag_files_by_path_from_another_directory(tmp_path):
    mlp_only = "--base_filters does not apply to --architecture=mlp"  # digits (the default) would be dcgan
    by_name = _train("--config=ring", "--base_filters=8", cwd=tmp_path)
    assert by_name.returncode == 2 and mlp_only in by_name.stderr, by_name.stderr
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "my.cfg").write_text("--dataset=ring\n--architecture=mlp\n")
    by_path = _train("--flagfile=mine/my.cfg", "--base_filters=8", cwd=tmp_path)
    assert by_path.returncode == 2 and mlp_only in by_path.stderr, by_path.stderr
    unknown = _train("--config=rign", cwd=tmp_path)
    assert unknown.returncode == 2 and "Unknown --config 'rign'; accepted: digits, grid," in unknown.stderr
    missing = _train("--flagfile=nosuch.cfg", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "gan-train: error: Unable to open flagfile: [Errno 2] No such file or directory: 'nosuch.cfg' "
        "(see --help for the accepted flags)"]


def test_wheel_installs_gan_with_the_programs_and_configs_under_gan_cli_only(tmp_path):
    import shutil
    import zipfile

    source = tmp_path / "src"
    shutil.copytree(os.path.join(ROOT, "gan"), source / "gan", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.py", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(tmp_path / "wheel")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheel").iterdir()
    names = zipfile.ZipFile(wheel).namelist()
    read = lambda suffix: zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(suffix))).decode()  # noqa
    assert {name.split("/")[0] for name in names if "dist-info" not in name} == {"gan"}
    assert "gan/cli/configs/mnist_wgan_gp.cfg" in names
    assert "Name: gan-estimator" in read("METADATA") and read("top_level.txt").split() == ["gan"]
    assert "gan-train = gan.cli.train:run" in read("entry_points.txt")


def test_checkout_shims_are_the_gan_cli_modules():
    result = _python("import experiments.train, experiments.common, gan.cli.train, gan.cli.common\n"
                     "print(experiments.train is gan.cli.train, experiments.common is gan.cli.common)")
    assert result.stdout.split() == ["True", "True"], result.stderr[-2000:]
