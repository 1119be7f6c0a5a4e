"""TF-GAN's summary functions, written with `tf.summary` to the default writer.

Like `tf.summary`, they write nothing without a default writer, and take the step from
`tf.summary.experimental.set_step` (or `writer.as_default(step=...)`). Tags and layouts
are TF-GAN's; images in [-1, 1] (the library's range) are shown mapped to [0, 1].

>>> with tf.summary.create_file_writer('runs/x').as_default(step=100):
...     gan.eval.add_gan_model_image_summaries(model, grid_size=4)
"""
import tensorflow as tf

from gan.eval.image_grid import image_grid, image_reshaper
from gan.namedtuples import CycleGANModel, StarGANModel


def _images(tensor, what):
    tensor = tf.convert_to_tensor(tensor)
    if tensor.shape.rank != 4 or not tensor.shape[1:].is_fully_defined():
        raise ValueError(f"{what} must be images [batch, height, width, channels] of known size; "
                         f"got shape {tensor.shape}")
    return tensor


def _to_unit(images):
    """Images in [-1, 1] as tf.summary expects them, in [0, 1]."""
    return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def _cyclegan_directions(model, scope_suffix, add):
    """Runs `add` on each direction of a CycleGANModel in TF-GAN's name scopes; whether it was one."""
    if not isinstance(model, CycleGANModel):
        return False
    for direction, submodel in (("x2y", model.model_x2y), ("y2x", model.model_y2x)):
        with tf.name_scope(f"cyclegan_{direction}_{scope_suffix}"):
            add(submodel)
    return True


def add_gan_model_image_summaries(gan_model, grid_size=4, model_summaries=True):
    """Grids of `grid_size`^2 real and generated images, tags `real_data` and `generated_data`
    (and `add_gan_model_summaries` with `model_summaries`).

    >>> add_gan_model_image_summaries(model, grid_size=2)
    """
    if isinstance(gan_model, CycleGANModel):
        raise ValueError("add_gan_model_image_summaries does not take a CycleGANModel; use "
                         "add_cyclegan_image_summaries")
    count = grid_size * grid_size
    for name in ("real_data", "generated_data"):
        images = _images(getattr(gan_model, name), name)
        if images.shape[0] is not None and images.shape[0] < count:
            raise ValueError(f"grid_size={grid_size} needs {count} images; {name} has {images.shape[0]}")
        grid = image_grid(images[:count], [grid_size, grid_size], tuple(images.shape[1:3]), images.shape[3])
        tf.summary.image(name, _to_unit(grid), max_outputs=1)
    if model_summaries:
        add_gan_model_summaries(gan_model)


def add_image_comparison_summaries(gan_model, num_comparisons=2, display_diffs=False):
    """One `image_comparison` image: a row of generator inputs, one of generated images and one of
    real images (and one of |generated - real| with `display_diffs`), `num_comparisons` columns.

    For image-to-image models, whose generator inputs are images shaped like the data.

    >>> add_image_comparison_summaries(image_to_image_model, num_comparisons=2)
    """
    rows = [_images(getattr(gan_model, name), name)[:num_comparisons]
            for name in ("generator_inputs", "generated_data", "real_data")]
    shapes = [tuple(row.shape[1:]) for row in rows]
    if len(set(shapes)) != 1:
        raise ValueError(f"add_image_comparison_summaries needs generator inputs, generated and real data of one "
                         f"image shape; got {shapes[0]}, {shapes[1]} and {shapes[2]}")
    rows = [tf.cast(row, tf.float32) for row in rows]
    if display_diffs:
        rows.append(tf.abs(rows[1] - rows[2]))
    tiles = tf.concat(rows, axis=0)
    tf.summary.image("image_comparison", _to_unit(image_reshaper(tiles, num_cols=int(rows[0].shape[0]))),
                     max_outputs=1)


def _variable_tag(variable):
    """A variable's full name (Keras path, or TF name without ':0') for its histogram's tag."""
    return (getattr(variable, "path", None) or variable.name).split(":")[0]


