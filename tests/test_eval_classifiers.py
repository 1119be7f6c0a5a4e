"""Cached dataset classifiers, InceptionV3 loading, cached real statistics and the eval_metrics objects."""
import json
import logging
import os

import keras
import numpy as np
import pytest
import scipy.linalg
from absl import logging as absl_logging

from gan import data
from gan import eval as gan_eval
from gan.eval import classifiers, inception

EPOCHS = 3  # Enough for digits' MLP to reach ~90% held-out accuracy in about a second.


@pytest.fixture(scope="module")
def dirs(tmp_path_factory, embedded_data_dir):
    return embedded_data_dir, str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def trained(dirs):
    """(classifier from the first call, the absl log lines it wrote): trains into an empty cache."""
    data_dir, cache_dir = dirs
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    absl_logging.get_absl_logger().addHandler(handler)
    old_verbosity = absl_logging.get_verbosity()
    absl_logging.set_verbosity(absl_logging.INFO)
    try:
        classifier = gan_eval.dataset_classifier("digits", data_dir=data_dir, cache_dir=cache_dir, epochs=EPOCHS)
    finally:
        absl_logging.get_absl_logger().removeHandler(handler)
        absl_logging.set_verbosity(old_verbosity)
    return classifier, [record.getMessage() for record in records]


@pytest.fixture(scope="module")
def digits(dirs):
    images, labels = next(iter(data.real_dataset("digits", data_dir=dirs[0]).batch(5000)))
    return images.numpy(), labels.numpy()


def _numpy_fid(features1, features2):
    mu1, mu2 = features1.mean(0), features2.mean(0)
    sigma1, sigma2 = np.cov(features1, rowvar=False), np.cov(features2, rowvar=False)
    sqrt_product = np.real(scipy.linalg.sqrtm(sigma1 @ sigma2))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2 - 2 * sqrt_product))


# ---------------------------------------------------------------- cached classifier

def test_classifier_is_trained_once_with_accuracy_recorded_then_loaded(dirs, trained, digits):
    data_dir, cache_dir = dirs
    first, log_lines = trained
    assert first.trained
    info_path = os.path.join(first.directory, classifiers.INFO_FILE)
    with open(info_path) as f:
        info = json.load(f)
    assert info["held_out_accuracy"] == first.accuracy > 0.8
    assert (info["training_split"], info["held_out_split"]) == ("train[:80%]", "train[80%:]")
    assert (info["num_training"], info["num_held_out"], info["epochs"]) == (1438, 359, EPOCHS)
    assert any("held-out accuracy" in line and f"{first.accuracy:.4f}" in line for line in log_lines)
    # The recorded accuracy is the model's accuracy on the held-out 20%, recomputed here.
    held_out, labels = next(iter(data.real_dataset("digits", "train[80%:]", data_dir=data_dir).batch(1000)))
    logits = first.extract(held_out.numpy())[1]
    assert np.mean(logits.argmax(1) == labels.numpy()) == pytest.approx(first.accuracy)

    model_path = os.path.join(first.directory, classifiers.MODEL_FILE)
    modified = os.stat(model_path).st_mtime_ns
    second = gan_eval.dataset_classifier("digits", data_dir=data_dir, cache_dir=cache_dir, epochs=EPOCHS)
    assert not second.trained and second.info == info
    assert os.stat(model_path).st_mtime_ns == modified
    images = digits[0][:50]
    for a, b in zip(first.extract(images), second.extract(images)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert first.extract(images)[0].shape == (50, 128) and first.extract(images)[1].shape == (50, 10)


def test_cache_key_names_dataset_version_split_and_shape(trained):
    assert os.path.basename(trained[0].directory) == f"digits-1.0.0-train-8x8x1-{classifiers.RECIPE}"


def test_cache_dir_defaults_to_environment_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_CACHE_DIR", str(tmp_path))
    assert gan_eval.resolve_cache_dir() == str(tmp_path)
    assert gan_eval.resolve_cache_dir("/elsewhere") == "/elsewhere"
    monkeypatch.delenv("GAN_CACHE_DIR")
    assert gan_eval.resolve_cache_dir() == os.path.join(os.path.expanduser("~"), ".cache", "gan")


def test_classifier_rejects_wrong_image_shape(trained):
    with pytest.raises(ValueError, match=r"takes data \[N, 8, 8, 1\]; got shape \(2, 28, 28, 1\)"):
        trained[0].extract(np.zeros((2, 28, 28, 1), np.float32))


# ---------------------------------------------------------------- cached real statistics

def test_real_reference_matches_numpy_and_is_cached(dirs, trained, digits):
    data_dir, cache_dir = dirs
    classifier = trained[0]
    reference = gan_eval.real_reference(classifier, "digits", data_dir=data_dir, cache_dir=cache_dir,
                                        max_features=1000, batch_size=400)
    features = classifier.extract(digits[0])[0].astype(np.float64)
    assert reference.count == 1797 and reference.features.shape == (1000, 128)
    np.testing.assert_allclose(reference.mean, features.mean(0), atol=1e-4)
    np.testing.assert_allclose(reference.covariance, np.cov(features, rowvar=False), atol=1e-3)
    np.testing.assert_allclose(reference.features, features[:1000], atol=1e-4)
    paths = [os.path.join(d, f) for d, _, files in os.walk(os.path.join(cache_dir, "references")) for f in files]
    assert len(paths) == 1
    modified = os.stat(paths[0]).st_mtime_ns
    again = gan_eval.real_reference(classifier, "digits", data_dir=data_dir, cache_dir=cache_dir, max_features=1000)
    assert os.stat(paths[0]).st_mtime_ns == modified
    np.testing.assert_array_equal(again.covariance, reference.covariance)


def test_feature_accumulator_keeps_a_bounded_subset_and_exact_statistics():
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(64, 5)) + i for i in range(10)]
    accumulator = gan_eval.FeatureAccumulator(max_features=100)
    for batch in batches:
        accumulator.update_state(batch)
    everything = np.concatenate(batches)
    reference = accumulator.result()
    assert reference.count == 640 and reference.features.shape == (100, 5)
    np.testing.assert_allclose(reference.features, everything[:100], rtol=1e-6)
    np.testing.assert_allclose(reference.covariance, np.cov(everything, rowvar=False), rtol=1e-10)


