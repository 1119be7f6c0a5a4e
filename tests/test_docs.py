"""The user docs can be followed from any copy of the repository: no development-only paths, no missing files."""
import glob
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = sorted(["README.md", "BUILD.md"] + [os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md"))]
              + [os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "experiments", "notebooks", "*.py"))])
# Paths into the repository, as the docs write them: `benchmarks/throughput.py`, `docs/losses.md`, ...
REPOSITORY_PATH = re.compile(r"`((?:benchmarks|docs|experiments|gan|tests)/[\w./-]+\.(?:py|md|ipynb|cfg))`")


def _read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as file:
        return file.read()


@pytest.mark.parametrize("name", DOCS)
def test_docs_name_no_development_only_paths_or_files_outside_the_repository(name):
    text = _read(name)
    for banned in ("../shared", "DESIGN.md"):
        assert banned not in text, f"{name} mentions {banned}, which is not part of the repository"


@pytest.mark.parametrize("name", DOCS)
def test_repository_paths_in_docs_exist(name):
    missing = sorted({path for path in REPOSITORY_PATH.findall(_read(name))
                      if not glob.glob(os.path.join(ROOT, path))})
    assert not missing, f"{name} names files that are not in the repository: {missing}"
