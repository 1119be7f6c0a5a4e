"""Where evaluation keeps what it computes once per dataset: trained classifiers and real-data statistics.

The cache folder is `cache_dir`, else $GAN_CACHE_DIR, else ~/.cache/gan. Entries are
keyed by dataset name, TFDS version, split and example shape, so a new dataset
version or image size never reuses stale numbers. Files are written to a temporary
name and renamed, so a crash or a concurrent run never leaves half a file.
"""
import json
import os
import re

import numpy as np

from gan import files

CACHE_ENV = "GAN_CACHE_DIR"


def resolve_cache_dir(cache_dir=None):
    """The cache folder: `cache_dir`, else $GAN_CACHE_DIR, else ~/.cache/gan.

    Example:
        resolve_cache_dir('/tmp/cache')  # '/tmp/cache'
    """
    return cache_dir or os.environ.get(CACHE_ENV) or os.path.join(os.path.expanduser("~"), ".cache", "gan")


def dataset_key(name, split="train", data_dir=None, image_size=None, download=True):
    """(DatasetSpec, key) for a dataset split, the key naming name, TFDS version, split and shape.

    Example:
        dataset_key('digits')[1]  # 'digits-1.0.0-train-8x8x1'
    """
    # Imported here: gan.data imports gan.eval (for the mixtures), so a top-level import would be circular.
    from gan.data import catalog  # pylint: disable=import-outside-toplevel

    builder = catalog.prepared_builder(name, data_dir, download)
    spec = catalog.spec_from_builder(name, builder, image_size=image_size)
    safe_split = re.sub(r"[^A-Za-z0-9_.%-]+", "_", split)
    shape = "x".join(str(d) for d in spec.data_shape)
    return spec, f"{name}-{builder.info.version}-{safe_split}-{shape}"


def _replacing(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return files.replacing(path)


def write_json(path, record):
    """Writes `record` as indented JSON to `path` atomically.

    Example:
        write_json('/tmp/cache/info.json', {'accuracy': 0.98})
    """
    with _replacing(path) as temporary, open(temporary, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)


def read_json(path):
    """The JSON record at `path`, or None when there is none.

    Example:
        read_json('/tmp/cache/info.json')  # {'accuracy': 0.98}
    """
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_arrays(path, **arrays):
    """Writes numpy arrays to the `.npz` file `path` atomically.

    Example:
        write_arrays('/tmp/cache/stats.npz', mean=np.zeros(3))
    """
    with _replacing(path) as temporary, open(temporary, "wb") as f:
        np.savez(f, **arrays)
