"""The Colab notebooks: built from their jupytext sources, and run top to bottom headless (nbclient).

`experiments/notebooks/<name>.py` (jupytext percent scripts) are the sources; the stored
`.ipynb` must be what jupytext builds from them. Like papermill, overrides go into a cell inserted right after the cell tagged
`parameters`; check cells appended at the end assert on the kernel's own state. The
kernel is pinned to this interpreter through a kernelspec written into a temporary
folder, so the notebooks import the `gan` under test, not some other install.
"""
import ast
import importlib.util
import json
import os
import re
import sys

import jupytext
import nbformat
import pytest
import tqdm.notebook
import tqdm.std
from ipykernel.kernelspec import install as install_kernelspec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "experiments", "notebooks")
KERNEL = "gan-notebook-test"
CELL_TIMEOUT_S = 300
NAMES = ["quickstart.ipynb", "losses.ipynb"]
# TensorFlow's C++ log lines: "2026-01-01 12:00:00.000000: I tensorflow/..." (older), "I0000 00:00:1764.5  99 port.cc:153] ...".
CPP_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] |[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ "
                          r"\S+\.cc:\d+\]|WARNING: All log messages before absl::InitializeLog)", re.MULTILINE)


def _read(name):
    return nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)


def _built(name):
    """The notebook jupytext builds from the source `<name>.py`, as the stored .ipynb JSON holds it."""
    source = jupytext.read(os.path.join(NOTEBOOKS, name.replace(".ipynb", ".py")))
    return json.loads(jupytext.writes(source, fmt="ipynb"))


def _without_cell_ids(nb):
    """Cell ids are random in a fresh build (`jupytext --update` keeps the stored ones)."""
    return {**nb, "cells": [{k: v for k, v in cell.items() if k != "id"} for cell in nb["cells"]]}


