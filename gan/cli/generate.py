"""`gan-generate`: samples from a `gan-train` run, saved as a NumPy array or a picture.

    gan-generate --model_dir=runs/digits-wasserstein --num_samples=1000 --output=samples.npy
    gan-generate --model_dir=runs/mnist-cond --num_samples=100 --labels=cycle --output=grid.png
    gan-generate --model_dir=runs/digits-acgan-wasserstein --labels=3 --output=threes.npy
    gan-generate --model_dir=runs/digits-infogan-wasserstein --codes=0,1 --output=codes.png
    gan-generate --model_dir=runs/digits_domains-cyclegan-least_squares --input=x.npy --output=y.npy
    gan-generate --model_dir=runs/digits_domains-stargan-wasserstein --input=x.npy --target_domain=rotated \
        --output=rotated.png

The networks are rebuilt from the run's run.json (architecture, noise dimensions,
conditioning, model family) and its newest checkpoint. InfoGAN's continuous codes are
drawn uniformly from [-1, 1]. CycleGAN and StarGAN runs translate the images of --input (float32
`[N, H, W, C]` in [-1, 1], as gan-generate writes them) into --target_domain (CycleGAN's
default: its second domain, so --input holds first-domain images). `.npy` holds float32 `[N, H, W, C]` images in
[-1, 1], or `[N, 2]` points for 2-D data; `.png` is an image grid or a scatter plot.
Nothing in --model_dir is written.
"""
import os

from absl import flags

from gan.cli import common

PROGRAM = "gan-generate"
OUTPUT_FORMATS = (".npy", ".png")

HELP_GROUPS = {
    "input": ("model_dir", "labels", "codes", "input", "target_domain", "seed"), "output": ("output", "num_samples"), "scale": ("batch_size",)}


def define_flags():
    """Defines gan-generate's flags on absl's global FLAGS (done by `run`)."""
    flags.DEFINE_string("model_dir", None, "Directory of a gan-train run (holding run.json and checkpoints).")
    flags.DEFINE_integer("num_samples", 64, "How many samples to generate.")
    flags.DEFINE_string("output", None, "Output file: .npy (float32 array) or .png (image grid / scatter plot).")
    flags.DEFINE_string("labels", None, "Conditional and acgan runs only: 'cycle' (0, 1, ..., K-1, 0, ...; the "
                        "default) or comma-separated class ids, repeated to fill --num_samples.")
    flags.DEFINE_string("codes", None, "infogan runs only: values of the categorical code, 'cycle' (the default) "
                        "or comma-separated values, repeated to fill --num_samples.")
    flags.DEFINE_string("input", None, "cyclegan and stargan runs only: a .npy file of float32 images [N, H, W, C] "
                        "in [-1, 1] to translate (all of them; --num_samples does not apply).")
    flags.DEFINE_string("target_domain", None, "cyclegan and stargan runs only: the domain to translate --input "
                        "into, one of the run's --domains (cyclegan's default: its second).")
    flags.DEFINE_integer("seed", 0, "Seed of the generator noise.")
    flags.DEFINE_integer("batch_size", 256, "Samples generated per batch.")


def newest_checkpoint(model_dir):
    """Prefix of the newest `ckpt-N` checkpoint in `model_dir` (by its files, not the state file), or None.

    Whether it reads back whole is checked when it is restored; an unreadable one falls
    back to the next older one.

    Example:
        newest_checkpoint('runs/digits-wasserstein')  # 'runs/digits-wasserstein/ckpt-3000'
    """
    from gan.checkpoints import checkpoints_in  # pylint: disable=import-outside-toplevel

    found = checkpoints_in(model_dir)
    return found[0][1] if found else None


def parse_labels(text, num_classes, flag="labels", what="class ids"):
    """Class ids from --labels (or code values from --codes): None for 'cycle' (or unset), else the
    comma-separated ids, each in [0, K).

    Example:
        parse_labels('3,7', 10)  # [3, 7]
    """
    if text is None or text == "cycle":
        return None
    try:
        labels = [int(part) for part in text.split(",")]
    except ValueError:
        labels = None
    if not labels or any(not 0 <= label < num_classes for label in labels):
        raise common.UsageError(f"--{flag} must be 'cycle' or comma-separated {what} in 0..{num_classes - 1}; "
                                f"got {text!r}.")
    return labels


