"""The course site builds strictly, with every chapter, offline assets, figure alt text and downloads."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from site_scratch import TREE, load_mkdocs_yml

# Every assignment in solutions/ (tests/exercises checks that list against the course plan).
ASSIGNMENTS = sorted(p.name for p in (TREE / "solutions").iterdir() if p.is_dir())
PLACEHOLDER_ALT = "No description has been provided for this image"


def nav_paths(nav=None) -> list[str]:
    """Every page path in mkdocs.yml's nav, in order."""
    if nav is None:
        nav = load_mkdocs_yml()["nav"]
    paths = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        paths.extend(nav_paths(value) if isinstance(value, list) else [value])
    return paths


def page_file(site_path: Path, src: str) -> Path:
    """Where the build writes the page of a docs/ source file (directory URLs)."""
    stem = Path(src).with_suffix("")
    return site_path / (stem.parent if stem.name == "index" else stem) / "index.html"


def test_strict_build_succeeds(built_site):
    assert built_site.returncode == 0, "mkdocs build --strict failed:\n" + built_site.log[-6000:]


@pytest.mark.parametrize("src", nav_paths())
def test_every_nav_page_is_built(site, src):
    assert (TREE / "docs" / src).exists(), f"mkdocs.yml's nav lists docs/{src}, which does not exist"
    assert page_file(site.path, src).is_file(), f"no page was built for docs/{src}"


def notebook_pages(site) -> list[tuple[str, Path]]:
    return [(src, page_file(site.path, src)) for src in nav_paths() if src.endswith(".ipynb")]


def test_notebook_pages_offer_their_notebook_for_download(site):
    pages = notebook_pages(site)
    assert pages, "the nav lists no notebook chapters"
    for src, page in pages:
        text = page.read_text(encoding="utf-8")
        name = Path(src).name
        assert f'href="{name}" download=' in text, f"{src}: no download button"
        downloaded = page.parent / name
        assert downloaded.read_bytes() == (TREE / "docs" / src).read_bytes(), f"{src}: download differs"


def test_notebook_pages_show_no_stray_style_block(site):
    # mkdocs-jupyter 0.27 leaves "<style>['...css...']</style>" as visible text; the hook removes it and moves
    # the notebook CSS into one shared stylesheet.
    for src, page in notebook_pages(site):
        text = page.read_text(encoding="utf-8")
        assert "&lt;style" not in text, f"{src}: a <style> block is shown as text"
        assert "Literal.Number.Integer.Long" not in text, f"{src}: notebook CSS is inlined in the page"
        assert re.search(r'<link rel="stylesheet" href="(\.\./)+assets/stylesheets/notebook-\w+\.css">', text)


def test_every_image_has_alt_text(site):
    missing = []
    for page in site.pages():
        for img in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8")):
            alt = re.search(r'\salt="([^"]*)"', img)
            text = html.unescape(alt.group(1)).strip() if alt else ""
            if not text or text == PLACEHOLDER_ALT:
                missing.append(f"{page.relative_to(site.path)}: {img[:100]}")
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_offline_mathjax_is_in_the_site(site):
    assert (site.path / "assets/mathjax/tex-chtml.js").is_file()
    assert (site.path / "assets/mathjax/fonts/mathjax-newcm-font/chtml.js").is_file()
    assert list((site.path / "assets/mathjax/fonts/mathjax-newcm-font/chtml/woff2").glob("*.woff2"))
    for page in site.pages():
        text = page.read_text(encoding="utf-8")
        # No script or stylesheet from another origin (the browser tests check real requests too).
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), page
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', text), page


def test_exercises_are_published_as_downloads(site):
    missing = [a for a in ASSIGNMENTS if not (TREE / "exercises" / a / f"{a}.ipynb").is_file()]
    assert not missing, f"released exercise notebooks missing: exercises/<a>/<a>.ipynb for {missing}"
    for assignment in ASSIGNMENTS:
        published = site.path / "exercises" / f"{assignment}.ipynb"
        assert published.read_bytes() == (TREE / "exercises" / assignment / f"{assignment}.ipynb").read_bytes()
        assert not (site.path / "exercises" / assignment / "index.html").exists(), "rendered as a page"


def test_every_exercise_is_linked_from_a_chapter(site):
    linked = set()
    for page in (site.path / "chapters").rglob("index.html"):
        linked.update(re.findall(r'href="(?:\.\./)+exercises/(\w+)\.ipynb"', page.read_text(encoding="utf-8")))
    assert set(ASSIGNMENTS) <= linked, f"no chapter links to the exercises {sorted(set(ASSIGNMENTS) - linked)}"


def test_notebooks_are_stored_without_outputs():
    stored_with_outputs = []
    notebooks = [p for folder in ("docs", "solutions", "exercises") for p in (TREE / folder).rglob("*.ipynb")]
    for path in notebooks:
        if ".ipynb_checkpoints" in path.parts:
            continue
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        if any(c.get("outputs") or c.get("execution_count") for c in cells if c.get("cell_type") == "code"):
            stored_with_outputs.append(str(path.relative_to(TREE)))
    assert not stored_with_outputs, "clear these notebooks' outputs before committing: " + ", ".join(stored_with_outputs)