def add_gan_model_summaries(gan_model):
    """Histograms of both networks' variables under `generator_variables/` and
    `discriminator_variables/` (each direction of a CycleGANModel in its own scope).

    >>> add_gan_model_summaries(model)
    """
    if _cyclegan_directions(gan_model, "summaries", add_gan_model_summaries):
        return
    for role in ("generator", "discriminator"):
        scope = getattr(gan_model, f"{role}_scope") or role
        with tf.name_scope(f"{role}_variables"):
            for variable in getattr(gan_model, f"{role}_variables"):
                tf.summary.histogram(f"{scope}/{_variable_tag(variable)}", variable)


def add_regularization_loss_summaries(gan_model):
    """Scalars `generator_regularization_loss` and `discriminator_regularization_loss`: the sum
    of each Keras network's `losses` (0 without regularizers).

    >>> add_regularization_loss_summaries(model)
    """
    if _cyclegan_directions(gan_model, "regularization_loss_summaries", add_regularization_loss_summaries):
        return
    for role in ("generator", "discriminator"):
        network = getattr(getattr(gan_model, f"{role}_fn"), "model", None)
        if network is not None:
            losses = network.losses
            tf.summary.scalar(f"{role}_regularization_loss", tf.add_n(losses) if losses else 0.0)


def add_cyclegan_image_summaries(cyclegan_model):
    """For each direction an `image_comparison` image: an input, its translation and its reconstruction
    (tags `x2y_image_comparison_summaries/image_comparison` and `y2x_...`).

    >>> add_cyclegan_image_summaries(gan.cyclegan_model(generator_fn, discriminator_fn, x, y))
    """
    if not isinstance(cyclegan_model, CycleGANModel):
        raise ValueError(f"add_cyclegan_image_summaries takes a CycleGANModel; got {type(cyclegan_model).__name__}")
    for name, model, reconstructed in (("x2y", cyclegan_model.model_x2y, cyclegan_model.reconstructed_x),
                                       ("y2x", cyclegan_model.model_y2x, cyclegan_model.reconstructed_y)):
        tiles = [tf.cast(_images(t, what)[0], tf.float32) for t, what in (
            (model.generator_inputs, f"{name} generator_inputs"), (model.generated_data, f"{name} generated_data"),
            (reconstructed, f"{name} reconstruction"))]
        with tf.name_scope(f"{name}_image_comparison_summaries"):
            tf.summary.image("image_comparison", _to_unit(image_reshaper(tiles, num_cols=3)), max_outputs=1)


def add_stargan_image_summaries(stargan_model, num_images=2, display_diffs=False):
    """`stargan_image_generation`: for each of `num_images` inputs one image whose first row is
    [input, translation to domain 0, 1, ...] and, with `display_diffs`, whose second row is
    [blank, translation - input, ...].

    >>> add_stargan_image_summaries(gan.stargan_model(generator_fn, discriminator_fn, images, domains))
    """
    if not isinstance(stargan_model, StarGANModel):
        raise ValueError(f"add_stargan_image_summaries takes a StarGANModel; got {type(stargan_model).__name__}")
    inputs = tf.cast(_images(stargan_model.input_data, "input_data")[:num_images], tf.float32)
    labels_shape = stargan_model.input_data_domain_label.shape
    if labels_shape.rank != 2 or labels_shape[1] is None:
        raise ValueError(f"input_data_domain_label must be one-hot [batch, num_domains]; got shape {labels_shape}")
    num_domains = labels_shape[1]
    targets = tf.one_hot(list(range(num_domains)), num_domains)
    results = []
    for image in tf.unstack(inputs):
        tiled = tf.tile(image[tf.newaxis], [num_domains, 1, 1, 1])
        translated = tf.cast(stargan_model.generator_fn(tiled, targets), tf.float32)
        rows = [image[tf.newaxis], translated]
        if display_diffs:
            rows += [tf.zeros_like(image)[tf.newaxis], translated - tiled]
        results.append(image_reshaper(tf.concat(rows, 0), num_cols=num_domains + 1)[0])
    tf.summary.image("stargan_image_generation", _to_unit(tf.stack(results)), max_outputs=num_images)
