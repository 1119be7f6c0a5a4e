"""What the `gan-*` command-line programs share: per-dataset defaults, the run manifest, one-line errors.

The programs are thin layers over the `gan` library; this module holds only
command-line concerns: which flag values a dataset starts from (`DATASET_DEFAULTS`),
how flags map to network options, the `run.json` manifest that lets a run be
resumed and sampled, and turning the library's errors into one line on stderr.
TensorFlow is imported only when a program needs it (`import_tensorflow`), so bad
flags are reported in a fraction of a second.
"""
import datetime
import os
import re
import signal
import sys
import tempfile

from gan import checks, manifest, names

MANIFEST = manifest.MANIFEST

# Starting values per dataset; a flag given on the command line (or in a --flagfile)
# wins, then the value recorded in an existing run's manifest, then this table.
# `default` serves every other TFDS image dataset. Sources: WGAN-GP settings follow
# Gulrajani et al. 2017 (penalty 10, Adam 1e-4, beta1 0.5, beta2 0.9); mnist follows
# TF-GAN 2.1.0's MNIST example (Wasserstein loss, G 1e-3 / D 1e-4, Adam beta1 0.5, batch 32)
# plus a bias-corrected 0.998 generator EMA and bfloat16 where native; the rest
# (conditional digits, the mixtures' penalty 1, critic steps, learning rates, widths and
# EMA) are the measured winners of benchmarks/digits_quality.py, mnist_quality.py and
# mixture_quality.py: the figures, and what lost, are in docs/benchmarks.md. The 2-D
# datasets sample and log rarely because a fast 2-D step would otherwise wait on plotting.
DATASET_DEFAULTS = {
    "digits": dict(
        architecture="dcgan", base_filters=64, hidden_units=None, spectral_norm=False, conditional=True,
        loss="wasserstein", gradient_penalty_weight=10.0, noise_dims=32, batch_size=64,
        generator_steps=1, discriminator_steps=1, generator_lr=1e-3, discriminator_lr=1e-3, lr_half_life=None,
        beta1=0.5, beta2=0.9, generator_ema_decay=0.999, max_steps=100_000, max_seconds=120.0,
        save_every=500, sample_every=200, log_every=20, steps_per_execution=20, jit_compile=True,
        joint_train=False, mixed_precision=None,
        # XLA: 2.5-3x the steps/s on an AVX2 AMD EPYC (InfoGAN 42.0 against 16.9 steps/s, the
        # conditional GAN 46.2 against 14.1, 2026-12-07), the same on the AVX-512 machine of the
        # earlier figures (InfoGAN 2,060 against 2,080 steps in 40 s); docs/benchmarks.md.
        # InfoGAN: penalty weight 3 (code accuracy 0.76 against 0.65 for 1 and 0.73 for 8 in one
        # 300 s seed each), continuous codes weighted 0.1 of that (0.82 against 0.76 for 1 and 0.78
        # for 0, seed 0), the discriminator at the InfoGAN paper's 2e-4 beside the generator's 1e-3
        # (Chen et al. 2016; median code accuracy over 3 seeds 0.92, rerun 0.85, seeds 3-5 0.85,
        # against 0.81: docs/benchmarks.md) and a 300 s budget.
        models={"infogan": dict(mutual_information_penalty_weight=3.0, continuous_code_weight=0.1,
                                discriminator_lr=2e-4, max_seconds=300.0)}),
    "mnist": dict(
        architecture="tfgan_mnist", base_filters=None, hidden_units=None, spectral_norm=False, conditional=False,
        loss="wasserstein", gradient_penalty_weight=0.0, noise_dims=64, batch_size=32,
        generator_steps=1, discriminator_steps=1, generator_lr=1e-3, discriminator_lr=1e-4, lr_half_life=None,
        beta1=0.5, beta2=0.999, generator_ema_decay=0.998, max_steps=20_000, max_seconds=None,
        save_every=1000, sample_every=500, log_every=50, steps_per_execution=10, jit_compile=False,
        joint_train=False, mixed_precision="auto"),
    "ring": dict(
        architecture="mlp", base_filters=None, hidden_units=(128, 128), spectral_norm=False, conditional=False,
        loss="wasserstein", gradient_penalty_weight=1.0, noise_dims=8, batch_size=256,
        generator_steps=1, discriminator_steps=5, generator_lr=3e-4, discriminator_lr=3e-4, lr_half_life=None,
        beta1=0.5, beta2=0.9, generator_ema_decay=0.999, max_steps=1_000_000, max_seconds=120.0,
        save_every=2000, sample_every=2000, log_every=250, steps_per_execution=50, jit_compile=False,
        joint_train=False, mixed_precision=None),
    "grid": dict(
        architecture="mlp", base_filters=None, hidden_units=(256, 256), spectral_norm=False, conditional=False,
        loss="wasserstein", gradient_penalty_weight=1.0, noise_dims=8, batch_size=256,
        generator_steps=1, discriminator_steps=2, generator_lr=1e-3, discriminator_lr=1e-3, lr_half_life=12_000,
        beta1=0.5, beta2=0.9, generator_ema_decay=0.999, max_steps=1_000_000, max_seconds=300.0,
        save_every=2000, sample_every=2000, log_every=250, steps_per_execution=50, jit_compile=False,
        joint_train=False, mixed_precision=None),
    "default": dict(
        architecture="dcgan", base_filters=64, hidden_units=None, spectral_norm=False, conditional=False,
        loss="wasserstein", gradient_penalty_weight=10.0, noise_dims=128, batch_size=64,
        generator_steps=1, discriminator_steps=5, generator_lr=1e-4, discriminator_lr=1e-4, lr_half_life=None,
        beta1=0.5, beta2=0.9, generator_ema_decay=0.999, max_steps=20_000, max_seconds=None,
        save_every=1000, sample_every=500, log_every=50, steps_per_execution=10, jit_compile=False,
        joint_train=False, mixed_precision=None),
}

