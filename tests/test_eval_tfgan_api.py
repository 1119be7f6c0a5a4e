"""TF-GAN's eval names added on TF2: Frechet variants, classifier runners, streaming metrics,
image tiling, Inception functions without TF Hub, summaries; and gan.tpu's normalisation."""
import enum

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan
from gan import eval as gan_eval

RNG = np.random.default_rng(0)
A1 = RNG.normal(size=(40, 5)).astype("float64")
A2 = RNG.normal(1.0, 2.0, size=(30, 5)).astype("float64")


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_mean_only_and_diagonal_frechet_distances_match_their_formulas():
    mean_term = np.sum((A1.mean(0) - A2.mean(0)) ** 2)
    close(gan_eval.mean_only_frechet_classifier_distance_from_activations(A1, A2), mean_term)
    v1, v2 = A1.var(0), A2.var(0)  # divided by n, as TF-GAN's tf.nn.moments
    close(gan_eval.diagonal_only_frechet_classifier_distance_from_activations(A1, A2),
          mean_term + np.sum(v1 + v2 - 2 * np.sqrt(v1 * v2)))


def test_run_classifier_fn_splits_batches_and_casts_dict_outputs():
    sizes = []

    def classifier_fn(x):
        sizes.append(int(x.shape[0]))
        return {"logits": x * 2.0, "pool": x[:, :2]}

    out = gan_eval.run_classifier_fn(tf.constant(A1, tf.float32), classifier_fn, num_batches=4,
                                     dtypes={"logits": tf.float64, "pool": tf.float16}, name="Run")
    assert sizes == [10, 10, 10, 10]
    assert out["logits"].dtype == tf.float64 and out["pool"].dtype == tf.float16
    close(out["logits"], A1 * 2.0, 1e-5)
    samples = gan_eval.sample_and_run_classifier_fn(lambda z: z + 1.0, [tf.zeros([3, 2]), tf.ones([2, 2])],
                                                    lambda x: x * 10.0)
    close(samples, np.concatenate([np.full((3, 2), 10.0), np.full((2, 2), 20.0)]))


def test_streaming_metrics_accumulate_over_batches_and_reset():
    gan_eval.reset_streaming_metrics()
    for start in range(0, 40, 10):
        fid, update = gan_eval.frechet_classifier_distance_from_activations_streaming(
            A1[start:start + 10], A2[start % 30:start % 30 + 10])
    whole = gan_eval.frechet_classifier_distance_from_activations(
        A1, np.concatenate([A2[0:10], A2[10:20], A2[20:30], A2[0:10]]))
    close(fid, whole, 1e-4)
    logits = RNG.normal(size=(20, 4))
    for half in (logits[:10], logits[10:]):
        score, _ = gan_eval.classifier_score_from_logits_streaming(half)
    close(score, gan_eval.classifier_score_from_logits(logits), 1e-5)
    gan_eval.reset_streaming_metrics()
    fresh, _ = gan_eval.classifier_score_from_logits_streaming(logits[:10])
    close(fresh, gan_eval.classifier_score_from_logits(logits[:10]), 1e-5)


def test_image_tiling_keeps_tfgan_arguments():
    grid = gan_eval.python_image_grid(input_array=np.arange(6 * 4).reshape(6, 2, 2, 1), grid_shape=(2, 3))
    assert grid.shape == (4, 6, 1)
    tiled = gan_eval.image_reshaper(tf.ones([11, 8, 8, 1]))
    assert tiled.shape == (1, 24, 32, 1)
    assert float(tf.reduce_sum(tiled)) == 11 * 64  # the missing tile is black
    assert gan_eval.image_reshaper([tf.ones([4, 4, 3])] * 3, num_cols=3).shape == (1, 4, 12, 3)


