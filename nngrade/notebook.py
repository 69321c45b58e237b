"""Reading nbgrader notebooks: which cells are answers, tests and instructor code, and their points.

The grader learns what to test from the SOURCE notebook (``solutions/<a>/<a>.ipynb``), never from a
submission: a submission only contributes the code of its non-test cells.
"""

import ast
import copy
import dataclasses
import json
import re
import warnings
from pathlib import Path

import nbformat

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


class NotebookError(ValueError):
    """A notebook file that cannot be read as a Jupyter notebook."""



def cell_label(position):
    """How a cell is named to people: counted from 1, as JupyterLab numbers them."""
    return f"cell {position + 1}"

def read_notebook(path):
    """Read ``path`` as a notebook; raise :class:`NotebookError` naming the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookError(f"{path.name}: cannot be read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"{path.name}: is not a notebook (invalid JSON: {error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{path.name}: is not a notebook (no list of cells)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's notes about missing cell ids: not the learner's problem
            return nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001 (nbformat raises several kinds)
        raise NotebookError(f"{path.name}: is not a valid notebook ({error})") from None


CELL_TYPES = ("code", "markdown", "raw")
_META_TYPES = {"grade_id": str, "grade": bool, "solution": bool, "locked": bool, "task": bool,
               "points": (int, float), "schema_version": int, "checksum": str, "cell_type": str}


def read_submission(path):
    """Read a learner's notebook and repair what would trip the grader or nbgrader.

    Returns ``(nb, problems)``. A cell with no valid ``cell_type`` or source is dropped; nbgrader
    metadata of the wrong shape (``grade_id`` a list, ``points`` a string, ...) is removed from the
    cell, which is then recognised by its text like any unmarked cell. Each repair is one line in
    ``problems`` naming the cell, so the instructor sees it. Raises :class:`NotebookError` when the
    file is not a notebook at all.
    """
    nb = read_notebook(path)
    problems, kept = [], []
    for position, cell in enumerate(nb.cells):
        if not isinstance(cell, dict):
            problems.append(f"{cell_label(position)} is not a JSON object; ignored")
            continue
        kind = cell.get("cell_type")
        if kind not in CELL_TYPES:
            problems.append(f"{cell_label(position)} has cell_type {kind!r} (expected one of {', '.join(CELL_TYPES)}); "
                            "ignored")
            continue
        source = cell.get("source", "")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            problems.append(f"{cell_label(position)} has a source that is not text ({type(source).__name__}); ignored")
            continue
        if not isinstance(cell.get("metadata", {}), dict):
            problems.append(f"{cell_label(position)} has metadata that is not a JSON object; removed")
            cell["metadata"] = nbformat.NotebookNode()
        cell.setdefault("metadata", nbformat.NotebookNode())
        meta = cell["metadata"].get("nbgrader")
        wrong = _wrong_nbgrader_fields(meta)
        if wrong:
            problems.append(f"{cell_label(position)} has nbgrader metadata of the wrong shape ({wrong}); removed")
            del cell["metadata"]["nbgrader"]
        if kind == "code" and not isinstance(cell.get("outputs", []), list):
            cell["outputs"] = []
        kept.append(cell)
    nb.cells = kept
    return nb, problems


def _wrong_nbgrader_fields(meta):
    if meta is None:
        return ""
    if not isinstance(meta, dict):
        return f"a {type(meta).__name__}, not an object"
    wrong = []
    for key, expected in _META_TYPES.items():
        value = meta.get(key)
        if value is None:
            continue
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            wrong.append(f"{key} = {json.dumps(value)[:60]}")
    return ", ".join(wrong)


def nbgrader_meta(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def cell_source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def strip_hidden_tests(source):
    """The released form of a test cell: the hidden block removed, as nbgrader does."""
    kept, hiding = [], False
    for line in source.splitlines(keepends=True):
        if HIDDEN_BEGIN in line:
            hiding = True
            continue
        if HIDDEN_END in line:
            hiding = False
            continue
        if not hiding:
            kept.append(line)
    return "".join(kept).rstrip("\n")


def _normalise(source):
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def defined_names(source):
    """Top-level names a cell defines with ``def``, ``class`` or assignment (not imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"^def\s+(\w+)", source, flags=re.M))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    return names


def test_parts(source):
    """A test cell's code as ``[(code, hidden)]`` in order: the hidden blocks apart from the rest.

    When a part cannot be compiled alone (a hidden block inside a loop), the whole cell is one part,
    hidden if it holds a hidden block: the learner then learns only that a hidden test failed.
    """
    parts, lines, hiding = [], [], False
    for line in source.splitlines(keepends=True):
        marker = HIDDEN_BEGIN in line or HIDDEN_END in line
        if marker:
            if lines:
                parts.append(("".join(lines), hiding))
            lines, hiding = [], HIDDEN_BEGIN in line
            continue
        lines.append(line)
    if lines:
        parts.append(("".join(lines), hiding))
    try:
        for code, _ in parts:
            ast.parse(code)
    except SyntaxError:
        return [(source, any(hidden for _, hidden in parts))]
    return parts


