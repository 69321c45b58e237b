"""The committed learner notebooks (exercises/) are exactly what nbgrader generates from solutions/."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("exercise_harness", Path(__file__).with_name("conftest.py"))
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

ROOT = harness.ROOT
ASSIGNMENTS = harness.ASSIGNMENTS


@pytest.fixture(scope="module")
def fresh_releases(tmp_path_factory):
    """Generate every assignment in its own temporary course folder, all at once (nbgrader is slow to start)."""
    courses, processes = {}, {}
    for assignment in ASSIGNMENTS:
        course = harness.new_course(tmp_path_factory.mktemp(assignment), assignment)
        courses[assignment] = course
        processes[assignment] = subprocess.Popen(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--no-db", "--force"],
            cwd=course, env=harness.nbgrader_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    for assignment, process in processes.items():
        output, _ = process.communicate()
        assert process.returncode == 0, f"nbgrader generate_assignment {assignment} failed:\n{output}"
    return courses


def files_under(folder: Path) -> dict[str, bytes]:
    """Every released file, skipping hidden entries (.ipynb_checkpoints) as nbgrader does."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_match_a_fresh_release(fresh_releases, assignment):
    fresh = files_under(fresh_releases[assignment] / "exercises" / assignment)
    committed = files_under(ROOT / "exercises" / assignment)
    assert fresh, "nbgrader released no files"
    assert sorted(committed) == sorted(fresh), (
        f"exercises/{assignment} holds {sorted(committed)}, a fresh release holds {sorted(fresh)}: "
        f"regenerate with `nbgrader generate_assignment {assignment} --no-db --force`"
    )
    for name, content in fresh.items():
        assert committed[name] == content, (
            f"exercises/{assignment}/{name} differs from a fresh release of solutions/{assignment}: "
            f"regenerate with `nbgrader generate_assignment {assignment} --no-db --force`"
        )
