"""The built site in headless Chromium, served on 127.0.0.1: offline, math typeset, images, search,
instant navigation, the light/dark toggle, axe-core in both schemes, first-visit weight, folded figure
code, figures in their boxes and in dark mode, the home page's cards."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from site_scratch import TREE

pytestmark = pytest.mark.slow

MATH_TIMEOUT_MS = 20_000


def same_origin(url: str, base: str) -> bool:
    if url.startswith(("data:", "about:")):
        return True
    if url.startswith("blob:"):  # MathJax's speech worker
        url = url[len("blob:"):]
    return urlsplit(url)[:2] == urlsplit(base)[:2]


def wait_for_math(page) -> None:
    """Wait until MathJax has typeset every formula of the page (or time out)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('mjx-container'))",
        timeout=MATH_TIMEOUT_MS,
    )


def test_every_page_loads_offline_with_math_and_images(site, site_url, context):
    pages = [p.relative_to(site.path).as_posix() for p in site.pages()]
    problems = []
    for path in pages:
        url = site_url + re.sub(r"(^|/)index\.html$", r"\1", path)
        page = context.new_page()
        errors, foreign, failed = [], [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: None if same_origin(r.url, site_url) else foreign.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url, wait_until="load")
        if path != "404.html":  # the 404 page is served for missing pages: it has no math and no images
            try:
                wait_for_math(page)
            except Exception:
                problems.append(f"{path}: math not typeset within {MATH_TIMEOUT_MS} ms")
            page.wait_for_load_state("networkidle")
            merrors = page.evaluate("document.querySelectorAll('mjx-merror').length")
            broken = page.evaluate(
                "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
            )
            if merrors:
                problems.append(f"{path}: {merrors} formulas with TeX errors (mjx-merror)")
            if broken:
                problems.append(f"{path}: images that did not load: {broken}")
        problems += [f"{path}: console error: {e}" for e in errors if not (path == "404.html" and "404" in e)]
        problems += [f"{path}: request to another origin: {u}" for u in foreign]
        problems += [f"{path}: failed request: {u}" for u in failed]
        page.close()
    assert len(pages) > 3
    assert not problems, "\n".join(problems)


def chapter_pages_with_math(site) -> list[str]:
    """Site paths (like 'chapters/05-activations/') of chapter pages that contain math, in nav order."""
    index = json.loads((site.path / "search/search_index.json").read_text())
    paths = []
    for doc in index["docs"]:
        location = doc["location"]
        if location.startswith("chapters/") and "#" not in location and location not in paths:
            text = (site.path / location / "index.html").read_text(encoding="utf-8")
            if 'class="arithmatex"' in text:
                paths.append(location)
    return paths


def test_instant_navigation_retypesets_math(site, site_url, context):
    chapters = chapter_pages_with_math(site)
    assert len(chapters) >= 2, f"need two chapters with math, found {chapters}"
    first, second = chapters[0], chapters[1]
    page = context.new_page()
    page.goto(site_url + first, wait_until="networkidle")  # instant navigation starts once the sitemap is in
    wait_for_math(page)
    page.evaluate("window.__sameDocument = true; document.querySelector('article').dataset.previous = 'yes'")
    page.locator(f'nav.md-nav--primary a[href$="{second.split("/")[-2]}/"]').first.click()
    page.wait_for_url(site_url + second)
    # The address changes before the new content is in: wait for the article to be replaced.
    page.wait_for_function("() => !document.querySelector('article[data-previous]')", timeout=MATH_TIMEOUT_MS)
    page.wait_for_function("() => document.querySelectorAll('.arithmatex').length > 0", timeout=MATH_TIMEOUT_MS)
    wait_for_math(page)
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page: not instant"
    assert page.evaluate("document.querySelectorAll('.arithmatex mjx-container').length") > 0
    assert page.evaluate("document.querySelectorAll('mjx-merror').length") == 0
    page.close()


