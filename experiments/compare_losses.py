"""Compares every registered GAN loss, with and without gradient penalty, on ring, grid and digits.

    python -m experiments.compare_losses --output_dir=runs/compare_losses --max_steps=2000 --seeds=3

Each (dataset, loss, gradient penalty, seed) run trains with the same budget and the
same settings, built by gan-train's own `build_estimator` from the dataset's defaults
(networks, batch, learning rates and their schedule, discriminator steps, weight
average, precision, conditioning), only the loss and the penalty differ. Then it scores
2,500 samples: for `ring` / `grid` the PacGAN mode metrics (modes, high-quality %,
reverse KL), for `digits` the cached digits classifier's FID, KID and classifier score
plus the class coverage of the samples. It also records the library's health signals:
the start-up check's accuracy, when the discriminator reached coin-flip (converged by
the discriminator alone), the minimax stall hint, the final discriminator accuracy or
critic gap. Written to --output_dir:
  runs.csv      one row per run
  summary.csv   mean and std over seeds per (dataset, loss, gradient penalty)
  summary.md    the same as Markdown tables, one per dataset
  samples_<loss>.png   seed-0 samples: a row per dataset, a column per penalty setting
  runs/<dataset>-<loss>-<gp>-s<seed>/   each run's model_dir (checkpoint, train_log.jsonl)
See docs/losses.md for what the table shows.
"""
import csv
import math
import os
import time

from absl import flags

from gan.cli import common, train

PROGRAM = "compare-losses"
DATASETS = ("ring", "grid", "digits")
PENALTY_SETTINGS = ("off", "on")
MIXTURE_METRICS = ("modes", "high_quality", "reverse_kl")
DIGITS_METRICS = ("fid", "kid", "classifier_score", "precision", "recall", "classes_covered", "max_class_share")
HEALTH_COLUMNS = ("preflight_accuracy", "discriminator_accuracy", "critic_gap", "coin_flip_step", "stall_step")
RUN_COLUMNS = (("dataset", "loss", "gradient_penalty", "seed", "status", "steps", "train_seconds", "steps_per_sec")
               + HEALTH_COLUMNS + MIXTURE_METRICS + DIGITS_METRICS)
SUMMARY_METRICS = (("steps_per_sec",) + MIXTURE_METRICS + DIGITS_METRICS
                   + ("preflight_accuracy", "discriminator_accuracy", "critic_gap"))
FIGURE_SAMPLES = {"image": 64, "points": 1000}
FLAG_NAMES = ("datasets", "losses", "gradient_penalty", "gradient_penalty_weight", "seeds", "max_steps", "max_seconds",
              "num_samples", "output_dir", "data_dir", "cache_dir", "classifier_epochs", "preflight",
              "discriminator_steps")


def define_flags(flag_values=flags.FLAGS):
    """Defines the program's flags on `flag_values` (absl's global FLAGS by default).

    Example:
        values = flags.FlagValues(); define_flags(values); values(['compare_losses', '--seeds=1'])
    """
    d = dict(flag_values=flag_values)
    flags.DEFINE_list("datasets", list(DATASETS), "Datasets to compare on (ring, grid, digits).", **d)
    flags.DEFINE_list("losses", [], "Registered losses to compare (default: all of gan.losses.names()).", **d)
    flags.DEFINE_list("gradient_penalty", list(PENALTY_SETTINGS),
                      "Gradient penalty settings: off, on (on = the dataset's gan-train weight, or "
                      "--gradient_penalty_weight).", **d)
    flags.DEFINE_float("gradient_penalty_weight", None,
                       "Penalty weight when on (default: the dataset's gan-train weight: ring/grid 1, digits 10).",
                       **d)
    flags.DEFINE_integer("seeds", 3, "Seeds per setting (0, 1, ..., seeds - 1).", **d)
    flags.DEFINE_integer("discriminator_steps", None, "Discriminator updates per step for every run (default: the "
                         "dataset's gan-train value: 5 on ring, 2 on grid, 1 on digits).", **d)
    flags.DEFINE_integer("max_steps", 2000, "Training steps per run (the same for every run).", **d)
    flags.DEFINE_float("max_seconds", None, "Also stop each run after this many seconds.", **d)
    flags.DEFINE_integer("num_samples", 2500, "Samples scored per run (PacGAN: 2,500).", **d)
    flags.DEFINE_string("output_dir", "runs/compare_losses", "Where the tables, figures and runs go.", **d)
    flags.DEFINE_string("data_dir", None, "TFDS data dir (default: $GAN_DATA_DIR, else ~/tensorflow_datasets).", **d)
    flags.DEFINE_string("cache_dir", None, "Evaluation cache: digits classifier, real statistics.", **d)
    flags.DEFINE_integer("classifier_epochs", None, "Epochs of the digits classifier if it is not cached yet.", **d)
    flags.DEFINE_boolean("preflight", True, "Run the start-up check before each run and record its accuracy.", **d)


