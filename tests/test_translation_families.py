"""The translation families CycleGAN and StarGAN: their loss terms against the papers' formulas, the
estimator route (train, resume, translate), the translation metrics, and `gan-train --model=cyclegan /
stargan` end to end (train, resume, gan-generate --input, gan-evaluate) on the embedded digits_domains."""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan import loss_stage, pipeline
from gan.cli import common
from gan.eval.translation_metrics import TranslationMetrics
from gan.models import GANNetworks
from programs import run_program, succeeded

TINY = ["--max_steps=4", "--batch_size=8", "--save_every=2", "--sample_every=2", "--log_every=2",
        "--steps_per_execution=1", "--hidden_units=16", "--nohealth"]


def _joint_networks(kind, **options):
    pair = gan.networks.translator((8, 8, 1), hidden_units=(16,), **options)
    return GANNetworks(pipeline.translation_generator_fn(kind, pair.generator_fn),
                       pipeline.translation_discriminator_fn(kind, pair.discriminator_fn))


def _least_squares_generator(outputs):  # TF-GAN's: 0.5 * mean((D(G(x)) - 1)^2)
    return 0.5 * np.mean((outputs.numpy() - 1.0) ** 2)


def _least_squares_discriminator(real, fake):  # 0.5 * mean((D(y) - 1)^2) + 0.5 * mean(D(F(x))^2)
    return 0.5 * np.mean((real.numpy() - 1.0) ** 2) + 0.5 * np.mean(fake.numpy() ** 2)


def test_cyclegan_terms_are_both_directions_plus_the_weighted_cycle_loss():
    keras.utils.set_random_seed(0)
    nets = _joint_networks("cyclegan")
    nets.build((tf.TensorSpec([None, 8, 8, 1]), tf.TensorSpec([None, 8, 8, 1])))
    x, y = tf.random.uniform([5, 8, 8, 1], -1, 1), tf.random.uniform([5, 8, 8, 1], -1, 1)
    model = pipeline.translation_model(nets, "cyclegan", (x, y), (y, x), training=False)
    config = loss_stage.LossConfig(*gan.losses.get("least_squares"), cycle_consistency_loss_weight=10.0)
    assert loss_stage.model_kind(config) == "cyclegan"
    # The networks by hand: F(x), G(y) from the joint generator, D_Y and D_X from the joint critic.
    to_y, to_x = nets.generator([x, y], training=False)
    d_y_real, d_x_real = nets.discriminator([y, x, x, y], training=False)
    d_y_fake, d_x_fake = nets.discriminator([to_y, to_x, x, y], training=False)
    back_to_y, back_to_x = nets.generator([to_x, to_y], training=False)
    cycle = (np.mean(np.abs(x - back_to_x)) + np.mean(np.abs(y - back_to_y))) / 2  # Zhu et al. 2017, eq. 2
    g_total, g_logs = loss_stage.generator_terms(model, config)
    d_total, d_logs = loss_stage.discriminator_terms(model, config)
    expected_g = _least_squares_generator(d_y_fake) + _least_squares_generator(d_x_fake) + 10.0 * cycle
    expected_d = _least_squares_discriminator(d_y_real, d_y_fake) + _least_squares_discriminator(d_x_real, d_x_fake)
    np.testing.assert_allclose(float(g_logs["cycle_consistency_loss"]), cycle, rtol=1e-5)
    np.testing.assert_allclose(float(g_total), expected_g, rtol=1e-5)
    np.testing.assert_allclose(float(d_total), expected_d, rtol=1e-5)
    # TF-GAN's per-direction cyclegan_loss holds the same sums.
    tfgan = gan.cyclegan_loss(model)
    np.testing.assert_allclose(float(tfgan.loss_x2y.generator_loss + tfgan.loss_y2x.generator_loss),
                               expected_g + 10.0 * cycle, rtol=1e-5)  # there the cycle loss is in both directions


