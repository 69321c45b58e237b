"""The exercises grade as intended: the solution earns every autograded point, the untouched release
earns none (without breaking the grader), and each realistic wrong answer loses exactly the points of
the parts it gets wrong, with feedback that names the mistake."""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("exercise_harness", Path(__file__).with_name("conftest.py"))
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

WRONG = harness.load_wrong_answers()
# One autograde run per assignment serves all its tests; with pytest-xdist, `--dist loadgroup` keeps
# each assignment's tests on one worker so that no run is repeated.
ASSIGNMENTS = [pytest.param(a, id=a, marks=pytest.mark.xdist_group(a)) for a in harness.ASSIGNMENTS]
WRONG_CASES = [
    pytest.param(a, i, id=f"{a}-{case.grade_id}-{i}", marks=pytest.mark.xdist_group(a))
    for a in harness.ASSIGNMENTS
    for i, case in enumerate(WRONG.get(a, []))
]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_earns_every_autograded_point(graded_assignment, assignment):
    graded = graded_assignment(assignment)
    scores = graded.scores["solution"]
    assert scores, "the gradebook holds no autograded cells"
    lost = {cell: score for cell, score in scores.items() if score[0] != score[1]}
    messages = {cell: graded.messages["solution"].get(cell) for cell in lost}
    assert not lost, f"the solution loses points: {lost}\n{messages}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_earns_nothing(graded_assignment, assignment):
    graded = graded_assignment(assignment)
    scores = graded.scores["released"]
    assert scores and set(scores) == set(graded.scores["solution"])
    earned = {cell: score for cell, score in scores.items() if score[0] != 0}
    assert not earned, f"the unanswered notebook earns points: {earned}"
    for cell, message in graded.messages["released"].items():
        if cell in scores:
            assert "NotImplementedError" in message, f"{cell}: expected the stub's NotImplementedError, got {message!r}"


@pytest.mark.parametrize("assignment", harness.ASSIGNMENTS)
def test_every_assignment_has_three_wrong_answers(assignment):
    assert len(WRONG.get(assignment, [])) >= 3


@pytest.mark.parametrize("assignment, index", WRONG_CASES)
def test_wrong_answer_loses_exactly_its_parts(graded_assignment, assignment, index):
    case = WRONG[assignment][index]
    graded = graded_assignment(assignment)
    student = f"wrong{index:02d}"
    scores = graded.scores[student]
    unknown = set(case.lost) - set(scores)
    assert not unknown, f"wrong_answers.py names test cells that do not exist: {unknown}"
    for cell, (score, max_score) in scores.items():
        if cell in case.lost:
            assert score == 0, f"{cell} should score 0 for this wrong answer, scored {score}/{max_score}"
        else:
            assert score == max_score, (
                f"{cell} should keep its {max_score} points, scored {score}: {graded.messages[student].get(cell)}"
            )
    for cell in case.lost:
        message = graded.messages[student][cell]
        assert case.message in message, f"{cell}: expected feedback containing {case.message!r}, got {message!r}"
    feedback = html.unescape(harness.feedback_html(graded, assignment, student))
    assert case.message in feedback, "the feedback HTML does not show the message"
