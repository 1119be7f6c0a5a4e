"""Image-to-image translation data (CycleGAN, StarGAN): datasets of images in several domains.

Three datasets offer domains: the embedded `digits_domains` (the digits as `original`,
`inverted`, `mirrored` and `rotated`, each a known transform: `to_domain` / `from_domain`),
TFDS's `cycle_gan/<config>` (domains `A` and `B`, its splits trainA/trainB/testA/testB)
and `celeb_a` (a domain per boolean attribute; the chosen ones must exclude each other, so
an example with none or several of them is skipped).

On `digits_domains` the k chosen domains are drawn from disjoint subsets of the source
images (domain j keeps the images whose `index % k == j`), so no image is ever seen next
to its own translation: unpaired data, as CycleGAN and StarGAN assume.

Example:
    from gan import data
    (x, y), (y_real, x_real) = next(iter(data.translation_dataset('digits_domains', 16, seed=0)))
    (images, source, target), real = next(iter(data.translation_dataset('digits_domains', 16, family='stargan')))
"""
import random
import re

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from gan import checks
from gan.data import pipeline
from gan.data.catalog import check_image_size
from gan.data.embedded import DIGIT_DOMAIN_TRANSFORMS
from gan.data.errors import DatasetError
from gan.names import FIXED_DOMAINS, TRANSLATION_DATASETS, TRANSLATION_FAMILIES

DIGITS_DOMAINS = tuple(DIGIT_DOMAIN_TRANSFORMS)  # ("original", "inverted", "mirrored", "rotated"), the builder's
CYCLE_GAN_DOMAINS = FIXED_DOMAINS["cycle_gan"]
CELEB_A_HAIR_COLOURS = ("Black_Hair", "Blond_Hair", "Brown_Hair")  # StarGAN's (Choi et al. 2018) CelebA domains
FAMILIES = TRANSLATION_FAMILIES
_NEEDED = "translation needs digits_domains, cycle_gan/<config> (e.g. cycle_gan/horse2zebra) or celeb_a"
_CYCLE_GAN_SPLIT = re.compile(r"(train|test)(\[[^\]]*\])?")


def _transform(images, domain, inverse):
    """`images` [N, H, W, C] in [-1, 1] moved into (or, with `inverse`, out of) a digits_domains domain."""
    if domain not in DIGITS_DOMAINS:
        raise ValueError(f"Unknown digits_domains domain {domain!r}; accepted: {', '.join(DIGITS_DOMAINS)}.")
    is_tensor = tf.is_tensor(images)
    if not is_tensor:
        images = np.asarray(images)
    rank = images.shape.rank if is_tensor else images.ndim
    if rank is not None and rank != 4:
        raise ValueError(f"images must be a batch [N, H, W, C]; got shape {tuple(images.shape)}.")
    if domain == "original":
        return images
    if domain == "inverted":  # 255 - x on uint8 pixels is exactly -x on [-1, 1]: its own inverse.
        return -images
    if domain == "mirrored":  # a left-right flip is its own inverse
        return tf.reverse(images, axis=[2]) if is_tensor else images[:, :, ::-1].copy()
    turns = -1 if inverse else 1  # counter-clockwise quarter turns of the H, W plane
    return tf.image.rot90(images, k=turns % 4) if is_tensor else np.rot90(images, k=turns, axes=(1, 2)).copy()


def to_domain(images, domain):
    """`images` [N, H, W, C] in [-1, 1] as digits_domains' `domain` renders them (numpy in, numpy out; tf in, tf out).

    Example:
        to_domain(np.ones([2, 8, 8, 1]), 'inverted')  # all -1
    """
    return _transform(images, domain, inverse=False)


def from_domain(images, domain):
    """The inverse of `to_domain`: `images` of digits_domains' `domain` back as original digits.

    Example:
        from_domain(to_domain(images, 'rotated'), 'rotated')  # == images
    """
    return _transform(images, domain, inverse=True)


