"""Running the command-line programs in a subprocess, as users do, for the model-family tests."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_program(workdir, program, *args):
    """`python -m gan.cli.<program> args` in `workdir`, on the test process's prepared data dir
    (`GAN_TESTS_DATA_DIR`, tests/conftest.py); the finished process."""
    env = {**os.environ, "PYTHONPATH": ROOT, "GAN_DATA_DIR": os.environ["GAN_TESTS_DATA_DIR"],
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", f"gan.cli.{program}", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)


def succeeded(result):
    """`result`, after asserting it exited 0 (its stderr's end is the message otherwise)."""
    assert result.returncode == 0, result.stderr[-3000:]
    return result
