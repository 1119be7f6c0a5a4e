"""Find a dataset by name, make sure it is prepared, and describe what it holds.

Every dataset, embedded or not, is a TFDS builder: `tfds.builder(name)` finds it,
`download_and_prepare` writes it into the data dir (offline for the embedded ones),
and its `info` says which feature is the data and which the class label.
"""
import collections
import os
import shutil
import socket
import urllib.parse

import numpy as np
import tensorflow_datasets as tfds
from absl import logging

from gan.data import embedded  # noqa: F401  (registers the embedded datasets with TFDS)
from gan.data import folder
from gan.data.errors import DatasetError
from gan.names import EMBEDDED_DATASETS as EMBEDDED
from gan.names import is_image_folder
from gan.names import unknown_dataset_message

DATA_DIR_ENV = "GAN_DATA_DIR"
_SNAPSHOT_DEPTH = 3  # data_dir/downloads/<dataset>/<file>: deep enough to see TFDS's partial files.


DatasetSpec = collections.namedtuple(
    "DatasetSpec", ["name", "data_shape", "num_classes", "is_image", "image_key", "label_key", "num_examples"])
DatasetSpec.__doc__ = """What a dataset yields through `gan.data`.

name: the name asked for; data_shape: one example's shape, e.g. (28, 28, 1) or (2,)
(after `image_size`); num_classes: None when unlabelled; is_image: False for 2-D points;
image_key: the feature holding the data (an Image, or the `point` tensor of 2-D data);
label_key: the ClassLabel feature or None; num_examples: {split: count}.

Example:
    describe('ring').data_shape  # (2,)
"""


def resolve_data_dir(data_dir=None):
    """The data dir to use: `data_dir`, else $GAN_DATA_DIR, else None (TFDS's default, ~/tensorflow_datasets).

    Example:
        resolve_data_dir('/tmp/tfds')  # '/tmp/tfds'
    """
    return data_dir or os.environ.get(DATA_DIR_ENV) or None


def prepared_builder(name, data_dir=None, download=True):
    """The TFDS builder for `name`, prepared in `data_dir` (embedded datasets are always prepared offline).

    Raises DatasetError (one line) for an unknown name, or for a dataset that is not
    prepared and may not (`download=False`) or could not be downloaded.

    Example:
        prepared_builder('digits', data_dir='/tmp/tfds').info.splits['train'].num_examples  # 1797
    """
    if not isinstance(name, str) or not name:
        raise DatasetError(f"Dataset name must be a non-empty string; got {name!r}.")
    if is_image_folder(name):
        return folder.ImageFolder(name)
    try:
        builder = tfds.builder(name, data_dir=resolve_data_dir(data_dir))
    except tfds.core.registered.DatasetNotFoundError:
        raise DatasetError(unknown_dataset_message(name, tfds.list_builders(with_community_datasets=False))) from None
    except ValueError as error:  # e.g. an unknown config or version: TFDS names the accepted ones.
        raise DatasetError(f"Dataset {name!r}: {_first_line(error)}") from None
    if builder.is_prepared():
        return builder
    root = str(builder.data_dir_root)
    is_embedded = builder.name in EMBEDDED
    if not (download or is_embedded):
        raise DatasetError(f"Dataset {name!r} is not prepared in {root} and download=False: "
                           "pass data_dir=PATH of a prepared copy (a TFDS data dir holding it).")
    # Under tfds.testing.mock_data nothing is downloaded, so there is nothing to probe for.
    if not (is_embedded or is_mocked(builder)):
        unreachable = network_error()
        if unreachable:  # TFDS would retry for minutes before failing the same way
            raise DatasetError(_download_failed(name, root, unreachable))
        logging.warning("Dataset %r is not prepared in %s: downloading it (offline, this fails after "
                        "a few minutes of retries).", name, root)
    _prepare(builder, name, root, is_embedded)
    return builder


def is_mocked(builder):
    """Whether `tfds.testing.mock_data` stands in for `builder`'s files (it patches TFDS's builder class).

    Example:
        with tfds.testing.mock_data(num_examples=4):
            is_mocked(tfds.builder('mnist'))  # True
    """
    return type(builder).download_and_prepare.__module__.startswith("tensorflow_datasets.testing")


def _prepare(builder, name, root, is_embedded):
    before = _snapshot(root)
    try:
        builder.download_and_prepare()
    except Exception as error:  # pylint: disable=broad-except  (any failure: report it in one line)
        _remove_new_paths(root, before)
        cause = f"{type(error).__name__}: {_first_line(error)}"
        if is_embedded:
            raise DatasetError(f"Dataset {name!r} could not be prepared in {root} ({cause}): "
                               "pass a writable data_dir=PATH.") from None
        raise DatasetError(_download_failed(name, root, cause)) from None


def _download_failed(name, root, cause):
    return (f"Dataset {name!r} is not prepared in {root} and could not be downloaded (no network? {cause}): "
            "pass data_dir=PATH of a prepared copy (a TFDS data dir holding it).")


# TFDS reads prepared copies and most downloads from Google Cloud Storage.
PROBE_ADDRESS = ("storage.googleapis.com", 443)
PROBE_TIMEOUT_S = 3.0


