"""gan.distribute: mirrored and multi-worker training match one device; the TPU path fails clearly.

TensorFlow fixes its devices when it starts, so the training checks run
tests/distribute_scenarios.py in fresh interpreters; the multi-worker pair runs while
the mirrored scenario does, to keep the file fast on two cores.
"""
import json
import math
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from gan.distribute import STRATEGIES, make_strategy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = os.path.join(ROOT, "tests", "distribute_scenarios.py")
ROUNDS = 4  # distribute_scenarios.ROUNDS
TIMEOUT_S = 300


def _start(*args):
    # One intra-op thread: the models are tiny and the scenarios share two cores.
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "2",
           "TF_NUM_INTRAOP_THREADS": "1"}
    env.pop("TF_CONFIG", None)
    return subprocess.Popen([sys.executable, SCENARIOS, *map(str, args)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process, out):
    try:
        output, _ = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"{process.args[2:]} ran past {TIMEOUT_S}s:\n{output[-3000:]}")
    assert process.returncode == 0, f"{process.args[2:]} failed:\n{output[-3000:]}"
    with open(out) as f:
        return json.load(f)


def _max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b))


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Starts every scenario at once; each test waits for the one it checks."""
    tmp = tmp_path_factory.mktemp("distribute")
    model_dir = tmp / "multi_worker"
    ports = ",".join(map(str, _free_ports(2)))
    started = {
        "mirrored": (_start("mirrored", tmp / "mirrored.json"), tmp / "mirrored.json"),
        "cli_mirrored": (_start("cli_mirrored", tmp / "cli_run", tmp / "cli_mirrored.json"),
                         tmp / "cli_mirrored.json"),
        "workers": [(_start("worker", i, ports, model_dir, tmp / f"worker{i}.json"), tmp / f"worker{i}.json")
                    for i in range(2)],
    }
    cache = {}

    def result(name):
        if name not in cache:
            if name == "workers":
                cache[name] = [_finish(*p) for p in started["workers"]]
            elif name in ("resume", "failures"):  # one process: resume, then the failing strategies
                result("workers")
                _finish(_start("resume", model_dir, tmp / "worker0.json", tmp / "resume.json",
                               "+", "failures", tmp / "failures.json"), tmp / "failures.json")
                for key in ("resume", "failures"):
                    with open(tmp / f"{key}.json") as f:
                        cache[key] = json.load(f)
            else:
                cache[name] = _finish(*started[name])
        return cache[name]

    yield result
    for process in [started["mirrored"][0], started["cli_mirrored"][0]] + [p for p, _ in started["workers"]]:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_mirrored_matches_one_device(runs):
    result = runs("mirrored")
    assert result["replicas"] == 2
    plain = result["plain"]
    # Training moved the weights far more than the tolerance, so a wrongly scaled or
    # unsynchronised gradient would show.
    assert plain["moved"] > 0.05
    assert plain["weight_diff"] < 1e-5 and plain["loss_diff"] < 1e-5, plain
    assert plain["replica_spread"] == 0.0
    assert plain["evaluate_diff"] < 1e-5 and plain["predict_diff"] < 1e-5, plain


def test_synchronized_batch_norm_matches_one_device(runs):
    sync = runs("mirrored")["sync_batch_norm"]
    assert sync["moved"] > 0.05
    assert sync["weight_diff"] < 1e-5 and sync["loss_diff"] < 1e-5, sync
    assert sync["replica_spread"] == 0.0


def test_penalty_and_batch_norm_track_one_device(runs):
    result = runs("mirrored")["penalty_batch_norm"]
    losses, single = result["losses"], result["single_losses"]
    assert len(losses) == ROUNDS and all("gradient_penalty" in logs for logs in losses)
    # Each replica draws its own interpolation points and normalises its own half batch
    # (plain batch norm), so the runs stay close but are not equal.
    for logs, single_logs in zip(losses, single):
        for key in ("discriminator_loss", "generator_loss", "gradient_penalty"):
            assert abs(logs[key] - single_logs[key]) < 0.2, (key, losses, single)
    assert result["weight_diff"] < 0.25 * result["moved"], result
    assert result["replica_spread"] == 0.0  # trainable weights; moving statistics are per replica


def test_multi_worker_replicas_agree_and_chief_checkpoint_resumes(runs):
    chief, other = runs("workers")
    assert chief["is_chief"] and not other["is_chief"]
    assert chief["replicas"] == other["replicas"] == 2
    assert chief["global_step"] == other["global_step"] == ROUNDS
    assert chief["losses"] == other["losses"]
    assert chief["weights"] == other["weights"]
    # Two workers of one replica each train like one device on the same global batches
    # (the mirrored scenario's one-device run has the same networks, data and steps).
    single = runs("mirrored")["plain"]
    assert _max_diff(chief["weights"], single["single_weights"]) < 1e-5
    assert max(abs(a[k] - b[k]) for a, b in zip(chief["losses"], single["single_losses"]) for k in a) < 1e-5
    resumed = runs("resume")
    assert resumed["restored_step"] == ROUNDS and resumed["final_step"] == ROUNDS + 2
    assert resumed["restored_diff"] == 0.0


def test_tpu_without_tpu_fails_fast_with_one_line(runs):
    result = runs("failures")
    for address in ("grpc://127.0.0.1:1", "local"):
        outcome = result[address]
        assert outcome["type"] == "RuntimeError", outcome
        message = outcome["error"]
        assert "\n" not in message
        assert message.startswith(f"No TPU reachable at '{address}'")
        assert "tpu=ADDRESS" in message and "strategy='mirrored'" in message and "--" not in message
        assert outcome["seconds"] < 30
    assert "cannot connect to 127.0.0.1:1" in result["grpc://127.0.0.1:1"]["error"]


def test_multi_worker_after_tensorflow_started_fails_with_one_line(runs):
    message = runs("failures")["late_multi_worker"]["error"]
    assert message is not None and "\n" not in message
    assert message.startswith("Strategy 'multi_worker' must be created before any other TensorFlow op")


def test_unknown_strategy_lists_accepted_names():
    with pytest.raises(ValueError) as error:
        make_strategy("horovod")
    message = str(error.value)
    assert "\n" not in message and "'horovod'" in message
    assert all(name in message for name in STRATEGIES)


@pytest.mark.parametrize("kwargs, problem", [
    (dict(name="mirrored", tpu="local"), "only used by strategy 'tpu'"),
    (dict(name="tpu", devices=["/gpu:0"]), "only used by strategies 'one_device' and 'mirrored'"),
    (dict(name="one_device", devices=["/cpu:0", "/cpu:1"]), "takes one device"),
    (dict(name="mirrored", devices="/gpu:0"), "list of device names"),
])
def test_bad_arguments_name_the_problem(kwargs, problem):
    with pytest.raises(ValueError, match=problem):
        make_strategy(**kwargs)


@pytest.mark.parametrize("tf_config, problem", [
    (None, "TF_CONFIG, which is not set"),
    ("{not json", "is not a cluster spec"),
    ('{"cluster": {"worker": []}, "task": {"type": "worker", "index": 0}}', "lists no hosts"),
])
def test_multi_worker_needs_a_tf_config(monkeypatch, tf_config, problem):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ValueError, match=problem):
        make_strategy("multi_worker")


def test_xla_with_cpu_replicas_is_refused_with_a_clear_error(runs):
    assert runs("mirrored")["jit_error"].startswith("jit_compile=True with 2 replicas needs GPU")


def test_mixed_precision_trains_under_mirrored_strategy(runs):
    result = runs("mirrored")
    losses = [v for logs in result["mixed_bfloat16_losses"] for v in logs.values()]
    assert len(result["mixed_bfloat16_losses"]) == 4 and all(math.isfinite(v) for v in losses)
    assert result["mixed_bfloat16_replica_spread"] == 0.0



def test_mirrored_trains_with_the_users_own_optimizers(runs):
    """Optimizers made before the strategy's scope (users' and gan-train's way) train like one device."""
    own = runs("mirrored")["own_optimizers"]
    assert own["weight_diff"] < 1e-5 and own["loss_diff"] < 1e-5, own


def test_an_optimizer_used_outside_the_scope_is_refused_in_one_line(runs):
    message = runs("mirrored")["used_optimizer_error"]
    assert message is not None and "\n" not in message
    assert "outside the strategy's scope" in message and "strategy.scope()" in message


def test_gan_train_strategy_mirrored_on_two_logical_cpus_trains_without_the_datasets_xla(runs):
    result = runs("cli_mirrored")
    assert result["status"] == 0 and result["checkpoint"].endswith("ckpt-4"), result
    assert result["jit_compile"] is False, result
