"""TensorBoard summaries and the JSON-lines training log written to `model_dir`."""
import enum
import json
import math
import os

import numpy as np
import tensorflow as tf

LOG_FILE = "train_log.jsonl"


class SummaryType(enum.Enum):
    """What the estimator writes to TensorBoard besides the losses (TF-GAN's `SummaryType`).

    >>> gan.GANEstimator(gen_fn, disc_fn, add_summaries=[SummaryType.IMAGES, SummaryType.VARIABLES])
    """
    NONE = 0
    VARIABLES = 1
    IMAGES = 2


def summary_types(add_summaries):
    """Normalises `add_summaries` (None, a SummaryType or a list of them) to a set."""
    if add_summaries is None:
        return set()
    items = add_summaries if isinstance(add_summaries, (list, tuple, set)) else [add_summaries]
    for item in items:
        if not isinstance(item, SummaryType):
            names = ", ".join(f"SummaryType.{t.name}" for t in SummaryType)
            raise ValueError(f"add_summaries must hold {names}; got {item!r}.")
    return set(items) - {SummaryType.NONE}


def image_grid(images, columns=None):
    """Tiles a batch of `[N, H, W, C]` images in [-1, 1] into one `[rows*H, cols*W, C]` array.

    >>> image_grid(np.zeros([6, 8, 8, 1]), columns=3).shape
    (16, 24, 1)
    """
    images = np.asarray(images)
    n, h, w, c = images.shape
    columns = columns or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / columns))
    grid = np.full((rows * h, columns * w, c), -1.0, dtype=np.float32)
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        grid[r * h:(r + 1) * h, col * w:(col + 1) * w] = image
    return grid


class SummaryWriter:
    """Writes scalars, sample grids and variable histograms to TensorBoard in `model_dir`."""

    def __init__(self, model_dir, add_summaries):
        self._types = summary_types(add_summaries)
        self._writer = tf.summary.create_file_writer(model_dir)

    def scalars(self, step, logs):
        with self._writer.as_default(step=step):
            for name, value in logs.items():
                tf.summary.scalar(name, value)

    def samples(self, step, samples):
        if SummaryType.IMAGES not in self._types or np.ndim(samples) != 4:
            return
        grid = (image_grid(samples) + 1.0) / 2.0
        with self._writer.as_default(step=step):
            tf.summary.image("generated_data", grid[None], max_outputs=1)

    def variables(self, step, models):
        if SummaryType.VARIABLES not in self._types:
            return
        with self._writer.as_default(step=step):
            for model in models:
                for variable in model.trainable_variables:
                    tf.summary.histogram(f"{model.name}/{variable.path}", variable)

    def flush(self):
        self._writer.flush()


def append_log(model_dir, record):
    """Appends one JSON record (a dict of plain numbers) to the run's JSON-lines log."""
    with open(os.path.join(model_dir, LOG_FILE), "a") as f:
        f.write(json.dumps(record) + "\n")


def read_log(model_dir):
    """All records of the run's JSON-lines log, oldest first (empty when there is none)."""
    path = os.path.join(model_dir, LOG_FILE)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
