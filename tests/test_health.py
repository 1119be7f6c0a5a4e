"""gan.health: each situation from GAN theory constructed, and the library saying so.

- a generator equal to the data: the discriminator sits at a coin flip, the monitor says converged;
- a discriminator that cannot see its input: the start-up check fails with its explanation;
- a confident discriminator: the minimax generator gradient vanishes, the stall hint appears;
- samples on a few modes or classes: the mode-collapse alarm;
- quality degrading after convergence: training stops, pointing to the best checkpoint;
- compare_losses with a tiny budget writes its tables and figures.
"""
import csv
import json
import math
import os
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from absl import flags

import gan
import gan.health as health
from experiments import compare_losses

NOISE = 2


def gaussian_pairs(n=2048, batch=64, seed=0, real_shift=0.0):
    """Noise and real data both ~ N(0, I) in 2-D (real data optionally shifted)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, NOISE)).astype("float32")
    x = (real_shift + rng.normal(size=(n, 2))).astype("float32")
    return lambda: tf.data.Dataset.from_tensor_slices((z, x)).repeat().batch(batch, drop_remainder=True)


def identity_generator(z):
    """G(z) = z: with z ~ N(0, I) its samples have exactly the data's distribution."""
    return keras.layers.Dense(2, kernel_initializer="identity", bias_initializer="zeros")(z)


def small_discriminator(x, z):
    return keras.layers.Dense(1)(keras.layers.Dense(16, activation="relu")(x))


def blind_discriminator(x, z):
    """Multiplies its input by 0, so it cannot see the data at all."""
    return keras.layers.Dense(1)(keras.layers.Dense(16, activation="relu")(x * 0.0))


def estimator(tmp_path, discriminator_fn=small_discriminator, **kwargs):
    keras.utils.set_random_seed(0)  # initial weights: each test sees the same networks every time
    options = dict(model_dir=str(tmp_path / "run"), loss="modified", log_every_steps=10, steps_per_execution=10,
                   generator_optimizer=keras.optimizers.SGD(0.0),  # the generator already equals the data
                   discriminator_optimizer=keras.optimizers.Adam(1e-3), seed=0)
    return gan.GANEstimator(identity_generator, discriminator_fn, **{**options, **kwargs})


def test_loss_family_reads_accuracy_for_probabilistic_and_gap_for_wasserstein_losses():
    expected = {"minimax": "probabilistic", "modified": "probabilistic", "least_squares": "probabilistic",
                "relativistic": "probabilistic", "wasserstein": "wasserstein", "wasserstein_hinge": "wasserstein"}
    assert {name: health.loss_family(name) for name in gan.losses.names()} == expected
    assert health.loss_family(gan.losses.LossPair(gan.losses.wargs.minimax_generator_loss,
                                                 gan.losses.wargs.wasserstein_discriminator_loss)) == "wasserstein"
    assert health.meaningful_signals("minimax") == ("discriminator_real_accuracy", "discriminator_generated_accuracy")
    assert health.meaningful_signals("wasserstein") == ("critic_gap",)

    def custom_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs):
        return tf.reduce_mean(discriminator_gen_outputs - discriminator_real_outputs)

    with pytest.raises(ValueError, match="pass family="):
        health.loss_family(custom_discriminator_loss)
    assert health.loss_family(custom_discriminator_loss, default="wasserstein") == "wasserstein"


def test_discriminator_accuracies_use_each_losses_decision_rule():
    real, gen = [0.9, 0.2, 0.6, 0.7], [0.1, 0.7, 0.3, 0.4]
    # least squares decides at 0.5 (halfway between labels 1 and 0): real 3/4 right, generated 3/4 right
    assert [float(a) for a in health.discriminator_accuracies(real, gen, "least_squares")] == [0.75, 0.75]
    # logit 0 would call every output "real": all real right, no generated right
    assert [float(a) for a in health.discriminator_accuracies(real, gen, "modified")] == [1.0, 0.0]
    # relativistic: real above mean(gen) = 0.375 (3 of 4), generated below mean(real) = 0.6 (3 of 4)
    assert [float(a) for a in health.discriminator_accuracies(real, gen, "relativistic")] == [0.75, 0.75]


