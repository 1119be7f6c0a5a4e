"""Mixed precision for the estimator: which Keras dtype policies it takes, and which one `'auto'` picks.

Example:
    with dtype_policy('mixed_bfloat16' if native_bfloat16() else None):
        networks.build(spec)   # layers compute in bfloat16, variables stay float32
"""
import contextlib

import keras
import tensorflow as tf

MIXED_PRECISION_POLICIES = (None, "float32", "auto", "mixed_bfloat16", "mixed_float16")


def native_bfloat16():
    """Whether this machine computes in bfloat16 natively, so `mixed_precision='auto'` picks it.

    True on TPUs, on GPUs of compute capability 8.0 or newer (all of them, if several) and,
    without GPUs, on CPUs with AVX512-BF16 or AMX (read from Linux's /proc/cpuinfo).
    Elsewhere bfloat16 is emulated and slower than float32.

    >>> native_bfloat16()  # an AVX512-BF16 CPU (AMD Zen 4, Intel Cooper Lake or newer)
    True
    """
    if tf.config.list_physical_devices("TPU"):
        return True
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return all(tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0)))
                   >= (8, 0) for gpu in gpus)
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = cpuinfo.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


@contextlib.contextmanager
def dtype_policy(policy):
    """Builds layers under a Keras dtype policy without changing the caller's global policy."""
    previous = keras.config.dtype_policy()
    if policy:
        keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
