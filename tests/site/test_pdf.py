"""`make pdf`: the whole course as one PDF, with every chapter, its figures and typeset math."""

from __future__ import annotations

import html
import re
import sys

import pytest

from site_scratch import TREE

pytestmark = pytest.mark.slow


def code_text(site_path, chapters) -> str:
    """The text of every code block (<pre>) on the chapter pages, as a reader sees it."""
    blocks = []
    for chapter in chapters:
        page = (site_path / chapter / "index.html").read_text(encoding="utf-8")
        blocks += [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.DOTALL)]
    return "\n".join(blocks)


def test_the_course_pdf_has_every_chapter_with_figures_and_typeset_math(site, browser, tmp_path):
    sys.path.insert(0, str(TREE / "tools"))
    import make_pdf
    from pypdf import PdfReader

    output = tmp_path / "course.pdf"
    report = make_pdf.make_pdf(site.path, output, browser=browser)

    chapters = make_pdf.chapter_paths(site.path)
    assert report["chapters"] == len(chapters) >= 12
    reader = PdfReader(output)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    for chapter in chapters:
        page = (site.path / chapter / "index.html").read_text(encoding="utf-8")
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL).group(1)
        title = html.unescape(re.sub(r"<[^>]+>", "", heading)).replace("¶", "").strip()
        assert title in flat, f"the PDF lacks the chapter {title!r}"
        assert flat.count(title) >= 2, f"{title!r} is not both in the table of contents and as a chapter"
    outline = [item["/Title"] for item in reader.outline if isinstance(item, dict)]
    assert len(outline) >= 1, "the PDF has no outline (bookmarks)"
    # TeX outside math is raw TeX; inside code (nnlib's docstrings, shown as code) it is literally code,
    # so the PDF may hold each TeX command as often as the chapters' code blocks do, and no more.
    code = code_text(site.path, chapters)
    for command in ("\\(", "\\frac", "\\sum"):
        assert text.count(command) <= code.count(command), f"raw TeX {command!r} in the PDF, outside code"
    assert "∑" in text, "no typeset formula (MathJax writes ∑ for \\sum) in the PDF's text"
    assert report["formulas"] > 100 and report["typeset"] == report["formulas"] and report["errors"] == 0
    figures = sum(len(page.images) for page in reader.pages)
    site_figures = sum(
        (site.path / c / "index.html").read_text(encoding="utf-8").count("<img") for c in chapters
    )
    assert figures >= site_figures > 10, f"{figures} images in the PDF, {site_figures} on the chapter pages"
    assert len(reader.pages) > 3 * len(chapters)


def test_the_pdf_prints_every_answer_open_under_the_course_title(site, browser, tmp_path):
    """On paper nothing unfolds: the check-yourself answers are printed; the PDF's title is the course's."""
    sys.path.insert(0, str(TREE / "tools"))
    import make_pdf
    from pypdf import PdfReader

    output = tmp_path / "course.pdf"
    make_pdf.make_pdf(site.path, output, browser=browser)
    reader = PdfReader(output)
    assert reader.metadata.title == "How Neural Networks Work"
    flat = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    # answers folded behind "??? question" on the chapter pages (<details> closed there)
    chapter_4 = (site.path / "chapters/04-multilayer/index.html").read_text(encoding="utf-8")
    assert re.search(r"<details class=\"question\">", chapter_4), "chapter 4 folds its answers"
    assert "200 weights and 10 biases" in flat
