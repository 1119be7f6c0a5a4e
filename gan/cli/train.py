"""`gan-train`: train a GAN on a dataset by name, with checkpoints, samples and automatic resume.

    gan-train                                              # digits, no download, ~2.5 minutes on 2 CPU cores
    gan-train --dataset=ring --max_steps=2000
    gan-train --config=mnist_wgan_gp --data_dir=/path/to/tfds      # a packaged configuration
    gan-train --dataset=./my_photos --image_size=64           # a folder of images
    gan-train --model=acgan                                  # digits from an auxiliary-classifier GAN
    gan-train --model=infogan                                # digits whose classes it finds without labels
    gan-train --model=cyclegan                               # digits_domains: original <-> inverted digits
    gan-train --model=stargan                                # digits_domains: one generator, 4 domains

Flag values come from the command line (or a --config / --flagfile), else from the run already in
--model_dir (its run.json), else from the dataset's row of
`gan.cli.common.DATASET_DEFAULTS` (and `FAMILY_DEFAULTS` for --model). `--model_dir` (default
runs/<dataset>-<loss>, runs/<dataset>-<model>-<loss> for the other families)
receives checkpoints, TensorBoard events, train_log.jsonl, samples.png (refreshed every
--sample_every steps) and run.json (the settings, library versions and dataset).
Rerunning the same command resumes from the newest checkpoint.
"""
import os
import sys

from absl import flags

from gan.cli import common

PROGRAM = "gan-train"
PREVIEW_IMAGES, PREVIEW_CONDITIONAL_IMAGES, PREVIEW_POINTS = 64, 100, 1000
HELP_GROUPS = {
    "configuration": ("config",),
    "data": ("dataset", "data_dir", "split", "download", "image_size"),
    "model family": ("model", "conditional", "aux_cond_generator_weight", "aux_cond_discriminator_weight",
                     "mutual_information_penalty_weight", "categorical_codes", "continuous_codes",
                     "continuous_code_weight", "domains", "cycle_consistency_loss_weight", "reconstruction_loss_weight",
                     "classification_loss_weight"),
    "networks": ("architecture", "base_filters", "hidden_units", "spectral_norm", "noise_dims", "mixed_precision"),
    "losses": ("loss", "generator_loss", "discriminator_loss", "gradient_penalty_weight"),
    "optimisation": ("batch_size", "generator_steps", "discriminator_steps", "generator_lr", "discriminator_lr",
                     "lr_half_life", "beta1", "beta2", "generator_ema_decay", "joint_train", "seed"),
    "budget": ("max_steps", "max_seconds"),
    "output": ("model_dir", "save_every", "sample_every", "log_every"),
    "evaluation": ("eval_every", "best_metric", "eval_samples", "preflight", "health", "stop_on_collapse"),
    "scale": ("strategy", "tpu", "steps_per_execution", "jit_compile"),
}


