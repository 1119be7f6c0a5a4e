"""I/O failures and untrusted run directories: one error line naming the path and the cause, exit 2
(1 mid-training), nothing older damaged, no temporary files left; and a run directory from elsewhere
cannot make a program read a checkpoint, or write, outside it.

One tiny ring run is trained per module; each test works on a copy. Tests run as root here, where
permissions are not enforced: the read-only case uses a read-only bind mount then (a real EROFS),
and skips where mounting is not allowed.
"""
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import tensorflow as tf

from gan import checkpoints

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--dataset=ring", "--hidden_units=8", "--nopreflight", "--nohealth", "--batch_size=8", "--save_every=2",
        "--sample_every=2", "--log_every=2", "--steps_per_execution=1", "--noise_dims=4", "--discriminator_steps=1"]
LEFTOVER = re.compile(r"_temp|\.tmp|\.probe")
# Disk full while TensorFlow merges checkpoint 6 into place: its shard is written to ckpt-6_temp/ and
# half an index file lands in model_dir, then the merge op fails as a full disk makes it fail.
DISK_FULL_AT_CHECKPOINT_6 = """
import tensorflow as tf
from tensorflow.python.ops import gen_io_ops
merge = gen_io_ops.merge_v2_checkpoints
def full_disk_merge(prefixes, destination, *args, **kwargs):
    path = destination.numpy().decode()
    if path.endswith("ckpt-6"):
        with open(path + ".index", "wb") as f:
            f.write(b"half an index")
        raise tf.errors.ResourceExhaustedError(None, None, f"{path}.index; No space left on device")
    return merge(prefixes, destination, *args, **kwargs)
gen_io_ops.merge_v2_checkpoints = full_disk_merge
from gan.cli import train
train.run()
"""


