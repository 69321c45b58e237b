"""The course site builds strictly, with every chapter, offline assets, figure alt text and downloads."""

from __future__ import annotations

import html
import json
import re
import sys
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
    """Every page of the nav is built, but the instructor guide's only in the instructor build
    (test_instructor_build.py builds that one)."""
    assert (TREE / "docs" / src).exists(), f"mkdocs.yml's nav lists docs/{src}, which does not exist"
    if src.startswith("instructors/"):
        assert not page_file(site.path, src).exists(), f"the learners' site carries docs/{src}"
    else:
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
    assert (site.path / "assets/mathjax/startup.js").is_file()
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


# --- Downloads: a learner needs nothing but the site -------------------------------------------------


def test_chapters_offer_labelled_download_buttons_at_top_and_bottom(site):
    for src, page in notebook_pages(site):
        text = page.read_text(encoding="utf-8")
        name = Path(src).name
        buttons = re.findall(r'<a class="md-button[^"]*" href="([^"]+)" download="([^"]+)">(.*?)</a>', text, re.DOTALL)
        labels = [(href, file, re.sub(r"<svg.*?</svg>", "", label, flags=re.DOTALL).strip()) for href, file, label in buttons]
        assert labels.count((name, name, "Download this chapter as a notebook")) == 2, f"{src}: {labels}"
        for assignment in re.findall(r'href="(?:\.\./)+exercises/(\w+)\.ipynb"', text):
            exercise = [b for b in labels if b[1] == f"{assignment}.ipynb"]
            assert len(exercise) == 2 and exercise[0][2] == f"Exercise notebook ({assignment})", f"{src}: {labels}"
        # The buttons sit inside the content, not floated beside it (which cost the outputs 32 px).
        assert "md-content__button" not in text, f"{src}: a floated download button is back"


def wheel_file(site) -> Path:
    wheels = sorted((site.path / "downloads").glob("nnlib-*-py3-none-any.whl"))
    assert len(wheels) == 1, f"expected one nnlib wheel in downloads/, found {wheels}"
    return wheels[0]


def test_the_site_publishes_an_nnlib_wheel_of_the_current_sources(site):
    import tomllib
    import zipfile

    version = tomllib.loads((TREE / "pyproject.toml").read_text())["project"]["version"]
    wheel = wheel_file(site)
    assert wheel.name == f"nnlib-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"nnlib-{version}.dist-info/METADATA").decode()
        entry_points = archive.read(f"nnlib-{version}.dist-info/entry_points.txt").decode()
        for source in sorted((TREE / "nnlib").rglob("*.py")) + sorted((TREE / "nngrade").rglob("*.py")):
            if "__pycache__" in source.parts:
                continue
            member = source.relative_to(TREE).as_posix()
            assert member in names, f"{member} is missing from the wheel"
            assert archive.read(member) == source.read_bytes(), f"{member} in the wheel is not the current source"
    assert "Provides-Extra: learner" in metadata
    assert "nngrade = nngrade.cli:main" in entry_points


def test_the_course_bundle_holds_every_exercise_the_wheel_and_a_readme(site):
    import zipfile

    bundles = list((site.path / "downloads").glob("*.zip"))
    assert len(bundles) == 1, bundles
    with zipfile.ZipFile(bundles[0]) as bundle:
        names = {Path(n).relative_to(Path(n).parts[0]).as_posix() for n in bundle.namelist()}
        assert wheel_file(site).name in names
        assert "README.txt" in names
        readme = next(bundle.read(n).decode() for n in bundle.namelist() if n.endswith("README.txt"))
    assert wheel_file(site).name in readme and "nngrade check" in readme
    assert {f"exercises/{a}.ipynb" for a in ASSIGNMENTS} <= names


