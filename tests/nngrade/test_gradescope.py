"""Gradescope's autograder, tested without Gradescope: the zip laid out as Gradescope lays it out in
a temporary folder, ``setup.sh`` run into a fresh virtual environment, ``run_autograder`` run on the
reference, the release, a wrong answer and a hostile notebook, where namespaces are refused as in
Gradescope's containers, and every ``results.json`` checked against the specification."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from nngrade import demo
from nngrade.cli import main
from nngrade.gradescope import find_notebook
from .conftest import copy_course

DENY_NAMESPACES = Path(__file__).parent / "deny_namespaces.py"

# Gradescope's autograder specification ("Output format"), as a JSON schema.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST = {
    "type": "object",
    "required": ["score", "max_score", "name", "output", "visibility"],
    "properties": {
        "score": {"type": "number"}, "max_score": {"type": "number"}, "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"}, "name_format": FORMAT, "number": {"type": "string"},
        "output": {"type": "string"}, "output_format": FORMAT, "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY, "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
RESULTS = {
    "type": "object",
    "required": ["tests"],
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"}, "output_format": FORMAT, "test_output_format": FORMAT,
        "test_name_format": FORMAT, "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"}, "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array"},
    },
    "additionalProperties": False,
}


def _answer(nb, grade_id, code):
    nb = demo.solved(nb) if nb is None else nb
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = code
    return nb


def _world_readable_python():
    """A Python >= 3.12 whose files the user nobody can read (as /usr/bin/python3 on Gradescope).
    This machine's may live under /root: a hard-linked copy in /tmp is the same files, readable."""
    base = Path(sys.base_prefix)
    if all(os.stat(p).st_mode & stat.S_IXOTH for p in [base, *base.parents]):
        return str(base / "bin" / "python3"), None
    copy = Path(tempfile.mkdtemp(prefix="gradescope-python-"))  # not nngrade-*: the grader sweeps those
    os.chmod(copy, 0o755)
    subprocess.run(["cp", "-al", str(base), str(copy / "python")], check=True)
    return str(copy / "python" / "bin" / "python3"), copy


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """``/autograder`` as Gradescope builds it: the zip in source/, run_autograder beside it, then
    setup.sh (a fresh virtual environment with the course's wheel, from the pip cache)."""
    course = copy_course(tmp_path_factory.mktemp("gs") / "course")
    archive = course.parent / "autograder.zip"
    assert main(["gradescope", "toy", "--course-dir", str(course), "--output", str(archive),
                 "--cell-timeout", "20"]) == 0
    root = Path(tempfile.mkdtemp(prefix="autograder-"))  # under /tmp, traversable like /autograder
    os.chmod(root, 0o755)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    for name in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / name, 0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    python, copy = _world_readable_python()
    try:  # both folders go, whether set-up or a test fails
        env = dict(os.environ, NNGRADE_AUTOGRADER_ROOT=str(root), NNGRADE_PYTHON=python)
        setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True,
                               text=True, timeout=900)
        assert setup.returncode == 0, setup.stderr[-3000:]
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if copy:
            shutil.rmtree(copy, ignore_errors=True)


def _run(root, nb, deny_namespaces=True, name="toy.ipynb"):
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    demo.write(nb, submission / name)
    (root / "results").mkdir(exist_ok=True)
    prefix = [sys.executable, str(DENY_NAMESPACES)] if deny_namespaces else []
    env = {"PATH": os.environ["PATH"], "NNGRADE_AUTOGRADER_ROOT": str(root), "LANG": "C.UTF-8"}
    run = subprocess.run([*prefix, str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS)
    return results, run.stdout


def _scores(results):
    return {t["name"]: t["score"] for t in results["tests"]}


@pytest.mark.slow
def test_the_reference_earns_full_marks_in_a_container_without_namespaces(autograder, toy_source):
    results, stdout = _run(autograder, demo.solved(toy_source))
    assert _scores(results) == {"double_values": 1.0, "safe_mean_values": 2.0} and results["score"] == 3.0
    assert "Self-check: the reference solution scores 3/3" in stdout
    assert results["extra_data"]["isolation"].startswith("user-only")
    assert "unprivileged user nobody" in results["output"]
    # Parts with hidden tests show their details once grades are published; the written answer is
    # left to manual grading (no test, named in the output).
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}
    assert "why_zero" in results["output"] and "graded by hand" in results["output"]
    # The autograder's own files are root's alone.
    for path in (autograder / "source", autograder / "source" / "course" / "source" / "toy.ipynb"):
        assert os.stat(path).st_mode & 0o077 == 0, path