@dataclasses.dataclass
class TestCell:
    grade_id: str
    points: float
    source: str  # with hidden tests: only ever executed by the grader
    released: str  # what the learner sees
    index: int  # position in the source notebook
    previous_answers: list  # grade_ids of the answer cells above it in the source


@dataclasses.dataclass
class AssignmentSpec:
    """Everything the grader takes from the source notebook."""

    name: str
    notebook_name: str
    instructor_cells: list  # (grade_id or None, source) of locked code cells that are not tests
    tests: list
    answer_names: set
    manual_points: float  # points of manually graded (written) answers

    @property
    def auto_points(self):
        return sum(test.points for test in self.tests)

    @classmethod
    def from_notebook(cls, nb, name, notebook_name=None, source_is_release=False):
        instructor, tests, answer_names, answers_seen = [], [], set(), []
        manual = 0.0
        for index, cell in enumerate(nb.cells):
            meta = nbgrader_meta(cell)
            source = cell_source(cell)
            grade_id = meta.get("grade_id")
            if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
                tests.append(TestCell(
                    grade_id=grade_id or f"cell-{index}",
                    points=float(meta.get("points", 0) or 0),
                    source=source,
                    released=strip_hidden_tests(source),
                    index=index,
                    previous_answers=list(answers_seen),
                ))
            elif meta.get("solution"):
                if grade_id:
                    answers_seen.append(grade_id)
                if cell.get("cell_type") == "code":
                    answer_names |= defined_names(source)
                elif meta.get("grade"):
                    manual += float(meta.get("points", 0) or 0)
            elif cell.get("cell_type") == "code" and meta.get("locked"):
                instructor.append((grade_id, source))
        return cls(name, notebook_name or name, instructor, tests, answer_names, manual)


@dataclasses.dataclass
class LearnerCell:
    position: int
    source: str
    label: str
    instructor: bool = False  # a locked set-up cell, run as the source has it


def plan_submission(spec, nb):
    """Split a submission into the learner cells to run and where each test belongs.

    Returns ``(learner_cells, anchors, notes)``: ``anchors[k]`` is how many learner cells must have
    run before test ``k`` (a deleted or moved test cell is placed after the answer it follows in the
    source). Test cells in the submission are recognised by grade id, by nbgrader metadata, or by
    their released text, and are never run as learner code. Locked instructor cells are replaced by
    the source's version, as nbgrader's ``OverwriteCells`` does.
    """
    tests_by_id = {test.grade_id: test for test in spec.tests}
    released_text = {_normalise(test.released): test.grade_id for test in spec.tests}
    instructor_by_id = {gid: src for gid, src in spec.instructor_cells if gid}
    learner, test_positions, answer_positions, notes = [], {}, {}, []
    for position, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        meta = nbgrader_meta(cell)
        source = cell_source(cell)
        grade_id = meta.get("grade_id")
        test_id = None
        if grade_id in tests_by_id:
            test_id = grade_id
        elif _normalise(source) in released_text and source.strip():
            test_id = released_text[_normalise(source)]
            notes.append(f"test cell {test_id} had lost its nbgrader metadata")
        elif meta.get("grade") and not meta.get("solution"):
            notes.append(f"{cell_label(position)} is marked as a test but is not one of the assignment's tests; not run")
            continue
        if test_id is not None:
            test_positions.setdefault(test_id, len(learner))
            continue
        instructor = grade_id in instructor_by_id
        if instructor:
            source = instructor_by_id[grade_id]
        if grade_id:
            answer_positions[grade_id] = len(learner) + 1
        learner.append(LearnerCell(position, source, cell_label(position), instructor))
    anchors, floor = [], 0
    for test in spec.tests:
        if test.grade_id in test_positions:
            anchor = test_positions[test.grade_id]
        else:
            notes.append(f"test cell {test.grade_id} is missing from the submission; the source's version is used")
            previous = [answer_positions[a] for a in test.previous_answers if a in answer_positions]
            anchor = max(previous) if previous else len(learner)
        floor = max(floor, anchor)
        anchors.append(floor)
    return learner, anchors, notes


def _released_test(cell):
    new = copy.deepcopy(cell)
    new.source = strip_hidden_tests(cell_source(cell))
    return new


def _without_markers(source):
    lines = [line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
             and "### END SOLUTION" not in line]
    return "\n".join(lines)


def solved(source_nb):
    """What a learner who solved everything would submit (hidden tests are not in it): the
    reference solution as the grader's self-check runs it."""
    nb = copy.deepcopy(source_nb)
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            nb.cells[index] = _released_test(cell)
        elif meta.get("solution"):
            cell.source = _without_markers(cell_source(cell))
    return nb
