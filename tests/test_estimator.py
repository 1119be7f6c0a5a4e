"""GANEstimator: resume, export, conditioning, mode, summaries, NaN guard, bad input."""
import glob
import io
import json
import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan.estimator import IncompatibleCheckpointError, NonFiniteError

NOISE = 4


def generator_fn(z):
    h = keras.layers.Dense(16, activation="relu")(z)
    h = keras.layers.BatchNormalization()(h)
    return keras.layers.Dense(2)(h)


def discriminator_fn(x, z):
    return keras.layers.Dense(1)(keras.layers.Dense(16, activation="relu")(x))


def pairs(n=64, batch=16, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, NOISE)).astype("float32")
    x = rng.normal(1.0, 0.1, size=(n, 2)).astype("float32")
    return lambda: tf.data.Dataset.from_tensor_slices((z, x)).repeat().batch(batch, drop_remainder=True)


def noise(n=10, seed=1):
    z = np.random.default_rng(seed).normal(size=(n, NOISE)).astype("float32")
    return lambda: tf.data.Dataset.from_tensor_slices(z).batch(4)


def estimator(model_dir, **kwargs):
    kwargs.setdefault("save_checkpoints_steps", 10)
    kwargs.setdefault("log_every_steps", 5)
    return gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(model_dir), seed=0, **kwargs)


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("run")
    estimator(model_dir).train(pairs(), max_steps=20, progress=False)
    return model_dir


def test_resume_predicts_identically_and_continues(trained_dir, tmp_path):
    trained_dir = shutil.copytree(trained_dir, tmp_path / "copy")
    first = estimator(trained_dir)
    assert first.global_step == 20
    expected = np.stack(list(first.predict(noise())))
    again = estimator(trained_dir)
    np.testing.assert_array_equal(np.stack(list(again.predict(noise()))), expected)
    again.train(pairs(), max_steps=40, progress=False)
    assert again.global_step == 40
    assert estimator(trained_dir).global_step == 40
    # max_steps already reached: nothing more is done.
    again.train(pairs(), max_steps=40, progress=False)
    assert again.global_step == 40


def test_a_run_recorded_before_the_manifest_held_its_inputs_still_restores(trained_dir, tmp_path):
    old_run = shutil.copytree(trained_dir, tmp_path / "old")
    recorded = json.loads((old_run / "run.json").read_text())
    (old_run / "gan_spec.json").write_text(json.dumps({"generator_inputs": recorded.pop("generator_inputs")}))
    (old_run / "run.json").unlink()
    expected = np.stack(list(estimator(trained_dir).predict(noise())))
    restored = estimator(old_run)
    assert restored.global_step == 20
    np.testing.assert_array_equal(np.stack(list(restored.predict(noise()))), expected)


def test_steps_counts_from_current_step(tmp_path):
    est = estimator(tmp_path)
    est.train(pairs(), steps=3, progress=False)
    est.train(pairs(), steps=4, progress=False)
    assert est.global_step == 7


def test_checkpoints_and_logs_written(trained_dir):
    names = os.listdir(trained_dir)
    assert "checkpoint" in names and "run.json" in names  # the one manifest holds the generator inputs
    assert glob.glob(str(trained_dir / "events.out.tfevents.*"))
    records = [json.loads(line) for line in open(trained_dir / "train_log.jsonl")]
    assert [r["step"] for r in records][:4] == [5, 10, 15, 20]
    assert {"generator_loss", "discriminator_loss", "critic_gap", "steps_per_sec"} <= set(records[0])


