"""Tests for gan.data's translation side: the embedded digits_domains and the CycleGAN / StarGAN batches."""
import collections
from unittest import mock

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from gan import data
from gan.data import embedded, pipeline, translation

TWO = ("original", "inverted")


@pytest.fixture(scope="module")
def data_dir(embedded_data_dir):
    return embedded_data_dir


@pytest.fixture(scope="module")
def raw(data_dir):
    """digits_domains' whole train split as numpy (uint8 images, domain, label, index) and scaled images."""
    data.describe("digits_domains", data_dir=data_dir)  # prepares it
    builder = tfds.builder("digits_domains", data_dir=data_dir)
    examples = tfds.as_numpy(builder.as_dataset(split="train", batch_size=-1))
    examples["scaled"] = pipeline._scaled(tf.constant(examples["image"])).numpy()
    return examples


def _in_domain(raw, domain):
    """(index, scaled image) of one domain sorted by source index."""
    chosen = raw["domain"] == data.DIGITS_DOMAINS.index(domain)
    order = np.argsort(raw["index"][chosen])
    return raw["index"][chosen][order], raw["scaled"][chosen][order]


def _counter(images):
    return collections.Counter(image.tobytes() for image in np.asarray(images, np.float32))


def _all(dataset):
    images, labels = next(iter(dataset.batch(100_000)))
    return images.numpy(), labels.numpy()


def test_digits_domains_is_embedded_and_holds_the_digits_in_four_domains(raw, data_dir):
    assert "digits_domains" in data.EMBEDDED and "digits_domains" in tfds.list_builders()
    spec = data.describe("digits_domains", data_dir=data_dir, download=False)
    assert spec == data.DatasetSpec("digits_domains", (8, 8, 1), 4, True, "image", "domain", {"train": 7188})
    assert data.DIGITS_DOMAINS == ("original", "inverted", "mirrored", "rotated")
    info = tfds.builder("digits_domains", data_dir=data_dir).info
    assert info.features["domain"].names == list(data.DIGITS_DOMAINS) and info.supervised_keys == ("image", "domain")
    assert raw["image"].dtype == np.uint8 and raw["index"].dtype == np.int32
    images, labels = embedded.digit_images()  # exactly the digits builder's images
    for domain, transform in embedded.DIGIT_DOMAIN_TRANSFORMS.items():
        chosen = raw["domain"] == data.DIGITS_DOMAINS.index(domain)
        index = raw["index"][chosen]
        np.testing.assert_array_equal(np.sort(index), np.arange(1797))
        np.testing.assert_array_equal(raw["label"][chosen], labels[index])
        np.testing.assert_array_equal(raw["image"][chosen], np.stack([transform(images[i]) for i in index]))
    # real_dataset (and so the cached dataset classifier) labels the examples by domain.
    _, domains = _all(data.real_dataset("digits_domains", data_dir=data_dir))
    np.testing.assert_array_equal(np.bincount(domains), [1797] * 4)


def test_domains_are_the_known_transforms_after_scaling(raw):
    index, original = _in_domain(raw, "original")
    assert original.min() == -1 and original.max() == 1
    _, inverted = _in_domain(raw, "inverted")
    _, mirrored = _in_domain(raw, "mirrored")
    _, rotated = _in_domain(raw, "rotated")
    np.testing.assert_array_equal(inverted, -original)  # exactly, not only to rounding
    np.testing.assert_array_equal(mirrored, original[:, :, ::-1])
    np.testing.assert_array_equal(rotated[:, 0, :], original[:, :, -1])  # counter-clockwise: right column on top
    for domain, images in zip(data.DIGITS_DOMAINS, (original, inverted, mirrored, rotated)):
        np.testing.assert_array_equal(data.to_domain(original, domain), images)
        np.testing.assert_array_equal(data.from_domain(images, domain), original)


