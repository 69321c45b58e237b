"""The exercise notebooks follow the course's conventions (ARCHITECTURE.md, "Exercises and grading").

Fast checks on the notebook files themselves; grading behaviour is tested in test_assignments.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = [
    "perceptron", "activations", "losses", "dense_layer",
    "gradient_descent", "backpropagation", "training_loop", "network_from_scratch", "keras_training", "capstone",
]
GRADE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def source(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def released(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def visible_entries(folder: Path) -> list[str]:
    """Names nbgrader would release: it skips hidden entries such as .ipynb_checkpoints."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__pycache__")


def test_every_assignment_has_exactly_one_notebook():
    # nbgrader copies every other file of solutions/<a>/ into the release: keep nothing else there.
    assert visible_entries(ROOT / "solutions") == sorted(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        assert visible_entries(ROOT / "solutions" / assignment) == [f"{assignment}.ipynb"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_is_valid_and_stored_without_outputs(assignment):
    nb = source(assignment)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} has outputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_first_cell_is_a_locked_setup_that_explains_a_missing_nnlib(assignment):
    first = [c for c in source(assignment).cells if c.cell_type == "code"][0]
    assert meta(first).get("locked") and not meta(first).get("solution") and not meta(first).get("grade")
    assert "import numpy as np" in first.source
    # A learner who downloaded the notebook from the site has no course folder: point to the Set up page.
    assert "nnlib is not installed" in first.source and "Set up" in first.source and "/setup/" in first.source
    assert "pip install -e ." not in first.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_cell_ids_and_grade_ids_are_stable_and_meaningful(assignment):
    nb = source(assignment)
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids))
    for cell in nb.cells:
        grade_id = meta(cell).get("grade_id")
        if meta(cell):
            assert grade_id and GRADE_ID.match(grade_id), f"bad grade_id {grade_id!r}"
            assert not re.fullmatch(r"cell-[0-9a-f]+", grade_id)
            assert cell.id == grade_id.replace("_", "-"), f"cell id {cell.id!r} is not derived from {grade_id!r}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_cells_hold_the_solution_inside_a_function(assignment):
    answers = [c for c in source(assignment).cells if c.cell_type == "code" and meta(c).get("solution")]
    assert answers
    for cell in answers:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        assert re.search(r"^    ### BEGIN SOLUTION", cell.source, re.M), f"{meta(cell)['grade_id']}: solution not inside a function body"
        assert re.search(r"^def ", cell.source, re.M)


def last_statement_is_not_a_value(code: str) -> bool:
    tree = ast.parse(code)
    last = tree.body[-1]
    if not isinstance(last, ast.Expr):
        return True
    call = last.value
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_are_locked_graded_with_points_shown_and_hidden_tests(assignment):
    nb = source(assignment)
    cells = nb.cells
    tests = [i for i, c in enumerate(cells) if c.cell_type == "code" and meta(c).get("grade")]
    assert tests
    for i in tests:
        cell, info = cells[i], meta(cells[i])
        points = info["points"]
        assert info["locked"] and not info["solution"] and points > 0
        above = cells[i - 1]
        assert above.cell_type == "markdown" and f"({points:g} point{'s' if points != 1 else ''})" in above.source, (
            f"{info['grade_id']}: the markdown above must state its points")
        assert cell.source.index("### BEGIN HIDDEN TESTS") < cell.source.index("### END HIDDEN TESTS")
        assert last_statement_is_not_a_value(cell.source), f"{info['grade_id']} ends with a value (it would become the score)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_hides_solutions_and_hidden_tests(assignment):
    nb = released(assignment)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    for cell in nb.cells:
        if meta(cell).get("grade") and cell.cell_type == "code":
            assert last_statement_is_not_a_value(cell.source)
        if meta(cell).get("solution") and cell.cell_type == "code":
            assert "raise NotImplementedError()" in cell.source
        if meta(cell).get("solution") and cell.cell_type == "markdown":
            assert cell.source.strip() == "YOUR ANSWER HERE"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_points_announced_in_the_introduction_match_the_cells(assignment):
    nb = source(assignment)
    code_points = sum(meta(c)["points"] for c in nb.cells if c.cell_type == "code" and meta(c).get("grade"))
    written_points = sum(meta(c)["points"] for c in nb.cells if c.cell_type == "markdown" and meta(c).get("grade"))
    intro = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    assert f"{code_points:g} for the code" in intro, f"the introduction should announce {code_points:g} points for the code"
    assert f"{written_points:g} for the written questions" in intro
    assert 1 <= sum(1 for c in nb.cells if c.cell_type == "markdown" and meta(c).get("grade")) <= 2


def test_instructor_guide_has_a_rubric_for_every_written_question():
    guide = (ROOT / "docs" / "instructors" / "assignments.md").read_text()
    for assignment in ASSIGNMENTS:
        nb = source(assignment)
        assert f"`{assignment}`" in guide
        for cell in nb.cells:
            info = meta(cell)
            if info.get("grade") and cell.cell_type == "markdown":
                assert f"`{info['grade_id']}`" in guide, f"no rubric for {assignment}/{info['grade_id']}"
            elif info.get("grade"):
                assert f"`{info['grade_id']}`" in guide, f"{assignment}/{info['grade_id']} is not listed in the guide"