def _kind(name):
    """Which translation dataset `name` is: 'digits_domains', 'cycle_gan' or 'celeb_a' (base name, no config)."""
    base = name.split("/")[0].split(":")[0] if isinstance(name, str) else None
    if base not in TRANSLATION_DATASETS:
        raise DatasetError(f"Dataset {name!r} has no image domains: {_NEEDED}.")
    return base


def dataset_domains(name):
    """The domain names dataset `name` offers: DIGITS_DOMAINS, ('A', 'B') for cycle_gan/*, celeb_a's 40 attributes.

    Example:
        dataset_domains('cycle_gan/horse2zebra')  # ('A', 'B')
    """
    kind = _kind(name)
    if kind == "digits_domains":
        return DIGITS_DOMAINS
    if kind == "cycle_gan":
        return CYCLE_GAN_DOMAINS
    try:  # The attributes are in the builder's code: no download, no data dir needed.
        return tuple(tfds.builder(name).info.features["attributes"].keys())
    except (ValueError, KeyError, tfds.core.registered.DatasetNotFoundError) as error:
        raise DatasetError(f"Dataset {name!r}: no boolean `attributes` to take domains from "
                           f"({type(error).__name__}); {_NEEDED}.") from None


def default_domains(name, family):
    """The domains a `family` ('cyclegan' or 'stargan') translates between on `name` when none are chosen.

    CycleGAN: digits_domains ('original', 'inverted'), cycle_gan/* ('A', 'B'), celeb_a
    ('Black_Hair', 'Blond_Hair'). StarGAN: all four digits_domains, cycle_gan/* ('A', 'B'),
    celeb_a's hair colours ('Black_Hair', 'Blond_Hair', 'Brown_Hair') as in Choi et al. 2018.

    Example:
        default_domains('celeb_a', 'stargan')  # ('Black_Hair', 'Blond_Hair', 'Brown_Hair')
    """
    family = _check_family(family)
    kind = _kind(name)
    if kind == "cycle_gan":
        return CYCLE_GAN_DOMAINS
    if kind == "digits_domains":
        return DIGITS_DOMAINS[:2] if family == "cyclegan" else DIGITS_DOMAINS
    return CELEB_A_HAIR_COLOURS[:2] if family == "cyclegan" else CELEB_A_HAIR_COLOURS


def _check_family(family):
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}.")
    return family


def _check_domains(name, domains, family=None):
    """`domains` as a tuple, each offered by `name`, none repeated, as many as `family` needs (if given)."""
    if isinstance(domains, str) or not isinstance(domains, (list, tuple)):
        raise ValueError(f"domains must be a list or tuple of domain names; got {domains!r}.")
    offered = dataset_domains(name)
    for domain in domains:
        if domain not in offered:
            raise ValueError(f"Dataset {name!r} has no domain {domain!r}; accepted: {', '.join(offered)}.")
    repeated = sorted({d for d in domains if list(domains).count(d) > 1})
    if repeated:
        raise ValueError(f"domains must differ; {repeated[0]!r} is chosen twice in {tuple(domains)}.")
    if family == "cyclegan" and len(domains) != 2:
        raise ValueError(f"family 'cyclegan' translates between exactly 2 domains; got {len(domains)}: "
                         f"{tuple(domains)}.")
    if family == "stargan" and len(domains) < 2:
        raise ValueError(f"family 'stargan' needs at least 2 domains; got {len(domains)}: {tuple(domains)}.")
    return tuple(domains)


def _cycle_gan_split(split, domain):
    """cycle_gan's split of `domain` for a split named like any other dataset's: 'train[:80%]' -> 'trainA[:80%]'."""
    parts = split.split("+") if isinstance(split, str) else [None]
    matches = [_CYCLE_GAN_SPLIT.fullmatch(part.strip()) if part else None for part in parts]
    if not all(matches):
        raise DatasetError(f"cycle_gan split must be 'train' or 'test', optionally sliced or joined (e.g. "
                           f"'train[:80%]', 'train+test'), which read trainA/testA for domain A; got {split!r}.")
    return "+".join(m.group(1) + domain + (m.group(2) or "") for m in matches)