DATASET_DEFAULTS["fashion_mnist"] = DATASET_DEFAULTS["mnist"]  # same 28x28x1 shape and recipe
# Image-to-image translation (--model=cyclegan / stargan) on the embedded digits_domains. CycleGAN:
# least squares, Adam 2e-4 with beta1 0.5, cycle weight 10 (Zhu et al. 2017); StarGAN: WGAN-GP,
# 5 critic steps, Adam 1e-4 with betas 0.5 / 0.999, reconstruction 10, classification 1 (Choi et al. 2018).
DATASET_DEFAULTS["digits_domains"] = dict(
    architecture="translator", base_filters=None, hidden_units=(256, 256), spectral_norm=False, conditional=False,
    loss="least_squares", gradient_penalty_weight=0.0, noise_dims=1, batch_size=64,
    generator_steps=1, discriminator_steps=1, generator_lr=2e-4, discriminator_lr=2e-4, lr_half_life=None,
    beta1=0.5, beta2=0.999, generator_ema_decay=0.999, max_steps=100_000, max_seconds=300.0,
    save_every=500, sample_every=200, log_every=20, steps_per_execution=20, jit_compile=False,
    joint_train=False, mixed_precision=None,
    models={"stargan": dict(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=5,
                            generator_lr=1e-4, discriminator_lr=1e-4)})
# Other translation datasets (cycle_gan/*, celeb_a: large photos): the papers' settings, convolutional networks.
DATASET_DEFAULTS["translation"] = dict(
    DATASET_DEFAULTS["digits_domains"], base_filters=32, hidden_units=None, batch_size=8, max_steps=200_000,
    max_seconds=None, save_every=1000, sample_every=500, log_every=50, steps_per_execution=10)

# What each model family (--model) sets on top of a dataset's row; a row's `models` entry
# overrides them for that dataset. ACGAN's class-loss weights are 1 for both networks (Odena
# et al. 2017); InfoGAN's codes are the paper's MNIST ones (Chen et al. 2016: one 10-way
# categorical and two continuous codes) with TF-GAN's InfoGAN example's penalty weight 1.
# ACGAN's generator always takes the labels, InfoGAN never sees them.
# CycleGAN and StarGAN translate images between the domains of a translation dataset (`domains`
# None: the dataset's default ones, gan.data.default_domains); their weights are TF-GAN's defaults.
_NO_FAMILY = dict(aux_cond_generator_weight=None, aux_cond_discriminator_weight=None,
                  mutual_information_penalty_weight=None, categorical_codes=None, continuous_codes=None,
                  continuous_code_weight=None, cycle_consistency_loss_weight=None, reconstruction_loss_weight=None,
                  classification_loss_weight=None, domains=None)
FAMILY_DEFAULTS = {
    "gan": dict(_NO_FAMILY),
    "acgan": dict(_NO_FAMILY, conditional=True, aux_cond_generator_weight=1.0, aux_cond_discriminator_weight=1.0),
    "infogan": dict(_NO_FAMILY, conditional=False, mutual_information_penalty_weight=1.0, categorical_codes=10,
                    continuous_codes=2, continuous_code_weight=1.0),
    "cyclegan": dict(_NO_FAMILY, conditional=False, cycle_consistency_loss_weight=10.0),
    "stargan": dict(_NO_FAMILY, conditional=False, reconstruction_loss_weight=10.0, classification_loss_weight=1.0),
}
MODELS = tuple(FAMILY_DEFAULTS)
TRANSLATION_MODELS = names.TRANSLATION_FAMILIES
TRANSLATION_DATASET = "digits_domains"  # the dataset of a translation family when --dataset is not given
# The flags each family reads (and only those families), and the architectures that build its heads.
FAMILY_FLAGS = {"gan": ("conditional",), "acgan": ("aux_cond_generator_weight", "aux_cond_discriminator_weight"),
                "infogan": ("mutual_information_penalty_weight", "categorical_codes", "continuous_codes",
                            "continuous_code_weight"),
                "cyclegan": ("cycle_consistency_loss_weight", "domains"),
                "stargan": ("reconstruction_loss_weight", "classification_loss_weight", "domains")}
