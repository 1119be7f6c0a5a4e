"""Training scenarios for tests/test_distribute.py, each run in its own process.

TensorFlow fixes its devices (logical CPUs, multi-worker collectives) when it starts, so
every scenario is a fresh interpreter that writes its measurements to a JSON file:

    python tests/distribute_scenarios.py mirrored OUT.json
    python tests/distribute_scenarios.py cli_mirrored MODEL_DIR OUT.json
    python tests/distribute_scenarios.py worker INDEX PORT0,PORT1 MODEL_DIR OUT.json
    python tests/distribute_scenarios.py resume MODEL_DIR CHIEF.json OUT.json
    python tests/distribute_scenarios.py failures OUT.json
    python tests/distribute_scenarios.py resume MODEL_DIR CHIEF.json OUT.json + failures OUT2.json   # one start-up
"""
import json
import os
import sys
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

import gan
from gan.distribute import make_strategy, sync_batch_normalization
from gan.models import GANNetworks

NOISE, BATCH, ROUNDS = 4, 8, 4
TRAIN_STEPS = gan.GANTrainSteps(generator_train_steps=1, discriminator_train_steps=1)


def make_networks(batch_norm=None):
    """Tiny MLPs with seeded initialisers, so every run starts from the same weights.

    Batch norm, when asked for, sits in the generator only: in a Wasserstein critic it
    would centre real and generated scores alike and zero the loss.
    """
    def dense(units, seed, activation=None):
        return keras.layers.Dense(units, activation=activation,
                                  kernel_initializer=keras.initializers.GlorotUniform(seed=seed))

    def generator_fn(z):
        h = dense(16, 1, "relu")(z)
        if batch_norm:
            h = (sync_batch_normalization() if batch_norm == "sync" else keras.layers.BatchNormalization())(h)
        return dense(2, 2)(h)

    def discriminator_fn(x, z):
        return dense(1, 4)(dense(16, 3, "tanh")(x))

    return generator_fn, discriminator_fn


def input_fn():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(8 * BATCH, NOISE)).astype("float32")
    angles = rng.uniform(0, 2 * np.pi, size=8 * BATCH)
    x = np.stack([np.cos(angles), np.sin(angles)], 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices((z, x)).repeat().batch(BATCH, drop_remainder=True)


def noise_fn():
    return tf.data.Dataset.from_tensor_slices(np.linspace(-1, 1, 6 * NOISE, dtype="float32").reshape(6, NOISE)).batch(3)


def estimator(model_dir, strategy, batch_norm=None, learning_rate=0.1, **kwargs):
    # Plain SGD: unlike Adam it is not scale invariant, so a wrongly scaled gradient shows.
    optimizers = {f"{role}_optimizer": lambda: keras.optimizers.SGD(learning_rate)
                  for role in ("generator", "discriminator")}
    return gan.GANEstimator(*make_networks(batch_norm), model_dir=model_dir, strategy=strategy, seed=0,
                            train_steps=TRAIN_STEPS, add_summaries=None, log_every_steps=1,
                            save_checkpoints_steps=1000, **{**optimizers, **kwargs})


def train(est, rounds=ROUNDS):
    history = []
    est.train(input_fn, max_steps=est.global_step + rounds, progress=False,
              hooks=[lambda step, logs: history.append(logs)])
    return [{k: logs[k] for k in logs if k.endswith("loss") or k == "gradient_penalty"} for logs in history]


def weights(est):
    return [w for m in (est.networks.generator, est.networks.discriminator) for w in m.get_weights()]


def replica_spread(est, trainable=True):
    """Largest difference between the per-device copies of any (non-)trainable variable."""
    spread = 0.0
    for model in (est.networks.generator, est.networks.discriminator):
        for v in model.trainable_weights if trainable else model.non_trainable_weights:
            copies = [c.numpy() for c in getattr(v.value, "values", [v.value])]
            spread = max([spread] + [float(np.max(np.abs(c - copies[0]))) for c in copies])
    return spread


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b))


def loss_diff(a, b):
    assert len(a) == len(b) and a[0].keys() == b[0].keys(), (a, b)
    return max(abs(x[k] - y[k]) for x, y in zip(a, b) for k in x)


def write(out, results):
    with open(out, "w") as f:
        json.dump(results, f)


