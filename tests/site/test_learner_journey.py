"""A learner with nothing but the site: take the wheel, a chapter notebook and an exercise notebook from
the built site, install the wheel with its `learner` extra into a fresh virtual environment (not the
project's), run the chapter top to bottom, and check the exercise with `nngrade check`.

pip resolves the extra's packages from the package index as a learner's pip would (the versions pinned
by constraints.txt, which the pip cache usually holds). The environment lives under the project's .cache/
rather than /tmp, because nngrade's sandbox gives the learner's code a private /tmp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_scratch import TREE

pytestmark = pytest.mark.slow

CHAPTER = "01-neuron"
EXERCISE = "perceptron"


@pytest.fixture(scope="module")
def learner(site):
    """A fresh venv with the site's wheel and its [learner] extra, and a folder with the downloads."""
    home = TREE / ".cache" / f"learner-journey-{os.getpid()}"
    shutil.rmtree(home, ignore_errors=True)
    work = home / "work"
    work.mkdir(parents=True)
    wheels = sorted((site.path / "downloads").glob("nnlib-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    wheel = shutil.copy2(wheels[0], work)
    shutil.copy2(site.path / "chapters" / CHAPTER / f"{CHAPTER}.ipynb", work)
    shutil.copy2(site.path / "exercises" / f"{EXERCISE}.ipynb", work)
    python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([python, "-m", "venv", str(home / "venv")], check=True, timeout=300)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV", "MPLBACKEND", "MATPLOTLIBRC"))}
    env["PATH"] = str(home / "venv" / "bin") + os.pathsep + env.get("PATH", "")
    env["KERAS_BACKEND"] = "jax"
    install = subprocess.run(
        [str(home / "venv/bin/python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(TREE / "constraints.txt"), f"{Path(wheel).name}[learner]"],
        cwd=work, env=env, capture_output=True, text=True, timeout=1500,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    try:
        yield work, env
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_nnlib_comes_from_the_wheel_not_the_repository(learner):
    work, env = learner
    where = subprocess.run(["python", "-c", "import nnlib; print(nnlib.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, timeout=120)
    assert where.returncode == 0, where.stderr
    assert "site-packages" in where.stdout and str(TREE / "nnlib") not in where.stdout


def test_a_downloaded_chapter_runs_top_to_bottom(learner):
    work, env = learner
    run = subprocess.run(
        ["jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
         "--ExecutePreprocessor.timeout=600", f"{CHAPTER}.ipynb"],
        cwd=work, env=env, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert (work / "executed.ipynb").stat().st_size > (work / f"{CHAPTER}.ipynb").stat().st_size


def test_nngrade_check_on_a_downloaded_exercise_reports_each_part(learner):
    work, env = learner
    check = subprocess.run(["nngrade", "check", f"{EXERCISE}.ipynb"], cwd=work, env=env,
                           capture_output=True, text=True, timeout=900)
    assert check.returncode == 1, f"an untouched exercise must fail its checks:\n{check.stdout}\n{check.stderr}"
    parts = [line for line in check.stdout.splitlines() if line.strip().endswith(("pass", "FAIL")) or " FAIL " in line]
    assert len(parts) >= 2, check.stdout
    assert "need more work" in check.stdout
