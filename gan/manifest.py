"""The run manifest: `run.json` in `model_dir`, the one record of what a run is.

The estimator records its generator inputs there (`generator_inputs`, so a new estimator
can rebuild the networks before training); `gan-train` adds the settings it trained with
(`config`, `dataset`, `versions`, ...) so a run can be resumed, sampled and evaluated by
name. Each writer updates its own fields and keeps the others'.

Example:
    update('runs/x', generator_inputs={'shape': [None, 64], 'dtype': 'float32'})
    read('runs/x')['generator_inputs']
"""
import json
import os

from gan import atomic

MANIFEST = "run.json"


def path_in(model_dir):
    """Where the manifest of `model_dir` lives.

    Example:
        path_in('runs/x')  # 'runs/x/run.json'
    """
    return os.path.join(model_dir, MANIFEST)


def read(model_dir):
    """The manifest of `model_dir` as a dict, or None when there is none; ValueError when it is not JSON.

    Example:
        read('runs/x').get('config')
    """
    path = path_in(model_dir)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        record = json.load(f)
    if not isinstance(record, dict):
        raise ValueError(f"{path} is not a JSON object.")
    return record


def update(model_dir, **fields):
    """Sets `fields` in the manifest of `model_dir` (created if needed), keeping its other fields; the
    file is replaced whole, and not rewritten when nothing changes. Returns its path.

    Example:
        update('runs/x', config={'loss': 'wasserstein'})
    """
    try:
        record = read(model_dir) or {}
    except ValueError:
        record = {}  # unreadable: what is written now replaces it
    if all(record.get(name) == value for name, value in fields.items()) and os.path.isfile(path_in(model_dir)):
        return path_in(model_dir)
    return atomic.write_text(path_in(model_dir), json.dumps({**record, **fields}, indent=2) + "\n")