def body_word(site, location: str) -> str:
    """A long word found in the body of the page at `location` and in no other page, nor in its title."""
    docs = json.loads((site.path / "search/search_index.json").read_text())["docs"]
    words = lambda text: set(re.findall(r"\b[a-z]{9,}\b", re.sub(r"<[^>]+>", " ", text).lower()))  # noqa: E731
    own = set().union(*(words(d["text"]) for d in docs if d["location"].split("#")[0] == location))
    others = set().union(*(words(d["text"] + " " + d["title"]) for d in docs if d["location"].split("#")[0] != location))
    titles = set().union(*(words(d["title"]) for d in docs if d["location"].split("#")[0] == location))
    candidates = sorted(own - others - titles)
    return candidates[0] if candidates else ""


def test_search_finds_a_chapter_by_a_word_from_its_body(site, site_url, context):
    notebooks = [p.parent for p in (site.path / "chapters").glob("*/*.ipynb")]
    found = [(f"chapters/{p.name}/", body_word(site, f"chapters/{p.name}/")) for p in sorted(notebooks)]
    found = [(target, word) for target, word in found if word]
    assert found, "no notebook chapter has a word of its own to search for"
    target, word = found[-1]
    page = context.new_page()
    page.goto(site_url)
    page.keyboard.press("/")  # Material's shortcut to the search box ("s" and "f" work too)
    page.locator("input.md-search__input").wait_for(state="visible")
    page.keyboard.type(word, delay=20)  # fill() does not trigger Material's search
    result = page.locator(f'.md-search-result__item a[href*="{target}"]').first
    result.wait_for(timeout=15_000)
    page.close()


def test_palette_toggle_switches_between_light_and_dark(site_url, context):
    page = context.new_page()
    page.goto(site_url)
    colours = {}
    for _ in range(4):  # the toggle cycles: system preference -> light -> dark -> system preference
        scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        colours[scheme] = page.evaluate(
            "() => { const s = getComputedStyle(document.querySelector('.md-main')); "
            "const b = getComputedStyle(document.body); return [s.color, b.backgroundColor]; }"
        )
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_timeout(200)
    assert {"default", "slate"} <= set(colours), f"the toggle showed only {sorted(colours)}"
    luminance = lambda rgb: sum(int(v) for v in re.findall(r"\d+", rgb)[:3]) / 3  # noqa: E731
    light_text, light_background = colours["default"]
    dark_text, dark_background = colours["slate"]
    assert luminance(light_background) > 200 and luminance(light_text) < 100, colours["default"]
    assert luminance(dark_background) < 80 and luminance(dark_text) > 150, colours["slate"]
    page.close()


# --- Accessibility: axe-core on every page, light and dark ------------------------------------------

AXE = TREE / "node_modules" / "axe-core" / "axe.min.js"


def page_urls(site, site_url) -> list[tuple[str, str]]:
    paths = [p.relative_to(site.path).as_posix() for p in site.pages() if p.name == "index.html"]
    return [(path, site_url + re.sub(r"(^|/)index\.html$", r"\1", path)) for path in paths]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations_on_any_page(site, site_url, browser, scheme):
    assert AXE.is_file(), f"{AXE} is missing: run `npm install` (package.json pins axe-core)"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    problems, checked = [], 0
    for path, url in page_urls(site, site_url):
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        try:
            wait_for_math(page)
        except Exception:
            problems.append(f"{path}: math not typeset")
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"
        )
        problems += [f"{path} [{scheme}]: {v}" for v in violations]
        checked += 1
        page.close()
    context.close()
    assert checked > 10
    assert not problems, "\n".join(problems)


# --- Weight: the first visit of every chapter ------------------------------------------------------

FIRST_VISIT_BUDGET = 2_000_000  # bytes transferred, headers included


def test_first_visit_of_every_chapter_stays_within_two_megabytes(site, site_url, browser):
    chapters = sorted(p.parent.relative_to(site.path).as_posix() + "/" for p in (site.path / "chapters").glob("*/index.html"))
    assert len(chapters) >= 12
    heaviest, problems = (0, ""), []
    for chapter in chapters:
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # empty cache: a first visit
        page = context.new_page()
        transferred: list[tuple[int, str]] = []

        def finished(request):
            sizes = request.sizes()
            transferred.append((sizes["responseBodySize"] + sizes["responseHeadersSize"], request.url))

        page.on("requestfinished", finished)
        page.goto(site_url + chapter, wait_until="networkidle")
        wait_for_math(page)
        page.wait_for_load_state("networkidle")
        total = sum(size for size, _ in transferred)
        heaviest = max(heaviest, (total, chapter))
        if total > FIRST_VISIT_BUDGET:
            top = sorted(transferred, reverse=True)[:5]
            problems.append(f"{chapter}: {total} bytes; largest: {top}")
        speech = [url for _, url in transferred if "/sre/" in url]
        if speech:
            problems.append(f"{chapter}: speech assets loaded on the first visit: {speech}")
        context.close()
    print(f"heaviest first visit: {heaviest[1]} {heaviest[0]} bytes")
    assert not problems, "\n".join(problems)