@pytest.mark.parametrize("domain", ["original", "inverted", "mirrored", "rotated"])
def test_to_domain_and_from_domain_round_trip_on_numpy_and_tensors(domain):
    images = np.random.default_rng(0).uniform(-1, 1, (3, 5, 7, 2)).astype(np.float32)  # not square: H, W kept apart
    moved = data.to_domain(images, domain)
    assert isinstance(moved, np.ndarray)
    np.testing.assert_array_equal(data.from_domain(moved, domain), images)
    tensor = data.to_domain(tf.constant(images), domain)
    assert tf.is_tensor(tensor) and tensor.dtype == tf.float32
    np.testing.assert_array_equal(tensor.numpy(), moved)
    restored = data.from_domain(tensor, domain)
    assert tf.is_tensor(restored)
    np.testing.assert_array_equal(restored.numpy(), images)
    assert moved.shape == ((3, 7, 5, 2) if domain == "rotated" else images.shape)


@pytest.mark.parametrize("domains", [TWO, data.DIGITS_DOMAINS, ("rotated", "mirrored", "original")])
def test_chosen_domains_come_from_disjoint_source_images(raw, data_dir, domains):
    k = len(domains)
    covered = collections.Counter()
    for j, domain in enumerate(domains):
        images, digits = _all(data.domain_examples("digits_domains", domains, domain, data_dir=data_dir))
        index, original = _in_domain(raw, "original")
        kept = index % k == j  # domain j of k: the source images whose index % k == j, and only those
        assert images.shape == (kept.sum(), 8, 8, 1) and images.dtype == np.float32 and digits.dtype == np.int64
        assert _counter(data.from_domain(images, domain)) == _counter(original[kept])
        np.testing.assert_array_equal(np.sort(digits), np.sort(embedded.digit_images()[1][index[kept]]))
        covered += _counter(original[kept])
    assert covered == _counter(_in_domain(raw, "original")[1])  # together: every source image, once
    if k == 2:
        sizes = [len(_all(data.domain_examples("digits_domains", domains, d, data_dir=data_dir))[0]) for d in domains]
        assert sizes == [899, 898]  # disjoint halves


def _domain_sets(raw, domains):
    """Per chosen domain, the set of its images (as bytes) that translation batches may hold."""
    index, original = _in_domain(raw, "original")
    return [set(_counter(data.to_domain(original[index % len(domains) == j], d)))
            for j, d in enumerate(domains)]


def test_cyclegan_batches_pair_independent_batches_of_the_two_domains(raw, data_dir):
    dataset = data.translation_dataset("digits_domains", 8, data_dir=data_dir, seed=0)
    (x_spec, y_spec), (real_y_spec, real_x_spec) = dataset.element_spec
    assert all(s.shape == (8, 8, 8, 1) and s.dtype == tf.float32 for s in (x_spec, y_spec, real_y_spec, real_x_spec))
    allowed_x, allowed_y = _domain_sets(raw, TWO)
    for (x, y), (real_y, real_x) in dataset.take(5):
        np.testing.assert_array_equal(real_x.numpy(), x.numpy())
        np.testing.assert_array_equal(real_y.numpy(), y.numpy())
        assert set(_counter(x.numpy())) <= allowed_x and set(_counter(y.numpy())) <= allowed_y
    # One unshuffled epoch: full batches of each domain, in step, ending with the smaller one.
    epoch = list(data.translation_dataset("digits_domains", 100, data_dir=data_dir, shuffle=False, repeat=False))
    assert len(epoch) == 898 // 100
    assert _counter(np.concatenate([x for (x, _), _ in epoch])).total() == 800


