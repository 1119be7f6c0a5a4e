"""The progress-bar class: tqdm's notebook widget where it can render, its text bar everywhere else.

`tqdm.auto` picks the widget inside a Jupyter kernel even when ipywidgets is missing,
and then warns `TqdmWarning: IProgress not found` into every notebook output; this
module picks the text bar there instead (Jupyter redraws it in place), silently.

Example:
    from gan.progress import tqdm
    bar = tqdm(total=100, desc="train")
"""
import importlib.util
import sys


def _in_notebook_kernel():
    """True inside a Jupyter/Colab kernel (not a terminal IPython, qtconsole or plain Python)."""
    if "ipykernel.zmqshell" not in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def bar_class(in_notebook=None, has_widgets=None):
    """tqdm.notebook.tqdm in a notebook kernel with ipywidgets installed, else tqdm.std.tqdm (text).

    Example:
        bar_class(in_notebook=True, has_widgets=False).__module__  # 'tqdm.std'
    """
    in_notebook = _in_notebook_kernel() if in_notebook is None else in_notebook
    has_widgets = importlib.util.find_spec("ipywidgets") is not None if has_widgets is None else has_widgets
    if in_notebook and has_widgets:
        from tqdm.notebook import tqdm as notebook_tqdm  # pylint: disable=import-outside-toplevel

        return notebook_tqdm
    from tqdm.std import tqdm as text_tqdm  # pylint: disable=import-outside-toplevel

    return text_tqdm


tqdm = bar_class()
