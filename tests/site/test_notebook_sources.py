"""The chapters' code as the reader sees it: lines that fit the column, figure text that can be read."""

import json
import re
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).resolve().parents[2] / "docs" / "chapters").glob("*.ipynb"))
MAX_COLUMNS = 88  # the code column shows about this many characters without scrolling
MIN_FONT_POINTS = 9


def _code_cells(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            yield cell.get("id"), "".join(cell["source"]).splitlines()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_lines_fit_the_column(path):
    too_long = []
    for cell_id, lines in _code_cells(path):
        # The `# alt:` first line is not shown (it becomes the figure's alt text) and must stay one line.
        shown = lines[1:] if lines and lines[0].startswith("# alt:") else lines
        too_long += [f"{cell_id}: {line[:40]}... ({len(line)})" for line in shown if len(line) > MAX_COLUMNS]
    assert not too_long, f"code lines over {MAX_COLUMNS} characters: {too_long}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_figure_text_is_at_least_nine_points(path):
    small = []
    for cell_id, lines in _code_cells(path):
        for line in lines:
            small += [f"{cell_id}: {line.strip()}" for size in re.findall(r"\b(?:font)?size=(\d+(?:\.\d+)?)\b", line)
                      if "fontsize" in line and float(size) < MIN_FONT_POINTS]
    assert not small, f"figure text below {MIN_FONT_POINTS} pt: {small}"