def test_stargan_batches_mix_all_domains_with_their_one_hot_and_uniform_targets(raw, data_dir):
    dataset = data.translation_dataset("digits_domains", 16, family="stargan", data_dir=data_dir, seed=1)
    (images_spec, source_spec, target_spec), real_spec = dataset.element_spec
    assert images_spec.shape == real_spec.shape == (16, 8, 8, 1) and images_spec.dtype == tf.float32
    assert source_spec.shape == target_spec.shape == (16, 4) and target_spec.dtype == tf.float32
    allowed = _domain_sets(raw, data.DIGITS_DOMAINS)
    sources, targets = [], []
    for (images, source, target), real in dataset.take(100):
        np.testing.assert_array_equal(real.numpy(), images.numpy())
        for one_hot in (source.numpy(), target.numpy()):
            assert set(np.unique(one_hot)) <= {0.0, 1.0} and np.all(one_hot.sum(axis=1) == 1)
        for image, domain in zip(images.numpy(), source.numpy().argmax(axis=1)):
            assert image.astype(np.float32).tobytes() in allowed[domain]  # the one-hot names the image's domain
        sources.append(source.numpy().argmax(axis=1))
        targets.append(target.numpy().argmax(axis=1))
    for drawn in (np.concatenate(sources), np.concatenate(targets)):  # 1,600 draws: each domain about 1/4
        assert np.abs(np.bincount(drawn, minlength=4) / 1600 - 0.25).max() < 0.05
    assert len({tuple(s) for s in sources}) > 90  # batches are mixed afresh
    # One epoch holds as many examples of each domain (449, the smallest).
    epoch = list(data.translation_dataset("digits_domains", 64, family="stargan", data_dir=data_dir, shuffle=False,
                                          repeat=False))
    assert len(epoch) == 4 * 449 // 64
    np.testing.assert_array_equal(epoch[0][0][1].numpy().argmax(axis=1), np.arange(64) % 4)  # round-robin


@pytest.mark.parametrize("family", ["cyclegan", "stargan"])
def test_seed_makes_translation_batches_reproducible(data_dir, family):
    def batches(seed):
        dataset = data.translation_dataset("digits_domains", 4, family=family, data_dir=data_dir, seed=seed)
        return [np.concatenate([t.numpy().reshape(4, -1) for t in tf.nest.flatten(b)], axis=1)
                for b in dataset.take(3)]

    first = batches(5)
    np.testing.assert_array_equal(first, batches(5))
    assert not np.array_equal(first, batches(6))
    assert not np.array_equal(first[0], first[1])
    input_fn = data.translation_input_fn("digits_domains", 4, family=family, data_dir=data_dir, seed=5)
    np.testing.assert_array_equal(
        np.concatenate([t.numpy().reshape(4, -1) for t in tf.nest.flatten(next(iter(input_fn())))], axis=1), first[0])


def test_streamed_domains_give_the_same_structure(data_dir, monkeypatch):
    """Datasets too large to gather in memory are streamed; digits_domains stands in for them here."""
    monkeypatch.setattr(pipeline, "GATHER_LIMIT_BYTES", 0)
    (x, y), (real_y, real_x) = next(iter(data.translation_dataset("digits_domains", 4, data_dir=data_dir, seed=0)))
    assert x.shape == y.shape == (4, 8, 8, 1) and np.array_equal(real_x, x)
    stargan = data.translation_dataset("digits_domains", 4, family="stargan", data_dir=data_dir, seed=0)
    (images, source, target), real = next(iter(stargan))
    assert images.shape == (4, 8, 8, 1) and source.shape == target.shape == (4, 4)
    again = next(iter(data.translation_dataset("digits_domains", 4, family="stargan", data_dir=data_dir, seed=0)))
    np.testing.assert_array_equal(again[0][0].numpy(), images.numpy())


def test_dataset_domains_and_defaults():
    assert data.dataset_domains("digits_domains") == data.DIGITS_DOMAINS
    assert data.dataset_domains("cycle_gan/horse2zebra") == ("A", "B")
    attributes = data.dataset_domains("celeb_a")
    assert len(attributes) == 40 and {"Black_Hair", "Blond_Hair", "Brown_Hair", "Smiling"} <= set(attributes)
    assert data.default_domains("digits_domains", "cyclegan") == ("original", "inverted")
    assert data.default_domains("digits_domains", "stargan") == data.DIGITS_DOMAINS
    assert data.default_domains("cycle_gan/monet2photo", "stargan") == ("A", "B")
    assert data.default_domains("celeb_a", "stargan") == ("Black_Hair", "Blond_Hair", "Brown_Hair")
    assert data.default_domains("celeb_a", "cyclegan") == ("Black_Hair", "Blond_Hair")