def check_request(flag_values, manifest):
    """UsageError for bad flags; returns the class ids (or InfoGAN code values) to generate (None: cycle,
    or neither)."""
    common.check_positive_int("num_samples", flag_values.num_samples)
    common.check_positive_int("batch_size", flag_values.batch_size)
    config = manifest["config"]
    conditional, num_classes = config.get("conditional"), manifest["dataset"].get("num_classes")
    codes = common.structured_codes(config)
    if flag_values.labels is not None and not conditional:
        raise common.UsageError(f"--labels applies to conditional and acgan runs only, and '{flag_values.model_dir}' "
                                "was trained without labels; drop --labels.")
    translation = config.get("model") in common.TRANSLATION_MODELS
    for name in ("input", "target_domain"):
        if getattr(flag_values, name) is not None and not translation:
            raise common.UsageError(f"--{name} applies to cyclegan and stargan runs only, and "
                                    f"'{flag_values.model_dir}' is a --model={config.get('model', 'gan')} run; "
                                    f"drop --{name}.")
    if translation:
        for name in ("labels", "codes"):
            if getattr(flag_values, name) is not None:
                raise common.UsageError(f"--{name} does not apply to a --model={config['model']} run, which "
                                        "translates --input; drop it.")
        return None
    if flag_values.codes is not None and not codes:
        raise common.UsageError(f"--codes applies to infogan runs only, and '{flag_values.model_dir}' is a "
                                f"--model={config.get('model', 'gan')} run; drop --codes.")
    if codes:
        return parse_labels(flag_values.codes, codes[0], "codes", "code values")
    return parse_labels(flag_values.labels, num_classes) if conditional else None


def target_domain(flag_values, config):
    """The index of --target_domain among a translation run's domains (CycleGAN's default: 1)."""
    domains = list(config["domains"])
    if flag_values.target_domain is None:
        if config["model"] == "cyclegan":
            return 1
        raise common.UsageError(f"--target_domain is required for a stargan run: one of {', '.join(domains)}.")
    if flag_values.target_domain not in domains:
        raise common.UsageError(f"--target_domain {flag_values.target_domain!r} is not a domain of "
                                f"'{flag_values.model_dir}'; accepted: {', '.join(domains)}.")
    return domains.index(flag_values.target_domain)


def read_input(path, data_shape):
    """The images of --input: a .npy float array [N, *data_shape] with values in [-1, 1] (UsageError otherwise)."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    if path is None:
        raise common.UsageError("--input is required for a translation run: a .npy file of images [N, "
                                f"{', '.join(map(str, data_shape))}] in [-1, 1].")
    try:
        images = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise common.UsageError(f"--input '{path}' is not a readable .npy array ({common.one_line(error)}).") from None
    if images.ndim != len(data_shape) + 1 or tuple(images.shape[1:]) != tuple(data_shape) or not len(images):
        raise common.UsageError(f"--input '{path}' holds an array of shape {list(images.shape)}; the run translates "
                                f"images [N, {', '.join(map(str, data_shape))}].")
    if not np.issubdtype(images.dtype, np.floating) or not np.isfinite(images).all() or np.abs(images).max() > 1:
        raise common.UsageError(f"--input '{path}' must hold finite float values in [-1, 1] (as gan-generate writes "
                                f"them); got {images.dtype} in [{images.min()}, {images.max()}].")
    return images.astype(np.float32)


def translate(gan, manifest, model_dir, images, target, batch_size):
    """Translations (numpy float32) of `images` into domain number `target` by the run's newest checkpoint,
    and the checkpoint's step."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    estimator = rebuilt_estimator(gan, manifest, model_dir)
    parts = [estimator.translate(images[start:start + batch_size], target)
             for start in range(0, len(images), batch_size)]
    return np.concatenate(parts).astype(np.float32), estimator.global_step


def check_output(output):
    """UsageError unless `output` names a .npy or .png file that can be written (tried before any work)."""
    if not output or os.path.splitext(output)[1].lower() not in OUTPUT_FORMATS:
        raise common.UsageError(f"--output must name a file ending in {' or '.join(OUTPUT_FORMATS)}; got {output!r}.")
    if os.path.isdir(output):
        raise common.UsageError(f"--output '{output}' is a directory; pass a file name.")
    common.check_writable("output", output)


def load_run(model_dir):
    """(manifest, newest checkpoint prefix) of a gan-train run; UsageError when either is missing."""
    return run_manifest(model_dir), required_checkpoint(model_dir)


