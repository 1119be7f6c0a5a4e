"""Tests for gan.data: embedded datasets, the TFDS input pipeline and its one-line errors."""
import collections
import os
import time
from unittest import mock

import numpy as np
import pytest
import requests
import tensorflow as tf
import tensorflow_datasets as tfds
from sklearn import datasets as sklearn_datasets
from tensorflow_datasets.core.download import downloader

from gan import data
from gan.data import catalog, pipeline


@pytest.fixture(scope="module")
def data_dir(embedded_data_dir):
    return embedded_data_dir


def _all(dataset):
    """Whole unbatched (data, label) dataset as two numpy arrays."""
    values, labels = next(iter(dataset.batch(1_000_000)))
    return values.numpy(), labels.numpy()


def _files(root):
    return sorted(os.path.relpath(os.path.join(d, name), root) for d, dirs, files in os.walk(root)
                  for name in dirs + files)


def test_embedded_names_are_registered_with_tfds():
    assert data.EMBEDDED == ("digits", "digits_domains", "grid", "ring")
    assert set(data.EMBEDDED) <= set(tfds.list_builders())


def test_digits_prepare_offline_with_pixels_in_range_and_ten_classes(data_dir):
    spec = data.describe("digits", data_dir=data_dir, download=False)  # Embedded: no download needed.
    assert spec == data.DatasetSpec("digits", (8, 8, 1), 10, True, "image", "label", {"train": 1797})
    images, labels = _all(data.real_dataset("digits", data_dir=data_dir))
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    reference = sklearn_datasets.load_digits()
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), np.bincount(reference.target, minlength=10))
    # TFDS stores examples in its own order: compare per-image pixel sums as multisets.
    expected = np.round(reference.images * 255 / 16) / 127.5 - 1
    np.testing.assert_allclose(np.sort(images.sum(axis=(1, 2, 3))), np.sort(expected.sum(axis=(1, 2))), atol=1e-3)


def test_ring_points_lie_near_eight_modes_on_the_unit_circle(data_dir):
    spec = data.describe("ring", data_dir=data_dir)
    assert (spec.data_shape, spec.num_classes, spec.is_image, spec.num_examples) == ((2,), 8, False,
                                                                                     {"train": 100_000})
    points, modes = _all(data.real_dataset("ring", data_dir=data_dir).take(20_000))  # Reading all takes ~10 s.
    assert points.shape == (20_000, 2) and points.dtype == np.float32
    angles = 2 * np.pi * np.arange(8) / 8
    centers = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    # Every point sits within 6 std (0.06) of a mode on the unit circle, and the label names that mode.
    distances = np.linalg.norm(points[:, None] - centers[None], axis=-1)
    assert distances.min(axis=1).max() < 0.06
    np.testing.assert_array_equal(centers[distances.argmin(axis=1)], centers[modes])
    assert np.abs(np.bincount(modes, minlength=8) / 20_000 - 1 / 8).max() < 0.01
    assert abs(np.std(points - centers[modes]) - 0.01) < 0.0005


def test_grid_points_lie_near_twenty_five_modes_with_std_005(data_dir):
    assert data.describe("grid", data_dir=data_dir).num_examples == {"train": 100_000}
    points, modes = _all(data.real_dataset("grid", data_dir=data_dir).take(20_000))
    assert points.shape == (20_000, 2) and set(np.unique(modes)) == set(range(25))
    nearest = np.round(points / 2) * 2  # Nearest point of the 2-spaced grid.
    assert np.all(np.isin(nearest, [-4, -2, 0, 2, 4]))
    assert abs(np.std(points - nearest) - 0.05) < 0.002
    # Each mode label names exactly one grid centre, and the 25 labels name 25 different centres.
    centre_of_mode = {}
    for mode, centre in zip(modes, map(tuple, nearest)):
        assert centre_of_mode.setdefault(mode, centre) == centre
    assert len(set(centre_of_mode.values())) == 25


