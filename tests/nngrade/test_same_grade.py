"""The same grade every time (issue 16, cases 3, 5 and 9, and confinement that fails closed).

Identical notebooks get identical marks and feedback, in one run, in shards and a merge, and on a
regrade; ``python -O`` does not turn a failing test into a pass; a hidden test's failure does not
show the learner's own message (it may carry the hidden inputs); a sandbox that cannot be built
runs no learner code at all.
"""

import copy
import json
import subprocess
import sys

import nbformat

from nngrade import demo
from nngrade.classgrade import grade_class
from nngrade.course import Course
from nngrade.engine import grade_notebook
from nngrade.notebook import AssignmentSpec
from nngrade.plan import Shard
from nngrade.publish import publish
from nngrade.sandbox import Limits

# An answer whose result depends on every generator a learner's code (or Keras) may draw from
# unseeded: each one a coin flip against the bar unless the sandbox seeds them.
DRAW = ("def draw():\n    ### BEGIN SOLUTION\n    import random\n"
        "    return random.random() + float(np.random.rand()) + (hash('nngrade') % 1000) / 1000\n"
        "    ### END SOLUTION")
LUCKY = "### BEGIN HIDDEN TESTS\nassert draw() > 1.5, f'only {draw()}'\n### END HIDDEN TESTS"


def _with_draw(source):
    """The toy source with a third part, ``lucky`` (1 point), graded on a draw."""
    nb = copy.deepcopy(source)
    answer = nbformat.v4.new_code_cell(DRAW, metadata={"nbgrader": {
        "grade_id": "draw", "solution": True, "grade": False, "locked": False, "schema_version": 3}})
    test = nbformat.v4.new_code_cell(LUCKY, metadata={"nbgrader": {
        "grade_id": "lucky", "solution": False, "grade": True, "locked": True, "points": 1, "schema_version": 3}})
    nb.cells[-2:-2] = [answer, test]
    return nb


def _draw_course(make, toy_source, name):
    source = _with_draw(toy_source)
    root = make({f"twin{i}": demo.solved(source) for i in range(6)}, name=name)
    demo.write(source, root / "solutions" / "toy" / "toy.ipynb")
    return root


def _grade(root, limits, **options):
    return grade_class(Course(root), "toy", limits=limits, progress=lambda *_: None, self_check_first=False,
                       **options)[1]


def _verdicts(results):
    return {student: [(t.grade_id, t.points, t.message) for t in result.tests]
            for student, result in results.items()}


def test_identical_work_gets_identical_marks_in_one_run_in_shards_and_on_a_regrade(toy_course, toy_source, limits):
    one = _draw_course(toy_course, toy_source, "one")
    sharded = _draw_course(toy_course, toy_source, "sharded")
    first = _grade(one, limits, jobs=2)
    for index in range(2):
        _grade(sharded, limits, jobs=1, shard=Shard(index, 2))
    merged = _grade(sharded, limits, jobs=1, require_cached=True)
    regraded = _grade(one, limits, jobs=1, force=True)

    twins = {tuple(verdict) for verdict in _verdicts(first).values()}
    assert len(twins) == 1, twins  # six byte-identical notebooks, one verdict
    assert _verdicts(merged) == _verdicts(first) == _verdicts(regraded)
    spec = AssignmentSpec.from_notebook(_with_draw(toy_source), "toy")
    for root, results in ((one, first), (sharded, merged)):
        publish(Course(root), "toy", spec, results)
    feedback = [{student: (root / "feedback" / student / "toy" / "toy.html").read_text()
                 .split("<body")[1].replace(str(root), "<course>") for student in first}
                for root in (one, sharded)]
    assert feedback[0] == feedback[1]


def test_the_draws_would_differ_without_the_seed(toy_source, limits, monkeypatch):
    """What the test above guards against: the draw is a coin flip across seeds (courses)."""
    spec = AssignmentSpec.from_notebook(_with_draw(toy_source), "toy")
    outcomes = set()
    for secret in ("01" * 32, "02" * 32, "03" * 32, "04" * 32, "05" * 32, "06" * 32):
        monkeypatch.setenv("NNGRADE_SECRET", secret)
        result = grade_notebook(spec, demo.solved(_with_draw(toy_source)), limits=limits)
        outcomes.add(next(t.passed for t in result.tests if t.grade_id == "lucky"))
    assert outcomes == {True, False}