def define_flags():
    """Defines gan-train's flags on absl's global FLAGS (done by `run`, so importing this module defines none)."""
    d = flags
    d.DEFINE_string("config", None, "A packaged configuration by name: "
                    f"{', '.join(common.config_names())}; flags after it override its values "
                    "(--flagfile=PATH reads your own file).")
    d.DEFINE_string("dataset", "digits", "Dataset: embedded digits, ring or grid (no download), a folder of "
                    "PNG/JPEG images (class sub-folders become labels; use with --image_size), or any TFDS "
                    "image dataset name such as mnist, fashion_mnist, cifar10.")
    d.DEFINE_string("data_dir", None, "TFDS data dir (default: $GAN_DATA_DIR, else ~/tensorflow_datasets).")
    d.DEFINE_string("split", "train", "TFDS split to train on, e.g. train or 'train[:80%]'.")
    d.DEFINE_boolean("download", True, "Let TFDS download and prepare a dataset that is not in --data_dir.")
    d.DEFINE_integer("image_size", None, "Center-crop and resize images to this size (default: native size).")
    d.DEFINE_string("model_dir", None, "Run directory (default: runs/<dataset>-<loss>).")
    d.DEFINE_string("loss", None, "Registered GAN loss (gan.losses.names()).")
    d.DEFINE_string("generator_loss", None, "Registered loss whose generator loss to use (default: --loss's).")
    d.DEFINE_string("discriminator_loss", None,
                    "Registered loss whose discriminator loss to use (default: --loss's).")
    d.DEFINE_float("gradient_penalty_weight", None, "WGAN-GP gradient penalty weight, 0 for none.")
    d.DEFINE_string("architecture", None, "Network pair (gan.networks.names()).")
    d.DEFINE_integer("base_filters", None, "dcgan: filters of the widest-resolution layer; translator: of its "
                     "convolutions.")
    d.DEFINE_list("hidden_units", None, "mlp, translator: comma-separated hidden layer widths (translator: of the "
                  "small-image critic and of the network that scores StarGAN's moves).")
    d.DEFINE_boolean("spectral_norm", None, "dcgan, mlp: spectrally normalize the discriminator.")
    d.DEFINE_boolean("conditional", False, "gan: condition both networks on the class labels.")
    d.DEFINE_enum("model", "gan", list(common.MODELS), "GAN family: gan; acgan (Odena et al. 2017: the "
                  "generator takes the labels, the discriminator also classifies); infogan (Chen et al. 2016: "
                  "the generator takes codes the discriminator's Q head must recover; no labels used); cyclegan "
                  "(Zhu et al. 2017: two generators translate between two domains and back); stargan (Choi et "
                  "al. 2018: one generator translates into any of several domains). The translation families "
                  f"train on --dataset={common.TRANSLATION_DATASET} unless told otherwise.")
    d.DEFINE_float("aux_cond_generator_weight", None, "acgan: weight of the generator's class loss.")
    d.DEFINE_float("aux_cond_discriminator_weight", None, "acgan: weight of the discriminator's class loss.")
    d.DEFINE_float("mutual_information_penalty_weight", None, "infogan: weight of the mutual-information "
                   "penalty in both networks' losses.")
    d.DEFINE_integer("categorical_codes", None, "infogan: values of the categorical code (one-hot).")
    d.DEFINE_integer("continuous_codes", None, "infogan: continuous codes, uniform in [-1, 1] (0 for none).")
    d.DEFINE_float("continuous_code_weight", None, "infogan: weight of the continuous codes' part of the "
                   "mutual-information penalty, relative to the categorical code's (Chen et al. 2016 weigh "
                   "continuous codes less, so they do not take over what the categorical code should hold).")
    d.DEFINE_list("domains", None, "cyclegan, stargan: the dataset's domains to translate between (default: "
                  "digits_domains: original,inverted for cyclegan, all four for stargan; cycle_gan/*: A,B; "
                  "celeb_a: Black_Hair,Blond_Hair,Brown_Hair).")
    d.DEFINE_float("cycle_consistency_loss_weight", None, "cyclegan: weight of the cycle-consistency (L1) loss.")
    d.DEFINE_float("reconstruction_loss_weight", None, "stargan: weight of the reconstruction (L1) loss.")
    d.DEFINE_float("classification_loss_weight", None, "stargan: weight of the domain-classification losses.")
    d.DEFINE_integer("noise_dims", None, "Generator noise dimensions.")
    d.DEFINE_integer("batch_size", None, "Examples per update.")
    d.DEFINE_integer("generator_steps", None, "Generator updates per training step.")
    d.DEFINE_integer("discriminator_steps", None, "Discriminator updates per training step.")
    d.DEFINE_float("generator_lr", None, "Generator Adam learning rate.")
    d.DEFINE_float("discriminator_lr", None, "Discriminator Adam learning rate.")
    d.DEFINE_integer("lr_half_life", None, "Halve both learning rates every this many training steps (smooth "
                     "exponential decay), 0 for constant rates.")
    d.DEFINE_float("beta1", None, "Adam beta1 of both optimizers.")
    d.DEFINE_float("beta2", None, "Adam beta2 of both optimizers.")
    d.DEFINE_integer("max_steps", None, "Stop at this many training steps in total.")
    d.DEFINE_float("max_seconds", None, "Stop after this many seconds of this invocation (whichever limit "
                   "comes first).")
    d.DEFINE_integer("save_every", None, "Checkpoint every this many steps.")
    d.DEFINE_integer("sample_every", None, "Refresh samples.png every this many steps (at the next --log_every "
                     "step).")
    d.DEFINE_integer("log_every", None, "Log losses every this many steps.")
    d.DEFINE_integer("steps_per_execution", None, "Training steps per compiled call.")
    d.DEFINE_float("generator_ema_decay", None, "Decay of the generator's weight average used for samples, 0 for "
                   "none.")
    d.DEFINE_integer("seed", 0, "Seed of the data order, noise and initial weights.")
    d.DEFINE_boolean("jit_compile", None, "Compile the training step with XLA.")
    d.DEFINE_boolean("joint_train", None, "Update both networks from one shared forward pass (simultaneous "
                     "rather than alternating updates; fewer passes per step).")
    d.DEFINE_enum("mixed_precision", None, ["auto", "mixed_bfloat16", "mixed_float16", "float32"],
                  "Keras mixed-precision policy of the networks; auto: mixed_bfloat16 where the hardware "
                  "computes it natively, else float32.")
    d.DEFINE_integer("eval_every", 0, "Evaluate (FID/KID/classifier score, or mixture metrics) every this many "
                     "steps, a multiple of --log_every; 0 for never.")
    d.DEFINE_string("best_metric", None, "Metric whose best value is kept in model_dir/best (default: fid for "
                    "images, reverse_kl for ring/grid).")
    d.DEFINE_integer("eval_samples", 2000, "Generated samples per evaluation.")
    d.DEFINE_boolean("preflight", True, "Before a new run, check that a discriminator can tell real data from "
                     "the untrained generator's.")
    d.DEFINE_boolean("health", True, "Watch training health: convergence, collapse, minimax stall, mode collapse.")
    d.DEFINE_boolean("stop_on_collapse", False, "Stop when quality degrades after convergence (needs --eval_every).")
    d.DEFINE_enum("strategy", "default", ["default", "one_device", "mirrored", "multi_worker", "tpu"],
                  "tf.distribute strategy; --batch_size is the global batch, split across replicas.")
    d.DEFINE_string("tpu", None, "TPU address for --strategy=tpu (e.g. grpc://10.0.0.2:8470, or a TPU name).")


