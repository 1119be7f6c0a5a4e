"""Image grids keep a gap between tiles, so small samples (8x8 digits) do not merge into stripes."""
import numpy as np
from PIL import Image

from gan import plots


def test_tiles_are_separated_by_two_pixels_of_grey():
    white = np.ones([4, 8, 8, 1], np.float32)
    grid = plots.tile_images(white)
    assert grid.shape == (2 * 10, 2 * 10, 1)  # 2 x 2 tiles of 8 pixels framed by 1 on each side
    gap = plots.BORDER_VALUE
    assert (grid[:, 9:11] == gap).all() and (grid[9:11, :] == gap).all()  # between the tiles
    assert (grid[1:9, 1:9] == 1.0).all() and (grid[11:19, 11:19] == 1.0).all()  # the images themselves


def test_empty_places_are_black_and_the_png_keeps_the_gaps(tmp_path):
    grid = plots.tile_images(np.ones([3, 8, 8, 3], np.float32))
    assert grid.shape == (20, 20, 3) and (grid[10:, 10:] == -1.0).all()  # 4th place: no sample
    path = plots.save_image_grid(str(tmp_path / "grid.png"), np.ones([4, 8, 8, 1], np.float32))
    picture = np.asarray(Image.open(path))
    assert picture.shape == (2 * 50, 2 * 50)  # 8x8 enlarged 6 times, framed by 1
    assert (picture[:, 49:51] == 64).all() and (picture[1:49, 1:49] == 255).all()
