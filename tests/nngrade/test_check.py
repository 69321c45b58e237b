"""The learner's journey: `nngrade check NOTEBOOK` before submitting."""

import subprocess
import sys
from pathlib import Path

from nngrade import demo
from nngrade.notebook import read_notebook

COURSE = Path(__file__).parent / "fixtures" / "course"
SOURCE = COURSE / "solutions" / "toy" / "toy.ipynb"


def check(path, *options):
    options = options or ("--course-dir", str(COURSE))
    return subprocess.run([sys.executable, "-m", "nngrade", "check", str(path), "--cell-timeout", "5", *options],
                          capture_output=True, text=True)


def test_a_finished_notebook_passes_with_exit_code_0(tmp_path):
    path = demo.write(demo.solved(read_notebook(SOURCE)), tmp_path / "toy.ipynb")
    done = check(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "double_values" in done.stdout and "pass" in done.stdout
    assert "All visible tests pass." in done.stdout
    assert "HIDDEN" not in done.stdout


def test_unfinished_work_fails_with_a_readable_summary(tmp_path):
    path = demo.write(demo.released(read_notebook(SOURCE), solved_parts=1), tmp_path / "toy.ipynb")
    done = check(path)
    assert done.returncode == 1
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ")}
    assert "1/1  pass" in lines["double_values"]
    assert "0/2  FAIL" in lines["safe_mean_values"] and "NotImplementedError" in lines["safe_mean_values"]
    assert "1 part(s) need more work." in done.stdout


def test_a_file_that_is_not_a_notebook_is_named_in_the_error(tmp_path):
    path = tmp_path / "toy.ipynb"
    path.write_text("{ oops")
    done = check(path)
    assert done.returncode == 2 and "toy.ipynb: is not a notebook" in done.stderr