def test_export_serves_the_same_samples_as_predict(trained_dir, tmp_path):
    est = estimator(trained_dir)
    expected = np.stack(list(est.predict(noise())))
    exported = tf.saved_model.load(est.export(str(tmp_path / "export")))
    z = np.concatenate(list(noise()().as_numpy_iterator()))
    served = exported.signatures["serving_default"](generator_inputs=tf.constant(z))["samples"]
    np.testing.assert_allclose(served.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_predict_accepts_training_pairs(trained_dir):
    est = estimator(trained_dir)
    samples = list(est.predict(lambda: pairs(n=32)().take(2)))
    assert len(samples) == 32 and samples[0].shape == (2,)


def test_batch_norm_uses_moving_statistics_when_predicting(trained_dir):
    est = estimator(trained_dir)
    z = tf.random.normal([8, NOISE])
    single = np.stack([est.networks.generate(z[i:i + 1]).numpy()[0] for i in range(8)])
    np.testing.assert_allclose(est.networks.generate(z).numpy(), single, rtol=1e-4, atol=1e-5)
    assert not np.allclose(est.networks.generate(z, training=True).numpy(), single, atol=1e-3)


def test_evaluate_returns_floats(trained_dir):
    results = estimator(trained_dir).evaluate(pairs(), steps=2)
    assert results["global_step"] == 20
    assert all(isinstance(v, float) for k, v in results.items() if k != "global_step")
    assert {"generator_loss", "discriminator_loss"} <= set(results)


def test_conditional_tuple_inputs_reach_both_networks(tmp_path):
    seen = {}

    def cond_generator(inputs):
        z, labels = inputs
        seen["generator"] = labels.shape
        return keras.layers.Dense(2)(keras.layers.Concatenate()([z, labels]))

    def cond_discriminator(x, inputs):
        z, labels = inputs
        seen["discriminator"] = labels.shape
        return keras.layers.Dense(1)(keras.layers.Concatenate()([x, labels]))

    z = np.zeros((32, NOISE), "float32")
    labels = np.eye(3, dtype="float32")[np.arange(32) % 3]
    x = np.ones((32, 2), "float32")
    data = lambda: tf.data.Dataset.from_tensor_slices(((z, labels), x)).repeat().batch(8)
    est = gan.GANEstimator(cond_generator, cond_discriminator, model_dir=str(tmp_path))
    est.train(data, max_steps=3, progress=False)
    assert seen == {"generator": (None, 3), "discriminator": (None, 3)}
    samples = list(est.predict(lambda: tf.data.Dataset.from_tensor_slices((z[:4], labels[:4])).batch(2)))
    assert len(samples) == 4
    exported = tf.saved_model.load(est.export(str(tmp_path / "export")))
    out = exported.signatures["serving_default"](generator_inputs_0=z[:2], generator_inputs_1=labels[:2])
    assert out["samples"].shape == (2, 2)


def test_mode_argument_is_passed(tmp_path):
    modes = []

    def mode_generator(z, mode):
        modes.append(mode)
        return keras.layers.Dense(2)(z)

    est = gan.GANEstimator(mode_generator, discriminator_fn, model_dir=str(tmp_path))
    est.train(pairs(), max_steps=2, progress=False)
    list(est.predict(noise()))
    assert modes == ["train", "predict"]
    z = tf.ones([3, NOISE])
    np.testing.assert_allclose(est.networks.generate(z, mode="predict"), est.networks.generator(z))


def test_one_call_of_several_rounds_runs_every_round(tmp_path):
    est = estimator(tmp_path, steps_per_execution=4, train_steps=gan.GANTrainSteps(1, 2))
    est.train(pairs(), max_steps=8, progress=False)
    g_opt, d_opt = est._trainer.generator_optimizer, est._trainer.discriminator_optimizer
    assert est.global_step == 8 and int(g_opt.iterations) == 8 and int(d_opt.iterations) == 16


def test_a_users_loss_that_branches_on_tensors_trains_and_evaluates(tmp_path):
    def branching_generator_loss(discriminator_gen_outputs):
        mean = tf.reduce_mean(discriminator_gen_outputs)
        if mean > 1e6:  # Python `if` on a tensor: traced only with AutoGraph
            return tf.zeros_like(mean)
        return -mean

    est = estimator(tmp_path, generator_loss_fn=branching_generator_loss)
    results = est.train(pairs(), max_steps=2, progress=False).evaluate(pairs(), steps=1)
    assert np.isfinite(results["generator_loss"])


def test_registered_user_loss_works_by_name(tmp_path, monkeypatch):
    calls = []

    def my_generator_loss(discriminator_gen_outputs):
        calls.append("g")
        return -tf.reduce_mean(discriminator_gen_outputs)

    def my_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs):
        calls.append("d")
        return tf.reduce_mean(discriminator_gen_outputs) - tf.reduce_mean(discriminator_real_outputs)

    monkeypatch.setattr(gan.losses.registry, "_REGISTRY", dict(gan.losses.registry._REGISTRY))  # keep it local
    gan.losses.register("my_test_loss", my_generator_loss, my_discriminator_loss)
    gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(tmp_path), loss="my_test_loss").train(
        pairs(), max_steps=1, progress=False)
    assert {"g", "d"} <= set(calls)