def test_stargan_terms_equal_the_papers_formulas():
    keras.utils.set_random_seed(1)
    nets = _joint_networks("stargan", num_domains=3)
    nets.build((tf.TensorSpec([None, 8, 8, 1]), tf.TensorSpec([None, 3]), tf.TensorSpec([None, 3])))
    images = tf.random.uniform([6, 8, 8, 1], -1, 1)
    source, target = tf.one_hot([0, 1, 2, 0, 1, 2], 3), tf.one_hot([1, 2, 0, 2, 0, 1], 3)
    model = pipeline.translation_model(nets, "stargan", (images, source, target), images, training=False)
    assert isinstance(model, gan.StarGANModel)
    config = loss_stage.LossConfig(*gan.losses.get("wasserstein"), reconstruction_loss_weight=4.0,
                                   classification_loss_weight=0.5)
    translated = nets.generator([images, source, target], training=False)
    reconstructed = nets.generator([translated, target, source], training=False)
    real_source, real_domain = nets.discriminator([images, images, source, target], training=False)
    fake_source, fake_domain = nets.discriminator([translated, images, source, target], training=False)

    def cross_entropy(labels, logits):
        return float(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels, logits)))

    # Choi et al. 2018, eqs. 1-4: L_D = -L_adv + w_cls L_cls^r; L_G = L_adv + w_cls L_cls^f + w_rec L_rec.
    expected_d = np.mean(fake_source) - np.mean(real_source) + 0.5 * cross_entropy(source, real_domain)
    expected_g = (-np.mean(fake_source) + 0.5 * cross_entropy(target, fake_domain)
                  + 4.0 * np.mean(np.abs(images - reconstructed)))
    np.testing.assert_allclose(float(loss_stage.discriminator_terms(model, config)[0]), expected_d, rtol=1e-5)
    np.testing.assert_allclose(float(loss_stage.generator_terms(model, config)[0]), expected_g, rtol=1e-5)
    # Unset weights are TF-GAN's (reconstruction 10, classification 1), as gan.stargan_loss has them.
    defaults = loss_stage.LossConfig(*gan.losses.get("wasserstein"), reconstruction_loss_weight=10.0)
    tfgan = gan.stargan_loss(model, gradient_penalty_weight=None)
    np.testing.assert_allclose(float(loss_stage.generator_terms(model, defaults)[0]), float(tfgan.generator_loss),
                               rtol=1e-5)
    np.testing.assert_allclose(float(loss_stage.discriminator_terms(model, defaults)[0]),
                               float(tfgan.discriminator_loss), rtol=1e-5)


def test_family_weights_exclude_each_other():
    with pytest.raises(ValueError, match="exclude each other"):
        loss_stage.model_kind(loss_stage.LossConfig(cycle_consistency_loss_weight=1.0, reconstruction_loss_weight=1.0))
    with pytest.raises(ValueError, match="non-negative"):
        loss_stage.model_kind(loss_stage.LossConfig(classification_loss_weight=-1.0))
    pair = gan.networks.translator((8, 8, 1))
    with pytest.raises(ValueError, match="not keras.Models"):
        gan.GANEstimator(keras.Sequential([keras.layers.Identity()]), pair.discriminator_fn,
                         cycle_consistency_loss_weight=1.0)


def _cycle_batches(x, y, batch):
    def as_cyclegan_batch(from_x, from_y):
        return (from_x, from_y), (from_y, from_x)

    return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(batch, drop_remainder=True).map(as_cyclegan_batch)