def _tagged_index(nb, tag):
    tagged = [i for i, cell in enumerate(nb.cells) if tag in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"expected one cell tagged {tag!r}, found {len(tagged)}"
    return tagged[0]


def _parameter_index(nb):
    return _tagged_index(nb, "parameters")


def _tagged(name, tag):
    nb = _read(name)
    return nb.cells[_tagged_index(nb, tag)]


def _assigned_names(source):
    return {target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def with_parameters(nb, **overrides):
    """Inserts `NAME = value` overrides after the `parameters` cell; each name must be a parameter."""
    index = _parameter_index(nb)
    unknown = set(overrides) - _assigned_names(nb.cells[index].source)
    assert not unknown, f"not parameters of this notebook: {sorted(unknown)}"
    cell = nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}" for name, value in overrides.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, cell)
    return nb


def with_checks(nb, source):
    """Appends a code cell (assertions run inside the kernel)."""
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


@pytest.fixture(scope="module")
def kernel_spec_manager(tmp_path_factory):
    """Finds only a kernelspec whose argv starts with this interpreter (sys.executable)."""
    prefix = tmp_path_factory.mktemp("jupyter")
    install_kernelspec(kernel_name=KERNEL, prefix=str(prefix))
    kernels = prefix / "share" / "jupyter" / "kernels"
    argv = json.loads((kernels / KERNEL / "kernel.json").read_text())["argv"]
    assert argv[0] == sys.executable
    return KernelSpecManager(kernel_dirs=[str(kernels)])


@pytest.fixture(scope="module")
def shared_dirs(tmp_path_factory, embedded_data_dir):
    """Data and evaluation caches shared by both notebooks (each dataset is prepared once)."""
    return {"GAN_DATA_DIR": embedded_data_dir,
            "GAN_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


@pytest.fixture
def run_notebook(kernel_spec_manager, shared_dirs, monkeypatch, tmp_path):
    """Executes a notebook in `tmp_path` (its working dir) and returns it with outputs; a cell error fails."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # the notebooks must quiet TensorFlow themselves
    for name, value in shared_dirs.items():
        monkeypatch.setenv(name, value)

    def run(nb):
        with_checks(nb, "import sys\nprint('kernel executable:', sys.executable)")
        manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_spec_manager)
        NotebookClient(nb, km=manager, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        assert _stdout(nb.cells[-1]).strip() == f"kernel executable: {sys.executable}"
        _assert_clean_outputs(nb)
        return nb

    return run


def _outputs(nb, output_type):
    return [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
            if output.output_type == output_type]


def _stdout(cell):
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stdout")


def _figures(nb):
    return [o for o in _outputs(nb, "display_data") if "image/png" in o.data]


def _assert_clean_outputs(nb):
    """No TensorFlow C++ log lines, no tqdm widget warning; the device and library versions printed."""
    text = "".join(output.get("text", "") for output in _outputs(nb, "stream"))
    assert not CPP_LOG_LINE.search(text), CPP_LOG_LINE.search(text).group(0)
    assert "IProgress" not in text and "TqdmWarning" not in text
    assert not re.search(r"^INFO:", text, re.MULTILINE), text
    environment = _stdout(nb.cells[_tagged_index(nb, "environment")])
    assert re.search(r"^device: (CPU only|\d+ x (GPU|TPU) )", environment, re.MULTILINE), environment
    assert all(f"{name} " in environment for name in ("gan", "tensorflow", "keras")), environment


@pytest.mark.parametrize("name", NAMES)
def test_stored_notebooks_are_built_from_their_jupytext_sources_and_hold_no_outputs(name):
    stored = _read(name)
    nbformat.validate(stored)
    with open(os.path.join(NOTEBOOKS, name), encoding="utf-8") as file:
        stored_json = json.load(file)
    assert _without_cell_ids(stored_json) == _without_cell_ids(_built(name)), (
        f"stale notebook: run jupytext --update --to ipynb experiments/notebooks/{name.replace('.ipynb', '.py')}")
    code_cells = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    # Papermill's layout: the first code cell holds the parameters; installing comes right after it.
    assert code_cells[0] is stored.cells[_parameter_index(stored)]
    assert code_cells[1] is stored.cells[_tagged_index(stored, "install")]
    assert {"PACKAGE_SOURCE", "STEPS", "DATASET", "MODEL_DIR", "BATCH_SIZE"} <= _assigned_names(code_cells[0].source)


def test_both_notebooks_share_the_install_and_environment_cells():
    for tag in ("install", "environment"):
        assert _tagged("quickstart.ipynb", tag).source == _tagged("losses.ipynb", tag).source
    environment = _tagged("quickstart.ipynb", "environment").source
    assert environment.index("TF_CPP_MIN_LOG_LEVEL") < environment.index("import_tensorflow()")


def test_quickstart_builds_its_estimator_as_gan_train_does():
    code = "\n".join(cell.source for cell in _read("quickstart.ipynb").cells if cell.cell_type == "code")
    assert "gan_train.build_estimator(" in code and "common.resolve(" in code
    assert "optimizers." not in code and "GANEstimator(" not in code  # nothing hand-picked


def test_progress_bars_are_text_in_a_notebook_without_ipywidgets():
    from gan import progress

    assert progress.bar_class(in_notebook=True, has_widgets=False) is tqdm.std.tqdm
    assert progress.bar_class(in_notebook=True, has_widgets=True) is tqdm.notebook.tqdm
    assert progress.bar_class(in_notebook=False, has_widgets=True) is tqdm.std.tqdm


def test_install_cell_is_a_no_op_when_gan_is_importable(run_notebook):
    nb = _read("quickstart.ipynb")
    parameters, install = nb.cells[_parameter_index(nb)], nb.cells[_tagged_index(nb, "install")]
    assert "PACKAGE_SOURCE" in install.source and "pip" in install.source
    environment = nb.cells[_tagged_index(nb, "environment")]
    nb = run_notebook(nbformat.v4.new_notebook(cells=[parameters, install, environment]))
    assert "gan is already installed" in _stdout(nb.cells[1])


@pytest.mark.parametrize("name", NAMES)
def test_install_cell_pip_installs_package_source_when_gan_is_missing(name, monkeypatch):
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda module, *a: None if module == "gan"
                        else real_find_spec(module, *a))
    monkeypatch.setattr("subprocess.check_call", lambda argv: calls.append(argv))
    # the cell, as the kernel runs it after the parameters
    exec(_tagged(name, "install").source, {"PACKAGE_SOURCE": "/checkouts/gan"})  # pylint: disable=exec-used
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", "/checkouts/gan"]]


def test_install_cell_names_the_parameter_when_pip_fails(monkeypatch):
    import subprocess

    def fail(argv):
        raise subprocess.CalledProcessError(1, argv)

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda module, *a: None if module == "gan"
                        else real_find_spec(module, *a))
    monkeypatch.setattr("subprocess.check_call", fail)
    with pytest.raises(RuntimeError, match="PACKAGE_SOURCE = 'no-such-thing'"):
        exec(_tagged("quickstart.ipynb", "install").source, {"PACKAGE_SOURCE": "no-such-thing"})  # pylint: disable=exec-used


def test_quickstart_runs_with_tiny_parameters(run_notebook, tmp_path):
    model_dir = tmp_path / "run"
    nb = with_parameters(_read("quickstart.ipynb"), STEPS=6, BATCH_SIZE=16, LOG_EVERY=1, EVAL_BATCHES=2,
                         MODEL_DIR=str(model_dir))
    with_checks(nb, "\n".join([
        "assert estimator.global_step == STEPS",
        "assert len(log) == STEPS  # LOG_EVERY = 1",
        "assert {'fid', 'kid', 'classifier_score', 'precision', 'recall'} <= set(results)",
        "assert exported_samples.shape == (64, 8, 8, 1)",
        "assert np.abs(exported_samples - samples).max() < 1e-4",
        # gan-train's digits run, through gan-train's own build_estimator (one route)
        "defaults = common.dataset_defaults('digits')",
        "assert all(config[k] == defaults[k] for k in ('conditional', 'generator_lr', 'generator_ema_decay', "
        "'gradient_penalty_weight', 'architecture', 'max_seconds', 'discriminator_steps', 'beta1', 'beta2'))",
        "assert estimator.loss_config.gradient_penalty_weight == defaults['gradient_penalty_weight']",
        # the InfoGAN section: gan-train's infogan settings, the same route
        "assert family_estimator.model_kind == 'infogan' and family_estimator.global_step == STEPS",
        "assert len(code_grid) == 3 and code_grid[1].shape == (100, 10)",
        # the CycleGAN section: gan-train's cyclegan settings on digits_domains, the same route
        "assert translator.model_kind == 'cyclegan' and translator.global_step == STEPS",
        "assert translation_config['domains'] == ('original', 'inverted') and rows.shape == (8, 6, 8, 8, 1)",
        "assert acgan_estimator.model_kind == 'acgan' and stargan_estimator.model_kind == 'stargan'",
        "assert stargan_rows.shape == (8, 5, 8, 8, 1) and stargan_estimator.global_step == STEPS",
    ]))
    nb = run_notebook(nb)
    # real digits; samples, losses and health; SavedModel's; InfoGAN codes; ACGAN; CycleGAN; StarGAN
    assert len(_figures(nb)) == 7
    assert (model_dir / "export" / "saved_model.pb").is_file()
    assert (model_dir / "train_log.jsonl").is_file()
    assert any("global step 6" in _stdout(cell) for cell in nb.cells)
    stderr = "".join(o.text for o in _outputs(nb, "stream") if o.name == "stderr")
    assert "train: 100%" in stderr and "6/6" in stderr  # the text progress bar (no ipywidgets here)
    if os.environ.get("GAN_DUMP_NOTEBOOK"):
        nbformat.write(nb, os.environ["GAN_DUMP_NOTEBOOK"])


def test_losses_runs_with_tiny_parameters(run_notebook, tmp_path):
    model_dir = tmp_path / "runs"
    nb = with_parameters(_read("losses.ipynb"), STEPS=3, DISCRIMINATOR_STEPS=1, BATCH_SIZE=64, NUM_SAMPLES=300,
                         MODEL_DIR=str(model_dir))
    with_checks(nb, "\n".join([
        "assert list(samples) == list(RUNS) and len(RUNS) == 5",
        "assert all(points.shape == (NUM_SAMPLES, 2) for points in samples.values())",
        "assert all(len(log) == STEPS for log in logs.values())",
        "assert all(('gradient_penalty' in log[-1]) == name.endswith('GP') for name, log in logs.items())",
    ]))
    nb = run_notebook(nb)
    assert len(_figures(nb)) == 2  # samples over the data; accuracy and critic gap
    tables = [o.data["text/markdown"] for o in _outputs(nb, "display_data") if "text/markdown" in o.data]
    assert len(tables) == 1 and all(f"| {run} |" in tables[0]
                                    for run in ("wasserstein", "wasserstein + GP", "minimax", "modified", "modified + GP"))
    assert sorted(os.listdir(model_dir)) == ["minimax", "modified", "modified_GP", "wasserstein", "wasserstein_GP"]
    assert all((model_dir / run / "checkpoint").is_file() for run in os.listdir(model_dir))
