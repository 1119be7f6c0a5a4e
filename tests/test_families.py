"""The model families ACGAN and InfoGAN: networks' heads, loss terms against their formulas,
the code-accuracy metric, every family's flag mistakes, and `gan-train --model=...` end to end (train, resume, generate with
the family's flags, evaluate) on the embedded digits with tiny networks."""
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan import loss_stage
from gan.cli import common
from gan.models import GANNetworks
from gan.train import GANTrainer
from programs import run_program, succeeded

TINY = ["--max_steps=4", "--batch_size=8", "--save_every=2", "--sample_every=2", "--log_every=2",
        "--steps_per_execution=1", "--noise_dims=4", "--base_filters=4", "--nopreflight", "--nohealth"]


def _networks(**family):
    pair = gan.networks.dcgan((8, 8, 1), base_filters=4, **family)
    return GANNetworks(*pair)


def test_acgan_heads_and_loss_terms_equal_their_formulas():
    keras.utils.set_random_seed(0)
    nets = _networks(auxiliary_classes=10)
    noise, labels = tf.random.normal([6, 4]), tf.one_hot([0, 1, 2, 3, 4, 5], 10)
    nets.build((tf.TensorSpec([None, 4]), tf.TensorSpec([None, 10])))
    real = tf.random.uniform([6, 8, 8, 1], -1, 1)
    config = loss_stage.LossConfig(gan.losses.wasserstein_generator_loss, gan.losses.wasserstein_discriminator_loss,
                                   aux_cond_generator_weight=0.5, aux_cond_discriminator_weight=2.0)
    trainer = GANTrainer(nets, config, keras.optimizers.Adam(), keras.optimizers.Adam(), model_kind="acgan")
    model = trainer.model((noise, labels), real)
    assert isinstance(model, gan.ACGANModel) and model.discriminator_gen_outputs.shape == (6, 1)
    d_total, d_logs = loss_stage.discriminator_terms(model, config)
    g_total, g_logs = loss_stage.generator_terms(model, config)

    def cross_entropy(logits):
        return float(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels, logits)))

    real_ce = cross_entropy(model.discriminator_real_classification_logits)
    gen_ce = cross_entropy(model.discriminator_gen_classification_logits)
    # Odena et al. 2017: the discriminator's class loss covers real and generated data, the generator's its own.
    np.testing.assert_allclose(float(d_logs["aux_cond_discriminator_loss"]), real_ce + gen_ce, rtol=1e-5)
    np.testing.assert_allclose(float(g_logs["aux_cond_generator_loss"]), gen_ce, rtol=1e-5)
    wasserstein = float(tf.reduce_mean(model.discriminator_gen_outputs) - tf.reduce_mean(
        model.discriminator_real_outputs))
    np.testing.assert_allclose(float(d_total), wasserstein + 2.0 * (real_ce + gen_ce), rtol=1e-5)
    np.testing.assert_allclose(float(g_total), -float(tf.reduce_mean(model.discriminator_gen_outputs)) + 0.5 * gen_ce,
                               rtol=1e-5)


def test_infogan_penalty_equals_its_formula_inside_a_compiled_step():
    keras.utils.set_random_seed(0)
    nets = _networks(structured_codes=(10, 2))
    nets.build((tf.TensorSpec([None, 4]), tf.TensorSpec([None, 10]), tf.TensorSpec([None, 2])))
    inputs = (tf.random.normal([6, 4]), tf.one_hot([0, 1, 2, 3, 4, 9], 10), tf.random.uniform([6, 2], -1, 1))
    real = tf.random.uniform([6, 8, 8, 1], -1, 1)
    config = loss_stage.LossConfig(gan.losses.wasserstein_generator_loss, gan.losses.wasserstein_discriminator_loss,
                                   mutual_information_penalty_weight=1.0)
    trainer = GANTrainer(nets, config, keras.optimizers.Adam(), keras.optimizers.Adam(), model_kind="infogan",
                         num_structured=2)

    @tf.function  # the codes' values are unknown while tracing: one-hot must still be told from continuous
    def penalty(inputs, real):
        model = trainer.model(inputs, real)
        return loss_stage.generator_terms(model, config)[1]["mutual_information_penalty"]

    value = penalty(inputs, real)
    generated = nets.generate(inputs, training=True)
    _, (categorical_logits, continuous_mean) = nets.discriminate(generated, inputs, training=True)
    categorical = tf.reduce_mean(tf.reduce_sum(inputs[1] * tf.nn.log_softmax(categorical_logits), -1))
    continuous = tf.reduce_mean(-0.5 * tf.square(inputs[2] - continuous_mean) - 0.5 * np.log(2 * np.pi))
    # TF-GAN's reduction (SUM_BY_NONZERO_WEIGHTS) averages the codes' mean log-likelihoods.
    np.testing.assert_allclose(float(value), -float(categorical + continuous) / 2, rtol=1e-4)
    # Per-code weights are the penalty's `weights`: the continuous code's part counts a tenth.
    weighted = config._replace(structured_code_weights=(1.0, 0.1))
    model = trainer.model(inputs, real)
    np.testing.assert_allclose(float(loss_stage.generator_terms(model, weighted)[1]["mutual_information_penalty"]),
                               -float(categorical + 0.1 * continuous) / 2, rtol=1e-4)