def mirrored(out):
    """One device vs MirroredStrategy over 2 logical CPUs, same global batch and data."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    one = make_strategy("one_device", devices=["/cpu:0"])
    two = make_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    results = {"replicas": two.num_replicas_in_sync}
    try:
        estimator(tempfile.mkdtemp(), two, jit_compile=True)
        results["jit_error"] = None
    except ValueError as error:
        results["jit_error"] = str(error)
    variants = {  # name: (batch_norm of the mirrored run, of the one-device run, estimator kwargs)
        "plain": (None, None, {}),
        "sync_batch_norm": ("sync", "plain", {}),
        # A smaller step keeps the penalised run out of chaos, where any difference would grow.
        "penalty_batch_norm": ("plain", "plain", {"gradient_penalty_weight": 10.0, "learning_rate": 0.02}),
    }
    for name, (batch_norm, single_batch_norm, kwargs) in variants.items():
        began = time.time()
        single = estimator(tempfile.mkdtemp(), one, single_batch_norm, **kwargs)
        single_losses = train(single)
        single_weights = weights(single)
        est = estimator(tempfile.mkdtemp(), two, batch_norm, **kwargs)
        losses = train(est)
        initial = GANNetworks(*make_networks(batch_norm))
        initial.build(tf.TensorSpec([None, NOISE]))
        results[name] = {
            "loss_diff": loss_diff(losses, single_losses),
            "weight_diff": max_diff(weights(est), single_weights),
            "moved": max_diff(single_weights, initial.generator.get_weights() + initial.discriminator.get_weights()),
            "replica_spread": replica_spread(est),
            "non_trainable_replica_spread": replica_spread(est, trainable=False),
            "losses": losses, "single_losses": single_losses, "seconds": time.time() - began,
        }
        if name == "plain":
            evaluated, single_evaluated = est.evaluate(input_fn, steps=2), single.evaluate(input_fn, steps=2)
            results[name]["evaluate_diff"] = max(abs(evaluated[k] - single_evaluated[k]) for k in single_evaluated)
            results[name]["predict_diff"] = max_diff(list(est.predict(noise_fn)), list(single.predict(noise_fn)))
            results[name]["single_weights"] = [w.tolist() for w in single_weights]
            single_weights_plain = single_weights
    # The user's own optimizers, made before (outside) the strategy's scope, as gan-train does.
    own = estimator(tempfile.mkdtemp(), two, generator_optimizer=keras.optimizers.SGD(0.1),
                    discriminator_optimizer=keras.optimizers.SGD(0.1))
    results["own_optimizers"] = {"loss_diff": loss_diff(train(own), results["plain"]["single_losses"]),
                                 "weight_diff": max_diff(weights(own), single_weights_plain)}
    used = keras.optimizers.SGD(0.1)
    used.apply_gradients([(tf.constant(1.0), keras.Variable(0.0))])
    try:
        estimator(tempfile.mkdtemp(), two, generator_optimizer=used).train(input_fn, max_steps=1, progress=False)
        results["used_optimizer_error"] = None
    except ValueError as error:
        results["used_optimizer_error"] = str(error)
    bf16 = estimator(tempfile.mkdtemp(), two, mixed_precision="mixed_bfloat16")
    results["mixed_bfloat16_losses"] = train(bf16)
    results["mixed_bfloat16_replica_spread"] = replica_spread(bf16)
    write(out, results)


def cli_mirrored(model_dir, out):
    """`gan-train --strategy=mirrored` over 2 logical CPUs (its optimizers are made outside the scope), on
    `digits`, whose defaults turn XLA on: it gives way, as XLA cannot compile across CPU replicas."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from gan.cli import train as gan_train  # pylint: disable=import-outside-toplevel

    sys.argv = ["gan-train", "--strategy=mirrored", "--dataset=digits", f"--model_dir={model_dir}",
                "--max_steps=4", "--batch_size=8", "--save_every=2", "--sample_every=2", "--log_every=2",
                "--steps_per_execution=1", "--noise_dims=4", "--base_filters=4", "--nopreflight", "--nohealth"]
    try:
        gan_train.run()
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    # A run refused before it started has no run.json: the status then tells the test why.
    manifest = os.path.join(model_dir, "run.json")
    recorded = json.load(open(manifest))["config"] if os.path.isfile(manifest) else {}
    write(out, {"status": status, "checkpoint": tf.train.latest_checkpoint(model_dir),
                "jit_compile": recorded.get("jit_compile")})


def worker(index, ports, model_dir, out):
    """One of two MultiWorkerMirroredStrategy workers on localhost."""
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": [f"localhost:{p}" for p in ports.split(",")]},
                                          "task": {"type": "worker", "index": int(index)}})
    strategy = make_strategy("multi_worker")
    est = estimator(model_dir, strategy)
    losses = train(est)
    write(out, {"replicas": strategy.num_replicas_in_sync, "is_chief": est.is_chief, "losses": losses,
                "global_step": est.global_step, "weights": [w.tolist() for w in weights(est)]})


def resume(model_dir, chief_json, out):
    """A single-process run restores the chief's checkpoint and trains on."""
    with open(chief_json) as f:
        chief = json.load(f)
    est = estimator(model_dir, None)
    restored_step, restored = est.global_step, weights(est)
    train(est, rounds=2)
    write(out, {"restored_step": restored_step, "final_step": est.global_step,
                "restored_diff": max_diff(restored, chief["weights"])})


def failures(out):
    """Strategies that cannot be made fail fast with one line: a multi-worker strategy asked
    for after TensorFlow started, a TPU where none is reachable (run this last: it
    initialises TensorFlow's TPU system)."""
    tf.constant(0.0).numpy()  # TensorFlow has started
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": ["localhost:1", "localhost:2"]},
                                          "task": {"type": "worker", "index": 0}})
    try:
        make_strategy("multi_worker")
        results = {"late_multi_worker": {"error": None}}
    except RuntimeError as e:
        results = {"late_multi_worker": {"error": str(e)}}
    del os.environ["TF_CONFIG"]
    for address in ("grpc://127.0.0.1:1", "local"):
        began = time.time()
        try:
            make_strategy("tpu", tpu=address, tpu_connect_timeout=2.0)
            results[address] = {"error": None}
        except (RuntimeError, ValueError) as e:
            results[address] = {"error": str(e), "type": type(e).__name__}
        results[address]["seconds"] = time.time() - began
    write(out, results)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    while arguments:  # commands separated by '+' share one start-up
        command = arguments[:arguments.index("+")] if "+" in arguments else arguments
        arguments = arguments[len(command) + 1:]
        {"mirrored": mirrored, "cli_mirrored": cli_mirrored, "worker": worker, "resume": resume, "failures": failures}[command[0]](*command[1:])