def test_python_optimize_does_not_strip_the_tests_asserts(toy_source, tmp_path):
    """``assert safe_mean([]) == 0.0`` (a hidden bare assert) still fails under ``python -O``."""
    wrong = demo.with_cell(demo.solved(toy_source), (
        "def safe_mean(values):\n    values = np.asarray(values, dtype=float)\n"
        "    return float(values.mean()) if values.size else 1.0"), position=len(toy_source.cells) - 3)
    path = demo.write(wrong, tmp_path / "toy.ipynb")
    source = tmp_path / "source.ipynb"
    demo.write(toy_source, source)
    script = (
        "import json, sys\n"
        "from nngrade.engine import grade_notebook\nfrom nngrade.notebook import AssignmentSpec, read_notebook\n"
        "from nngrade.sandbox import Limits\n"
        f"spec = AssignmentSpec.from_notebook(read_notebook({str(source)!r}), 'toy')\n"
        f"result = grade_notebook(spec, read_notebook({str(path)!r}), limits=Limits(cell_seconds=5, call_seconds=5))\n"
        "print(json.dumps([sys.flags.optimize, {t.grade_id: [t.points, t.message] for t in result.tests}]))\n")
    done = subprocess.run([sys.executable, "-O", "-c", script], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONOPTIMIZE": "2", "NNGRADE_SECRET": "00" * 32})
    assert done.returncode == 0, done.stderr
    optimize, tests = json.loads(done.stdout.strip().splitlines()[-1])
    assert optimize == 2  # the grader itself ran without asserts
    assert tests["safe_mean_values"] == [0.0, "a hidden test failed (AssertionError)"]
    assert tests["double_values"][0] == 1.0


def test_a_hidden_failure_shows_the_exception_type_not_the_learner_s_message(toy_course, toy_source, limits):
    leaky = demo.with_cell(demo.solved(toy_source), (
        "_double = double\n"
        "def double(x):\n"
        "    if np.size(x) == 5:\n"
        "        raise ValueError('hidden input: ' + repr(np.asarray(x).tolist()))\n"
        "    return _double(x)"), position=4)
    root = toy_course({"leaky": leaky})
    results = _grade(root, limits, jobs=1)
    test = next(t for t in results["leaky"].tests if t.grade_id == "double_values")
    assert not test.passed and test.message == "a hidden test failed (ValueError)"
    publish(Course(root), "toy", AssignmentSpec.from_notebook(toy_source, "toy"), results)
    for text in (root / "autograded" / "leaky" / "toy" / "toy.ipynb").read_text(), \
            (root / "feedback" / "leaky" / "toy" / "toy.html").read_text():
        assert "0.0, 1.0, 2.0, 3.0, 4.0" not in text  # the hidden input
        assert "a hidden test failed (ValueError)" in text


def test_a_visible_failure_keeps_its_message(toy_source, limits):
    wrong = demo.with_cell(demo.solved(toy_source), "def double(x):\n    raise ValueError('not yet')", position=4)
    result = grade_notebook(AssignmentSpec.from_notebook(toy_source, "toy"), wrong, limits=limits)
    test = next(t for t in result.tests if t.grade_id == "double_values")
    assert test.message == "ValueError: not yet"


def test_a_sandbox_that_cannot_be_built_runs_no_learner_code(toy_source, tmp_path):
    """Copying the released files into a scratch folder too small for them fails after the
    namespaces are made: the submission stops there, flagged, and is judged again next run."""
    released = tmp_path / "release"
    released.mkdir()
    (released / "data.bin").write_bytes(b"x" * (3 << 20))
    marker = tmp_path / "learner-code-ran"
    notebook = demo.with_cell(demo.solved(toy_source), f"open({str(marker)!r}, 'w').write('unconfined')",
                              position=1)
    spec = AssignmentSpec.from_notebook(toy_source, "toy")
    result = grade_notebook(spec, notebook, released_dir=released,
                            limits=Limits(cell_seconds=5, call_seconds=5, scratch_bytes=1 << 20))
    assert not marker.exists()
    assert result.grader_failed and not result.complete and result.score == 0
    assert result.kinds() == ["environment"] and "could not be built" in result.flags[0].detail
