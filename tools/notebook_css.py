"""The notebook stylesheet, cut down to the rules the site's notebook pages can use.

mkdocs-jupyter ships JupyterLab's whole stylesheet (~577 kB: widgets, menus, the file browser, dozens of
renderers) with every notebook page, of which a few percent apply to a rendered notebook. After the
build, every rule whose selector needs a class that no notebook page contains is dropped (a selector
list keeps the selectors that can match). Rules without classes (`:root` variables, element selectors)
and at-rules are kept, so nothing the pages use can go missing; classes that only scripts add at run
time are listed in RUNTIME_CLASSES. Then every custom property (`--jp-...`, ~90 kB of them, icons
included) that no kept rule uses, directly or through another property, is dropped.

Its syntax highlighting colours (JupyterLab's, several below 4.5:1 contrast on the cell background) are
replaced by Material's, which are chosen for contrast and follow the light and dark scheme: see
docs/assets/stylesheets/extra.css.
"""

from __future__ import annotations

import re

import tinycss2

CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")
CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
RUNTIME_CLASSES = {"jp-mod-active", "jp-mod-selected", "jp-mod-focused", "jp-mod-hidden"}


def used_classes(page_html: str) -> set[str]:
    found = set()
    for match in CLASS_ATTRIBUTE.finditer(page_html):
        found.update((match.group(1) or match.group(2) or "").split())
    return found


def split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :is(...), :not(...), ...)."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [part for part in [*parts, current.strip()] if part]


def _keep_selector(selector: str, classes: set[str]) -> bool:
    # :not(.x) does not need .x to be present, nor does :is(.x, .y) need both: look outside them only
    # (keeping a rule that cannot match costs bytes, dropping one that can would break the page).
    needed = CLASS.findall(re.sub(r":(?:not|is|where|has)\([^()]*(?:\([^()]*\)[^()]*)*\)", "", selector))
    return all(name in classes for name in needed)


def _trim_rules(rules, classes: set[str]) -> str:
    out = []
    for rule in rules:
        if rule.type == "error":  # unparsable leftovers (browsers skip them too)
            continue
        if rule.type == "qualified-rule":
            selectors = split_selectors(tinycss2.serialize(rule.prelude))
            kept = [s for s in selectors if _keep_selector(s, classes)]
            if kept:
                out.append(", ".join(kept) + " {" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule":
            prelude = tinycss2.serialize(rule.prelude)
            if rule.content is None:
                out.append(f"@{rule.at_keyword}{prelude};")
            elif rule.lower_at_keyword in ("media", "supports", "layer", "container"):
                inner = _trim_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), classes)
                if inner.strip():
                    out.append(f"@{rule.at_keyword}{prelude} {{\n{inner}\n}}")
            else:  # @font-face, @keyframes, ...: kept whole
                out.append(f"@{rule.at_keyword}{prelude} {{{tinycss2.serialize(rule.content)}}}")
    return "\n".join(out)


def _declarations(rule):
    return tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)


def _walk_declarations(rules):
    """Every declaration of the stylesheet, nested at-rules included."""
    for rule in rules:
        if rule.type == "qualified-rule":
            yield from (d for d in _declarations(rule) if d.type == "declaration")
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports", "layer", "container"):
            yield from _walk_declarations(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))


def _drop_unused_custom_properties(css: str) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    values: dict[str, str] = {}
    used, todo = set(), set()
    for declaration in _walk_declarations(rules):
        value = tinycss2.serialize(declaration.value)
        if declaration.name.startswith("--"):
            values[declaration.name] = values.get(declaration.name, "") + value
        else:
            todo.update(VAR_USE.findall(value))
    while todo:  # a property used by a rule, or by a property in use
        name = todo.pop()
        if name not in used:
            used.add(name)
            todo.update(VAR_USE.findall(values.get(name, "")))

    def keep(rule) -> str:
        declarations = [
            d for d in _declarations(rule)
            if d.type == "declaration" and (not d.name.startswith("--") or d.name in used)
        ]
        if not declarations:
            return ""
        body = ";".join(f"{d.name}:{tinycss2.serialize(d.value)}{'!important' if d.important else ''}" for d in declarations)
        return tinycss2.serialize(rule.prelude).strip() + " {" + body + "}"

    def walk(rules) -> list[str]:
        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                text = keep(rule)
            elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports", "layer", "container"):
                inner = walk(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                text = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)} {{\n" + "\n".join(inner) + "\n}" if inner else ""
            else:
                text = tinycss2.serialize([rule]) if rule.type != "error" else ""
            if text:
                out.append(text)
        return out

    return "\n".join(walk(rules))


def trim(css: str, classes: set[str]) -> str:
    """`css` without the rules that need a class outside `classes`, nor unused custom properties."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return _drop_unused_custom_properties(_trim_rules(rules, classes | RUNTIME_CLASSES)) + "\n"


def without_highlighting(css: str) -> str:
    """Drop the notebook's own Pygments colour rules (`.highlight-ipynb .k { ... }` and the like)."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    kept = []
    for rule in rules:
        if rule.type == "error":
            continue
        if rule.type == "qualified-rule":
            selectors = split_selectors(tinycss2.serialize(rule.prelude))
            selectors = [s for s in selectors if not re.match(r"^\.highlight-ipynb\s+\.\w+$", s)]
            if not selectors:
                continue
            kept.append(", ".join(selectors) + " {" + tinycss2.serialize(rule.content) + "}")
        else:
            kept.append(tinycss2.serialize([rule]))
    return "\n".join(kept) + "\n"
