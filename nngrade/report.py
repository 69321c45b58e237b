"""The class report: one self-contained HTML page per assignment (no scripts, fonts or requests).

Everything that comes from learners (student ids from an LMS zip, flag details, messages) is
escaped: it shows as text, never as HTML.
"""

import html
import statistics
from pathlib import Path

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
th{background:#f3f3f3}.bar{fill:#3f6fb5}.fail{color:#a00}.ok{color:#070}figure{margin:1rem 0}
caption{caption-side:top;text-align:left;font-weight:bold;padding:.3rem 0}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto;
font-size:.85rem;white-space:pre-wrap}mark{background:#ffe08a}summary{cursor:pointer;margin:.5rem 0}
"""


def _histogram(scores, maximum, width=560, height=180, bins=10):
    """An inline SVG bar chart: how many students scored in each tenth of the maximum."""
    counts = [0] * bins
    for score in scores:
        index = min(bins - 1, int(bins * score / maximum)) if maximum > 0 else 0
        counts[index] += 1
    top, pad = max(counts) or 1, 16
    bar_width = width / bins
    parts = [f'<svg role="img" width="{width}" height="{height + pad + 30}" xmlns="http://www.w3.org/2000/svg">',
             "<title>Number of students per score band</title>"]
    for index, count in enumerate(counts):
        bar_height = height * count / top
        x = index * bar_width
        low, high = maximum * index / bins, maximum * (index + 1) / bins
        band = f"{low:g} to {high:g}" if index == bins - 1 else f"{low:g} to under {high:g}"
        parts.append(f'<rect class="bar" x="{x + 2:.1f}" y="{pad + height - bar_height:.1f}" '
                     f'width="{bar_width - 4:.1f}" height="{bar_height:.1f}"><title>{count} scored {band}'
                     '</title></rect>')
        parts.append(f'<text x="{x + bar_width / 2:.1f}" y="{pad + height + 14}" font-size="10" '
                     f'text-anchor="middle">{low:.3g}–{high:.3g}</text>')  # the band, not its lower edge
        if count:
            parts.append(f'<text x="{x + bar_width / 2:.1f}" y="{pad + height - bar_height - 3:.1f}" '
                         f'font-size="11" text-anchor="middle">{count}</text>')
    parts.append(f'<text x="{width / 2}" y="{pad + height + 28}" font-size="11" text-anchor="middle">'
                 f'autograded score (out of {maximum:g})</text></svg>')
    return "".join(parts)


def render(spec, results, sections=(), cells=None, totals_from_gradebook=None):
    """HTML for one assignment's results (``{student: result}``).

    ``sections`` are more HTML parts (e.g. :func:`nngrade.similarity.render_section`), placed before
    the scores; ``cells`` (``{student: {"cell 5": source}}``) is the learner code each flag names,
    shown beside it; ``totals_from_gradebook`` (``{student: (written, late penalty, total)}``) adds
    those columns to the scores."""
    escape = html.escape
    maximum = spec.auto_points
    totals = {student: result.score for student, result in results.items()}
    values = list(totals.values())
    lines = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>Grading report: {escape(spec.name)}</title><style>{STYLE}</style></head><body>",
             f"<h1>Grading report: {escape(spec.name)}</h1>"]
    if values:
        lines.append(f"<p>{len(values)} submissions. Autograded points: mean {statistics.mean(values):.2f}, "
                     f"median {statistics.median(values):g}, min {min(values):g}, max {max(values):g} "
                     f"(out of {maximum:g}; written answers, {spec.manual_points:g} points, are graded "
                     "in the formgrader).</p>")
        lines.append(f"<figure>{_histogram(values, maximum)}<figcaption>Score distribution</figcaption></figure>")
    else:
        lines.append("<p>No submissions were found.</p>")
    # Only submissions graded fully say something about a test: a missing or unreadable notebook
    # "fails" every test without anyone having tried.
    graded = [r for r in results.values() if r.complete]
    lines.append(f"<table><caption>Test cells: share of the {len(graded)} submissions graded fully that "
                 "failed each</caption>"
                 "<tr><th>test cell</th><th>points</th><th>failed</th><th>share failed</th></tr>")
    for test in spec.tests:
        failed = sum(1 for r in graded for t in r.tests if t.grade_id == test.grade_id and not t.passed)
        share = failed / len(graded) if graded else 0.0
        lines.append(f"<tr><td>{escape(test.grade_id)}</td><td>{test.points:g}</td><td>{failed}</td>"
                     f"<td>{share:.0%}</td></tr>")
    lines.append("</table>")
    flagged = [(student, flag) for student, r in results.items() for flag in r.flags]
    lines.append(f"<h2>Flagged submissions ({len({s for s, _ in flagged})})</h2>")
    if flagged:
        lines.append("<p>What each flag means and what to do: the instructor guide's <em>Investigating a "
                     "flag</em>. Where a flag names a cell, its code is shown as the learner submitted it.</p>"
                     "<table><tr><th>student</th><th>flag</th><th>where</th><th>detail</th></tr>")
        for student, flag in flagged:
            code = (cells or {}).get(student, {}).get(flag.where)
            where = escape(flag.where) if code is None else (
                f"<details><summary>{escape(flag.where)}</summary><pre>{escape(code[:3000])}</pre></details>")
            lines.append(f"<tr><td>{escape(student)}</td><td class='fail'>{escape(flag.kind)}</td>"
                         f"<td>{where}</td><td>{escape(flag.detail)}</td></tr>")
        lines.append("</table>")
    else:
        lines.append("<p class='ok'>None.</p>")
    lines.extend(sections)
    book = totals_from_gradebook or {}
    extra = "<th>written points</th><th>late penalty</th><th>total</th>" if book else ""
    lines.append(f"<h2>Scores</h2><table><tr><th>student</th><th>autograded points</th>{extra}"
                 "<th>graded fully</th></tr>")
    for student, total in totals.items():
        complete = results[student].complete
        columns = "".join(f"<td>{'' if value is None else f'{value:g}'}</td>" for value in book.get(student, ()))
        if book and student not in book:
            columns = "<td></td>" * 3
        lines.append(f"<tr><td>{escape(student)}</td><td>{total:g}</td>{columns}"
                     f"<td class='{'ok' if complete else 'fail'}'>{'yes' if complete else 'NO'}</td></tr>")
    lines.append("</table></body></html>")
    return "\n".join(lines)


def write(path, spec, results, sections=(), cells=None, totals_from_gradebook=None):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(spec, results, sections, cells, totals_from_gradebook), encoding="utf-8")
    return path