def test_continuous_code_weight_flag_reaches_the_estimator_and_bad_weights_are_refused(tmp_path, embedded_data_dir):
    digits = common.resolve({"model": "infogan"}, None, {"dataset": "digits"})
    assert common.family_estimator_options(digits) == {"mutual_information_penalty_weight": 3.0,
                                                       "structured_code_weights": (1.0, 0.1)}
    none = common.resolve({"model": "infogan", "continuous_codes": 0}, None, {"dataset": "digits"})
    assert "structured_code_weights" not in common.family_estimator_options(none)
    pair = gan.networks.dcgan((8, 8, 1), base_filters=4, structured_codes=(10, 2))
    estimator = gan.GANEstimator(*pair, model_dir=str(tmp_path), mutual_information_penalty_weight=1.0,
                                 structured_code_weights=(1.0,))
    batches = gan.data.gan_input_fn("digits", 8, noise_dims=4, structured_codes=(10, 2),
                                    data_dir=embedded_data_dir)
    with pytest.raises(ValueError, match="structured_code_weights must be 2 finite non-negative weights"):
        estimator.train(batches, max_steps=1, progress=False)
    assert not os.path.exists(tmp_path / "run.json")


def test_family_options_are_checked():
    with pytest.raises(ValueError, match="exclude each other"):
        gan.networks.dcgan((8, 8, 1), conditional=True, auxiliary_classes=10)
    with pytest.raises(ValueError, match="structured_codes must be"):
        gan.networks.dcgan((8, 8, 1), structured_codes=(1, 2))
    with pytest.raises(ValueError, match="exclude each other"):
        gan.GANEstimator(lambda z: z, lambda x, z: x, aux_cond_generator_weight=1.0,
                         mutual_information_penalty_weight=1.0)
    with pytest.raises(ValueError, match="needs generator inputs \\(noise, one_hot_labels\\)"):
        loss_stage.structured_inputs("acgan", tf.TensorSpec([None, 4]))


def test_code_accuracy_matches_codes_to_classes_one_to_one():
    assert gan.eval.code_accuracy(np.array([[0, 9], [8, 1]])) == pytest.approx(17 / 18)
    # Two codes that both make "1"s: only one of them may be matched to class 1.
    assert gan.eval.code_accuracy(np.array([[0, 10], [0, 10]])) == pytest.approx(0.5)


def test_code_grid_rows_vary_the_code_and_columns_the_continuous_code():
    noise, code, continuous = common.code_grid_inputs(4, (10, 2))
    assert noise.shape == (100, 4) and np.all(noise == noise[0])
    np.testing.assert_array_equal(code.argmax(1), np.repeat(np.arange(10), 10))
    np.testing.assert_allclose(continuous[:10, 0], np.linspace(-1, 1, 10))
    assert np.all(continuous[:, 1] == 0) and np.all(continuous[:, 0] == np.tile(continuous[:10, 0], 10))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("families")


