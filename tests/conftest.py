"""Shared test setup: quiet TensorFlow, one XLA compilation cache and one evaluation cache for the
whole run, and one TFDS data dir per test process for the datasets that need no download.

Many tests start programs that XLA-compile the same tiny networks (the digits defaults train
with `jit_compile`; a resumed run compiles what its first run compiled). TensorFlow's
persistent cache (`--tf_xla_persistent_cache_directory`, written by atomic rename, so the
xdist workers may share it) lets every compilation after the first load its executable
instead, about 4.6 s of a 4-step digits `gan-train`'s 18 s. The variables are set here,
before TensorFlow loads, so this process and every program it starts inherit them.

Preparing an embedded dataset takes seconds (TFDS serializes the ring's or grid's 100,000
points in about 5 s, digits_domains in 2.4 s), so the modules share one prepared data dir
(`embedded_data_dir`); a test about data dirs themselves makes its own.
"""
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Each process its own (an xdist worker replaces the controller's), so no two processes prepare
# a dataset in one directory at once.
os.environ["GAN_TESTS_DATA_DIR"] = tempfile.mkdtemp(prefix="gan-tests-data-")

# Made by the first process to load this file (pytest itself, or the xdist controller, whose
# workers inherit the variables and share the directories), and removed by it at the end. The
# evaluation cache (classifiers, statistics) is the run's own too: tests never read or fill the
# user's ~/.cache/gan. Its entries are written whole (gan.atomic), so the workers may share it.
OWNS_SHARED_DIRS = "GAN_TESTS_XLA_CACHE" not in os.environ
if OWNS_SHARED_DIRS:
    os.environ["GAN_TESTS_XLA_CACHE"] = tempfile.mkdtemp(prefix="gan-tests-xla-cache-")
    os.environ["TF_XLA_FLAGS"] = " ".join(filter(None, (
        os.environ.get("TF_XLA_FLAGS"), f"--tf_xla_persistent_cache_directory={os.environ['GAN_TESTS_XLA_CACHE']}")))
    os.environ["GAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="gan-tests-eval-cache-")


@pytest.fixture(scope="session")
def embedded_data_dir():
    """The TFDS data dir this process's tests prepare the embedded datasets in (`GAN_TESTS_DATA_DIR`)."""
    return os.environ["GAN_TESTS_DATA_DIR"]


def pytest_sessionfinish(session):
    shutil.rmtree(os.environ["GAN_TESTS_DATA_DIR"], ignore_errors=True)
    if OWNS_SHARED_DIRS:
        shutil.rmtree(os.environ["GAN_TESTS_XLA_CACHE"], ignore_errors=True)
        shutil.rmtree(os.environ["GAN_CACHE_DIR"], ignore_errors=True)
