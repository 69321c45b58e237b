"""Shared by the nngrade tests: the fixture course (a tiny one-assignment nbgrader course), its
reference notebook, copies of it with a class of submissions, and the limits tests grade with.
As fixtures, and as names (``from .conftest import FULL, copy_course``) where a fixture cannot
serve: a module-scoped class, or a table of cases built when the tests are collected.

The toy assignment has two auto-graded parts, ``double_values`` (1 point) and ``safe_mean_values``
(2 points), and a written answer.
"""

import os
import shutil
from pathlib import Path

import pytest

from nngrade import demo
from nngrade.notebook import read_notebook
from nngrade.sandbox import Limits

collect_ignore = ["fixtures"]  # the fixture course holds an nbgrader config file, not a test module

FIXTURE = Path(__file__).parent / "fixtures" / "course"
SOURCE = FIXTURE / "solutions" / "toy" / "toy.ipynb"  # the reference solution, with the hidden tests
TEST_SECRET = "5e" * 32  # the course secret of every fixture course (tests must not depend on a random one)
LIMITS = Limits(cell_seconds=3, call_seconds=3, memory_bytes=2 << 30)
FULL = {"double_values": 1.0, "safe_mean_values": 2.0}  # every auto-graded point of the toy assignment


@pytest.fixture(autouse=True)
def course_secret(monkeypatch):
    """The secret a grader process would load; courses copied below hold the same in their file."""
    monkeypatch.setenv("NNGRADE_SECRET", TEST_SECRET)


@pytest.fixture(scope="session")
def limits():
    return LIMITS


@pytest.fixture(scope="session")
def full_marks():
    return dict(FULL)


@pytest.fixture
def toy_source():
    return read_notebook(SOURCE)


def copy_course(root, submissions=()):
    """A copy of the fixture course at ``root`` with ``{student: notebook}`` in submitted/."""
    shutil.copytree(FIXTURE, root)
    (root / ".nngrade-secret").write_text(TEST_SECRET + "\n")
    os.chmod(root / ".nngrade-secret", 0o600)
    for student, nb in dict(submissions).items():
        demo.write(nb, root / "submitted" / student / "toy" / "toy.ipynb")
    return root


@pytest.fixture
def toy_course(tmp_path):
    """``toy_course({student: notebook}, name="course")``: a fresh copy of the fixture course."""
    return lambda submissions=(), name="course": copy_course(tmp_path / name, submissions)
