"""TensorBoard summaries written to `model_dir` (the JSON-lines training log is `gan.run_log`'s;
`append_log`, `read_log` and `LOG_FILE` are reachable here too, where the README has always shown them)."""
import enum

import numpy as np
import tensorflow as tf

from gan.eval.summaries import add_image_comparison_summaries
from gan.namedtuples import GANModel
from gan import plots
from gan.run_log import LOG_FILE, append_log, read_log  # noqa: F401  (documented as gan.summaries.read_log)


class SummaryType(enum.IntEnum):
    """What the estimator writes to TensorBoard besides the losses (TF-GAN's `SummaryType`, same values).

    VARIABLES: histograms of both networks' weights; IMAGES: a grid of generated
    samples; IMAGE_COMPARISON: generator inputs, generated and real images in rows
    (image-to-image models, whose generator inputs are images shaped like the data).

    >>> gan.GANEstimator(gen_fn, disc_fn, add_summaries=[SummaryType.IMAGES, SummaryType.VARIABLES])
    """
    NONE = 0
    VARIABLES = 1
    IMAGES = 2
    IMAGE_COMPARISON = 3


def summary_types(add_summaries):
    """Normalises `add_summaries` (None, a SummaryType or a list of them; their int values too) to a set."""
    if add_summaries is None:
        return set()
    items = add_summaries if isinstance(add_summaries, (list, tuple, set)) else [add_summaries]
    types = set()
    for item in items:
        # TF-GAN looked the types up in a dict, so their int values worked too.
        if isinstance(item, bool) or not isinstance(item, int) or item not in set(SummaryType):
            names = ", ".join(f"SummaryType.{t.name}" for t in SummaryType)
            raise ValueError(f"add_summaries must hold {names}; got {item!r}.")
        types.add(SummaryType(item))
    return types - {SummaryType.NONE}


class SummaryWriter:
    """Writes scalars, sample grids and variable histograms to TensorBoard in `model_dir`."""

    def __init__(self, model_dir, add_summaries):
        self._types = summary_types(add_summaries)
        self._writer = tf.summary.create_file_writer(model_dir)

    def wants(self, summary_type):
        """Whether `summary_type` was asked for (so its inputs are worth computing)."""
        return summary_type in self._types

    def scalars(self, step, logs):
        with self._writer.as_default(step=step):
            for name, value in logs.items():
                tf.summary.scalar(name, value)

    def samples(self, step, samples):
        if SummaryType.IMAGES not in self._types or np.ndim(samples) != 4:
            return
        grid = (plots.tile_images(samples) + 1.0) / 2.0
        with self._writer.as_default(step=step):
            tf.summary.image("generated_data", grid[None], max_outputs=1)

    def variables(self, step, models):
        if SummaryType.VARIABLES not in self._types:
            return
        with self._writer.as_default(step=step):
            for model in models:
                for variable in model.trainable_variables:
                    tf.summary.histogram(f"{model.name}/{variable.path}", variable)

    def check_comparison(self, generator_inputs, real_data):
        """Raises ValueError when IMAGE_COMPARISON is asked for but the inputs and data are not alike images."""
        if SummaryType.IMAGE_COMPARISON not in self._types:
            return
        shapes = [None if tf.nest.is_nested(x) else tuple(x.shape[1:]) for x in (generator_inputs, real_data)]
        if shapes[0] != shapes[1] or shapes[0] is None or len(shapes[0]) != 3:
            raise ValueError("SummaryType.IMAGE_COMPARISON needs generator inputs that are images shaped like the "
                             f"real data; got generator inputs {shapes[0] or 'nested'} and real data {shapes[1]}.")

    def comparison(self, step, generator_inputs, samples, real_data):
        """Rows of generator inputs, samples and real images, as TF-GAN's IMAGE_COMPARISON summary."""
        if SummaryType.IMAGE_COMPARISON not in self._types:
            return
        model = GANModel(*[None] * len(GANModel._fields))._replace(
            generator_inputs=generator_inputs, generated_data=samples, real_data=real_data)
        with self._writer.as_default(step=step):
            add_image_comparison_summaries(model)

    def flush(self):
        self._writer.flush()
