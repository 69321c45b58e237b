"""Grade a whole class: find the submissions, judge each in parallel, record, report.

Each submission is judged in its own sandbox by a worker of a process pool; the parent alone writes
the gradebook (SQLite) and the result files, in a fixed order, so a parallel run gives the same
gradebook as a serial one. A result file per student, keyed on the bytes of the submission and of
the source, lets an interrupted run resume: submissions already judged are not judged again.
"""

import concurrent.futures
import dataclasses
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path

from . import __version__
from .engine import empty_result, grade_notebook
from .notebook import AssignmentSpec, NotebookError, read_notebook
from .sandbox import Limits, Sandbox

INCOMPLETE = ("missing", "malformed", "crash", "timeout")


@dataclasses.dataclass
class Submission:
    student: str
    path: Path | None  # the notebook to grade, None when missing
    notes: list  # (kind, detail) noticed while collecting


def _safe_student(name):
    cleaned = re.sub(r"[^A-Za-z0-9_.@-]+", "_", name).strip("._")
    return cleaned or "unknown"


def find_submissions(folder, assignment, notebook_name):
    """Submissions laid out as nbgrader does: ``folder/<student>/<assignment>/<notebook>.ipynb``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions: {folder} is not a folder (expected <student>/{assignment}/...)")
    found = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        assignment_dir = student_dir / assignment
        expected = assignment_dir / f"{notebook_name}.ipynb"
        if expected.exists():
            found.append(Submission(student_dir.name, expected, []))
            continue
        others = sorted(assignment_dir.glob("*.ipynb")) if assignment_dir.is_dir() else []
        if not others:
            if not assignment_dir.is_dir():
                continue  # this student did not submit this assignment at all
            found.append(Submission(student_dir.name, None, [("missing", f"no notebook in {assignment_dir.name}/")]))
            continue
        chosen = _closest(others, notebook_name)
        found.append(Submission(student_dir.name, chosen, [
            ("renamed", f"notebook named {chosen.name} instead of {notebook_name}.ipynb; graded anyway")]))
    return found


def _closest(paths, notebook_name):
    named = [p for p in paths if notebook_name.lower() in p.stem.lower()]
    return (named or paths)[0]


def unpack_zip(zip_path, submitted_dir, assignment, notebook_name):
    """Unpack an LMS export into ``submitted/<student>/<assignment>/<notebook>.ipynb``.

    Understands the usual layouts: ``student/anything.ipynb`` folders (Moodle's
    ``Full Name_12345_assignsubmission_file_/``), flat ``student_12345_67890_name.ipynb`` files
    (Canvas) and ``student/assignment/notebook.ipynb``. Returns notes per student.
    """
    notes = {}
    with zipfile.ZipFile(zip_path) as archive, tempfile.TemporaryDirectory() as scratch:
        per_student = {}
        for info in archive.infolist():
            name = info.filename.replace("\\", "/")
            if info.is_dir() or not name.endswith(".ipynb") or "__MACOSX" in name or "/." in "/" + name:
                continue
            if info.file_size > 50 << 20:
                notes.setdefault("?", []).append(("malformed", f"{name}: larger than 50 MB, skipped"))
                continue
            parts = [p for p in name.split("/") if p not in ("", ".", "..")]
            if len(parts) >= 2:
                student = re.split(r"_\d+_assignsubmission", parts[0])[0]
            else:
                student = parts[0].split("_")[0]
            student = _safe_student(student)
            original = parts[-1]
            if len(parts) == 1:  # Canvas: <student>[_late]_<id>_<id>_<original name>
                original = re.sub(r"^[^_]+(?:_late)?_\d+_\d+_", "", original)
            target = Path(scratch) / f"{sum(map(len, per_student.values()))}.ipynb"
            target.write_bytes(archive.read(info))
            per_student.setdefault(student, []).append((original, target))
        for student, files in sorted(per_student.items()):
            names = [Path(n).stem for n, _ in files]
            chosen = next((f for f in files if Path(f[0]).stem == notebook_name), None)
            if chosen is None:
                matching = [f for f in files if notebook_name.lower() in f[0].lower()] or files
                chosen = matching[0]
                notes.setdefault(student, []).append(
                    ("renamed", f"notebook named {chosen[0]} instead of {notebook_name}.ipynb; graded anyway"))
            if len(files) > 1:
                notes.setdefault(student, []).append(("extra-files", f"several notebooks submitted: {names}"))
            destination = Path(submitted_dir) / student / assignment / f"{notebook_name}.ipynb"
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(chosen[1], destination)
    return notes


def _digest(*parts):
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def _judge(task):
    """Process-pool entry point: grade one submission; never raises."""
    spec, path, released_dir, limits, isolate, watched = task
    if path is None:
        return empty_result(spec, "no notebook was submitted", "missing")
    try:
        nb = read_notebook(path)
    except NotebookError as error:
        return empty_result(spec, str(error), "malformed")
    try:
        return grade_notebook(spec, nb, released_dir, limits, isolate, watched)
    except Exception as error:  # noqa: BLE001 (a grader bug must not stop the class)
        result = empty_result(spec, f"the grader failed on this notebook: {type(error).__name__}: {error}", "crash")
        result["retry"] = True
        return result


def grade_class(course, assignment, submissions_dir=None, zip_path=None, jobs=None, limits=None,
                isolate=True, force=False, record=True, progress=print):
    """Grade every submission of ``assignment``; returns ``{student: result}`` (sorted by student)."""
    from . import gradebook

    source_path = course.source_notebook(assignment)
    source_nb = read_notebook(source_path)
    notebook_name = source_path.stem
    spec = AssignmentSpec.from_notebook(source_nb, assignment, notebook_name)
    submitted = Path(submissions_dir) if submissions_dir else course.submitted_dir()
    zip_notes = {}
    if zip_path:
        zip_notes = unpack_zip(zip_path, submitted, assignment, notebook_name)
    submissions = find_submissions(submitted, assignment, notebook_name)
    for student, notes in zip_notes.items():
        for submission in submissions:
            if submission.student == student:
                submission.notes.extend(notes)
    limits = limits or Limits()
    source_bytes = source_path.read_bytes()
    results_dir = course.results_dir(assignment)
    results_dir.mkdir(parents=True, exist_ok=True)
    processed = gradebook.processed_source(course, assignment, source_nb, notebook_name) if record else None

    results, pending = {}, []
    for submission in submissions:
        key = _digest(source_bytes, submission.path.read_bytes() if submission.path else b"<missing>",
                      __version__.encode(), json.dumps(dataclasses.asdict(limits), sort_keys=True).encode())
        cache = results_dir / f"{submission.student}.json"
        if not force and cache.exists():
            try:
                stored = json.loads(cache.read_text())
                if stored.get("key") == key:
                    results[submission.student] = stored["result"]
                    if record and not course.autograded_path(submission.student, assignment, notebook_name).exists():
                        _record_only(course, assignment, notebook_name, submission, processed, stored["result"])
                    continue
            except (OSError, ValueError):
                pass
        pending.append((submission, key, cache))

    jobs = max(1, int(jobs or os.cpu_count() or 1))
    tasks = [(spec, s.path, course.released_dir(assignment), limits, isolate, course.watched_paths())
             for s, _, _ in pending]

    def finish(submission, key, cache, result):
        for kind, detail in submission.notes:
            result["flags"].insert(0, {"kind": kind, "where": "notebook", "detail": detail})
        if any(f["kind"] in INCOMPLETE for f in result["flags"]):
            result["complete"] = False
        if result.pop("retry", False):  # the grader itself failed: nothing recorded, judged again next run
            results[submission.student] = result
            progress(f"  {submission.student}: NOT GRADED ({result['flags'][-1]['detail']})")
            return
        if record:
            submission_nb = None
            if submission.path is not None:
                try:
                    submission_nb = read_notebook(submission.path)
                except NotebookError:
                    submission_nb = None
            if submission.path is not None:
                timestamp = _timestamp(submission.path.parent)
                gradebook.record(course, assignment, notebook_name, submission.student, processed,
                                 submission_nb, result, timestamp, gradebook=shared_gradebook)
        temporary = cache.with_suffix(".tmp")
        temporary.write_text(json.dumps({"key": key, "student": submission.student, "result": result},
                                        indent=1, sort_keys=True))
        os.replace(temporary, cache)
        results[submission.student] = result
        score = sum(t["points"] for t in result["tests"])
        state = "ok" if result["complete"] else "INCOMPLETE"
        kinds = sorted({f["kind"] for f in result["flags"]})
        progress(f"  {submission.student}: {score:g}/{spec.auto_points:g} {state}"
                 + (f" (flags: {', '.join(kinds)})" if kinds else ""))

    if pending:
        probe = Sandbox(isolate=isolate, limits=limits)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            probe.start()
        probe.stop()
        level = probe.isolation or {}
        if level.get("level") == "full":
            progress(f"Sandbox: {level.get('detail')}")
        else:
            progress(f"WARNING: learner code will NOT be isolated from this machine's files "
                     f"({level.get('detail')}); time and memory limits only.")
    progress(f"Grading {assignment}: {len(pending)} to judge, {len(results)} already judged "
             f"({jobs} parallel job{'s' if jobs > 1 else ''})")
    shared_gradebook = gradebook.Gradebook(course.db_url) if record and pending else None
    try:
        _run(pending, tasks, jobs, spec, finish)
    finally:
        if shared_gradebook is not None:
            shared_gradebook.close()
    return spec, dict(sorted(results.items()))


def _run(pending, tasks, jobs, spec, finish):
    """Judge ``tasks`` (serially or in a process pool) and pass each result to ``finish`` in order."""
    if jobs == 1 or len(pending) <= 1:
        for (submission, key, cache), task in zip(pending, tasks):
            finish(submission, key, cache, _judge(task))
    else:
        context = multiprocessing.get_context("forkserver")
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(_judge, task) for task in tasks]
            # Record in submission order, so the gradebook is written exactly as in a serial run.
            for (submission, key, cache), future in zip(pending, futures):
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 (a lost worker must not stop the class)
                    result = empty_result(spec, f"the grading worker failed: {type(error).__name__}: {error}",
                                          "crash")
                    result["retry"] = True
                finish(submission, key, cache, result)


def _record_only(course, assignment, notebook_name, submission, processed, result):
    """Record a result judged elsewhere (another machine's shard) in this course's gradebook."""
    from . import gradebook

    submission_nb = None
    if submission.path is not None:
        try:
            submission_nb = read_notebook(submission.path)
        except NotebookError:
            pass
        gradebook.record(course, assignment, notebook_name, submission.student, processed, submission_nb,
                         result, _timestamp(submission.path.parent))


def _timestamp(folder):
    stamp = folder / "timestamp.txt"
    if stamp.exists():
        try:
            return stamp.read_text().strip() or None
        except OSError:
            return None
    return None