FAMILY_ARCHITECTURES = ("dcgan", "tfgan_mnist")
TRANSLATION_ARCHITECTURES = ("translator",)

# Which flags become keyword options of which `gan.networks` factory.
ARCHITECTURE_OPTIONS = {"dcgan": ("base_filters", "spectral_norm"), "mlp": ("hidden_units", "spectral_norm"),
                        "tfgan_mnist": (), "translator": ("hidden_units", "base_filters")}
# Settings that decide the networks' variables: a run may only resume with the same ones.
STRUCTURAL_KEYS = ("dataset", "model", "image_size", "architecture", "base_filters", "hidden_units",
                   "spectral_norm", "noise_dims", "conditional", "categorical_codes", "continuous_codes", "domains")


class UsageError(ValueError):
    """Bad command-line input; `exit_on_errors` prints it as one line and exits with status 2."""


def dataset_defaults(dataset, model="gan"):
    """The `DATASET_DEFAULTS` row for `dataset` (the `default` row for datasets without one), with the
    `FAMILY_DEFAULTS` of `model` and the row's own `models` entry for it.

    Example:
        dataset_defaults('ring')['architecture']  # 'mlp'
        dataset_defaults('digits', 'infogan')['conditional']  # False
    """
    fallback = "translation" if model in TRANSLATION_MODELS else "default"
    row = dict(DATASET_DEFAULTS.get(dataset, DATASET_DEFAULTS[fallback]))
    per_model = row.pop("models", {})
    return {**row, **FAMILY_DEFAULTS.get(model, {}), **per_model.get(model, {})}


def resolve(explicit, recorded=None, flag_defaults=None):
    """Settings for a run: `explicit` flags, else the `recorded` run's, else the dataset's row (for the
    run's model family), else flag defaults.

    Example:
        resolve({'batch_size': 8}, None, {'dataset': 'digits'})['architecture']  # 'dcgan'
    """
    recorded, flag_defaults = recorded or {}, flag_defaults or {}

    def setting(name, default=None):
        return explicit.get(name, recorded.get(name, flag_defaults.get(name, default)))

    model = setting("model", "gan")
    dataset = explicit.get("dataset", recorded.get("dataset"))
    if dataset is None:
        dataset = TRANSLATION_DATASET if model in TRANSLATION_MODELS else flag_defaults.get("dataset")
    return {**flag_defaults, "dataset": dataset, **dataset_defaults(dataset, model), **recorded, **explicit}


def check_family_flags(config, explicit):
    """UsageError for a flag in `explicit` that `config['model']`'s family does not read, or an
    architecture that cannot build its heads.

    Example:
        check_family_flags({'model': 'infogan', ...}, {'aux_cond_generator_weight'})  # UsageError: ... applies to --model=acgan
    """
    model = config["model"]
    for name in sorted(set(explicit) & {n for names in FAMILY_FLAGS.values() for n in names}):
        owners = [m for m, names in FAMILY_FLAGS.items() if name in names]
        if model not in owners:
            raise UsageError(f"--{name} applies to --model={' or '.join(owners)}, not --model={model}"
                             + ("; acgan always gives the generator the labels and infogan never does."
                                if name == "conditional" else "."))
    translation = model in TRANSLATION_MODELS
    if translation and not names.is_translation_dataset(config["dataset"]):
        raise UsageError(f"--model={model} translates images between domains; dataset {config['dataset']!r} has "
                         f"none: pass --dataset={TRANSLATION_DATASET} (no download), cycle_gan/<name> or celeb_a.")
    if translation and config["domains"] is not None:
        check_domains(config, names.FIXED_DOMAINS.get(config["dataset"].split("/")[0]))
    if translation != (config["architecture"] in TRANSLATION_ARCHITECTURES):
        needed = TRANSLATION_ARCHITECTURES if translation else FAMILY_ARCHITECTURES if model != "gan" else None
        if needed is None:
            raise UsageError(f"--architecture={config['architecture']} translates images (--model=cyclegan or "
                             "stargan); --model=gan takes dcgan, mlp or tfgan_mnist.")
        raise UsageError(f"--model={model} needs {'an image-to-image' if translation else 'an image'} architecture "
                         f"that builds its networks: {', '.join(needed)}; got --architecture={config['architecture']}.")
    if model in ("acgan", "infogan") and config["architecture"] not in FAMILY_ARCHITECTURES:
        raise UsageError(f"--model={model} needs an image architecture that builds its heads: "
                         f"{', '.join(FAMILY_ARCHITECTURES)}; got --architecture={config['architecture']}.")


