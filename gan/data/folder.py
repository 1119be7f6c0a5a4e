"""A folder of PNG/JPEG images as a dataset: `gan.data` takes a path wherever it takes a TFDS name.

    my_faces/                      # class sub-folders become labels (sorted names: 0, 1, ...)
      smiling/001.png ...
      neutral/002.jpg ...

Images directly in the folder (no sub-folders) make an unlabelled dataset. Every image
is one example of the `train` split; the `image` feature is uint8 [H, W, C] with C = 1
when every image is greyscale, else 3. Images of different sizes need `image_size`.

Example:
    spec = gan.data.describe('./my_faces', image_size=64)  # DatasetSpec(..., data_shape=(64, 64, 3), num_classes=2)
    input_fn = gan.data.gan_input_fn('./my_faces', batch_size=32, image_size=64)
"""
import hashlib
import os
import types

import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from gan.data.errors import DatasetError

EXTENSIONS = (".png", ".jpg", ".jpeg")
SPLIT = "train"


class ImageFolder:
    """The part of a TFDS builder's interface `gan.data` uses (`info`, `as_dataset`), over a folder of images.

    Raises `DatasetError` (one line) for a missing folder, one without images, or one
    that mixes loose images with class sub-folders.

    Example:
        ImageFolder('./my_faces').info.features['label'].names  # ['neutral', 'smiling']
    """

    def __init__(self, root):
        root = os.path.expanduser(root)
        if not os.path.isdir(root):
            raise DatasetError(f"Dataset folder {root!r} does not exist; pass a folder of PNG/JPEG images "
                               "(class sub-folders become labels) or a dataset name.")
        self.root = os.path.abspath(root)
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(self.root) for f in fs
                       if f.lower().endswith(EXTENSIONS))
        if not files:
            raise DatasetError(f"Dataset folder {root!r} holds no {'/'.join(EXTENSIONS)} images.")
        classes = sorted({os.path.relpath(f, self.root).split(os.sep)[0] for f in files if
                          os.path.dirname(f) != self.root})
        if classes and any(os.path.dirname(f) == self.root for f in files):
            raise DatasetError(f"Dataset folder {root!r} mixes images with class sub-folders: move the loose "
                               "images into a sub-folder, or remove the sub-folders for an unlabelled dataset.")
        self.files = files
        self.labels = [classes.index(os.path.relpath(f, self.root).split(os.sep)[0]) for f in files] if classes \
            else None
        sizes, modes = set(), set()
        for path in files:  # headers only: PIL decodes pixels lazily
            with Image.open(path) as image:
                sizes.add(image.size)
                modes.add(image.mode)
        self.channels = 1 if modes <= {"L", "1", "I;16"} else 3
        width, height = sizes.pop() if len(sizes) == 1 else (None, None)
        features = {"image": tfds.features.Image(shape=(height, width, self.channels))}
        if classes:
            features["label"] = tfds.features.ClassLabel(names=classes)
        digest = hashlib.sha256("\n".join(f"{f}:{os.path.getmtime(f)}" for f in files).encode()).hexdigest()
        self.name = os.path.basename(self.root)
        self.data_dir_root = self.root
        self.info = types.SimpleNamespace(
            features=tfds.features.FeaturesDict(features), version=digest[:12],
            splits={SPLIT: types.SimpleNamespace(num_examples=len(files))})

    def is_prepared(self):
        """Always: the images are read where they are."""
        return True

    def as_dataset(self, split=SPLIT, shuffle_files=False, read_config=None):
        """`{'image': uint8 [H, W, C], 'label': int64}` per image (no label when unlabelled), in file order
        unless `shuffle_files`."""
        if split != SPLIT:
            raise ValueError(f"an image folder has one split, {SPLIT!r}")
        columns = {"path": self.files, **({"label": self.labels} if self.labels is not None else {})}
        dataset = tf.data.Dataset.from_tensor_slices(columns)
        if shuffle_files:
            dataset = dataset.shuffle(len(self.files), seed=getattr(read_config, "shuffle_seed", None))
        channels = self.channels

        @tf.autograph.experimental.do_not_convert
        def decode(example):
            image = tf.io.decode_image(tf.io.read_file(example["path"]), channels=channels, expand_animations=False)
            return {"image": image, **({"label": tf.cast(example["label"], tf.int64)} if "label" in example else {})}

        return dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