def test_unconditional_batches_are_full_noise_and_images(data_dir):
    dataset = data.gan_dataset("digits", 64, noise_dims=16, data_dir=data_dir, shuffle=False, repeat=False)
    noise_spec, real_spec = dataset.element_spec
    assert noise_spec.shape == (64, 16) and real_spec.shape == (64, 8, 8, 1)
    batches = list(dataset)
    assert len(batches) == 1797 // 64  # drop_remainder: the last 5 examples are dropped.
    assert all(noise.shape == (64, 16) and real.shape == (64, 8, 8, 1) for noise, real in batches)


def test_conditional_batches_carry_one_hot_labels_of_the_real_batch(data_dir):
    dataset = data.gan_dataset("digits", 32, noise_dims=8, conditional=True, data_dir=data_dir,
                               shuffle=False, repeat=False)
    (noise, one_hot), real = next(iter(dataset))
    images, labels = _all(data.real_dataset("digits", data_dir=data_dir).take(32))  # Same file order.
    assert noise.shape == (32, 8) and one_hot.shape == (32, 10) and one_hot.dtype == tf.float32
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(10)[labels])
    np.testing.assert_array_equal(real.numpy(), images)


def test_conditional_needs_labels_and_points_need_no_image_size(data_dir):
    with tfds.testing.mock_data(num_examples=2):
        with pytest.raises(data.DatasetError, match="no ClassLabel feature"):
            data.gan_dataset("celeb_a", 2, conditional=True)
    with pytest.raises(data.DatasetError, match="image_size does not apply"):
        data.describe("ring", data_dir=data_dir, image_size=8)


def test_seed_makes_noise_and_order_reproducible(data_dir):
    def first_batches(seed):
        return [(noise.numpy(), real.numpy()) for noise, real in
                data.gan_dataset("digits", 512, noise_dims=8, data_dir=data_dir, seed=seed).take(2)]

    (noise_a, real_a), (noise_b, _) = first_batches(7)
    (noise_c, real_c), (noise_d, _) = first_batches(7)
    np.testing.assert_array_equal(noise_a, noise_c)
    np.testing.assert_array_equal(noise_b, noise_d)
    np.testing.assert_array_equal(real_a, real_c)
    assert not np.allclose(noise_a, noise_b)  # Each batch gets its own noise.
    assert not np.allclose(noise_a, first_batches(8)[0][0])
    everything = np.concatenate([noise_a, noise_b])
    assert abs(everything.mean()) < 0.05 and abs(everything.std() - 1) < 0.05  # N(0, 1).


def test_small_datasets_are_gathered_in_a_fresh_order_each_epoch(data_dir):
    """digits fit under GATHER_LIMIT_BYTES: whole epochs of distinct examples, reshuffled per epoch."""
    everything, _ = _all(data.real_dataset("digits", data_dir=data_dir))
    per_epoch = 1797 // 64
    batches = [real.numpy().reshape(64, -1) for _, real in
               data.gan_dataset("digits", 64, data_dir=data_dir, seed=3).take(2 * per_epoch)]
    first, second = np.concatenate(batches[:per_epoch]), np.concatenate(batches[per_epoch:])
    available = collections.Counter(row.tobytes() for row in everything.reshape(1797, -1))
    for epoch in (first, second):  # no example twice within an epoch
        drawn = collections.Counter(row.tobytes() for row in epoch)
        assert all(count <= available[row] for row, count in drawn.items())
    assert not np.array_equal(first, second)  # a new order each epoch
    unshuffled = next(iter(data.gan_dataset("digits", 64, data_dir=data_dir, shuffle=False)))[1].numpy()
    np.testing.assert_array_equal(unshuffled, everything[:64])


@pytest.mark.parametrize("name, split, image_size", [("ring", "train[:3000]", None), ("grid", "train[50%:53%]", None),
                                                     ("digits", "train", None), ("digits", "train", 6)])
def test_a_split_read_into_memory_in_chunks_equals_it_decoded_one_by_one(data_dir, name, split, image_size,
                                                                         monkeypatch):
    monkeypatch.setattr(pipeline, "DECODE_CHUNK_BYTES", 4096)  # several chunks, the last one partial
    examples = pipeline._examples(name, split, data_dir, True, image_size, None, None)
    assert examples.raw_batches is not None  # parsed from the files a chunk at a time, not by TFDS one by one
    data_in_chunks, labels_in_chunks = examples.in_memory()
    one_by_one, labels = _all(examples.stream())
    assert len(one_by_one) == examples.count and data_in_chunks.shape == one_by_one.shape
    np.testing.assert_allclose(data_in_chunks.numpy(), one_by_one, atol=1e-6)
    np.testing.assert_array_equal(labels_in_chunks.numpy(), labels)


