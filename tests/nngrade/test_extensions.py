"""Extensions: a student's own due date, honoured by the late penalty as nbgrader computes it
(nbgrader issue #660)."""

import pytest

from nngrade.cli import main
from nngrade.extensions import FILE_NAME, ExtensionError, load

from .test_gradebook import STAMPS, _late_course, _late_numbers

GRADE = ["grade", "toy", "--jobs", "1", "--cell-timeout", "5", "--no-feedback"]


@pytest.mark.slow
def test_an_extension_moves_the_students_due_date_and_its_removal_moves_it_back(toy_course, toy_source):
    course = _late_course(toy_course, toy_source, "course")
    (course.root / FILE_NAME).write_text(
        "student,assignment,due\n"
        "days_late,toy,2026-03-05 12:00:00 UTC\n"        # submitted 03-04 12:00: now on time
        "hour_late,toy,2026-03-01 13:30:00 Europe/Paris\n"  # = 12:30 UTC, the very time it came in
        "ontime,perceptron,2026-01-01 00:00:00 UTC\n")    # another assignment's row changes nothing here
    assert main([*GRADE, "--course-dir", str(course.root)]) == 0
    numbers = _late_numbers(course)
    assert numbers["days_late"] == (3.0, 0.0) and numbers["hour_late"] == (3.0, 0.0)
    assert numbers["ontime"] == (3.0, 0.0) and numbers["partial_late"][1] == 1.0  # no extension: 1.5 h late
    (course.root / FILE_NAME).write_text("student,assignment,due\n")
    assert main([*GRADE, "--course-dir", str(course.root)]) == 0
    numbers = _late_numbers(course)
    assert numbers["days_late"][1] == 3.0 and numbers["hour_late"][1] == 0.5  # 36.5, capped at the score
    assert set(numbers) == set(STAMPS)
    (course.root / FILE_NAME).write_text("student,assignment,due\ndays_late,toy,2026-03-05 12:00:00 UTC\n")
    assert main([*GRADE, "--course-dir", str(course.root)]) == 0
    assert _late_numbers(course)["days_late"] == (3.0, 0.0)  # on time again: the old penalty is gone


@pytest.mark.parametrize("text, message", [
    ("student,due\nada,2026-03-01\n", "needs the columns student, assignment, due"),
    ("student,assignment,due\nada,toy,next tuesday\n", "line 2"),
    ("student,assignment,due\nada,toy,2026-03-01\nada,toy,2026-03-02\n", "a second, different due date"),
])
def test_a_bad_extensions_file_is_named_with_its_line(tmp_path, text, message):
    (tmp_path / FILE_NAME).write_text(text)
    with pytest.raises(ExtensionError, match=message):
        load(tmp_path, "toy")


def test_no_file_no_extension(tmp_path):
    assert load(tmp_path, "toy") == {}