def test_the_setup_page_installs_the_published_wheel(site):
    page = site.path / "setup" / "index.html"
    assert page.is_file(), "no Set up page at /setup/ (exercise notebooks point learners there)"
    text = page.read_text(encoding="utf-8")
    wheel = wheel_file(site).name
    assert f'href="../downloads/{wheel}"' in text
    assert f"{wheel}[learner]" in html.unescape(re.sub(r"<[^>]+>", "", text))
    assert "Linux and macOS" in text and "Windows" in text and 'class="tabbed-set' in text
    assert "make learn" in text, "the Set up page should say how to work from a clone"
    assert "{{" not in text, "a placeholder was left unreplaced"


# --- Reading comfort ---------------------------------------------------------------------------------


def test_figure_code_is_folded_and_the_alt_line_is_not_shown(site):
    folded = 0
    for src, page in notebook_pages(site):
        text = page.read_text(encoding="utf-8")
        assert "# alt:" not in text, f"{src}: an `# alt:` line is shown (or copied) with the code"
        for cell in re.split(r'(?=<div class="jp-Cell )', text):
            if "<img" in cell and "jp-Cell-inputWrapper" in cell:
                assert '<details class="course-figure-code"' in cell and "<summary>Show the code</summary>" in cell, (
                    f"{src}: a figure cell's code is not folded"
                )
                folded += 1
    assert folded >= 10, f"only {folded} folded figure cells"


def test_notebook_code_blocks_are_keyboard_focusable(site):
    for src, page in notebook_pages(site):
        text = page.read_text(encoding="utf-8")
        blocks = re.findall(r'<div class="highlight-ipynb[^"]*">\s*<pre([^>]*)>', text)
        assert blocks, src
        assert all('tabindex="0"' in attrs for attrs in blocks), f"{src}: a code block cannot be reached with Tab"