@pytest.fixture(scope="module", autouse=True)
def shared_data_dir(embedded_data_dir):
    """The module's programs read the test process's prepared data dir (preparing the ring takes about 5 s)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GAN_DATA_DIR", embedded_data_dir)
        yield


def _cli(tmp, program, *args, code=None, **popen):
    env = {**os.environ, "PYTHONPATH": ROOT, "GAN_CACHE_DIR": str(tmp / "cache"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", f"gan.cli.{program}"]
    return subprocess.run(command + list(args), cwd=tmp, env=env, text=True, timeout=600,
                          **({"capture_output": True} if not popen else popen))


def _ok(result):
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _one_error_line(result, program, status, *words):
    """Exit `status`, the last stderr line the only error line, no traceback, each of `words` in it."""
    lines = [line for line in result.stderr.replace("\r", "\n").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(f"{program}: error: ")]
    assert result.returncode == status, result.stderr[-3000:]
    assert len(errors) == 1 and lines[-1] == errors[0] and "Traceback" not in result.stderr, result.stderr[-3000:]
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def _snapshot(path):
    paths = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
    return {p: hashlib.sha256(open(p, "rb").read()).hexdigest() for p in sorted(paths)}


def _leftovers(path):
    return [name for _, dirs, fs in os.walk(path) for name in dirs + fs if LEFTOVER.search(name)]


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    """A finished 4-step ring run with checkpoints 2 and 4."""
    tmp = tmp_path_factory.mktemp("io")
    _ok(_cli(tmp, "train", f"--model_dir={tmp / 'run'}", "--max_steps=4", *TINY))
    return tmp / "run"


@pytest.fixture
def run_copy(ring_run, tmp_path):
    target = tmp_path / "run"
    shutil.copytree(ring_run, target)
    return target


@contextlib.contextmanager
def _read_only(path):
    """`path` made read-only: by permissions, or as root (who ignores them) by a read-only bind mount."""
    if os.geteuid() != 0:
        os.chmod(path, 0o555)
        try:
            yield
        finally:
            os.chmod(path, 0o755)
        return
    if shutil.which("mount") is None or subprocess.run(["mount", "--bind", path, path], capture_output=True).returncode:
        pytest.skip("running as root, where permissions are not enforced, and a read-only bind mount is not allowed")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", path, path], capture_output=True).returncode:
            pytest.skip("running as root, where permissions are not enforced, and remounting read-only is not allowed")
        yield
    finally:
        subprocess.run(["umount", path], check=True)


# ---- I/O failures ----------------------------------------------------------------------------------
def test_read_only_model_dir_train_fails_in_one_line_and_generate_still_reads_it(ring_run, tmp_path):
    read_only = tmp_path / "read_only"
    shutil.copytree(ring_run, read_only / "run")
    before = _snapshot(read_only)
    with _read_only(str(read_only)):
        resumed = _cli(tmp_path, "train", f"--model_dir={read_only / 'run'}", "--max_steps=6")
        new = _cli(tmp_path, "train", f"--model_dir={read_only / 'new'}", *TINY)
        generated = _cli(tmp_path, "generate", f"--model_dir={read_only / 'run'}", f"--output={tmp_path / 'g.npy'}")
    denied = "Permission denied" if os.geteuid() else "Read-only file system"
    _one_error_line(resumed, "gan-train", 2, str(read_only / "run"), denied)
    _one_error_line(new, "gan-train", 2, str(read_only / "new"), denied)
    _ok(generated)  # a read-only run can still be sampled (the output goes elsewhere)
    assert _snapshot(read_only) == before and not os.path.exists(read_only / "new")


def test_model_dir_under_a_regular_file_fails_before_tensorflow_in_every_program(tmp_path):
    (tmp_path / "a_file").write_text("not a directory")
    model_dir = tmp_path / "a_file" / "run"
    _one_error_line(_cli(tmp_path, "train", f"--model_dir={model_dir}", *TINY), "gan-train", 2,
                    str(model_dir), f"{tmp_path / 'a_file'} is a file")
    for program in ("generate", "evaluate"):
        _one_error_line(_cli(tmp_path, program, f"--model_dir={model_dir}", f"--output={tmp_path / 'x.npy'}"
                             if program == "generate" else "--num_samples=8"),
                        f"gan-{program}", 2, str(model_dir), "does not exist")
    assert (tmp_path / "a_file").read_text() == "not a directory"


def test_missing_parents_of_model_dir_and_output_are_created(ring_run, tmp_path):
    model_dir = tmp_path / "missing" / "parents" / "run"
    _ok(_cli(tmp_path, "train", f"--model_dir={model_dir}", "--max_steps=2", *TINY))
    assert os.path.exists(model_dir / "ckpt-2.index")
    output = tmp_path / "missing" / "too" / "samples.npy"
    _ok(_cli(tmp_path, "generate", f"--model_dir={ring_run}", f"--output={output}", "--num_samples=8"))
    assert output.exists() and not _leftovers(tmp_path / "missing")


def test_model_dir_that_is_a_file_is_refused_by_generate_and_evaluate(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("not a run")
    for program, extra in (("generate", f"--output={tmp_path / 'x.npy'}"), ("evaluate", "--num_samples=8")):
        _one_error_line(_cli(tmp_path, program, f"--model_dir={path}", extra), f"gan-{program}", 2, str(path),
                        "is a file")
    assert path.read_text() == "not a run" and not (tmp_path / "x.npy").exists()


def test_generate_into_an_unwritable_place_fails_before_generating(run_copy, tmp_path):
    for name in os.listdir(run_copy):  # if it generated first, it would fail on these instead
        if name.startswith("ckpt-") and ".data-" in name:
            (run_copy / name).write_bytes(b"")
    (tmp_path / "a_file").write_text("x")
    output = tmp_path / "a_file" / "samples.npy"
    _one_error_line(_cli(tmp_path, "generate", f"--model_dir={run_copy}", f"--output={output}"), "gan-generate", 2,
                    f"--output {output}", f"{tmp_path / 'a_file'} is a file")
    assert (tmp_path / "a_file").read_text() == "x" and not _leftovers(tmp_path)


def test_evaluate_with_an_unwritable_cache_or_a_full_stdout_fails_in_one_line(ring_run, tmp_path):
    (tmp_path / "a_file").write_text("x")
    cache = tmp_path / "a_file" / "cache"
    _one_error_line(_cli(tmp_path, "evaluate", f"--model_dir={ring_run}", f"--cache_dir={cache}"), "gan-evaluate", 2,
                    f"--cache_dir {cache}", "is a file")
    with open("/dev/full", "w") as full, open(tmp_path / "stderr", "w+") as stderr:
        status = _cli(tmp_path, "evaluate", f"--model_dir={ring_run}", "--num_samples=64", stdout=full,
                      stderr=stderr).returncode
        stderr.seek(0)
        result = subprocess.CompletedProcess([], status, "", stderr.read())
    _one_error_line(result, "gan-evaluate", 2, "standard output", "No space left on device")


def test_disk_full_during_a_checkpoint_save_exits_1_keeping_older_checkpoints_and_no_partial_files(run_copy,
                                                                                                   tmp_path):
    older = {p: h for p, h in _snapshot(run_copy).items() if os.path.basename(p).startswith("ckpt-")}
    result = _cli(tmp_path, None, f"--model_dir={run_copy}", "--max_steps=8", *TINY, code=DISK_FULL_AT_CHECKPOINT_6)
    _one_error_line(result, "gan-train", 1, "checkpoint 6", str(run_copy), "No space left on device", "intact")
    assert {p: h for p, h in _snapshot(run_copy).items() if os.path.basename(p).startswith("ckpt-")} == older
    assert not _leftovers(run_copy)
    assert checkpoints.newest_readable(str(run_copy)) == (str(run_copy / "ckpt-4"), [])
    assert tf.train.latest_checkpoint(str(run_copy)).endswith("ckpt-4")


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    from gan import atomic  # pylint: disable=import-outside-toplevel
    target = tmp_path / "run.json"
    target.write_text("old")
    with pytest.raises(OSError):
        with atomic.replacing(str(target)) as temporary:
            with open(temporary, "w") as f:
                f.write("half")
            raise OSError(28, "No space left on device", temporary)
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["run.json"]


# ---- untrusted run directories ---------------------------------------------------------------------
def _foreign_checkpoint(ring_run, tmp_path):
    """A readable checkpoint outside the run, at a step newer than the run's: ../other/ckpt-50."""
    other = tmp_path / "other"
    other.mkdir()
    for name in os.listdir(ring_run):
        if name.startswith("ckpt-4."):
            shutil.copy(ring_run / name, other / name.replace("ckpt-4", "ckpt-50"))
    return other


