"""Step 5 of grading a class: publish what step 4 recorded.

After the gradebook holds every verdict (:func:`nngrade.classgrade.grade_class`), the instructor gets:

- the class report (:mod:`nngrade.report`), one HTML page;
- each learner's feedback (``nbgrader generate_feedback``) and ``grades.csv`` (``nbgrader export``);
- one grade CSV per LMS the submissions came from (:mod:`nngrade.lms`), with the gradebook's totals;
- the students of the gradebook who sent nothing.

Nothing here judges or records: a failure (nbgrader could not write feedback) is reported in
:attr:`Published.problems` and the command's exit status, and the verdicts stay as recorded.
"""

from dataclasses import dataclass, field
from pathlib import Path

from . import lms, report


@dataclass
class Published:
    report: Path
    feedback: Path | None = None  # the feedback folder, when feedback was written
    grades: Path | None = None  # grades.csv, when nbgrader exported it
    lms_files: list = field(default_factory=list)
    absent: list = field(default_factory=list)  # gradebook students with no submission
    problems: list = field(default_factory=list)  # what could not be published, one sentence each


def publish(course, assignment, spec, results, submitted_dir=None, feedback=True, lms_column=None):
    """Write the report, feedback, grades and LMS files for ``results`` (``{student: result}``)."""
    published = Published(report=report.write(course.report_path(assignment), spec, results))
    if feedback and results:
        _feedback_and_export(course, assignment, results, published)
    submitted = Path(submitted_dir) if submitted_dir else course.submitted_dir()
    published.lms_files = _write_lms_grades(course, assignment, spec, results, submitted, lms_column)
    published.absent = _students_without_submission(course, assignment, results)
    return published


def _feedback_and_export(course, assignment, results, published):
    # nbgrader stops at the first student folder whose name it cannot match (a newline in a
    # hand-made folder name), and then nobody gets feedback: such folders are set aside (a dot
    # name, which nbgrader does not list) while it runs, and reported.
    unusable = sorted(s for s in results if not s.isprintable())
    autograded = course.root / course.autograded_directory
    aside = {}
    for number, student in enumerate(unusable):
        if (autograded / student).is_dir():
            aside[student] = autograded / f".nngrade-aside-{number}"
            (autograded / student).rename(aside[student])
    if unusable:
        published.problems.append(f"no feedback for {len(unusable)} student id(s) with control characters "
                                  "in the folder name; rename the folder(s) and grade again")
    try:
        done = course.run_nbgrader("generate_feedback", assignment, "--force")
    finally:
        for student, folder in aside.items():
            folder.rename(autograded / student)
    if done.returncode == 0:
        published.feedback = course.root / "feedback"
    else:
        published.problems.append("nbgrader generate_feedback failed:\n" + done.stderr[-2000:])
    exported = course.run_nbgrader("export")
    if exported.returncode == 0:
        published.grades = course.root / "grades.csv"
    else:
        published.problems.append("nbgrader export failed:\n" + exported.stderr[-2000:])


def _write_lms_grades(course, assignment, spec, results, submitted, column):
    """Beside grades.csv: one CSV per LMS the submissions came from, with the gradebook's totals
    (autograded, manual and late penalty, as ``nbgrader export`` computes them)."""
    from nbgrader.api import Gradebook, MissingEntry

    people = lms.participants(submitted)
    if not people:
        return []
    totals = {}
    with Gradebook(course.db_url) as gradebook:
        for student in results:
            if student not in people:
                continue
            try:
                totals[student] = gradebook.find_submission(assignment, student).score
            except MissingEntry:
                continue
    maximum = spec.auto_points + spec.manual_points
    return [lms.write_grades(course.root / f"grades-{kind}-{assignment}.csv", assignment, totals, maximum,
                             people, kind, column=column)
            for kind in sorted({person["lms"] for person in people.values()})]


def _students_without_submission(course, assignment, results):
    from nbgrader.api import Gradebook, MissingEntry

    absent = []
    with Gradebook(course.db_url) as gradebook:
        for student in gradebook.students:
            if student.id in results:
                continue
            try:
                gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                absent.append(student.id)
    return sorted(absent)