def test_inception_functions_need_local_weights_and_never_tf_hub(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("GAN_INCEPTION_WEIGHTS", raising=False)
    gan.eval.inception_metrics._extractor.cache_clear()
    images = tf.zeros([2, 16, 16, 3])
    for metric in (gan_eval.inception_score, gan_eval.run_inception):
        with pytest.raises(gan_eval.InceptionWeightsError) as error:
            metric(images)
        assert "\n" not in str(error.value) and "GAN_INCEPTION_WEIGHTS" in str(error.value)
    with pytest.raises(ValueError, match="never does"):
        gan_eval.classifier_fn_from_tfhub(gan_eval.INCEPTION_TFHUB, gan_eval.INCEPTION_OUTPUT)
    assert gan_eval.INCEPTION_DEFAULT_IMAGE_SIZE == 299 and gan_eval.INCEPTION_FINAL_POOL == "pool_3"
    # Another classifier_fn can replace the local network, as in TF-GAN's partials.
    close(gan_eval.frechet_inception_distance(A1, A1, classifier_fn=lambda x: x), 0.0, 1e-6)


def _summaries(logdir):
    """{tag: value} of every summary written under `logdir` (images as (width, height, count))."""
    found = {}
    for path in sorted(logdir.rglob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                array = tf.make_ndarray(value.tensor)
                if value.metadata.plugin_data.plugin_name == "images":
                    found[value.tag] = (int(array[0]), int(array[1]), len(array) - 2)
                else:
                    found[value.tag] = array
    return found


def _image_model(tmp_path, generator_scope="SummaryG"):
    def generator_fn(images):
        return keras.layers.Conv2D(1, 3, padding="same", activation="tanh", kernel_regularizer="l2")(images)

    def discriminator_fn(images, unused):
        return keras.layers.Dense(1)(keras.layers.Flatten()(images))

    data = tf.constant(RNG.uniform(-1, 1, size=(4, 4, 5, 1)), tf.float32)
    return gan.gan_model(generator_fn, discriminator_fn, data, data + 0.5, generator_scope=generator_scope)


def test_gan_model_summaries_write_tfgan_tags_to_the_default_writer(tmp_path):
    model = _image_model(tmp_path)
    gan_eval.add_gan_model_image_summaries(model, grid_size=2)  # no default writer: writes nothing
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=1):
        gan_eval.add_gan_model_image_summaries(model, grid_size=2)
        gan_eval.add_regularization_loss_summaries(model)
        gan_eval.add_image_comparison_summaries(model, num_comparisons=3, display_diffs=True)
    found = _summaries(tmp_path)
    assert found["real_data"] == found["generated_data"] == (2 * 5, 2 * 4, 1)
    assert found["image_comparison"] == (3 * 5, 4 * 4, 1)  # rows: inputs, generated, real, |generated - real|
    assert float(found["generator_regularization_loss"]) > 0.0
    assert float(found["discriminator_regularization_loss"]) == 0.0
    histograms = sorted(tag for tag in found if tag.endswith("kernel") or tag.endswith("bias"))
    assert histograms and all(t.startswith(("generator_variables/SummaryG/", "discriminator_variables/"))
                              for t in histograms)
    assert len(histograms) == len(model.generator_variables) + len(model.discriminator_variables)
    with pytest.raises(ValueError, match="CycleGANModel"):
        gan_eval.add_cyclegan_image_summaries(model)
    with pytest.raises(ValueError, match="one image shape"):
        gan_eval.add_image_comparison_summaries(model._replace(generator_inputs=tf.zeros([4, 4, 4, 1])))


def test_cyclegan_and_stargan_summaries_use_tfgan_tags_and_layouts(tmp_path):
    def generator(images):
        return keras.layers.Conv2D(1, 1)(images)

    def discriminator(images, unused):
        return keras.layers.Dense(1)(keras.layers.Flatten()(images))

    x = tf.constant(RNG.uniform(-1, 1, size=(2, 4, 4, 1)), tf.float32)
    cyclegan = gan.cyclegan_model(generator, discriminator, x, -x)

    def star_generator(images, target):
        return keras.layers.Conv2D(1, 1)(keras.layers.Concatenate()([
            images, keras.layers.Reshape((1, 1, 3))(target) * tf.ones([1, 4, 4, 1])]))

    def star_discriminator(images, num_domains):
        h = keras.layers.Flatten()(images)
        return keras.layers.Dense(1)(h), keras.layers.Dense(num_domains)(h)

    stargan = gan.stargan_model(star_generator, star_discriminator, tf.concat([x, x], 0), tf.one_hot([0, 1, 2, 0], 3))
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=1):
        gan_eval.add_cyclegan_image_summaries(cyclegan)
        gan_eval.add_gan_model_summaries(cyclegan)
        gan_eval.add_stargan_image_summaries(stargan, num_images=2, display_diffs=True)
    found = _summaries(tmp_path)
    for direction in ("x2y", "y2x"):
        assert found[f"{direction}_image_comparison_summaries/image_comparison"] == (3 * 4, 4, 1)
        assert any(tag.startswith(f"cyclegan_{direction}_summaries/generator_variables/") for tag in found)
    assert found["stargan_image_generation"] == (4 * 4, 2 * 4, 2)  # per input: 2 rows of 1 + 3 domains


