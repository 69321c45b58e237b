"""Planning a class: verdicts cached under a key that changes with the code that judged them, and
shards that split a class the same way everywhere."""

import shutil

import pytest

from nngrade import demo, plan
from nngrade.classgrade import grade_class
from nngrade.course import Course
from nngrade.sandbox import Limits



def test_the_fingerprint_covers_the_grader_and_nnlib():
    roots = {path.name for path in plan.source_roots()}
    assert roots == {"nngrade", "nnlib"}
    assert plan.code_fingerprint() == plan.code_fingerprint()


def test_changing_a_grader_source_file_invalidates_the_cache(tmp_path, monkeypatch, toy_course, toy_source, limits):
    code = tmp_path / "code"
    for root in plan.source_roots():
        shutil.copytree(root, code / root.name, ignore=shutil.ignore_patterns("__pycache__", "releases"))
    monkeypatch.setattr(plan, "source_roots", lambda: [code / "nngrade", code / "nnlib"])
    root = toy_course({"ada": demo.solved(toy_source)})

    def run():
        lines = []
        grade_class(Course(root), "toy", jobs=1, limits=limits, progress=lines.append, self_check_first=False)
        return next(line for line in lines if line.startswith("Grading toy"))

    assert "1 to judge, 0 already judged" in run()
    assert "0 to judge, 1 already judged" in run()
    with open(code / "nngrade" / "engine.py", "a") as handle:
        handle.write("\n# a fix in the grader\n")
    assert "1 to judge, 0 already judged" in run()
    assert "0 to judge, 1 already judged" in run()
    with open(code / "nnlib" / "testing.py", "a") as handle:
        handle.write("\n# a fix in the feedback helpers\n")
    assert "1 to judge, 0 already judged" in run()


def test_shards_split_the_class_into_disjoint_deterministic_parts():
    students = [f"student{i:04d}" for i in range(300)]
    shards = [plan.Shard.parse(f"{k}/3") for k in range(3)]
    parts = [[s for s in students if shard.holds(s)] for shard in shards]
    assert sorted(sum(parts, [])) == students  # each student in exactly one shard
    assert all(60 < len(part) < 140 for part in parts)
    assert parts == [[s for s in students if plan.Shard(k, 3).holds(s)] for k in range(3)]


@pytest.mark.parametrize("text", ["3/3", "-1/2", "1", "a/b", "0/0"])
def test_a_bad_shard_is_named_in_the_error(text):
    with pytest.raises(ValueError, match="shard: expected"):
        plan.Shard.parse(text)


def test_a_merge_takes_each_verdict_with_the_settings_recorded_beside_it(toy_course, toy_source, limits):
    import json
    import platform

    import numpy

    from nngrade.plan import Shard

    root = toy_course({f"s{i}": demo.solved(toy_source) for i in range(3)})
    for index in range(2):
        grade_class(Course(root), "toy", jobs=1, limits=limits, progress=lambda *_: None, shard=Shard(index, 2))
    lines = []
    _, merged = grade_class(Course(root), "toy", jobs=1, limits=Limits(), progress=lines.append,
                            require_cached=True)  # the command line's default limits, not the shards'
    assert "0 to judge, 3 already judged" in " ".join(lines)
    assert all(result.score == 3 for result in merged.values())
    stored = json.loads((root / "nngrade-results" / "toy" / "s0.json").read_text())["judged_with"]
    assert stored["limits"]["cell_seconds"] == limits.cell_seconds and stored["isolation"] == "sandbox"
    assert stored["python"] == platform.python_version() and stored["numpy"] == numpy.__version__
    assert len(stored["release"]) == 64


def test_a_plain_grade_rejudges_a_verdict_made_under_other_limits(toy_course, toy_source, limits):
    root = toy_course({"s0": demo.solved(toy_source)})
    grade_class(Course(root), "toy", jobs=1, limits=limits, progress=lambda *_: None, self_check_first=False)
    lines = []
    grade_class(Course(root), "toy", jobs=1, limits=Limits(cell_seconds=7, call_seconds=7, memory_bytes=2 << 30),
                progress=lines.append, self_check_first=False)
    assert "1 to judge, 0 already judged" in " ".join(lines)