def run_manifest(model_dir):
    """The manifest of the gan-train run in `model_dir` (no TensorFlow needed); UsageError when missing."""
    if not model_dir:
        raise common.UsageError("--model_dir is required: the directory of a gan-train run.")
    if not os.path.isdir(model_dir):
        what = "is a file" if os.path.exists(model_dir) else "does not exist"
        raise common.UsageError(f"--model_dir '{model_dir}' {what}; pass the directory of a gan-train run.")
    common.check_links_stay_inside(model_dir)
    manifest = common.read_manifest(model_dir)
    if manifest is None:
        raise common.UsageError(f"--model_dir '{model_dir}' holds no {common.MANIFEST}; pass the directory of "
                                "a gan-train run.")
    return manifest


def required_checkpoint(model_dir):
    """`newest_checkpoint(model_dir)`; UsageError when there is none."""
    checkpoint = newest_checkpoint(model_dir)
    if checkpoint is None:
        raise common.UsageError(f"--model_dir '{model_dir}' holds no checkpoint; train it first with "
                                f"gan-train --model_dir={model_dir}.")
    return checkpoint


def rebuilt_estimator(gan, manifest, model_dir):
    """The run's estimator, rebuilt from its manifest as gan-train built it and restored from `model_dir`."""
    import keras  # pylint: disable=import-outside-toplevel

    from gan.cli import train  # pylint: disable=import-outside-toplevel

    spec = gan.data.DatasetSpec(**{**manifest["dataset"], "data_shape": tuple(manifest["dataset"]["data_shape"])})
    return train.build_estimator(gan, keras, manifest["config"], spec, model_dir)


def generate(gan, manifest, model_dir, inputs, batch_size):
    """Samples (numpy float32) of the run's newest checkpoint for `inputs`, and the checkpoint's step.

    The estimator is rebuilt exactly as gan-train built it (a generator weight average
    and mixed precision included), so samples come from the same generator.
    """
    import numpy as np  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    estimator = rebuilt_estimator(gan, manifest, model_dir)
    samples = estimator.predict(lambda: tf.data.Dataset.from_tensor_slices(inputs).batch(batch_size))
    return np.stack(list(samples)).astype(np.float32), estimator.global_step


def save(path, samples, title):
    """Writes samples to a .npy array or a .png picture (atomically: a temporary file is renamed)."""
    import numpy as np  # pylint: disable=import-outside-toplevel

    from gan import atomic, plots  # pylint: disable=import-outside-toplevel

    if path.lower().endswith(".npy"):
        with atomic.replacing(path) as temporary:
            np.save(temporary, samples)
    else:
        plots.save_samples(path, samples, title=title)


def main(argv):
    """Generates --num_samples samples of the run in --model_dir into --output."""
    if len(argv) > 1:
        raise common.UsageError(f"unexpected arguments {' '.join(argv[1:])!r}; flags look like --name=value.")
    flag_values = flags.FLAGS
    check_output(flag_values.output)  # before minutes of generating, not after
    manifest = run_manifest(flag_values.model_dir)
    labels = check_request(flag_values, manifest)  # flag mistakes, before seconds of loading TensorFlow
    config = manifest["config"]
    translation = config.get("model") in common.TRANSLATION_MODELS
    if translation:
        target = target_domain(flag_values, config)
        images = read_input(flag_values.input, manifest["dataset"]["data_shape"])
    checkpoint = required_checkpoint(flag_values.model_dir)
    common.quiet_logging()
    common.import_tensorflow()
    import gan  # pylint: disable=import-outside-toplevel

    if translation:
        samples, step = translate(gan, manifest, flag_values.model_dir, images, target, flag_values.batch_size)
        domain = config["domains"][target]
        save(flag_values.output, samples, title=f"{len(samples)} translations into {domain}, step {step}")
        print(f"Wrote {len(samples)} translations into {domain} of {checkpoint} to {flag_values.output}")
        return 0
    num_classes = manifest["dataset"]["num_classes"] if config.get("conditional") else None
    inputs = common.generator_inputs(flag_values.num_samples, config["noise_dims"], num_classes, labels,
                                     seed=flag_values.seed, structured_codes=common.structured_codes(config))
    samples, step = generate(gan, manifest, flag_values.model_dir, inputs, flag_values.batch_size)
    save(flag_values.output, samples, title=f"{len(samples)} samples, step {step}")
    print(f"Wrote {len(samples)} samples {list(samples.shape[1:])} of {checkpoint} to {flag_values.output}")
    return 0


def run():
    """Console-script entry point (`gan-generate`)."""
    common.run_program(PROGRAM, define_flags, main, __doc__, HELP_GROUPS)


if __name__ == "__main__":
    run()