def test_summary_type_is_tfgan_int_enum_and_the_estimator_writes_image_comparisons(tmp_path):
    assert issubclass(gan.SummaryType, enum.IntEnum) and gan.estimator.SummaryType is gan.SummaryType
    assert {t.name: int(t) for t in gan.SummaryType} == {"NONE": 0, "VARIABLES": 1, "IMAGES": 2,
                                                         "IMAGE_COMPARISON": 3}

    def generator_fn(images):
        return keras.layers.Conv2D(1, 1, activation="tanh")(images)

    def discriminator_fn(images, unused):
        return keras.layers.Dense(1)(keras.layers.Flatten()(images))

    images = tf.constant(RNG.uniform(-1, 1, size=(4, 4, 4, 1)), tf.float32)
    estimator = gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(tmp_path),
                                 add_summaries=[3, gan.SummaryType.IMAGES])  # TF-GAN took the int values too
    estimator.train(lambda: (images, images), max_steps=1, progress=False)
    found = _summaries(tmp_path)
    assert found["image_comparison"] == (2 * 4, 3 * 4, 1) and "generated_data" in found
    def noise_generator_fn(noise):
        return keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16, activation="tanh")(noise))

    noise = gan.GANEstimator(noise_generator_fn, discriminator_fn, model_dir=str(tmp_path / "noise"),
                             add_summaries=gan.SummaryType.IMAGE_COMPARISON)
    with pytest.raises(ValueError, match="IMAGE_COMPARISON needs generator inputs that are images") as error:
        noise.train(lambda: (tf.zeros([4, 3]), images), max_steps=1, progress=False)
    assert "\n" not in str(error.value)


def test_tpu_batch_norm_and_standardize_batch_use_batch_then_moving_moments():
    x = tf.constant(RNG.normal(3.0, 2.0, size=(16, 4)).astype("float32"))
    close(gan.tpu.cross_replica_mean(tf.constant([1.0, 3.0])), [1.0, 3.0])
    mean, variance = gan.tpu.cross_replica_moments(x, axis=[0])
    close(mean, x.numpy().mean(0), 1e-4)
    close(variance, x.numpy().var(0), 1e-3)
    trained = gan.tpu.batch_norm(x, is_training=True, variance_epsilon=0.0, name="bn_test")
    close(trained, (x.numpy() - x.numpy().mean(0)) / x.numpy().std(0), 1e-3)
    labels = tf.one_hot([0, 1] * 8, 2)
    conditional = gan.tpu.batch_norm(x, True, conditional_class_labels=labels, name="cbn_test")
    assert conditional.shape == x.shape

    def layer(is_training):  # one call site: one set of moving averages, as one TF1 scope
        return gan.tpu.standardize_batch(x, is_training=is_training, epsilon=0.0, decay=0.99)

    expected = (x.numpy() - x.numpy().mean(0)) / x.numpy().std(0)
    assert not np.allclose(layer(False), expected, atol=0.1)  # averages not yet trained
    for _ in range(1000):  # the moving averages approach the batch's moments
        close(layer(True), expected, 1e-3)
    close(layer(False), expected, 1e-2)


def test_inception_functions_run_local_weights_inside_tf_function(monkeypatch, tmp_path):
    # A stand-in network for the weights file: this checks the route from images to outputs.
    inputs = keras.Input((299, 299, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(inputs)
    stand_in = keras.Model(inputs, [keras.layers.Dense(4)(pooled), keras.layers.Dense(3)(pooled)])
    weights = tmp_path / "inception.h5"
    weights.write_bytes(b"")
    monkeypatch.setenv("GAN_INCEPTION_WEIGHTS", str(weights))
    monkeypatch.setattr(gan.eval.inception, "_load", lambda path: (stand_in, True))
    gan.eval.inception_metrics._extractor.cache_clear()
    try:
        images = tf.constant(RNG.uniform(-1, 1, size=(4, 8, 8, 1)), tf.float32)
        outputs = tf.function(lambda x: gan_eval.run_inception(x, num_batches=2))(images)
        expected = stand_in(tf.tile(tf.image.resize(images, (299, 299)), [1, 1, 1, 3]))
        close(outputs[gan_eval.INCEPTION_FINAL_POOL], expected[0], 1e-4)
        close(outputs[gan_eval.INCEPTION_OUTPUT], expected[1], 1e-4)
        score = tf.function(lambda x: gan_eval.inception_score(x))(images)
        close(score, gan_eval.classifier_score_from_logits(expected[1]), 1e-4)
    finally:
        gan.eval.inception_metrics._extractor.cache_clear()


def test_preview_inputs_choose_the_samples_tensorboard_shows(tmp_path):
    """gan-train sets them to the fixed inputs of its samples.png: one set of preview samples, not two."""
    def generator_fn(images):
        return keras.layers.Conv2D(1, 1, activation="tanh")(images)

    def discriminator_fn(images, unused):
        return keras.layers.Dense(1)(keras.layers.Flatten()(images))

    images = tf.constant(RNG.uniform(-1, 1, size=(4, 4, 4, 1)), tf.float32)
    for name, preview, tiles in (("first_batch", None, 2), ("fixed", RNG.uniform(-1, 1, (9, 4, 4, 1)), 3)):
        estimator = gan.GANEstimator(generator_fn, discriminator_fn, model_dir=str(tmp_path / name),
                                     add_summaries=gan.SummaryType.IMAGES)
        estimator.preview_inputs = None if preview is None else preview.astype("float32")
        estimator.train(lambda: (images, images), max_steps=1, progress=False)
        side = tiles * (4 + 2 * gan.plots.TILE_BORDER)
        assert _summaries(tmp_path / name)["generated_data"] == (side, side, 1)
