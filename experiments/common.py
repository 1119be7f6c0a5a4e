"""Checkout shim: `from experiments import common` reaches `gan.cli.common`."""
import sys

from gan.cli import common as _module

sys.modules[__name__] = _module  # the same module object, so patching it patches the programs