def network_error(address=None, timeout=PROBE_TIMEOUT_S):
    """Why the download host (or the https proxy) is unreachable, in one line, or None when it answers.

    Example:
        network_error(('127.0.0.1', 1))  # 'ConnectionError: cannot reach 127.0.0.1:1 ([Errno 111] ...)'
    """
    if address is None:
        proxy = os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY")
        parsed = urllib.parse.urlsplit(proxy) if proxy else None
        address = (parsed.hostname, parsed.port or 443) if parsed and parsed.hostname else PROBE_ADDRESS
    try:
        socket.create_connection(address, timeout=timeout).close()
    except OSError as error:
        return f"ConnectionError: cannot reach {address[0]}:{address[1]} ({error})"
    return None


def _snapshot(root):
    """Paths under a local `root` (a few levels deep), so a failed prepare can remove what it added."""
    if "://" in root:  # Remote file systems: leave cleanup to TFDS.
        return None
    paths = set()
    if not os.path.exists(root):
        return paths
    base_depth = root.rstrip(os.sep).count(os.sep)
    for directory, subdirectories, files in os.walk(root):
        for entry in subdirectories + files:
            paths.add(os.path.join(directory, entry))
        if directory.count(os.sep) - base_depth >= _SNAPSHOT_DEPTH - 1:
            subdirectories.clear()
    paths.add(root)
    return paths


def _remove_new_paths(root, before):
    if before is None:
        return
    for path in sorted((_snapshot(root) or set()) - before):
        if os.path.dirname(path) in before or path == root:  # Topmost new path: removing it removes the rest.
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path):
                os.remove(path)


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def find_keys(features, image_key=None, label_key=None):
    """(data key, label key or None) among top-level features: first Image (else float Tensor) and first ClassLabel.

    Example:
        find_keys(tfds.builder('mnist').info.features)  # ('image', 'label')
    """
    names = list(features.keys())
    if image_key is None:
        images = [key for key in names if isinstance(features[key], tfds.features.Image)]
        points = [key for key in names if _is_float_vector(features[key])]
        if not images and not points:
            raise DatasetError(f"No Image or float vector feature found among {', '.join(names)}: pass image_key.")
        image_key = (images or points)[0]
    elif image_key not in names or not (isinstance(features[image_key], tfds.features.Image)
                                         or _is_float_vector(features[image_key])):
        raise DatasetError(f"image_key {image_key!r} is not an Image or float vector feature; "
                           f"features: {', '.join(names)}.")
    if label_key is None:
        labels = [key for key in names if isinstance(features[key], tfds.features.ClassLabel)]
        label_key = labels[0] if labels else None
    elif label_key not in names or not isinstance(features[label_key], tfds.features.ClassLabel):
        raise DatasetError(f"label_key {label_key!r} is not a ClassLabel feature; features: {', '.join(names)}.")
    return image_key, label_key


def _is_float_vector(feature):
    return (isinstance(feature, tfds.features.Tensor) and np.issubdtype(np.dtype(feature.np_dtype), np.floating)
            and len(feature.shape) == 1 and feature.shape[0] is not None)


def check_image_size(image_size):
    """`image_size` as an (height, width) pair of positive ints, or None.

    Example:
        check_image_size(32)  # (32, 32)
    """
    if image_size is None:
        return None
    pair = (image_size, image_size) if isinstance(image_size, (int, np.integer)) else tuple(image_size)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
                                 for v in pair):
        raise ValueError(f"image_size must be a positive int or (height, width) pair of them; got {image_size!r}.")
    return int(pair[0]), int(pair[1])


def spec_from_builder(name, builder, image_key=None, label_key=None, image_size=None):
    """The DatasetSpec of a prepared builder (see `describe`).

    Example:
        spec_from_builder('mnist', prepared_builder('mnist'), image_size=32).data_shape  # (32, 32, 1)
    """
    size = check_image_size(image_size)
    features = builder.info.features
    image_key, label_key = find_keys(features, image_key, label_key)
    feature = features[image_key]
    is_image = isinstance(feature, tfds.features.Image)
    shape = tuple(feature.shape)
    if is_image:
        if size is not None:
            shape = size + shape[2:]
        if None in shape:
            raise DatasetError(f"Dataset {name!r} has images of varying size {shape}: pass image_size.")
    elif size is not None:
        raise DatasetError(f"Dataset {name!r} holds points, not images: image_size does not apply.")
    num_classes = features[label_key].num_classes if label_key else None
    num_examples = {split: info.num_examples for split, info in builder.info.splits.items()}
    return DatasetSpec(name, shape, num_classes, is_image, image_key, label_key, num_examples)


def describe(name, data_dir=None, download=True, image_key=None, label_key=None, image_size=None):
    """DatasetSpec of dataset `name`, prepared first like `real_dataset` would (embedded ones even with download=False).

    Example:
        describe('digits')  # DatasetSpec(name='digits', data_shape=(8, 8, 1), num_classes=10, ...)
    """
    builder = prepared_builder(name, data_dir, download)
    return spec_from_builder(name, builder, image_key, label_key, image_size)
