"""`tf.distribute` strategies by name, for `GANEstimator(strategy=...)` (and so `gan-train --strategy`).

    strategy = make_strategy('mirrored')                  # every local GPU, one replica each
    strategy = make_strategy('multi_worker')              # hosts listed in $TF_CONFIG
    strategy = make_strategy('tpu', tpu='grpc://10.0.0.2:8470')
    est = gan.GANEstimator(generator_fn, discriminator_fn, strategy=strategy)

The batches an `input_fn` yields are *global* batches: the strategy splits each one
across its replicas and losses are averaged over the whole batch, so a run behaves the
same (up to float rounding) on one device or on many with the same `batch_size`.
Create the strategy before any other TensorFlow work: multi-worker collectives and TPU
initialisation must be configured at program start.
"""
import json
import os
import re
import socket

import keras
import tensorflow as tf

STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")
TPU_CONNECT_TIMEOUT_S = 10.0


def _error(problem):
    return ValueError(f"{problem} Accepted strategies: {', '.join(STRATEGIES)}.")


def _one_device(devices):
    if devices and len(devices) != 1:
        raise _error(f"Strategy 'one_device' takes one device, got {list(devices)}.")
    if devices:
        return tf.distribute.OneDeviceStrategy(devices[0])
    return tf.distribute.OneDeviceStrategy("/gpu:0" if tf.config.list_physical_devices("GPU") else "/cpu:0")


def _local_replica_devices():
    """Every local GPU, else every logical CPU (one unless the program split the CPU)."""
    gpus = tf.config.list_logical_devices("GPU")
    return [d.name for d in gpus or tf.config.list_logical_devices("CPU")]


def _multi_worker():
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise _error("Strategy 'multi_worker' reads the cluster from $TF_CONFIG, which is not set "
                     "(e.g. TF_CONFIG='{\"cluster\": {\"worker\": [\"host1:12345\", \"host2:12345\"]}, "
                     "\"task\": {\"type\": \"worker\", \"index\": 0}}').")
    try:
        config = json.loads(raw)
        hosts = config["cluster"].get("worker", []) + config["cluster"].get("chief", [])
        int(config["task"]["index"])  # raises when the task is missing or malformed
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise _error(f"$TF_CONFIG is not a cluster spec with cluster.worker and task.type/index ({e!r}).") from None
    if not hosts:
        raise _error("$TF_CONFIG lists no hosts in cluster.worker or cluster.chief.")
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as e:
        if "program startup" not in str(e):
            raise
        raise RuntimeError("Strategy 'multi_worker' must be created before any other TensorFlow op "
                           f"({str(e).splitlines()[0]}).") from None


def _connect(address, timeout):
    """Fails fast where TensorFlow would retry connecting to a dead address for minutes."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except (OSError, ValueError) as e:
        raise OSError(f"cannot connect to {address} ({e})") from None


def _tpu(tpu, timeout):
    address = tpu or os.environ.get("TPU_NAME") or "local"
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=address)
        if address != "local":  # a TPU VM's own chips need no connection
            for task in resolver.cluster_spec().job_tasks(resolver.task_type):
                _connect(task, timeout)
            tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (OSError, RuntimeError, ValueError, ImportError, tf.errors.OpError) as e:
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        reason = re.split(r"(?<=\.)\s", first_line)[0][:200].rstrip(".")
        raise RuntimeError(f"No TPU reachable at '{address}': {reason}. Pass tpu=ADDRESS of a TPU VM/node ('local' "
                           "on a TPU VM, a TPU name or grpc://HOST:8470) or use strategy='mirrored'.") from None


def make_strategy(name="default", tpu=None, devices=None, tpu_connect_timeout=TPU_CONNECT_TIMEOUT_S):
    """A `tf.distribute.Strategy` by name: 'default', 'one_device', 'mirrored', 'multi_worker' or 'tpu'.

    `devices` lists device names for 'one_device' (one) and 'mirrored' (default: all
    GPUs, else every logical CPU). 'multi_worker' reads `$TF_CONFIG`. `tpu` is a TPU name, a
    `grpc://HOST:PORT` address or 'local' (default: `$TPU_NAME`, else 'local', i.e. a
    TPU VM); an unreachable TPU raises RuntimeError within `tpu_connect_timeout` seconds.

    >>> make_strategy('mirrored', devices=['/gpu:0', '/gpu:1']).num_replicas_in_sync
    2
    """
    if name not in STRATEGIES:
        raise _error(f"Unknown strategy {name!r}.")
    if tpu is not None and name != "tpu":
        raise _error(f"A TPU address ({tpu!r}) is only used by strategy 'tpu', not {name!r}.")
    if devices is not None:
        if isinstance(devices, str) or not all(isinstance(d, str) for d in devices):
            raise ValueError(f"devices must be a list of device names such as ['/gpu:0', '/gpu:1'], got {devices!r}.")
        if name not in ("one_device", "mirrored"):
            raise _error(f"A device list is only used by strategies 'one_device' and 'mirrored', not {name!r}.")
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        return _one_device(devices)
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices=list(devices) if devices else _local_replica_devices())
    if name == "multi_worker":
        return _multi_worker()
    return _tpu(tpu, tpu_connect_timeout)


def xla_compiles_updates(strategy):
    """Whether `GANEstimator(jit_compile=True)` can run under `strategy`: XLA compiles a per-replica
    update with its gradient all-reduce on one replica, on GPUs and on TPUs, not across CPU replicas.

    >>> xla_compiles_updates(make_strategy('mirrored', devices=['/cpu:0', '/cpu:1']))  # False
    """
    if strategy.num_replicas_in_sync == 1 or isinstance(strategy, tf.distribute.TPUStrategy):
        return True
    return all(tf.DeviceSpec.from_string(d).device_type == "GPU" for d in strategy.extended.worker_devices)


def sync_batch_normalization(**kwargs):
    """Keras batch norm whose statistics cover the global batch across all replicas.

    Plain `BatchNormalization` normalises each replica's share of the batch on its own,
    so results change with the number of devices, and each replica keeps its own moving
    statistics (the first replica's are saved); this one all-reduces the moments (Keras
    `synchronized=True`, TensorFlow backend) and matches one-device training.

    >>> h = sync_batch_normalization(momentum=0.9)(keras.layers.Dense(64)(z))
    """
    return keras.layers.BatchNormalization(synchronized=True, **kwargs)
