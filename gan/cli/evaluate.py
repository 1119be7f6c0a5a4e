"""`gan-evaluate`: metrics of a `gan-train` run, printed as one JSON object on stdout.

    gan-evaluate --model_dir=runs/digits-wasserstein                 # FID, KID, classifier score, ...
    gan-evaluate --model_dir=runs/ring-wasserstein --checkpoint=best  # modes, high_quality, reverse_kl
    gan-evaluate --model_dir=runs/mnist --data_dir=../shared/data/tfds --num_samples=10000
    gan-evaluate --model_dir=runs/digits_domains-cyclegan-least_squares   # class_preserved, domain_accuracy

The estimator is rebuilt from the run's run.json exactly as gan-train built it (losses
included, so the reported losses are the run's) and restored from its newest
checkpoint, or from `model_dir/best` (kept by evaluation during training).
`GANEstimator.evaluate` then scores `--num_samples` samples (rounded up to whole
batches) with `gan.eval.metrics_for(dataset)`: a cached classifier for labelled
single-channel datasets (trained on first use, its held-out accuracy reported too),
InceptionV3 from local weights for other images, the PacGAN protocol for ring/grid. CycleGAN and
StarGAN runs get `gan.eval.translation_metrics_for`: on digits_domains, the share of translations
that keep their digit (`class_preserved`) and land in their target domain (`domain_accuracy`), over
the ordered domain pairs, with the cycle reconstruction error among the losses.
Progress and logs go to stderr; nothing in --model_dir is written. Where data comes from and
whether it may be downloaded are this command line's (--data_dir, --download), never the run
directory's: a run.json from elsewhere cannot make the program download or write elsewhere.
"""
import contextlib
import json
import math
import os
import sys

from absl import flags

from gan.cli import common
from gan.cli import generate as generate_program
from gan.cli import train as train_program

PROGRAM = "gan-evaluate"
CHECKPOINTS = ("latest", "best")
BEST_DIR = "best"  # gan.eval.eval_hook.BEST_DIR, restated so a missing one is reported before TensorFlow loads.
DEFAULT_IMAGE_SAMPLES = 10_000
DEFAULT_POINT_SAMPLES = 2_500  # The PacGAN/VEEGAN protocol.

HELP_GROUPS = {
    "input": ("model_dir", "checkpoint", "data_dir", "download", "seed"),
    "evaluation": ("num_samples", "extractor", "inception_weights", "cache_dir"), "scale": ("batch_size",)}


def define_flags():
    """Defines gan-evaluate's flags on absl's global FLAGS (done by `run`)."""
    flags.DEFINE_string("model_dir", None, "Directory of a gan-train run (holding run.json and checkpoints).")
    flags.DEFINE_enum("checkpoint", "latest", CHECKPOINTS,
                      "Which checkpoint: the newest, or the best one kept by evaluation during training.")
    flags.DEFINE_integer("num_samples", None, f"Generated samples to score (default: {DEFAULT_IMAGE_SAMPLES:,} "
                         f"images, {DEFAULT_POINT_SAMPLES:,} 2-D points).")
    flags.DEFINE_integer("batch_size", 500, "Samples generated per batch.")
    flags.DEFINE_string("data_dir", None, "TFDS data dir (default: $GAN_DATA_DIR, else ~/tensorflow_datasets; "
                        "never the one recorded in run.json).")
    flags.DEFINE_boolean("download", False, "Let TFDS download the run's dataset when --data_dir lacks it.")
    flags.DEFINE_string("cache_dir", None, "Where cached classifiers and real statistics live "
                        "(default: $GAN_CACHE_DIR, else ~/.cache/gan).")
    flags.DEFINE_enum("extractor", "auto", ("auto", "classifier", "inception"),
                      "Image features: the dataset's cached classifier, InceptionV3, or auto (classifier for "
                      "labelled single-channel datasets).")
    flags.DEFINE_string("inception_weights", None, "InceptionV3 weights file (default: $GAN_INCEPTION_WEIGHTS, "
                        "else the Keras cache ~/.keras/models).")
    flags.DEFINE_integer("seed", 0, "Seed of the generator noise and the real-data order.")