CONFIG_FLAGS = ("dataset", "model", "data_dir", "split", "download", "image_size", "loss", "generator_loss",
                "discriminator_loss", "gradient_penalty_weight", "architecture", "base_filters", "hidden_units",
                "spectral_norm", "conditional", "noise_dims", "batch_size", "generator_steps",
                "discriminator_steps", "generator_lr", "discriminator_lr", "lr_half_life", "beta1", "beta2",
                "max_steps", "max_seconds", "save_every", "sample_every", "log_every", "steps_per_execution",
                "generator_ema_decay", "seed", "jit_compile", "joint_train", "mixed_precision", "eval_every",
                "best_metric", "eval_samples", "aux_cond_generator_weight", "aux_cond_discriminator_weight",
                "mutual_information_penalty_weight", "categorical_codes", "continuous_codes", "continuous_code_weight",
                "domains", "cycle_consistency_loss_weight", "reconstruction_loss_weight", "classification_loss_weight")
_POSITIVE_INTS = ("noise_dims", "batch_size", "generator_steps", "discriminator_steps", "save_every",
                  "sample_every", "log_every", "steps_per_execution", "eval_samples")
_OPTIONAL_POSITIVE_INTS = ("max_steps", "image_size", "base_filters")
MAX_BATCH_SIZE = 65_536  # far above any batch that fits a GAN step in memory here


def _hidden_units(values):
    try:
        units = tuple(int(v) for v in values)
    except ValueError:
        units = ()
    if not units or any(u < 1 for u in units):
        raise common.UsageError(f"--hidden_units must be comma-separated positive integers; got {','.join(values)!r}.")
    return units


def explicit_flags():
    """The settings given on the command line (or in a --flagfile), converted to plain values."""
    explicit = {name: flags.FLAGS[name].value for name in CONFIG_FLAGS if flags.FLAGS[name].present}
    if "hidden_units" in explicit:
        explicit["hidden_units"] = _hidden_units(explicit["hidden_units"])
    if "domains" in explicit:
        explicit["domains"] = _domains(explicit["domains"])
    return explicit


def _domains(values):
    names = tuple(v.strip() for v in values)
    if len(names) < 2 or not all(names) or len(set(names)) != len(names):
        raise common.UsageError(f"--domains must name at least two different domains, comma-separated; "
                                f"got {','.join(values)!r}.")
    return names


