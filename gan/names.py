"""The built-in names (datasets, losses, architectures), known without importing TensorFlow.

Command-line programs check a name against these before paying seconds for TensorFlow;
`tests/test_ux.py` keeps the lists equal to the registries they mirror
(`gan.losses.names()`, `gan.networks.names()`, the builders in `gan.data.embedded`).

Example:
    from gan import names
    names.unknown_dataset('mnsit')  # "Unknown dataset 'mnsit' (did you mean mnist?). ..."
"""
import difflib
import os

EMBEDDED_DATASETS = ("digits", "digits_domains", "grid", "ring")
LOSSES = ("least_squares", "minimax", "modified", "relativistic", "wasserstein", "wasserstein_hinge")
ARCHITECTURES = ("dcgan", "mlp", "tfgan_mnist", "translator")
# The model families that translate images between domains rather than generate from noise.
TRANSLATION_FAMILIES = ("cyclegan", "stargan")
# Datasets of images in several domains, what CycleGAN and StarGAN translate between (TFDS's
# cycle_gan/<config> and celeb_a by their base name).
TRANSLATION_DATASETS = ("digits_domains", "cycle_gan", "celeb_a")
# The domains of the translation datasets whose domains are fixed (celeb_a's are its attributes).
FIXED_DOMAINS = {"digits_domains": ("original", "inverted", "mirrored", "rotated"), "cycle_gan": ("A", "B")}


def is_translation_dataset(name):
    """Whether dataset `name` holds images in several domains (see TRANSLATION_DATASETS).

    Example:
        is_translation_dataset('cycle_gan/horse2zebra')  # True
    """
    return isinstance(name, str) and name.split("/")[0] in TRANSLATION_DATASETS


def is_image_folder(name):
    """Whether dataset `name` is a folder (of images) rather than a dataset name: it looks like a path.

    A bare name (`digits`, `mnist`) is always a dataset name, even when a folder of that
    name exists here (a run's model_dir often does): write `./digits` for such a folder. A
    TFDS name with a version (`mnist/3.0.1`) is not a path unless such a folder exists.

    Example:
        is_image_folder('./my_photos')  # True
    """
    if not isinstance(name, str):
        return False
    return name.startswith((".", "/", "~")) or ("/" in name and os.path.isdir(os.path.expanduser(name)))


def unknown_dataset(name):
    """The one-line error for dataset `name`, or None when it names an embedded, TFDS or folder dataset.

    Imports TFDS's registry (about a second) but not TensorFlow. Names with a namespace
    (`huggingface:...`) or a config (`mnist/3.0.1`) are checked by their base name only.

    Example:
        unknown_dataset('ring')  # None
    """
    if name in EMBEDDED_DATASETS or is_image_folder(name) or ":" in name:
        return None
    import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel

    known = set(tfds.list_builders(with_community_datasets=False))
    if name.split("/")[0] in known:
        return None
    return unknown_dataset_message(name, known)


def unknown_dataset_message(name, known):
    """"Unknown dataset ..." with the closest of `known` (TFDS names) or the embedded ones.

    Example:
        unknown_dataset_message('rign', [])  # "Unknown dataset 'rign' (did you mean ring?). ..."
    """
    close = difflib.get_close_matches(name.lower(), sorted(set(known) | set(EMBEDDED_DATASETS)), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"Unknown dataset {name!r}{hint}. Embedded (no download): {', '.join(EMBEDDED_DATASETS)}; "
            "a folder of images; or any TFDS name such as mnist, cifar10 (see tfds.list_builders()).")
