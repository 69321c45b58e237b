"""The cells the playground adds to the chapters: a live widget (chapters 2, 5, 7, 8) placed after
the chapter's static figure, which stays as the fallback without JavaScript; one line linking to
a playground preset (chapters 4, 5, 7, 9); and a small embedded playground showing only the controls
its chapter teaches (XOR in chapter 4, softmax in 5, the learning rate in 7, regularisation in 9),
below the static figure it brings to life, which stays as the fallback.

Chapters are edited by others, so the cells are inserted by this script rather than by hand: each new
cell goes right after an existing cell (named by its id), keeps a stable id of its own, and the
notebook is written back in its stored formatting (nbformat JSON, indent 1), every other cell
untouched. Running it again changes nothing.

    .venv/bin/python tools/playground_cells.py       # insert or refresh the cells
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parents[1] / "docs/chapters"


@dataclass(frozen=True)
class Cell:
    chapter: str   # notebook file name
    after: str     # id of the existing cell it follows
    id: str
    source: str
    figure: str = ""  # an embedded playground: the id of the static figure (above it) it stands beside


def widget(name: str, label: str, intro: str, attributes: str = "") -> str:
    return (f'<div class="nn-widget" data-nn-widget="{name}" role="region" aria-label="{label}"{attributes} hidden>\n'
            f"<p><strong>Live figure.</strong> {intro}</p>\n</div>")


def embed(config: str, label: str, intro: str) -> str:
    """A playground mounted in the page (boot.js) with the playground page's query string `config`
    (`preset=...&hide=...`); until then, and without JavaScript, the introduction and the link stay."""
    preset = config.split("&")[0]
    return (f'<div class="nn-embed" data-config="{config.replace("&", "&amp;")}" role="region" aria-label="{label}">\n'
            f"<p><strong>Live playground.</strong> {intro} "
            f'(<a href="../../playground/?{preset}">open it in the full playground</a>)</p>\n</div>')


def link(text: str, preset: str, rest: str) -> str:
    return f'**In the playground:** <a href="../../playground/?preset={preset}">{text}</a>{rest}'


CELLS = [
    Cell("02-perceptron-learning.ipynb", "c02-figure-xor", "c02-widget-perceptron", widget(
        "perceptron", "Live figure: the perceptron rule, one update at a time",
        "Apply the rule yourself, one example at a time, from zero weights with learning rate 1. "
        "AND and OR settle after a few epochs; XOR never does.")),
    Cell("05-activations.ipynb", "c05-tanh-plot", "c05-widget-activations", widget(
        "activations", "Live figure: activation explorer",
        "Pick an activation and slide z: the dot shows g(z) and g'(z); the shaded stretches are where "
        "the unit saturates (g' below 0.01), so that almost no gradient passes back.")),
    Cell("05-activations.ipynb", "c05-choose", "c05-playground-link", link(
        "three sigmoid layers on a spiral", "spiral-deep-sigmoid",
        " learn slowly; switch the activation to relu and compare.")),
    Cell("07-gradient-descent.ipynb", "c07-lr-loss-plot", "c07-widget-descent", widget(
        "descent", "Live figure: gradient descent on a quadratic loss",
        "Move the learning rate across the limit 2/&lambda;<sub>max</sub> and watch the path converge, "
        "zig-zag or diverge on a quadratic bowl with curvatures 0.5 and 4.25 (limit 0.471); "
        "momentum raises the limit to 2(1 + &mu;)/&lambda;<sub>max</sub>.",
        ' data-curvatures="0.5,4.25"')),
    Cell("07-gradient-descent.ipynb", "c07-adam-md", "c07-playground-link", link(
        "a learning rate that is too large", "circles-lr-too-large",
        " on a real network, and the same data set with momentum.")),
    Cell("08-backpropagation.ipynb", "c08-diagram", "c08-widget-backprop", widget(
        "backprop", "Live figure: the worked example, step by step",
        "Step through the forward pass and then the backward pass of the network above, one quantity "
        "at a time; the numbers are those of the tables.",
        ' data-x="0.5,-1.0" data-y="1" data-w="0.1,-0.2,0.4,0.3" data-b="0,0.1" data-v="0.5,-0.6" data-c="0.2"')),
    Cell("04-multilayer.ipynb", "c04-figure-xor-trained", "c04-playground-link", link(
        "XOR with no hidden layer cannot be learned", "xor-no-hidden",
        '; <a href="../../playground/?preset=xor-4-tanh">the same with 4 tanh units</a> can.')),
    Cell("09-training-loop.ipynb", "c09-overfit-read", "c09-playground-link", link(
        "few noisy points and a wide network", "moons-overfit",
        ": watch the training and test losses part as you train.")),
    Cell("04-multilayer.ipynb", "c04-playground-link", "c04-embed-xor", embed(
        "preset=xor-4-tanh&hide=presets,data,features,regularization,stepper,export",
        "Embedded playground: XOR with one hidden layer",
        "The network of the figure above, learning XOR in your browser: press Play, then set the hidden "
        "layers to 0 and see it fail; each unit's square shows what it has learned to detect."),
        figure="c04-figure-xor-trained"),
    Cell("05-activations.ipynb", "c05-softmax-plot", "c05-embed-softmax", embed(
        "preset=blobs-3-softmax&hide=presets,features,regularization,stepper,export",
        "Embedded playground: a softmax output over three classes",
        "Softmax as an output layer: one unit per class, their outputs summing to 1. Train it on three "
        "blobs, then raise the number of classes to 5 or pick the spiral; each region takes the colour of "
        "its most probable class, paler where the network is unsure."),
        figure="c05-softmax-plot"),
    Cell("07-gradient-descent.ipynb", "c07-playground-link", "c07-embed-learning-rate", embed(
        "preset=circles-lr-too-large&hide=presets,data,features,network,regularization,stepper,export",
        "Embedded playground: the learning rate",
        "The learning rate on a real network (circles, 4 tanh units). At 10 the loss jumps about: press "
        "Play, then lower the rate step by step (Reset between tries) and compare SGD, momentum and Adam."),
        figure="c07-lr-loss-plot"),
    Cell("09-training-loop.ipynb", "c09-playground-link", "c09-embed-regularisation", embed(
        "preset=moons-overfit&hide=presets,data,features,network,stepper,export",
        "Embedded playground: overfitting and regularisation",
        "The overfitting of the figure above, live: train until the test loss (dashed) climbs away from "
        "the training loss, then set the L2 rate to 0.01 (or dropout to 0.3), press Reset and train again. "
        "The dotted curve is the regularisation term, shown apart from the data losses."),
        figure="c09-overfit-plot"),
]


def new_cell(cell: Cell) -> dict:
    return {"cell_type": "markdown", "id": cell.id, "metadata": {}, "source": cell.source.splitlines(keepends=True)}


def _dump(notebook: dict, raw: str) -> str:
    # A notebook stored with non-ASCII characters was written with ensure_ascii=False (as nbformat does).
    return json.dumps(notebook, indent=1, ensure_ascii=raw.isascii()) + "\n"


def insert(path: Path, cells: list[Cell]) -> bool:
    """Insert (or refresh) `cells` in the notebook at `path`; return True if the file changed."""
    raw = path.read_text(encoding="utf-8")
    notebook = json.loads(raw)
    if _dump(notebook, raw) != raw:
        raise SystemExit(f"{path.name}: not stored as nbformat JSON with indent 1; not touching it")
    for cell in cells:
        ids = [c.get("id") for c in notebook["cells"]]
        if cell.id in ids:  # refresh it, and move it if its anchor changed
            del notebook["cells"][ids.index(cell.id)]
            ids.remove(cell.id)
        if cell.after not in ids:
            raise SystemExit(f"{path.name}: no cell with id {cell.after!r} to put {cell.id!r} after; ids: {ids}")
        notebook["cells"].insert(ids.index(cell.after) + 1, new_cell(cell))
    text = _dump(notebook, raw)
    if text != raw:
        path.write_text(text, encoding="utf-8")
    return text != raw


def main() -> int:
    for chapter in sorted({c.chapter for c in CELLS}):
        changed = insert(CHAPTERS / chapter, [c for c in CELLS if c.chapter == chapter])
        print(f"{chapter}: {'updated' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
