"""The library's structure: layers without import cycles, and every module importable on its own.

The import graph is read from the source (module-level imports), so a cycle fails here
even when the current import order happens to hide it. The programs in `gan.cli` may import
inside functions (they check flags before paying for TensorFlow); library modules may not
import other `gan` modules there, which is how a cycle is usually dodged.
"""
import ast
import multiprocessing
import os

import pytest

PACKAGE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gan")


def _modules():
    """Module name -> source file, read from the tree (walking the package would import it)."""
    names = {}
    for directory, _, files in os.walk(PACKAGE_DIR):
        package = os.path.relpath(directory, os.path.dirname(PACKAGE_DIR)).replace(os.sep, ".")
        for file in files:
            if file.endswith(".py"):
                names[package if file == "__init__.py" else f"{package}.{file[:-3]}"] = os.path.join(directory, file)
    return names


MODULES = _modules()


def _imported(node):
    """The `gan` modules an import statement names (a `from gan.x import y` names gan.x.y when that is a module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name.split(".")[0] == "gan"}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "gan":
        return {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module for a in node.names}
    return set()


def _module_level_imports(path):
    imports = set()
    for statement in ast.parse(open(path, encoding="utf-8").read()).body:
        nodes = ast.walk(statement) if isinstance(statement, (ast.If, ast.Try)) else [statement]
        for node in nodes:
            imports |= _imported(node)
    return imports


def _graph():
    return {name: _module_level_imports(path) & set(MODULES) - {name} for name, path in MODULES.items()}


def _cycle(graph):
    """One cycle of `graph` as a list of nodes, or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == "open":
                return path[path.index(successor):] + [successor]
            if successor not in state:
                found = visit(successor)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _part(module):
    return ".".join(module.split(".")[:2])  # gan.eval.cache -> gan.eval


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back():
    assert len(MODULES) > 50
    assert _cycle(_graph()) is None


def test_the_library_parts_form_layers():
    """Between parts (gan.data, gan.eval, gan.train, ...) the imports go one way: no part imports back."""
    parts = {}
    for module, imports in _graph().items():
        parts.setdefault(_part(module), set()).update(_part(i) for i in imports if _part(i) not in (_part(module), "gan"))
    assert _cycle(parts) is None
    assert not parts["gan.data"] & {"gan.eval", "gan.health", "gan.train", "gan.estimator", "gan.summaries"}
    assert not parts["gan.eval"] & {"gan.summaries", "gan.plots", "gan.health", "gan.estimator"}
    assert "gan.health" not in parts["gan.train"]


def test_library_modules_import_gan_modules_only_at_the_top():
    late = []
    for name, path in MODULES.items():
        if name.startswith("gan.cli"):
            continue
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                late += [f"{name}:{inner.lineno}" for inner in ast.walk(node) if _imported(inner)]
    assert not late, f"function-level imports of gan modules: {late}"


def _import_alone(name, results):
    import importlib  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel

    for loaded in [m for m in sys.modules if m == "gan" or m.startswith("gan.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
        results.put((name, None))
    except BaseException as error:  # pylint: disable=broad-except
        results.put((name, f"{type(error).__name__}: {error}"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to give each module a fresh interpreter cheaply")
def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    """Each module in a process of its own that has loaded no `gan` module yet (forked from one that
    holds only the third-party libraries, so TensorFlow's import is paid once)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tensorflow", "keras", "tensorflow_datasets", "numpy", "absl.flags", "PIL",
                                    "sklearn.datasets", "tqdm", "matplotlib.figure"])
    results = context.Queue()
    failures = {}
    for start in range(0, len(MODULES), 8):
        workers = [context.Process(target=_import_alone, args=(name, results)) for name in sorted(MODULES)[start:start + 8]]
        for worker in workers:
            worker.start()
        for _ in workers:
            name, error = results.get(timeout=300)
            if error:
                failures[name] = error
        for worker in workers:
            worker.join()
    assert not failures
