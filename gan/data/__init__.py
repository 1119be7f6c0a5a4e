"""`gan.data`: input pipelines for GANs from any TFDS dataset, plus embedded ones that need no download.

Embedded (prepared offline in seconds): `digits` (scikit-learn's 8x8 handwritten
digits), `digits_domains` (the digits in four image domains), `ring` and `grid` (2-D
Gaussian mixtures). Any TFDS image dataset works by name (`mnist`, `cifar10`,
`celeb_a`, ...). The data dir is `data_dir`, else $GAN_DATA_DIR, else TFDS's default
(~/tensorflow_datasets). Image-to-image translation (CycleGAN, StarGAN) reads domains of
images through `translation_dataset` / `translation_input_fn` (`gan.data.translation`).

Example:
    from gan import data
    input_fn = data.gan_input_fn('mnist', batch_size=64, data_dir='../shared/data/tfds', download=False)
    noise, images = next(iter(input_fn()))  # [64, 64], [64, 28, 28, 1] in [-1, 1]
"""
from gan.data.catalog import EMBEDDED, DatasetError, DatasetSpec, describe
from gan.data.pipeline import gan_dataset, gan_input_fn, real_dataset
from gan.data.translation import (DIGITS_DOMAINS, dataset_domains, default_domains, domain_examples, from_domain,
                                  to_domain, translation_dataset, translation_input_fn)

__all__ = ["EMBEDDED", "DatasetError", "DatasetSpec", "describe", "gan_dataset", "gan_input_fn", "real_dataset",
           "DIGITS_DOMAINS", "dataset_domains", "default_domains", "domain_examples", "from_domain", "to_domain",
           "translation_dataset", "translation_input_fn"]