def test_non_finite_loss_is_never_saved(tmp_path):
    est = estimator(tmp_path, save_checkpoints_steps=5,
                    discriminator_optimizer=keras.optimizers.SGD(1e3), generator_optimizer=keras.optimizers.SGD(1e3),
                    loss="least_squares")
    with pytest.raises(NonFiniteError, match=r"step \d+: the (generator|discriminator)"):
        est.train(pairs(), max_steps=200, progress=False)
    latest = tf.train.latest_checkpoint(str(tmp_path))
    if latest is not None:  # whatever was saved before the blow-up holds only finite numbers
        reader = tf.train.load_checkpoint(latest)
        for name in reader.get_variable_to_shape_map():
            value = reader.get_tensor(name)
            if np.issubdtype(np.asarray(value).dtype, np.floating):
                assert np.all(np.isfinite(value)), name


def test_incompatible_model_dir_is_refused(trained_dir):
    def wider_generator(z):
        return keras.layers.Dense(2)(keras.layers.Dense(32)(z))

    before = sorted(os.listdir(trained_dir))
    with pytest.raises(IncompatibleCheckpointError, match="does not match"):
        gan.GANEstimator(wider_generator, discriminator_fn, model_dir=str(trained_dir))
    assert sorted(os.listdir(trained_dir)) == before


@pytest.mark.parametrize("kwargs,match", [
    ({"loss": "nope"}, "registered losses"),
    ({"train_steps": gan.GANTrainSteps(1, 0)}, "positive integer"),
    ({"save_checkpoints_steps": 0}, "positive integer"),
    ({"add_summaries": "images"}, "SummaryType"),
])
def test_bad_arguments_raise_one_line_errors(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(tmp_path), **kwargs).train(
            pairs(), max_steps=1, progress=False)
    assert "\n" not in str(info.value)


def test_model_dir_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(path))


class CountingMetrics:
    """A minimal eval_metrics object: mean distance of generated points to real ones."""

    def reset_state(self):
        self.batches, self.sizes = 0, []

    def update_state(self, real_data, generated_data, generator_inputs):
        self.batches += 1
        self.sizes.append((real_data.shape, generated_data.shape, generator_inputs.shape))

    def result(self):
        return {"batches_seen": self.batches}


def test_evaluate_feeds_eval_metrics(trained_dir):
    metrics = CountingMetrics()
    results = estimator(trained_dir, eval_metrics=metrics).evaluate(pairs(), steps=3)
    assert results["batches_seen"] == 3.0
    assert metrics.sizes[0] == ((16, 2), (16, 2), (16, NOISE))


def test_save_and_restore_a_separate_checkpoint(trained_dir, tmp_path):
    run = shutil.copytree(trained_dir, tmp_path / "run")
    est = estimator(run)
    best = est.save_checkpoint(str(tmp_path / "best"))
    expected = np.stack(list(est.predict(noise())))
    est.train(pairs(), steps=5, progress=False)
    assert not np.allclose(np.stack(list(est.predict(noise()))), expected)
    assert est.restore_checkpoint(str(tmp_path / "best")) == best
    np.testing.assert_array_equal(np.stack(list(est.predict(noise()))), expected)


