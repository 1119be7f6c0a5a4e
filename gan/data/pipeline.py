"""tf.data input pipelines for GANs: real examples in [-1, 1] and TF-GAN estimator batches.

One route for every dataset: a prepared TFDS builder (`gan.data.catalog`), its data
feature scaled to float32 [-1, 1] (images; 2-D points are kept as they are) and
optionally center-cropped and resized, then cache / shuffle / repeat / batch / noise
(datasets up to `GATHER_LIMIT_BYTES` decoded: batches gathered from one in-memory tensor
by an index shuffled each epoch).

Example:
    ds = gan_dataset('digits', batch_size=32, noise_dims=64, seed=0)
    noise, real = next(iter(ds))  # [32, 64], [32, 8, 8, 1]
"""
import random
from typing import Callable, NamedTuple, Optional

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from gan import checks
from gan.data.catalog import DatasetError, DatasetSpec, check_image_size, is_mocked, prepared_builder, spec_from_builder

CACHE_LIMIT_BYTES = 1 << 30  # Decoded float32 data up to 1 GiB is kept in memory after the first epoch.
SHUFFLE_BUFFER = 10_000
# Up to this much decoded data, batches are gathered from one in-memory tensor by shuffled
# index: tf.data's per-example shuffle and batch would cost more than a small model's
# step (ring, 2-D points: 1.28x the training rounds/s).
GATHER_LIMIT_BYTES = 64 << 20
DECODE_CHUNK_BYTES = 16 << 20  # raw examples decoded in one call when a split is read into memory
# The library's dataset functions (here, in translation.py, folder.py and the estimator) branch on
# Python values only, so tf.data traces them as written (`do_not_convert`): AutoGraph's rewriting
# of their source cost about 1 s of every program's start.


