"""Search snippets without raw TeX.

Material's search index stores each section's text as the page shows it before MathJax runs, so a
formula appears in search results as `\\(\\hat y = f\\!\\left(\\sum_{i=1}^{n} w_i x_i + b\\right)\\)`. The
index is rewritten after the build: inline formulas become plain text close to what a reader sees
(`ŷ = f(∑_i=1^n w_i x_i + b)`), and display formulas, which are too long for a snippet, are dropped
(the words around them remain searchable). Code blocks (notebook cells, shell commands) are left out
of the index: they were a fifth of it, and every page downloads the whole index on its first visit;
inline code in the prose stays searchable, as plain words. Paragraph, list and code tags go too (after
the formulas are converted, so that a `$` in code is never read as math): a snippet is one run of text.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

INLINE = re.compile(r"\\\((.+?)\\\)|(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.DOTALL)
DISPLAY = re.compile(r"\\\[.+?\\\]|\$\$.+?\$\$|\\begin\{(\w+\*?)\}.+?\\end\{\1\}", re.DOTALL)
COMMAND = re.compile(r"\\([A-Za-z]+|.)")
CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)  # left as they are
CODE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
STRUCTURE = re.compile(r"</?(?:p|ul|ol|li|code)>")  # a snippet is shown as one run of text anyway

SYMBOLS = {
    "sum": "∑", "prod": "∏", "partial": "∂", "nabla": "∇", "infty": "∞", "cdot": "·", "cdots": "⋯",
    "ldots": "…", "dots": "…", "times": "×", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "in": "∈", "to": "→", "rightarrow": "→", "leftarrow": "←", "mapsto": "↦",
    "pm": "±", "sqrt": "√", "log": "log", "exp": "exp", "ln": "ln", "max": "max", "min": "min",
    "top": "ᵀ", "odot": "⊙", "circ": "∘", "mid": "|", "quad": " ", "qquad": " ", "hat": "", "bar": "",
    "tilde": "", "vec": "", "mathbf": "", "mathrm": "", "text": "", "operatorname": "", "boldsymbol": "",
    "frac": "", "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "", "displaystyle": "",
}


def _command(match: re.Match) -> str:
    name = match.group(1)
    if name in SYMBOLS:
        return SYMBOLS[name]
    if len(name) == 1:  # \, \! \; \{ \} \\ ...: spacing or an escaped character
        return name if name in "{}%$#&_" else " " if name in ",;: " else ""
    for case in ("SMALL", "CAPITAL"):  # \alpha -> α, \Sigma -> Σ
        try:
            letter = unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}")
        except KeyError:
            continue
        if (case == "CAPITAL") == name[0].isupper():
            return letter
    return name


def plain_math(tex: str) -> str:
    """A formula as plain text: commands to symbols, braces and spacing commands gone."""
    text = re.sub(r"\\hat\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))", lambda m: (m.group(1) or m.group(2)) + "\u0302", tex)
    text = COMMAND.sub(_command, text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _prose(text: str) -> str:
    text = DISPLAY.sub(" ", text)
    text = INLINE.sub(lambda m: plain_math(m.group(1) if m.group(1) is not None else m.group(2)), text)
    return re.sub(r"[ \t]{2,}", " ", text)


def plain_text(text: str) -> str:
    """The index text with its formulas as plain text; code (a `$` in a shell line) is left alone."""
    return "".join(part if CODE.fullmatch(part) else _prose(part) for part in CODE.split(text))


def has_raw_tex(text: str) -> bool:
    """True if the text outside code still shows TeX: delimiters, or a backslash command."""
    prose = html.unescape(CODE.sub(" ", text))
    return bool(re.search(r"\\[()\[\]]|\\[A-Za-z]{2,}|\$\$", prose))


def clean_search_index(path: Path) -> None:
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index.get("docs", []):
        doc["text"] = STRUCTURE.sub(" ", plain_text(CODE_BLOCK.sub(" ", doc.get("text", "")))).strip()
        doc["title"] = plain_text(doc.get("title", ""))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