# ---------------------------------------------------------------- ClassifierMetrics

@pytest.mark.filterwarnings("ignore:Matrix is singular")  # Dead ReLU features: scipy still gets it right.
def test_classifier_metrics_real_halves_are_close_and_noise_is_far(trained, digits):
    classifier = trained[0]
    images = digits[0]
    first, second = images[:896], images[896:1792]
    metrics = gan_eval.ClassifierMetrics(classifier, max_sample_features=1000)  # Real side: the batches given.
    for start in range(0, 896, 128):
        metrics.update_state(first[start:start + 128], second[start:start + 128], np.zeros((128, 4)))
    real_vs_real = metrics.result()
    expected = _numpy_fid(classifier.extract(first)[0].astype(np.float64),
                          classifier.extract(second)[0].astype(np.float64))
    assert real_vs_real["fid"] == pytest.approx(expected, rel=1e-4)
    metrics.reset_state()
    noise = np.random.default_rng(1).uniform(-1, 1, first.shape).astype(np.float32)
    metrics.update_state(first, noise, None)
    real_vs_noise = metrics.result()
    assert real_vs_noise["fid"] > 20 * real_vs_real["fid"]
    assert real_vs_noise["kid"] > 20 * abs(real_vs_real["kid"])
    assert real_vs_real["precision"] > 0.8 and real_vs_real["recall"] > 0.8 and real_vs_real["coverage"] > 0.8
    assert real_vs_noise["precision"] < 0.1 and real_vs_noise["coverage"] < 0.1
    assert real_vs_real["classifier_score"] > 2 * real_vs_noise["classifier_score"]
    assert "conditional_accuracy" not in real_vs_real  # Plain noise inputs ask for no labels.


def test_conditional_accuracy_counts_agreement_with_requested_labels(trained, digits):
    classifier = trained[0]
    images, labels = digits[0][:300], digits[1][:300]
    predicted = classifier.extract(images)[1].argmax(1)
    reference = gan_eval.FeatureAccumulator()
    reference.update_state(classifier.extract(digits[0][300:])[0])
    metrics = gan_eval.ClassifierMetrics(classifier, reference.result())
    for requested in (labels, (labels + 1) % 10):
        metrics.reset_state()
        for start in range(0, 300, 100):
            one_hot = np.eye(10, dtype=np.float32)[requested[start:start + 100]]
            metrics.update_state(None, images[start:start + 100], (np.zeros((100, 4)), one_hot))
        assert metrics.result()["conditional_accuracy"] == pytest.approx(np.mean(predicted == requested))


def test_requested_labels_only_from_noise_and_one_hot_pairs():
    one_hot = np.eye(10)[[3, 7]]
    np.testing.assert_array_equal(gan_eval.requested_labels((np.zeros((2, 4)), one_hot), 10), [3, 7])
    assert gan_eval.requested_labels(np.zeros((2, 4)), 10) is None
    assert gan_eval.requested_labels((np.zeros((2, 4)), one_hot), 5) is None
    assert gan_eval.requested_labels((np.zeros((2, 4)), one_hot), None) is None


