"""Copied work: which learners' answers are alike beyond what the assignment makes everyone write.

Each submission's own code (its answer cells and the cells it added; never the locked set-up and
test cells) is fingerprinted with copydetect, the MOSS method: the code is tokenized (Pygments),
every name becomes ``V`` or ``F`` and comments, strings' contents and spacing are dropped, so renamed
variables and reformatting change nothing; hashes of every ``k`` consecutive characters are
*winnowed* (the smallest hash of each window is kept), so any shared run of code at least as long
as the window guarantees a shared fingerprint, wherever it sits: reordered functions still match.

Fingerprints that are no evidence of copying are removed before comparing:

- the released scaffold (``def relu(x):``, docstrings, ``raise NotImplementedError()``), as
  copydetect's *boilerplate*;
- code that a large share of the class wrote alike (MOSS's ``-m``), once the class is big enough to
  tell: a formula given in the instructions comes out the same in every honest answer.

Two submissions are listed when the share of either one's remaining code found in the other reaches
the threshold; the report shows both side by side with the matching code marked. A listed pair is a
reason to read, never a verdict.
"""

import copy as _copy
import dataclasses
import html
import io
import itertools
import warnings

DEFAULT_THRESHOLD = 0.6
NOISE = 20  # k: characters of normalized code in one fingerprint (shorter runs are never matched)
GUARANTEE = 25  # any shared run this long yields a shared fingerprint (window = GUARANTEE - NOISE + 1)
MIN_CODE = 40  # normalized characters of the learner's own code below which there is nothing to compare
COMMON_SHARE = 0.3  # fingerprints in more than this share of the class are common code ...
COMMON_MIN_CLASS = 8  # ... when the class has at least this many submissions to compare


@dataclasses.dataclass
class Pair:
    first: str
    second: str
    similarity: float  # the larger of the two shares of own code matched in the other
    shares: tuple  # (share of first's code found in second, share of second's found in first)
    code: tuple  # (first's code, second's code)
    spans: tuple  # (first's matched character spans, second's), each [(start, end)]


def learner_code(spec, nb):
    """The code the learner wrote: answer cells and added cells, in notebook order."""
    from .notebook import plan_submission

    cells, _, _ = plan_submission(spec, nb)
    return "\n\n".join(cell.source for cell in cells if not cell.instructor)


def _fingerprint(code, boilerplate=()):
    from copydetect import CodeFingerprint

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CodeFingerprint("answers.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=list(boilerplate),
                               language="python", fp=io.StringIO(code))


def _without(fingerprint, boilerplate):
    """``fingerprint`` with the ``boilerplate`` hashes left out, from its already tokenized code
    (tokenizing is the costly part: once per submission)."""
    from copydetect.utils import get_document_fingerprints, get_token_coverage

    copy = _copy.copy(fingerprint)
    copy.hashes, copy.hash_idx = get_document_fingerprints(fingerprint.filtered_code, NOISE, GUARANTEE - NOISE + 1,
                                                           list(boilerplate))
    copy.token_coverage = get_token_coverage(copy.hash_idx, NOISE, len(fingerprint.filtered_code))
    return copy


def _spans(slices):
    return [(int(start), int(end)) for start, end in zip(*slices)] if len(slices) and len(slices[0]) else []


