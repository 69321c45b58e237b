"""Playgrounds embedded in the chapters (tools/playground_cells.py, boot.js): each mounts below its
introduction with only the controls its chapter teaches, the static figure above it stays with its alt
text, it trains from the keyboard, and it leaves the page's address and window.nnPlayground alone. The
`hide=` address form, and a phone's width: no page scrolls sideways."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib does not add it
sys.path.insert(0, str(Path(__file__).parents[2] / "tools"))

from playground_cells import CELLS  # noqa: E402
from playground_helpers import WatchedPage, axe_violations  # noqa: E402

pytestmark = pytest.mark.slow

EMBEDS = [c for c in CELLS if "nn-embed" in c.source]
PARTS = ["presets", "data", "features", "network", "training", "regularization", "diagram", "stepper", "export"]


def test_four_chapters_embed_a_playground():
    assert sorted(c.chapter[:2] for c in EMBEDS) == ["04", "05", "07", "09"]


@pytest.mark.parametrize("cell", EMBEDS, ids=[c.id for c in EMBEDS])
def test_embedded_playground_mounts_with_only_its_controls_and_trains_from_the_keyboard(context, site_url, cell):
    watched = WatchedPage(context, site_url)
    url = f"{site_url}chapters/{cell.chapter.removesuffix('.ipynb')}/"
    page = watched.open(url, ready="() => document.querySelector('.nn-embed .nn-playground canvas')")
    embed = page.locator(".nn-embed")
    assert embed.count() == 1
    assert embed.inner_text().startswith("Live playground.")
    config = embed.get_attribute("data-config")
    hidden = config.split("hide=")[1].split(",")
    for part in PARTS:
        shown = embed.locator(f"[data-pg-part={part}]").first.is_visible()
        assert shown == (part not in hidden), f"{cell.id}: part {part} {'shown' if shown else 'hidden'}"
    # the static figure above it stays, with its alt text
    figure_alt = page.evaluate("""() => { const e = document.querySelector('.nn-embed');
        const imgs = [...document.querySelectorAll('.jp-RenderedImage img')].filter(i => i.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
        return imgs.length ? imgs[imgs.length - 1].alt : ''; }""")
    assert len(figure_alt) > 20
    # from the keyboard: Tab into the embed's Play button, Enter, Enter again
    page.focus(".nn-embed [data-pg=step]")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('.nn-embed').nnPlayground.state()")["steps"] == 1
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.pg") == "play"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.nn-embed').nnPlayground.state().then(s => s.steps > 10)")
    page.keyboard.press("Enter")
    assert page.get_attribute(".nn-embed [data-pg=play]", "aria-pressed") == "false"
    assert page.url == url, "an embedded playground leaves the page's address alone"
    assert page.evaluate("window.nnPlayground === undefined")
    assert watched.errors == [] and watched.foreign == []
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_in_an_embedded_playground(browser, site_url, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = WatchedPage(context, site_url).open(f"{site_url}chapters/09-training-loop/",
                                               ready="() => document.querySelector('.nn-embed .nn-playground canvas')")
    page.evaluate("document.querySelector('.nn-embed').nnPlayground.train(30)")
    page.focus(".nn-embed [data-pg=loss]")
    serious = [v for v in axe_violations(page, ".nn-embed") if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    context.close()


def test_hide_chrome_shows_the_playground_alone(context, site_url):
    watched = WatchedPage(context, site_url)
    page = watched.open(site_url + "playground/?preset=xor-4-tanh&hide=chrome,export,stepper")
    assert not page.locator(".md-header").is_visible() and not page.locator("h1").is_visible()
    assert page.locator("#nn-playground [data-pg=play]").is_visible()
    assert not page.locator("[data-pg-part=export]").is_visible()
    page.click("[data-pg=new-weights]")  # the page rewrites its address: the hidden parts stay in it
    assert "init=1" in page.url and "hide=chrome%2Cexport%2Cstepper" in page.url.replace(",", "%2C")
    page.reload()
    page.wait_for_function("() => window.nnPlayground")
    assert not page.locator(".md-header").is_visible() and page.evaluate("nnPlayground.state()")["init"] == 1
    page.close()


@pytest.mark.parametrize("path", ["playground/", "chapters/05-activations/", "chapters/10-keras/", "chapters/04-multilayer/"])
def test_nothing_scrolls_sideways_on_a_390_px_phone(browser, site_url, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = WatchedPage(context, site_url).open(site_url + path, ready="() => document.querySelector('h1')")
    page.wait_for_load_state("networkidle")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect(); if (!r.width) return false;
        for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; }
        return r.right > document.documentElement.clientWidth + 1; }).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    context.close()
