"""TF-GAN's summary functions, written with `tf.summary` to the default writer.

Like `tf.summary`, they write nothing without a default writer, and take the step from
`tf.summary.experimental.set_step` (or `writer.as_default(step=...)`).

>>> with tf.summary.create_file_writer('runs/x').as_default(step=100):
...     gan.eval.add_gan_model_image_summaries(model, grid_size=4)
"""
import tensorflow as tf

from gan.eval.image_grid import image_grid, image_reshaper
from gan.namedtuples import CycleGANModel, StarGANModel


def _images(tensor, what):
    tensor = tf.convert_to_tensor(tensor)
    if tensor.shape.rank != 4:
        raise ValueError(f"{what} must be images [batch, height, width, channels]; got shape {tensor.shape}")
    return tensor


def _to_unit(images):
    """Images in [-1, 1] as tf.summary expects them, in [0, 1]."""
    return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def add_gan_model_image_summaries(gan_model, grid_size=4, model_summaries=True):
    """Grids of `grid_size`^2 real and generated images (and `add_gan_model_summaries`).

    >>> add_gan_model_image_summaries(model, grid_size=2)
    """
    real = _images(gan_model.real_data, "real_data")
    generated = _images(gan_model.generated_data, "generated_data")
    count = grid_size * grid_size
    if real.shape[0] is not None and real.shape[0] < count:
        raise ValueError(f"grid_size={grid_size} needs {count} images; the batch has {real.shape[0]}")
    shape, channels = tuple(real.shape[1:3]), real.shape[3]
    for name, images in (("real_data", real), ("generated_data", generated)):
        tf.summary.image(name, _to_unit(image_grid(images[:count], [grid_size, grid_size], shape, channels)),
                         max_outputs=1)
    if model_summaries:
        add_gan_model_summaries(gan_model)


def add_image_comparison_summaries(gan_model, num_comparisons=2, display_diffs=False):
    """Side by side: generator inputs (images), generated images and, with `display_diffs`, their difference.

    >>> add_image_comparison_summaries(image_to_image_model, num_comparisons=2)
    """
    inputs = _images(gan_model.generator_inputs, "generator_inputs")[:num_comparisons]
    generated = _images(gan_model.generated_data, "generated_data")[:num_comparisons]
    real = _images(gan_model.real_data, "real_data")[:num_comparisons]
    columns = [inputs, generated, real] + ([tf.abs(generated - inputs)] if display_diffs else [])
    tiles = [image for row in zip(*(tf.unstack(c) for c in columns)) for image in row]
    tf.summary.image("image_comparison", _to_unit(image_reshaper(tiles, num_cols=len(columns))), max_outputs=1)


def add_gan_model_summaries(gan_model):
    """Histograms of both networks' variables, by scope name.

    >>> add_gan_model_summaries(model)
    """
    for scope, variables in ((gan_model.generator_scope, gan_model.generator_variables),
                             (gan_model.discriminator_scope, gan_model.discriminator_variables)):
        for variable in variables:
            tf.summary.histogram(f"{scope}/{variable.name.replace(':', '_')}", variable)


def add_regularization_loss_summaries(gan_model):
    """Scalars of each network's regularization loss (the Keras model's `losses`), when it has one.

    >>> add_regularization_loss_summaries(model)
    """
    for role, call in (("generator", gan_model.generator_fn), ("discriminator", gan_model.discriminator_fn)):
        losses = getattr(getattr(call, "model", None), "losses", None)
        if losses:
            tf.summary.scalar(f"{role}_regularization_loss", tf.add_n(losses))


def add_cyclegan_image_summaries(cyclegan_model):
    """For each direction: an input, its translation and its reconstruction, side by side.

    >>> add_cyclegan_image_summaries(gan.cyclegan_model(generator_fn, discriminator_fn, x, y))
    """
    if not isinstance(cyclegan_model, CycleGANModel):
        raise ValueError(f"add_cyclegan_image_summaries takes a CycleGANModel; got {type(cyclegan_model).__name__}")
    for name, model, reconstructed in (("x2y", cyclegan_model.model_x2y, cyclegan_model.reconstructed_x),
                                       ("y2x", cyclegan_model.model_y2x, cyclegan_model.reconstructed_y)):
        tiles = [_images(t, name)[0] for t in (model.generator_inputs, model.generated_data, reconstructed)]
        tf.summary.image(f"{name}_image_comparison", _to_unit(image_reshaper(tiles, num_cols=3)), max_outputs=1)


def add_stargan_image_summaries(stargan_model, num_images=2, display_diffs=False):
    """`num_images` inputs next to their translations to every domain (and the differences).

    >>> add_stargan_image_summaries(gan.stargan_model(generator_fn, discriminator_fn, images, domains))
    """
    if not isinstance(stargan_model, StarGANModel):
        raise ValueError(f"add_stargan_image_summaries takes a StarGANModel; got {type(stargan_model).__name__}")
    inputs = _images(stargan_model.input_data, "input_data")[:num_images]
    num_domains = stargan_model.input_data_domain_label.shape[-1]
    tiles = []
    for image in tf.unstack(inputs):
        row = [image]
        for domain in range(num_domains):
            translated = stargan_model.generator_fn(image[tf.newaxis], tf.one_hot([domain], num_domains))[0]
            row += [translated] + ([tf.abs(translated - image)] if display_diffs else [])
        tiles += row
    columns = 1 + num_domains * (2 if display_diffs else 1)
    tf.summary.image("stargan_image_comparison", _to_unit(image_reshaper(tiles, num_cols=columns)), max_outputs=1)
