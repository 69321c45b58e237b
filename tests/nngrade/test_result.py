"""The grading result is a typed object: completeness follows from its flags, and it survives the
JSON round trip of the results cache unchanged."""

import json

from nngrade.notebook import AssignmentSpec
from nngrade.notebook import TestCell as Cell
from nngrade.result import INCOMPLETE, CellError, Flag, SubmissionResult, TestResult


def _result():
    return SubmissionResult(
        tests=[TestResult("a", 1.0, 1.0, True), TestResult("b", 2.0, 0.0, False, "AssertionError: no")],
        flags=[Flag("tampering", "cell 3", "replaces a library attribute")],
        cell_errors=[CellError("cell 5", "NameError: x")], restarts=1, isolation="full")


def test_the_json_form_round_trips():
    result = _result()
    stored = json.loads(json.dumps(result.to_dict()))
    assert SubmissionResult.from_dict(stored) == result
    assert stored["complete"] is True and stored["tests"][1]["message"] == "AssertionError: no"


def test_complete_is_derived_from_the_flags():
    result = _result()
    assert result.complete and result.score == 1.0 and result.max_score == 3.0
    for kind in INCOMPLETE:
        flagged = _result()
        flagged.flag(kind, "notebook", "something")
        assert not flagged.complete, kind
    assert "environment" in INCOMPLETE


def test_a_flag_noticed_twice_is_one_flag_and_collection_notes_come_first():
    result = _result()
    result.flag("tampering", "cell 3", "replaces a library attribute")
    result.flag("renamed", "notebook", "toy (1).ipynb", first=True)
    assert [f.kind for f in result.flags] == ["renamed", "tampering"]


def test_an_empty_result_scores_nothing_and_says_why():
    spec = AssignmentSpec("demo", "demo", [], [Cell("a", 1.0, "", "", 0, []), Cell("b", 2.0, "", "", 1, [])],
                          set(), 0.0)
    result = SubmissionResult.empty(spec, "no notebook was submitted", "missing")
    assert result.score == 0 and [t.max_points for t in result.tests] == [1.0, 2.0]
    assert not result.complete and result.tests[0].message == "not graded: no notebook was submitted"
    assert "grader_failed" not in result.to_dict()
