"""Feedback pages that show their math offline: TeX turned into MathML when the page is written.

``nbgrader generate_feedback`` writes pages that load MathJax 2 from a CDN, so a learner reading
their feedback offline (or behind a firewall, or years later) sees raw ``$x = 0$``. The course's
site ships its own MathJax; a feedback page travels alone (an LMS upload, an e-mail), so it cannot
point at a copy. Instead every ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]`` in its text
becomes MathML, which browsers draw natively, and the MathJax scripts are removed: the page makes
no request at all.

The TeX may be the learner's (a written answer), so the MathML is rebuilt from an allow-list of
MathML elements and presentation attributes: no ``href``, no foreign element, text always escaped.
TeX that does not convert stays as it was written.
"""

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

MATHML = "http://www.w3.org/1998/Math/MathML"
ELEMENTS = {"math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msup", "msub", "msubsup", "mfrac",
            "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
            "mphantom", "menclose", "mfenced", "semantics", "annotation"}
ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "form", "accent", "accentunder", "columnalign",
              "rowspacing", "columnspacing", "separator", "lspace", "rspace", "minsize", "maxsize",
              "movablelimits", "symmetric", "largeop", "linethickness", "displaystyle", "scriptlevel",
              "width", "height", "depth", "columnlines", "rowlines", "frame", "notation", "open", "close"}
SKIPPED_PARENTS = {"script", "style", "pre", "code", "math", "textarea"}
MATH = re.compile(r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)|(?<![\\$])\$(?P<i2>[^$\n]+?)\$",
                  re.S)


def _clean(element):
    """A copy of ``element`` with only allowed MathML elements and attributes; None if foreign."""
    tag = element.tag.split("}")[-1]
    if tag not in ELEMENTS:
        return None
    copy = ElementTree.Element(tag, {k: v for k, v in element.attrib.items() if k in ATTRIBUTES})
    copy.text = element.text
    for child in element:
        cleaned = _clean(child)
        if cleaned is None:
            return None
        cleaned.tail = child.tail
        copy.append(cleaned)
    return copy


def tex_to_mathml(tex, display=False):
    """MathML markup for ``tex``, or None when it does not convert (or holds anything unsafe)."""
    from latex2mathml.converter import convert

    try:
        tree = ElementTree.fromstring(convert(tex.strip(), display="block" if display else "inline"))
    except Exception:  # noqa: BLE001 (TeX the converter cannot read stays as written)
        return None
    cleaned = _clean(tree)
    if cleaned is None:
        return None
    cleaned.set("xmlns", MATHML)
    cleaned.set("display", "block" if display else "inline")
    return ElementTree.tostring(cleaned, encoding="unicode")


def _replace_math(text):
    """``[(is_markup, piece)]`` for one text node: plain text and converted formulas."""
    pieces, position = [], 0
    for match in MATH.finditer(text):
        tex = match["d1"] or match["d2"] or match["i1"] or match["i2"]
        markup = tex_to_mathml(tex, display=bool(match["d1"] or match["d2"]))
        if markup is None:
            continue
        pieces.append((False, text[position:match.start()]))
        pieces.append((True, markup))
        position = match.end()
    pieces.append((False, text[position:]))
    return pieces


def offline_math(page):
    """The HTML ``page`` with its formulas as MathML and no MathJax script."""
    from bs4 import BeautifulSoup, Comment, NavigableString

    soup = BeautifulSoup(page, "html.parser")
    for script in soup.find_all("script"):
        if "mathjax" in (script.get("src") or "").lower() or "MathJax" in script.get_text():
            script.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment) and "mathjax" in s.lower()):
        comment.extract()
    for node in list(soup.find_all(string=MATH)):
        if isinstance(node, Comment) or any(p.name in SKIPPED_PARENTS for p in node.parents):
            continue
        pieces = _replace_math(str(node))
        if len(pieces) == 1:
            continue
        for is_markup, piece in pieces:
            node.insert_before(BeautifulSoup(piece, "html.parser") if is_markup else NavigableString(piece))
        node.extract()
    return str(soup)


def rewrite_feedback(feedback_dir, assignment):
    """Rewrite every feedback page of ``assignment`` (``feedback/<student>/<assignment>/*.html``)."""
    rewritten = []
    for path in sorted(Path(feedback_dir).glob(f"*/{assignment}/*.html")):
        path.write_text(offline_math(path.read_text(encoding="utf-8")), encoding="utf-8")
        rewritten.append(path)
    return rewritten
