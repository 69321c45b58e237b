"""The command line as an instructor's batch system runs it: shards as separate processes, then one
merge that records exactly what one run would have."""

import json
import subprocess
import sys

import nbformat
import pytest

from nngrade import demo
from nngrade.cli import main

from .conftest import FIXTURE

OPTIONS = ["--cell-timeout", "5", "--call-timeout", "5", "--memory-gb", "2", "--no-feedback"]


def _class(make, source, name):
    """Nine students (solved, one part, nothing), each submitted on one of three days."""
    root = make({f"student{index}": [demo.solved(source), demo.released(source, 1), demo.released(source)][index % 3]
                 for index in range(9)}, name=name)
    for index in range(9):
        (root / "submitted" / f"student{index}" / "toy" / "timestamp.txt").write_text(
            f"2026-03-0{index % 3 + 1} 10:00:00 UTC")
    return root


def _nngrade(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "nngrade", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def _gradebook(root):
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            submission = gradebook.find_submission("toy", student.id)
            grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for n in submission.notebooks
                      for g in n.grades}
            comments = {c.name: c.auto_comment for n in submission.notebooks for c in n.comments}
            rows[student.id] = (str(submission.timestamp), submission.score, grades, comments)
    return rows


def _files(root, folder):
    return {str(p.relative_to(root / folder)): p.read_text().replace(str(root), "<course>")
            for p in sorted((root / folder).rglob("*")) if p.is_file()}


def test_three_shards_and_a_merge_record_exactly_what_one_run_does(toy_course, toy_source):
    single, sharded = _class(toy_course, toy_source, "single"), _class(toy_course, toy_source, "sharded")
    one = _nngrade("grade", "toy", "--course-dir", str(single), "--jobs", "1", *OPTIONS)
    shards = [_nngrade("grade", "toy", "--course-dir", str(sharded), "--jobs", "1", "--shard", f"{k}/3", *OPTIONS)
              for k in range(3)]
    outputs = [process.communicate(timeout=600) for process in [one, *shards]]
    assert [p.returncode for p in [one, *shards]] == [0, 0, 0, 0], outputs
    judged = [json.loads(p.read_text())["student"] for p in (sharded / "nngrade-results" / "toy").glob("*.json")]
    assert sorted(judged) == [f"student{i}" for i in range(9)]
    assert not (sharded / "gradebook.db").exists() or not _gradebook(sharded)  # shards record nothing
    counts = [int(out.split("shard ")[-1].split(": ")[1].split()[0]) for out, _ in outputs[1:]]
    assert sum(counts) == 9 and all(count < 9 for count in counts)

    merge = _nngrade("merge", "toy", "--course-dir", str(sharded), "--jobs", "1", *OPTIONS)
    out, err = merge.communicate(timeout=600)
    assert merge.returncode == 0, out + err
    assert "0 to judge, 9 already judged" in out
    assert _gradebook(sharded) == _gradebook(single)
    assert _files(sharded, "autograded") == _files(single, "autograded")
    assert _files(sharded, "nngrade-results") == _files(single, "nngrade-results")


def test_merge_refuses_while_a_shard_is_missing(toy_course, toy_source):
    root = _class(toy_course, toy_source, "course")
    shard = _nngrade("grade", "toy", "--course-dir", str(root), "--jobs", "1", "--shard", "0/3", *OPTIONS)
    shard.communicate(timeout=600)
    merge = _nngrade("merge", "toy", "--course-dir", str(root), *OPTIONS)
    out, err = merge.communicate(timeout=600)
    assert merge.returncode == 2 and "have no verdict yet" in err and "run their shards first" in err
    assert not (root / "autograded").exists()


def test_demo_never_writes_into_an_existing_folder_and_says_where_the_course_is(tmp_path, capsys):
    existing = tmp_path / "class"
    existing.mkdir()
    (existing / "nbgrader_config.py").write_text("# my late-penalty plugin\n")
    assert main(["demo", "toy", str(existing), "--course-dir", str(FIXTURE)]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (existing / "nbgrader_config.py").read_text() == "# my late-penalty plugin\n"
    assert main(["demo", "toy", str(tmp_path / "new"), "--course-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--course-dir" in err and "Traceback" not in err
    assert main(["demo", "toy", str(tmp_path / "new"), "--course-dir", str(FIXTURE)]) == 0
    assert (tmp_path / "new" / "submitted" / "ada" / "toy" / "toy.ipynb").exists()


def _check_against_a_notebook_without_tests(course, tmp):
    plain = demo.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), tmp / "plain.ipynb")
    return ["check", str(course / "exercises" / "toy" / "toy.ipynb"), "--release", str(plain)]


BAD_INPUT = {  # command -> (arguments given a course folder and a scratch folder, what the error names)
    "check": (lambda course, tmp: ["check", str(tmp / "missing.ipynb")], "missing.ipynb: cannot be read"),
    "check --release": (_check_against_a_notebook_without_tests, "plain.ipynb has no test cells"),
    "grade": (lambda course, tmp: ["grade", "toy", "--course-dir", str(tmp / "nowhere")], "is not a folder"),
    "merge": (lambda course, tmp: ["merge", "toy", "--course-dir", str(tmp / "nowhere")], "is not a folder"),
    "roster": (lambda course, tmp: ["roster", str(tmp / "class.csv"), "--course-dir", str(course)], "class.csv"),
    "similarity": (lambda course, tmp: ["similarity", "nosuch", "--course-dir", str(course)], "'nosuch'"),
    "gradescope": (lambda course, tmp: ["gradescope", "nosuch", "--course-dir", str(course)], "'nosuch'"),
    "demo": (lambda course, tmp: ["demo", "toy", str(tmp / "new"), "--course-dir", str(tmp / "nowhere")],
             "is not a folder"),
}


@pytest.mark.parametrize("command", sorted(BAD_INPUT))
def test_every_command_refuses_bad_input_with_one_error_line_and_exit_code_2(command, toy_course, tmp_path, capsys):
    arguments, named = BAD_INPUT[command]
    assert main(arguments(toy_course(), tmp_path)) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and named in err and "Traceback" not in err, err
    assert err.count("error: ") == 1 and out == ""