def settings(flag_values):
    """The comparison's plan (a dict of flag values) from parsed flags, checked before TensorFlow is imported.

    Example:
        settings(values)['datasets']  # ['ring', 'grid', 'digits']
    """
    f = flag_values
    for name in ("datasets", "gradient_penalty"):
        if not f[name].value:
            raise common.UsageError(f"--{name} must name at least one value.")
    unknown = [d for d in f.datasets if d not in DATASETS]
    if unknown:
        raise common.UsageError(f"Unknown --datasets {','.join(unknown)}; accepted: {', '.join(DATASETS)}.")
    unknown = [p for p in f.gradient_penalty if p not in PENALTY_SETTINGS]
    if unknown:
        raise common.UsageError(f"Unknown --gradient_penalty {','.join(unknown)}; accepted: "
                                f"{', '.join(PENALTY_SETTINGS)}.")
    for name in ("seeds", "max_steps", "num_samples"):
        common.check_positive_int(name, f[name].value)
    common.check_positive_int("classifier_epochs", f.classifier_epochs, optional=True)
    common.check_positive_int("discriminator_steps", f.discriminator_steps, optional=True)
    common.check_range("max_seconds", f.max_seconds, 0, math.inf, low_open=True, optional=True)
    common.check_range("gradient_penalty_weight", f.gradient_penalty_weight, 0, math.inf, low_open=True,
                       optional=True)
    return {name: f[name].value for name in FLAG_NAMES}


# ---- one run ----------------------------------------------------------------------------
def _penalty_weight(plan, dataset, setting):
    if setting == "off":
        return 0.0
    return plan["gradient_penalty_weight"] or common.dataset_defaults(dataset)["gradient_penalty_weight"] or 10.0


def run_config(plan, dataset, loss, weight, seed):
    """The gan-train settings of one run: the dataset's defaults with this run's loss, penalty and seed.

    Example:
        run_config(plan, 'digits', 'minimax', 0.0, 1)['conditional']  # True, as gan-train
    """
    overrides = dict(dataset=dataset, loss=loss, gradient_penalty_weight=weight, seed=seed,
                     save_every=plan["max_steps"], data_dir=plan["data_dir"])
    if plan["discriminator_steps"]:
        overrides["discriminator_steps"] = plan["discriminator_steps"]
    return common.resolve(overrides, None, {"generator_loss": None, "discriminator_loss": None})


def _health_monitor(gan, estimator, family):
    checks = [gan.health.ConvergenceCheck(family), gan.health.StallCheck(estimator.loss_pair)]
    return gan.health.HealthMonitor(checks, model_dir=estimator.model_dir, report=None)


def _score(gan, dataset, samples, digits_metrics):
    if dataset in gan.eval.MIXTURES:
        return gan.eval.mixture_metrics(samples, dataset)
    digits_metrics.reset_state()
    digits_metrics.update_state(None, samples)
    results = digits_metrics.result()
    histogram = gan.health.classifier_histogram(digits_metrics.extractor)(samples)
    spread = gan.health.coverage(histogram)
    results.update(classes_covered=spread.covered, max_class_share=spread.max_share)
    return {k: results[k] for k in DIGITS_METRICS}


