"""Writing nngrade's results where nbgrader expects them, so its own tools keep working.

The autograded notebook (``autograded/<student>/<a>/<a>.ipynb``) has the source's test cells (hidden
tests removed, so feedback never shows them) with the grader's verdict as their output, and the
learner's answers. nbgrader's own scoring rule then turns that notebook into gradebook scores:
a test cell with an error output scores 0, otherwise its points; written answers await the
formgrader (or score 0 with "No response." when left blank). ``generate_feedback``, ``export`` and the
formgrader read the gradebook and these notebooks as if ``nbgrader autograde`` had written them.

Learner text never reaches those pages as HTML: markdown and raw cells written by the learner are
sanitised with bleach (scripts, event handlers, styles and unknown tags become visible text), so a
learner cannot draw a fake score over their feedback or run code in the instructor's browser. Late
submissions get nbgrader's own ``AssignLatePenalties`` (with the course's plugin and due date).
"""

import copy
import functools
import os
import re
import warnings

import bleach
import nbformat
from nbgrader import utils
from nbgrader.api import Comment, Grade, Gradebook
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
    SaveCells,
)
from nbgrader.preprocessors.latesubmissions import AssignLatePenalties
from sqlalchemy.orm import joinedload

from . import extensions
from .notebook import NotebookError, cell_label, cell_source, nbgrader_meta, read_submission, strip_hidden_tests, _normalise


def _install_fast_alembic_head():
    """nbgrader asks a new gradebook's schema version from an ``alembic`` subprocess (seconds on a busy
    machine). Read the same head revision in-process from nbgrader's own migration scripts instead."""
    import functools

    import nbgrader
    import nbgrader.api
    from alembic.script import ScriptDirectory

    original = nbgrader.api.get_alembic_version

    @functools.lru_cache(maxsize=1)
    def head():
        try:
            folder = os.path.join(os.path.dirname(nbgrader.__file__), "alembic")
            heads = ScriptDirectory(folder).get_heads()
            if len(heads) == 1:
                return heads[0]
        except Exception:  # noqa: BLE001 (any problem: ask alembic the usual way)
            pass
        return original()

    nbgrader.api.get_alembic_version = head


_install_fast_alembic_head()


def processed_source(course, assignment, source_nb, notebook_name):
    """The source notebook as ``generate_assignment`` records it (solutions cleared, checksums set),
    also saving its grade cells in the gradebook."""
    nb = copy.deepcopy(source_nb)
    resources = {"nbgrader": {"assignment": assignment, "notebook": notebook_name, "db_url": course.db_url}}
    with Gradebook(course.db_url) as gradebook:
        gradebook.update_or_create_assignment(assignment)
    for kind in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums, SaveCells):
        nb, resources = kind(config=course.config).preprocess(nb, resources)
    return nb


