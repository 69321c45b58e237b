"""Command line: ``nngrade check``, ``nngrade grade``, ``nngrade demo``."""

import argparse
import os
import sys
import warnings
from pathlib import Path

from .result import INCOMPLETE
from .sandbox import Limits

FAILED_TO_GRADE = 2
SELF_CHECK_FAILED = 3


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


def _tests_for_check(args, path):
    """The notebook whose setup and test cells ``check`` uses: never the one being checked."""
    from .course import Course, find_release

    if args.release:
        return Path(args.release)
    assignment = args.assignment or path.stem
    if args.course_dir:
        course = Course(args.course_dir)
        released = course.released_dir(assignment) / f"{assignment}.ipynb"
        return released if released.exists() else course.source_notebook(assignment)
    return find_release(assignment)


def cmd_check(args):
    from .course import CourseError
    from .engine import grade_notebook
    from .notebook import AssignmentSpec, NotebookError, read_notebook, read_submission

    path = Path(args.notebook)
    try:
        nb, problems = read_submission(path)
        tests_path = _tests_for_check(args, path)
        tests_nb = read_notebook(tests_path)
    except (NotebookError, CourseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    spec = AssignmentSpec.from_notebook(tests_nb, tests_path.stem)
    if not spec.tests:
        print(f"error: {tests_path} has no test cells (nbgrader metadata); is it an exercise notebook?",
              file=sys.stderr)
        return 2
    print(f"Checking {path.name} against the tests of {tests_path.name} as the grader will: a fresh "
          f"sandboxed process, cells in order, {args.cell_timeout:g} s per cell.")
    for problem in problems:
        print(f"  note: {problem}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = grade_notebook(spec, nb, released_dir=path.parent if args.with_files else None,
                                limits=_limits(args))
    width = max(len(t.grade_id) for t in result.tests)
    for test in result.tests:
        mark = "pass" if test.passed else "FAIL"
        print(f"  {test.grade_id:<{width}}  {test.points:g}/{test.max_points:g}  {mark}"
              + (f"  {test.message}" if test.message else ""))
    for error in result.cell_errors:
        print(f"  note: {error.cell} raised {error.error}")
    for flag in result.flags:
        if flag.kind in INCOMPLETE:
            print(f"  problem ({flag.kind}) at {flag.where}: {flag.detail}")
    print(f"Visible tests: {result.score:g}/{spec.auto_points:g} points. Hidden tests run when your work is graded."
          + (f" Written answers ({spec.manual_points:g} points) are graded by hand." if spec.manual_points else ""))
    failed = [t for t in result.tests if not t.passed]
    if failed or not result.complete:
        print(f"{len(failed)} part(s) need more work.")
        return 1
    print("All visible tests pass.")
    return 0


def cmd_grade(args, merge=False):
    from . import report, secret
    from .classgrade import SelfCheckFailed, grade_class
    from .course import Course, CourseError
    from .plan import Shard
    from .pool import Stopped, stop_on_signals

    try:
        shard = Shard.parse(args.shard) if getattr(args, "shard", None) else None
        course = Course(args.course_dir)
        secret.install(course.root)  # the hidden tests' data (nngrade.secret); never in the sandbox's environment
        with stop_on_signals():
            spec, results = grade_class(course, args.assignment, submissions_dir=args.submissions,
                                        zip_path=getattr(args, "zip", None), jobs=args.jobs, limits=_limits(args),
                                        isolate=not args.no_isolation, force=getattr(args, "force", False),
                                        shard=shard, require_cached=merge)
    except (CourseError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SelfCheckFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return SELF_CHECK_FAILED
    except (KeyboardInterrupt, Stopped) as stop:
        print(f"grading stopped ({stop or 'Ctrl-C'}); verdicts saved so far are kept", file=sys.stderr)
        return 130
    if shard is not None:
        problems = [s for s, r in results.items() if not r.complete]
        print(f"\nshard {shard}: {len(results)} submissions judged into {course.results_dir(args.assignment)}; "
              f"record them all with: nngrade merge {args.assignment}")
        return FAILED_TO_GRADE if problems else 0
    report_path = report.write(course.report_path(args.assignment), spec, results)
    problems = {s: r for s, r in results.items() if not r.complete}
    if not args.no_feedback and results:
        feedback = course.run_nbgrader("generate_feedback", args.assignment, "--force")
        if feedback.returncode != 0:
            print("warning: nbgrader generate_feedback failed:\n" + feedback.stderr[-2000:], file=sys.stderr)
        exported = course.run_nbgrader("export")
        if exported.returncode != 0:
            print("warning: nbgrader export failed:\n" + exported.stderr[-2000:], file=sys.stderr)
    print(f"\n{len(results)} submissions of {args.assignment}; report: {report_path}")
    for written in _write_lms_grades(course, args, spec, results):
        print(f"grades for the LMS: {written}")
    absent = _students_without_submission(course, args.assignment, results)
    if absent:
        print(f"no submission from {len(absent)} student(s) in the gradebook: {', '.join(absent)}")
    if not args.no_feedback and results:
        print(f"feedback: {course.root / 'feedback'}   grades: {course.root / 'grades.csv'}")
    if problems:
        print(f"{len(problems)} submission(s) could not be graded fully:")
        for student, result in problems.items():
            reasons = [f"{f.kind} ({f.where}): {f.detail}" for f in result.flags if f.kind in INCOMPLETE]
            print(f"  {student}: " + "; ".join(reasons or ["see the report"]))
        return FAILED_TO_GRADE
    return 0


def _write_lms_grades(course, args, spec, results):
    """Beside grades.csv: one CSV per LMS the submissions came from, with the gradebook's totals
    (autograded, manual and late penalty, as ``nbgrader export`` computes them)."""
    from nbgrader.api import Gradebook, MissingEntry

    from . import lms

    submitted = Path(args.submissions) if args.submissions else course.submitted_dir()
    people = lms.participants(submitted)
    if not people:
        return []
    totals = {}
    with Gradebook(course.db_url) as gradebook:
        for student in results:
            if student not in people:
                continue
            try:
                totals[student] = gradebook.find_submission(args.assignment, student).score
            except MissingEntry:
                continue
    maximum = spec.auto_points + spec.manual_points
    written = []
    for kind in sorted({person["lms"] for person in people.values()}):
        path = course.root / f"grades-{kind}-{args.assignment}.csv"
        written.append(lms.write_grades(path, args.assignment, totals, maximum, people, kind,
                                        column=getattr(args, "lms_column", None)))
    return written


def cmd_merge(args):
    return cmd_grade(args, merge=True)


def _students_without_submission(course, assignment, results):
    from nbgrader.api import Gradebook, MissingEntry

    absent = []
    with Gradebook(course.db_url) as gradebook:
        for student in gradebook.students:
            if student.id in results:
                continue
            try:
                gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                absent.append(student.id)
    return sorted(absent)


def cmd_demo(args):
    from .course import Course
    from .demo import make_demo_class

    course = Course(args.course_dir)
    target = make_demo_class(course, args.assignment, args.target)
    print(f"Demo class for {args.assignment} written to {target} (6 students: ada solved everything, ben one "
          "part, chen nothing, dara patches numpy.testing, eli renamed the notebook, fay's file is not a "
          f"notebook).\nGrade it with:  nngrade grade {args.assignment} --course-dir {target}")
    return 0


def _add_class_options(parser):
    parser.add_argument("assignment", help="assignment name, e.g. perceptron")
    parser.add_argument("--course-dir", default=".", help="the nbgrader course folder (default: here)")
    parser.add_argument("--submissions", help="folder of <student>/<assignment>/<notebook>.ipynb (default: submitted/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel graders (default: cores)")
    parser.add_argument("--no-feedback", action="store_true", help="skip nbgrader generate_feedback and export")
    parser.add_argument("--no-isolation", action="store_true",
                        help="run learner code without the file-system sandbox (limits only; NOT for grading)")
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
    grade.add_argument("--force", action="store_true", help="judge again even submissions already judged")
    grade.add_argument("--shard", metavar="K/N",
                       help="judge only shard K of N (0 <= K < N) into nngrade-results/, record nothing; "
                       "then run `nngrade merge`")
    grade.set_defaults(handler=cmd_grade)

    merge = commands.add_parser("merge", help="record the verdicts of every shard in the gradebook, "
                                "the report, feedback and grades, as one `nngrade grade` run would")
    _add_class_options(merge)
    merge.set_defaults(handler=cmd_merge)

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