def _in_digits_domain(domain_ids, indices, domains, domain):
    """Whether digits_domains examples (their `domain` and `index` features, one or a batch) belong to
    the chosen `domain`: domain j of k takes its images from the source images with index % k == j."""
    return tf.logical_and(tf.equal(domain_ids, DIGITS_DOMAINS.index(domain)),
                          tf.equal(indices % len(domains), domains.index(domain)))


def _digits_domains_in_memory(name, domains, split, data_dir, download, image_size):
    """{domain: (images, digits)} of each chosen digits_domains domain, from one read of the split
    (each domain's own filtered read took about 0.65 s: 2.6 s of StarGAN's four), or {} when the
    split is too large to hold in memory (`pipeline.GATHER_LIMIT_BYTES`)."""
    examples = pipeline._examples(name, split, data_dir, download, image_size, "image", "label")
    if examples.decoded_bytes is None or examples.decoded_bytes > pipeline.GATHER_LIMIT_BYTES:
        return {}
    images, digits, domain_ids, indices = examples.in_memory(columns=("domain", "index"))
    masks = {domain: _in_digits_domain(domain_ids, indices, domains, domain) for domain in domains}
    return {domain: (tf.boolean_mask(images, mask), tf.boolean_mask(digits, mask)) for domain, mask in masks.items()}


def _source(name, domains, domain, split, data_dir, download, image_size, shuffle_files=False, seed=None):
    """The `pipeline._Examples` of one chosen domain (its count an upper bound: the split's)."""
    kind = _kind(name)
    if kind == "digits_domains":
        @tf.autograph.experimental.do_not_convert
        def keep(example):
            return _in_digits_domain(example["domain"], example["index"], domains, domain)

        return pipeline._examples(name, split, data_dir, download, image_size, "image", "label", shuffle_files,
                                  seed, keep=keep)
    if kind == "cycle_gan":
        examples = pipeline._examples(name, _cycle_gan_split(split, domain), data_dir, download, image_size, "image",
                                      None, shuffle_files, seed)

        @tf.autograph.experimental.do_not_convert
        def unlabelled(example):  # a cycle_gan label only says which split (domain) an image is from
            image, label = examples.decode(example)
            return image, tf.fill(tf.shape(label), tf.constant(-1, tf.int64))

        return examples._replace(decode=unlabelled)

    @tf.autograph.experimental.do_not_convert
    def exactly_this_one(example):  # celeb_a: `domain` true, every other chosen attribute false
        attributes = example["attributes"]
        chosen = tf.add_n([tf.cast(attributes[d], tf.int32) for d in domains])
        return tf.logical_and(attributes[domain], tf.equal(chosen, 1))

    return pipeline._examples(name, split, data_dir, download, image_size, "image", None, shuffle_files, seed,
                              keep=exactly_this_one)


def domain_examples(name, domains, domain, split="train", data_dir=None, download=True, image_size=None):
    """Unbatched `(image float32 [H, W, C] in [-1, 1], label int64)` of one of the chosen `domains`, in file order.

    The label is the digit for digits_domains, else -1. On digits_domains the chosen
    domains come from disjoint source images (see the module docstring); on celeb_a an
    example belongs to `domain` when that is the only one of `domains` it has.

    Example:
        for image, digit in domain_examples('digits_domains', ('original', 'inverted'), 'inverted').take(1):
            image.shape  # (8, 8, 1)
    """
    domains = _check_domains(name, domains)
    if domain not in domains:
        raise ValueError(f"domain {domain!r} is not one of the chosen domains; accepted: {', '.join(domains)}.")
    check_image_size(image_size)
    return _source(name, domains, domain, split, data_dir, download, image_size).stream()


def _seed(base, *salt):
    """A 31-bit seed derived from `base` and `salt`, so each domain and draw gets its own stream."""
    return int(np.random.SeedSequence([base % 2 ** 32, *salt]).generate_state(1)[0] >> 1)


