"""MkDocs hooks for the course site (registered in mkdocs.yml under `hooks:`).

What they do, and why each is needed:

- **Execution cache keyed on nnlib.** mkdocs-jupyter caches executed notebooks by the notebook's bytes and
  the plugin options only, so a change to `nnlib/` would leave every chapter showing stale results. The
  cache folder is named after a hash of nnlib's sources (and the shared matplotlib settings): any change
  there starts a fresh cache, and the notebooks run again.
- **Offline MathJax.** MathJax 4 and its font come from `node_modules/` (npm, see package.json); only the
  files the browser loads are copied into the built site, under `assets/mathjax/`. If they are missing the
  build stops and says to run `npm install`.
- **Shared figure settings.** `docs/assets/matplotlibrc` (150 dpi, transparent, theme-aware) applies to
  every notebook the build executes, through the `MATPLOTLIBRC` variable.
- **Figure alt text, figure code folded.** A code cell that draws a figure starts with
  `# alt: <what the figure shows>`; that text becomes the `alt` of the cell's output images, and the
  cell's code is folded behind "Show the code" without that line (tools/site_pages.py). Any image left
  without alt text is a warning, so `--strict` fails and names the page.
- **Exercise downloads.** `exercises/<name>/<name>.ipynb` (the released learner notebooks) are published as
  plain files at `exercises/<name>.ipynb`, so chapters link to them as `../exercises/<name>.ipynb` and
  strict link validation fails on a link to an exercise that does not exist. Each chapter gets labelled
  download buttons (its notebook, its exercises) at its top and bottom.
- **Install without the repository.** The nnlib wheel, built from the current sources, and a course
  bundle zip are published under `downloads/` (tools/site_downloads.py). Markdown pages can name them
  with `{{ nnlib_wheel }}`, `{{ nnlib_version }}`, `{{ course_bundle }}`, `{{ site_url }}` and
  `{{ instructor_guide }}` (a link in the instructor build, plain words in the learners' site).
- **Accessibility.** Notebook code blocks are keyboard-focusable and empty table headers are named
  (tools/site_pages.py); the notebook's low-contrast highlighting colours give way to Material's.
- **Search.** The instructor pages (model answers) are kept out of the search index, and the index's
  text shows formulas as plain text, not raw TeX (tools/site_search.py).
- **Instructor material only in the instructor build.** The instructor guide (docs/instructors/: the
  written questions' rubrics, the grading workflow) is left out of the site by default, pages and
  navigation alike: the published site is the learners'. `INSTRUCTOR=1 make build` (or
  `make build-instructors`, into site-instructors/) builds the site with it
  (docs/instructors/publishing.md).
- **Footer.** The previous/next links stay within the learners' pages or within the instructors' pages:
  the last chapter does not lead into the instructor guide.
- **Stray style block.** With `markdown_cell_processor: mkdocs`, mkdocs-jupyter 0.27 leaves a
  `<style>` block that Markdown turns into visible text at the end of notebook pages; it is removed.
- **Light notebook pages.** mkdocs-jupyter inlines ~600 kB of CSS in every notebook page; it is written
  once to `assets/stylesheets/notebook-<hash>.css`, each notebook page links to it, and after the build
  it is cut down to the rules the notebook pages can use (tools/notebook_css.py). Figures are re-encoded
  with a 256-colour palette (as lossless WebP), four times smaller and alike to the eye
  (tools/site_images.py).
- **nnlib's code in the chapters.** A marker `<!-- nnlib-source: nnlib/core/losses.py:mse -->` in a chapter's
  Markdown becomes that code as it is in this build's sources, with the lines it comes from and a link to
  the whole file, published at `source/<path>` (tools/site_source.py). It cannot drift from what runs.
- **Timing.** Each notebook's conversion time is logged (`chapters/x.ipynb: converted in 7.1 s`).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import posixpath
import re
import shutil
import time
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

import notebook_css
import site_downloads
import site_images
import site_pages
import site_search
import site_source

log = logging.getLogger("mkdocs.hooks.course")

# npm packages (package.json) -> the parts of them the browser needs, copied under assets/mathjax/.
# Not the combined tex-chtml.js (1 MB): startup.js loads the TeX input, the CHTML output, the font and
# the menu with the Speech Rule Engine it needs (docs/assets/javascripts/mathjax-config.js), ~0.9 MB;
# speech and Braille rules, their worker and the explorer load only when a reader turns them on.
MATHJAX_PACKAGE = Path("node_modules/mathjax")
MATHJAX_FONT_PACKAGE = Path("node_modules/@mathjax/mathjax-newcm-font")
MATHJAX_PARTS = [
    "startup.js",  # the loader: loads the components below that the config names, the rest on demand
    "core.js",
    "input/tex.js",
    "input/tex",  # TeX extensions (autoloaded)
    "input/mml.js",  # the menu's "Show Math As" and the speech components read MathML
    "input/mml",
    "output/chtml.js",
    "ui",  # the menu (right-click or Shift+Space on a formula), accessibility settings included
    "a11y",  # assistive MathML always; the explorer, speech and Braille when a reader turns them on
    "sre/speech-worker.js",
    "sre/mathmaps/base.json",
    "sre/mathmaps/en.json",  # speech (screen readers) in English, the course's language
    "sre/mathmaps/nemeth.json",  # Braille
]
MATHJAX_FONT_PARTS = ["chtml.js", "chtml"]
MATHJAX_SITE_DIR = "assets/mathjax"
MATHJAX_FONT_SITE_DIR = "assets/mathjax/fonts/mathjax-newcm-font"  # [mathjax]/fonts in mathjax-config.js

CACHE_ROOT = Path(".cache/mkdocs-jupyter")
MATPLOTLIBRC = Path("docs/assets/matplotlibrc")
EXERCISES_DIR = Path("exercises")
CHAPTERS_DIR = "chapters"
INSTRUCTORS_DIR = "instructors/"  # model answers: only in the instructor build; never in search or learners' footers
INSTRUCTOR_BUILD = "INSTRUCTOR"  # the environment variable that asks for the instructor build ("1")
PLACEHOLDER = re.compile(r"\{\{\s*(nnlib_wheel|nnlib_version|course_bundle|site_url|instructor_guide)\s*\}\}")

NOTEBOOK_STYLE = re.compile(r'<style type="text/css">(.*?)</style>\s*', re.DOTALL)
NOTEBOOK_CSS_DIR = "assets/stylesheets"
NOTEBOOK_CSS_PREFIX = "notebook-"
NOTEBOOK_CSS_CACHE = Path(".cache/notebook-css")
NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT_ATTRIBUTE = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# mkdocs-jupyter 0.27 appends `<style>{the CSS list's repr}</style>`, indented, to each notebook's HTML; as
# Markdown (markdown_cell_processor: mkdocs) that is a code block showing the CSS as text on the page.
# mkdocs-jupyter appends its own MathJax loader to every page; the site's mathjax-config.js already loads
# MathJax and typesets every page (notebook cells included), and that loader would fetch a second copy.
JUPYTER_MATHJAX_SCRIPT = re.compile(r"<script data-mkdocs-jupyter-mathjax=.*?</script>\s*", re.DOTALL)
STRAY_STYLE = re.compile(r"\n[ \t]*<style>\s*\n[ \t]*\[.*?\][ \t]*\n[ \t]*</style>\s*\Z", re.DOTALL)


_started: dict[str, float] = {}
_placeholders: dict[str, str] = {}  # {{ name }} -> value, for the Markdown pages
_notebook_css: dict[Path, str] = {}  # shared notebook stylesheet written this build -> its full CSS
_notebook_classes: set[str] = set()  # every class used by this build's notebook pages


def _root(config: MkDocsConfig) -> Path:
    """The project folder: the one holding mkdocs.yml."""
    return Path(config.config_file_path).resolve().parent


def source_hash(root: Path) -> str:
    """A hash of everything besides the notebook itself that changes what a notebook outputs."""
    hasher = hashlib.sha256()
    sources = sorted((root / "nnlib").rglob("*.py")) if (root / "nnlib").is_dir() else []
    if (root / MATPLOTLIBRC).is_file():
        sources.append(root / MATPLOTLIBRC)
    for path in sources:
        if "__pycache__" in path.parts:
            continue
        hasher.update(path.relative_to(root).as_posix().encode() + b"\0")
        hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()[:16]


def _check_mathjax(root: Path) -> None:
    missing = [
        str(package / part)
        for package, parts in ((MATHJAX_PACKAGE, MATHJAX_PARTS), (MATHJAX_FONT_PACKAGE, MATHJAX_FONT_PARTS))
        for part in parts
        if not (root / package / part).exists()
    ]
    if missing:
        raise PluginError(
            "The offline MathJax files are missing (" + ", ".join(missing) + "). "
            f"Run `npm install` in {root} (or `make build`, which does it) and build again."
        )


def instructor_build() -> bool:
    """Whether this build carries the instructor guide (INSTRUCTOR=1); the learners' site does not."""
    value = os.environ.get(INSTRUCTOR_BUILD, "")
    if value not in ("", "0", "1"):
        raise PluginError(f"{INSTRUCTOR_BUILD} must be 1 (the instructor build) or 0/unset (the learners' site); received {value!r}.")
    return value == "1"