# Formatting a learner may use in markdown; everything else (script, style, iframe, div, img with
# handlers, ...) is escaped and shows as text. No attributes at all: no onerror, no style overlays.
ALLOWED_TAGS = {"b", "i", "em", "strong", "code", "pre", "kbd", "sub", "sup", "br", "p", "ul", "ol", "li",
                "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
_UNSAFE_LINK = re.compile(r"(\]\(\s*<?|^\s*\[[^\]]*\]:\s*<?)\s*(?:javascript|vbscript|data|file):", re.I | re.M)


@functools.lru_cache(maxsize=4096)  # most of a class's text cells are the released notebook's, unchanged
def sanitise_markdown(source):
    """Learner markdown that renders as text and formatting only, never as active HTML."""
    cleaned = bleach.clean(source, tags=ALLOWED_TAGS, attributes={}, protocols=["http", "https", "mailto"],
                           strip=False, strip_comments=False)
    cleaned = _UNSAFE_LINK.sub(lambda m: m.group(1) + "blocked:", cleaned)
    return re.sub(r"^(\s*)&gt;", r"\1>", cleaned, flags=re.M)  # a markdown quote is text, not a tag


def _learner_cell(cell):
    """A cell the learner added: code keeps its source (shown as code, never run), text is sanitised,
    and nothing else of the learner's (outputs, attachments, metadata) reaches the page."""
    kind = cell.get("cell_type")
    if kind == "code":
        return _new_cell("code", cell_source(cell), outputs=[], execution_count=None)
    return _new_cell("markdown" if kind == "markdown" else "raw", sanitise_markdown(cell_source(cell)))


# Cells, outputs and the notebook are made as ``nbformat.v4.new_*`` makes them, but without each
# validating itself (a third of the time of recording a submission): the notebook is validated once,
# when it is written.
def _new_cell(kind, source, **fields):
    return nbformat.from_dict({"cell_type": kind, "source": source, "metadata": {}, **fields})


def _error_output(message):
    return nbformat.from_dict({"output_type": "error", "ename": "Failed", "evalue": message, "traceback": [message]})


def autograded_notebook(processed, submission_nb, result):
    """Merge the learner's answers into the source's structure, with the grader's verdicts."""
    by_id = {}
    for cell in processed.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id:
            by_id[grade_id] = cell
    tests = {item.grade_id: item for item in result.tests}
    released = {}
    for grade_id, cell in by_id.items():
        if grade_id in tests:
            released[_normalise(strip_hidden_tests(cell_source(cell)))] = grade_id
    errors = {}
    for item in result.cell_errors:
        errors.setdefault(item.cell, item.error)
    cells, used = [], set()
    for position, cell in enumerate(submission_nb.cells if submission_nb is not None else []):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id not in by_id and cell.get("cell_type") == "code":
            grade_id = released.get(_normalise(cell_source(cell)))
        if grade_id in by_id and grade_id not in used:
            used.add(grade_id)
            source_cell = by_id[grade_id]
            meta = nbgrader_meta(source_cell)
            new = copy.deepcopy(source_cell)
            if meta.get("solution"):
                new.source = cell_source(cell)
                if new.cell_type != "code":
                    new.source = sanitise_markdown(new.source)
        else:
            new = _learner_cell(cell)
        if new.cell_type == "code":
            new.outputs = []
            new.execution_count = None
            error = errors.get(cell_label(position))
            if error:
                new.outputs.append(nbformat.from_dict(
                    {"output_type": "stream", "name": "stdout", "text": f"When the grader ran this cell: {error}\n"}))
        cells.append(new)
    for grade_id, cell in by_id.items():  # cells the learner deleted come back from the source
        if grade_id not in used:
            cells.append(copy.deepcopy(cell))
    for cell in cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in tests and cell.cell_type == "code":
            cell.source = strip_hidden_tests(cell_source(cell))
            cell.outputs = [] if tests[grade_id].passed else [_error_output(tests[grade_id].message)]
    nb = nbformat.from_dict({"nbformat": 4, "nbformat_minor": nbformat.v4.nbformat_minor, "cells": cells,
                             "metadata": copy.deepcopy(processed.metadata)})
    seen = set()
    for index, cell in enumerate(nb.cells):  # deterministic ids: the same submission, the same file
        cell_id = re.sub(r"[^A-Za-z0-9_-]", "-", str(nbgrader_meta(cell).get("grade_id") or f"cell-{index}"))[:64]
        if cell_id in seen:
            cell_id = f"cell-{index}"
        seen.add(cell_id)
        cell["id"] = cell_id
    return nb


def record(course, assignment, notebook_name, student, processed, submission_nb, result, timestamp=None,
           gradebook=None, due=None):
    """Write the autograded notebook and the scores for one student.

    Scores follow nbgrader's own rules (``nbgrader.utils.determine_grade``, as its ``SaveAutoGrades``
    applies them): a test cell with an error output scores 0, otherwise its points; a written answer
    left as released scores 0 with the comment "No response.", otherwise it waits for manual grading.
    Then the late penalty, as ``nbgrader autograde`` assigns it (``AssignLatePenalties``).
    """
    nb = autograded_notebook(processed, submission_nb, result)
    path = course.autograded_path(student, assignment, notebook_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    own = gradebook is None
    gradebook = Gradebook(course.db_url) if own else gradebook
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's SQLAlchemy chatter
            gradebook.update_or_create_student(student)
            kwargs = {"timestamp": timestamp} if timestamp else {}
            submission = gradebook.update_or_create_submission(assignment, student, **kwargs)
            extensions.apply(gradebook, assignment, student, due)  # an extension: the student's own due date
            # One query for the notebook's grades and one for its comments, each with its cell (whose
            # name it has): not one per cell as nbgrader's find_grade and a lazy ``grade.name`` make it.
            submitted = gradebook.find_submission_notebook(notebook_name, assignment, student)
            grades = {grade.name: grade for grade in _with_cells(gradebook, Grade, submitted)}
            comments = {comment.name: comment for comment in _with_cells(gradebook, Comment, submitted)}
            for cell in nb.cells:
                if not (utils.is_grade(cell) or utils.is_solution(cell) or utils.is_task(cell)):
                    continue
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                if utils.is_grade(cell):
                    grade = grades[grade_id]
                    grade.auto_score, _ = utils.determine_grade(cell)
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                if utils.is_solution(cell) or utils.is_task(cell):
                    comment = comments[grade_id]
                    unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
                    comment.auto_comment = "No response." if unchanged and not utils.is_task(cell) else None
            submitted.late_submission_penalty = None  # what nbgrader's AssignLatePenalties sets on time
            late = submission.total_seconds_late > 0
            gradebook.db.commit()
    except Exception:
        gradebook.db.rollback()
        raise
    finally:
        if own:
            gradebook.close()
    if late:  # by nbgrader's own rule (its plugin), which opens a gradebook of its own: only when needed
        resources = {"nbgrader": {"notebook": notebook_name, "assignment": assignment, "student": student,
                                  "db_url": course.db_url}}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not in session.*")
            AssignLatePenalties(config=course.config).preprocess(nb, resources)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(nbformat.writes(nb), encoding="utf-8")
    os.replace(temporary, path)
    if timestamp:
        (path.parent / "timestamp.txt").write_text(str(timestamp))
    return path


def _with_cells(gradebook, kind, submitted):
    return gradebook.db.query(kind).options(joinedload(kind.cell)).filter(kind.notebook_id == submitted.id).all()


class Recorder:
    """Step 4 of grading a class: record verdicts one student at a time in one open gradebook."""

    def __init__(self, course, assignment, source_nb, notebook_name):
        self.course, self.assignment, self.notebook_name = course, assignment, notebook_name
        self.due = extensions.load(course.root, assignment)  # a bad file is the instructor's to fix: raised
        self.gradebook, self.problem = None, None
        try:
            self.processed = processed_source(course, assignment, source_nb, notebook_name)
            self.gradebook = Gradebook(course.db_url)
        except Exception as error:  # noqa: BLE001 (locked by another process, ...): judge, record nothing
            self.problem = f"the gradebook could not be opened: {type(error).__name__}: {str(error)[:300]}"

    def is_recorded(self, submission):
        """Recorded, and with the extension the course's file gives now (else it is recorded again)."""
        return (self.course.autograded_path(submission.student, self.assignment, self.notebook_name).exists()
                and (self.gradebook is None or extensions.is_current(self.gradebook, self.assignment,
                                                                     submission.student,
                                                                     self.due.get(submission.student))))

    def record(self, submission, result):
        """Record one verdict; True when written. A failure is flagged on the result (``not-recorded``)
        and the run goes on with the next student."""
        if self.problem is not None:
            result.flag("not-recorded", "gradebook", self.problem)
            return False
        submission_nb = None
        if submission.path is not None:
            try:
                submission_nb, _ = read_submission(submission.path)
            except NotebookError:
                submission_nb = None
        try:
            record(self.course, self.assignment, self.notebook_name, submission.student, self.processed,
                   submission_nb, result, submission.timestamp, gradebook=self.gradebook,
                   due=self.due.get(submission.student))
        except Exception as error:  # noqa: BLE001 (one student's record must not stop the class)
            result.flag("not-recorded", "gradebook", f"recording failed: {type(error).__name__}: {error}")
            return False
        return True

    def close(self):
        if self.gradebook is not None:
            self.gradebook.close()


def scores(course, assignment, student):
    """``{grade_id: auto_score}`` from the gradebook, for checking and reporting."""
    with Gradebook(course.db_url) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: grade.auto_score for notebook in submission.notebooks for grade in notebook.grades}

