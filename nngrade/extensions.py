"""Extensions: a new due date for some students, which the late penalty honours.

The course keeps one file, ``extensions.csv`` in the course folder (names and dates: never committed),
with a header and one row per extension::

    student,assignment,due
    Wei_Zhang_1001,activations,2026-03-08 12:00:00 UTC
    ada,perceptron,2026-03-03 09:00 Europe/Paris

``student`` is the id the grader uses (the folder name in ``submitted/``, or the id made from an LMS
zip); ``due`` is read as nbgrader reads its due dates (a time zone name or offset, or UTC).
While a submission is recorded, nbgrader's own per-submission extension (the gradebook's
``extension``, which nbgrader's ``AssignLatePenalties`` and ``export`` already honour) is set to the
difference between that date and the assignment's due date, so the penalty is computed as nbgrader
always does, from the new date. A student without a row keeps the class's due date; a row removed
takes the extension away at the next ``nngrade grade``.
"""

import csv
from pathlib import Path

FILE_NAME = "extensions.csv"


class ExtensionError(ValueError):
    """The extensions file cannot be read as it must be."""


def load(course_root, assignment):
    """``{student: due datetime (UTC, naive)}`` for ``assignment`` from ``<course>/extensions.csv``."""
    from nbgrader.utils import parse_utc

    path = Path(course_root) / FILE_NAME
    if not path.exists():
        return {}
    due = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"student", "assignment", "due"} - set(reader.fieldnames or [])
        if missing:
            raise ExtensionError(f"extensions: {path} needs the columns student, assignment, due "
                                 f"(missing: {', '.join(sorted(missing))}; found: {', '.join(reader.fieldnames or [])})")
        for line, row in enumerate(reader, start=2):
            if (row["assignment"] or "").strip() != assignment:
                continue
            student = (row["student"] or "").strip()
            try:
                date = parse_utc((row["due"] or "").strip())
            except (ValueError, OverflowError):
                date = None
            if not student or date is None:
                raise ExtensionError(f"extensions: {path}, line {line}: expected a student id and a due date "
                                     f"such as 2026-03-08 12:00:00 UTC, got student={row['student']!r}, "
                                     f"due={row['due']!r}")
            if student in due and due[student] != date:
                raise ExtensionError(f"extensions: {path}, line {line}: a second, different due date for "
                                     f"{student} in {assignment}")
            due[student] = date
    return due


def _extension(submission, due):
    deadline = submission.assignment.duedate
    return None if due is None or deadline is None else due - deadline


def is_current(gradebook, assignment, student, due):
    """Whether the gradebook already holds this student's extension (False: record them again)."""
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return False
    return submission.extension == _extension(submission, due)


def apply(gradebook, assignment, student, due):
    """Set the student's extension in the gradebook so that their due date is ``due`` (None: no
    extension). The assignment must have a due date for an extension to mean anything."""
    submission = gradebook.find_submission(assignment, student)
    submission.extension = _extension(submission, due)