def train_and_score(gan, keras, np, plan, dataset, spec, loss, setting, seed, digits_metrics):
    """Trains one run and returns (its row for runs.csv, its samples or None when it failed).

    Example:
        row, samples = train_and_score(gan, keras, np, plan, 'ring', spec, 'minimax', 'on', 0, None)
    """
    weight = _penalty_weight(plan, dataset, setting)
    model_dir = os.path.join(plan["output_dir"], "runs", f"{dataset}-{loss}-gp{setting}-s{seed}")
    config = run_config(plan, dataset, loss, weight, seed)
    input_fn = gan.data.gan_input_fn(dataset, config["batch_size"], noise_dims=config["noise_dims"],
                                     conditional=config["conditional"], data_dir=plan["data_dir"], seed=seed)
    keras.utils.set_random_seed(seed)  # Initial weights differ by seed only.
    estimator = train.build_estimator(gan, keras, config, spec, model_dir)  # gan-train's own route
    row = dict(dataset=dataset, loss=loss, gradient_penalty=weight, seed=seed, status="ok")
    if estimator.global_step >= plan["max_steps"]:
        raise common.UsageError(f"{model_dir} already holds a finished run; pass another --output_dir.")
    if plan["preflight"]:
        row["preflight_accuracy"] = gan.health.preflight(estimator, input_fn, raise_on_failure=False).accuracy
        keras.utils.set_random_seed(seed)  # Training starts from the very generator the check saw.
    family = gan.health.loss_family(estimator.loss_pair, default=gan.health.WASSERSTEIN)
    monitor = _health_monitor(gan, estimator, family)
    began = time.time()
    try:
        estimator.train(input_fn, max_steps=plan["max_steps"], max_seconds=plan["max_seconds"], hooks=[monitor],
                        progress=False)
    except gan.NonFiniteError:
        row["status"] = "non-finite"
    row.update(steps=estimator.global_step, train_seconds=time.time() - began)
    if monitor.history:
        logs = monitor.history[-1][1]
        row["steps_per_sec"] = logs["steps_per_sec"]
        # Each family's own signal only: a critic's "accuracy" and a classifier's raw score gap mean nothing.
        if family == gan.health.PROBABILISTIC:
            row["discriminator_accuracy"] = gan.health.balanced_accuracy(logs)
        else:
            row["critic_gap"] = logs["critic_gap"]
    for event in monitor.events:
        column = {gan.health.CONVERGED: "coin_flip_step", gan.health.STALL: "stall_step"}.get(event.kind)
        if column:
            row[column] = event.step
    if row["status"] != "ok":
        return row, None
    inputs = common.generator_inputs(plan["num_samples"], config["noise_dims"],
                                     spec.num_classes if config["conditional"] else None, seed=10_000 + seed)
    samples = np.concatenate([np.asarray(estimator.generate(
        tuple(part[i:i + 500] for part in inputs) if isinstance(inputs, tuple) else inputs[i:i + 500]))
        for i in range(0, plan["num_samples"], 500)])
    if not np.all(np.isfinite(samples)):
        row["status"] = "non-finite samples"
        return row, None
    row.update(_score(gan, dataset, samples, digits_metrics))
    return row, samples


# ---- tables and figure --------------------------------------------------------------------
def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def summarize(rows):
    """Mean and std over seeds per (dataset, loss, gradient_penalty), plus failure and stall counts.

    Example:
        summarize(rows)[0]['modes_mean']  # e.g. 7.7
    """
    import numpy as np  # pylint: disable=import-outside-toplevel

    groups = {}
    for row in rows:
        groups.setdefault((row["dataset"], row["loss"], row["gradient_penalty"]), []).append(row)
    summary = []
    for (dataset, loss, weight), members in groups.items():
        entry = dict(dataset=dataset, loss=loss, gradient_penalty=weight, runs=len(members),
                     failed=sum(m["status"] != "ok" for m in members),
                     stalled=sum(m.get("stall_step") not in (None, "") for m in members))
        for metric in SUMMARY_METRICS:
            values = np.array([_number(m.get(metric)) for m in members if m["status"] == "ok"])
            values = values[np.isfinite(values)]
            entry[f"{metric}_mean"] = float(values.mean()) if values.size else math.nan
            entry[f"{metric}_std"] = float(values.std()) if values.size else math.nan
        summary.append(entry)
    return summary