def test_classifier_metrics_without_samples_is_a_clear_error(trained):
    with pytest.raises(ValueError, match="update_state was not called"):
        gan_eval.ClassifierMetrics(trained[0]).result()


def test_metrics_for_digits_uses_the_cached_classifier(dirs, trained, digits):
    data_dir, cache_dir = dirs
    metrics = gan_eval.metrics_for("digits", data_dir=data_dir, cache_dir=cache_dir, max_sample_features=500)
    assert isinstance(metrics, gan_eval.ClassifierMetrics)
    assert metrics.extractor.directory == trained[0].directory and not metrics.extractor.trained
    assert metrics.reference.count == 1797
    metrics.update_state(None, digits[0][:600], None)
    assert metrics.result()["fid"] < 1.0  # A subset of the reference data itself.


# ---------------------------------------------------------------- MixtureMetrics

def test_mixture_metrics_object_scores_the_first_2500_samples_like_mixture_metrics():
    rng = np.random.default_rng(0)
    centers = gan_eval.ring_modes().centers
    # Only the first 2,500 points count: modes 0-4 there, modes 5-7 afterwards.
    points = np.concatenate([centers[rng.integers(0, 5, 2500)] + 0.01 * rng.normal(size=(2500, 2)),
                             centers[rng.integers(5, 8, 500)]])
    metrics = gan_eval.MixtureMetrics("ring")
    for start in range(0, 3000, 600):
        metrics.update_state(None, points[start:start + 600], None)
    result = metrics.result()
    assert result == pytest.approx(gan_eval.mixture_metrics(points[:2500], "ring"))
    assert result["modes"] == 5
    metrics.reset_state()
    metrics.update_state(None, centers, None)
    assert metrics.result() == {"modes": 8.0, "high_quality": 1.0, "reverse_kl": pytest.approx(0.0)}


def test_mixture_metrics_rejects_images_and_unknown_mixtures():
    with pytest.raises(ValueError, match=r"2-D points \[batch, 2\]"):
        gan_eval.MixtureMetrics("grid").update_state(None, np.zeros((4, 8, 8, 1)), None)
    with pytest.raises(ValueError, match="unknown mixture 'moons'; accepted: grid, ring"):
        gan_eval.MixtureMetrics("moons")


def test_metrics_for_rejects_unknown_extractor(dirs):
    with pytest.raises(ValueError, match="unknown extractor 'vgg'; accepted: auto, classifier, inception"):
        gan_eval.metrics_for("digits", data_dir=dirs[0], extractor="vgg")


# ---------------------------------------------------------------- InceptionV3

@pytest.fixture
def no_inception_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("GAN_INCEPTION_WEIGHTS", raising=False)


def test_inception_without_weights_is_a_one_line_error_saying_how_to_provide_them(no_inception_weights, dirs):
    with pytest.raises(gan_eval.InceptionWeightsError) as error:
        gan_eval.InceptionExtractor()
    message = str(error.value)
    assert "\n" not in message
    assert "GAN_INCEPTION_WEIGHTS" in message and "weights=PATH" in message and inception.WEIGHTS_FILES[0] in message
    with pytest.raises(gan_eval.InceptionWeightsError, match="No InceptionV3 weights found offline"):
        gan_eval.metrics_for("digits", data_dir=dirs[0], extractor="inception")


def test_inception_names_a_missing_weights_file(no_inception_weights, monkeypatch):
    monkeypatch.setenv("GAN_INCEPTION_WEIGHTS", "/nowhere/inception.h5")
    with pytest.raises(gan_eval.InceptionWeightsError, match=r"'/nowhere/inception.h5' \(from \$GAN_INCEPTION"):
        gan_eval.InceptionExtractor()


def test_inception_loads_the_weights_file_it_is_given(no_inception_weights, tmp_path):
    # Random weights saved to a file: this checks the loading route, not ImageNet features.
    saved = keras.applications.InceptionV3(include_top=False, weights=None, pooling="avg")
    path = str(tmp_path / "inception_v3_notop.weights.h5")
    saved.save_weights(path)
    extractor = gan_eval.InceptionExtractor(weights=path)
    assert not extractor.has_logits and extractor.weights_path == path
    for expected, loaded in zip(saved.weights, extractor.model.weights):
        np.testing.assert_array_equal(expected.numpy(), loaded.numpy())
    features, logits = extractor.extract(np.zeros((2, 8, 8, 1), np.float32))
    assert features.shape == (2, 2048) and logits is None
