"""Command line: ``nngrade check``, ``nngrade grade``, ``nngrade demo``."""

import argparse
import functools
import os
import sys
import warnings
from pathlib import Path

from .console import escape
from .result import INCOMPLETE
from .sandbox import Limits

BAD_INPUT = 2
FAILED_TO_GRADE = 2
SELF_CHECK_FAILED = 3


def say(text="", file=None):
    """Print one message: control characters (from learner text inside it) shown escaped."""
    print(escape(text, keep_newlines=True), file=file or sys.stdout)


def refuses_bad_input(command):
    """The rule every command follows for input it cannot use (a folder that is not a course, an
    unknown assignment, a file that is not a notebook or a CSV it expects, a missing file): one line
    ``error: <what>`` on stderr and exit code 2, no traceback. ``CourseError`` and ``NotebookError``
    are ``ValueError``s."""
    @functools.wraps(command)
    def run(args, **options):
        try:
            return command(args, **options)
        except (ValueError, FileNotFoundError) as error:
            say(f"error: {error}", file=sys.stderr)
            return BAD_INPUT
    return run


def _limits(args):
    return Limits(cell_seconds=args.cell_timeout, call_seconds=args.call_timeout,
                  memory_bytes=int(args.memory_gb * (1 << 30)))


def _add_limit_options(parser):
    parser.add_argument("--cell-timeout", type=float, default=Limits.cell_seconds, metavar="SECONDS",
                        help="wall time allowed for one notebook cell (default %(default)s)")
    parser.add_argument("--call-timeout", type=float, default=Limits.call_seconds, metavar="SECONDS",
                        help="wall time allowed for one call made by a test (default %(default)s)")
    parser.add_argument("--memory-gb", type=float, default=Limits.memory_bytes / (1 << 30),
                        help="memory (address space) allowed to the learner's code (default %(default)s)")


