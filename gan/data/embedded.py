"""Datasets that need no download, registered as TFDS builders: `digits`, `digits_domains`, `ring`, `grid`.

Importing this module registers them, so `tfds.builder('ring')` works like any TFDS
name and `gan.data` takes one route for every dataset. Preparing one is offline and
takes seconds: the data comes from scikit-learn's bundled files or a fixed-seed sampler.

- `digits`: scikit-learn's 1,797 8x8 handwritten digits (UCI "Optical Recognition of
  Handwritten Digits", Alpaydin & Kaynak 1998), pixels 0..16 rescaled to uint8 0..255,
  `image` [8, 8, 1] and `label` 0-9. One split, `train`; hold data out with TFDS split
  slicing, e.g. `train[:80%]` / `train[80%:]`.
- `digits_domains`: the same digits in four image domains for image-to-image translation
  (CycleGAN, StarGAN): `original`, `inverted` (255 - x, i.e. -x in [-1, 1]), `mirrored`
  (left-right) and `rotated` (90 degrees counter-clockwise). 7,188 examples in `train`:
  `image` [8, 8, 1], `domain` (the supervised label), `label` (the digit) and `index`
  (the source image, 0..1796). `gan.data.translation` picks the domains' examples.
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
from gan.names import FIXED_DOMAINS

MIXTURE_POINTS = 100_000
MIXTURE_SEED = 0
DIGITS_CITATION = ("@misc{alpaydin1998digits, author={Alpaydin, E. and Kaynak, C.}, "
                   "title={Optical Recognition of Handwritten Digits}, "
                   "howpublished={UCI Machine Learning Repository}, year={1998}}")
# digits_domains' domains, each a transform of a uint8 image [H, W, C] (the float [-1, 1]
# versions and their inverses are gan.data.translation.to_domain / from_domain).
DIGIT_DOMAIN_TRANSFORMS = dict(zip(FIXED_DOMAINS["digits_domains"], (  # original, inverted, mirrored, rotated
    lambda image: image,
    lambda image: 255 - image,
    lambda image: image[:, ::-1],
    lambda image: np.rot90(image, k=1, axes=(0, 1)),
)))


def digit_images():
    """(images uint8 [1797, 8, 8, 1], labels int [1797]): scikit-learn's digits, pixels 0..16 -> 0..255.

    Example:
        images, labels = digit_images()  # images.max() == 255
    """
    digits = sklearn_datasets.load_digits()
    # 16 is load_digits' maximum (a 4x4 block count of set pixels), so 16 -> 255.
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)[..., np.newaxis]
    return images, digits.target


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
            citation=DIGITS_CITATION,
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Nothing to download: the data ships with scikit-learn.
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        images, labels = digit_images()
        for index, (image, label) in enumerate(zip(images, labels)):
            yield index, {"image": image, "label": int(label)}


class DigitsDomains(tfds.core.GeneratorBasedBuilder):
    """The digits in four domains (original, inverted, mirrored, rotated) for image-to-image translation.

    Each of the 1,797 `digits` images appears once per domain: `image` uint8 [8, 8, 1],
    `domain` (ClassLabel, the supervised label), `label` (the digit, ClassLabel(10)),
    `index` (int32, the source image 0..1796).

    Example:
        tfds.builder('digits_domains', data_dir='/tmp/tfds').download_and_prepare()
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "The 1,797 digits x 4 domains: original, inverted, mirrored, rotated."}

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            description="scikit-learn's 1,797 8x8 handwritten digits (as in `digits`) in four domains: "
                        "original, inverted (255 - x), mirrored (left-right) and rotated (90 degrees "
                        "counter-clockwise); `index` names the source image, `label` the digit.",
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(8, 8, 1)),
                "domain": tfds.features.ClassLabel(names=list(DIGIT_DOMAIN_TRANSFORMS)),
                "label": tfds.features.ClassLabel(num_classes=10),
                "index": tfds.features.Scalar(dtype=np.int32),
            }),
            supervised_keys=("image", "domain"),
            homepage="https://archive.ics.uci.edu/dataset/80",
            citation=DIGITS_CITATION,
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Nothing to download: the data ships with scikit-learn.
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        images, labels = digit_images()
        for domain, transform in DIGIT_DOMAIN_TRANSFORMS.items():
            for index, (image, label) in enumerate(zip(images, labels)):
                yield f"{domain}-{index}", {"image": np.ascontiguousarray(transform(image)), "domain": domain,
                                            "label": int(label), "index": index}


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