def check_domains(config, offered):
    """UsageError unless `config['domains']` fit its family (CycleGAN: two) and are among `offered`
    (the dataset's domain names; None: not known yet, checked once the dataset is loaded).

    Example:
        check_domains({'model': 'cyclegan', 'domains': ('original', 'x'), ...}, ('original', 'inverted'))  # UsageError
    """
    if config["model"] == "cyclegan" and len(config["domains"]) != 2:
        raise UsageError(f"--model=cyclegan translates between two --domains; got {len(config['domains'])}.")
    unknown = [d for d in config["domains"] if offered is not None and d not in offered]
    if unknown:
        raise UsageError(f"--domains: dataset {config['dataset']!r} has no domain {unknown[0]!r}; accepted: "
                         f"{', '.join(offered)}.")


def family_options(config, num_classes):
    """Keyword options of the `gan.networks` factory for `config`'s model family (`num_classes`: the dataset's).

    Example:
        family_options({'model': 'acgan', ...}, 10)  # {'auxiliary_classes': 10}
    """
    model = config.get("model", "gan")
    if model == "acgan":
        return {"auxiliary_classes": num_classes}
    if model == "infogan":
        return {"structured_codes": structured_codes(config)}
    if model == "cyclegan":
        return {}
    if model == "stargan":
        return {"num_domains": len(config["domains"])}
    return {"conditional": bool(config["conditional"])}


def structured_codes(config):
    """InfoGAN's `(categorical_codes, continuous_codes)` of `config`, or None for the other families."""
    if config.get("model", "gan") != "infogan":
        return None
    return int(config["categorical_codes"]), int(config["continuous_codes"])


def categorical_code(config):
    """Where InfoGAN's categorical code sits in the generator inputs (`gan.eval.metrics_for`'s
    `categorical_code`), or None for the other families."""
    return 1 if structured_codes(config) else None


def family_estimator_options(config):
    """`gan.GANEstimator` keyword arguments of `config`'s model family (its loss weights).

    Example:
        family_estimator_options({'model': 'infogan', 'mutual_information_penalty_weight': 1.0,
                                  'continuous_codes': 2, 'continuous_code_weight': 0.1, ...})
        # {'mutual_information_penalty_weight': 1.0, 'structured_code_weights': (1.0, 0.1)}
    """
    model = config.get("model", "gan")
    # Every family weight is the estimator argument of its name, but InfoGAN's continuous-code weight.
    options = {name: config[name] for name in FAMILY_FLAGS.get(model, ())
               if name.endswith("_weight") and name != "continuous_code_weight"}
    if model == "infogan" and config.get("continuous_codes") and config.get("continuous_code_weight") is not None:
        options["structured_code_weights"] = (1.0, float(config["continuous_code_weight"]))
    return options


def check_network_flags(config, explicit):
    """UsageError for an option flag in `explicit` that `config['architecture']` does not take.

    Example:
        check_network_flags({'architecture': 'mlp'}, {'base_filters'})  # UsageError: --base_filters does not apply ...
    """
    accepted = ARCHITECTURE_OPTIONS.get(config["architecture"], ())
    for name in sorted(set(explicit) & {o for opts in ARCHITECTURE_OPTIONS.values() for o in opts}):
        if name not in accepted:
            takers = ", ".join(a for a, opts in ARCHITECTURE_OPTIONS.items() if name in opts)
            raise UsageError(f"--{name} does not apply to --architecture={config['architecture']}; "
                             f"it applies to: {takers}.")


def network_options(config, explicit=()):
    """Keyword options for the `gan.networks` factory of `config['architecture']` (after
    `check_network_flags(config, explicit)`); unset (None) options are left to the factory.

    Example:
        network_options({'architecture': 'mlp', 'hidden_units': (8,), 'spectral_norm': False})
        # {'hidden_units': (8,), 'spectral_norm': False}
    """
    check_network_flags(config, explicit)
    accepted = ARCHITECTURE_OPTIONS.get(config["architecture"], ())
    options = {name: config.get(name) for name in accepted if config.get(name) is not None}
    if "hidden_units" in options:
        options["hidden_units"] = tuple(options["hidden_units"])
    return options


def check_positive_int(name, value, optional=False):
    """UsageError unless `value` is a positive int (or None when `optional`): `gan.checks.positive_int` for a flag.

    Example:
        check_positive_int('batch_size', 0)  # UsageError: --batch_size must be a positive integer; got 0.
    """
    try:
        checks.positive_int(name, value, optional)
    except checks.ArgumentError as error:
        raise UsageError(f"--{error}") from None


def check_range(name, value, low, high, low_open=False, high_open=False, optional=False):
    """UsageError unless `low <= value <= high` (`<` where open): `gan.checks.number_in` for a flag.

    Example:
        check_range('beta1', 1.0, 0.0, 1.0, high_open=True)  # UsageError: --beta1 must be in [0, 1); got 1.0.
    """
    try:
        checks.number_in(name, value, low, high, low_open, high_open, optional)
    except checks.ArgumentError as error:
        raise UsageError(f"--{error}") from None


