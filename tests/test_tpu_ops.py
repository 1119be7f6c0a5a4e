"""gan.tpu's cross-replica ops: plain moments without replicas, and means over all replicas
or groups of them under a MirroredStrategy on 4 logical CPUs (its own process)."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import gan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
X = np.random.default_rng(1).normal(5.0, 3.0, size=(8, 3, 2)).astype("float32")


@pytest.mark.parametrize("parallel", [True, False])
def test_moments_without_replicas_are_numpy_moments(parallel):
    mean, variance = gan.tpu.cross_replica_moments(X, axis=[0, 1], parallel=parallel)
    np.testing.assert_allclose(mean, X.mean((0, 1)), rtol=1e-5)
    np.testing.assert_allclose(variance, X.var((0, 1)), rtol=1e-4)
    mean, variance = gan.tpu.cross_replica_moments(X, axis=2, parallel=parallel)
    np.testing.assert_allclose(variance, X.var(2), rtol=1e-3, atol=1e-4)


def test_one_replica_is_its_own_mean_in_and_out_of_a_strategy():
    np.testing.assert_array_equal(gan.tpu.cross_replica_mean(X, group_size=4), X)
    out = tf.distribute.get_strategy().run(lambda x: gan.tpu.cross_replica_moments(x, [0]), (X[:, 0],))
    np.testing.assert_allclose(out[1], X[:, 0].var(0), rtol=1e-4)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        assert tf.distribute.get_replica_context() is None  # cross-replica context
        np.testing.assert_array_equal(gan.tpu.cross_replica_mean(X), X)


def test_batch_norm_honours_center_scale_and_local_moments():
    flat = X.reshape(8, 6)
    out = gan.tpu.batch_norm(flat, is_training=True, center=False, scale=False, variance_epsilon=0.0,
                             name="tpu_ops_plain", use_cross_replica_mean=False)
    np.testing.assert_allclose(out, (flat - flat.mean(0)) / flat.std(0), rtol=1e-3, atol=1e-4)
    shifted = gan.tpu.batch_norm(flat, True, beta_initializer="ones", gamma_initializer=tf.constant_initializer(2.0),
                                 variance_epsilon=0.0, name="tpu_ops_affine")
    np.testing.assert_allclose(shifted, 2.0 * (flat - flat.mean(0)) / flat.std(0) + 1.0, rtol=1e-3, atol=1e-3)


SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 4)
    import gan
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(4)])
    x = np.random.default_rng(2).normal(1.0, 2.0, size=(4, 5, 3)).astype("float32")  # one batch per replica
    values = strategy.experimental_distribute_values_from_function(
        lambda context: tf.constant(x[context.replica_id_in_sync_group]))
    def local(per_replica):
        return [t.numpy().tolist() for t in strategy.experimental_local_results(per_replica)]
    out = {"all": local(strategy.run(gan.tpu.cross_replica_mean, (values,))),
           "pairs": local(strategy.run(lambda v: gan.tpu.cross_replica_mean(v, group_size=2), (values,))),
           "moments": [local(m) for m in strategy.run(lambda v: gan.tpu.cross_replica_moments(v, [0]), (values,))],
           "serial": [local(m) for m in strategy.run(
               lambda v: gan.tpu.cross_replica_moments(v, [0], parallel=False, group_size=2), (values,))]}
    try:
        strategy.run(lambda v: gan.tpu.cross_replica_mean(v, group_size=3), (values,))
    except ValueError as error:
        out["error"] = str(error)
    json.dump(out, sys.stdout)
""")


@pytest.fixture(scope="module")
def mirrored():
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    x = np.random.default_rng(2).normal(1.0, 2.0, size=(4, 5, 3)).astype("float32")
    return json.loads(done.stdout), x


def test_mean_over_all_replicas_and_over_groups(mirrored):
    out, x = mirrored
    for replica in range(4):
        np.testing.assert_allclose(out["all"][replica], x.mean(0), rtol=1e-5)
        group = x[2 * (replica // 2):2 * (replica // 2) + 2]
        np.testing.assert_allclose(out["pairs"][replica], group.mean(0), rtol=1e-5)


def test_moments_span_the_replicas_of_each_group(mirrored):
    out, x = mirrored
    mean, variance = (np.asarray(m) for m in out["moments"])
    np.testing.assert_allclose(mean, np.broadcast_to(x.mean((0, 1)), (4, 3)), rtol=1e-5)
    np.testing.assert_allclose(variance, np.broadcast_to(x.var((0, 1)), (4, 3)), rtol=1e-4)
    serial_mean, serial_variance = (np.asarray(m) for m in out["serial"])
    for replica in range(4):
        group = x[2 * (replica // 2):2 * (replica // 2) + 2]
        np.testing.assert_allclose(serial_mean[replica], group.mean((0, 1)), rtol=1e-5)
        np.testing.assert_allclose(serial_variance[replica], group.var((0, 1)), rtol=1e-4)


def test_group_size_must_divide_the_replicas(mirrored):
    out, _ = mirrored
    assert out["error"] == "group_size=3 must divide the number of replicas, 4"