# --- Reading comfort --------------------------------------------------------------------------------


def first_chapter_with_figures(site) -> str:
    for page in sorted((site.path / "chapters").glob("*/index.html")):
        if 'class="course-figure-code"' in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site.path).as_posix() + "/"
    raise AssertionError("no chapter has a folded figure cell")


def test_figure_code_is_shown_from_the_keyboard(site, site_url, context):
    page = context.new_page()
    page.goto(site_url + first_chapter_with_figures(site), wait_until="networkidle")
    details = page.locator("details.course-figure-code").first
    figure = page.locator("details.course-figure-code + .jp-Cell-outputWrapper img").first
    assert figure.is_visible(), "the figure must show while its code is folded"
    code = details.locator(".highlight-ipynb")
    assert not code.is_visible()
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    code.wait_for(state="visible", timeout=5_000)
    assert "# alt:" not in code.inner_text()
    page.keyboard.press("Enter")
    code.wait_for(state="hidden", timeout=5_000)
    page.close()


def test_outputs_use_the_full_column_and_figures_stay_in_their_boxes(site, site_url, context):
    problems = []
    for page_file in sorted((site.path / "chapters").glob("*/index.html")):
        if "jp-Notebook" not in page_file.read_text(encoding="utf-8"):
            continue
        location = page_file.parent.relative_to(site.path).as_posix() + "/"
        page = context.new_page()
        page.goto(site_url + location, wait_until="networkidle")
        found = page.evaluate(
            """() => {
              const column = document.querySelector('article').getBoundingClientRect();
              const out = [];
              for (const area of document.querySelectorAll('.jp-OutputArea-output')) {
                const box = area.getBoundingClientRect();
                if (box.width && box.right > column.right + 0.5) out.push(`output spills ${box.right - column.right}px`);
                if (box.width && box.width < column.width - 2) out.push(`output ${box.width}px in a ${column.width}px column`);
              }
              for (const img of document.querySelectorAll('.jp-RenderedImage img')) {
                const box = img.getBoundingClientRect(), parent = img.parentElement.getBoundingClientRect();
                if (box.right > parent.right + 0.5 || box.left < parent.left - 0.5) out.push(`figure spills ${box.right - parent.right}px`);
              }
              return out;
            }"""
        )
        problems += [f"{location}: {p}" for p in found[:3]]
        page.close()
    assert not problems, "\n".join(problems)


def test_figures_are_not_white_slabs_in_dark_mode(site, site_url, browser):
    import io

    from PIL import Image

    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + first_chapter_with_figures(site), wait_until="networkidle")
    images = page.locator(".jp-RenderedImage img")
    assert images.count() > 0
    for index in range(min(images.count(), 4)):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        shot = Image.open(io.BytesIO(image.screenshot())).convert("L")
        pixels = list(shot.get_flattened_data())
        bright = sum(1 for value in pixels if value > 200) / len(pixels)
        assert bright < 0.35, f"figure {index}: {bright:.0%} of it is near-white in dark mode"
    context.close()


@pytest.mark.parametrize("width", [1280, 1700])
def test_home_page_cards_fill_their_rows(site_url, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url, wait_until="networkidle")
    tops = page.evaluate("[...document.querySelectorAll('.grid.cards > ul > li')].map(li => Math.round(li.getBoundingClientRect().top))")
    rows = {top: tops.count(top) for top in tops}
    assert len(tops) >= 3 and len(set(rows.values())) == 1, f"cards per row: {list(rows.values())} (one card alone?)"
    context.close()
