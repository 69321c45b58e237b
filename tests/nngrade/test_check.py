"""The learner's journey: `nngrade check NOTEBOOK` before submitting."""

import subprocess
import sys
from pathlib import Path

import pytest

from nngrade import demo
from nngrade.notebook import read_notebook

from .conftest import SOURCE, copy_course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the fixture course: `check --course-dir` loads (or creates) the course's secret there."""
    return copy_course(tmp_path_factory.mktemp("check") / "course")


def check(path, *options):
    return subprocess.run([sys.executable, "-m", "nngrade", "check", str(path), "--cell-timeout", "5", *options],
                          capture_output=True, text=True)


def test_a_finished_notebook_passes_with_exit_code_0(tmp_path, course):
    path = demo.write(demo.solved(read_notebook(SOURCE)), tmp_path / "toy.ipynb")
    done = check(path, "--course-dir", str(course))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "double_values" in done.stdout and "pass" in done.stdout
    assert "All visible tests pass." in done.stdout
    assert "HIDDEN" not in done.stdout


def test_unfinished_work_fails_with_a_readable_summary(tmp_path, course):
    path = demo.write(demo.released(read_notebook(SOURCE), solved_parts=1), tmp_path / "toy.ipynb")
    done = check(path, "--course-dir", str(course))
    assert done.returncode == 1
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ")}
    assert "1/1  pass" in lines["double_values"]
    assert "0/2  FAIL" in lines["safe_mean_values"] and "NotImplementedError" in lines["safe_mean_values"]
    assert "1 part(s) need more work." in done.stdout


def test_a_file_that_is_not_a_notebook_is_named_in_the_error(tmp_path, course):
    path = tmp_path / "toy.ipynb"
    path.write_text("{ oops")
    done = check(path, "--course-dir", str(course))
    assert done.returncode == 2 and "toy.ipynb: is not a notebook" in done.stderr


def _hostile(tmp_path):
    """A finished notebook whose own setup and test cells attack the machine running `check`."""
    nb = demo.solved(read_notebook(SOURCE))
    written, stolen = tmp_path / "written-by-test-cell", tmp_path / "stolen"
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id == "double_values":
            cell.source = (f"open({str(written)!r}, 'w').write('pwned')\n"
                           f"open({str(stolen)!r}, 'w').write(open('/etc/shadow').read())")
        elif grade_id == "setup":
            cell.source = f"import numpy as np\nfrom numpy.testing import assert_allclose\nopen({str(written)!r}, 'w')"
    return demo.write(nb, tmp_path / "toy.ipynb"), written, stolen


def test_the_checked_notebook_never_supplies_the_tests_or_runs_outside_the_sandbox(tmp_path, course):
    path, written, stolen = _hostile(tmp_path)
    done = check(path, "--course-dir", str(course))
    assert done.returncode == 0, done.stdout + done.stderr  # the release's own tests ran, and pass
    assert "against the tests of toy.ipynb" in done.stdout
    assert not written.exists() and not stolen.exists()


def test_without_a_release_check_refuses_rather_than_trusting_the_notebook(tmp_path):
    path, written, stolen = _hostile(tmp_path)
    done = check(path, "--assignment", "no_such_assignment")
    assert done.returncode == 2 and "no released notebook named 'no_such_assignment'" in done.stderr
    assert "activations" in done.stderr  # the valid names
    assert not written.exists() and not stolen.exists()


ROOT = Path(__file__).resolve().parents[2]


def test_check_works_from_an_installed_wheel_with_the_releases_inside(tmp_path):
    import shutil
    import zipfile

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("nnlib", "nngrade", "exercises"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            f"{source}{'/'}", "-w", str(tmp_path / "wheels")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((tmp_path / "wheels").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assignments = sorted(p.name for p in (ROOT / "exercises").iterdir() if p.is_dir())
    for assignment in assignments:
        assert f"nngrade/releases/{assignment}/{assignment}.ipynb" in names
    assert "nngrade/versions.json" in names  # the release ids `check` tells stale copies by
    site = tmp_path / "installed" / "site-packages"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                                str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-3000:]

    learner = tmp_path / "learner"  # no repository anywhere near
    nb = demo.solved(read_notebook(ROOT / "solutions" / "perceptron" / "perceptron.ipynb"))
    path = demo.write(nb, learner / "perceptron.ipynb")
    env = dict(__import__("os").environ, PYTHONPATH=str(site))
    where = subprocess.run([sys.executable, "-c", "import nngrade; print(nngrade.__file__)"], cwd=learner, env=env,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    done = subprocess.run([sys.executable, "-m", "nngrade", "check", str(path), "--cell-timeout", "60"],
                          cwd=learner, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "against the tests of perceptron.ipynb" in done.stdout and "All visible tests pass." in done.stdout
    assert "warning" not in done.stdout  # the notebook's tests are those of the installed release