@pytest.mark.parametrize("model", ["acgan", "infogan"])
def test_gan_train_model_trains_resumes_generates_and_evaluates(workdir, model):
    run = workdir / model
    succeeded(run_program(workdir, "train", f"--model={model}", f"--model_dir={run}", *TINY))
    manifest = json.load(open(run / "run.json"))
    assert manifest["config"]["model"] == model and os.path.exists(run / "samples.png")
    records = [json.loads(line) for line in open(run / "train_log.jsonl")]
    family_term = "aux_cond_generator_loss" if model == "acgan" else "mutual_information_penalty"
    assert family_term in records[-1]
    resumed = succeeded(run_program(workdir, "train", f"--model_dir={run}", "--max_steps=6"))
    assert "from step 4 to 6" in resumed.stdout
    choose = "--labels=3" if model == "acgan" else "--codes=3"
    succeeded(run_program(workdir, "generate", f"--model_dir={run}", choose, "--num_samples=5", f"--output={workdir / 'x.npy'}"))
    assert np.load(workdir / "x.npy").shape == (5, 8, 8, 1)
    wrong = "--codes=3" if model == "acgan" else "--labels=3"
    refused = run_program(workdir, "generate", f"--model_dir={run}", wrong, f"--output={workdir / 'y.npy'}")
    assert refused.returncode == 2 and "applies to" in refused.stderr
    changed = run_program(workdir, "train", f"--model_dir={run}", "--model=gan", "--max_steps=8")
    assert changed.returncode == 2 and f"--model={model}" in changed.stderr


def test_infogan_evaluation_reports_code_accuracy(workdir):
    run = workdir / "infogan"
    if not (run / "run.json").exists():
        succeeded(run_program(workdir, "train", "--model=infogan", f"--model_dir={run}", *TINY))
    report = json.loads(succeeded(run_program(workdir, "evaluate", f"--model_dir={run}", "--num_samples=200")).stdout)
    assert 0.0 <= report["categorical_code_accuracy"] <= 1.0 and "conditional_accuracy" not in report


@pytest.mark.parametrize("flags, message", [
    (["--model=infogan", "--aux_cond_generator_weight=2"], "--aux_cond_generator_weight applies to --model=acgan"),
    (["--model=acgan", "--conditional"], "--conditional applies to --model=gan"),
    (["--model=acgan", "--dataset=ring"], "--model=acgan needs an image architecture"),
    (["--model=infogan", "--categorical_codes=1"], "--categorical_codes must be a finite number in [2, 1000]"),
    (["--model=acgan", "--aux_cond_discriminator_weight=inf"], "--aux_cond_discriminator_weight must be a finite number"),
    (["--model=gan", "--continuous_code_weight=0.5"], "--continuous_code_weight applies to --model=infogan"),
    (["--model=infogan", "--continuous_code_weight=-1"], "--continuous_code_weight must be a finite number"),
    (["--model=cyclegan", "--dataset=ring"], "--model=cyclegan translates images between domains"),
    (["--model=cyclegan", "--architecture=dcgan"], "needs an image-to-image architecture"),
    (["--model=stargan", "--cycle_consistency_loss_weight=3"], "--cycle_consistency_loss_weight applies to --model=cyclegan"),
    (["--model=gan", "--domains=original,inverted"], "--domains applies to --model=cyclegan or stargan"),
    (["--model=cyclegan", "--domains=original"], "--domains must name at least two different domains"),
    (["--model=stargan", "--reconstruction_loss_weight=-1"], "--reconstruction_loss_weight must be a finite number"),
    (["--model=cyclegan", "--domains=original,upside_down"], "has no domain 'upside_down'; accepted: original"),
    (["--model=cyclegan", "--domains=original,inverted,rotated"], "--model=cyclegan translates between two --domains"),
])
def test_family_flag_mistakes_are_one_line_errors(tmp_path, flags, message):
    result = run_program(tmp_path, "train", f"--model_dir={tmp_path / 'run'}", *flags)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_family_defaults_layer_over_the_dataset_row():
    infogan = common.resolve({"model": "infogan"}, None, {"dataset": "digits"})
    assert (infogan["conditional"], infogan["max_seconds"], infogan["mutual_information_penalty_weight"],
            infogan["discriminator_lr"], infogan["generator_lr"]) == (False, 300.0, 3.0, 2e-4, 1e-3)
    acgan = common.resolve({}, {"dataset": "digits", "model": "acgan"}, {"dataset": "digits"})
    assert acgan["conditional"] is True and acgan["aux_cond_generator_weight"] == 1.0 and acgan["max_seconds"] == 120.0
    assert common.resolve({}, None, {"dataset": "digits", "model": "gan"})["mutual_information_penalty_weight"] is None