@pytest.mark.slow
def test_with_namespaces_the_full_sandbox_is_used_and_said(autograder, toy_source):
    results, _ = _run(autograder, demo.solved(toy_source), deny_namespaces=False)
    assert results["score"] == 3.0 and results["extra_data"]["isolation"].startswith("full")


@pytest.mark.slow
def test_the_release_scores_zero_and_a_wrong_answer_loses_its_part(autograder, toy_source):
    results, _ = _run(autograder, demo.released(toy_source))
    assert results["score"] == 0 and {t["status"] for t in results["tests"]} == {"failed"}
    wrong = _answer(demo.solved(toy_source), "double", "def double(x):\n    return 3 * np.asarray(x)")
    results, _ = _run(autograder, wrong, name="toy (1).ipynb")
    assert _scores(results) == {"double_values": 0.0, "safe_mean_values": 2.0}
    failed = next(t for t in results["tests"] if t["name"] == "double_values")
    assert failed["status"] == "failed" and "AssertionError" in failed["output"]  # what nngrade grade says too
    assert "instead of toy.ipynb" in results["output"]


@pytest.mark.slow
def test_a_hostile_notebook_can_neither_read_the_tests_nor_write_the_results(autograder, toy_source):
    probe = Path(tempfile.mkdtemp(prefix="probe-"))
    os.chmod(probe, 0o1777)  # the one place the learner's code may report to
    targets = {"tests": autograder / "source" / "course" / "source" / "toy.ipynb",
               "secret": autograder / "source" / "course" / ".nngrade-secret"}
    hostile = f'''import json, os, signal
report = {{}}
for what, path in {json.dumps({k: str(v) for k, v in targets.items()})}.items():
    try:
        report[what] = open(path).read()[:40]
    except OSError as error:
        report[what] = type(error).__name__
try:
    with open({str(autograder / "results" / "results.json")!r}, "w") as handle:
        handle.write('{{"score": 100, "tests": []}}')
    report["write"] = "wrote results.json"
except OSError as error:
    report["write"] = type(error).__name__
try:
    os.kill(os.getppid(), signal.SIGKILL)
    report["kill"] = "killed the grader"
except OSError as error:
    report["kill"] = type(error).__name__
report["uid"] = os.getuid()
open({str(probe / "report.json")!r}, "w").write(json.dumps(report))
def double(x):
    return 2 * np.asarray(x)'''
    nb = _answer(demo.released(toy_source), "double", hostile)
    try:
        results, _ = _run(autograder, nb)
        report = json.loads((probe / "report.json").read_text())
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    assert report == {"tests": "PermissionError", "secret": "PermissionError", "write": "PermissionError",
                      "kill": "PermissionError", "uid": 65534}
    assert _scores(results) == {"double_values": 1.0, "safe_mean_values": 0.0}
    assert results["score"] == 1.0


def test_the_zip_holds_the_scripts_the_assignment_and_no_other_solution(tmp_path, toy_course):
    course = toy_course()
    wheel = tmp_path / "nnlib-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("nnlib/__init__.py", "")
    archive = tmp_path / "autograder.zip"
    assert main(["gradescope", "toy", "--course-dir", str(course), "--output", str(archive),
                 "--wheel", str(wheel)]) == 0
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        setup = zf.read("setup.sh").decode()
        config = json.loads(zf.read("nngrade-gradescope.json"))
    assert {"setup.sh", "run_autograder", "nngrade-gradescope.json", "constraints.txt", f"wheels/{wheel.name}",
            "course/source/toy.ipynb", "course/release/toy.ipynb", "course/.nngrade-secret"} == names
    assert f"wheels/{wheel.name}[grading]" in setup and "NNGRADE_AUTOGRADER_ROOT:-/autograder" in setup
    assert config["assignment"] == "toy" and config["limits"]["cell_seconds"] > 0
    with zipfile.ZipFile(archive) as zf:  # the same course gives the same zip
        first = [(i.filename, i.CRC) for i in zf.infolist()]
    main(["gradescope", "toy", "--course-dir", str(course), "--output", str(archive), "--wheel", str(wheel)])
    with zipfile.ZipFile(archive) as zf:
        assert first == [(i.filename, i.CRC) for i in zf.infolist()]


def test_the_notebook_is_found_by_name_first(tmp_path):
    assert find_notebook(tmp_path, "toy") == (None, "no notebook was submitted (no files)")
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    assert "report.pdf" in find_notebook(tmp_path, "toy")[1]
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "mine.ipynb")
    path, note = find_notebook(tmp_path, "toy")
    assert path.name == "mine.ipynb" and "instead of toy.ipynb" in note
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "toy.ipynb")
    assert find_notebook(tmp_path, "toy") == (tmp_path / "toy.ipynb", "")