def check_values(config):
    """UsageError for out-of-range numbers (checked before anything is imported or written)."""
    for name in _POSITIVE_INTS:
        common.check_positive_int(name, config[name])
    common.check_range("batch_size", config["batch_size"], 1, MAX_BATCH_SIZE)
    common.check_range("seed", config["seed"], 0, 2**32, high_open=True)
    for name in _OPTIONAL_POSITIVE_INTS:
        common.check_positive_int(name, config[name], optional=True)
    if config["hidden_units"] is not None:
        for units in config["hidden_units"]:
            common.check_positive_int("hidden_units", units)
    common.check_range("max_seconds", config["max_seconds"], 0, float("inf"), low_open=True, optional=True)
    for name in ("gradient_penalty_weight", "aux_cond_generator_weight", "aux_cond_discriminator_weight",
                 "mutual_information_penalty_weight", "continuous_code_weight", "cycle_consistency_loss_weight",
                 "reconstruction_loss_weight", "classification_loss_weight"):
        common.check_range(name, config[name], 0, float("inf"), optional=name != "gradient_penalty_weight")
    if config["model"] == "infogan":
        common.check_range("categorical_codes", config["categorical_codes"], 2, 1000)
        common.check_range("continuous_codes", config["continuous_codes"], 0, 1000)
    for name in ("generator_lr", "discriminator_lr"):
        common.check_range(name, config[name], 0, float("inf"), low_open=True)
    for name in ("beta1", "beta2", "generator_ema_decay"):
        common.check_range(name, config[name], 0, 1, high_open=True, optional=name == "generator_ema_decay")
    for name in ("dataset", "split"):
        if not config[name]:
            raise common.UsageError(f"--{name} must not be empty.")
    common.check_positive_int("eval_every", config["eval_every"] or None, optional=True)
    common.check_positive_int("lr_half_life", config["lr_half_life"] or None, optional=True)
    if config["eval_every"] and config["eval_every"] % config["log_every"]:
        raise common.UsageError(f"--eval_every={config['eval_every']} must be a multiple of "
                                f"--log_every={config['log_every']}.")
    if flags.FLAGS.stop_on_collapse and not config["eval_every"]:
        raise common.UsageError("--stop_on_collapse needs a quality metric: add --eval_every=N.")


def check_names(config):
    """UsageError naming the accepted values for an unknown dataset, loss or architecture (without TensorFlow)."""
    from gan import names  # pylint: disable=import-outside-toplevel

    for name in ("loss", "generator_loss", "discriminator_loss"):
        if config[name] is not None and config[name] not in names.LOSSES:
            raise common.UsageError(f"Unknown --{name} {config[name]!r}; accepted: {', '.join(names.LOSSES)}.")
    if config["architecture"] not in names.ARCHITECTURES:
        raise common.UsageError(f"Unknown --architecture {config['architecture']!r}; "
                                f"accepted: {', '.join(names.ARCHITECTURES)}.")
    unknown = names.unknown_dataset(config["dataset"])
    if unknown:
        raise common.UsageError(unknown)


# Where data is read from and whether it may be downloaded come from this command line only:
# a run directory someone else made must not make the program download or write elsewhere.
UNTRUSTED_RECORDED = ("data_dir", "download")


def _trusted(recorded):
    return {k: v for k, v in recorded.items() if k not in UNTRUSTED_RECORDED}


def settings():
    """(model_dir, recorded manifest or None, resolved config, explicit flags), all checked without TensorFlow."""
    defaults = {name: flags.FLAGS[name].default for name in CONFIG_FLAGS}
    explicit = explicit_flags()
    from gan import names  # pylint: disable=import-outside-toplevel

    if names.is_image_folder(explicit.get("dataset")):  # the run must find it again from anywhere
        explicit["dataset"] = os.path.abspath(os.path.expanduser(explicit["dataset"]))
    model_dir = flags.FLAGS.model_dir
    if model_dir is None:
        preliminary = common.resolve(explicit, None, defaults)
        family = "" if preliminary["model"] == "gan" else f"-{preliminary['model']}"
        model_dir = os.path.join("runs", f"{os.path.basename(preliminary['dataset'])}{family}-{preliminary['loss']}")
    common.check_model_dir(model_dir)
    if os.path.isdir(model_dir):
        common.check_links_stay_inside(model_dir)
    manifest = common.read_manifest(model_dir) if os.path.isdir(model_dir) else None
    config = common.resolve(explicit, manifest and _trusted(manifest["config"]), defaults)
    check_values(config)
    check_names(config)
    common.check_network_flags(config, explicit)
    common.check_family_flags(config, explicit)
    if manifest is not None:  # a resumed run's domains are already its recorded or explicit ones
        common.check_compatible(model_dir, manifest["config"], config)
    return model_dir, manifest, config, explicit


