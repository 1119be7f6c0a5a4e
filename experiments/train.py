"""Checkout shim: `python -m experiments.train` and `from experiments import train` reach `gan.cli.train`."""
import sys

from gan.cli import train as _module

if __name__ == "__main__":
    _module.run()
else:
    sys.modules[__name__] = _module  # the same module object, so patching it patches the program
