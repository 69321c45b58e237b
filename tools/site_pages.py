"""Changes to the HTML of rendered pages (notebook pages mostly), one function per concern.

- **Figure code folded.** A code cell whose first line is `# alt: <what the figure shows>` only draws a
  figure: its code goes into a closed `<details>` ("Show the code", keyboard-operable as any
  `<summary>`) and the `# alt:` line itself is dropped from the shown and copied code (it lives on as
  the figure's alt text). The folded code is left out of the search index.
- **Download buttons.** Each chapter gets labelled buttons at its top and bottom: its own notebook and
  the exercise notebooks it links to, all with the `download` attribute.
- **Keyboard-scrollable code.** Code and output blocks that scroll sideways must be reachable from the
  keyboard: notebook `<pre>` blocks get `tabindex="0"`.
- **Search skips cell outputs and code.** Printed arrays and tables are noise in search results and were a
  fifth of the search index every first visit downloads: code cell outputs get `data-search-exclude`.
  So does each code cell's input: its highlighted `<pre>` is dropped from the index anyway, but the
  plain copy of the code kept for the copy button (and the "In [1]:" prompt) was not, a third of the
  index.
- **Named table headers.** pandas leaves the header of the index column empty; screen readers then
  announce nothing for it, so it gets a visually hidden name.
- **Lighter highlighting.** In notebook code, Pygments wraps every name (`n`), punctuation mark (`p`)
  and run of spaces (`w`) in a span that the site colours exactly like the code around it (the default
  code colour): a tenth of a chapter's HTML. Those spans are unwrapped; the code looks the same.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

ALT_COMMENT = re.compile(r"^\s*#\s*alt:\s*(?P<text>.+?)\s*$")
INPUT_START = '<div class="jp-Cell-inputWrapper"'
OUTPUT_START = '<div class="jp-Cell-outputWrapper"'
CODE_CELL_INPUT = re.compile(r'(<div class="jp-Cell jp-CodeCell[^"]*"[^>]*>\s*<div class="jp-Cell-inputWrapper")')
FIRST_CODE_LINE = re.compile(r'(<div class="highlight-ipynb[^"]*">\s*<pre[^>]*><span></span>)[^\n]*\n')
FIRST_COPY_LINE = re.compile(r'(<div class="clipboard-copy-txt"[^>]*>)[^\n]*\n')
EXERCISE_LINK = re.compile(r'href="((?:\.\./)+exercises/(\w+)\.ipynb)"')
MATERIAL_ICONS = Path(__import__("material").__file__).parent / "templates" / ".icons" / "material"


def alt_from_source(source: str) -> str | None:
    first_line = source.lstrip("\n").split("\n", 1)[0]
    found = ALT_COMMENT.match(first_line)
    return found.group("text") if found else None


def fold_figure_code(cell: str) -> str:
    """Put a figure cell's code behind "Show the code", without its `# alt:` line."""
    start, end = cell.find(INPUT_START), cell.find(OUTPUT_START)
    if start < 0 or end < start:
        return cell
    code = FIRST_COPY_LINE.sub(r"\1", FIRST_CODE_LINE.sub(r"\1", cell[start:end], count=1), count=1)
    # Plotting code is left out of the search index (Material skips data-search-exclude elements).
    folded = (
        '<details class="course-figure-code" data-search-exclude>\n<summary>Show the code</summary>\n'
        + code + "</details>\n"
    )
    return cell[:start] + folded + cell[end:]


def focusable_code(page_html: str) -> str:
    """Notebook code and output blocks (which scroll when wide) reachable with the Tab key."""
    return re.sub(
        r'(<div class="(?:highlight-ipynb[^"]*|jp-RenderedText[^"]*)"[^>]*>\s*)<pre>',
        r'\1<pre tabindex="0">',
        page_html,
    )


# Token classes the site's CSS shows in the code's own colour (extra.css: `.highlight-ipynb .n, .p`, and
# no rule at all for `.w`), and whose text holds no markup.
PLAIN_TOKEN = re.compile(r'<span class="[npw]">([^<]*)</span>')


def plain_tokens_unwrapped(page_html: str) -> str:
    """Notebook code without the spans of tokens shown in the default code colour."""
    def unwrap(block: re.Match) -> str:
        return PLAIN_TOKEN.sub(r"\1", block.group(0))

    return re.sub(r'<div class="highlight-ipynb[^"]*">.*?</pre>', unwrap, page_html, flags=re.DOTALL)


def outputs_out_of_search(page_html: str) -> str:
    return page_html.replace(OUTPUT_START, OUTPUT_START + " data-search-exclude")


def code_out_of_search(page_html: str) -> str:
    """Code cells' inputs out of the search index (figure cells are already, inside their <details>)."""
    return CODE_CELL_INPUT.sub(r"\1 data-search-exclude", page_html)


def named_table_headers(page_html: str) -> str:
    return re.sub(
        r"<th>\s*(?:&nbsp;)?\s*</th>",
        '<th><span class="course-visually-hidden">Row</span></th>',
        page_html,
    )


def _icon(name: str) -> str:
    return (MATERIAL_ICONS / f"{name}.svg").read_text(encoding="utf-8")


def download_buttons(notebook_name: str, page_html: str) -> str:
    """The chapter's download buttons: its notebook, then every exercise notebook it links to."""
    links = [
        (html.escape(notebook_name), notebook_name, "Download this chapter as a notebook", "download", True)
    ]
    seen = set()
    for href, name in EXERCISE_LINK.findall(page_html):
        if name not in seen:
            seen.add(name)
            links.append((href, f"{name}.ipynb", f"Exercise notebook ({name})", "pencil-outline", False))
    buttons = [
        f'<a class="md-button{" md-button--primary" if primary else ""}" href="{href}" download="{file}">'
        f"{_icon(icon)} {label}</a>"
        for href, file, label, icon, primary in links
    ]
    return '<div class="course-downloads">\n' + "\n".join(buttons) + "\n</div>\n"


def add_download_buttons(page_html: str, notebook_name: str) -> str:
    """Download buttons under the chapter's title and at its end."""
    buttons = download_buttons(notebook_name, page_html)
    title_end = page_html.find("</h1>")
    top = title_end + len("</h1>") if title_end >= 0 else 0
    return page_html[:top] + "\n" + buttons + page_html[top:] + "\n" + buttons