def _without_instructor_pages(nav: list) -> list:
    """The nav without the entries whose pages all lie under instructors/."""
    kept = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            value = _without_instructor_pages(value)
            if value:
                kept.append({next(iter(item)): value})
        elif not (isinstance(value, str) and value.startswith(INSTRUCTORS_DIR)):
            kept.append(item)
    return kept


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = _root(config)
    _check_mathjax(root)
    if not instructor_build() and config.nav:
        config.nav = _without_instructor_pages(config.nav)

    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None:
        raise PluginError("mkdocs.yml must enable the mkdocs-jupyter plugin: the chapters are notebooks.")
    if jupyter.config["allow_errors"]:
        raise PluginError("mkdocs-jupyter must run with allow_errors: false, so that a failing cell fails the build.")
    cache_dir = root / CACHE_ROOT / source_hash(root)
    jupyter.config["cache_dir"] = str(cache_dir)

    # The notebook kernels inherit this process's environment.
    if (root / MATPLOTLIBRC).is_file():
        os.environ["MATPLOTLIBRC"] = str(root / MATPLOTLIBRC)
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    _notebook_css.clear()
    _notebook_classes.clear()


@event_priority(-100)  # after mkdocs-jupyter, which would otherwise render these notebooks as pages
def on_files(files: Files, config: MkDocsConfig) -> Files:
    if not instructor_build():
        for file in [f for f in files if f.src_uri.startswith(INSTRUCTORS_DIR)]:
            files.remove(file)
    _add_sources(files, config)
    exercises = _root(config) / EXERCISES_DIR
    if not exercises.is_dir():
        return files
    for notebook in sorted(exercises.glob("*/*.ipynb")):
        if notebook.stem != notebook.parent.name:  # only the released notebook, named after its assignment
            continue
        src_uri = f"exercises/{notebook.name}"
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"docs/{src_uri} clashes with the released exercise {notebook}: remove one.")
        files.append(File.generated(config, src_uri, abs_src_path=str(notebook)))
    _add_downloads(files, config)
    return files


