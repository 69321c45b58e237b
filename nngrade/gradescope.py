"""Gradescope: an ``autograder.zip`` that grades one submission exactly as ``nngrade grade`` does.

Gradescope builds a container image from the zip (running ``setup.sh`` once, as root) and, for each
submission, runs ``run_autograder`` with the learner's files in ``/autograder/submission`` and reads
``/autograder/results/results.json`` (its autograder specification). The zip holds:

- ``setup.sh``: a virtual environment in ``<root>/venv`` with the course's wheel (nnlib and nngrade,
  built from this repository) and its ``grading`` extra, pinned by ``constraints.txt``;
- ``run_autograder``: ``python -m nngrade.gradescope``, which calls :func:`run`;
- ``nngrade-gradescope.json`` (the assignment and the limits) and ``course/``: the source notebook
  (reference solution and hidden tests), the released files and the course's secret, so hidden data
  are the ones ``nngrade grade`` draws.

:func:`run` first makes the autograder's own files readable by root only, then runs the self-check
(the reference must earn every point, else nobody is graded: no ``results.json`` is written and
Gradescope reports that the autograder failed), then judges the submission in nngrade's sandbox. Where
the container refuses namespaces, the sandbox falls back to running the learner's code as the
unprivileged user ``nobody`` (``isolate="user"``), which can neither read those files nor write the
results: only this process writes ``results.json``, and it says which isolation was in force.

Every script takes the autograder root from ``NNGRADE_AUTOGRADER_ROOT`` (default ``/autograder``),
so the whole path can be tested in a temporary folder.
"""

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

from .notebook import AssignmentSpec, nbgrader_meta, read_notebook
from .result import INCOMPLETE
from .sandbox import Limits

ROOT_ENV = "NNGRADE_AUTOGRADER_ROOT"
DEFAULT_ROOT = "/autograder"
CONFIG = "nngrade-gradescope.json"
MAX_NOTEBOOK_BYTES = 50 << 20
OUTPUT_CHARS = 4000  # per test: Gradescope shows it to the learner; a failure message is enough

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image (nngrade gradescope wrote it).
set -euo pipefail
ROOT="${NNGRADE_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
find_python() {
  for candidate in "${NNGRADE_PYTHON:-}" python3.13 python3.12 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null \
       && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}
if ! PYTHON="$(find_python)"; then
  # Gradescope's Ubuntu 24.04 base image has Python 3.12 as python3, without venv.
  apt-get install -y --no-install-recommends python3 python3-venv python3-pip
  PYTHON="$(find_python)"
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$SOURCE/constraints.txt" "$SOURCE/wheels/__WHEEL__[grading]"
# The tests, the reference solution and the course's secret: root only (the learner's code runs as
# nobody when the container refuses namespaces).
chmod -R go-rwx "$SOURCE"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission (nngrade gradescope wrote it).
set -euo pipefail
ROOT="${NNGRADE_AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT"
exec "$ROOT/venv/bin/python" -m nngrade.gradescope
"""


# -- building the zip ---------------------------------------------------------------------------

def repository_root():
    """The checkout this nngrade runs from (where ``pyproject.toml`` is), or None when installed."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "nnlib").is_dir() else None


def build_wheel(folder):
    """Build the course's wheel (nnlib + nngrade + the releases) from this checkout into ``folder``."""
    root = repository_root()
    if root is None:
        raise FileNotFoundError("wheel: nngrade is not running from the course's repository, so it cannot "
                                "build the wheel; pass --wheel nnlib-<version>-py3-none-any.whl")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(folder), str(root)], check=True, capture_output=True)
    return next(Path(folder).glob("nnlib-*.whl"))