def check_model_dir(model_dir):
    """UsageError when `model_dir` exists but is not a directory.

    Example:
        check_model_dir('/etc/hostname')  # UsageError: --model_dir '/etc/hostname' is a file; ...
    """
    if not model_dir:
        raise UsageError("--model_dir must name a directory; got an empty value.")
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise UsageError(f"--model_dir '{model_dir}' is a file; pass a directory (new, or holding a gan-train run).")
    check_directory_can_exist("model_dir", model_dir)


def check_writable(name, path):
    """UsageError naming `--name` and the cause unless a file can be written at `path` (tried and removed).

    Example:
        check_writable('output', '/proc/samples.npy')  # UsageError: --output /proc/samples.npy: cannot write ...
    """
    check_directory_can_exist(name, os.path.dirname(os.path.abspath(path)), shown=path)
    probe = f"{path}.probe{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(probe, "w", encoding="utf-8"):
            pass
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"--{name} {path}: cannot write there ({error.strerror or error}).") from None


def check_directory_can_exist(name, path, shown=None):
    """UsageError when directory `path` is a file or lies under one, so it can never be made; the message
    names `--name` with its value `shown` (default `path`).

    Example:
        check_directory_can_exist('cache_dir', '/etc/hostname/cache')
        # UsageError: --cache_dir /etc/hostname/cache: cannot be written: /etc/hostname is a file, not a directory.
    """
    if not path:
        return
    existing = os.path.abspath(os.path.expanduser(path))
    while not os.path.exists(existing) and existing != os.path.dirname(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UsageError(f"--{name} {shown or path}: cannot be written: {existing} is a file, not a directory.")


def check_links_stay_inside(model_dir):
    """UsageError when a symbolic link in `model_dir` leads out of it: training writes through the run's
    files (the log is appended to), and a run directory from elsewhere must not make a program write, or
    load a checkpoint (`best/`), elsewhere.

    Example:
        check_links_stay_inside('runs/x')  # UsageError if runs/x/train_log.jsonl -> /home/me/.bashrc
    """
    root = os.path.realpath(model_dir)
    for directory, names, file_names in os.walk(model_dir):
        for name in names + file_names:
            path = os.path.join(directory, name)
            target = os.path.realpath(path)
            if os.path.islink(path) and os.path.commonpath([root, target]) != root:
                raise UsageError(f"--model_dir '{model_dir}': {path} is a symbolic link to {target}, outside the "
                                 "run; the gan programs read and write only inside --model_dir: remove the link.")


def read_manifest(model_dir):
    """The run manifest (`run.json`) in `model_dir`, or None when there is none; UsageError when unreadable.

    Example:
        read_manifest('runs/digits-wasserstein')['config']['architecture']  # 'dcgan'
    """
    path = manifest.path_in(model_dir)
    try:
        record = manifest.read(model_dir)
        if record is None or "config" not in record:  # none, or only what a library run records
            return None
        record["config"]["architecture"]  # pylint: disable=pointless-statement  (must be present)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path} is not a readable gan-train manifest ({type(error).__name__}); "
                         "use another --model_dir.") from None
    return record


def check_compatible(model_dir, recorded, config):
    """UsageError when `config` changes a setting that decides the networks of the run recorded in `model_dir`.

    Example:
        check_compatible('runs/x', {'architecture': 'dcgan', ...}, {'architecture': 'mlp', ...})  # UsageError
    """
    for key in STRUCTURAL_KEYS:
        if key in recorded and _plain(recorded[key]) != _plain(config.get(key)):
            raise UsageError(f"--model_dir '{model_dir}' holds a run with --{key}={_show(recorded[key])}, "
                             f"not {_show(config.get(key))}; pass --{key}={_show(recorded[key])} to resume it, "
                             "or another --model_dir.")


def _plain(value):
    return list(value) if isinstance(value, (tuple, list)) else value


def _show(value):
    return ",".join(str(v) for v in value) if isinstance(value, (tuple, list)) else str(value)


def write_manifest(model_dir, fields):
    """Records the program's `fields` in the run manifest (`gan.manifest`, `run.json`), keeping what
    the library recorded there; returns its path.

    Example:
        write_manifest('runs/x', {'config': {...}, 'dataset': {...}, 'versions': library_versions()})
    """
    return manifest.update(model_dir, **fields, updated=datetime.datetime.now().isoformat(timespec="seconds"))


def library_versions():
    """Versions of the libraries a run depends on, for the manifest.

    Example:
        library_versions()['tensorflow']  # '2.21.0'
    """
    import keras  # pylint: disable=import-outside-toplevel
    import numpy as np  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel

    import gan  # pylint: disable=import-outside-toplevel

    return {"gan": gan.__version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "tensorflow_datasets": tfds.__version__, "numpy": np.__version__,
            "python": sys.version.split()[0]}