def compare(codes, scaffold="", threshold=DEFAULT_THRESHOLD):
    """``[Pair]`` above ``threshold`` among ``{student: code}``, most similar first.

    ``scaffold`` is the released notebook's own code: nobody is suspected for writing it.
    """
    from copydetect import compare_files

    if not 0 < threshold <= 1:
        raise ValueError(f"threshold: expected a share between 0 (excluded) and 1, got {threshold!r}")
    boilerplate = set(_fingerprint(scaffold).hashes) if scaffold.strip() else set()
    first = {student: _fingerprint(code, boilerplate) for student, code in codes.items()}
    if len(first) >= COMMON_MIN_CLASS:
        counts = {}
        for fingerprint in first.values():
            for value in fingerprint.hashes:
                counts[value] = counts.get(value, 0) + 1
        boilerplate |= {value for value, count in counts.items() if count > COMMON_SHARE * len(first)}
    prints = {student: _without(fingerprint, boilerplate) for student, fingerprint in first.items()}
    students = sorted(s for s, p in first.items() if p.token_coverage >= MIN_CODE)
    # Only pairs that share a fingerprint can match: found through an index, not by comparing all.
    holders = {}
    for student in students:
        for value in prints[student].hashes:
            holders.setdefault(value, []).append(student)
    candidates = sorted({pair for group in holders.values() for pair in itertools.combinations(group, 2)})
    pairs = []
    for a, b in candidates:
        overlap, shares, slices = compare_files(prints[a], prints[b])
        if not overlap:
            continue
        # The share of each one's own code (scaffold left out) found in the other, code common to
        # the class never counting as found: a submission that is mostly common code is not a copy.
        shares = tuple(float(share) * prints[s].token_coverage / first[s].token_coverage
                       for share, s in zip(shares, (a, b)))
        if max(shares) >= threshold:
            pairs.append(Pair(a, b, max(shares), shares, (codes[a], codes[b]),
                              (_spans(slices[0]), _spans(slices[1]))))
    return sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second))


def class_codes(course, assignment, submissions_dir=None):
    """``(spec, {student: code}, scaffold)`` for every readable submission of ``assignment``."""
    from .collect import find_submissions
    from .notebook import AssignmentSpec, NotebookError, read_notebook, read_submission

    source_path = course.source_notebook(assignment)
    spec = AssignmentSpec.from_notebook(read_notebook(source_path), assignment, source_path.stem)
    release = course.released_dir(assignment) / f"{spec.notebook_name}.ipynb"
    scaffold = learner_code(spec, read_notebook(release)) if release.exists() else ""
    folder = submissions_dir or course.submitted_dir()
    codes = {}
    for submission in find_submissions(folder, assignment, spec.notebook_name):
        if submission.path is None:
            continue
        try:
            nb, _ = read_submission(submission.path)
        except NotebookError:
            continue
        codes[submission.student] = learner_code(spec, nb)
    return spec, codes, scaffold


def _marked(code, spans):
    parts, position = [], 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        parts.append(html.escape(code[position:start]))
        parts.append(f"<mark>{html.escape(code[start:end])}</mark>")
        position = end
    parts.append(html.escape(code[position:]))
    return "".join(parts)


def render_section(pairs, threshold=DEFAULT_THRESHOLD):
    """The report's section on similar submissions (HTML; learner code escaped)."""
    lines = [f"<h2 id='similarity'>Similar answers ({len(pairs)} pair{'' if len(pairs) == 1 else 's'})</h2>",
             f"<p>Pairs whose own code (the released scaffold and code most of the class wrote alike "
             f"left out) matches at {threshold:.0%} or more, by copydetect's fingerprints: renamed "
             "variables, moved functions, comments and spacing do not hide a copy. A pair is a reason "
             "to read both notebooks, not a verdict. Matching code is marked.</p>"]
    if not pairs:
        lines.append("<p class='ok'>None.</p>")
    for pair in pairs:
        lines.append(f"<details><summary>{html.escape(pair.first)} and {html.escape(pair.second)}: "
                     f"{pair.shares[0]:.0%} of {html.escape(pair.first)}'s code is in "
                     f"{html.escape(pair.second)}'s, {pair.shares[1]:.0%} the other way</summary>"
                     "<div class='side'>")
        for student, code, spans in zip((pair.first, pair.second), pair.code, pair.spans):
            lines.append(f"<figure><figcaption>{html.escape(student)}</figcaption>"
                         f"<pre>{_marked(code, spans)}</pre></figure>")
        lines.append("</div></details>")
    return "\n".join(lines)


STYLE = """
body{font-family:system-ui,sans-serif;max-width:90rem;margin:2rem auto;padding:0 1rem;color:#222}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto;
font-size:.85rem;white-space:pre-wrap}mark{background:#ffe08a}summary{cursor:pointer;margin:.5rem 0}.ok{color:#070}
"""


def write_report(path, assignment, pairs, threshold=DEFAULT_THRESHOLD):
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    f"<title>Similar answers: {html.escape(assignment)}</title><style>{STYLE}</style></head>"
                    f"<body><h1>Similar answers: {html.escape(assignment)}</h1>"
                    f"{render_section(pairs, threshold)}</body></html>", encoding="utf-8")
    return path