def test_cyclegan_estimator_with_the_users_optimizers_trains_resumes_and_translates(tmp_path):
    keras.utils.set_random_seed(2)
    x = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype(np.float32)
    pair = gan.networks.translator((8, 8, 1), hidden_units=(32,))

    def estimator():
        return gan.GANEstimator(pair.generator_fn, pair.discriminator_fn, model_dir=str(tmp_path), loss="least_squares",
                                generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                                discriminator_optimizer=keras.optimizers.SGD(1e-3),
                                cycle_consistency_loss_weight=10.0, log_every_steps=5, save_checkpoints_steps=10)

    first = estimator().train(lambda: _cycle_batches(x, -x, 8), max_steps=10, progress=False)
    before = first.translate(x[:4], 1)
    resumed = estimator()
    assert resumed.global_step == 10
    np.testing.assert_allclose(resumed.translate(x[:4], 1), before, atol=1e-6)
    resumed.train(lambda: _cycle_batches(x, -x, 8), max_steps=20, progress=False)
    assert resumed.global_step == 20 and resumed.translate(x[:4], 0).shape == (4, 8, 8, 1)
    report = resumed.evaluate(lambda: _cycle_batches(x, -x, 8), steps=2)
    assert report["cycle_consistency_loss"] >= 0 and "generator_loss" in report
    pairs = list(resumed.predict(lambda: _cycle_batches(x, -x, 8).map(lambda inputs, real: inputs).take(1)))
    assert len(pairs) == 8 and [p.shape for p in pairs[0]] == [(8, 8, 1), (8, 8, 1)]
    with pytest.raises(ValueError, match="target_domain must be in"):
        resumed.translate(x[:1], 2)
    serve = tf.saved_model.load(resumed.export(str(tmp_path / "export"))).signatures["serving_default"]
    exported = serve(generator_inputs_0=tf.constant(x[:4]), generator_inputs_1=tf.constant(x[:4]))
    np.testing.assert_allclose(exported["samples_0"].numpy(), resumed.translate(x[:4], 1), atol=1e-5)


class _Oracle:
    """A stand-in classifier: the logits of `labels` looked up by the first pixel of each image."""

    def __init__(self, lookup):
        self.lookup = lookup

    def extract(self, images):
        keys = np.round(np.asarray(images)[:, 0, 0, 0] * 10).astype(int)
        return None, np.stack([self.lookup[int(key)] for key in keys])


def test_translation_metrics_count_kept_digits_and_target_domains_per_pair():
    from gan.data import to_domain

    # Inputs: "original" images whose top-left pixel encodes their digit (0.1 or 0.2).
    x = np.zeros((4, 8, 8, 1), np.float32)
    x[:, 0, 0, 0] = [0.1, 0.2, 0.1, 0.2]
    y = to_domain(x, "inverted")
    digits = _Oracle({1: np.eye(2)[0], 2: np.eye(2)[1], -1: np.eye(2)[1], -2: np.eye(2)[0]})
    domains = _Oracle({v: np.eye(2)[0] if v > 0 else np.eye(2)[1] for v in (1, 2, -1, -2)})
    metrics = TranslationMetrics(("original", "inverted"), "cyclegan", digits, domains)
    # x -> y: perfect translations (inverted, same digit); y -> x: the identity (stays inverted, so its digit,
    # mapped back from "original", reads as the other one).
    metrics.update_state(None, (to_domain(x, "inverted"), y), (x, y))
    result = metrics.result()
    assert result["class_preserved/original_to_inverted"] == 1.0 and result["domain_accuracy/original_to_inverted"] == 1.0
    assert result["class_preserved/inverted_to_original"] == 0.0 and result["domain_accuracy/inverted_to_original"] == 0.0
    assert result["class_preserved"] == 0.5 and result["domain_accuracy"] == 0.5


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("translation")


