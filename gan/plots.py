"""Pictures of generated samples: an image grid for image data, a scatter plot for 2-D points.

`save_samples` picks the picture from the samples' shape, so one call serves every
dataset (the `samples.png` that `gan-train` refreshes, and `gan-generate --output=x.png`).
Files are written to a temporary name and renamed, so a viewer never sees half a PNG.

Example:
    from gan import plots
    plots.save_samples('samples.png', images)             # [N, H, W, C] in [-1, 1]
    plots.save_samples('ring.png', points, real=data)     # [N, 2] over the real data
"""
import math

import numpy as np

from gan import atomic
from gan.eval.image_grid import python_image_grid

MIN_TILE_PIXELS = 48  # Small images (8x8 digits) are enlarged so each tile is at least this wide.
TILE_BORDER = 1  # Pixels of grey around each tile: 2 between neighbours, so samples do not merge into stripes.
BORDER_VALUE = -0.5  # Dark grey in [-1, 1]: visible against black backgrounds and white strokes.


def tile_images(images, border=TILE_BORDER, grid_shape=None):
    """Tiles `[N, H, W, C]` images into one near-square grid (or `grid_shape` = (rows, columns), filled
    row by row), each tile framed by `border` pixels of grey.

    Neighbouring tiles are `2 * border` pixels apart, so 8x8 digits read as separate
    samples rather than stripes; the empty places of the last row are black (-1).
    Every image grid the library draws (samples.png, TensorBoard, notebooks) comes from here.

    Example:
        tile_images(np.zeros([5, 8, 8, 1])).shape  # (30, 30, 1): 3 x 3 tiles of 8 + 2, 4 of them empty
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"images must be a non-empty [N, H, W, C] array; got shape {images.shape}.")
    framed = np.pad(images, [(0, 0), (border, border), (border, border), (0, 0)], constant_values=BORDER_VALUE)
    if grid_shape is None:
        columns = int(math.ceil(math.sqrt(len(framed))))
        rows = int(math.ceil(len(framed) / columns))
    else:
        rows, columns = (int(n) for n in grid_shape)
        if rows * columns < len(framed):
            raise ValueError(f"grid_shape {tuple(grid_shape)} holds {rows * columns} images; got {len(framed)}.")
    padding = np.full((rows * columns - len(framed),) + framed.shape[1:], -1.0, np.float32)
    return python_image_grid(np.concatenate([framed, padding]), (rows, columns))


def save_image_grid(path, images, min_tile_pixels=MIN_TILE_PIXELS, grid_shape=None):
    """Writes `[N, H, W, C]` images in [-1, 1] (C = 1 or 3) as one PNG grid (near-square, or
    `grid_shape` = (rows, columns)); returns `path`.

    Each image is enlarged by an integer factor (nearest neighbour, so pixels stay
    sharp) until it is at least `min_tile_pixels` wide, then framed by `TILE_BORDER`
    pixels of grey (`tile_images`).

    Example:
        save_image_grid('/tmp/grid.png', np.zeros([16, 8, 8, 1]))  # 4 x 4 tiles of 48 + 2 pixels: 200 x 200
    """
    from PIL import Image  # pylint: disable=import-outside-toplevel  (only needed here)

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must be [N, H, W, C] with C = 1 or 3; got shape {images.shape}.")
    scale = max(1, int(math.ceil(min_tile_pixels / images.shape[2])))
    tiles = np.clip(images, -1.0, 1.0).repeat(scale, axis=1).repeat(scale, axis=2)
    grid = tile_images(tiles, grid_shape=grid_shape)
    pixels = np.round((grid + 1.0) * 127.5).astype(np.uint8)
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    with atomic.replacing(path) as temporary:
        picture.save(temporary, format="PNG")
    return path


def save_scatter(path, samples, real=None, title=None):
    """Writes a scatter plot of `[N, 2]` samples (orange) over optional real `[M, 2]` points (blue); returns `path`.

    Example:
        save_scatter('/tmp/ring.png', generated, real=ring_points, title='step 1000')
    """
    # The object-oriented Agg API draws without pyplot, so no global backend is switched.
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # pylint: disable=import-outside-toplevel
    from matplotlib.figure import Figure  # pylint: disable=import-outside-toplevel

    samples = np.asarray(samples, dtype=np.float32)
    for name, points in (("samples", samples), ("real", real)):
        if points is not None and (np.ndim(points) != 2 or np.shape(points)[1] != 2):
            raise ValueError(f"{name} must be [N, 2] points; got shape {np.shape(points)}.")
    figure = Figure(figsize=(5, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if real is not None:
        axes.scatter(real[:, 0], real[:, 1], s=4, c="tab:blue", alpha=0.4, label="real", linewidths=0)
    axes.scatter(samples[:, 0], samples[:, 1], s=4, c="tab:orange", alpha=0.6, label="generated", linewidths=0)
    axes.set_aspect("equal", adjustable="datalim")
    axes.legend(loc="upper right", markerscale=3)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    with atomic.replacing(path) as temporary:
        figure.savefig(temporary, format="png")
    return path


def save_samples(path, samples, real=None, title=None):
    """Writes samples as the picture that fits them: an image grid for `[N, H, W, C]`, a scatter for `[N, 2]`.

    `real` (2-D data only) is drawn under the samples. Returns `path`.

    Example:
        save_samples('samples.png', estimator_samples)
    """
    shape = np.shape(samples)
    if len(shape) == 4:
        return save_image_grid(path, samples)
    if len(shape) == 2 and shape[1] == 2:
        return save_scatter(path, samples, real=real, title=title)
    raise ValueError(f"samples must be images [N, H, W, C] or 2-D points [N, 2]; got shape {shape}.")