def generator_inputs(num_samples, noise_dims, num_classes=None, labels=None, seed=0, structured_codes=None):
    """Float32 generator inputs for `num_samples` samples: noise, `(noise, one_hot)` when `num_classes`,
    or InfoGAN's `(noise, categorical_code, continuous_code)` with `structured_codes=(C, N)`.

    `labels` (class ids, or categorical code values for InfoGAN) are repeated to fill
    `num_samples`; None cycles 0, 1, ..., K-1. InfoGAN's continuous codes are uniform in [-1, 1].

    Example:
        noise, one_hot = generator_inputs(4, 8, num_classes=10, labels=[3])  # one_hot[:, 3] == 1
    """
    import numpy as np  # pylint: disable=import-outside-toplevel

    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((num_samples, noise_dims)).astype(np.float32)
    categories = structured_codes[0] if structured_codes else num_classes
    if not categories:
        return noise
    ids = np.resize(np.asarray(labels if labels else np.arange(categories), dtype=np.int64), num_samples)
    one_hot = np.eye(categories, dtype=np.float32)[ids]
    if not structured_codes:
        return noise, one_hot
    if not structured_codes[1]:
        return noise, one_hot
    return noise, one_hot, rng.uniform(-1, 1, (num_samples, structured_codes[1])).astype(np.float32)


def code_grid_inputs(noise_dims, structured_codes, columns=10, seed=0):
    """InfoGAN's picture inputs: row r takes categorical code r, column j the first continuous code at
    the j-th of `columns` even steps from -1 to 1 (the others 0), all with one noise vector.

    Example:
        noise, code, continuous = code_grid_inputs(62, (10, 2))  # 100 samples, a 10 x 10 grid
    """
    import numpy as np  # pylint: disable=import-outside-toplevel

    categories, continuous = structured_codes
    count = categories * columns
    noise = np.repeat(np.random.default_rng(seed).standard_normal((1, noise_dims)).astype(np.float32), count, 0)
    one_hot = np.eye(categories, dtype=np.float32)[np.repeat(np.arange(categories), columns)]
    if not continuous:
        return noise, one_hot
    values = np.zeros((count, continuous), np.float32)
    values[:, 0] = np.tile(np.linspace(-1, 1, columns, dtype=np.float32), categories)
    return noise, one_hot, values


def import_tensorflow():
    """Imports TensorFlow with its C++ start-up log lines hidden; returns the module.

    TensorFlow prints several lines to stderr while loading (oneDNN, CUDA stubs) that
    TF_CPP_MIN_LOG_LEVEL does not silence; they would bury the one-line errors and the
    progress bar. They are captured and shown only if the import fails. Later C++ log
    lines are hidden too (level 3): failures reach Python as exceptions, and what is left
    is noise such as harmless graph-optimizer notes. Set TF_CPP_MIN_LOG_LEVEL=0 to see all.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf  # pylint: disable=import-outside-toplevel
            tf.config.list_physical_devices()  # Device discovery logs too (e.g. cuInit): do it now.
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return tf


def quiet_logging():
    """Python logging at WARNING unless --verbosity was given: TFDS's INFO lines would bury the progress bar."""
    from absl import flags, logging  # pylint: disable=import-outside-toplevel

    if not flags.FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)


def one_line(error):
    """An exception's message as one line (TensorFlow's may span many).

    Example:
        one_line(ValueError('a\\n  b'))  # 'a b'
    """
    text = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    return text or type(error).__name__


def in_flag_terms(message, argument=None):
    """The library's `message` in command-line terms: the argument mentions it writes as Python keywords
    (`data_dir=PATH`, `strategy='mirrored'`, `preflight=False`) and a leading `argument` name (see
    `gan.checks.ArgumentError`) become flags, for the names that are flags of this program.

    Example:
        in_flag_terms("use strategy='mirrored'.")  # "use --strategy=mirrored."
        in_flag_terms('batch_size must be a positive integer; got 0.', 'batch_size')  # '--batch_size must ...'
    """
    from absl import flags  # pylint: disable=import-outside-toplevel

    defined = flags.FLAGS

    def flag(match):
        name, value = match.group(1), match.group(2)
        if name not in defined:
            return match.group(0)
        if value in ("True", "False") and isinstance(defined[name].default, bool):
            return f"--{'' if value == 'True' else 'no'}{name}"
        return f"--{name}={value.strip(chr(39))}"

    message = re.sub(r"(?<![\w.-])([a-z][a-z0-9_]*)=('[^']*'|[^\s,;)]+?)(?=[.:]?(?:[\s,;)]|$))", flag, message)
    if argument and argument in defined and message.startswith(f"{argument} "):
        message = f"--{message}"
    return message


