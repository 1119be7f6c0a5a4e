"""Shared test setup: quiet TensorFlow, keep CPU threads modest on the 2-core machine."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