def test_generator_equal_to_the_data_gives_coin_flip_accuracy_and_the_monitor_says_converged(tmp_path):
    est = estimator(tmp_path)
    result = health.preflight(est, gaussian_pairs(seed=1), steps=60, raise_on_failure=False)
    assert not result.passed and abs(result.accuracy - 0.5) < 0.15, result
    assert "preflight=False" in result.message  # an already-trained generator may skip the check

    events = []
    check = health.ConvergenceCheck("probabilistic", quality=lambda step, logs: 1.0, direction="min",
                                    window=5, patience=2)
    monitor = health.HealthMonitor([check], model_dir=est.model_dir, report=events.append)
    est.train(gaussian_pairs(), max_steps=100, hooks=[monitor], progress=False)

    accuracies = [health.balanced_accuracy(logs) for _, logs in monitor.history]
    assert len(accuracies) == 10 and abs(np.mean(accuracies) - 0.5) < 0.1, accuracies
    assert [e.kind for e in events] == ["converged"]
    assert "coin-flip accuracy" in events[0].message and "stopped improving" in events[0].message
    logged = [json.loads(line) for line in open(os.path.join(est.model_dir, "train_log.jsonl"))]
    assert [r["health/event"] for r in logged if "health/event" in r] == ["converged"]

    # The usual set for this estimator: probabilistic convergence, an inert stall check (modified loss), modes.
    usual = health.monitor_for(est, histogram=health.mixture_histogram("ring"), what="modes",
                               generator_inputs=np.zeros((50, NOISE), np.float32), every=100, report=None)
    usual(100, monitor.history[-1][1])
    assert usual.events == [] and usual.checks[0].family == "probabilistic" and not usual.checks[1].active
    assert usual.checks[2].coverage.samples == 0  # G(0) = 0 lies near no ring mode: no verdict


def test_a_discriminator_that_cannot_see_the_data_fails_the_start_up_check(tmp_path):
    est = estimator(tmp_path, blind_discriminator)
    with pytest.raises(health.PreflightError) as info:
        health.preflight(est, gaussian_pairs(real_shift=3.0), steps=30)
    message = str(info.value)
    assert "\n" not in message and "50%" in message
    for phrase in ("GAN training cannot start", "no useful direction", "[-1, 1]", "learning rate", "data pipeline"):
        assert phrase in message, phrase


def test_start_up_check_passes_when_separable_and_leaves_the_real_discriminator_untouched(tmp_path):
    est = estimator(tmp_path)
    pairs = gaussian_pairs(real_shift=3.0)  # real data 3 standard deviations off the generator's output
    est.networks.build(pairs().element_spec[0])
    before = [w.copy() for w in est.networks.discriminator.get_weights()]
    result = health.preflight(est, pairs)
    assert result.passed and result.accuracy > 0.75, result
    assert result.steps < 100  # clearly separable: it passed at an early held-out measurement
    assert all(np.array_equal(a, b) for a, b in zip(before, est.networks.discriminator.get_weights()))