def _add_sources(files: Files, config: MkDocsConfig) -> None:
    """Publish each nnlib file a page's `nnlib-source` marker names, at source/<path>."""
    root = _root(config)
    wanted: dict[str, str] = {}  # path -> the first page naming it
    for file in files:
        if file.src_uri.endswith((".md", ".ipynb")) and file.abs_src_path and Path(file.abs_src_path).is_file():
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            for path in sorted(site_source.referenced_paths(text)):
                wanted.setdefault(path, file.src_uri)
    for path, page in sorted(wanted.items()):
        try:
            source = site_source.check_path(root, path)
        except site_source.SourceError as error:
            raise PluginError(f"{page}: nnlib-source marker: {error}") from error
        files.append(File.generated(config, f"{site_source.SITE_DIR}/{path}", abs_src_path=str(source)))


def _add_downloads(files: Files, config: MkDocsConfig) -> None:
    """The nnlib wheel and the course bundle, under downloads/ (a project without pyproject.toml, like
    a test's scratch site, has no wheel to publish)."""
    root = _root(config)
    _placeholders.clear()
    _placeholders["site_url"] = config.site_url or ""
    if not (root / "pyproject.toml").is_file():
        return
    try:
        wheel = site_downloads.build_wheel(root)
    except site_downloads.DownloadError as error:
        raise PluginError(str(error)) from error
    exercises = [f.abs_src_path for f in files if f.src_uri.startswith("exercises/") and f.src_uri.endswith(".ipynb")]
    chapters = [f.abs_src_path for f in files if f.src_uri.startswith(f"{CHAPTERS_DIR}/") and f.src_uri.endswith(".ipynb")]
    bundle = site_downloads.build_bundle(wheel, [Path(p) for p in sorted(exercises)], [Path(p) for p in sorted(chapters)])
    downloads = site_downloads.DOWNLOADS
    files.append(File.generated(config, f"{downloads}/{wheel.name}", abs_src_path=str(wheel)))
    files.append(File.generated(config, f"{downloads}/{site_downloads.BUNDLE_NAME}", content=bundle))
    _placeholders["nnlib_wheel"] = wheel.name
    _placeholders["nnlib_version"] = site_downloads.project_version(root)[1]
    _placeholders["course_bundle"] = site_downloads.BUNDLE_NAME