def test_generator_ema_is_checkpointed_and_used_for_samples(tmp_path):
    est = estimator(tmp_path, generator_ema_decay=0.5)
    est.train(pairs(), max_steps=10, progress=False)
    z = next(iter(noise()()))
    from_ema = est.generate(z).numpy()
    assert not np.allclose(from_ema, est.networks.generate(z).numpy())
    resumed = estimator(tmp_path, generator_ema_decay=0.5)
    np.testing.assert_array_equal(resumed.generate(z).numpy(), from_ema)
    np.testing.assert_array_equal(np.stack(list(resumed.predict(noise())))[:4], from_ema)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_builds_low_precision_layers_and_float32_losses(tmp_path, policy):
    est = estimator(tmp_path, mixed_precision=policy)
    est.train(pairs(), max_steps=2, progress=False)
    assert keras.config.dtype_policy().name == "float32"
    dense = [layer for layer in est.networks.generator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense[0].compute_dtype == policy.split("_")[1] and dense[0].variable_dtype == "float32"
    record = json.loads(open(tmp_path / "train_log.jsonl").readline())
    assert np.isfinite(record["generator_loss"]) and np.isfinite(record["discriminator_loss"])
    if policy == "mixed_float16":
        assert isinstance(est._trainer.generator_optimizer, keras.optimizers.LossScaleOptimizer)


@pytest.mark.parametrize("native", [True, False])
def test_auto_mixed_precision_uses_bfloat16_only_where_native(tmp_path, monkeypatch, native):
    monkeypatch.setattr(gan.estimator, "native_bfloat16", lambda: native)
    est = estimator(tmp_path, mixed_precision="auto")
    est.train(pairs(), max_steps=1, progress=False)
    dense = [layer for layer in est.networks.generator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense[0].compute_dtype == ("bfloat16" if native else "float32")


def test_native_bfloat16_reads_the_cpu_flags(monkeypatch):
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    cpuinfo = "flags\t\t: fpu avx2 avx512f avx512_bf16\n"
    monkeypatch.setattr("builtins.open", lambda *args, **kwargs: io.StringIO(cpuinfo))
    assert gan.estimator.native_bfloat16()
    cpuinfo = "flags\t\t: fpu avx2 avx512f\n"
    assert not gan.estimator.native_bfloat16()


def test_unknown_mixed_precision_policy_is_refused(tmp_path):
    with pytest.raises(ValueError, match="mixed_bfloat16"):
        estimator(tmp_path, mixed_precision="bf16")


def test_preflight_refuses_a_blind_discriminator_before_writing(tmp_path):
    def blind_discriminator(x, z):  # sees only the noise, never the data
        return keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(z))

    est = gan.GANEstimator(generator_fn, blind_discriminator, model_dir=str(tmp_path / "run"))
    with pytest.raises(gan.health.PreflightError, match="cannot"):
        est.train(pairs(), max_steps=5, progress=False, preflight=True)
    assert not os.path.exists(tmp_path / "run" / "checkpoint")


def test_interrupted_training_keeps_its_progress(tmp_path):
    def interrupt(step, logs):
        if step == 15:
            raise KeyboardInterrupt

    est = estimator(tmp_path, save_checkpoints_steps=100)
    with pytest.raises(KeyboardInterrupt):
        est.train(pairs(), max_steps=50, hooks=[interrupt], progress=False)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-15")
    assert estimator(tmp_path).global_step == 15


def test_request_stop_ends_training_at_the_next_round_with_a_save(tmp_path):
    """What gan-train's SIGTERM / SIGINT handler calls: no exception is raised inside the handler."""
    est = estimator(tmp_path, save_checkpoints_steps=100, log_every_steps=5)

    def ask_to_stop(step, logs):
        if step == 10:
            est.request_stop()

    with pytest.raises(KeyboardInterrupt):
        est.train(pairs(), max_steps=50, hooks=[ask_to_stop], progress=False)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-10")
    est.train(pairs(), max_steps=20, progress=False)  # the request was used up: training resumes
    assert est.global_step == 20


def test_a_failed_save_keeps_older_checkpoints_and_leaves_no_temp_files(trained_dir, tmp_path, monkeypatch):
    model_dir = tmp_path / "disk_full"
    shutil.copytree(trained_dir, model_dir)
    before = {p.name: p.read_bytes() for p in model_dir.glob("ckpt-*")}
    est = estimator(str(model_dir))
    start = est.global_step

    def full_disk(self, checkpoint_number=None, **unused):
        os.makedirs(os.path.join(self.directory, f"ckpt-{checkpoint_number}_temp"), exist_ok=True)  # as SaveV2 leaves
        raise tf.errors.ResourceExhaustedError(None, None, "No space left on device [Op:SaveV2]")

    monkeypatch.setattr(tf.train.CheckpointManager, "save", full_disk)
    with pytest.raises(gan.CheckpointWriteError, match="No space left on device.*older checkpoints are intact"):
        est.train(pairs(), max_steps=start + 10, progress=False)
    assert {p.name: p.read_bytes() for p in model_dir.glob("ckpt-*")} == before
    assert not list(model_dir.glob("*_temp*"))


def test_the_log_survives_a_torn_last_line(tmp_path):
    gan.summaries.append_log(str(tmp_path), {"step": 1})
    with open(tmp_path / gan.summaries.LOG_FILE, "a") as f:
        f.write('{"step": 2, "gene')  # a writer killed mid-line
    assert gan.summaries.read_log(str(tmp_path)) == [{"step": 1}]
    gan.summaries.append_log(str(tmp_path), {"step": 3})
    assert gan.summaries.read_log(str(tmp_path)) == [{"step": 1}, {"step": 3}]