def test_gan_train_cyclegan_trains_resumes_translates_and_evaluates(workdir):
    run = workdir / "cyclegan"
    succeeded(run_program(workdir, "train", "--model=cyclegan", f"--model_dir={run}", *TINY))
    manifest = json.load(open(run / "run.json"))
    assert manifest["config"]["dataset"] == "digits_domains"
    assert manifest["config"]["domains"] == ["original", "inverted"]
    record = [json.loads(line) for line in open(run / "train_log.jsonl")][-1]
    assert {"cycle_consistency_loss", "generator_loss", "discriminator_loss"} <= set(record)
    from PIL import Image

    # samples.png: 8 rows of x, F(x), G(F(x)), y, G(y), F(G(y)), each tile 48 + 2 pixels.
    assert Image.open(run / "samples.png").size == (6 * 50, 8 * 50)
    assert "from step 4 to 6" in succeeded(run_program(workdir, "train", f"--model_dir={run}", "--max_steps=6")).stdout
    np.save(workdir / "x.npy", np.full((3, 8, 8, 1), -1.0, np.float32))
    succeeded(run_program(workdir, "generate", f"--model_dir={run}", f"--input={workdir / 'x.npy'}",
             f"--output={workdir / 'y.npy'}"))
    translated = np.load(workdir / "y.npy")
    assert translated.shape == (3, 8, 8, 1) and np.abs(translated).max() <= 1.0
    succeeded(run_program(workdir, "generate", f"--model_dir={run}", f"--input={workdir / 'y.npy'}", "--target_domain=original",
             f"--output={workdir / 'back.png'}"))
    refused = run_program(workdir, "generate", f"--model_dir={run}", f"--input={workdir / 'x.npy'}", "--target_domain=rotated",
                   f"--output={workdir / 'z.npy'}")
    assert refused.returncode == 2 and "accepted: original, inverted" in refused.stderr
    report = json.loads(succeeded(run_program(workdir, "evaluate", f"--model_dir={run}", "--num_samples=64")).stdout)
    for name in ("class_preserved", "domain_accuracy", "class_preserved/original_to_inverted"):
        assert 0.0 <= report[name] <= 1.0
    assert report["cycle_consistency_loss"] >= 0.0


def test_gan_train_stargan_on_three_domains_trains_and_translates_into_each(workdir):
    run = workdir / "stargan"
    succeeded(run_program(workdir, "train", "--model=stargan", "--domains=original,mirrored,rotated", "--discriminator_steps=1",
             f"--model_dir={run}", *TINY))
    manifest = json.load(open(run / "run.json"))
    assert manifest["config"]["domains"] == ["original", "mirrored", "rotated"]
    assert manifest["config"]["gradient_penalty_weight"] == 10.0
    record = [json.loads(line) for line in open(run / "train_log.jsonl")][-1]
    assert {"reconstruction_loss", "generator_classification_loss", "discriminator_classification_loss",
            "gradient_penalty"} <= set(record)
    from PIL import Image

    assert Image.open(run / "samples.png").size == (4 * 50, 8 * 50)  # input, then one column per domain
    np.save(workdir / "s.npy", np.zeros((2, 8, 8, 1), np.float32))
    succeeded(run_program(workdir, "generate", f"--model_dir={run}", f"--input={workdir / 's.npy'}", "--target_domain=rotated",
             f"--output={workdir / 'r.npy'}"))
    assert np.load(workdir / "r.npy").shape == (2, 8, 8, 1)
    needs_target = run_program(workdir, "generate", f"--model_dir={run}", f"--input={workdir / 's.npy'}",
                        f"--output={workdir / 'r.npy'}")
    assert needs_target.returncode == 2 and "--target_domain is required" in needs_target.stderr


def test_translation_defaults_layer_over_the_digits_domains_row():
    cyclegan = common.resolve({"model": "cyclegan"}, None, {"dataset": "digits"})
    assert (cyclegan["dataset"], cyclegan["architecture"], cyclegan["loss"], cyclegan["cycle_consistency_loss_weight"]) == (
        "digits_domains", "translator", "least_squares", 10.0)
    stargan = common.resolve({"model": "stargan"}, None, {"dataset": "digits"})
    assert (stargan["loss"], stargan["gradient_penalty_weight"], stargan["discriminator_steps"],
            stargan["reconstruction_loss_weight"], stargan["classification_loss_weight"]) == (
        "wasserstein", 10.0, 5, 10.0, 1.0)
    photos = common.resolve({"model": "cyclegan", "dataset": "cycle_gan/horse2zebra"}, None, {"dataset": "digits"})
    assert photos["architecture"] == "translator" and photos["base_filters"] == 32
    assert common.resolve({}, None, {"dataset": "digits", "model": "gan"})["dataset"] == "digits"


def _small_stargan_generator(**options):
    """A 4-domain StarGAN generator for 8x8 images as a Keras model."""
    pair = gan.networks.translator((8, 8, 1), num_domains=4, **options)
    x_in, c_in = keras.Input((8, 8, 1)), keras.Input((4,))
    return keras.Model([x_in, c_in], pair.generator_fn(x_in, c_in))