def _positive(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _tests_for_check(args, path):
    """The notebook whose setup and test cells ``check`` uses: never the one being checked."""
    from . import secret
    from .course import Course, find_release

    if args.release:
        return Path(args.release)
    assignment = args.assignment or path.stem
    if args.course_dir:
        course = Course(args.course_dir)
        secret.install(course.root)  # the course's own tests: its hidden data as grading draws them
        released = course.released_dir(assignment) / f"{assignment}.ipynb"
        return released if released.exists() else course.source_notebook(assignment)
    return find_release(assignment)


@refuses_bad_input
def cmd_check(args):
    from .engine import grade_notebook
    from .notebook import AssignmentSpec, NotebookError, read_notebook, read_submission
    from .versioning import stale_message

    path = Path(args.notebook)
    nb, problems = read_submission(path)
    tests_path = _tests_for_check(args, path)
    tests_nb = read_notebook(tests_path)
    spec = AssignmentSpec.from_notebook(tests_nb, tests_path.stem)
    if not spec.tests:
        raise NotebookError(f"{tests_path} has no test cells (nbgrader metadata); is it an exercise notebook?")
    say(f"Checking {path.name} against the tests of {tests_path.name} as the grader will: a fresh "
          f"sandboxed process, cells in order, {args.cell_timeout:g} s per cell.")
    stale = stale_message(spec.name, nb, tests_nb, shipped=not (args.release or args.course_dir))
    if stale:
        say(f"  warning: {stale}")
    for problem in problems:
        say(f"  note: {problem}")
    released = path.parent if args.with_files else None
    result = grade_notebook(spec, nb, released_dir=released, limits=_limits(args))
    if result.grader_failed and result.kinds() == ["environment"]:
        # The learner's own code on the learner's own machine: without the sandbox (which this
        # machine refuses) it is still checked, with time and memory limits. Grading never does this.
        say(f"  note: {result.flags[0].detail}; checking without the sandbox")
        result = grade_notebook(spec, nb, released_dir=released, limits=_limits(args), isolate=False)
    width = max(len(t.grade_id) for t in result.tests)
    for test in result.tests:
        mark = "pass" if test.passed else "FAIL"
        say(f"  {test.grade_id:<{width}}  {test.points:g}/{test.max_points:g}  {mark}"
            + (f"  {escape(test.message)}" if test.message else ""))
    for error in result.cell_errors:
        say(f"  note: {error.cell} raised {escape(error.error)}")
    for flag in result.flags:
        if flag.kind in INCOMPLETE:
            say(f"  problem ({flag.kind}) at {escape(flag.where)}: {escape(flag.detail)}")
    say(f"Visible tests: {result.score:g}/{spec.auto_points:g} points. Hidden tests run when your work is graded."
          + (f" Written answers ({spec.manual_points:g} points) are graded by hand." if spec.manual_points else ""))
    failed = [t for t in result.tests if not t.passed]
    if stale:
        say("warning: the notebook and the tests come from different releases (see above): this result may "
            "not be the grader's.")
    if failed or not result.complete:
        say(f"{len(failed)} part(s) need more work.")
        return 1
    say("All visible tests pass.")
    return 0


@refuses_bad_input
def cmd_grade(args, merge=False):
    from .classgrade import SelfCheckFailed, grade_class
    from .course import Course
    from .plan import Shard
    from .pool import Stopped, stop_on_signals
    from .publish import publish

    try:
        shard = Shard.parse(args.shard) if getattr(args, "shard", None) else None
        course = Course(args.course_dir)
        with stop_on_signals():
            spec, results = grade_class(course, args.assignment, submissions_dir=args.submissions,
                                        zip_path=getattr(args, "zip", None), jobs=args.jobs, limits=_limits(args),
                                        isolate=not args.no_isolation, force=getattr(args, "force", False),
                                        shard=shard, require_cached=merge,
                                        budget_seconds=getattr(args, "time_budget", None),
                                        zip_names=getattr(args, "zip_names", "auto"))
    except SelfCheckFailed as error:
        say(f"error: {error}", file=sys.stderr)
        return SELF_CHECK_FAILED
    except (KeyboardInterrupt, Stopped) as stop:
        say(f"grading stopped ({stop or 'Ctrl-C'}); verdicts saved so far are kept", file=sys.stderr)
        return 130
    if shard is not None:
        problems = [s for s, r in results.items() if not r.complete]
        say(f"\nshard {shard}: {len(results)} submissions judged into {course.results_dir(args.assignment)}; "
              f"record them all with: nngrade merge {args.assignment}")
        return FAILED_TO_GRADE if problems else 0
    published = publish(course, args.assignment, spec, results, args.submissions,
                        feedback=not args.no_feedback, lms_column=getattr(args, "lms_column", None),
                        lms_points=getattr(args, "lms_points", None))
    say(f"\n{len(results)} submissions of {args.assignment}; report: {published.report}")
    for written in published.lms_files:
        say(f"grades for the LMS: {written}")
    if published.lms_left_empty:
        say(f"left empty in the LMS files (not graded fully, see below): "
            f"{', '.join(map(escape, published.lms_left_empty))}")
    if published.absent:
        say(f"no submission from {len(published.absent)} student(s) in the gradebook: "
            f"{', '.join(map(escape, published.absent))}")
    if published.feedback:
        say(f"feedback: {published.feedback}   grades: {published.grades}")
    for written in published.feedback_zips:
        say(f"feedback for the LMS to upload (after the written answers are graded): {written}")
    for problem in published.problems:
        say(f"warning: {problem}", file=sys.stderr)
    problems = {s: r for s, r in results.items() if not r.complete}
    if problems:
        say(f"{len(problems)} submission(s) could not be graded fully:")
        for student, result in problems.items():
            reasons = [f"{f.kind} ({f.where}): {f.detail}" for f in result.flags if f.kind in INCOMPLETE]
            say(f"  {escape(student)}: " + escape("; ".join(reasons or ["see the report"])))
    if published.problems or (problems and not getattr(args, "allow_incomplete", False)):
        return FAILED_TO_GRADE
    return 0


def cmd_merge(args):
    return cmd_grade(args, merge=True)


@refuses_bad_input
def cmd_demo(args):
    from .course import Course, CourseError
    from .demo import make_demo_class

    target = Path(args.target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValueError(f"target: {target} already exists and is not empty; the demo class needs a new folder "
                         "(it would replace that folder's nbgrader_config.py and submissions)")
    try:
        course = Course(args.course_dir)
        course.source_notebook(args.assignment)
    except CourseError as error:
        raise CourseError(f"{error}\nRun nngrade demo from the course's repository, or pass --course-dir "
                          "with the folder that holds solutions/ and nbgrader_config.py.") from None
    target = make_demo_class(course, args.assignment, target)
    say(f"Demo class for {args.assignment} written to {target} (6 students: ada solved everything, ben one "
          "part, chen nothing, dara patches numpy.testing, eli renamed the notebook, fay's file is not a "
          f"notebook).\nGrade it with:  nngrade grade {args.assignment} --course-dir {target}")
    return 0


@refuses_bad_input
def cmd_roster(args):
    from .course import Course
    from .roster import import_roster

    course = Course(args.course_dir)
    people = import_roster(course, args.file)
    say(f"{len(people)} student(s) added to the roster of {course.root} and its gradebook; from now on a student "
          "without a submission is reported as missing.")
    return 0


@refuses_bad_input
def cmd_similarity(args):
    from .course import Course
    from .similarity import class_codes, compare, write_report

    course = Course(args.course_dir)
    _, codes, scaffold = class_codes(course, args.assignment, args.submissions)
    pairs = compare(codes, scaffold, args.threshold)
    path = write_report(course.root / "reports" / f"{args.assignment}-similarity.html", args.assignment, pairs,
                        args.threshold)
    say(f"{len(codes)} submissions of {args.assignment} compared; {len(pairs)} pair(s) at "
          f"{args.threshold:.0%} or more:")
    for pair in pairs:
        say(f"  {escape(pair.first)} and {escape(pair.second)}: {pair.shares[0]:.0%} / {pair.shares[1]:.0%}")
    say(f"side by side: {path}")
    return 0


@refuses_bad_input
def cmd_gradescope(args):
    from .course import Course
    from .gradescope import build

    path = build(Course(args.course_dir), args.assignment, args.output or f"autograder-{args.assignment}.zip",
                 _limits(args), args.wheel)
    say(f"Gradescope autograder for {args.assignment}: {path}\nUpload it as a programming assignment's "
        "autograder (Ubuntu 24.04 base image); see docs/instructors/platforms.md.")
    return 0


def _add_class_options(parser):
    parser.add_argument("assignment", help="assignment name, e.g. perceptron")
    parser.add_argument("--course-dir", default=".", help="the nbgrader course folder (default: here)")
    parser.add_argument("--submissions", help="folder of <student>/<assignment>/<notebook>.ipynb (default: submitted/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel graders (default: cores)")
    parser.add_argument("--no-feedback", action="store_true", help="skip nbgrader generate_feedback and export")
    parser.add_argument("--no-isolation", action="store_true",
                        help="run learner code without the file-system sandbox (limits only; NOT for grading)")
    parser.add_argument("--allow-incomplete", action="store_true",
                        help="exit 0 when every file was written even if some submissions could not be graded "
                        "fully (they are still listed); for batch systems that mark exit 2 as a failed job")
    parser.add_argument("--lms-points", type=float, metavar="POINTS",
                        help="scale the grades in the LMS files to an LMS assignment worth POINTS "
                        "(default: the course's own maximum, which the LMS assignment must then be worth)")
    parser.add_argument("--lms-column", help="the Canvas gradebook column to fill, as Canvas names it "
                        "(e.g. 'Toy (12345)'; default: the assignment name)")
    _add_limit_options(parser)


def build_parser():
    parser = argparse.ArgumentParser(prog="nngrade", description="Check and grade the course's notebooks safely.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run a notebook as the grader will; non-zero exit if a test fails")
    check.add_argument("notebook", help="the exercise notebook (.ipynb) to check")
    check.add_argument("--assignment", help="which assignment it is (default: the notebook's file name)")
    check.add_argument("--release", help="take the setup and test cells from this released notebook")
    check.add_argument("--course-dir", help="take them from this course's release (or source) instead of "
                       "the releases installed with nngrade")
    check.add_argument("--with-files", action="store_true",
                       help="copy the other files in the notebook's folder next to it while it runs")
    _add_limit_options(check)
    check.set_defaults(handler=cmd_check)

    grade = commands.add_parser("grade", help="grade every submission of an assignment")
    _add_class_options(grade)
    grade.add_argument("--zip", help="an LMS export (Canvas, Moodle) to unpack into submitted/ first")
    grade.add_argument("--zip-names", default="auto", metavar="auto|canvas|moodle|REGEX",
                       help="how the zip names each student's files: Canvas's or Moodle's (auto: either), or a "
                       "regular expression with the named groups name (required), id, file and late, for another "
                       "LMS (default: auto)")
    grade.add_argument("--force", action="store_true", help="judge again even submissions already judged")
    grade.add_argument("--time-budget", type=_positive, metavar="SECONDS",
                       help="stop judging after this long in all; what is left is judged on the next run")
    grade.add_argument("--shard", metavar="K/N",
                       help="judge only shard K of N (0 <= K < N) into nngrade-results/, record nothing; "
                       "then run `nngrade merge`")
    grade.set_defaults(handler=cmd_grade)

    merge = commands.add_parser("merge", help="record the verdicts of every shard in the gradebook, "
                                "the report, feedback and grades, as one `nngrade grade` run would")
    _add_class_options(merge)
    merge.set_defaults(handler=cmd_merge)

    roster = commands.add_parser("roster", help="import the class list (Canvas gradebook export, Moodle grading "
                                 "worksheet or nbgrader's student CSV): who sends nothing is reported missing")
    roster.add_argument("file", help="the CSV file the LMS exports")
    roster.add_argument("--course-dir", default=".", help="the nbgrader course folder (default: here)")
    roster.set_defaults(handler=cmd_roster)

    similar = commands.add_parser("similarity", help="list pairs of submissions whose own code is alike "
                                  "(renamed, reordered or reformatted copies), side by side")
    similar.add_argument("assignment")
    similar.add_argument("--course-dir", default=".", help="the nbgrader course folder (default: here)")
    similar.add_argument("--submissions", help="folder of <student>/<assignment>/<notebook>.ipynb (default: submitted/)")
    similar.add_argument("--threshold", type=float, default=0.6,
                         help="share of one's own code found in the other's from which a pair is listed "
                         "(default %(default)s)")
    similar.set_defaults(handler=cmd_similarity)

    gradescope = commands.add_parser("gradescope", help="write a Gradescope autograder.zip that grades with "
                                     "the same sandbox, self-check and feedback as `nngrade grade`")
    gradescope.add_argument("assignment")
    gradescope.add_argument("--course-dir", default=".", help="the nbgrader course folder (default: here)")
    gradescope.add_argument("--output", help="where to write the zip (default: autograder-<assignment>.zip)")
    gradescope.add_argument("--wheel", help="the course's wheel to install (default: built from this repository)")
    _add_limit_options(gradescope)
    gradescope.set_defaults(handler=cmd_gradescope)

    demo = commands.add_parser("demo", help="make a small demo class with fake submissions")
    demo.add_argument("assignment")
    demo.add_argument("target", help="folder to create")
    demo.add_argument("--course-dir", default=".", help="the course folder to copy the assignment from")
    demo.set_defaults(handler=cmd_demo)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", module="nbformat")
    warnings.filterwarnings("ignore", message=".*(missing an id field|not in session).*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