def _add(archive, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same zip for the same course
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build(course, assignment, output, limits=None, wheel=None):
    """Write ``autograder.zip`` for ``assignment`` of ``course`` (a :class:`~nngrade.course.Course`)."""
    from . import secret

    limits = limits or Limits()
    source_path = course.source_notebook(assignment)
    released = course.released_dir(assignment)
    if not released.is_dir():
        raise FileNotFoundError(f"assignment: no release of {assignment!r} in {released} "
                                f"(run nbgrader generate_assignment {assignment} first)")
    spec = AssignmentSpec.from_notebook(read_notebook(source_path), assignment, source_path.stem)
    constraints = (repository_root() or course.root) / "constraints.txt"
    with tempfile.TemporaryDirectory() as scratch:
        wheel = Path(wheel) if wheel else build_wheel(scratch)
        config = {"assignment": assignment, "notebook": spec.notebook_name, "source": source_path.name,
                  "limits": {name: getattr(limits, name) for name in ("cell_seconds", "call_seconds",
                                                                       "memory_bytes")}}
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w") as archive:
            _add(archive, "setup.sh", SETUP_SH.replace("__WHEEL__", wheel.name), executable=True)
            _add(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
            _add(archive, CONFIG, json.dumps(config, indent=1, sort_keys=True))
            _add(archive, "constraints.txt", constraints.read_bytes() if constraints.is_file() else b"")
            _add(archive, f"wheels/{wheel.name}", wheel.read_bytes())
            _add(archive, f"course/source/{source_path.name}", source_path.read_bytes())
            for path in sorted(released.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    _add(archive, f"course/release/{path.relative_to(released).as_posix()}", path.read_bytes())
            _add(archive, f"course/{secret.FILE_NAME}", secret.load(course.root) + "\n")
    return output


# -- grading one submission inside the container --------------------------------------------------

def _lock_down(root):
    """The autograder's own files and the submission: root only. The results folder: writable by
    root only, and any ``results.json`` already there (planted) is removed."""
    if os.geteuid() != 0:
        return
    for folder in (root / "source", root / "submission"):
        if folder.is_dir():
            for path in [folder, *folder.rglob("*")]:
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode & ~0o077)
    results = root / "results"
    results.mkdir(exist_ok=True)
    os.chown(results, 0, 0)
    results.chmod(0o755)
    (results / "results.json").unlink(missing_ok=True)


def find_notebook(submission_dir, notebook_name):
    """``(path or None, note)``: the notebook Gradescope received, the expected name first."""
    from .lms import _is_expected_name

    notebooks = sorted(p for p in Path(submission_dir).rglob("*.ipynb")
                       if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    if not notebooks:
        others = sorted(p.name for p in Path(submission_dir).rglob("*") if p.is_file())
        return None, f"no notebook was submitted ({', '.join(others[:10]) or 'no files'})"
    chosen = next((p for p in notebooks if _is_expected_name(p.name, notebook_name)), None)
    note = ""
    if chosen is None:
        chosen = notebooks[0]
        note = f"the notebook is named {chosen.name} instead of {notebook_name}.ipynb; graded anyway"
    if chosen.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, f"{chosen.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB; not graded"
    return chosen, note


def _written_questions(source_nb):
    return [(nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0) or 0)) for c in source_nb.cells
            if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution") and c.get("cell_type") != "code"]


def isolation(result):
    """What kept the learner's code apart, in words: the sandbox's own account of it."""
    if result.isolation == "full":
        return "full: own mount, process, IPC and network namespaces, unprivileged user, limits"
    detail = next((f.detail for f in result.flags if f.kind == "not-isolated"), "")
    return f"{result.isolation or 'nothing ran'}{': ' + detail if detail else ''}"


def results_json(spec, source_nb, result, note, seconds):
    """The submission's verdict in Gradescope's format: one test per test cell of the source."""
    tests = []
    for number, (test, verdict) in enumerate(zip(spec.tests, result.tests), start=1):
        hidden = test.source != test.released
        output = "All tests in this part pass." if verdict.passed else verdict.message or "This part fails."
        tests.append({
            "name": test.grade_id,
            "number": str(number),
            "score": verdict.points,
            "max_score": verdict.max_points,
            "status": "passed" if verdict.passed else "failed",
            "output": output[:OUTPUT_CHARS],
            # A part with hidden tests says how it did only once grades are published: before, its
            # result would tell the learner about the hidden tests. `nngrade check` runs the visible ones.
            "visibility": "after_published" if hidden else "visible",
        })
    lines = [f"Autograded: {result.score:g} of {spec.auto_points:g} points."]
    if any(t["visibility"] == "after_published" for t in tests):
        lines.append("Parts with hidden tests show their result once grades are published.")
    written = _written_questions(source_nb)
    if written:
        lines.append(f"Written answers ({', '.join(g for g, _ in written)}: {spec.manual_points:g} "
                     f"point{'' if spec.manual_points == 1 else 's'}) are graded by hand.")
    if note:
        lines.append(note)
    for flag in result.flags:
        if flag.kind in INCOMPLETE:
            lines.append(f"Not graded fully ({flag.kind}, {flag.where}): {flag.detail[:500]}")
    for error in result.cell_errors[:10]:
        lines.append(f"{error.cell} raised: {error.error[:300]}")
    lines.append(f"Isolation of your code while grading: {isolation(result)}.")
    return {
        "score": result.score,
        "execution_time": round(seconds),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"isolation": isolation(result),
                       "flags": [[f.kind, f.where, f.detail[:500]] for f in result.flags]},
    }


def run(root=None, progress=print):
    """Grade ``<root>/submission`` and write ``<root>/results/results.json``; returns the exit code."""
    from . import secret
    from .classgrade import SelfCheckFailed, self_check
    from .engine import judge_submission

    started = time.monotonic()
    root = Path(root or os.environ.get(ROOT_ENV, DEFAULT_ROOT))
    _lock_down(root)
    config = json.loads((root / "source" / CONFIG).read_text())
    course = root / "source" / "course"
    source_nb = read_notebook(course / "source" / config["source"])
    spec = AssignmentSpec.from_notebook(source_nb, config["assignment"], config["notebook"])
    limits = Limits(**config["limits"])
    if (course / secret.FILE_NAME).exists():
        secret.install(course)
    watched = [str(root / "source"), str(root / "results"), "/autograder/source", "results.json"]
    context = (course / "release", limits, "user", watched)
    try:
        self_check(spec, source_nb, context, progress)
    except SelfCheckFailed as error:
        progress(f"error: {error}")  # no results.json: Gradescope says the autograder failed, never a wrong 0
        return 3
    path, note = find_notebook(root / "submission", spec.notebook_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = judge_submission(spec, path, *context)
    if path is None:
        result.flags[0].detail = note
    data = results_json(spec, source_nb, result, note if path else "", time.monotonic() - started)
    temporary = root / "results" / "results.json.tmp"
    temporary.write_text(json.dumps(data, indent=1))
    os.replace(temporary, root / "results" / "results.json")
    progress(f"{spec.name}: {result.score:g}/{spec.auto_points:g}; isolation: {isolation(result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
