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

from . import lms, offline_math, report, similarity


@dataclass
class Published:
    report: Path
    feedback: Path | None = None  # the feedback folder, when feedback was written
    grades: Path | None = None  # grades.csv, when nbgrader exported it
    lms_files: list = field(default_factory=list)
    lms_left_empty: list = field(default_factory=list)  # students whose LMS grade cell is left empty
    feedback_zips: list = field(default_factory=list)  # the LMSs' "upload feedback files" zips
    absent: list = field(default_factory=list)  # gradebook students with no submission
    problems: list = field(default_factory=list)  # what could not be published, one sentence each


def publish(course, assignment, spec, results, submitted_dir=None, feedback=True, lms_column=None,
            lms_points=None):
    """Write the report, feedback, grades and LMS files for ``results`` (``{student: result}``).

    ``lms_points`` rescales the LMS files' grades to an LMS assignment worth that many points."""
    pairs = similarity.compare(*similarity.class_codes(course, assignment, submitted_dir)[1:])
    published = Published(report=report.write(
        course.report_path(assignment), spec, results, [similarity.render_section(pairs)],
        cells=_flagged_cells(course, assignment, spec, results, submitted_dir),
        totals_from_gradebook=_gradebook_totals(course, assignment, results)))
    if feedback and results:
        _feedback_and_export(course, assignment, results, published)
    submitted = Path(submitted_dir) if submitted_dir else course.submitted_dir()
    published.lms_files = _write_lms_grades(course, assignment, spec, results, submitted, lms_column, lms_points)
    people = lms.participants(submitted)
    published.lms_left_empty = sorted(s for s, r in results.items() if s in people and not r.complete)
    if published.feedback:
        for kind in sorted({person["lms"] for person in people.values()}):
            path, _ = lms.write_feedback_zip(course.root / f"feedback-{kind}-{assignment}.zip", kind, people,
                                             published.feedback, assignment)
            published.feedback_zips.append(path)
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
        offline_math.rewrite_feedback(published.feedback, assignment)
    else:
        published.problems.append("nbgrader generate_feedback failed:\n" + done.stderr[-2000:])
    exported = course.run_nbgrader("export")
    if exported.returncode == 0:
        published.grades = course.root / "grades.csv"
    else:
        published.problems.append("nbgrader export failed:\n" + exported.stderr[-2000:])


def _write_lms_grades(course, assignment, spec, results, submitted, column, points=None):
    """Beside grades.csv: one CSV per LMS the submissions came from, with the gradebook's totals
    (autograded, manual and late penalty, as ``nbgrader export`` computes them); empty for a
    submission not graded fully, so that uploading never turns "could not grade" into 0."""
    from nbgrader.api import Gradebook, MissingEntry

    people = lms.participants(submitted)
    if not people:
        return []
    totals = {}
    with Gradebook(course.db_url) as gradebook:
        for student, result in results.items():
            if student not in people:
                continue
            try:
                score = gradebook.find_submission(assignment, student).score
            except MissingEntry:
                score = None
            totals[student] = score if result.complete else None
    maximum = spec.auto_points + spec.manual_points
    return [lms.write_grades(course.root / f"grades-{kind}-{assignment}.csv", assignment, totals, maximum,
                             people, kind, column=column, out_of=points)
            for kind in sorted({person["lms"] for person in people.values()})]


def _flagged_cells(course, assignment, spec, results, submitted_dir):
    """``{student: {"cell 5": source}}`` for every cell a flag names: the code that raised it."""
    from .collect import find_submissions
    from .notebook import NotebookError, cell_label, cell_source, read_submission

    wanted = {s: {f.where for f in r.flags if f.where.startswith("cell ")} for s, r in results.items()}
    cells = {}
    folder = Path(submitted_dir) if submitted_dir else course.submitted_dir()
    for submission in find_submissions(folder, assignment, spec.notebook_name):
        if not wanted.get(submission.student) or submission.path is None:
            continue
        try:
            nb, _ = read_submission(submission.path)
        except NotebookError:
            continue
        cells[submission.student] = {cell_label(i): cell_source(c) for i, c in enumerate(nb.cells)
                                     if cell_label(i) in wanted[submission.student]}
    return cells


def _gradebook_totals(course, assignment, results):
    """``{student: (written points, late penalty, total)}`` as the gradebook holds them now."""
    from nbgrader.api import Gradebook, MissingEntry

    totals = {}
    try:
        with Gradebook(course.db_url) as gradebook:
            for student in results:
                try:
                    submission = gradebook.find_submission(assignment, student)
                except MissingEntry:
                    continue
                written = sum(g.score for n in submission.notebooks for g in n.grades
                              if g.cell.cell_type == "markdown")
                totals[student] = (written, submission.late_submission_penalty, submission.score)
    except Exception:  # noqa: BLE001 (a locked gradebook: the report goes without these columns)
        return {}
    return totals


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