def exit_on_errors(program, main):
    """Wraps `main(argv)` so bad input ends as one stderr line and exit status 2 (NaN training: status 1).

    Example:
        app.run(exit_on_errors('gan-train', main))
    """
    def wrapped(argv):
        try:
            return main(argv)
        except UsageError as error:
            _fail(program, one_line(error), 2)
        except ValueError as error:  # the library's ArgumentError, DatasetError, IncompatibleCheckpointError
            _fail(program, in_flag_terms(one_line(error), getattr(error, "argument", None)), 2)
        except FloatingPointError as error:  # gan.NonFiniteError
            _fail(program, one_line(error), 1)
        except OSError as error:  # unwritable or full disk; gan.CheckpointWriteError mid-training
            where = f"{error.filename}: " if getattr(error, "filename", None) else ""
            _fail(program, f"{where}{error.strerror or one_line(error)}", getattr(error, "exit_status", 2))
        except KeyboardInterrupt:
            name = _SIGNALS_SEEN[0] if _SIGNALS_SEEN else "SIGINT"
            _fail(program, f"stopped by {name}; rerun the same command to resume from the newest checkpoint.",
                  128 + signal.Signals[name].value)
        except Exception as error:  # pylint: disable=broad-except
            if not type(error).__module__.startswith("tensorflow"):
                raise
            _fail(program, f"TensorFlow stopped: {one_line(error)[:300]}", 1)  # e.g. an I/O error while saving
    return wrapped


_SIGNALS_SEEN = []
_STOP_REQUESTS = []


def stop_signals_call(request_stop):
    """From now on the first SIGINT / SIGTERM calls `request_stop()` (e.g. `GANEstimator.request_stop`)
    instead of raising KeyboardInterrupt wherever the program happens to be: the trainer then
    stops at its next round boundary, saves, and raises KeyboardInterrupt itself. (Raised at a
    random point, the interrupt can land in a finalizer, where Python prints and drops it.)

    Example:
        stop_signals_call(estimator.request_stop)
    """
    _STOP_REQUESTS[:] = [request_stop]


def _stop_gracefully(signum, frame):
    """First SIGINT / SIGTERM: stop like Ctrl-C (the trainer saves the current step); a second: exit at once."""
    del frame
    if _SIGNALS_SEEN:
        os._exit(128 + signum)  # pylint: disable=protected-access
    _SIGNALS_SEEN.append(signal.Signals(signum).name)
    if _STOP_REQUESTS:
        _STOP_REQUESTS[0]()
        return
    raise KeyboardInterrupt


class RunLock:
    """A lock file in `model_dir` held while a program trains it; a second one is refused in one line.

    A lock whose process is gone (killed) is taken over with a note. A directory the lock
    created is removed again when nothing else was written to it.

    Example:
        with RunLock('runs/x'):
            train()
    """

    NAME = ".gan-train.lock"

    def __init__(self, model_dir):
        self.model_dir, self.path = model_dir, os.path.join(model_dir, self.NAME)
        self._created_dir = False

    def __enter__(self):
        if not os.path.isdir(self.model_dir):
            os.makedirs(self.model_dir)
            self._created_dir = True
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = _pid_in(self.path)
                if holder is not None and _alive(holder):
                    raise UsageError(f"--model_dir '{self.model_dir}' is being trained by process {holder} (lock "
                                     f"file {self.path}); wait for it to finish or stop it.") from None
                print(f"note: taking over the stale lock of process {holder} on {self.model_dir}", file=sys.stderr)
                os.remove(self.path)
                continue
            with os.fdopen(fd, "w") as f:
                f.write(str(os.getpid()))
            return self
        raise UsageError(f"--model_dir '{self.model_dir}': could not take its lock file {self.path}.")

    def __exit__(self, *unused):
        if os.path.exists(self.path) and _pid_in(self.path) == os.getpid():
            os.remove(self.path)
        if self._created_dir and os.path.isdir(self.model_dir) and not os.listdir(self.model_dir):
            os.rmdir(self.model_dir)


def _pid_in(path):
    try:
        with open(path, encoding="utf-8") as f:
            return int(f.read().strip() or "0") or None
    except (OSError, ValueError):
        return None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_program(program, define_flags, main, doc="", groups=None, per_dataset=None):
    """A console script's entry point: defines its flags, then runs `main` with one-line errors.

    `--help` prints `doc` and the program's own flags under the headings of `groups`
    ({heading: flag names}; the rest under "other"); flags in `per_dataset` show their
    default from --dataset's row of DATASET_DEFAULTS.

    Example:
        def run(): run_program('gan-train', define_flags, main, __doc__, {'data': ('dataset',)})
    """
    from absl import app, flags  # pylint: disable=import-outside-toplevel

    before = set(flags.FLAGS)
    define_flags()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_gracefully)
    own = [name for name in flags.FLAGS if name not in before]
    help_text = lambda argv: program_help(program, doc, own, groups or {}, per_dataset or (), argv)  # noqa: E731
    app.run(exit_on_errors(program, main), flags_parser=flags_parser(program, help_text))


