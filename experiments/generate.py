"""Checkout shim: `python -m experiments.generate` and `from experiments import generate` reach `gan.cli.generate`."""
import sys

from gan.cli import generate as _module

if __name__ == "__main__":
    _module.run()
else:
    sys.modules[__name__] = _module  # the same module object, so patching it patches the program
