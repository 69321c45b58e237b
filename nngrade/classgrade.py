"""Grade a whole class in five steps: collect -> plan -> judge -> record -> publish.

1. **collect** (:mod:`nngrade.collect`, :mod:`nngrade.lms`): unpack an LMS zip if given, find every
   submission and note what is odd about it.
2. **plan** (:mod:`nngrade.plan`): keep this shard's submissions, and reuse the cached verdict of
   each one judged before under the same key.
3. **judge** (:mod:`nngrade.pool`, :mod:`nngrade.engine`): judge the rest, each in its own sandbox,
   in parallel.
4. **record** (:mod:`nngrade.gradebook`): the parent alone writes the gradebook, the autograded
   notebooks and the result files, in student order, so a parallel run (or a merge of shards)
   writes exactly what one serial run does.
5. **publish** (:mod:`nngrade.publish`): the report, feedback, grades and LMS files, from what step 4
   recorded (``nngrade grade`` and ``nngrade merge`` call it after :func:`grade_class`).

Before step 3 the reference solution is graded in the same sandbox (:func:`self_check`): if it does
not earn every point, the environment is broken and nobody is graded.
"""

import time
import warnings
from pathlib import Path

from . import gradebook, lms, roster, secret
from .console import escape
from .collect import find_submissions
from .engine import grade_notebook
from .notebook import AssignmentSpec, read_notebook, solved
from .plan import judged_with, plan
from .pool import judge_all
from .sandbox import ConfinementFailed, Limits, Sandbox


class SelfCheckFailed(RuntimeError):
    """The reference solution does not earn full marks in the sandbox: grading would be wrong."""


def grade_class(course, assignment, submissions_dir=None, zip_path=None, jobs=None, limits=None,
                isolate=True, force=False, progress=print, shard=None, self_check_first=True,
                require_cached=False, budget_seconds=None, zip_names="auto"):
    """Grade every submission of ``assignment``; returns ``(spec, {student: SubmissionResult})``.

    ``shard`` (a :class:`~nngrade.plan.Shard`) judges only that share of the class and records
    nothing (the gradebook belongs to the merge). ``require_cached`` is the merge: judge nothing,
    record every cached verdict, and fail if one is missing. ``budget_seconds`` bounds the whole
    run: submissions not judged by then are reported and left for the next run.
    """
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    # Hidden data come from the course's secret: every run, shard and merge of this course sees the
    # same (the learner's sandbox gets an environment of its own, without it).
    secret.install(course.root)
    source_path = course.source_notebook(assignment)
    source_nb = read_notebook(source_path)
    spec = AssignmentSpec.from_notebook(source_nb, assignment, source_path.stem)
    limits = limits or Limits()
    record = shard is None  # a shard records nothing: the merge does

    # 1. collect
    submitted = Path(submissions_dir) if submissions_dir else course.submitted_dir()
    zip_notes = lms.unpack_zip(zip_path, submitted, assignment, spec.notebook_name,
                               names=lms.name_pattern(zip_names)) if zip_path else {}
    submissions = find_submissions(submitted, assignment, spec.notebook_name, zip_notes)
    submissions = sorted(submissions + roster.absent(course.root, submissions), key=lambda s: s.student)

    # 2. plan
    settings = judged_with(limits, isolate, course.released_dir(assignment))
    judged, pending = plan(submissions, source_path.read_bytes(), settings, course.results_dir(assignment),
                           force=force and not require_cached, shard=shard, recorded_settings=require_cached)
    if require_cached and pending:
        missing = ", ".join(task.submission.student for task in pending[:20])
        raise FileNotFoundError(f"results: {len(pending)} submission(s) have no verdict yet ({missing}"
                                f"{', ...' if len(pending) > 20 else ''}); run their shards first")
    context = (course.released_dir(assignment), limits, isolate, course.watched_paths())
    if pending:
        _announce_isolation(isolate, limits, progress)
        if self_check_first:
            self_check(spec, source_nb, context, progress)
    jobs = max(1, int(jobs or 1))
    progress(f"Grading {assignment}{f' (shard {shard})' if shard else ''}: {len(pending)} to judge, "
             f"{len(judged)} already judged ({jobs} parallel job{'s' if jobs > 1 else ''})")
    if spec.manual_points:  # the lines below count autograded points only; say what the whole is
        progress(f"Scores below are autograded points out of {spec.auto_points:g}; written answers add up to "
                 f"{spec.manual_points:g} more (total {spec.auto_points + spec.manual_points:g}), graded in the "
                 "formgrader.")

    # 3. judge, 4. record (in submission order, as each verdict arrives)
    recorder = gradebook.Recorder(course, assignment, source_nb, spec.notebook_name) if record else None
    results = {}

    def finish(task, result):
        for note in reversed(task.submission.notes):
            result.flag(note.kind, note.where, note.detail, first=True)
        results[task.submission.student] = result
        if result.grader_failed:  # nothing recorded: judged again next run
            progress(f"  {escape(task.submission.student)}: NOT GRADED ({escape(result.flags[-1].detail)})")
            return
        if recorder is None or recorder.record(task.submission, result):
            task.save(result)  # a verdict not recorded is not cached either: the next run tries again
        _report_progress(progress, task.submission.student, result, spec)

    try:
        for task, result in judged:
            if recorder is not None and (require_cached or not recorder.is_recorded(task.submission)):
                recorder.record(task.submission, result)
            results[task.submission.student] = result
        judge_all(spec, pending, context, jobs, finish, deadline=deadline)
    finally:
        if recorder is not None:
            recorder.close()
    return spec, dict(sorted(results.items()))


def self_check(spec, source_nb, context, progress=print):
    """Grade the reference solution in the same sandbox; raise :class:`SelfCheckFailed` unless it
    earns every autograded point with no environment problem."""
    released_dir, limits, isolate, watched = context
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = grade_notebook(spec, solved(source_nb), released_dir, limits, isolate, watched)
    problems = [f"{test.grade_id}: {test.points:g}/{test.max_points:g} ({test.message})"
                for test in result.tests if not test.passed]
    problems += [f"{flag.kind} at {flag.where}: {flag.detail}" for flag in result.flags
                 if flag.kind in ("environment", "crash", "timeout")]
    if problems or result.score < spec.auto_points:
        raise SelfCheckFailed(
            f"the reference solution of {spec.name} scores {result.score:g}/{spec.auto_points:g} in the sandbox, "
            "so the grading environment is broken and no submission was graded:\n  " + "\n  ".join(problems))
    progress(f"Self-check: the reference solution scores {result.score:g}/{spec.auto_points:g} in the sandbox.")


def _announce_isolation(isolate, limits, progress):
    probe = Sandbox(isolate=isolate, limits=limits)
    try:
        probe.start()
    except ConfinementFailed as failure:
        raise SelfCheckFailed(f"{failure.reason}; nobody was graded") from None
    finally:
        probe.stop()
    level = probe.isolation or {}
    if level.get("level") == "full":
        progress(f"Sandbox: {level.get('detail')}")
    else:
        progress(f"WARNING: learner code will NOT be isolated from this machine's files "
                 f"({level.get('detail')}); --no-isolation is for trying a course out, not for grading.")


def _report_progress(progress, student, result, spec):
    state = "ok" if result.complete else "INCOMPLETE"
    kinds = result.kinds()
    progress(f"  {escape(student)}: {result.score:g}/{spec.auto_points:g} {state}"
             + (f" (flags: {', '.join(kinds)})" if kinds else ""))