def adam(keras, config, role):
    """The Adam optimizer of the `role` ('generator' or 'discriminator') network for `config`.

    With `lr_half_life`, its learning rate halves every that many training steps (a
    smooth exponential decay), counted in the role's updates: a training step makes
    `<role>_steps` of them.

    Example:
        adam(keras, {**common.dataset_defaults('grid'), 'lr_half_life': 100}, 'discriminator')
        # learning rate 1e-3, then 5e-4 after 200 updates (2 critic updates per step)
    """
    learning_rate = config[f"{role}_lr"]
    if config.get("lr_half_life"):
        learning_rate = keras.optimizers.schedules.ExponentialDecay(
            learning_rate, decay_steps=config["lr_half_life"] * config[f"{role}_steps"], decay_rate=0.5)
    return keras.optimizers.Adam(learning_rate, beta_1=config["beta1"], beta_2=config["beta2"])


def build_estimator(gan, keras, config, spec, model_dir, strategy=None):
    """The GANEstimator for `config` on a dataset described by `spec` (restores a run in `model_dir`)."""
    try:
        pair = gan.networks.get(config["architecture"], spec.data_shape,
                                **common.family_options(config, spec.num_classes), **common.network_options(config))
    except ValueError as error:
        raise common.UsageError(f"--architecture={config['architecture']} does not fit dataset "
                                f"{config['dataset']!r} (data shape {spec.data_shape}): {common.one_line(error)}; "
                                f"accepted architectures: {', '.join(gan.networks.names())}.") from None

    def loss_part(flag, part):
        return getattr(gan.losses.get(config[flag]), part) if config[flag] else None

    return gan.GANEstimator(
        pair.generator_fn, pair.discriminator_fn, model_dir=model_dir, loss=config["loss"],
        generator_loss_fn=loss_part("generator_loss", "generator_loss_fn"),
        discriminator_loss_fn=loss_part("discriminator_loss", "discriminator_loss_fn"),
        generator_optimizer=adam(keras, config, "generator"),
        discriminator_optimizer=adam(keras, config, "discriminator"),
        train_steps=gan.GANTrainSteps(config["generator_steps"], config["discriminator_steps"]),
        gradient_penalty_weight=config["gradient_penalty_weight"] or None, add_summaries=gan.SummaryType.IMAGES,
        save_checkpoints_steps=config["save_every"], log_every_steps=config["log_every"],
        steps_per_execution=config["steps_per_execution"], jit_compile=config["jit_compile"], seed=config["seed"],
        generator_ema_decay=config.get("generator_ema_decay") or None, mixed_precision=config.get("mixed_precision"),
        joint_train=config.get("joint_train", False), strategy=strategy, **common.family_estimator_options(config))


def input_fn(gan, config, batch_size, seed, data_dir, download):
    """The run's `gan.data.gan_input_fn` (its family's generator inputs) of `batch_size` batches, its data
    from `data_dir` (None: TFDS's default) and downloaded only if `download`: gan-train passes its
    command line's, gan-evaluate its own, never a run.json's. The translation families get
    `gan.data.translation_input_fn`'s batches of their domains' images."""
    if config["model"] in common.TRANSLATION_MODELS:
        return gan.data.translation_input_fn(
            config["dataset"], batch_size, domains=config["domains"], family=config["model"],
            split=config.get("split", "train"), data_dir=data_dir, download=download,
            image_size=config.get("image_size"), seed=seed)
    return gan.data.gan_input_fn(
        config["dataset"], batch_size, noise_dims=config["noise_dims"], conditional=bool(config.get("conditional")),
        split=config.get("split", "train"), data_dir=data_dir, download=download,
        image_size=config.get("image_size"), seed=seed, structured_codes=common.structured_codes(config))


class ManifestWriter:
    """Training hook that writes run.json once, at the first logged step: settings are recorded only
    when they were accepted and trained with, so a rejected command never changes a run."""

    def __init__(self, model_dir, manifest):
        self.model_dir, self.manifest, self.written = model_dir, manifest, False

    def __call__(self, step, logs=None):
        del step, logs
        if not self.written:
            common.write_manifest(self.model_dir, self.manifest)
            self.written = True


class SampleWriter:
    """Training hook that redraws `samples.png` from fixed generator inputs every `every` steps.

    The estimator calls hooks every `log_every` steps, so the picture is redrawn at the
    first logged step at least `every` steps after the last one. The same inputs are the
    estimator's `preview_inputs`: TensorBoard shows the samples the picture shows.
    """

    def __init__(self, estimator, path, inputs, every, real=None):
        self.estimator, self.path, self.inputs, self.every, self.real = estimator, path, inputs, every, real
        estimator.preview_inputs = inputs
        self.last_step = None

    def __call__(self, step, logs=None):
        del logs  # The picture depends on the weights only.
        if self.last_step is None or step - self.last_step >= self.every:
            self.write(step)

    def write(self, step):
        """Draws the samples of the current weights now."""
        from gan import plots  # pylint: disable=import-outside-toplevel

        if self.estimator.model_kind in common.TRANSLATION_MODELS:
            rows = translation_rows(self.estimator, self.inputs)
            plots.save_image_grid(self.path, rows.reshape((-1,) + rows.shape[2:]), grid_shape=rows.shape[:2])
        else:
            samples = self.estimator.generate(self.inputs).numpy()
            plots.save_samples(self.path, samples, real=self.real, title=f"step {step}")
        self.last_step = step