class _Examples(NamedTuple):
    """A split's examples as read: `raw` TFDS example dicts (the kept ones), `decode` mapping one raw
    example, or a batch of them, to `(data, label)`."""

    spec: DatasetSpec
    count: Optional[int]  # examples in the split (before `keep`), None when unknown
    raw: tf.data.Dataset
    decode: Callable
    raw_batches: Optional[Callable] = None  # batch size -> `raw` in batches, parsed a batch at a time (`_parsed_batches`)

    @property
    def decoded_bytes(self):
        """Bytes of the whole split (before `keep`) decoded as float32, None when its size is unknown:
        what decides whether it is read into memory (`GATHER_LIMIT_BYTES`) or cached."""
        return None if self.count is None else self.count * 4 * int(np.prod(self.spec.data_shape))

    def stream(self):
        """Unbatched `(data, label)`, decoded one example at a time."""
        return self.raw.map(self.decode, num_parallel_calls=tf.data.AUTOTUNE)

    def in_memory(self, columns=()):
        """`(data [N, ...], labels [N])` of every example, decoded `DECODE_CHUNK_BYTES` of raw data at a time,
        followed by the raw features named in `columns` (each [N, ...]), e.g. to select parts of the split.

        One decode call per chunk, not per example: the ring's 100,000 points are read in
        3.7-4.9 s against 7.2-7.5 s one by one (docs/benchmarks.md), and parsed from their
        files a chunk at a time too where `raw_batches` can. Examples whose raw shapes vary
        cannot share a batch and are decoded one by one.
        """
        decode = self.decode
        if columns:
            decode = tf.autograph.experimental.do_not_convert(
                lambda raw: (*self.decode(raw), *(raw[name] for name in columns)))
        specs = tf.nest.flatten(self.raw.element_spec)
        if not all(s.shape.is_fully_defined() for s in specs):
            batches = self.raw.map(decode, num_parallel_calls=tf.data.AUTOTUNE).batch(self.count)
        else:
            example_bytes = sum(4 * max(s.shape.num_elements(), 1) for s in specs)  # decoded as float32 at most
            chunk = max(1, DECODE_CHUNK_BYTES // example_bytes)
            batches = (self.raw_batches(chunk) if self.raw_batches else self.raw.batch(chunk)).map(decode)
        chunks = list(batches)
        if not chunks:
            return tuple(tf.zeros([0, *s.shape[1:]], s.dtype) for s in batches.element_spec)
        return tuple(tf.concat(part, axis=0) for part in zip(*chunks))


def _examples(name, split, data_dir, download, image_size, image_key, label_key, shuffle_files=False, seed=None,
              keep=None):
    """The `_Examples` of a split; `keep`, if given, is a predicate on the raw TFDS example dict: only
    the examples it holds true for are kept."""
    builder = prepared_builder(name, data_dir, download)
    spec = spec_from_builder(name, builder, image_key, label_key, image_size)
    size = check_image_size(image_size)
    try:
        dataset = builder.as_dataset(split=split, shuffle_files=shuffle_files,
                                     read_config=tfds.ReadConfig(shuffle_seed=seed))
    except (KeyError, ValueError) as error:
        raise DatasetError(f"Dataset {name!r} has no split {split!r} ({type(error).__name__}); accepted: "
                           f"{', '.join(spec.num_examples)}, or TFDS slices such as 'train[:80%]'.") from None
    try:
        num_examples = builder.info.splits[split].num_examples or None
    except KeyError:  # Split sizes unknown (e.g. under tfds.testing.mock_data): no cache, default buffer.
        num_examples = None

    @tf.autograph.experimental.do_not_convert
    def decode(example):
        data = example[spec.image_key]
        if spec.is_image:
            data = _scaled(data)
            if size is not None:
                data = _center_crop_resize(data, size)
        batch_dims = [None] * (data.shape.rank - len(spec.data_shape))
        data = tf.ensure_shape(tf.cast(data, tf.float32), batch_dims + list(spec.data_shape))
        if spec.label_key:
            return data, tf.cast(example[spec.label_key], tf.int64)
        return data, tf.fill(tf.shape(data)[:len(batch_dims)], tf.constant(-1, tf.int64))

    if keep is not None:
        return _Examples(spec, num_examples, dataset.filter(keep), decode)
    return _Examples(spec, num_examples, dataset, decode, _parsed_batches(builder, split))


def _parsed_batches(builder, split):
    """`batch_size -> tf.data.Dataset`: the examples of `split` that `builder.as_dataset` gives, in file
    order, read from their TFRecord files a batch at a time (`tf.io.parse_example`, then each feature's
    `decode_batch_example`), as TFDS's `SplitInfo.file_instructions` lets a user read them. None where
    that cannot be done: not a prepared TFRecord TFDS builder (a folder, `tfds.testing.mock_data`), or
    a feature not stored as one fixed-shape tensor.

    TFDS parses one record at a time: the ring's 100,000 points take about 4.7 s that way and
    0.2 s in batches (docs/benchmarks.md), seconds of every program that reads the ring or the grid.
    """
    info = builder.info if isinstance(builder, tfds.core.DatasetBuilder) and not is_mocked(builder) else None
    if info is None or info.file_format != tfds.core.FileFormat.TFRECORD:
        return None
    if not isinstance(info.features, tfds.features.FeaturesDict):
        return None
    stored = {name: feature.get_serialized_info() for name, feature in info.features.items()}
    if not all(isinstance(t, tfds.features.TensorInfo) and None not in t.shape and not t.sequence_rank
               and t.tf_dtype in _RECORD_DTYPES for t in stored.values()):
        return None
    try:
        instructions = info.splits[split].file_instructions
    except (KeyError, ValueError, TypeError):  # a split `as_dataset` reads but the split dict does not describe
        return None
    if not instructions:
        return None
    # tf.Example holds int64, float32 and bytes only: TFDS stores other integers and bools as int64.
    record_spec = {name: tf.io.FixedLenFeature(t.shape, _RECORD_DTYPES[t.tf_dtype], t.default_value)
                   for name, t in stored.items()}

    @tf.autograph.experimental.do_not_convert
    def parse(records):
        parsed = tf.io.parse_example(records, record_spec)
        return {name: feature.decode_batch_example(tf.cast(parsed[name], stored[name].tf_dtype))
                for name, feature in info.features.items()}

    def read(batch_size):  # the dataset is made only here: most opened splits are never read into memory
        files = tf.data.Dataset.from_tensor_slices(([str(i.filename) for i in instructions],
                                                    np.array([(i.skip, i.take) for i in instructions], np.int64)))
        records = files.flat_map(tf.autograph.experimental.do_not_convert(
            lambda path, skip_take: tf.data.TFRecordDataset(path).skip(skip_take[0]).take(skip_take[1])))
        return records.batch(batch_size).map(parse)

    return read


_RECORD_DTYPES = {**{d: tf.int64 for d in (tf.bool, tf.int8, tf.uint8, tf.int16, tf.uint16, tf.int32, tf.uint32,
                                           tf.int64)},
                  **{d: tf.float32 for d in (tf.float16, tf.bfloat16, tf.float32, tf.float64)}, tf.string: tf.string}


_kept_split = {}  # the last split read into memory, under the arguments it was read with


def _split_in_memory(examples, *read_with):
    """`examples.in_memory()`, kept for the next call with the same `read_with` arguments: a run's
    evaluations read the split its training read, and would decode it again each time."""
    if read_with not in _kept_split:
        _kept_split.clear()  # one split at a time: it may be tens of MiB
        _kept_split[read_with] = examples.in_memory()
    return _kept_split[read_with]


def _scaled(image):
    """Pixels onto [-1, 1]: integers 0..max as (x - max/2) / (max/2), floats (TFDS's [0, 1]) as 2x - 1.

    Centred on max/2, the map is odd-symmetric: an inverted image (max - x) scales to
    exactly -1 times the image's scaled pixels, and 0 / max to exactly -1 / 1.
    """
    if image.dtype.is_integer:
        half = image.dtype.max / 2.0
        return (tf.cast(image, tf.float32) - half) / half
    return tf.cast(image, tf.float32) * 2.0 - 1.0


def _center_crop_resize(image, size):
    """Crop the largest centred box with the target's aspect ratio, then resize (no distortion); `image`
    is [H, W, C] or a batch of them."""
    height, width = tf.shape(image)[-3], tf.shape(image)[-2]
    target_h, target_w = size
    # Box of aspect target_h:target_w that fits: limited by height or by width.
    crop_h = tf.minimum(height, (width * target_h) // target_w)
    crop_w = tf.minimum(width, (height * target_w) // target_h)
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    image = image[..., top:top + crop_h, left:left + crop_w, :]
    image = tf.image.resize(image, size, method="bilinear", antialias=True)
    # Antialiased bilinear weights sum to 1 but round in float32: clip the last ulp back into [-1, 1].
    return tf.clip_by_value(image, -1.0, 1.0)


def real_dataset(name, split="train", data_dir=None, download=True, image_size=None, image_key=None,
                 label_key=None):
    """Unbatched `(data, label)` of a dataset in file order: data float32 in [-1, 1] (points as-is), label int64.

    The label is -1 when the dataset has no ClassLabel feature. Used by evaluation
    (classifier training, real-data statistics).

    Example:
        for image, label in real_dataset('digits').take(1):
            image.shape  # (8, 8, 1)
    """
    return _examples(name, split, data_dir, download, image_size, image_key, label_key).stream()


def gathered_batches(data, labels, batch_size, shuffle=True, repeat=True, seed=0, epoch_order=None):
    """Full batches `(data[i], labels[i])` gathered from in-memory tensors by index: one epoch, or endless
    with `repeat`; each epoch's last partial batch is dropped.

    An epoch is `epoch_order(epoch)` (int32 indices; `epoch` an int64 scalar tensor), by default
    all examples, in a fresh order from `(seed, epoch)` when `shuffle`. An epoch must hold at
    least `batch_size` indices, else it yields no batch.

    Example:
        batches = gathered_batches(tf.zeros([10, 2]), tf.range(10), batch_size=4, seed=0)
        data, labels = next(iter(batches))  # [4, 2], [4]
    """
    if epoch_order is None:
        count = tf.shape(data)[0]

        def epoch_order(epoch):
            order = tf.range(count)
            if shuffle:
                order = tf.random.experimental.stateless_shuffle(order, seed=tf.stack([tf.constant(seed, tf.int64),
                                                                                      epoch]))
            return order

    @tf.autograph.experimental.do_not_convert
    def epoch_batches(epoch):
        order = epoch_order(epoch)
        usable = tf.shape(order)[0] // batch_size * batch_size
        return tf.data.Dataset.from_tensor_slices(tf.reshape(order[:usable], [-1, batch_size]))

    epochs = tf.data.Dataset.counter() if repeat else tf.data.Dataset.range(1)
    return epochs.flat_map(epoch_batches).map(tf.autograph.experimental.do_not_convert(
        lambda index: (tf.gather(data, index), tf.gather(labels, index))))


def gan_dataset(name, batch_size, noise_dims=64, conditional=False, split="train", data_dir=None, download=True,
                image_size=None, image_key=None, label_key=None, shuffle=True, repeat=True, seed=None,
                structured_codes=None):
    """TF-GAN estimator batches `(generator_inputs, real_data)`, each batch full (drop_remainder).

    generator_inputs is float32 noise [batch, noise_dims] ~ N(0, 1), or with
    `conditional=True` the pair `(noise, one_hot_labels)` of the real batch's labels
    (float32 [batch, num_classes]). With `structured_codes=(C, N)` (InfoGAN's, no labels
    read) it is `(noise, categorical_code, continuous_code)`: a uniformly drawn one-hot
    [batch, C] and uniform [-1, 1] values [batch, N] (TF-GAN's InfoGAN example's choice;
    N=0 leaves the pair `(noise, categorical_code)`). With a `seed`, file order, shuffling
    and noise are reproducible: batch i's noise is `stateless_normal(seed=(seed, i))`.

    Example:
        (noise, labels), images = next(iter(gan_dataset('digits', 16, conditional=True, seed=1)))
        labels.shape  # (16, 10)
    """
    checks.positive_int("batch_size", batch_size)
    checks.positive_int("noise_dims", noise_dims)
    if structured_codes is not None and conditional:
        raise ValueError("structured_codes (InfoGAN's) and conditional=True exclude each other: an InfoGAN "
                         "learns without labels")
    examples = _examples(name, split, data_dir, download, image_size, image_key, label_key, shuffle_files=shuffle,
                         seed=seed)
    spec, num_examples = examples.spec, examples.count
    if conditional and spec.num_classes is None:
        raise DatasetError(f"Dataset {name!r} has no ClassLabel feature, so conditional=True cannot work: "
                           "pass label_key or use conditional=False.")
    if not repeat and num_examples is not None and batch_size > num_examples:
        raise ValueError(f"batch_size {batch_size} exceeds the {num_examples} examples of split {split!r} "
                         "and repeat=False: every batch would be dropped.")
    data_bytes = examples.decoded_bytes
    noise_seed = seed if seed is not None else random.SystemRandom().randrange(2 ** 31)
    if data_bytes is not None and data_bytes <= GATHER_LIMIT_BYTES and batch_size <= num_examples:
        data, labels = _split_in_memory(examples, name, split, data_dir, download, check_image_size(image_size),
                                        image_key, label_key, shuffle, seed)
        dataset = gathered_batches(data, labels, batch_size, shuffle, repeat, noise_seed)
    else:
        dataset = examples.stream()
        if data_bytes is not None and data_bytes <= CACHE_LIMIT_BYTES:
            dataset = dataset.cache()
        if shuffle:
            dataset = dataset.shuffle(min(num_examples or SHUFFLE_BUFFER, SHUFFLE_BUFFER), seed=seed)
        if repeat:
            dataset = dataset.repeat()
        dataset = dataset.batch(batch_size, drop_remainder=True)
    num_classes = spec.num_classes

    @tf.autograph.experimental.do_not_convert
    def add_generator_inputs(index, batch):
        data, labels = batch
        noise = tf.random.stateless_normal(
            [batch_size, noise_dims], seed=tf.stack([tf.constant(noise_seed, tf.int64), index]))
        if conditional:
            return (noise, tf.one_hot(labels, num_classes, dtype=tf.float32)), data
        if structured_codes:
            return structured_inputs(noise, structured_codes, tf.stack([tf.constant(noise_seed, tf.int64), index])), data
        return noise, data

    dataset = dataset.enumerate().map(add_generator_inputs, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def structured_inputs(noise, structured_codes, seed):
    """InfoGAN generator inputs `(noise, categorical_code, continuous_code)` for a noise batch: codes
    drawn from `seed` (a shape-[2] stateless seed), as `gan_dataset` describes.

    Example:
        noise, code, continuous = structured_inputs(tf.zeros([4, 8]), (10, 2), tf.constant([0, 1], tf.int64))
    """
    categorical, continuous = structured_codes
    batch = tf.shape(noise)[0]
    codes_seed = tf.random.experimental.stateless_fold_in(seed, 1)
    ids = tf.random.stateless_uniform([batch], codes_seed, 0, categorical, dtype=tf.int32)
    inputs = (noise, tf.one_hot(ids, categorical, dtype=tf.float32))
    if continuous:
        inputs += (tf.random.stateless_uniform([batch, continuous], tf.random.experimental.stateless_fold_in(
            seed, 2), -1.0, 1.0),)
    return inputs


def gan_input_fn(name, batch_size, noise_dims=64, conditional=False, split="train", data_dir=None, download=True,
                 image_size=None, image_key=None, label_key=None, shuffle=True, repeat=True, seed=None,
                 structured_codes=None):
    """A zero-argument `input_fn` (TF-GAN's estimator style) returning `gan_dataset(...)` with these arguments.

    Example:
        estimator.train(gan_input_fn('ring', batch_size=256), max_steps=1000)
    """
    checks.positive_int("batch_size", batch_size)
    checks.positive_int("noise_dims", noise_dims)
    check_image_size(image_size)

    def input_fn():
        return gan_dataset(name, batch_size, noise_dims=noise_dims, conditional=conditional, split=split,
                           data_dir=data_dir, download=download, image_size=image_size, image_key=image_key,
                           label_key=label_key, shuffle=shuffle, repeat=repeat, seed=seed,
                           structured_codes=structured_codes)

    return input_fn
