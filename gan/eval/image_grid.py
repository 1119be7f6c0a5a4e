"""Tile a batch of images into one grid image (TF-GAN 2.1.0's `image_grid` and `python_image_grid`)."""
import math

import numpy as np
import tensorflow as tf


def _check_grid(grid_shape, num_images):
    if len(grid_shape) != 2 or grid_shape[0] * grid_shape[1] != num_images:
        raise ValueError(f"grid_shape {tuple(grid_shape)} must be [rows, cols] with rows * cols equal to the "
                         f"number of images, {num_images}.")


def python_image_grid(input_array, grid_shape):
    """Tiles NumPy images [rows * cols, H, W, C] into one [rows * H, cols * W, C] array, row by row.

    Example:
        python_image_grid(np.zeros([6, 8, 8, 1]), [2, 3]).shape  # (16, 24, 1)
    """
    images = np.asarray(input_array)
    if images.ndim != 4:
        raise ValueError(f"input_array must be 4-D [batch, height, width, channels]; got shape {images.shape}.")
    _check_grid(grid_shape, images.shape[0])
    rows, cols = grid_shape
    _, height, width, channels = images.shape
    grid = images.reshape(rows, cols, height, width, channels).transpose(0, 2, 1, 3, 4)
    return grid.reshape(rows * height, cols * width, channels)


def image_grid(input_tensor, grid_shape, image_shape=(32, 32), num_channels=3):
    """Tiles a batch of images into a single [1, rows * H, cols * W, C] image tensor (for summaries).

    `input_tensor` is [batch, H, W, C] or flattened [batch, H * W * C]; image_shape
    is (H, W) and must agree with it.

    Example:
        tf.summary.image("samples", image_grid(samples, [4, 4], image_shape=(28, 28), num_channels=1))
    """
    input_tensor = tf.convert_to_tensor(input_tensor)
    height, width = image_shape
    expected = {2: (height * width * num_channels,), 4: (height, width, num_channels)}.get(input_tensor.shape.rank)
    if expected is None or tuple(input_tensor.shape[1:]) != expected:
        raise ValueError(f"input_tensor must be [batch, {height}, {width}, {num_channels}] or "
                         f"[batch, {height * width * num_channels}] for image_shape={tuple(image_shape)} and "
                         f"num_channels={num_channels}; got shape {tuple(input_tensor.shape)}.")
    _check_grid(grid_shape, input_tensor.shape[0])
    rows, cols = grid_shape
    grid = tf.reshape(input_tensor, [rows, cols, height, width, num_channels])
    grid = tf.transpose(grid, [0, 2, 1, 3, 4])
    return tf.reshape(grid, [1, rows * height, cols * width, num_channels])


def image_reshaper(images, num_cols=None):
    """Tiles a batch (or list) of [H, W, C] images into one nearly square [1, rows * H, cols * W, C]
    image, padding the last row with black tiles (e.g. 11 images: 3 rows of 4).

    Example:
        image_reshaper(tf.zeros([11, 8, 8, 1])).shape  # [1, 24, 32, 1]
    """
    images = list(tf.unstack(images)) if isinstance(images, tf.Tensor) else [tf.convert_to_tensor(i) for i in images]
    if not images or any(i.shape.rank != 3 for i in images):
        raise ValueError("image_reshaper takes a [batch, height, width, channels] tensor or a list of "
                         "[height, width, channels] images")
    columns = num_cols or int(math.ceil(math.sqrt(len(images))))
    rows = int(math.ceil(len(images) / columns))
    images += [tf.zeros_like(images[-1])] * (rows * columns - len(images))
    grid = tf.concat([tf.concat(images[r * columns:(r + 1) * columns], 1) for r in range(rows)], 0)
    return grid[tf.newaxis]