@pytest.mark.parametrize("call, error, message", [
    (lambda d: data.dataset_domains("mnist"), data.DatasetError,
     "Dataset 'mnist' has no image domains: translation needs digits_domains, cycle_gan/<config> "
     "(e.g. cycle_gan/horse2zebra) or celeb_a."),
    (lambda d: data.to_domain(np.zeros([1, 8, 8, 1]), "upside_down"), ValueError,
     "Unknown digits_domains domain 'upside_down'; accepted: original, inverted, mirrored, rotated."),
    (lambda d: data.from_domain(np.zeros([8, 8, 1]), "rotated"), ValueError,
     "images must be a batch [N, H, W, C]; got shape (8, 8, 1)."),
    (lambda d: data.default_domains("digits_domains", "pix2pix"), ValueError,
     "family must be one of cyclegan, stargan; got 'pix2pix'."),
    (lambda d: data.translation_dataset("digits_domains", 4, family="gan", data_dir=d), ValueError,
     "family must be one of cyclegan, stargan; got 'gan'."),
    (lambda d: data.translation_dataset("digits_domains", 4, domains=("original", "blurred"), data_dir=d), ValueError,
     "Dataset 'digits_domains' has no domain 'blurred'; accepted: original, inverted, mirrored, rotated."),
    (lambda d: data.translation_dataset("digits_domains", 4, domains=("original", "original"), data_dir=d),
     ValueError, "domains must differ; 'original' is chosen twice in ('original', 'original')."),
    (lambda d: data.translation_dataset("digits_domains", 4, domains=data.DIGITS_DOMAINS[:3], data_dir=d),
     ValueError, "family 'cyclegan' translates between exactly 2 domains; got 3: "
                 "('original', 'inverted', 'mirrored')."),
    (lambda d: data.translation_input_fn("digits_domains", 4, domains=["rotated"], family="stargan", data_dir=d),
     ValueError, "family 'stargan' needs at least 2 domains; got 1: ('rotated',)."),
    (lambda d: data.translation_input_fn("digits_domains", 4, domains="original", data_dir=d), ValueError,
     "domains must be a list or tuple of domain names; got 'original'."),
    (lambda d: data.translation_input_fn("digits_domains", 0, data_dir=d), ValueError,
     "batch_size must be a positive integer; got 0."),
    (lambda d: data.translation_input_fn("ring", 4, data_dir=d), data.DatasetError,
     "Dataset 'ring' has no image domains"),
    (lambda d: data.domain_examples("digits_domains", TWO, "rotated", data_dir=d), ValueError,
     "domain 'rotated' is not one of the chosen domains; accepted: original, inverted."),
    (lambda d: data.translation_dataset("digits_domains", 1000, data_dir=d, repeat=False), ValueError,
     "batch_size 1000 exceeds the 899 examples of domain 'original' in split 'train' and repeat=False"),
    (lambda d: data.translation_dataset("digits_domains", 2, split="train[:1]", data_dir=d), data.DatasetError,
     "Dataset 'digits_domains' has no examples of domain "),  # one example: a domain is empty
    (lambda d: data.translation_dataset("digits_domains", 2, split="test", data_dir=d), data.DatasetError,
     "Dataset 'digits_domains' has no split 'test'"),
    (lambda d: data.domain_examples("cycle_gan/horse2zebra", ("A", "B"), "A", split="trainA"), data.DatasetError,
     "cycle_gan split must be 'train' or 'test', optionally sliced or joined"),
])
def test_errors_are_one_line_and_name_what_is_accepted(data_dir, call, error, message):
    with pytest.raises(error) as raised:
        call(data_dir)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


def test_cycle_gan_domains_read_their_own_splits():
    assert translation._cycle_gan_split("train", "A") == "trainA"
    assert translation._cycle_gan_split("test", "B") == "testB"
    assert translation._cycle_gan_split("train[:80%]", "B") == "trainB[:80%]"
    assert translation._cycle_gan_split("train+test[10:]", "A") == "trainA+testA[10:]"
    with tfds.testing.mock_data(num_examples=6):
        mocked = tfds.core.DatasetBuilder.as_dataset
        with mock.patch.object(tfds.core.DatasetBuilder, "as_dataset", autospec=True, side_effect=mocked) as spy:
            images, labels = _all(data.domain_examples("cycle_gan/horse2zebra", ("A", "B"), "B", split="test",
                                                       image_size=16))
            (x, y), (real_y, real_x) = next(iter(data.translation_dataset("cycle_gan/horse2zebra", 4, image_size=16,
                                                                          seed=0)))
        read = [call.kwargs["split"] for call in spy.call_args_list]
        with pytest.raises(data.DatasetError, match="varying size .*: pass image_size"):
            data.translation_dataset("cycle_gan/horse2zebra", 4)
    assert read == ["testB", "trainA", "trainB"]
    assert images.shape == (6, 16, 16, 3) and images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(labels, [-1] * 6)
    assert x.shape == y.shape == (4, 16, 16, 3) and x.dtype == tf.float32 and np.array_equal(real_x, x)


