"""The live figures in the chapters (docs/assets/javascripts/widgets/): each is in its chapter after the
static figure it stands beside, mounts without errors, responds to its controls, and computes what
the chapter (and nnlib) computes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib does not add it
sys.path.insert(0, str(Path(__file__).parents[2] / "tools"))

from playground_cells import CELLS, CHAPTERS  # noqa: E402
from playground_helpers import WatchedPage, axe_violations  # noqa: E402

from nnlib import activations  # noqa: E402
from nnlib.perceptron import Perceptron  # noqa: E402

pytestmark = pytest.mark.slow


def open_widget(context, site_url, chapter: str, name: str):
    watched = WatchedPage(context, site_url)
    page = watched.open(f"{site_url}chapters/{chapter}/",
                        ready=f"() => document.querySelector('[data-nn-widget={name}]:not([hidden]) canvas, [data-nn-widget={name}]:not([hidden]) table')")
    widget = page.locator(f"[data-nn-widget={name}]")
    assert widget.inner_text().startswith("Live figure."), "the cell's introduction stays above the controls"
    return watched, page, widget


def test_cells_follow_their_anchor_and_widgets_follow_a_static_figure():
    for cell in CELLS:
        notebook = json.loads((CHAPTERS / cell.chapter).read_text(encoding="utf-8"))
        ids = [c.get("id") for c in notebook["cells"]]
        assert cell.id in ids, f"{cell.chapter}: cell {cell.id} missing (run tools/playground_cells.py)"
        assert ids[ids.index(cell.id) - 1] == cell.after
        assert "".join(notebook["cells"][ids.index(cell.id)]["source"]) == cell.source
        if "data-nn-widget" in cell.source:
            figure = "".join(notebook["cells"][ids.index(cell.after)]["source"])
            assert figure.startswith("# alt:"), f"{cell.id} must follow the static figure it stands beside"
        if "nn-embed" in cell.source:  # the static figure stays above it, as the fallback, with its alt text
            assert cell.figure in ids[:ids.index(cell.id)], f"{cell.id}: its figure {cell.figure} is not above it"
            assert "".join(notebook["cells"][ids.index(cell.figure)]["source"]).startswith("# alt:")


@pytest.mark.parametrize("chapter, preset", [("04-multilayer", "xor-no-hidden"), ("05-activations", "spiral-deep-sigmoid"),
                                             ("07-gradient-descent", "circles-lr-too-large"), ("09-training-loop", "moons-overfit")])
def test_chapter_links_open_their_preset(context, site_url, chapter, preset):
    watched = WatchedPage(context, site_url)
    page = watched.open(f"{site_url}chapters/{chapter}/", ready="() => window.document$")
    page.click(f"a[href$='?preset={preset}']")
    page.wait_for_function("() => window.nnPlayground && document.querySelector('#nn-playground canvas')")
    from playground_helpers import PROJECT  # noqa: F401 (the state comes from the preset, not the defaults)
    state = page.evaluate("nnPlayground.state()")
    assert state["steps"] == 0
    expected = {"xor-no-hidden": {"hidden": []}, "spiral-deep-sigmoid": {"activation": "sigmoid", "hidden": [8, 8, 8]},
                "circles-lr-too-large": {"learningRate": 10}, "moons-overfit": {"n": 60, "dataset": "moons"}}[preset]
    assert {k: state[k] for k in expected} == expected
    assert watched.errors == []
    page.close()


def perceptron_state(page):
    text = page.inner_text("[data-nn-widget=perceptron] [data-w=status]")
    w = re.search(r"w = \((-?\d+),(-?\d+)\), b = (-?\d+)", text)
    return text, [float(w[1]), float(w[2])], float(w[3])


def test_perceptron_widget_learns_and_or_but_not_xor(context, site_url):
    watched, page, widget = open_widget(context, site_url, "02-perceptron-learning", "perceptron")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    # the first update on AND: step(0) = 1 for (0, 0), target 0 -> error -1, b = -1
    widget.locator("[data-w=update]").click()
    assert "prediction 1, error -1" in widget.locator("[data-w=last]").inner_text()
    assert perceptron_state(page)[1:] == ([0.0, 0.0], -1.0)
    for problem, targets in [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])]:
        widget.locator("[data-w=problem]").select_option(problem)
        for _ in range(12):
            widget.locator("[data-w=epoch]").click()
        text, w, b = perceptron_state(page)
        assert "Settled" in text and "4 of 4 points right" in text
        reference = Perceptron(2)
        reference.fit(X, np.array(targets), epochs=100)
        assert w == reference.weights.tolist() and b == reference.bias
    widget.locator("[data-w=problem]").select_option("xor")
    for _ in range(30):
        widget.locator("[data-w=epoch]").click()
    text, _, _ = perceptron_state(page)
    assert "never settles" in text and "Settled" not in text
    assert "Epoch 31" in text
    assert watched.errors == []
    page.close()


def test_activation_explorer_shows_g_g_prime_and_saturation(context, site_url):
    watched, page, widget = open_widget(context, site_url, "05-activations", "activations")
    status = widget.locator("[data-w=status]")
    slider = widget.locator("[data-w=z]")
    widget.locator("[data-w=name]").select_option("sigmoid")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # z = 0.5, from the keyboard
    g, d = activations.sigmoid(np.float64(0.5)), activations.sigmoid_derivative(np.float64(0.5))
    assert f"g(0.5) = {g:.4f}, g'(0.5) = {d:.4f}" in status.inner_text() and "Not saturated" in status.inner_text()
    page.keyboard.press("End")  # z = 8: sigmoid' = 0.0003
    assert "Saturated" in status.inner_text()
    widget.locator("[data-w=name]").select_option("relu")
    assert "Not saturated" in status.inner_text()  # relu' = 1 for z > 0
    page.keyboard.press("Home")
    slider.focus()
    page.keyboard.press("Home")  # z = -8: relu' = 0
    assert "relu: g(-8.0) = 0.0000, g'(-8.0) = 0.0000" in status.inner_text() and "Saturated" in status.inner_text()
    widget.locator("[data-w=name]").select_option("silu")
    expected = f"g(-8.0) = {activations.silu(np.float64(-8.0)):.4f}, g'(-8.0) = {activations.silu_derivative(np.float64(-8.0)):.4f}"
    assert expected in status.inner_text()
    assert watched.errors == []
    page.close()


def set_range(widget, name, value):
    widget.locator(f"[data-w={name}]").evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", str(value))


def test_descent_widget_converges_zigzags_or_diverges_around_two_over_lambda_max(context, site_url):
    watched, page, widget = open_widget(context, site_url, "07-gradient-descent", "descent")
    verdict = lambda: widget.get_attribute("data-verdict")  # noqa: E731
    assert "2/λmax = 0.471" in widget.locator("[data-w=status]").inner_text()
    for lr, expected in [(0.1, "converges"), (0.45, "zig-zags"), (0.49, "diverges")]:
        set_range(widget, "lr", lr)
        assert verdict() == expected, (lr, widget.locator("[data-w=status]").inner_text())
    set_range(widget, "mu", 0.5)  # the limit grows to 2(1 + 0.5)/4.25 = 0.706
    assert verdict() != "diverges" and "0.706" in widget.locator("[data-w=status]").inner_text()
    widget.locator("[data-w=lr]").focus()
    page.keyboard.press("End")  # 0.6, from the keyboard, still below 0.706
    assert "below it" in widget.locator("[data-w=status]").inner_text()
    assert watched.errors == []
    page.close()


def chapter8_tables() -> dict[str, str]:
    """The value column of chapter 8's forward and backward tables, keyed like the widget's rows."""
    notebook = json.loads((CHAPTERS / "08-backpropagation.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    values = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"\$-?\d+\.\d{4}\$", cells[2]):
            continue
        quantity = cells[0].replace("\\hat y", "yhat")  # the prediction, written \hat y
        gradient = re.search(r"\\partial L\}\{\\partial ([a-zA-Z])_?\{?(\w*)\}?\}", quantity)
        if gradient:
            key = "d" + gradient[1] + gradient[2]
        else:
            key = re.fullmatch(r"\$([a-zA-Z]+)(?:_\{?(\w+)\}?)?\$", quantity)
            key = key[1] + (key[2] or "")
        values[key] = cells[2].strip("$")
    return values


def test_backprop_widget_agrees_with_the_chapter_table(context, site_url):
    table = chapter8_tables()
    assert len(table) == 22, table  # 7 forward rows, 15 backward rows
    watched, page, widget = open_widget(context, site_url, "08-backpropagation", "backprop")
    rows = widget.locator("tbody tr")
    assert rows.count() == 22 and widget.locator("tbody tr:not([hidden])").count() == 0
    widget.locator("[data-w=next]").click()
    assert widget.locator("tbody tr:not([hidden])").count() == 1
    assert "z₁" in widget.locator("[data-w=status]").inner_text()
    widget.locator("[data-w=back]").click()
    assert widget.locator("tbody tr:not([hidden])").count() == 0
    widget.locator("[data-w=all]").click()
    shown = {r.get_attribute("data-key"): r.locator("td").nth(3).inner_text() for r in rows.all()}
    assert shown.keys() == table.keys()
    mismatched = {k: (shown[k], table[k]) for k in table if shown[k] != table[k] and
                  not (shown[k] == "-" + table[k] == "-0.0000")}
    assert mismatched == {}
    assert watched.errors == []
    page.close()


@pytest.mark.parametrize("chapter, name", [("02-perceptron-learning", "perceptron"), ("05-activations", "activations"),
                                           ("07-gradient-descent", "descent"), ("08-backpropagation", "backprop")])
def test_widgets_have_no_serious_axe_violation(browser, site_url, chapter, name):
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        watched, page, widget = open_widget(context, site_url, chapter, name)
        violations = axe_violations(page, f"[data-nn-widget={name}]")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], (scheme, json.dumps(serious, indent=1))
        context.close()
