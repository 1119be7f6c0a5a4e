"""The `gan-train`, `gan-generate` and `gan-evaluate` programs (absl), installed as console scripts.

Each module's `run()` is its entry point; `python -m gan.cli.train` works too. Packaged
flag files live in `gan/cli/configs/` (`gan-train --config=NAME`).

Example:
    python -m gan.cli.train --dataset=ring --max_steps=2000
"""