def _notebook_alt_texts(notebook: Path) -> dict[str, str]:
    """Cell id -> alt text, for the code cells whose first line is `# alt: ...`."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    found = {}
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        alt = site_pages.alt_from_source(source) if cell.get("cell_type") == "code" else None
        if alt and cell.get("id"):
            found[cell["id"]] = alt
    return found


def _figure_cells(page_html: str, notebook: Path) -> str:
    """Give each figure cell's output images the alt text from its `# alt:` first line; fold its code."""
    by_id = _notebook_alt_texts(notebook)

    def fix_cell(match: re.Match) -> str:
        cell = match.group(0)
        cell_id = re.search(r'\sid="cell-id=([^"]+)"', cell)
        alt = by_id.get(html.unescape(cell_id.group(1))) if cell_id else None
        if alt is None:  # no cell ids (nbformat < 4.5): read the highlighted source instead
            source = re.search(r'<div class="highlight-ipynb[^"]*">\s*<pre>(.*?)</pre>', cell, re.DOTALL)
            if source:
                alt = site_pages.alt_from_source(html.unescape(re.sub(r"<[^>]+>", "", source.group(1))))
        if alt is None:
            return cell
        return site_pages.fold_figure_code(IMG_TAG.sub(lambda img: _set_alt(img.group(0), alt), cell))

    return re.sub(r'<div class="jp-Cell .*?(?=<div class="jp-Cell |\Z)', fix_cell, page_html, flags=re.DOTALL)


def _set_alt(img: str, alt: str) -> str:
    value = html.escape(alt, quote=True)
    if ALT_ATTRIBUTE.search(img):
        return ALT_ATTRIBUTE.sub(f' alt="{value}"', img, count=1)
    return re.sub(r"^<img\b", f'<img alt="{value}"', img, flags=re.IGNORECASE)


def _has_alt(img: str) -> bool:
    found = ALT_ATTRIBUTE.search(img)
    text = next((group for group in found.groups() if group is not None), "") if found else ""
    return bool(text.strip()) and html.unescape(text).strip() != NBCONVERT_PLACEHOLDER_ALT


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    _started[page.file.src_uri] = time.perf_counter()  # mkdocs-jupyter converts it in on_page_markdown
    return page


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Runs after mkdocs-jupyter has replaced a notebook page's Markdown with the converted notebook."""
    if page.file.src_uri.startswith(INSTRUCTORS_DIR):
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    if page.file.src_uri.endswith(".md"):
        markdown = PLACEHOLDER.sub(lambda m: _placeholder(m.group(1), page), markdown)
    markdown = _nnlib_sources(markdown, page, config)
    if page.file.src_uri.endswith(".ipynb"):
        markdown = STRAY_STYLE.sub("\n", markdown)
        seconds = time.perf_counter() - _started.pop(page.file.src_uri, time.perf_counter())
        log.info(f"{page.file.src_uri}: converted in {seconds:.1f} s")
    return markdown


def _nnlib_sources(markdown: str, page: Page, config: MkDocsConfig) -> str:
    page_dir = posixpath.dirname(page.file.src_uri) or "."

    def link_to(path: str) -> str:
        return posixpath.relpath(f"{site_source.SITE_DIR}/{path}", page_dir)

    try:
        return site_source.expand(markdown, _root(config), link_to)
    except (site_source.SourceError, SyntaxError) as error:
        raise PluginError(f"{page.file.src_uri}: nnlib-source marker: {error}") from error


def _placeholder(name: str, page: Page) -> str:
    if name == "instructor_guide":  # a link in the instructor build; in the learners' site, where to find it
        if instructor_build():
            return f"[the instructor guide]({get_relative_url('instructors/index.md', page.file.src_uri)})"
        return "the instructor guide (in the course's repository, docs/instructors/, and in its instructor build)"
    if name not in _placeholders:
        raise PluginError(f"{page.file.src_uri}: {{{{ {name} }}}} is not available in this build (no pyproject.toml?)")
    return _placeholders[name]