class _Domain:
    """One chosen domain's examples: in memory (`data`, `labels`; read from `examples` unless `in_memory`
    gives them) when small, else the stream `examples`."""

    def __init__(self, examples, name, domain, split, in_memory=None):
        self.spec, self.count, self.examples, self.domain = examples.spec, examples.count, examples.stream(), domain
        self.data = self.labels = None
        split_bytes = examples.decoded_bytes
        self.fits_cache = split_bytes is not None and split_bytes <= pipeline.CACHE_LIMIT_BYTES
        if split_bytes is not None and split_bytes <= pipeline.GATHER_LIMIT_BYTES:
            self.data, self.labels = examples.in_memory() if in_memory is None else in_memory
            self.count = int(self.data.shape[0])
            if not self.count:
                raise DatasetError(f"Dataset {name!r} has no examples of domain {domain!r} in split {split!r}.")

    def stream(self, shuffle, repeat, seed):
        """Unbatched `(image, label)`, shuffled when `shuffle` and endless when `repeat`."""
        if self.data is not None:
            examples, buffer = tf.data.Dataset.from_tensor_slices((self.data, self.labels)), self.count
        else:
            examples = self.examples.cache() if self.fits_cache else self.examples
            buffer = min(self.count or pipeline.SHUFFLE_BUFFER, pipeline.SHUFFLE_BUFFER)
        if shuffle:
            examples = examples.shuffle(max(buffer, 1), seed=seed)
        return examples.repeat() if repeat else examples


def _too_few(batch_size, count, what, split):
    return ValueError(f"batch_size {batch_size} exceeds the {count} examples of {what} in split {split!r} "
                      "and repeat=False: every batch would be dropped.")


def _domain_batches(source, batch_size, shuffle, repeat, seed, split):
    """Full batches of one domain's images [B, H, W, C]."""
    if source.data is not None and not repeat and source.count < batch_size:
        raise _too_few(batch_size, source.count, f"domain {source.domain!r}", split)
    if source.data is not None and source.count >= batch_size:
        batches = pipeline.gathered_batches(source.data, source.labels, batch_size, shuffle, repeat, seed)
    else:
        batches = source.stream(shuffle, repeat, seed).batch(batch_size, drop_remainder=True)
    return batches.map(tf.autograph.experimental.do_not_convert(lambda images, _: images))


def _mixed_batches(sources, batch_size, shuffle, repeat, seed, split):
    """Full batches `(images, domain numbers)` drawn from all domains, each domain equally likely.

    In memory: each epoch takes as many examples of every domain as the smallest has (a fresh
    subset each epoch), interleaved and then shuffled. Streamed: examples sampled from the
    domains with equal weights (round-robin unshuffled); with repeat=False it ends when a
    domain runs out.
    """
    k = len(sources)
    if all(s.data is not None for s in sources):
        per_domain = min(s.count for s in sources)
        if k * per_domain >= batch_size:
            data = tf.concat([s.data for s in sources], axis=0)
            numbers = tf.concat([tf.fill([s.count], j) for j, s in enumerate(sources)], axis=0)
            offsets = np.cumsum([0] + [s.count for s in sources])[:-1]
            domain_seeds = [_seed(seed, 0, j) for j in range(k)]
            union_seed = _seed(seed, 1)

            def epoch_order(epoch):
                taken = []
                for j, source in enumerate(sources):
                    order = tf.range(source.count)
                    if shuffle:
                        order = tf.random.experimental.stateless_shuffle(
                            order, seed=tf.stack([tf.constant(domain_seeds[j], tf.int64), epoch]))
                    taken.append(order[:per_domain] + int(offsets[j]))
                order = tf.reshape(tf.stack(taken, axis=1), [-1])  # round-robin: d0, d1, ..., d0, d1, ...
                if shuffle:
                    order = tf.random.experimental.stateless_shuffle(
                        order, seed=tf.stack([tf.constant(union_seed, tf.int64), epoch]))
                return order

            return pipeline.gathered_batches(data, numbers, batch_size, shuffle, repeat, epoch_order=epoch_order)
        if not repeat:
            raise _too_few(batch_size, k * per_domain, f"{k} balanced domains", split)
    streams = [s.stream(shuffle, repeat, _seed(seed, 0, j)).map(tf.autograph.experimental.do_not_convert(
                   lambda image, _, j=j: (image, tf.constant(j, tf.int32))))
               for j, s in enumerate(sources)]
    if shuffle:
        mixed = tf.data.Dataset.sample_from_datasets(streams, weights=[1.0 / k] * k, seed=_seed(seed, 1),
                                                     stop_on_empty_dataset=True)
    else:
        mixed = tf.data.Dataset.choose_from_datasets(streams, tf.data.Dataset.range(k).repeat())
    return mixed.batch(batch_size, drop_remainder=True)