PREVIEW_TRANSLATIONS = 8  # rows of a translation run's samples.png


def translation_preview_inputs(gan, config):
    """The fixed inputs of a translation run's samples.png: `PREVIEW_TRANSLATIONS` real images of each
    domain (CycleGAN: the pair `(x, y)`; StarGAN: images cycling through the domains, with their
    domains and the next ones as targets), from the training split."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    domains = config["domains"]
    per_domain = [np.stack([image.numpy() for image, _ in gan.data.domain_examples(
        config["dataset"], domains, domain, split=config.get("split", "train"), data_dir=config.get("data_dir"),
        download=config.get("download", True), image_size=config.get("image_size")).take(PREVIEW_TRANSLATIONS)])
        for domain in domains]
    if config["model"] == "cyclegan":
        return tuple(per_domain)
    order = np.arange(PREVIEW_TRANSLATIONS) % len(domains)
    images = np.stack([per_domain[d][i] for i, d in enumerate(order)])
    one_hot = np.eye(len(domains), dtype=np.float32)
    return images, one_hot[order], one_hot[(order + 1) % len(domains)]  # TensorBoard: each into the next domain


def translation_rows(estimator, inputs):
    """Image rows [rows, columns, H, W, C] of a translation run's picture of `inputs`
    (`translation_preview_inputs`'s). CycleGAN: each row x, F(x), G(F(x)), y, G(y), F(G(y))
    (input, translation, reconstruction of each direction); StarGAN: each row an input, then its
    translation into every domain in order."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    if estimator.model_kind == "cyclegan":
        x, y = inputs
        to_y, to_x = (estimator.translate(x, 1), estimator.translate(y, 0))
        columns = [x, to_y, estimator.translate(to_y, 0), y, to_x, estimator.translate(to_x, 1)]
    else:
        images, source_domains = inputs[:2]
        columns = [images] + [estimator.translate(images, target) for target in range(source_domains.shape[-1])]
    return np.stack([np.asarray(c) for c in columns], axis=1)


def preview_inputs(gan, config, spec):
    """The fixed generator inputs of samples.png: ACGAN and conditional runs one column per class
    (labels cycle along each row of 10), InfoGAN a row per categorical code value and a column per
    step of its first continuous code (`common.code_grid_inputs`), translation runs real images of
    each domain (`translation_preview_inputs`), else noise."""
    if config["model"] in common.TRANSLATION_MODELS:
        return translation_preview_inputs(gan, config)
    if common.structured_codes(config):
        return common.code_grid_inputs(config["noise_dims"], common.structured_codes(config), seed=config["seed"])
    num_classes = spec.num_classes if config["conditional"] else None
    count = PREVIEW_POINTS if not spec.is_image else PREVIEW_CONDITIONAL_IMAGES if num_classes else PREVIEW_IMAGES
    return common.generator_inputs(count, config["noise_dims"], num_classes, seed=config["seed"])


def note(message):
    """One progress line on stderr, above the progress bar if one is showing."""
    from gan.progress import tqdm  # pylint: disable=import-outside-toplevel

    tqdm.write(f"{PROGRAM}: {message}", file=sys.stderr)


class EvalReport:
    """Wraps an evaluation hook so each evaluation prints one line: its metrics and whether it is the new best."""

    def __init__(self, eval_hook):
        self.eval_hook = eval_hook

    def __call__(self, step, logs=None):
        before = self.eval_hook.best_value
        results = self.eval_hook(step, logs)
        if results is not None:
            metrics = ", ".join(f"{name}={value:.4g}" for name, value in sorted(results.items())
                                if isinstance(value, (int, float)))
            best = self.eval_hook.best_metric
            verdict = ""
            if best and self.eval_hook.best_value != before:
                verdict = f"; new best {best}"
            elif best and before is not None:
                verdict = f"; best {best} so far {before:.4g}"
            note(f"eval at step {step}: {metrics}{verdict}")
        return results


def metrics_for_run(gan, config, data_dir, download, **options):
    """The `eval_metrics` of a run's family and dataset: `gan.eval.translation_metrics_for` for the
    translation families, else `gan.eval.metrics_for` (`options`: its extractor settings), the data
    read from `data_dir` and downloaded only if `download` (see `input_fn`)."""
    if config["model"] in common.TRANSLATION_MODELS:
        return gan.eval.translation_metrics_for(config["dataset"], config["domains"], config["model"],
                                                data_dir=data_dir, download=download,
                                                image_size=config.get("image_size"),
                                                cache_dir=options.get("cache_dir"))
    return gan.eval.metrics_for(config["dataset"], data_dir=data_dir, split=config.get("split", "train"),
                                image_size=config.get("image_size"), download=download,
                                categorical_code=common.categorical_code(config), **options)


def health_and_eval_hooks(gan, config, spec, estimator):
    """The periodic evaluation (keeping model_dir/best) and the training-health monitor, as flags ask.

    Each is a hook of its own; the monitor, listed after the evaluation, reads its metric
    from the `eval/<metric>` entries the evaluation adds to the logs.
    """
    hooks, best_metric = [], None
    translation = config["model"] in common.TRANSLATION_MODELS
    if config["eval_every"]:
        metrics = metrics_for_run(gan, config, config["data_dir"], config["download"])
        best_metric = config["best_metric"] or metrics.default_best_metric
        batch = min(config["eval_samples"], 500)
        # A fixed seed: evaluations at different steps see the same batches.
        eval_input_fn = input_fn(gan, config, batch, config["seed"], config["data_dir"], config["download"])
        hooks.append(EvalReport(gan.eval.make_eval_hook(
            estimator, metrics, eval_input_fn, every=config["eval_every"], best_metric=best_metric,
            steps=-(-config["eval_samples"] // batch))))
    if not flags.FLAGS.health:
        return hooks
    histogram = what = inputs = None
    # Class histograms of generated samples (images: from the cached classifier); translations have no classes.
    if (not spec.is_image or config["eval_every"]) and not translation:
        histogram, what = gan.health.histogram_for(config["dataset"], data_dir=config["data_dir"],
                                                   image_size=config["image_size"], download=config["download"])
        num_classes = spec.num_classes if config["conditional"] else None
        inputs = common.generator_inputs(PREVIEW_POINTS, config["noise_dims"], num_classes, seed=config["seed"] + 1,
                                         structured_codes=common.structured_codes(config))
    monitor = gan.health.monitor_for(estimator, quality=best_metric, stop_on_collapse=flags.FLAGS.stop_on_collapse,
                                     histogram=histogram, what=what, generator_inputs=inputs,
                                     every=config["sample_every"])
    return hooks + [monitor]


def _real_points(gan, config, count):
    """Real 2-D points to draw under the generated ones."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    dataset = gan.data.real_dataset(config["dataset"], split=config["split"], data_dir=config["data_dir"],
                                    download=config["download"])
    return np.stack([point.numpy() for point, _ in dataset.take(count)])


def main(argv):
    """Trains (or resumes) the run the flags describe."""
    if len(argv) > 1:
        raise common.UsageError(f"unexpected arguments {' '.join(argv[1:])!r}; flags look like --name=value.")
    model_dir, manifest, config, explicit = settings()
    common.quiet_logging()
    # Taken before TensorFlow loads, so a directory that cannot be written (or is being trained) fails at once.
    with common.RunLock(model_dir):
        return _start(model_dir, manifest, config, explicit)


def _start(model_dir, manifest, config, explicit):
    """Loads TensorFlow and the dataset, checks what needs them, then trains."""
    note(f"{'resuming' if manifest else 'starting'} {model_dir}: loading TensorFlow and dataset "
         f"{config['dataset']!r} ...")
    common.import_tensorflow()  # before keras: its C++ start-up lines stay hidden
    import keras  # pylint: disable=import-outside-toplevel

    import gan  # pylint: disable=import-outside-toplevel
    from gan import distribute  # pylint: disable=import-outside-toplevel

    # Multi-worker collectives and TPU initialisation must come before other TensorFlow work.
    try:
        strategy = distribute.make_strategy(flags.FLAGS.strategy, tpu=flags.FLAGS.tpu)
    except RuntimeError as error:  # no TPU reachable, or TensorFlow started too early
        raise common.UsageError(common.in_flag_terms(common.one_line(error))) from None
    if config["batch_size"] % strategy.num_replicas_in_sync:
        raise common.UsageError(f"--batch_size={config['batch_size']} must be a multiple of the "
                                f"{strategy.num_replicas_in_sync} replicas of --strategy={flags.FLAGS.strategy}.")
    if "jit_compile" not in explicit and not distribute.xla_compiles_updates(strategy):
        # A table or run.json default gives way; an explicit --jit_compile meets GANEstimator's one-line error.
        config["jit_compile"] = False
    spec = gan.data.describe(config["dataset"], data_dir=config["data_dir"], download=config["download"],
                             image_size=config["image_size"])
    if config["conditional"] and not spec.num_classes:
        way = "use --noconditional" if config["model"] == "gan" else "use --model=gan or --model=infogan"
        raise common.UsageError(f"{'--conditional' if config['model'] == 'gan' else '--model=acgan'} needs class "
                                f"labels, and dataset {config['dataset']!r} has none; {way}.")
    if config["model"] in common.TRANSLATION_MODELS:
        config["domains"] = translation_domains(gan, config)
    return _train(gan, keras, config, spec, model_dir, strategy, explicit)


def translation_domains(gan, config):
    """The run's domains: --domains (each checked against the dataset's), else the dataset's default ones."""
    try:
        offered = gan.data.dataset_domains(config["dataset"])
    except gan.data.DatasetError as error:
        raise common.UsageError(common.one_line(error)) from None
    if config["domains"] is None:
        return tuple(gan.data.default_domains(config["dataset"], config["model"]))
    common.check_domains(config, offered)
    return tuple(config["domains"])


def _train(gan, keras, config, spec, model_dir, strategy, explicit):
    """Builds (or restores) the run and trains it; run.json is rewritten once training has started."""
    keras.utils.set_random_seed(config["seed"])  # Initial weights; a resumed run restores its own.
    estimator = build_estimator(gan, keras, config, spec, model_dir, strategy)
    common.stop_signals_call(estimator.request_stop)
    start = estimator.global_step
    if start:
        note(f"resuming from step {start} (ckpt-{start})")
    note(f"watch it with: tensorboard --logdir={model_dir}")
    manifest = {"program": PROGRAM, "config": config, "explicit_flags": sorted(explicit),
                "dataset": {**spec._asdict(), "data_shape": list(spec.data_shape)},
                "versions": common.library_versions(), "resumed_from_step": start}
    if config["max_steps"] is not None and start >= config["max_steps"]:
        print(f"{model_dir} is already at step {start} (--max_steps={config['max_steps']}); "
              "pass a larger --max_steps to train on.")
        return 0

    inputs = preview_inputs(gan, config, spec)
    real = None if spec.is_image else _real_points(gan, config, PREVIEW_POINTS)
    samples = SampleWriter(estimator, os.path.join(model_dir, "samples.png"), inputs, config["sample_every"], real)
    # A resumed run starts its data stream at a new seed instead of replaying the first run's batches.
    train_input_fn = input_fn(gan, config, config["batch_size"], config["seed"] + start,
                              config["data_dir"], config["download"])
    record = ManifestWriter(model_dir, manifest)
    hooks = [record, samples] + health_and_eval_hooks(gan, config, spec, estimator)
    try:
        try:
            estimator.train(train_input_fn, max_steps=config["max_steps"], max_seconds=config["max_seconds"],
                            hooks=hooks, preflight=flags.FLAGS.preflight)
        except KeyboardInterrupt:  # the trainer saved the current step: record what produced it
            if estimator.global_step > start:
                record(estimator.global_step)
            raise
        except gan.health.TrainingCollapsed as collapsed:
            record(estimator.global_step)
            samples.write(estimator.global_step)
            print(f"{PROGRAM}: stopped: {common.one_line(collapsed)}", file=sys.stderr)
            return 3
        record(estimator.global_step)
        samples.write(estimator.global_step)
    except OSError as error:  # a write failed mid-training (full disk, ...): exit status 1, not 2
        error.exit_status = getattr(error, "exit_status", 1)
        raise
    print(f"Trained {model_dir} from step {start} to {estimator.global_step}; samples: {samples.path}")
    return 0


def run():
    """Console-script entry point (`gan-train`)."""
    per_dataset = set(common.DATASET_DEFAULTS["default"]) | {n for row in common.FAMILY_DEFAULTS.values() for n in row}
    common.run_program(PROGRAM, define_flags, main, __doc__, HELP_GROUPS, per_dataset=per_dataset)


if __name__ == "__main__":
    run()