def test_celeb_a_domains_are_examples_with_exactly_one_chosen_attribute():
    hair = data.default_domains("celeb_a", "stargan")
    with tfds.testing.mock_data(num_examples=24):
        # (batch_size=-1 would abort: under the mock the split's size is unknown.)
        batches = tfds.as_numpy(tfds.builder("celeb_a").as_dataset(split="train").batch(1000))
        attributes = next(iter(batches))["attributes"]
        chosen = np.stack([attributes[h] for h in hair], axis=1)
        per_domain = [_all(data.domain_examples("celeb_a", hair, h, image_size=8)) for h in hair]
        (images, source, target), real = next(iter(data.translation_dataset("celeb_a", 4, family="stargan",
                                                                            image_size=8, seed=0)))
    exactly_one = chosen.sum(axis=1) == 1
    assert 0 < exactly_one.sum() < 24  # the mock has examples to keep and to skip
    for j, (domain_images, labels) in enumerate(per_domain):
        assert len(domain_images) == (exactly_one & chosen[:, j]).sum()
        assert domain_images.shape[1:] == (8, 8, 3) and np.all(labels == -1)
    assert images.shape == (4, 8, 8, 3) and source.shape == target.shape == (4, 3)
    assert np.array_equal(real, images)


def test_the_librarys_dataset_functions_are_traced_without_autograph(data_dir):
    """They branch on Python values only, and AutoGraph's rewriting of their source cost about 1 s of each
    program's start: tf.data must call them as written. AutoGraph routes every function it converts, and
    each call inside one, through `converted_call` (TFDS's own readers still go through it)."""
    from tensorflow.python.autograph.impl import api  # pylint: disable=import-outside-toplevel

    converted = []

    def spy(function, *args, **kwargs):
        converted.append(f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}")
        return real(function, *args, **kwargs)

    real = api.converted_call
    with mock.patch.object(api, "converted_call", spy):
        next(iter(data.gan_dataset("digits", 8, noise_dims=4, seed=0, structured_codes=(10, 2), data_dir=data_dir)))
        for family in ("cyclegan", "stargan"):
            next(iter(data.translation_dataset("digits_domains", 8, family=family, seed=0, data_dir=data_dir)))
    assert converted, "the spy saw nothing: AutoGraph no longer calls converted_call, so this test checks nothing"
    assert not [name for name in converted if name.startswith("gan.")], converted


def test_the_chosen_domains_are_read_from_one_pass_over_the_split_and_hold_what_their_filters_keep(data_dir):
    """digits_domains' chosen domains share one read of the split (each domain's own read took about 0.65 s), and
    each holds exactly the examples, in the same order, that its filtered stream (`domain_examples`) gives."""
    reads = []
    read_whole = pipeline._Examples.in_memory

    def counted(examples, *args, **kwargs):
        reads.append(args or kwargs)
        return read_whole(examples, *args, **kwargs)

    with mock.patch.object(pipeline._Examples, "in_memory", counted):
        next(iter(data.translation_dataset("digits_domains", 8, family="stargan", data_dir=data_dir, seed=0)))
    assert len(reads) == 1, reads
    domains = translation.DIGITS_DOMAINS
    held = translation._digits_domains_in_memory("digits_domains", domains, "train", data_dir, True, None)
    for domain in domains:
        streamed = list(data.domain_examples("digits_domains", domains, domain, data_dir=data_dir).batch(10_000))[0]
        for part, expected in zip(held[domain], streamed):
            np.testing.assert_array_equal(part.numpy(), expected.numpy())
