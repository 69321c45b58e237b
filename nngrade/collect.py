"""Step 1 of grading a class: find every submission, and what was odd about it.

Submissions are laid out as nbgrader does: ``submitted/<student>/<assignment>/<notebook>.ipynb``
(an LMS zip is first unpacked into that layout by :mod:`nngrade.lms`). Nothing here reads a
notebook's cells; that is the judge's work. What is noticed here (a renamed notebook, a file skipped
from the zip, an unreadable ``timestamp.txt``) travels with the submission as flags.
"""

import dataclasses
import datetime
from pathlib import Path

from nbgrader import utils

from .lms import MAX_NOTEBOOK_BYTES, OTHER_FILES
from .result import Flag


@dataclasses.dataclass
class Submission:
    student: str
    path: Path | None  # the notebook to grade, None when missing
    notes: list = dataclasses.field(default_factory=list)  # of Flag, noticed while collecting
    timestamp: datetime.datetime | None = None  # when it was submitted (timestamp.txt), UTC


def find_submissions(folder, assignment, notebook_name, zip_notes=None):
    """Every submission of ``assignment`` under ``folder``, sorted by student.

    ``zip_notes`` (``{student: [Flag]}`` from unpacking an LMS zip) are attached to their student; a
    student who appears only there (every file of theirs was skipped) is a missing submission, so
    nobody disappears from the results.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions: {folder} is not a folder (expected <student>/{assignment}/...)")
    zip_notes = dict(zip_notes or {})
    found = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        submission = _submission(student_dir, assignment, notebook_name)
        if submission is None:
            continue  # this student did not submit this assignment at all
        submission.notes = zip_notes.pop(submission.student, []) + submission.notes
        found.append(submission)
    for student, notes in zip_notes.items():
        found.append(Submission(student, None, notes + [Flag("missing", "notebook", "no notebook could be used")]))
    return sorted(found, key=lambda s: s.student)


def _submission(student_dir, assignment, notebook_name):
    assignment_dir = student_dir / assignment
    if not assignment_dir.is_dir():
        return None
    expected = assignment_dir / f"{notebook_name}.ipynb"
    timestamp, notes = read_timestamp(assignment_dir)
    others = sorted(assignment_dir.glob("*.ipynb"))
    if not others:
        kept = sorted(p.name for p in (assignment_dir / OTHER_FILES).glob("*"))
        detail = f"no notebook in {assignment_dir.name}/"
        if kept:
            detail += f"; the student sent only {', '.join(kept[:10])} (in {assignment_dir.name}/{OTHER_FILES}/)"
        notes.append(Flag("missing", "notebook", detail))
        return Submission(student_dir.name, None, notes, timestamp)
    if expected in others:
        chosen = expected
    else:
        named = [p for p in others if notebook_name.lower() in p.stem.lower()]
        chosen = (named or others)[0]
        notes.append(Flag("renamed", "notebook",
                          f"notebook named {chosen.name[:200]} instead of {notebook_name}.ipynb; graded anyway"))
    if len(others) > 1:  # as from a zip: the instructor decides whether the other one counts
        names = ", ".join(p.name[:100] for p in others)
        notes.append(Flag("extra-files", "notebook", f"several notebooks submitted ({names}); graded {chosen.name[:100]}"))
    size = chosen.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:  # the same cap as a notebook unpacked from an LMS zip
        notes.append(Flag("skipped-file", "notebook", f"{chosen.name[:200]}: {size / 2**20:.0f} MB, larger than "
                          f"the {MAX_NOTEBOOK_BYTES >> 20} MB allowed for a notebook; not graded"))
        notes.append(Flag("missing", "notebook", "no notebook could be used"))
        return Submission(student_dir.name, None, notes, timestamp)
    return Submission(student_dir.name, chosen, notes, timestamp)


def read_timestamp(folder):
    """``(datetime or None, [Flag])`` from ``folder/timestamp.txt``, parsed as nbgrader does."""
    stamp = Path(folder) / "timestamp.txt"
    if not stamp.exists():
        return None, []
    try:
        text = stamp.read_text(encoding="utf-8", errors="replace").strip()
        if not text:
            return None, []
        return utils.parse_utc(text), []
    except (OSError, ValueError, OverflowError) as error:
        detail = f"timestamp.txt is not a date ({type(error).__name__}); recorded without a submission time"
        return None, [Flag("malformed", "timestamp.txt", detail)]