def test_records_are_parsed_by_tfds_itself_where_its_files_cannot_be_read_in_batches(data_dir, tmp_path):
    with tfds.testing.mock_data(num_examples=3):  # no files: the mock's own examples
        examples = pipeline._examples("mnist", "train", str(tmp_path), True, None, None, None)
        assert examples.raw_batches is None and examples.in_memory()[0].shape == (3, 28, 28, 1)
    kept = pipeline._examples("ring", "train[:2000]", data_dir, True, None, None, None, keep=lambda ex: ex["mode"] == 3)
    assert kept.raw_batches is None  # the filter is TFDS's stream's: in memory, the kept points only
    assert set(kept.in_memory()[1].numpy()) == {3}


def test_a_split_is_read_once_for_the_batches_of_training_and_its_evaluations(data_dir):
    pipeline._kept_split.clear()
    reads = []
    original = pipeline._Examples.in_memory
    with mock.patch.object(pipeline._Examples, "in_memory", autospec=True,
                           side_effect=lambda self: reads.append(self.spec.name) or original(self)):
        training = next(iter(data.gan_dataset("digits", 8, data_dir=data_dir, seed=5)))
        evaluation = next(iter(data.gan_dataset("digits", 8, data_dir=data_dir, seed=5)))
        assert reads == ["digits"]
        data.gan_dataset("digits", 8, data_dir=data_dir, seed=6)  # another file order: read again
    assert reads == ["digits", "digits"]
    np.testing.assert_array_equal(training[1].numpy(), evaluation[1].numpy())


def test_batches_larger_than_the_dataset_span_epochs(data_dir):
    noise, real = next(iter(data.gan_dataset("digits", 2000, noise_dims=4, data_dir=data_dir, seed=0)))
    assert noise.shape == (2000, 4) and real.shape == (2000, 8, 8, 1)


def test_gan_input_fn_is_a_zero_argument_input_fn(data_dir):
    input_fn = data.gan_input_fn("digits", 4, noise_dims=3, data_dir=data_dir, seed=1)
    noise, real = next(iter(input_fn()))
    expected_noise, expected_real = next(iter(data.gan_dataset("digits", 4, noise_dims=3, data_dir=data_dir,
                                                               seed=1)))
    np.testing.assert_array_equal(noise.numpy(), expected_noise.numpy())
    np.testing.assert_array_equal(real.numpy(), expected_real.numpy())


def test_gan_data_dir_environment_variable_is_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path))
    assert data.describe("digits").num_examples == {"train": 1797}
    assert os.path.isfile(tmp_path / "digits" / "1.0.0" / "dataset_info.json")


@pytest.mark.parametrize("name, image_size, shape", [
    ("mnist", 32, (32, 32, 1)),
    ("cifar10", (16, 12), (16, 12, 3)),
])
def test_tfds_image_datasets_are_resized_and_scaled(name, image_size, shape):
    with tfds.testing.mock_data(num_examples=6):
        spec = data.describe(name, image_size=image_size)
        assert (spec.data_shape, spec.num_classes, spec.image_key, spec.label_key) == (shape, 10, "image", "label")
        images, labels = _all(data.real_dataset(name, image_size=image_size))
        noise, real = next(iter(data.gan_dataset(name, 4, noise_dims=5, image_size=image_size, seed=0)))
    assert images.shape == (6,) + shape and images.min() >= -1 and images.max() <= 1 and images.std() > 0.1
    assert labels.dtype == np.int64 and np.all((labels >= 0) & (labels < 10))
    assert noise.shape == (4, 5) and real.shape == (4,) + shape


