"""nnlib.core stays what the course promises: short plain-NumPy files a learner reads in one
sitting, with no input checks, Keras plumbing or other nnlib modules inside."""

import ast
from pathlib import Path

import pytest

import nnlib.core

CORE = Path(nnlib.core.__file__).parent
MODULES = sorted(CORE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_core_file_imports_only_numpy_math_and_the_core(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {"numpy", "math"} | {f"nnlib.core.{p.stem}" for p in MODULES}, imported


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_core_file_is_short(path):
    assert len(path.read_text().splitlines()) <= 200


def test_the_core_is_read_in_one_sitting():
    assert sum(len(p.read_text().splitlines()) for p in MODULES) <= 900
