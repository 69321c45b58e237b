"""Flags say what the learner's code was seen doing, not what its words say (issue 16, case 7)."""

import pytest

from nngrade import demo
from nngrade.engine import grade_notebook
from nngrade.notebook import AssignmentSpec

HONEST = ("# I compared two solutions before choosing this one.\n"
          "# Check the gradebook on Friday; solutions/ and submitted/ are where the course keeps them.\n"
          '"""Notes: ctypes, os._exit and signal.alarm are not used here."""\n'
          "checked = True\n")
CTYPES = ("import importlib\nct = importlib.import_module('ct' + 'ypes')\n"
          "libc = ct.CDLL(None, use_errno=True)\nlibc.syscall(39)  # getpid\n")
BUILTINS = ("import builtins\n_real = builtins.__import__\n"
            "def _quiet(name, *args, **kwargs):\n    return _real(name, *args, **kwargs)\n"
            "vars(builtins)['__import__'] = _quiet\n")


@pytest.mark.parametrize(("cell", "expected"), [
    (HONEST, []),
    (CTYPES, [("tampering", "looked up the C function syscall through ctypes")]),
    (BUILTINS, [("tampering", "replaced the built-in __import__")]),
], ids=["honest-comments", "ctypes-through-importlib", "vars-builtins"])
def test_flags_from_behaviour(cell, expected, toy_source, limits, full_marks):
    spec = AssignmentSpec.from_notebook(toy_source, "toy")
    result = grade_notebook(spec, demo.with_cell(demo.solved(toy_source), cell, position=2), limits=limits,
                            watched=["/nowhere/course", "gradebook", "solutions/", "submitted/"])
    assert {t.grade_id: t.points for t in result.tests} == full_marks
    assert [(f.kind, f.detail) for f in result.flags] == expected


def test_what_is_kept_of_failing_cells_is_capped_and_flagged(toy_source, limits, full_marks):
    """Output amplification: thousands of cells raising long errors keep 20 errors and one flag."""
    from nngrade.engine import MAX_CELL_ERRORS

    nb = demo.solved(toy_source)
    for _ in range(300):
        nb = demo.with_cell(nb, "raise ValueError('A' * 1990)", position=2)
    result = grade_notebook(AssignmentSpec.from_notebook(toy_source, "toy"), nb, limits=limits)
    assert {t.grade_id: t.points for t in result.tests} == full_marks
    assert len(result.cell_errors) == MAX_CELL_ERRORS
    assert [(f.kind, f.detail) for f in result.flags] == [
        ("output-capped", f"{300 - MAX_CELL_ERRORS} more cells raised errors; only the first 20 errors are kept")]
    assert result.complete
