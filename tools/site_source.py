"""The chapters show nnlib's own code, read from the source files at build time.

A chapter that teaches a piece of nnlib ends with the code that computes it. Copying that code into the
notebook would let the two drift apart; instead the chapter's Markdown holds a marker,

    <!-- nnlib-source: nnlib/core/losses.py -->              the whole file
    <!-- nnlib-source: nnlib/core/losses.py:mse -->          one top-level function or class
    <!-- nnlib-source: nnlib/core/layers.py:Dense.backward -->   one method

and the build replaces it with the code as it is in that build's sources (highlighted, with the lines it
comes from) and a link to the whole file, which the build publishes at `source/<path>`. A marker
naming a file, function or class that does not exist stops the build and names the page and the marker.
In Jupyter the marker is an HTML comment and shows nothing.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"<!--\s*nnlib-source:\s*(?P<path>[\w./-]+\.py)(?::(?P<name>[\w.]+))?\s*-->")
SITE_DIR = "source"  # the published copies live at source/<path>, e.g. source/nnlib/core/losses.py


class SourceError(Exception):
    """A marker names a file or a definition that is not there."""


@dataclass(frozen=True)
class Excerpt:
    path: str  # relative to the project, with forward slashes
    name: str | None  # None: the whole file
    code: str
    first_line: int  # the line number of the excerpt's first line in the file


def referenced_paths(text: str) -> set[str]:
    """The source files the markers in `text` name."""
    return {found.group("path") for found in MARKER.finditer(text)}


def check_path(root: Path, path: str) -> Path:
    """The file a marker names: inside the project's nnlib/ package, and there."""
    file = (root / path).resolve()
    package = (root / "nnlib").resolve()
    if package not in file.parents:
        raise SourceError(f"{path} is not a file of the nnlib package (markers may only show nnlib's code)")
    if not file.is_file():
        raise SourceError(f"{path} does not exist")
    return file


def excerpt(root: Path, path: str, name: str | None = None) -> Excerpt:
    """The code of a whole file, or of one definition in it (decorators and docstring included)."""
    source = check_path(root, path).read_text(encoding="utf-8")
    if name is None:
        return Excerpt(path, None, source.rstrip("\n"), 1)
    node = _definition(ast.parse(source, filename=path), name, path)
    start = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
    lines = source.splitlines()[start - 1 : node.end_lineno]
    return Excerpt(path, name, textwrap.dedent("\n".join(lines)), start)


def _definition(tree: ast.Module, name: str, path: str) -> ast.AST:
    scope: ast.AST = tree
    for part in name.split("."):
        found = [
            node
            for node in getattr(scope, "body", [])
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == part
        ]
        if not found:
            defined = sorted(
                node.name for node in getattr(scope, "body", [])
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            )
            raise SourceError(f"{path} has no definition named {name!r} (it defines: {', '.join(defined) or 'none'})")
        scope = found[-1]  # a later definition of the same name is the one Python uses
    return scope


def as_markdown(found: Excerpt, link: str) -> str:
    """A fenced block with the file's line numbers, and a link to the whole file."""
    what = f"`{found.name}` in " if found.name else ""
    lines = found.code.count("\n") + 1
    where = f"lines {found.first_line}-{found.first_line + lines - 1}" if found.name else f"{lines} lines"
    fence = "````" if "```" in found.code else "```"
    # The link's text is plain (inline code inside a link fails colour contrast in the dark scheme), and
    # the line numbers are given in words: the numbered gutter's links fail contrast in the light one.
    return (
        f"\n\n{what}[{found.path}]({link}) ({where}, as this page was built):\n\n"
        f"{fence}python\n{found.code}\n{fence}\n\n"
    )


def expand(text: str, root: Path, link_to: callable) -> str:
    """Replace every marker in `text`; `link_to(path)` gives the link to the published file."""
    return MARKER.sub(lambda m: as_markdown(excerpt(root, m.group("path"), m.group("name")), link_to(m.group("path"))), text)
