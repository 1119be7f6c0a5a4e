"""The Colab notebooks run top to bottom headless (nbclient), with tiny parameters.

Like papermill, overrides go into a cell inserted right after the cell tagged
`parameters`; check cells appended at the end assert on the kernel's own state. The
kernel is pinned to this interpreter through a kernelspec written into a temporary
folder, so the notebooks import the `gan` under test, not some other install.
"""
import ast
import importlib.util
import json
import os
import sys

import nbformat
import pytest
from ipykernel.kernelspec import install as install_kernelspec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "experiments", "notebooks")
KERNEL = "gan-notebook-test"
CELL_TIMEOUT_S = 300


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", os.path.join(NOTEBOOKS, "make_notebooks.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(name):
    return nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)


def _parameter_index(nb):
    tagged = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"expected one cell tagged 'parameters', found {len(tagged)}"
    return tagged[0]


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
def shared_dirs(tmp_path_factory):
    """Data and evaluation caches shared by both notebooks (each dataset is prepared once)."""
    return {"GAN_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "GAN_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


@pytest.fixture
def run_notebook(kernel_spec_manager, shared_dirs, monkeypatch, tmp_path):
    """Executes a notebook in `tmp_path` (its working dir) and returns it with outputs; a cell error fails."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    for name, value in shared_dirs.items():
        monkeypatch.setenv(name, value)

    def run(nb):
        with_checks(nb, "import sys\nprint('kernel executable:', sys.executable)")
        manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_spec_manager)
        NotebookClient(nb, km=manager, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        assert _stdout(nb.cells[-1]).strip() == f"kernel executable: {sys.executable}"
        return nb

    return run


def _outputs(nb, output_type):
    return [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
            if output.output_type == output_type]


def _stdout(cell):
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stdout")


def _figures(nb):
    return [o for o in _outputs(nb, "display_data") if "image/png" in o.data]


@pytest.mark.parametrize("name", ["quickstart.ipynb", "losses.ipynb"])
def test_stored_notebooks_are_generated_and_hold_no_outputs(name):
    stored = _read(name)
    nbformat.validate(stored)
    assert stored == _load_generator().build()[name], "stale notebook: run experiments/notebooks/make_notebooks.py"
    code_cells = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    assert {"STEPS", "DATASET", "MODEL_DIR", "BATCH_SIZE"} <= _assigned_names(code_cells[1].source)
    assert code_cells[1] is stored.cells[_parameter_index(stored)]


def test_install_cell_is_a_no_op_when_gan_is_importable(run_notebook):
    install = _read("quickstart.ipynb").cells[2]
    assert "GAN_SOURCE" in install.source and "pip" in install.source
    nb = run_notebook(nbformat.v4.new_notebook(cells=[install]))
    assert "gan is already installed" in _stdout(nb.cells[0])


@pytest.mark.parametrize("name", ["quickstart.ipynb", "losses.ipynb"])
def test_install_cell_pip_installs_gan_source_when_gan_is_missing(name, monkeypatch):
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda module, *a: None if module == "gan"
                        else real_find_spec(module, *a))
    monkeypatch.setattr("subprocess.check_call", lambda argv: calls.append(argv))
    monkeypatch.setenv("GAN_SOURCE", "/checkouts/gan")
    exec(_read(name).cells[2].source, {})  # pylint: disable=exec-used  (the cell, as the kernel runs it)
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", "/checkouts/gan"]]


def test_quickstart_runs_with_tiny_parameters(run_notebook, tmp_path):
    model_dir = tmp_path / "run"
    nb = with_parameters(_read("quickstart.ipynb"), STEPS=6, BATCH_SIZE=16, EVAL_BATCHES=2,
                         MODEL_DIR=str(model_dir))
    with_checks(nb, "\n".join([
        "assert estimator.global_step == STEPS",
        "assert len(log) == STEPS  # LOG_EVERY is 1 for so few steps",
        "assert {'fid', 'kid', 'classifier_score', 'precision', 'recall'} <= set(results)",
        "assert exported_samples.shape == (64, 8, 8, 1)",
        "assert np.abs(exported_samples - samples).max() < 1e-4",
        # gan-train's digits run, through gan-train's own build_estimator (one route)
        "defaults = common.dataset_defaults('digits')",
        "assert all(config[k] == defaults[k] for k in ('conditional', 'generator_lr', 'generator_ema_decay', "
        "'gradient_penalty_weight', 'architecture'))",
        "assert estimator.loss_config.gradient_penalty_weight == defaults['gradient_penalty_weight']",
    ]))
    nb = run_notebook(nb)
    assert len(_figures(nb)) == 3  # real digits; samples, losses and health; reloaded SavedModel's samples
    assert (model_dir / "export" / "saved_model.pb").is_file()
    assert (model_dir / "train_log.jsonl").is_file()
    assert any("global step 6" in _stdout(cell) for cell in nb.cells)


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
