"""Bookkeeping around the judging (issue 16, cases 1 and 11): odd folders and files, a locked
gradebook; one student's oddity never stops the class or goes unreported."""

import json
import sqlite3

from nngrade import collect, demo
from nngrade.classgrade import grade_class
from nngrade.cli import main
from nngrade.course import Course


def _grade(root, limits):
    return grade_class(Course(root), "toy", jobs=1, limits=limits, progress=lambda *_: None)[1]


def test_a_second_notebook_in_submitted_is_flagged_and_the_expected_one_graded(toy_course, toy_source, limits,
                                                                              full_marks):
    root = toy_course({"ann": demo.solved(toy_source)})
    demo.write(demo.released(toy_source), root / "submitted" / "ann" / "toy" / "toy-final.ipynb")
    result = _grade(root, limits)["ann"]
    assert {t.grade_id: t.points for t in result.tests} == full_marks
    assert result.kinds() == ["extra-files"] and "toy-final.ipynb" in result.flags[0].detail


def test_a_notebook_in_submitted_is_size_capped_like_one_from_a_zip(toy_course, toy_source, limits, monkeypatch):
    monkeypatch.setattr(collect, "MAX_NOTEBOOK_BYTES", 20_000)
    big = demo.with_cell(demo.solved(toy_source), "# " + "x" * 30_000)
    root = toy_course({"big": big, "small": demo.solved(toy_source)})
    results = _grade(root, limits)
    assert results["big"].kinds() == ["missing", "skipped-file"] and results["big"].score == 0
    assert results["small"].score == 3


def test_a_student_id_too_long_for_a_file_name_is_graded(toy_course, toy_source, limits):
    student = "a" + "L" * 252
    root = toy_course({student: demo.solved(toy_source), "zz": demo.solved(toy_source)})
    results = _grade(root, limits)
    assert results[student].score == 3 and results["zz"].score == 3
    stored = [json.loads(p.read_text())["student"] for p in (root / "nngrade-results" / "toy").glob("*.json")]
    assert sorted(stored) == sorted([student, "zz"])
    assert _grade(root, limits)[student].score == 3  # and found again in the cache


def test_a_locked_gradebook_gives_not_recorded_and_the_next_run_records(toy_course, toy_source, limits):
    root = toy_course({"ann": demo.solved(toy_source)})
    from nbgrader.api import Gradebook

    with Gradebook(Course(root).db_url):
        pass  # the gradebook exists, as in a course under way
    holder = sqlite3.connect(root / "gradebook.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = _grade(root, limits)["ann"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.kinds() == ["not-recorded"] and "locked" in result.flags[0].detail
    assert not list((root / "nngrade-results" / "toy").glob("*.json"))  # not cached: judged again
    again = _grade(root, limits)["ann"]
    assert again.complete and again.score == 3


def test_a_newline_in_a_student_folder_stops_nobody_s_feedback(toy_course, toy_source, capsys):
    root = toy_course({"new\nline": demo.solved(toy_source), "ok": demo.solved(toy_source),
                       "zz": demo.released(toy_source)})
    code = main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--cell-timeout", "5",
                 "--call-timeout", "5"])
    captured = capsys.readouterr()
    assert (root / "feedback" / "ok" / "toy" / "toy.html").exists()
    assert (root / "feedback" / "zz" / "toy" / "toy.html").exists()
    assert code == 2 and "no feedback for 1 student id(s) with control characters" in captured.err