@pytest.mark.parametrize("move, expected", [
    (0, lambda x: x), (1, lambda x: x[:, :, ::-1]), (2, lambda x: np.rot90(x, 1, axes=(1, 2))),
    (7, lambda x: np.rot90(x, 3, axes=(1, 2))[:, :, ::-1]), (8, lambda x: -x)])
def test_symmetric_moves_are_the_squares_turns_and_flips_and_their_negatives(move, expected):
    x = np.random.default_rng(0).uniform(-1, 1, (3, 8, 8, 1)).astype("float32")
    np.testing.assert_array_equal(gan.networks.translation.symmetric_moves(x)[:, move], expected(x))


def test_small_image_generator_outputs_the_whole_image_move_it_scores_highest():
    """Mirroring and quarter turns, which local filters cannot make, are one choice of the
    small-image generator: with a scorer that prefers the move whose pixel (0, 1) is brightest
    (that pixel has 8 places under the square's symmetries, so no two moves tie) and no
    correction, it outputs tanh(2 * that move)."""
    generator = _small_stargan_generator(hidden_units=(1,))
    hidden, score = [layer for layer in generator.layers if isinstance(layer, keras.layers.Dense)]
    correction = [layer for layer in generator.layers if isinstance(layer, keras.layers.Conv2D)][-1]
    second_pixel = np.zeros(hidden.kernel.shape, "float32")  # 64 pixels, then the 4 target channels
    second_pixel[1] = 1000.0
    hidden.set_weights([second_pixel, np.full(1, 1000.0, "float32")])  # relu(1000 * (pixel + 1)) >= 0
    score.set_weights([np.ones((1, 1), "float32"), np.zeros(1, "float32")])
    correction.set_weights([np.zeros_like(w) for w in correction.get_weights()])
    # Distinct pixel values, so that the 16 moves' pixels (0, 1) differ by at least 2/63.
    x = np.stack([np.random.default_rng(seed).permutation(np.linspace(-1, 1, 64)) for seed in range(3)])
    x = x.reshape(3, 8, 8, 1).astype("float32")
    moves = np.asarray(gan.networks.translation.symmetric_moves(x))
    best = moves[np.arange(3), moves[:, :, 0, 1, 0].argmax(1)]
    out = generator([x, np.eye(4, dtype="float32")[[0, 1, 3]]])
    np.testing.assert_allclose(out, np.tanh(gan.networks.translation.MOVE_GAIN * best), atol=1e-5)


def test_small_image_generator_translates_every_symmetric_version_of_an_image_alike():
    """The choice scores the image's moves, not the image: an image and each of its 16 moves (its
    versions in every domain of digits_domains among them) get the same translation, so the
    generator cannot take one move for original inputs of a digit and another for mirrored ones."""
    keras.utils.set_random_seed(0)
    generator = _small_stargan_generator()
    x = np.random.default_rng(1).uniform(-1, 1, (1, 8, 8, 1)).astype("float32")
    versions = np.asarray(gan.networks.translation.symmetric_moves(x))[0]
    outputs = [np.asarray(generator([versions, np.tile(np.eye(4, dtype="float32")[[target]], (16, 1))]))
               for target in range(4)]
    for out in outputs:
        np.testing.assert_allclose(out, np.broadcast_to(out[:1], out.shape), atol=1e-5)
    assert np.abs(outputs[0] - outputs[1]).max() > 1e-4  # yet it reads the target domain


def test_rectangles_get_their_four_symmetries_and_cyclegan_keeps_local_filters():
    assert gan.networks.translation.symmetric_moves(keras.ops.zeros([1, 8, 6, 1])).shape == (1, 8, 8, 6, 1)
    # CycleGAN's small-image generator stays local: 3x3 convolutions only (module docstring).
    cycle_in = keras.Input((8, 8, 1))
    cycle_generator = keras.Model(cycle_in, gan.networks.translator((8, 8, 1)).generator_fn(cycle_in))
    assert {type(layer).__name__ for layer in cycle_generator.layers} == {"InputLayer", "Conv2D"}
