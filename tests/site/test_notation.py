"""One notation in every chapter (docs/chapters/notation.md).

The notation page gives each symbol one meaning. The forms it retired (a feature numbered with i, the
number of inputs written n, layers numbered in a subscript, theta for a threshold, ...) are easy to
write again out of habit; this test reads the math of every chapter's Markdown cells, the FAQ and the
home page, and names the page, the cell and the form wherever one comes back. It cannot check every
possible misuse of a symbol, only these known ones; each rule says which line of the notation page it
protects.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
NOTATION = DOCS / "chapters" / "notation.md"

# (pattern, what the notation page says instead)
RETIRED = [
    (r"(?<![A-Za-z\\])d?[WZH]_\{?[0-9]\}?(?![0-9A-Za-z])", "layers are numbered in brackets: W^{(1)}, Z^{(2)}, not W_1"),
    (r"\\mathbf\{b\}_\{?[0-9]\}?(?![0-9A-Za-z])", "a layer's bias vector is b^{(l)}, not b_1"),
    (r"(?<![A-Za-z])[wW]_\{?ij\}?", "i numbers examples; a weight from input j to unit k is w_{jk}"),
    (r"\\sum_\{?i\s*=\s*1\}?\^\{?d\b", "a sum over the d inputs runs over j, not i"),
    (r"\bi\s*=\s*1,\s*\\dots,\s*d\b", "i runs over the n examples; j = 1, ..., d numbers the inputs"),
    (r"(?<![A-Za-z])w_\{?n\}?(?![A-Za-z])", "n counts examples; a neuron has d weights, w_1 ... w_d"),
    (r"\(\s*n\s*\+\s*1\s*\)", "a layer has (d + 1) d_out parameters: d inputs, d_out units"),
    (r"\(\s*d\s*\+\s*1\s*\)\s*\\?,?\s*k\b", "the number of units of a layer is d_out: (d + 1) d_out"),
    (r"\$k\$ (?:units|neurons)", "the number of units of a layer is d_out; k numbers a unit or a class"),
    (r"\$m\$ (?:units|neurons)", "the number of units of a layer is d_out; m is Adam's running mean"),
    (r"a_\{?\\ell", "a layer's activations are h^{(l)} (H^{(l)} for a batch), not a_l"),
    (r"\\mathbf\{x\}_\{?n\}?\b.*\binputs?\b", "x_1, ..., x_d are the inputs; n counts examples"),
    (r"\\ell\(y", "the loss of example i is L_i; l numbers the layers"),
]
# theta is all the parameters, first defined in chapter 7 (chapter 1's threshold is T).
THETA = re.compile(r"\\theta|θ")
THETA_FROM = "07"


def _markdown_cells(path: Path) -> list[tuple[str, str]]:
    if path.suffix == ".md":
        return [("-", path.read_text(encoding="utf-8"))]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(cell.get("id", "?"), "".join(cell["source"])) for cell in cells if cell["cell_type"] == "markdown"]


def _math(text: str) -> str:
    """The text with code spans and fenced code removed (code may name `W1`, `x_i`, ...)."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", text)


def retired_forms(text: str, chapter_number: str | None = None) -> list[str]:
    """Each retired form in `text`, with what to write instead."""
    math = _math(text)
    found = [f"{m.group(0)!r}: {advice}" for pattern, advice in RETIRED for m in re.finditer(pattern, math)]
    if chapter_number is not None and chapter_number < THETA_FROM:
        found += [f"{m.group(0)!r}: theta means all the parameters, from chapter 7 on; a threshold is T"
                  for m in THETA.finditer(math)]
    return found


PAGES = sorted((DOCS / "chapters").glob("[0-9]*.ipynb")) + [DOCS / "chapters" / "12-faq.md", DOCS / "index.md"]
PAGES += sorted((DOCS / "chapters").glob("appendix-*.ipynb"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_use_the_notation_page_symbols(page):
    number = page.name[:2] if page.name[:2].isdigit() else None
    problems = [f"{cell}: {form}" for cell, text in _markdown_cells(page) for form in retired_forms(text, number)]
    assert not problems, f"{page.name} uses forms the notation page retired:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "chapter"),
    [
        ("$h_j = g(\\sum_{i=1}^{d} x_i W_{ij} + b_j)$", None),
        ("two layers $W_1$ and $W_2$", None),
        ("bias $\\mathbf{b}_1 W_2$", None),
        ("a neuron with weights $w_1, \\dots, w_n$", None),
        ("it has $(n+1)k$ parameters", None),
        ("a layer with $d$ inputs and $k$ units", None),
        ("a layer with $d$ inputs and $m$ neurons", None),
        ("the chain $a_\\ell = g(z_\\ell)$", None),
        ("a threshold $\\theta$", "01"),
        ("the loss $\\ell(y_i, \\hat y_i)$ of one example", None),
    ],
)
def test_each_retired_form_is_caught(text, chapter):
    assert retired_forms(text, chapter), f"not caught: {text}"


@pytest.mark.parametrize(
    "text",
    [
        "$h_k = g(\\sum_{j=1}^{d} x_j W_{jk} + b_k)$ for $k = 1, \\dots, d_{\\text{out}}$",
        "$W^{(1)} W^{(2)}$ and $\\mathbf{b}^{(1)}$; the entry $w_{12}$; the bias $b_1$ of unit 1",
        "`W1` and `x_i` in code, and ```python\nW_1 = 0\n```",
        "$\\theta \\leftarrow \\theta - \\eta \\nabla L(\\theta)$",
    ],
)
def test_the_notation_itself_passes(text):
    assert not retired_forms(text, "07")


def test_notation_page_defines_the_indices_and_counts():
    page = NOTATION.read_text(encoding="utf-8")
    for row in ["| $n$ |", "| $i$ |", "| $d$ |", "| $j$ |", "| $d_{\\text{in}}$, $d_{\\text{out}}$ |", "| $k$ |", "| $T$ |", "| $\\theta$ |", "| $\\ell$, $D$ |"]:
        assert row in page, f"the notation page has no row {row}"