def test_notebook_code_keeps_only_the_spans_that_colour_it(site):
    page = (site.path / "chapters/01-neuron/index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="highlight-ipynb[^"]*">.*?</pre>', page, flags=re.DOTALL)
    assert blocks and not [b for b in blocks if re.search(r'<span class="[npw]">', b)]
    assert any('<span class="k' in b for b in blocks), "keywords lost their colour"
    assert any("import" in b and "numpy" in b for b in blocks), "the code's names vanished"


def test_no_table_has_an_empty_header_cell(site):
    for page in site.pages():
        assert not re.search(r"<th>\s*(&nbsp;)?\s*</th>", page.read_text(encoding="utf-8")), page


def test_notebook_stylesheet_is_trimmed_to_what_the_pages_use(site):
    sheets = list((site.path / "assets/stylesheets").glob("notebook-*.css"))
    assert len(sheets) == 1, sheets
    css = sheets[0].read_text(encoding="utf-8")
    assert len(css.encode()) < 60_000, f"{sheets[0].name} is {len(css.encode())} bytes"
    for needed in (".jp-OutputArea-output", ".jp-RenderedImage", "--jp-cell-editor-background"):
        assert needed in css, f"{needed} was trimmed away"
    assert ".jp-FileBrowser" not in css and "--jp-icon-" not in css
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    errors = [r.message for r in rules if r.type == "error"]
    assert not errors, f"the trimmed stylesheet does not parse (later rules are lost): {errors}"
    preludes = {tinycss2.serialize(r.prelude).strip() for r in rules if r.type == "qualified-rule"}
    assert ".jupyter-wrapper .clipboard-copy-txt" in preludes, "the copy buttons' hidden text would show"


def test_matplotlib_settings_give_sharp_readable_theme_aware_figures():
    import matplotlib
    import matplotlib.font_manager

    rc = matplotlib.rc_params_from_file(str(TREE / "docs/assets/matplotlibrc"), use_default_template=True)
    assert rc["figure.dpi"] >= 150 and rc["savefig.dpi"] >= 150
    sizes = matplotlib.font_manager.font_scalings
    base = rc["font.size"]
    for key in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
        value = rc[key]
        points = value if isinstance(value, (int, float)) else base * sizes[value]
        assert points >= 9, f"{key} = {value} ({points} pt)"
    assert rc["savefig.transparent"] and rc["figure.facecolor"] == "none", "figures must not be white slabs"


# --- Search and navigation ---------------------------------------------------------------------------


def search_docs(site) -> list[dict]:
    return json.loads((site.path / "search/search_index.json").read_text(encoding="utf-8"))["docs"]


def test_instructor_pages_are_not_in_the_search_index(site):
    instructor = [d["location"] for d in search_docs(site) if d["location"].startswith("instructors/")]
    assert not instructor, f"instructor pages (model answers) are searchable: {instructor[:5]}"
    assert any(d["location"].startswith("chapters/") for d in search_docs(site))


def test_search_snippets_show_no_raw_tex(site):
    sys.path.insert(0, str(TREE / "tools"))
    from site_search import has_raw_tex

    raw = [(d["location"], d["text"][:120]) for d in search_docs(site) if has_raw_tex(d["text"]) or has_raw_tex(d["title"])]
    assert not raw, f"{len(raw)} search entries show TeX, e.g. {raw[:3]}"
    assert any("∑" in d["text"] or "ŷ" in d["text"] for d in search_docs(site)), "formulas vanished from the index"


def test_the_search_index_is_plain_prose_without_code_blocks(site):
    docs = search_docs(site)
    blocks = [d["location"] for d in docs if "<pre" in d["text"]]
    assert not blocks, f"code blocks in the search index (every first visit downloads it): {blocks[:5]}"
    code_cells = [d["location"] for d in docs if "Copied!" in d["text"] or re.search(r"In\s*\[\d+\]:", d["text"])]
    assert not code_cells, f"notebook code cells in the search index: {code_cells[:5]}"
    tagged = [d["location"] for d in docs if re.search(r"</?(p|li|code)>", d["text"])]
    assert not tagged, f"markup left in the search index: {tagged[:5]}"
    # inline code stays searchable as words: chapter 10 names nnlib's and Keras's `fit` in its prose
    assert any("model.fit" in d["text"] or "fit(" in d["text"] for d in docs if d["location"].startswith("chapters/10"))


def test_footer_links_stay_with_the_learners_or_with_the_instructors(site):
    from urllib.parse import urljoin

    checked = 0
    for page in site.pages():
        location = page.relative_to(site.path).as_posix()
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'<a href="([^"]+)" class="md-footer__link', text):
            target = urljoin("/" + location, href).lstrip("/")
            assert target.startswith("instructors/") == location.startswith("instructors/"), (
                f"{location}: the footer leads across to {target}"
            )
            checked += 1
    faq = (site.path / "chapters/12-faq/index.html").read_text(encoding="utf-8")
    assert 'aria-label="Next: Playground"' in faq, "the FAQ's Next should lead to the playground"
    playground = (site.path / "playground/index.html").read_text(encoding="utf-8")
    assert "md-footer__link--next" not in playground, "the learners' last page leads into the instructor guide"
    assert checked > 10


def test_canonical_links_and_sitemap_follow_site_url(site):
    site_url = load_mkdocs_yml()["site_url"]
    sitemap = (site.path / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{site_url}chapters/01-neuron/</loc>" in sitemap
    page = (site.path / "chapters/01-neuron/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{site_url}chapters/01-neuron/">' in page


def test_the_published_site_gives_learners_no_rubric(site):
    """`make build` is the learners' site: no instructor page, no link to one, no full-marks answer."""
    assert not (site.path / "instructors").exists()
    for page in site.pages():
        text = page.read_text(encoding="utf-8")
        assert "Full marks" not in text, f"{page.relative_to(site.path)} shows a rubric"
        assert not re.search(r'href="[^"]*instructors/', text), f"{page.relative_to(site.path)} links to the instructor guide"
    assert "Full marks" not in (site.path / "search/search_index.json").read_text(encoding="utf-8")
