"""Write the table of Keras 3's public names that nnlib supports or refuses, module by module.

    python tools/keras_surface.py           # writes docs/keras-surface.json and the page fragment
    python tools/keras_surface.py --check   # exit 1 if either file is out of date

The names come from real Keras (its public modules, as installed) and the verdicts from nnlib itself
(``nnlib._keras_surface.table``): supported when nnlib defines the name, refused when its table says
what the piece is. ``tests/keras/test_surface_table.py`` runs ``--check``'s comparison, so the page
cannot go stale. The fragment (a Markdown table, then one folded list per module) is meant to be
included in a page with ``--8<-- "docs/snippets/keras-surface.md"``.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JSON_PATH = ROOT / "docs" / "keras-surface.json"
MARKDOWN_PATH = ROOT / "docs" / "snippets" / "keras-surface.md"


def current_table():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    sys.path.insert(0, str(ROOT))
    import keras  # noqa: PLC0415 (real Keras only for this tool)

    from nnlib._keras_surface import table  # noqa: PLC0415
    return table(keras)


def render_json(data):
    rows = {module: {"supported": row["supported"], "refused": row["refused"]}
            for module, row in data["modules"].items()}
    return json.dumps({"keras_version": data["keras_version"], "modules": rows}, indent=1,
                      sort_keys=True) + "\n"


def render_markdown(data):
    lines = [f"| Keras 3 ({data['keras_version']}) | supported by nnlib | refused |",
             "|---|---:|---:|"]
    for module, row in data["modules"].items():
        name = "keras.Model methods" if module == "Model" else f"keras.{module}"
        lines.append(f"| `{name}` | {len(row['supported'])} | {len(row['refused'])} |")
    for module, row in data["modules"].items():
        name = "keras.Model" if module == "Model" else f"keras.{module}"
        lines += ["", f'??? note "`{name}`: {len(row["supported"])} supported, '
                      f'{len(row["refused"])} refused"',
                  "", "    Supported: " + (", ".join(f"`{n}`" for n in row["supported"]) or "none")
                  + "."]
        by_reason = {}
        for refused, what in row["refused"].items():
            by_reason.setdefault(what, []).append(refused)
        for what, names in by_reason.items():
            lines += ["", f"    Refused ({what}): " + ", ".join(f"`{n}`" for n in names) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files are out of date")
    args = parser.parse_args(argv)
    data = current_table()
    unclassified = {m: r["unclassified"] for m, r in data["modules"].items() if r["unclassified"]}
    if unclassified:
        print(f"Keras names neither supported nor refused: {unclassified}", file=sys.stderr)
        return 1
    wanted = {JSON_PATH: render_json(data), MARKDOWN_PATH: render_markdown(data)}
    if args.check:
        stale = [str(p.relative_to(ROOT)) for p, text in wanted.items()
                 if not p.exists() or p.read_text() != text]
        if stale:
            print(f"out of date: {', '.join(stale)}; run python tools/keras_surface.py",
                  file=sys.stderr)
            return 1
        return 0
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
