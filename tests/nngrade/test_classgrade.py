"""Grading a class as a whole: one bad notebook never stops the others, and a broken environment
stops everything before anyone is graded wrong."""

import json

import nbformat
import pytest

from nngrade import demo
from nngrade.classgrade import SelfCheckFailed, grade_class
from nngrade.cli import main
from nngrade.course import Course
from nngrade.gradebook import scores
from nngrade.notebook import read_notebook

QUIET = {"progress": lambda *_: None}


def _write_raw(path, nb, edit):
    data = json.loads(nbformat.writes(nb))
    edit(data["cells"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def _scores(result):
    return {t.grade_id: t.points for t in result.tests}


MALFORMED = {
    "grade_id_list": lambda cells: cells.insert(0, {"cell_type": "markdown", "metadata": {
        "nbgrader": {"grade_id": ["x"], "solution": True, "grade": True, "points": 1}}, "source": "hello"}),
    "grade_id_dict": lambda cells: cells.insert(0, {"cell_type": "markdown", "metadata": {
        "nbgrader": {"grade_id": {"a": 1}}}, "source": "hello"}),
    "no_cell_type": lambda cells: cells.insert(2, {"metadata": {}, "source": "x = 1"}),
    "weird_cell_type": lambda cells: cells.insert(2, {"cell_type": "weird", "metadata": {}, "source": "x = 1"}),
}


def test_malformed_notebooks_are_graded_as_far_as_possible_and_the_class_is_recorded(toy_course, toy_source,
                                                                                    limits, full_marks):
    root = toy_course()
    solved = demo.solved(toy_source)
    submitted = root / "submitted"
    for student in ("aaa_good", "zzz_good"):
        demo.write(solved, submitted / student / "toy" / "toy.ipynb")
    for student, edit in MALFORMED.items():
        _write_raw(submitted / student / "toy" / "toy.ipynb", solved, edit)
    demo.write(solved, submitted / "bad_timestamp" / "toy" / "toy.ipynb")
    (submitted / "bad_timestamp" / "toy" / "timestamp.txt").write_text("next tuesday-ish \x00 garbage")
    demo.write(solved, submitted / "good_timestamp" / "toy" / "toy.ipynb")
    (submitted / "good_timestamp" / "toy" / "timestamp.txt").write_text("2026-03-01 10:00:00.000000 UTC")

    _, results = grade_class(Course(root), "toy", jobs=2, limits=limits, **QUIET)

    assert sorted(results) == sorted([*MALFORMED, "aaa_good", "zzz_good", "bad_timestamp", "good_timestamp"])
    course = Course(root)
    for student, result in results.items():
        assert _scores(result) == full_marks, (student, result)
        recorded = scores(course, "toy", student)
        assert {k: recorded[k] for k in full_marks} == full_marks, student  # every student is in the gradebook
        assert (root / "autograded" / student / "toy" / "toy.ipynb").exists()
    for student in MALFORMED:
        malformed = [f for f in results[student].flags if f.kind == "malformed"]
        assert malformed and not results[student].complete, results[student]
        assert "cell" in malformed[0].detail
    stamp = [f for f in results["bad_timestamp"].flags if f.kind == "malformed"]
    assert stamp and stamp[0].where == "timestamp.txt"
    assert results["aaa_good"].complete and results["good_timestamp"].complete
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        assert gradebook.find_submission("toy", "good_timestamp").timestamp.year == 2026


# -- the environment ---------------------------------------------------------------------------

def _course_needing_a_helper(tmp_path, monkeypatch, toy_course):
    """A course whose set-up cell imports a module the grader has but the sandbox does not."""
    root = toy_course()
    helpers = tmp_path / "helpers"
    helpers.mkdir()
    (helpers / "course_helper_gc.py").write_text("SCALE = 1\n")
    monkeypatch.syspath_prepend(str(helpers))
    source_path = root / "solutions" / "toy" / "toy.ipynb"
    source = read_notebook(source_path)
    setup = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    setup.source += "\nimport course_helper_gc"
    source_path.write_text(nbformat.writes(source))
    demo.write(demo.solved(source), root / "submitted" / "ada" / "toy" / "toy.ipynb")
    return root


def test_a_setup_cell_failing_in_the_sandbox_is_flagged_as_the_environment(tmp_path, monkeypatch, toy_course, limits):
    root = _course_needing_a_helper(tmp_path, monkeypatch, toy_course)
    _, results = grade_class(Course(root), "toy", jobs=1, limits=limits, self_check_first=False, **QUIET)
    result = results["ada"]
    environment = [f for f in result.flags if f.kind == "environment"]
    assert environment, result.flags
    assert "course_helper_gc" in environment[0].detail
    assert not result.complete


def test_grading_stops_before_anyone_when_the_reference_solution_fails(tmp_path, monkeypatch, capsys, toy_course,
                                                                      limits):
    root = _course_needing_a_helper(tmp_path, monkeypatch, toy_course)
    with pytest.raises(SelfCheckFailed, match="reference solution of toy scores"):
        grade_class(Course(root), "toy", jobs=1, limits=limits, **QUIET)
    assert not list((root / "nngrade-results" / "toy").glob("*.json"))
    assert not (root / "autograded").exists()
    code = main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--no-feedback", "--cell-timeout", "5"])
    assert code == 3
    err = capsys.readouterr().err
    assert "no submission was graded" in err and "environment" in err and "course_helper_gc" in err


def test_the_self_check_passes_silently_when_the_environment_is_sound(toy_course, toy_source, limits):
    root = toy_course({"ada": demo.solved(toy_source)})
    lines = []
    grade_class(Course(root), "toy", jobs=1, limits=limits, progress=lines.append)
    assert "Self-check: the reference solution scores 3/3 in the sandbox." in lines
