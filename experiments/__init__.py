"""Checkout-only scripts (benchmarks, notebooks) and shims: `python -m experiments.train` runs `gan.cli.train`.

Not installed: the programs live in `gan.cli` (console scripts gan-train, gan-generate, gan-evaluate).
"""
