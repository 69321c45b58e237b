"""The playground's CSV loader in headless Chromium: a file or pasted text loads and trains; each bad file
(wrong columns, text in a number column, a million rows, empty, a label out of range) is refused with the
line and the problem while the page keeps its previous data; all of it from the keyboard."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib does not add it

from playground_helpers import WatchedPage  # noqa: E402

pytestmark = pytest.mark.slow

GOOD = "x1,x2,label\n" + "\n".join(f"{(k % 7) * 0.8 - 2.4},{(k % 5) * 1.1 - 2.2},{k % 3}" for k in range(60)) + "\n"
BAD = [
    ("wrong-columns.csv", "a,b,c\n1,2,0\n", "Line 1: expected the columns x1,x2,label or x1,target"),
    ("text.csv", "x1,x2,label\n0,0,1\n0.5,abc,1\n", 'Line 3: x2 is "abc", not a number'),
    ("empty.csv", "", "The file is empty"),
    ("label.csv", "x1,x2,label\n0,0,1\n1,1,9\n", 'Line 3: label "9" is not a class: labels are whole numbers from 0 to 4'),
]


@pytest.fixture
def playground(context, site_url):
    watched = WatchedPage(context, site_url)
    watched.open(site_url + "playground/")
    yield watched.page
    assert watched.errors == [] and watched.foreign == []
    watched.page.close()


def loaded_state(page):
    return page.evaluate("nnPlayground.state()"), page.evaluate("nnPlayground.exportData()")


def test_a_csv_file_loads_and_trains(playground, tmp_path):
    path = tmp_path / "three.csv"
    path.write_text(GOOD)
    playground.click("[data-pg=csv] summary")
    playground.set_input_files("[data-pg=csv-file]", str(path))
    playground.wait_for_function("() => document.querySelector('[data-pg=csv-message]').textContent.startsWith('Loaded')")
    assert playground.inner_text("[data-pg=csv-message]").startswith("Loaded 60 points, 3 classes: 30 for training, 30 for testing")
    state = playground.evaluate("nnPlayground.state()")
    assert state["dataset"] == "csv" and state["classes"] == 3 and "data=csv" in playground.url
    assert playground.evaluate("nnPlayground.train(50)")["steps"] == 50
    exported = playground.evaluate("nnPlayground.exportData()")
    assert exported.startswith("x1,x2,label,split\n") and exported.count("\n") == 61
    # what the page exports loads back, its split kept
    assert playground.evaluate("t => nnPlayground.loadCsv(t)", exported).startswith("Loaded 60 points, 3 classes: 30 for training")


@pytest.mark.parametrize("name, text, message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_with_line_and_problem_and_the_page_keeps_its_data(playground, tmp_path, name, text, message):
    playground.evaluate("nnPlayground.load('xor-4-tanh').then(() => nnPlayground.train(10))")
    before = loaded_state(playground)
    path = tmp_path / name
    path.write_text(text)
    playground.click("[data-pg=csv] summary")
    playground.set_input_files("[data-pg=csv-file]", str(path))
    playground.wait_for_function("() => document.querySelector('[data-pg=csv-message]').textContent.startsWith('Not loaded')")
    shown = playground.inner_text("[data-pg=csv-message]")
    assert message in shown and "keeps its previous data" in shown
    assert loaded_state(playground) == before
    assert playground.evaluate("nnPlayground.train(5)")["steps"] == 15, "the page keeps working"


def test_a_million_rows_are_refused_unread_and_pasted_ones_by_count(playground, tmp_path):
    before = loaded_state(playground)
    path = tmp_path / "million.csv"
    path.write_text("x1,x2,label\n" + "0,0,1\n" * 1_000_000)
    playground.click("[data-pg=csv] summary")
    playground.set_input_files("[data-pg=csv-file]", str(path))
    playground.wait_for_function("() => document.querySelector('[data-pg=csv-message]').textContent.startsWith('Not loaded')")
    assert "million.csv is 6.0 MB; the playground reads CSV files up to 200 kB (1,000 rows)" in playground.inner_text("[data-pg=csv-message]")
    message = playground.evaluate("t => nnPlayground.loadCsv(t)", "x1,x2,label\n" + "0,0,1\n" * 1_000_000)
    assert "The file has 1,000,000 rows of data; the playground takes at most 1,000" in message
    assert loaded_state(playground) == before


def test_pasted_csv_loads_from_the_keyboard_alone(playground):
    playground.focus("[data-pg=seed]")
    for _ in range(40):  # Tab to the loader's summary, open it with Enter
        playground.keyboard.press("Tab")
        if playground.evaluate("document.activeElement.closest('[data-pg=csv]') !== null"):
            break
    playground.keyboard.press("Enter")
    assert playground.evaluate("document.querySelector('[data-pg=csv]').open")
    while playground.evaluate("document.activeElement.dataset.pg") != "csv-text":
        playground.keyboard.press("Tab")
    playground.keyboard.type("x1,target\n-1,0.5\n0,1\n1,1.5\n2,2\n")
    playground.keyboard.press("Tab")
    assert playground.evaluate("document.activeElement.dataset.pg") == "csv-load"
    playground.keyboard.press("Enter")
    assert playground.inner_text("[data-pg=csv-message]").startswith("Loaded 4 points, a curve (target values)")
    state = playground.evaluate("nnPlayground.state()")
    assert state["dataset"] == "csv" and state["features"] == ["x1"]
    assert "linear unit" in playground.inner_text("[data-pg=output-note]")


def test_an_address_naming_csv_data_explains_and_falls_back(context, site_url):
    watched = WatchedPage(context, site_url)
    page = watched.open(site_url + "playground/?data=csv&classes=3")
    assert page.evaluate("nnPlayground.state()")["dataset"] == "xor"
    assert "an address cannot hold" in page.inner_text("[data-pg=alert]")
    assert watched.errors == []
    page.close()