def test_unlabelled_dataset_gets_label_minus_one_and_square_center_crop():
    with tfds.testing.mock_data(num_examples=2):
        spec = data.describe("celeb_a", image_size=16)
        _, labels = _all(data.real_dataset("celeb_a", image_size=16))
    assert spec.num_classes is None and spec.label_key is None and spec.data_shape == (16, 16, 3)
    np.testing.assert_array_equal(labels, [-1, -1])


def test_center_crop_keeps_the_middle_before_resizing():
    # 4 x 8 image: outer quarters -1, middle half +1. A square crop keeps only the middle.
    image = tf.constant(np.concatenate([-np.ones((4, 2, 1)), np.ones((4, 4, 1)), -np.ones((4, 2, 1))], axis=1),
                        tf.float32)
    np.testing.assert_array_equal(pipeline._center_crop_resize(image, (2, 2)).numpy(), np.ones((2, 2, 1)))
    uncropped = pipeline._center_crop_resize(image, (2, 4)).numpy()  # Same aspect ratio: nothing cropped.
    assert uncropped[:, 0].max() < 0 and uncropped[:, 1].min() > 0


def test_unknown_name_error_is_one_helpful_line():
    with pytest.raises(data.DatasetError) as error:
        data.describe("mnsit")
    assert str(error.value) == (
        "Unknown dataset 'mnsit' (did you mean mnist?). Embedded (no download): digits, digits_domains, grid, ring; "
        "a folder of images; or any TFDS name such as mnist, cifar10 (see tfds.list_builders()).")


def test_not_prepared_without_download_is_one_line_and_writes_nothing(tmp_path):
    with pytest.raises(data.DatasetError) as error:
        data.real_dataset("mnist", data_dir=str(tmp_path), download=False)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"Dataset 'mnist' is not prepared in {tmp_path} and download=False")
    assert "data_dir=PATH" in message and "--" not in message  # library arguments, not flags
    assert _files(tmp_path) == []


def test_failed_download_is_one_line_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "other").mkdir()  # Someone else's data: must survive the cleanup.

    def offline(url, **kwargs):
        raise requests.exceptions.ConnectionError(f"Failed to resolve host of {url}")

    with mock.patch.object(downloader, "_open_url", offline), mock.patch.object(catalog, "network_error", lambda: None):
        with pytest.raises(data.DatasetError) as error:
            data.describe("mnist", data_dir=str(tmp_path))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"Dataset 'mnist' is not prepared in {tmp_path} and could not be downloaded "
                              "(no network? ConnectionError")
    assert _files(tmp_path) == ["other"]


def test_offline_download_fails_in_seconds_when_no_network_is_reachable(tmp_path):
    unreachable = catalog.network_error(("127.0.0.1", 1), timeout=1)  # a closed local port: no traffic leaves
    assert unreachable.startswith("ConnectionError: cannot reach 127.0.0.1:1")

    def must_not_download(*args, **kwargs):
        raise AssertionError("downloaded although no network is reachable")

    start = time.monotonic()
    with mock.patch.object(catalog, "network_error", lambda: unreachable), \
            mock.patch.object(downloader, "_open_url", must_not_download):
        with pytest.raises(data.DatasetError) as error:
            data.describe("mnist", data_dir=str(tmp_path))
    assert time.monotonic() - start < 5
    assert str(error.value) == (f"Dataset 'mnist' is not prepared in {tmp_path} and could not be downloaded "
                                f"(no network? {unreachable}): pass data_dir=PATH of a prepared copy (a TFDS "
                                "data dir holding it).")
    assert _files(tmp_path) == []


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(batch_size=0), "batch_size must be a positive int"),
    (dict(batch_size=4, noise_dims=-1), "noise_dims must be a positive int"),
    (dict(batch_size=4, image_size=(8, 0)), "image_size must be a positive int"),
    (dict(batch_size=4096, repeat=False), "batch_size 4096 exceeds the 1797 examples"),
])
def test_bad_arguments_raise_value_error(data_dir, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        data.gan_dataset("digits", data_dir=data_dir, **kwargs)


def test_unknown_split_names_the_accepted_ones(data_dir):
    with pytest.raises(data.DatasetError, match="no split 'test'.*accepted: train"):
        data.real_dataset("digits", split="test", data_dir=data_dir)