def checkpoint_to_restore(model_dir, which):
    """The checkpoint prefix `--checkpoint` names in a run, or a UsageError saying why there is none.

    Example:
        checkpoint_to_restore('runs/ring', 'best')  # 'runs/ring/best/ckpt-4000'
    """
    if which == "latest":
        return generate_program.newest_checkpoint(model_dir)  # load_run has checked that it exists
    best = generate_program.newest_checkpoint(os.path.join(model_dir, BEST_DIR))
    if best is None:
        raise common.UsageError(f"--model_dir '{model_dir}' holds no best checkpoint ({BEST_DIR}/): "
                                "train with --eval_every and --best_metric, or pass --checkpoint=latest.")
    return best


def evaluate(gan, manifest, model_dir, checkpoint, flag_values):
    """The metrics dict of the run's `checkpoint` (see the module docstring)."""
    config = manifest["config"]
    data_dir, download = flag_values.data_dir, flag_values.download  # not the run.json's (see the docstring)
    spec = gan.data.describe(config["dataset"], data_dir=data_dir, download=download,
                             image_size=config.get("image_size"))
    import keras  # pylint: disable=import-outside-toplevel

    estimator = train_program.build_estimator(gan, keras, config, spec, model_dir)
    restored = estimator.restore_checkpoint(checkpoint)
    metrics = train_program.metrics_for_run(gan, config, data_dir, download, cache_dir=flag_values.cache_dir,
                                            extractor=flag_values.extractor,
                                            inception_weights=flag_values.inception_weights)
    estimator.eval_metrics = metrics
    num_samples = flag_values.num_samples or (DEFAULT_IMAGE_SAMPLES if spec.is_image else DEFAULT_POINT_SAMPLES)
    batch_size = min(num_samples, flag_values.batch_size)
    steps = math.ceil(num_samples / batch_size)
    input_fn = train_program.input_fn(gan, config, batch_size, flag_values.seed, data_dir=data_dir,
                                      download=download)
    results = estimator.evaluate(input_fn, steps=steps)
    report = {"model_dir": model_dir, "dataset": config["dataset"], "checkpoint": restored,
              "num_samples": steps * batch_size, **results}
    extractor = getattr(metrics, "extractor", None)
    classifier_info = getattr(extractor, "info", None)
    if classifier_info is not None:
        report["classifier_held_out_accuracy"] = classifier_info["held_out_accuracy"]
        if extractor.trained:
            print(f"{PROGRAM}: trained the {config['dataset']} classifier: held-out accuracy "
                  f"{classifier_info['held_out_accuracy']:.4f} on {classifier_info['num_held_out']} examples; "
                  f"cached in {extractor.directory}", file=sys.stderr)
    return report


def _json_ready(value):
    """Non-finite floats become null, so any JSON parser reads the output."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def main(argv):
    """Prints the metrics of the run in --model_dir as one JSON object."""
    if len(argv) > 1:
        raise common.UsageError(f"unexpected arguments {' '.join(argv[1:])!r}; flags look like --name=value.")
    flag_values = flags.FLAGS
    if flag_values.num_samples is not None:
        common.check_positive_int("num_samples", flag_values.num_samples)
    common.check_positive_int("batch_size", flag_values.batch_size)
    common.check_directory_can_exist("cache_dir", flag_values.cache_dir or os.environ.get("GAN_CACHE_DIR"))
    manifest, _ = generate_program.load_run(flag_values.model_dir)
    checkpoint = checkpoint_to_restore(flag_values.model_dir, flag_values.checkpoint)
    common.quiet_logging()
    common.import_tensorflow()
    import gan  # pylint: disable=import-outside-toplevel

    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # Only the JSON object goes to stdout (TFDS prints progress).
        report = evaluate(gan, manifest, flag_values.model_dir, checkpoint, flag_values)
    try:
        print(json.dumps({key: _json_ready(value) for key, value in report.items()}), file=stdout, flush=True)
    except OSError as error:  # e.g. stdout redirected to a full disk
        common.drop_stdout()
        raise OSError(error.errno, error.strerror, "standard output") from None
    return 0


def run():
    """Console-script entry point (`gan-evaluate`)."""
    common.run_program(PROGRAM, define_flags, main, __doc__, HELP_GROUPS)


if __name__ == "__main__":
    run()
