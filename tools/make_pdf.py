"""The whole course as one PDF, for learners who read on paper: `make pdf`.

    python tools/make_pdf.py SITE_DIR OUTPUT.pdf

The built site is served on a free local port and opened in headless Chromium (Playwright, Debian's
chromium). One print page is assembled in the browser: a title and a table of contents linking to every
chapter, then every chapter's article in order (figures included; their folded code and the download
buttons are left out), the formulas typeset by the site's own MathJax. Chromium prints it with page
numbers and a PDF outline; every folded answer is printed open, and the PDF's title is the course's.
Nothing is fetched from the network: the page makes no request outside the
local server, and the script fails if it tries.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 120_000

# Runs in the first chapter's page: fetch every chapter, keep its article, typeset, report.
ASSEMBLE = """
async ({chapters, title}) => {
  const parser = new DOMParser();
  const toc = [];
  const sections = [];
  for (const [index, url] of chapters.entries()) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const page = parser.parseFromString(await response.text(), "text/html");
    const article = page.querySelector("article.md-content__inner");
    if (!article) throw new Error(`${url}: no article`);
    article.querySelectorAll(".course-downloads, details.course-figure-code, .headerlink, .md-source-file")
      .forEach(element => element.remove());
    const heading = article.querySelector("h1");
    const name = heading ? heading.textContent.trim() : url;
    const id = `course-chapter-${index + 1}`;
    toc.push(`<li><a href="#${id}">${name}</a></li>`);
    sections.push(`<section class="course-print-chapter" id="${id}">${article.innerHTML}</section>`);
  }
  // On paper nothing can be unfolded: every answer of "Check yourself" (and any other fold) is printed open.
  // The PDF's own title (its metadata, what a reader's window shows) is the course's, not chapter 1's.
  document.title = title;
  const content = document.querySelector(".md-content");
  content.innerHTML = `<article class="md-content__inner md-typeset">
    <section class="course-print-title"><h1>${title}</h1><h2>Contents</h2><ul style="list-style: none">${toc.join("")}</ul></section>
    ${sections.join("")}</article>`;
  content.querySelectorAll("details").forEach(details => { details.open = true; });
  const style = document.createElement("style");
  style.textContent = `
    .md-header, .md-tabs, .md-sidebar, .md-footer, .md-top, .md-dialog, .md-progress { display: none !important; }
    .md-main__inner, .md-content { margin: 0 !important; max-width: none !important; }
    .course-print-chapter { break-before: page; }
    .jp-RenderedImage img { break-inside: avoid; }`;
  document.head.appendChild(style);
  await MathJax.startup.promise;
  MathJax.typesetClear();
  await MathJax.typesetPromise();
  await document.fonts.ready;
  await Promise.all([...document.images].map(image => image.decode().catch(() => null)));
  return {
    chapters: sections.length,
    formulas: document.querySelectorAll(".arithmatex").length,
    typeset: document.querySelectorAll(".arithmatex mjx-container").length,
    errors: document.querySelectorAll("mjx-merror").length,
    images: [...document.images].filter(image => image.naturalWidth > 0).length,
  };
}
"""


def chapter_paths(site: Path) -> list[str]:
    """Site paths of the chapters, in order (their folders are numbered)."""
    return [f"chapters/{folder.name}/" for folder in sorted((site / "chapters").iterdir())
            if (folder / "index.html").is_file()]


def make_pdf(site: Path, output: Path, title: str = "How Neural Networks Work", browser=None) -> dict:
    """Print the built `site` into `output`; `browser` is a Playwright Chromium to use (else one is
    launched). Returns what was printed: chapters, formulas found and typeset, TeX errors, figures."""
    chapters = chapter_paths(site)
    if not chapters:
        raise SystemExit(f"error: {site}/chapters/ has no built chapters: run `make build` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        if browser is not None:
            report, foreign = _print(browser, base, chapters, title, output)
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                try:
                    report, foreign = _print(browser, base, chapters, title, output)
                finally:
                    browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if foreign:
        raise SystemExit(f"error: the print page requested other origins: {foreign[:5]}")
    if report["errors"] or report["typeset"] < report["formulas"]:
        raise SystemExit(f"error: math not fully typeset: {report}")
    return report


def _print(browser, base: str, chapters: list[str], title: str, output: Path) -> tuple[dict, list[str]]:
    foreign: list[str] = []
    context = browser.new_context(color_scheme="light")
    try:
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:", "about:")) else foreign.append(r.url))
        page.goto(base + chapters[0], wait_until="networkidle")
        report = page.evaluate(ASSEMBLE, {"chapters": [base + c for c in chapters], "title": title})
        page.emulate_media(media="print")
        output.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(output), format="A4", print_background=True, outline=True, tagged=True,
                 display_header_footer=True, header_template="<span></span>",
                 footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                 '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                 margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
    finally:
        context.close()
    return report, foreign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (make build writes site/)")
    parser.add_argument("output", type=Path, help="where to write the PDF")
    args = parser.parse_args(argv)
    report = make_pdf(args.site, args.output)
    print(f"{args.output}: {report['chapters']} chapters, {report['typeset']} formulas, {report['images']} figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