@pytest.mark.parametrize("family", [dict(auxiliary_classes=10), dict(structured_codes=(10, 2))], ids=["acgan", "infogan"])
def test_start_up_check_of_a_family_with_auxiliary_heads_passes_without_keras_warnings(family):
    """The copy trains on the adversarial loss alone: its ACGAN / InfoGAN heads get no gradient, which is no fault
    of the user's run, so Keras' "Gradients do not exist" warning must not reach them."""
    keras.utils.set_random_seed(0)
    networks = gan.models.GANNetworks(*gan.networks.dcgan((8, 8, 1), base_filters=4, **family))
    codes = {"structured_codes": (10, 2)} if "structured_codes" in family else {"conditional": True}
    input_fn = gan.data.gan_input_fn("digits", 16, noise_dims=4, seed=0, **codes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = health.preflight(networks, input_fn, raise_on_failure=False)
    assert result.steps > 0
    assert not [w for w in caught if "Gradients do not exist" in str(w.message)]


def test_start_up_check_leaves_the_generators_batch_norm_statistics_untouched(tmp_path):
    """It trains the copy with the trainer's own discriminator update, the generator in inference mode."""
    def batch_norm_generator(z):
        return keras.layers.BatchNormalization()(keras.layers.Dense(2)(z))

    keras.utils.set_random_seed(0)
    est = gan.GANEstimator(batch_norm_generator, small_discriminator, model_dir=str(tmp_path / "run"))
    pairs = gaussian_pairs(real_shift=3.0)
    est.networks.build(pairs().element_spec[0])
    before = [w.copy() for w in est.networks.generator.get_weights()]
    assert health.preflight(est, pairs, steps=20).passed
    assert all(np.array_equal(a, b) for a, b in zip(before, est.networks.generator.get_weights()))


def _logit_gradient(loss_fn, logit):
    logits = tf.constant([[logit]])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = loss_fn(logits)
    return float(tf.abs(tape.gradient(loss, logits))[0, 0])


def test_minimax_generator_gradient_vanishes_at_a_confident_discriminator_and_the_hint_appears():
    minimax = _logit_gradient(gan.losses.wargs.minimax_generator_loss, -10.0)
    modified = _logit_gradient(gan.losses.wargs.modified_generator_loss, -10.0)
    assert minimax / modified < 1e-3  # orders of magnitude
    assert minimax / modified == pytest.approx(math.exp(-10.0), rel=1e-3)  # sigmoid(l) / sigmoid(-l) = e^l
    assert health.minimax_gradient_factor(-10.0) == pytest.approx(minimax / modified, rel=1e-3)

    early = {"discriminator_generated_accuracy": 0.7, "generated_score": -0.5, "generator_gradient_norm": 0.8}
    confident = {"discriminator_generated_accuracy": 1.0, "generated_score": -10.0,
                 "generator_gradient_norm": 0.8 * minimax / modified}
    for loss, expected in (("minimax", ["stall"]), ("modified", [])):
        events = []
        monitor = health.HealthMonitor([health.StallCheck(loss)], report=events.append)
        for step, logs in enumerate([early, confident, confident, confident, confident]):
            monitor(step * 100, logs)
        assert [e.kind for e in events] == expected
    monitor = health.HealthMonitor([health.StallCheck("minimax")], report=None)
    for step, logs in enumerate([early, confident, confident]):
        monitor(step * 100, logs)
    message = monitor.events[0].message
    assert monitor.events[0].step == 200 and "wins easily" in message and "saturates" in message
    assert "try loss='modified'" in message and "\n" not in message


def test_mode_collapse_alarm_on_constructed_samples():
    ring = gan.eval.MIXTURES["ring"]
    rng = np.random.default_rng(0)
    spread = np.repeat(ring.centers, 50, axis=0) + rng.normal(0, 0.005, size=(400, 2))
    two_modes = np.repeat(ring.centers[:2], 200, axis=0)
    untrained = rng.normal(0, 0.05, size=(400, 2))  # near no mode: no verdict, not an alarm
    histogram = health.mixture_histogram("ring")
    assert health.mode_collapse_message(histogram(spread), "modes") is None
    assert health.mode_collapse_message(histogram(untrained), "modes") is None
    message = health.mode_collapse_message(histogram(two_modes), "modes")
    assert message.startswith("mode collapse: generated samples cover only 2 of 8 modes")

    logits = np.full((100, 10), -5.0)
    logits[np.arange(100), np.where(np.arange(100) < 90, 3, np.arange(100) % 10)] = 5.0
    counts = health.class_histogram(logits, min_confidence=0.5)
    assert counts[3] == 91 and counts.sum() == 100
    message = health.mode_collapse_message(counts)
    assert "cover only 1 of 10 classes (91% of 100 recognised samples in class 3" in message

    samples = {"now": two_modes}
    check = health.ModeCollapseCheck(lambda: samples["now"], histogram, what="modes", every=100)
    assert [e.kind for e in check(100, {})] == ["mode_collapse"]
    assert check(150, {}) == [] and check(200, {}) == []  # not due at 150; raised once while it lasts
    samples["now"] = spread
    assert check(300, {}) == [] and check.coverage.covered == 8
    samples["now"] = two_modes
    assert [e.kind for e in check(400, {})] == ["mode_collapse"]  # re-armed after recovering


def test_quality_collapse_after_convergence_stops_training_and_points_to_the_best_checkpoint(tmp_path):
    model_dir = str(tmp_path)
    os.makedirs(os.path.join(model_dir, "best"))
    with open(os.path.join(model_dir, "best", "best.json"), "w") as f:
        json.dump({"step": 300, "metric": "fid", "value": 2.0}, f)
    check = health.ConvergenceCheck("wasserstein", quality="fid", window=3, patience=2, model_dir=model_dir)
    events = []
    monitor = health.HealthMonitor([check], model_dir=model_dir, stop_on_collapse=True, report=events.append)
    gaps = [0.5, 4.0, 3.0, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1]
    fids = [9.0, 5.0, 3.0, 2.0, 2.0, 2.01, 2.0, 3.0, 4.0]
    with pytest.raises(health.TrainingCollapsed) as info:
        for i, (gap, fid) in enumerate(zip(gaps, fids)):
            monitor(100 * (i + 1), {"critic_gap": gap, "eval/fid": fid})
    assert [(e.kind, e.step) for e in events] == [("converged", 600), ("collapsed", 900)]
    assert "critic gap" in events[0].message and "peak 4" in events[0].message
    message = str(info.value)
    assert info.value.step == 900 and "\n" not in message
    assert "fid is 4, 100% worse than the best 2 (step 400)" in message
    assert os.path.join(model_dir, "best") in message and "restore_checkpoint" in message
    assert "Training stopped" in message


def test_no_convergence_while_the_discriminator_still_separates_or_quality_improves():
    check = health.ConvergenceCheck("probabilistic", quality="fid", window=3, patience=2)
    separating = {"discriminator_real_accuracy": 0.9, "discriminator_generated_accuracy": 0.95}
    assert all(check(s, {**separating, "fid": 5.0}) == [] for s in range(10))
    check = health.ConvergenceCheck("probabilistic", quality="fid", window=3, patience=2)
    coin_flip = {"discriminator_real_accuracy": 0.55, "discriminator_generated_accuracy": 0.5}
    assert all(check(s, {**coin_flip, "fid": 10.0 - s}) == [] for s in range(8))  # still improving
    assert [e.kind for s in range(8, 11) for e in check(s, {**coin_flip, "fid": 3.0})] == ["converged"]


def test_eval_quality_runs_the_eval_hook_and_reads_its_metric(tmp_path):
    def eval_hook(step, logs):  # like gan.eval.EvalHook: results every 200 steps, None between
        return {"fid": 3.0, "kid": 0.1} if step % 200 == 0 else None

    quality = health.eval_quality(eval_hook, "fid")
    assert quality(100, {}) is None and quality(200, {}) == 3.0
    check = health.ConvergenceCheck("probabilistic", quality=quality)
    assert (check.metric, check.direction) == ("fid", "min")
    assert health.ConvergenceCheck("probabilistic", quality="modes").direction == "max"
    note = health.best_checkpoint_note(str(tmp_path), "fid")
    assert note.startswith("No best checkpoint was kept") and "best_metric='fid'" in note


def test_compare_losses_with_a_tiny_budget_writes_tables_and_figures(tmp_path):
    flag_values = flags.FlagValues()
    compare_losses.define_flags(flag_values)
    out = tmp_path / "compare"
    flag_values(["compare_losses", "--datasets=digits", "--losses=minimax", "--seeds=1", "--gradient_penalty=off",
                 "--max_steps=2", "--num_samples=100", "--nopreflight", f"--output_dir={out}",
                 f"--data_dir={tmp_path / 'data'}", f"--cache_dir={tmp_path / 'cache'}", "--classifier_epochs=1"])
    assert compare_losses.main(["compare_losses"], flag_values) == 0
    with open(out / "runs.csv") as f:
        runs = list(csv.DictReader(f))
    assert [(r["dataset"], r["loss"], r["gradient_penalty"], r["status"], r["steps"]) for r in runs] == [
        ("digits", "minimax", "0.0", "ok", "2")]
    assert float(runs[0]["fid"]) > 0 and 0 <= int(runs[0]["classes_covered"]) <= 10
    assert 0 <= float(runs[0]["discriminator_accuracy"]) <= 1 and runs[0]["critic_gap"] == ""  # minimax: accuracy
    with open(out / "summary.csv") as f:
        assert [(r["dataset"], r["runs"], r["failed"]) for r in csv.DictReader(f)] == [("digits", "1", "0")]
    assert "## digits" in (out / "summary.md").read_text()
    assert (out / "samples_minimax.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_losses_scores_2d_runs_and_tabulates_them(tmp_path):
    ring = gan.eval.MIXTURES["ring"]
    on_modes = np.repeat(ring.centers, 10, axis=0)
    scores = compare_losses._score(gan, "ring", on_modes, None)  # pylint: disable=protected-access
    assert scores == {"modes": 8, "high_quality": 1.0, "reverse_kl": 0.0}
    rows = [dict(dataset="ring", loss="wasserstein", gradient_penalty=0.1, seed=seed, status="ok", critic_gap=0.5,
                 steps_per_sec=100.0, **scores) for seed in (0, 1)]
    rows.append(dict(dataset="ring", loss="minimax", gradient_penalty=0.0, seed=0, status="non-finite"))
    summary = compare_losses.summarize(rows)
    assert [(e["loss"], e["runs"], e["failed"], e["modes_mean"]) for e in summary][0] == ("wasserstein", 2, 0, 8.0)
    assert math.isnan(summary[1]["modes_mean"]) and summary[1]["failed"] == 1
    plan = dict(datasets=["ring"], losses=["wasserstein", "minimax"], gradient_penalty=["off", "on"], max_steps=10,
                max_seconds=None, seeds=2, output_dir=str(tmp_path))
    compare_losses.write_markdown(tmp_path / "summary.md", summary, plan)
    markdown = (tmp_path / "summary.md").read_text()
    assert "| wasserstein | 0.1 | 8 ± 0 | 100% ± 0 | 0 ± 0 | - | 0.5 ± 0 | 0/2 | 0/2 | 100 ± 0 |" in markdown
    assert "| minimax | off | - | - | - | - | - | 0/1 | 1/1 | - |" in markdown
    paths = compare_losses.write_figures(gan, np, plan, {("ring", "wasserstein", "on"): on_modes})
    assert [os.path.basename(p) for p in paths] == ["samples_wasserstein.png", "samples_minimax.png"]


def test_compare_losses_rejects_unknown_values():
    flag_values = flags.FlagValues()
    compare_losses.define_flags(flag_values)
    flag_values(["compare_losses", "--datasets=ring,cifar"])
    with pytest.raises(ValueError, match="accepted: ring, grid, digits"):
        compare_losses.main(["compare_losses"], flag_values)


def test_a_critic_gap_near_zero_alone_is_not_called_convergence():
    check = health.ConvergenceCheck("wasserstein", quality=None, window=3)
    events = []
    for step, gap in enumerate([2.0, 1.5, 0.01, 0.01, 0.01, 0.01, 0.01], start=1):
        events += check(step, {"critic_gap": gap})
    assert events == [] and check.converged_step is None


def test_compare_losses_builds_each_run_from_gan_trains_defaults():
    """One route: the comparison's runs are gan-train's runs with only the loss and penalty changed."""
    from experiments import common  # pylint: disable=import-outside-toplevel

    plan = dict(max_steps=10, data_dir=None, discriminator_steps=None)
    for dataset in ("digits", "grid", "ring"):
        config = compare_losses.run_config(plan, dataset, "minimax", 0.0, 3)
        defaults = common.dataset_defaults(dataset)
        assert (config["loss"], config["gradient_penalty_weight"], config["seed"]) == ("minimax", 0.0, 3)
        for key in ("conditional", "generator_ema_decay", "lr_half_life", "generator_lr", "mixed_precision",
                    "discriminator_steps", "architecture"):
            assert config[key] == defaults[key], (dataset, key)
    assert compare_losses.run_config({**plan, "discriminator_steps": 7}, "ring", "minimax", 0.0, 0)[
        "discriminator_steps"] == 7


def test_training_with_the_start_up_check_calls_input_fn_once(tmp_path):
    """The check reads its own iterator over the training dataset instead of building the data again."""
    est, pairs, calls = estimator(tmp_path), gaussian_pairs(real_shift=3.0), []

    def input_fn():
        calls.append(1)
        return pairs()

    est.train(input_fn, max_steps=10, preflight=True, progress=False)
    assert est.global_step == 10 and len(calls) == 1
