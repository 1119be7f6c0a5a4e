"""Datasets that need no download, registered as TFDS builders: `digits`, `ring`, `grid`.

Importing this module registers them, so `tfds.builder('ring')` works like any TFDS
name and `gan.data` takes one route for every dataset. Preparing one is offline and
takes seconds: the data comes from scikit-learn's bundled files or a fixed-seed sampler.

- `digits`: scikit-learn's 1,797 8x8 handwritten digits (UCI "Optical Recognition of
  Handwritten Digits", Alpaydin & Kaynak 1998), pixels 0..16 rescaled to uint8 0..255,
  `image` [8, 8, 1] and `label` 0-9. One split, `train`; hold data out with TFDS split
  slicing, e.g. `train[:80%]` / `train[80%:]`.
- `ring` / `grid`: the 2-D Gaussian mixtures of VEEGAN (Srivastava et al. 2017) and
  PacGAN (Lin et al. 2018), centres and std from `gan.data.mixtures.MIXTURES`.
  100,000 float32 `point` [2] per `train` split, each with its `mode` (index into the
  mixture's centres), drawn with equal mode weights from a fixed seed.

Example:
    import tensorflow_datasets as tfds
    import gan.data.embedded  # registers the builders
    ds = tfds.load('ring', split='train', data_dir='/tmp/tfds')
"""
import numpy as np
import tensorflow_datasets as tfds
from sklearn import datasets as sklearn_datasets

from gan.data.mixtures import MIXTURES

MIXTURE_POINTS = 100_000
MIXTURE_SEED = 0


class Digits(tfds.core.GeneratorBasedBuilder):
    """scikit-learn's bundled 8x8 handwritten digits as a TFDS dataset (`image` uint8 [8, 8, 1], `label`).

    Example:
        tfds.builder('digits', data_dir='/tmp/tfds').download_and_prepare()
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "1,797 images from sklearn.datasets.load_digits, pixels x 255/16."}

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            description="The 1,797 8x8 handwritten digits bundled with scikit-learn, "
                        "pixels 0..16 rescaled to 0..255.",
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(8, 8, 1)),
                "label": tfds.features.ClassLabel(num_classes=10),
            }),
            supervised_keys=("image", "label"),
            homepage="https://archive.ics.uci.edu/dataset/80",
            citation="@misc{alpaydin1998digits, author={Alpaydin, E. and Kaynak, C.}, "
                     "title={Optical Recognition of Handwritten Digits}, "
                     "howpublished={UCI Machine Learning Repository}, year={1998}}",
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Nothing to download: the data ships with scikit-learn.
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        digits = sklearn_datasets.load_digits()
        # 16 is load_digits' maximum (a 4x4 block count of set pixels), so 16 -> 255.
        images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)[..., np.newaxis]
        for index, (image, label) in enumerate(zip(images, digits.target)):
            yield index, {"image": image, "label": int(label)}


class _MixtureBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Shared body of the `ring` and `grid` builders; subclasses name their mixture in MIXTURE."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": f"{MIXTURE_POINTS:,} points, seed {MIXTURE_SEED}."}
    MIXTURE = None

    def _info(self):
        mixture = MIXTURES[self.MIXTURE]
        return tfds.core.DatasetInfo(
            builder=self,
            description=f"2-D Gaussian mixture '{self.MIXTURE}': {len(mixture.centers)} equally likely modes, "
                        f"std {mixture.std}; `mode` indexes gan.data.mixtures.MIXTURES centres.",
            features=tfds.features.FeaturesDict({
                "point": tfds.features.Tensor(shape=(2,), dtype=np.float32),
                "mode": tfds.features.ClassLabel(num_classes=len(mixture.centers)),
            }),
            supervised_keys=("point", "mode"),
            homepage="https://arxiv.org/abs/1712.04086",
            citation="@inproceedings{lin2018pacgan, author={Lin, Z. and Khetan, A. and Fanti, G. and Oh, S.}, "
                     "title={PacGAN: The power of two samples in generative adversarial networks}, "
                     "booktitle={NeurIPS}, year={2018}}",
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Nothing to download: the points are sampled here.
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        mixture = MIXTURES[self.MIXTURE]
        rng = np.random.default_rng(MIXTURE_SEED)
        modes = rng.integers(len(mixture.centers), size=MIXTURE_POINTS)
        points = mixture.centers[modes] + mixture.std * rng.standard_normal((MIXTURE_POINTS, 2))
        for index, (point, mode) in enumerate(zip(points.astype(np.float32), modes)):
            yield index, {"point": point, "mode": int(mode)}


class Ring(_MixtureBuilder):
    """8 Gaussian modes evenly on the unit circle, std 0.01 (`point` float32 [2], `mode` 0-7).

    Example:
        tfds.builder('ring', data_dir='/tmp/tfds').download_and_prepare()
    """

    MIXTURE = "ring"


class Grid(_MixtureBuilder):
    """25 Gaussian modes at {-4, -2, 0, 2, 4}^2, std 0.05 (`point` float32 [2], `mode` 0-24).

    Example:
        tfds.builder('grid', data_dir='/tmp/tfds').download_and_prepare()
    """

    MIXTURE = "grid"
