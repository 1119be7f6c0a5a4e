"""Checkout shim: `python -m experiments.evaluate` and `from experiments import evaluate` reach `gan.cli.evaluate`."""
import sys

from gan.cli import evaluate as _module

if __name__ == "__main__":
    _module.run()
else:
    sys.modules[__name__] = _module  # the same module object, so patching it patches the program