def test_a_state_file_naming_checkpoints_outside_is_ignored_and_never_deletes_them(run_copy, ring_run, tmp_path):
    other = _foreign_checkpoint(ring_run, tmp_path)
    # It names the run's newest checkpoint, and lists checkpoints outside (absolute and relative) first.
    (run_copy / "checkpoint").write_text(
        'model_checkpoint_path: "ckpt-4"\n'
        f'all_model_checkpoint_paths: "{other}/ckpt-50"\nall_model_checkpoint_paths: "../other/ckpt-51"\n'
        'all_model_checkpoint_paths: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-4"\n' +
        'all_model_checkpoint_timestamps: 2e9\n' * 4 + 'last_preserved_timestamp: 1.0\n')
    for name in os.listdir(other):
        shutil.copy(other / name, other / name.replace("ckpt-50", "ckpt-51"))
    before = _snapshot(other)
    # Keeping 5 checkpoints, TF's CheckpointManager deletes what the state file lists once 6 are known.
    result = _ok(_cli(tmp_path, "train", f"--model_dir={run_copy}", "--max_steps=12", *TINY))
    assert "from step 4 to 12" in result.stdout
    assert _snapshot(other) == before
    state = tf.train.get_checkpoint_state(str(run_copy))
    assert all(os.path.dirname(p) == str(run_copy) for p in state.all_model_checkpoint_paths)


def test_generate_and_evaluate_restore_only_checkpoints_inside_model_dir(run_copy, ring_run, tmp_path):
    other = _foreign_checkpoint(ring_run, tmp_path)
    (run_copy / "checkpoint").write_text('model_checkpoint_path: "../other/ckpt-50"\n'
                                         'all_model_checkpoint_paths: "../other/ckpt-50"\n')
    generated = _ok(_cli(tmp_path, "generate", f"--model_dir={run_copy}", f"--output={tmp_path / 'g.npy'}"))
    assert f"{run_copy}/ckpt-4 " in generated.stdout and "ckpt-50" not in generated.stdout
    evaluated = _ok(_cli(tmp_path, "evaluate", f"--model_dir={run_copy}", "--num_samples=64"))
    assert json.loads(evaluated.stdout)["checkpoint"] == f"{run_copy}/ckpt-4"


def test_the_library_takes_no_linked_checkpoint_leading_out_of_the_directory(run_copy, ring_run, tmp_path):
    other = _foreign_checkpoint(ring_run, tmp_path)  # the programs refuse such links; the library skips them
    for name in os.listdir(other):
        os.symlink(other / name, run_copy / name)
    assert checkpoints.checkpoints_in(str(run_copy)) == [(4, f"{run_copy}/ckpt-4"), (2, f"{run_copy}/ckpt-2")]
    assert checkpoints.resume_point(str(run_copy)) == f"{run_copy}/ckpt-4"


def test_every_program_refuses_a_link_that_leads_out_of_model_dir(run_copy, ring_run, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    (run_copy / "train_log.jsonl").unlink()
    os.symlink(outside, run_copy / "train_log.jsonl")  # appending to the log would write here
    _one_error_line(_cli(tmp_path, "train", f"--model_dir={run_copy}", "--max_steps=6"), "gan-train", 2,
                    "train_log.jsonl", str(outside), "remove the link")
    assert outside.read_text() == "keep me\n"
    os.symlink(_foreign_checkpoint(ring_run, tmp_path), run_copy / "best")  # --checkpoint=best would load it
    _one_error_line(_cli(tmp_path, "evaluate", f"--model_dir={run_copy}", "--checkpoint=best"), "gan-evaluate", 2,
                    "best", "outside the run")
    _one_error_line(_cli(tmp_path, "generate", f"--model_dir={run_copy}", f"--output={tmp_path / 'g.npy'}"),
                    "gan-generate", 2, "outside the run")


def test_evaluate_takes_data_dir_and_download_from_its_command_line_not_run_json(run_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    manifest = json.loads((run_copy / "run.json").read_text())
    manifest["config"].update(data_dir=str(elsewhere), download=True)
    (run_copy / "run.json").write_text(json.dumps(manifest))
    _ok(_cli(tmp_path, "evaluate", f"--model_dir={run_copy}", "--num_samples=64"))
    assert not elsewhere.exists()  # the embedded ring would have been prepared there
