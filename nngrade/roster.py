"""The class list: who should have submitted, so that nobody who sent nothing goes unnoticed.

``nngrade roster FILE`` reads the class list an LMS exports, or nbgrader's own student CSV:

- Canvas, Grades -> Export: columns ``Student`` ("Smith, John"), ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section`` (rows without an ``ID``, such as "Points Possible", are skipped);
- Moodle, "Download grading worksheet": ``Identifier`` ("Participant 1001"), ``Full name``;
- nbgrader's ``db student import`` format: ``id``, ``first_name``, ``last_name``, ``email``.

Each student gets the id the grader gives them when they submit through that LMS's zip
(``Wei_Zhang_1001``, ``smithjohn_124``; :mod:`nngrade.lms`), is added to nbgrader's gradebook, and
is kept in ``<course>/roster.json`` (names: never committed). From then on, every ``nngrade grade``
lists a student of the roster without a submission as ``missing``, in the terminal, the report,
the gradebook and ``grades.csv``, and with an empty grade in the LMS file.
"""

import csv
import json
import re
from pathlib import Path

FILE_NAME = "roster.json"


class RosterError(ValueError):
    """The class list is in no format the grader reads."""


def read(path):
    """``{student id: person}`` from a Canvas or Moodle export or an nbgrader student CSV."""
    from .lms import _clean

    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    columns = set(rows[0]) if rows else set()
    people = {}
    if {"Student", "ID"} <= columns:
        for row in rows:
            user = (row["ID"] or "").strip()
            if not user.isdigit():
                continue  # "Points Possible", "Student, Test"
            name = (row["Student"] or "").strip()
            login = re.sub(r"[^a-z0-9]", "", name.lower())  # Canvas's file names: "Smith, John" -> smithjohn
            people[f"{_clean(login)}_{user}"] = {
                "lms": "canvas", "id": user, "name": login, "display": name,
                "sis_user": row.get("SIS User ID") or "", "sis_login": row.get("SIS Login ID") or "",
                "section": row.get("Section") or ""}
    elif {"Identifier", "Full name"} <= columns:
        for row in rows:
            match = re.search(r"(\d+)\s*$", row["Identifier"] or "")
            if not match:
                continue
            name = (row["Full name"] or "").strip()
            people[f"{_clean(name)}_{match[1]}"] = {"lms": "moodle", "id": match[1], "name": name}
    elif "id" in columns:
        for row in rows:
            student = (row["id"] or "").strip()
            if student:
                people[student] = {"first_name": row.get("first_name") or None,
                                   "last_name": row.get("last_name") or None, "email": row.get("email") or None}
    else:
        raise RosterError(f"roster: {path} is not a Canvas gradebook export (Student, ID, ...), a Moodle grading "
                          f"worksheet (Identifier, Full name, ...) or an nbgrader student list (id, first_name, "
                          f"last_name, email); its columns are: {', '.join(sorted(columns)) or 'none'}")
    if not people:
        raise RosterError(f"roster: {path} lists no student")
    return people


def _first_and_last(person):
    """Names for nbgrader's gradebook: Canvas writes "Last, First", Moodle "First Last"."""
    if "first_name" in person:
        return person["first_name"], person["last_name"]
    if "display" in person and "," in person["display"]:
        last, first = (part.strip() for part in person["display"].split(",", 1))
        return first or None, last or None
    first, _, last = person.get("name", "").partition(" ")
    return first or None, last or None


def load(course_root):
    path = Path(course_root) / FILE_NAME
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def import_roster(course, path):
    """Add the students of ``path`` to the course's roster, its gradebook and the LMS register."""
    from nbgrader.api import Gradebook

    from . import lms

    people = read(path)
    roster = load(course.root)
    roster.update(people)
    (course.root / FILE_NAME).write_text(json.dumps(roster, indent=1, sort_keys=True, ensure_ascii=False),
                                         encoding="utf-8")
    with Gradebook(course.db_url) as gradebook:
        for student, person in people.items():
            first, last = _first_and_last(person)
            gradebook.update_or_create_student(student, first_name=first, last_name=last, email=person.get("email"))
    lms.remember_participants(course.submitted_dir(), {s: p for s, p in people.items() if "lms" in p})
    return people


def absent(course_root, submissions):
    """The students of the roster with no submission among ``submissions``, as missing submissions."""
    from .collect import Submission
    from .result import Flag

    found = {submission.student for submission in submissions}
    return [Submission(student, None, [Flag("missing", "notebook", "on the class roster; nothing was submitted")])
            for student in sorted(load(course_root)) if student not in found]