HELP_ARGS = ("--help", "-help", "-h", "--h", "-?", "--helpshort", "-helpshort")


def program_help(program, doc, own, groups, per_dataset, argv):
    """The `--help` text: `doc`, then the `own` flags grouped, with their true defaults (see `run_program`).

    Example:
        program_help('gan-train', train.__doc__, ['dataset'], {'data': ('dataset',)}, (), ['gan-train'])
    """
    import textwrap  # pylint: disable=import-outside-toplevel

    from absl import flags  # pylint: disable=import-outside-toplevel

    dataset = next((a.split("=", 1)[1] for a in argv if a.startswith("--dataset=")), None)
    dataset = dataset or (flags.FLAGS["dataset"].default if "dataset" in own else None)
    model = next((a.split("=", 1)[1] for a in argv if a.startswith("--model=")), "gan")
    row = dataset_defaults(dataset, model) if per_dataset else {}
    grouped = [name for names in groups.values() for name in names]
    sections = [(heading, [n for n in names if n in own]) for heading, names in groups.items()]
    sections.append(("other", [n for n in own if n not in grouped]))
    lines = [doc.strip(), "", f"Flags (`{program} --helpfull` adds absl's):"]
    for heading, names in sections:
        if not names:
            continue
        lines += ["", f"{heading}:"]
        for name in names:
            flag = flags.FLAGS[name]
            shown = f"--[no]{name}" if flag.flag_type() == "bool" else f"--{name}"
            default = flag.default
            if name in per_dataset:
                default = "none" if row.get(name) is None else row[name]
            if isinstance(default, (list, tuple)):
                default = ",".join(str(v) for v in default)
            text = flag.help + ("" if default is None else f" (default: {default}{'*' if name in per_dataset else ''})")
            lines.append(f"  {shown}")
            lines += textwrap.wrap(text, 100, initial_indent="      ", subsequent_indent="      ")
    if per_dataset:
        lines += ["", f"* per dataset: the value shown is --dataset={dataset}'s for --model={model} (DATASET_DEFAULTS "
                      f"and FAMILY_DEFAULTS in {__name__}); `{program} --dataset=NAME --model=NAME --help` shows "
                      "another's."]
    return "\n".join(lines)


def drop_stdout():
    """Points stdout at /dev/null after a write to it failed, so exiting does not fail on it again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fail(program, message, status):
    try:
        sys.stdout.flush()
    except OSError:  # stdout itself is what failed (a full disk, a closed pipe)
        drop_stdout()
    print(f"{program}: error: {message}", file=sys.stderr, flush=True)
    sys.exit(status)


def flags_parser(program, help_text=None):
    """An `absl.app.run` flags parser that reports a bad flag as one stderr line and exit status 2.

    With `help_text(argv)`, `--help` prints it and exits 0 instead of absl's short usage.

    Example:
        app.run(main, flags_parser=flags_parser('gan-train'))
    """
    from absl import flags  # pylint: disable=import-outside-toplevel

    def parse(argv):
        if help_text and any(arg in HELP_ARGS for arg in argv[1:]):
            print(help_text(argv))
            sys.exit(0)
        try:
            return flags.FLAGS(expand_config(argv) if "config" in flags.FLAGS else argv)
        except UsageError as error:
            _fail(program, str(error), 2)
        except flags.Error as error:  # absl prefixes some messages with its own "ERROR::"
            message = re.sub(r"^(ERROR:+\s*)+", "", one_line(error))
            _fail(program, f"{message} (see --help for the accepted flags)", 2)
    return parse


CONFIG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")


def config_names():
    """Names of the packaged configurations (`--config=NAME`), from the .cfg flag files in `CONFIG_DIR`.

    Example:
        config_names()  # ['digits', 'grid', 'mnist_conditional', 'mnist_wgan_gp', 'ring']
    """
    return sorted(name[:-4] for name in os.listdir(CONFIG_DIR) if name.endswith(".cfg"))


def expand_config(argv):
    """`argv` with each `--config=NAME` replaced by `--flagfile=` the packaged file, so it works from any directory.

    Flags after it override its values, as for any flag file.

    Example:
        expand_config(['gan-train', '--config=ring'])  # ['gan-train', '--flagfile=.../configs/ring.cfg']
    """
    expanded, args = [], iter(argv)
    for arg in args:
        name = None
        if arg.startswith(("--config=", "-config=")):
            name = arg.split("=", 1)[1]
        elif arg in ("--config", "-config"):
            name = next(args, "")
        if name is None:
            expanded.append(arg)
            continue
        if name not in config_names():
            raise UsageError(f"Unknown --config {name!r}; accepted: {', '.join(config_names())} "
                             "(or --flagfile=PATH for your own file).")
        expanded.append(f"--flagfile={os.path.join(CONFIG_DIR, name + '.cfg')}")
    return expanded