def write_csv(path, rows, columns):
    """Writes dict `rows` as CSV with `columns` (missing values empty).

    Example:
        write_csv('runs.csv', rows, RUN_COLUMNS)
    """
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in columns})


def _cell(entry, metric, percent=False, digits=3):
    mean, std = entry[f"{metric}_mean"], entry[f"{metric}_std"]
    if math.isnan(mean):
        return "-"
    if percent:
        return f"{100 * mean:.0f}% ± {100 * std:.0f}"
    return f"{mean:.{digits}g} ± {std:.2g}"


MARKDOWN_COLUMNS = {
    "points": (("modes", "modes", False), ("high-quality", "high_quality", True), ("reverse KL", "reverse_kl", False)),
    "image": (("FID", "fid", False), ("classifier score", "classifier_score", False),
              ("classes covered", "classes_covered", False), ("max class share", "max_class_share", True)),
}


def write_markdown(path, summary, plan):
    """Writes the summary as one Markdown table per dataset, mean ± std over seeds.

    Example:
        write_markdown('summary.md', summarize(rows), plan)
    """
    lines = [f"# GAN losses compared: {plan['max_steps']} steps per run"
             + (f" (at most {plan['max_seconds']:g} s)" if plan["max_seconds"] else "")
             + f", {plan['seeds']} seed(s), mean ± std over seeds", "",
             "Generated by `python -m experiments.compare_losses`; see docs/losses.md for how to read it.", ""]
    for dataset in plan["datasets"]:
        entries = [e for e in summary if e["dataset"] == dataset]
        if not entries:
            continue
        kind = "points" if dataset in ("ring", "grid") else "image"
        headers = (["loss", "GP"] + [title for title, _, _ in MARKDOWN_COLUMNS[kind]]
                   + ["D accuracy", "critic gap", "stalled", "failed", "steps/s"])
        lines += [f"## {dataset}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        for e in entries:
            cells = [e["loss"], f"{e['gradient_penalty']:g}" if e["gradient_penalty"] else "off"]
            cells += [_cell(e, metric, percent) for _, metric, percent in MARKDOWN_COLUMNS[kind]]
            cells += [_cell(e, "discriminator_accuracy", True), _cell(e, "critic_gap"),
                      f"{e['stalled']}/{e['runs']}", f"{e['failed']}/{e['runs']}", _cell(e, "steps_per_sec")]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def write_figures(gan, np, plan, samples):
    """One PNG per loss, `samples_<loss>.png`: seed-0 samples, a row per dataset, a column per penalty setting.

    Example:
        write_figures(gan, np, plan, {('ring', 'minimax', 'on'): points})
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # pylint: disable=import-outside-toplevel
    from matplotlib.figure import Figure  # pylint: disable=import-outside-toplevel

    from gan import plots  # pylint: disable=import-outside-toplevel

    paths = []
    for loss in plan["losses"]:
        rows, columns = len(plan["datasets"]), len(plan["gradient_penalty"])
        figure = Figure(figsize=(3.2 * columns, 3.2 * rows), dpi=100)
        FigureCanvasAgg(figure)
        for r, dataset in enumerate(plan["datasets"]):
            for c, setting in enumerate(plan["gradient_penalty"]):
                axes = figure.add_subplot(rows, columns, r * columns + c + 1)
                axes.set_title(f"{dataset}, GP {setting}", fontsize=9)
                axes.set_xticks([])
                axes.set_yticks([])
                points = samples.get((dataset, loss, setting))
                if points is None:
                    axes.text(0.5, 0.5, "failed", ha="center", va="center", transform=axes.transAxes)
                elif points.ndim == 4:
                    grid = plots.tile_images(points[:FIGURE_SAMPLES["image"]])
                    axes.imshow((np.clip(grid, -1, 1) + 1) / 2, cmap="gray", vmin=0, vmax=1)
                else:
                    centers = gan.eval.MIXTURES[dataset].centers
                    shown = points[:FIGURE_SAMPLES["points"]]
                    axes.scatter(shown[:, 0], shown[:, 1], s=2, c="tab:orange", linewidths=0)
                    axes.scatter(centers[:, 0], centers[:, 1], s=12, c="tab:blue", marker="x")
                    axes.set_aspect("equal")
                    span = 1.6 * np.abs(centers).max()
                    axes.set_xlim(-span, span)
                    axes.set_ylim(-span, span)
        figure.suptitle(f"loss: {loss} (seed 0)")
        figure.tight_layout()
        path = os.path.join(plan["output_dir"], f"samples_{loss}.png")
        figure.savefig(path, format="png")
        paths.append(path)
    return paths


# ---- program --------------------------------------------------------------------------------
def compare(plan):
    """Runs every setting of `plan` (see `settings`) and writes the tables and figures; returns the summary rows.

    Example:
        compare(settings(values))
    """
    common.import_tensorflow()
    import keras  # pylint: disable=import-outside-toplevel
    import numpy as np  # pylint: disable=import-outside-toplevel

    import gan  # pylint: disable=import-outside-toplevel
    import gan.health  # pylint: disable=import-outside-toplevel

    plan = dict(plan, losses=plan["losses"] or gan.losses.names())
    unknown = [name for name in plan["losses"] if name not in gan.losses.names()]
    if unknown:
        raise common.UsageError(f"Unknown --losses {','.join(unknown)}; accepted: {', '.join(gan.losses.names())}.")
    os.makedirs(plan["output_dir"], exist_ok=True)
    rows, samples = [], {}
    for dataset in plan["datasets"]:
        spec = gan.data.describe(dataset, data_dir=plan["data_dir"])
        digits_metrics = None if dataset in gan.eval.MIXTURES else gan.eval.metrics_for(
            dataset, data_dir=plan["data_dir"], cache_dir=plan["cache_dir"],
            classifier_epochs=plan["classifier_epochs"])
        for loss in plan["losses"]:
            for setting in plan["gradient_penalty"]:
                for seed in range(plan["seeds"]):
                    row, points = train_and_score(gan, keras, np, plan, dataset, spec, loss, setting, seed,
                                                  digits_metrics)
                    rows.append(row)
                    if seed == 0 and points is not None:
                        samples[(dataset, loss, setting)] = points
                    print(f"{dataset} {loss} gp={setting} seed={seed}: {row['status']}, {row['steps']} steps, "
                          f"{row['train_seconds']:.1f} s", flush=True)
                    write_csv(os.path.join(plan["output_dir"], "runs.csv"), rows, RUN_COLUMNS)
    summary = summarize(rows)
    summary_columns = (["dataset", "loss", "gradient_penalty", "runs", "failed", "stalled"]
                       + [f"{m}_{s}" for m in SUMMARY_METRICS for s in ("mean", "std")])
    write_csv(os.path.join(plan["output_dir"], "summary.csv"), summary, summary_columns)
    write_markdown(os.path.join(plan["output_dir"], "summary.md"), summary, plan)
    write_figures(gan, np, plan, samples)
    return summary


def main(argv, flag_values=flags.FLAGS):
    """Compares the losses the flags name; prints where the tables went."""
    if len(argv) > 1:
        raise common.UsageError(f"unexpected arguments {' '.join(argv[1:])!r}; flags look like --name=value.")
    plan = settings(flag_values)
    common.quiet_logging()
    compare(plan)
    print(f"Wrote {os.path.join(plan['output_dir'], 'summary.md')}, summary.csv, runs.csv and samples_<loss>.png")
    return 0


def run():
    """Console-script entry point."""
    common.run_program(PROGRAM, define_flags, main)


if __name__ == "__main__":
    run()
