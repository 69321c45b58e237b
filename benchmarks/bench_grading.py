"""Grading throughput: plain serial ``nbgrader autograde`` against ``nngrade grade`` in parallel.

Both grade the same generated class (honest, partial and untouched submissions of one assignment)
in the same run, on copies of one course folder, and the script reports submissions per second and
the ratio. Timings are only ever compared within one run; no test asserts them.

    python benchmarks/bench_grading.py                      # 200 submissions of the fixture course
    python benchmarks/bench_grading.py --quick              # 20 submissions
    python benchmarks/bench_grading.py --course-dir . --assignment activations --jobs 2
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nngrade import demo, secret  # noqa: E402
from nngrade.classgrade import grade_class  # noqa: E402
from nngrade.course import Course  # noqa: E402
from nngrade.notebook import read_notebook  # noqa: E402


def make_class(course, assignment, target, count):
    target.mkdir(parents=True)
    shutil.copy2(course.root / "nbgrader_config.py", target / "nbgrader_config.py")
    for directory in (course.source_directory, course.release_directory):
        if (course.root / directory / assignment).is_dir():
            shutil.copytree(course.root / directory / assignment, target / directory / assignment)
    source_path = course.source_notebook(assignment)
    source = read_notebook(source_path)
    parts = len(demo.answer_cells(source))
    for index in range(count):
        solved_parts = index % (parts + 1)
        nb = demo.solved(source) if solved_parts == parts else demo.released(source, solved_parts)
        demo.write(nb, target / "submitted" / f"student{index:04d}" / assignment / f"{source_path.stem}.ipynb")
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course-dir", default=str(ROOT / "tests" / "nngrade" / "fixtures" / "course"))
    parser.add_argument("--assignment", default="toy")
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="20 submissions")
    args = parser.parse_args()
    count = 20 if args.quick else args.submissions
    course = Course(args.course_dir)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    # Hidden tests draw their data from the course's secret: plain nbgrader gets it as an instructor
    # running it by hand would (docs/instructors/grading.md), so both graders run the same tests.
    env.setdefault(secret.ENV, secret.load(course.root))

    with tempfile.TemporaryDirectory() as scratch:
        plain = make_class(course, args.assignment, Path(scratch) / "plain", count)
        ours = make_class(course, args.assignment, Path(scratch) / "ours", count)
        # nbgrader needs the assignment in its gradebook; generate_assignment records it.
        subprocess.run(["nbgrader", "generate_assignment", args.assignment, "--force"], cwd=plain, env=env,
                       check=True, capture_output=True)

        start = time.perf_counter()
        done = subprocess.run(["nbgrader", "autograde", args.assignment], cwd=plain, env=env,
                              capture_output=True, text=True)
        plain_seconds = time.perf_counter() - start
        if done.returncode != 0:
            print("warning: nbgrader autograde reported failures (expected for unsolved work):",
                  done.stderr.count("ERROR"), "error lines")

        start = time.perf_counter()
        grade_class(Course(ours), args.assignment, jobs=args.jobs, progress=lambda *_: None)
        ours_seconds = time.perf_counter() - start

    plain_rate, ours_rate = count / plain_seconds, count / ours_seconds
    print(f"{count} submissions of {args.assignment}, {os.cpu_count()} cores")
    print(f"  nbgrader autograde (serial, in-kernel tests): {plain_seconds:7.1f} s  {plain_rate:6.2f} submissions/s")
    print(f"  nngrade grade --jobs {args.jobs} (sandboxed):      {ours_seconds:7.1f} s  {ours_rate:6.2f} submissions/s")
    print(f"  ratio: {ours_rate / plain_rate:.2f}x")


if __name__ == "__main__":
    main()
