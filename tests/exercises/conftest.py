"""Grading harness for the exercise tests: release and autograde in a temporary course folder.

Nothing here writes inside the repository: every nbgrader run happens in a fresh course folder under
pytest's tmp_path, holding a copy of nbgrader_config.py and one assignment's source, so that the
gradebook and the submitted/autograded/feedback folders never land in the repo.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV, TEST_SECRET = "NNGRADE_SECRET", "5e" * 32
ASSIGNMENTS = [
    "perceptron",
    "activations",
    "losses",
    "dense_layer",
    "gradient_descent",
    "backpropagation",
    "training_loop",
    "keras_training",
    "capstone",
]


def load_wrong_answers() -> dict:
    """The catalogue of realistic wrong submissions (tests/exercises/wrong_answers.py)."""
    spec = importlib.util.spec_from_file_location("wrong_answers", Path(__file__).with_name("wrong_answers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS


def nbgrader_env() -> dict:
    env = dict(os.environ)
    # nbgrader calls `alembic` by name, and kernels must be this environment's Python (with nnlib).
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("KERAS_BACKEND", "jax")
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    # The hidden tests of keras_training and capstone draw their data from the course's secret
    # (nngrade.secret.hidden_rng); a fixed one here makes every test run see the same hidden data.
    env[SECRET_ENV] = TEST_SECRET
    return env


def run_nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def new_course(tmp: Path, assignment: str) -> Path:
    """A course folder holding the config and one assignment's source, nothing else."""
    course = tmp / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    return course


def solution_notebook(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def with_answer(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose answer cell ``grade_id`` holds ``source`` instead."""
    nb = copy.deepcopy(nb)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(cells) == 1, f"no single cell with grade_id {grade_id!r}"
    assert cells[0].metadata["nbgrader"]["solution"], f"{grade_id!r} is not an answer cell"
    cells[0].source = source
    return nb


class Graded:
    """Results of one autograde run: scores and error messages per student and test cell."""

    def __init__(self, course: Path, assignment: str, students: list[str]):
        from nbgrader.api import Gradebook

        self.course = course
        self.scores: dict[str, dict[str, tuple[float, float]]] = {}
        self.messages: dict[str, dict[str, str]] = {}
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            for student in students:
                submission = gradebook.find_submission_notebook(assignment, assignment, student)
                self.scores[student] = {
                    g.name: (g.auto_score, g.max_score) for g in submission.grades if g.cell_type == "code"
                }
        for student in students:
            path = course / "autograded" / student / assignment / f"{assignment}.ipynb"
            nb = nbformat.read(path, as_version=4)
            self.messages[student] = {}
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if cell.cell_type != "code" or not grade_id:
                    continue
                texts = []
                for output in cell.get("outputs", []):
                    if output.output_type == "error":
                        texts.append(f"{output.ename}: {output.evalue}")
                    elif output.output_type == "stream" and output.name == "stderr":
                        texts.append("stderr: " + output.text)
                self.messages[student][grade_id] = "\n".join(texts)


def autograde(tmp: Path, assignment: str, submissions: dict[str, nbformat.NotebookNode], feedback: bool = False) -> Graded:
    """Release ``assignment`` in a fresh course folder, submit every notebook, autograde them all at once.

    A submission given as ``None`` is the released notebook, unchanged.
    """
    course = new_course(tmp, assignment)
    run_nbgrader(course, "generate_assignment", assignment, "--force")
    for student, nb in submissions.items():
        nb = released_notebook(course, assignment) if nb is None else nb
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
    # Exit status 1 only means that some notebook could not be graded; check each one instead.
    result = run_nbgrader(course, "autograde", assignment, check=False)
    for student in submissions:
        graded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
        if not graded.exists():
            # nbgrader gives up on a notebook whose kernel fails to start (seen on an overloaded
            # machine); grade that one again once before reporting nbgrader's own output.
            result = run_nbgrader(course, "autograde", assignment, "--student", student, "--force", check=False)
        assert graded.exists(), (
            f"nbgrader produced no autograded notebook for {student}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    if feedback:
        run_nbgrader(course, "generate_feedback", assignment)
    return Graded(course, assignment, list(submissions))


def released_notebook(course: Path, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)


@pytest.fixture(scope="session")
def wrong_answers() -> dict:
    return load_wrong_answers()


_graded_cache: dict[str, Graded] = {}


@pytest.fixture(scope="session")
def graded_assignment(tmp_path_factory, wrong_answers):
    """Autograde, once per assignment and session: the solution, the untouched release, every wrong answer."""

    def grade(assignment: str) -> Graded:
        if assignment not in _graded_cache:
            tmp = tmp_path_factory.mktemp(assignment)
            solution = solution_notebook(assignment)
            submissions = {"solution": solution, "released": None}  # None: the untouched release
            for index, case in enumerate(wrong_answers.get(assignment, [])):
                submissions[f"wrong{index:02d}"] = with_answer(solution, case.grade_id, case.source)
            _graded_cache[assignment] = autograde(tmp, assignment, submissions, feedback=True)
        return _graded_cache[assignment]

    return grade


def feedback_html(graded: Graded, assignment: str, student: str) -> str:
    path = graded.course / "feedback" / student / assignment / f"{assignment}.html"
    return path.read_text()