def translation_dataset(name, batch_size, domains=None, family="cyclegan", split="train", data_dir=None,
                        download=True, image_size=None, shuffle=True, repeat=True, seed=None):
    """Full batches of images of several domains for a translation `family` (float32 [B, H, W, C] in [-1, 1]).

    'cyclegan' (exactly 2 domains): `((x, y), (y, x))`, x a batch of domains[0] and y an
    independent batch of domains[1] (generator inputs, then real data). 'stargan' (2 or
    more): `((images, source_one_hot, target_one_hot), images)`: images of all the domains
    (each equally likely), their domain one-hot [B, k] and a target domain drawn uniformly
    from all k, float32 [B, k]. `domains` default to `default_domains(name, family)`. Each
    domain is shuffled on its own; with a `seed` order and targets are reproducible (batch
    i's targets come from `(seed, i)`).

    Example:
        (x, y), (real_y, real_x) = next(iter(translation_dataset('digits_domains', 32, seed=0)))
        x.shape  # (32, 8, 8, 1)
    """
    family = _check_family(family)
    checks.positive_int("batch_size", batch_size)
    check_image_size(image_size)
    domains = _check_domains(name, default_domains(name, family) if domains is None else domains, family)
    base_seed = seed if seed is not None else random.SystemRandom().randrange(2 ** 31)
    # digits_domains is one file, read in its order whether or not files are shuffled: one read serves every domain.
    read = (_digits_domains_in_memory(name, domains, split, data_dir, download, image_size)
            if _kind(name) == "digits_domains" else {})
    sources = [_Domain(_source(name, domains, domain, split, data_dir, download, image_size, shuffle_files=shuffle,
                               seed=_seed(base_seed, 2, j)), name, domain, split, read.get(domain))
               for j, domain in enumerate(domains)]
    if family == "cyclegan":
        x, y = (_domain_batches(source, batch_size, shuffle, repeat, _seed(base_seed, 0, j), split)
                for j, source in enumerate(sources))
        dataset = tf.data.Dataset.zip(x, y).map(tf.autograph.experimental.do_not_convert(lambda x, y: ((x, y), (y, x))))
        return dataset.prefetch(tf.data.AUTOTUNE)
    k = len(domains)
    target_seed = _seed(base_seed, 3)

    @tf.autograph.experimental.do_not_convert
    def add_domains(index, batch):
        images, numbers = batch
        targets = tf.random.stateless_uniform([batch_size], tf.stack([tf.constant(target_seed, tf.int64), index]),
                                              minval=0, maxval=k, dtype=tf.int32)
        return (images, tf.one_hot(numbers, k, dtype=tf.float32), tf.one_hot(targets, k, dtype=tf.float32)), images

    dataset = _mixed_batches(sources, batch_size, shuffle, repeat, base_seed, split).enumerate().map(
        add_domains, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def translation_input_fn(name, batch_size, domains=None, family="cyclegan", split="train", data_dir=None,
                         download=True, image_size=None, shuffle=True, repeat=True, seed=None):
    """A zero-argument `input_fn` returning `translation_dataset(...)` with these arguments (checked now).

    Example:
        estimator.train(translation_input_fn('digits_domains', 32, family='stargan'), max_steps=1000)
    """
    family = _check_family(family)
    checks.positive_int("batch_size", batch_size)
    check_image_size(image_size)
    _check_domains(name, default_domains(name, family) if domains is None else domains, family)

    def input_fn():
        return translation_dataset(name, batch_size, domains=domains, family=family, split=split, data_dir=data_dir,
                                   download=download, image_size=image_size, shuffle=shuffle, repeat=repeat,
                                   seed=seed)

    return input_fn
