"""benchmarks/visible_hidden_bars.py measures the bars the test cells grade with: it must still find
them there, and they must be the bars the learner is told (the markdown above each test cell)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("visible_hidden_bars", ROOT / "benchmarks" / "visible_hidden_bars.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def states(text: str, bar: float) -> bool:
    """Whether ``text`` writes ``bar`` in one of the notebooks' two ways, 0.93 or 93% (0.9 is not 0.93)."""
    return any(re.search(re.escape(form) + r"(?!\d)", text) for form in (f"{bar:g}", f"{bar * 100:g}%"))


@pytest.mark.parametrize("assignment, check", sorted(bench.BAR_PATTERNS))
def test_the_measure_reads_the_bars_the_learner_is_told(assignment, check):
    cells = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4).cells
    tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    visible, hidden = bench.visible_and_hidden_bar(tests, assignment, check)
    assert hidden < visible, f"{check}: the hidden bar ({hidden}) should be below the visible one ({visible})"
    index = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == check)
    told = cells[index - 1].source
    for bar in (visible, hidden):
        assert states(told, bar), f"{check}: the markdown above the test does not state {bar}"