def on_page_content(page_html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        # Markdown wraps the notebook's last closing tags in a paragraph: <p></div> ... </div></p>.
        page_html = re.sub(r"<p>((?:\s*</div>\s*(?:<!--[^>]*-->)?)+)\s*</p>", r"\1", page_html)
        page_html = _figure_cells(page_html, Path(page.file.abs_src_path))
        page_html = site_pages.focusable_code(page_html)
        page_html = site_pages.plain_tokens_unwrapped(page_html)
        page_html = site_images.lighter_images(page_html, _root(config))
        page_html = site_pages.outputs_out_of_search(page_html)
        page_html = site_pages.code_out_of_search(page_html)
        page_html = site_pages.add_download_buttons(page_html, Path(page.file.src_uri).name)
    page_html = site_pages.named_table_headers(page_html)
    for img in IMG_TAG.findall(page_html):
        if not _has_alt(img):
            hint = (
                "start the code cell that draws it with a line `# alt: <what the figure shows>`"
                if page.file.src_uri.endswith(".ipynb")
                else "write ![what the image shows](path)"
            )
            log.warning(f"{page.file.src_uri}: an image has no alt text ({img[:80]}...): {hint}.")
    return page_html


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
    """Footer links stay on one side: learners' pages lead to learners' pages, instructors' to instructors'."""
    instructors = page.file.src_uri.startswith(INSTRUCTORS_DIR)
    for side in ("previous_page", "next_page"):
        other = getattr(page, side)
        if other is not None and other.file.src_uri.startswith(INSTRUCTORS_DIR) != instructors:
            setattr(page, side, None)
    return context


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Drop mkdocs-jupyter's MathJax loader; move the ~600 kB of CSS that mkdocs-jupyter inlines in every
    notebook page into one shared file."""
    output = JUPYTER_MATHJAX_SCRIPT.sub("", output)
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    _notebook_classes.update(notebook_css.used_classes(output))
    start = output.find("md-content__inner")
    end = output.find('<div class="jupyter-wrapper">', start)
    if start < 0 or end < 0:
        return output
    region = output[start:end]
    css = "\n".join(block.strip() for block in NOTEBOOK_STYLE.findall(region))
    if not css:
        return output
    name = f"{NOTEBOOK_CSS_PREFIX}{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(config.site_dir) / NOTEBOOK_CSS_DIR / name
    _notebook_css[target] = css  # written, trimmed to what the pages use, after the build
    # A <link> in the content (not the head) comes and goes with the page under instant navigation,
    # exactly as the inline blocks did: the notebook styles never reach the Markdown pages.
    href = get_relative_url(f"{NOTEBOOK_CSS_DIR}/{name}", page.url)
    region = NOTEBOOK_STYLE.sub("", region, count=1)
    region = NOTEBOOK_STYLE.sub("", region) + f'<link rel="stylesheet" href="{href}">\n'
    return output[:start] + region + output[end:]


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config: MkDocsConfig) -> None:
    root = _root(config)
    for target, css in _notebook_css.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_trimmed_notebook_css(root, css), encoding="utf-8")
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.is_file():
        site_search.clean_search_index(index)
    site = Path(config.site_dir)
    for package, parts, target in (
        (MATHJAX_PACKAGE, MATHJAX_PARTS, MATHJAX_SITE_DIR),
        (MATHJAX_FONT_PACKAGE, MATHJAX_FONT_PARTS, MATHJAX_FONT_SITE_DIR),
    ):
        for part in parts:
            _copy_if_changed(root / package / part, site / target / part)

    # Forget the caches of earlier nnlib versions: they can never be hit again.
    current = Path(config.plugins["mkdocs-jupyter"].config["cache_dir"])
    if current.parent.is_dir():
        for stale in current.parent.iterdir():
            if stale.is_dir() and stale != current:
                shutil.rmtree(stale, ignore_errors=True)


def _trimmed_notebook_css(root: Path, css: str) -> str:
    """The notebook stylesheet trimmed to this build's classes (cached: trimming takes ~1 s)."""
    key = hashlib.sha256((css + "\0" + " ".join(sorted(_notebook_classes))).encode()).hexdigest()[:16]
    cached = root / NOTEBOOK_CSS_CACHE / f"{key}.css"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    trimmed = notebook_css.trim(notebook_css.without_highlighting(css), _notebook_classes)
    if cached.parent.is_dir():
        shutil.rmtree(cached.parent, ignore_errors=True)  # trims of earlier pages can never be hit again
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(trimmed, encoding="utf-8")
    return trimmed


def _copy_if_changed(source: Path, target: Path) -> None:
    if source.is_dir():
        for child in source.iterdir():
            _copy_if_changed(child, target / child.name)
        return
    if target.exists() and target.stat().st_size == source.stat().st_size and target.stat().st_mtime >= source.stat().st_mtime:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
