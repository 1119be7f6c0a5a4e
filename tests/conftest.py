"""Shared test setup: quiet TensorFlow, and one XLA compilation cache for the whole run.

Many tests start programs that XLA-compile the same tiny networks (the digits defaults train
with `jit_compile`; a resumed run compiles what its first run compiled). TensorFlow's
persistent cache (`--tf_xla_persistent_cache_directory`, written by atomic rename, so the
xdist workers may share it) lets every compilation after the first load its executable
instead, about 4.6 s of a 4-step digits `gan-train`'s 18 s. The variables are set here,
before TensorFlow loads, so this process and every program it starts inherit them.
"""
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Made by the first process to load this file (pytest itself, or the xdist controller, whose
# workers inherit the variable and share the directory), and removed by it at the end.
OWNS_XLA_CACHE = "GAN_TESTS_XLA_CACHE" not in os.environ
if OWNS_XLA_CACHE:
    os.environ["GAN_TESTS_XLA_CACHE"] = tempfile.mkdtemp(prefix="gan-tests-xla-cache-")
    os.environ["TF_XLA_FLAGS"] = " ".join(filter(None, (
        os.environ.get("TF_XLA_FLAGS"), f"--tf_xla_persistent_cache_directory={os.environ['GAN_TESTS_XLA_CACHE']}")))


def pytest_sessionfinish(session):
    if OWNS_XLA_CACHE:
        shutil.rmtree(os.environ["GAN_TESTS_XLA_CACHE"], ignore_errors=True)
