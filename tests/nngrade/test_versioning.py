"""Release ids and the wheel's version: a learner's stale notebook or stale installed tests are named,
and released material never changes without a new version."""

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nngrade import demo, versioning
from nngrade.notebook import nbgrader_meta, read_notebook

from .conftest import FIXTURE

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "exercises").iterdir() if p.is_dir())


def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _edited(nb, grade_id, edit):
    nb = copy.deepcopy(nb)
    edit(_cell(nb, grade_id))
    return nb


# What the id covers ------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_source_and_its_release_have_the_same_id(assignment):
    source = read_notebook(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    released = read_notebook(ROOT / "exercises" / assignment / f"{assignment}.ipynb")
    assert versioning.release_id(source) == versioning.release_id(released)


def test_the_id_changes_with_what_is_tested_and_only_with_it(toy_source):
    base = versioning.release_id(toy_source)

    def points(cell):
        cell.metadata.nbgrader.points = 5

    def visible_test(cell):
        cell.source += "\nassert double(0) == 0"

    def setup(cell):
        cell.source += "\nimport math"

    for grade_id, edit in (("double_values", points), ("double_values", visible_test), ("setup", setup)):
        assert versioning.release_id(_edited(toy_source, grade_id, edit)) != base, (grade_id, edit.__name__)

    def hidden_test(cell):
        cell.source = cell.source.replace("### END HIDDEN TESTS", "assert True\n### END HIDDEN TESTS")

    def answer(cell):
        cell.source = "def double(x):\n    return x + x"

    prose = copy.deepcopy(toy_source)
    prose.cells[0].source += "\nA new hint."
    hidden = _edited(toy_source, "safe_mean_values", hidden_test)
    assert "assert True" in _cell(hidden, "safe_mean_values").source
    for same in (prose, hidden, _edited(toy_source, "double", answer)):
        assert versioning.release_id(same) == base


def test_generate_assignment_records_the_id_in_the_release(toy_course, toy_source):
    root = toy_course()
    shutil.rmtree(root / "exercises")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "toy", "--no-db", "--force"],
                          cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    released = read_notebook(root / "exercises" / "toy" / "toy.ipynb")
    assert versioning.recorded_release(released) == versioning.release_id(toy_source)
    committed = read_notebook(FIXTURE / "exercises" / "toy" / "toy.ipynb")  # the fixture's is regenerated too
    assert versioning.recorded_release(committed) == versioning.release_id(toy_source)


# The wheel's version -----------------------------------------------------------------------------

def test_the_wheel_version_describes_the_released_tests():
    assert versioning.unrecorded_changes() is None, versioning.unrecorded_changes()
    newest = versioning.read_manifest()[-1]
    assert newest["releases"].keys() == set(ASSIGNMENTS)
    versions = [versioning._order(v["version"]) for v in versioning.read_manifest()]
    assert versions == sorted(set(versions)), "versions.json must list each version once, oldest first"


def _repository(tmp_path, toy_source, version="0.2.0"):
    """A repository-like folder: pyproject.toml at ``version``, exercises/ with the toy release, and a
    manifest recording it."""
    root = tmp_path / "repo"
    (root / "exercises" / "toy").mkdir(parents=True)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(versioning._VERSION_LINE.sub(f'version = "{version}"', text, count=1))
    demo.write(demo.released(toy_source), root / "exercises" / "toy" / "toy.ipynb")
    manifest = root / "versions.json"
    versioning.write_manifest([{"version": version, "releases": versioning.current_releases(root / "exercises")}],
                              manifest)
    return root, manifest


def test_changed_tests_without_a_new_version_fail_until_bumped(tmp_path, toy_source):
    root, manifest = _repository(tmp_path, toy_source)
    assert versioning.unrecorded_changes(root, manifest) is None
    assert versioning.bump(root, manifest) == "0.2.0"  # nothing changed: nothing written
    assert len(versioning.read_manifest(manifest)) == 1

    first = versioning.release_id(toy_source)
    changed = _edited(toy_source, "double_values", lambda cell: cell.metadata.nbgrader.update(points=4))
    demo.write(demo.released(changed), root / "exercises" / "toy" / "toy.ipynb")
    problem = versioning.unrecorded_changes(root, manifest)
    assert problem is not None and "toy" in problem and "python -m nngrade.versioning bump" in problem

    assert versioning.bump(root, manifest) == "0.3.0"
    assert versioning.project_version(root / "pyproject.toml") == "0.3.0"
    versions = versioning.read_manifest(manifest)
    assert [v["version"] for v in versions] == ["0.2.0", "0.3.0"]
    assert versions[0]["releases"]["toy"] == first != versions[1]["releases"]["toy"]
    assert versioning.unrecorded_changes(root, manifest) is None
    before = manifest.read_bytes(), (root / "pyproject.toml").read_bytes()
    assert versioning.bump(root, manifest) == "0.3.0"
    assert (manifest.read_bytes(), (root / "pyproject.toml").read_bytes()) == before


def test_a_version_raised_by_hand_is_recorded_by_bump(tmp_path, toy_source):
    root, manifest = _repository(tmp_path, toy_source)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.2.0"', 'version = "0.2.5"'))
    problem = versioning.unrecorded_changes(root, manifest)
    assert problem is not None and "0.2.5" in problem and "python -m nngrade.versioning bump" in problem
    assert versioning.bump(root, manifest) == "0.2.5"
    assert [v["version"] for v in versioning.read_manifest(manifest)] == ["0.2.0", "0.2.5"]
    assert versioning.unrecorded_changes(root, manifest) is None


def test_bump_keeps_nnlib_s_version_equal_to_the_wheel_s(tmp_path, toy_source):
    root, manifest = _repository(tmp_path, toy_source)
    init = root / "nnlib" / "__init__.py"
    init.parent.mkdir()
    init.write_text('"""nnlib."""\n\n__version__ = "0.1.0"\n')
    problem = versioning.unrecorded_changes(root, manifest)
    assert problem is not None and "__version__" in problem and "python -m nngrade.versioning bump" in problem
    assert versioning.bump(root, manifest) == "0.2.0"
    assert '__version__ = "0.2.0"' in init.read_text()
    assert versioning.unrecorded_changes(root, manifest) is None


# What `nngrade check` says -----------------------------------------------------------------------

def _versions(old_id, new_id):
    return [{"version": "0.2.0", "releases": {"toy": old_id}}, {"version": "0.3.0", "releases": {"toy": new_id}}]


def _recording(nb, release):
    nb = copy.deepcopy(nb)
    nb.metadata["nngrade"] = {"release": release}
    return nb


def test_stale_messages_say_which_copy_is_old_and_what_to_do(toy_source):
    tests = demo.released(toy_source)
    current = versioning.release_id(tests)
    versions = _versions("0ld0ld0ld0ld", current)

    def message(nb, shipped=True):
        return versioning.stale_message("toy", nb, tests, shipped=shipped, versions=versions)

    assert message(_recording(demo.solved(toy_source), current)) is None
    assert message(demo.solved(toy_source)) is None  # records nothing, but its tests are the current ones

    old = message(_recording(demo.solved(toy_source), "0ld0ld0ld0ld"))
    assert "release 0ld0ld0ld0ld of toy (nnlib 0.2.0)" in old and f"release {current} (nnlib 0.3.0)" in old
    assert "download the notebook again" in old and "pip install" not in old

    newer = message(_recording(demo.solved(toy_source), "4e3e4e3e4e3e"))
    assert "release 4e3e4e3e4e3e" in newer and "Install the new wheel" in newer and "Set up page" in newer
    assert "download the notebook again" not in newer

    unrecorded_old = _edited(demo.solved(toy_source), "double_values", lambda c: setattr(c, "source", "assert True"))
    assert "records no release" in message(unrecorded_old) and "download the notebook again" in message(unrecorded_old)

    elsewhere = message(_recording(demo.solved(toy_source), "0ld0ld0ld0ld"), shipped=False)
    assert "the tests you check against are release" in elsewhere and "Install the new wheel" not in elsewhere


def _check(path, *options):
    return subprocess.run([sys.executable, "-m", "nngrade", "check", str(path), "--cell-timeout", "60", *options],
                          capture_output=True, text=True)


def test_check_tells_a_learner_whose_installed_tests_are_older_than_the_notebook(tmp_path):
    source = read_notebook(ROOT / "solutions" / "perceptron" / "perceptron.ipynb")
    path = demo.write(_recording(demo.solved(source), "4e3e4e3e4e3e"), tmp_path / "perceptron.ipynb")
    done = _check(path)
    assert done.returncode == 0, done.stdout + done.stderr  # the check still runs: the parts are all right
    installed = versioning.read_manifest()[-1]
    version, release = installed["version"], installed["releases"]["perceptron"]
    assert (f"warning: this notebook comes from release 4e3e4e3e4e3e of perceptron, which the tests installed "
            f"with nngrade (nnlib {version}, release {release})") in done.stdout
    assert "Install the new wheel" in done.stdout
    assert "come from different releases" in done.stdout.splitlines()[-2]


def test_check_tells_a_learner_whose_notebook_is_an_old_copy(tmp_path, toy_course, toy_source):
    course = toy_course()
    old = _edited(toy_source, "double_values", lambda cell: cell.metadata.nbgrader.update(points=4))
    path = demo.write(_recording(demo.solved(toy_source), versioning.release_id(old)), tmp_path / "toy.ipynb")
    done = _check(path, "--course-dir", str(course))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"comes from release {versioning.release_id(old)} of toy" in done.stdout
    assert f"the tests you check against are release {versioning.release_id(toy_source)}" in done.stdout

    current = demo.write(_recording(demo.solved(toy_source), versioning.release_id(toy_source)),
                         tmp_path / "current" / "toy.ipynb")
    done = _check(current, "--course-dir", str(course))
    assert done.returncode == 0 and "warning" not in done.stdout, done.stdout


def test_the_instructor_guide_re_release_steps_bump_rebuild_and_republish():
    guide = (ROOT / "docs" / "instructors" / "index.md").read_text(encoding="utf-8")
    steps = guide[guide.index("To re-release"):guide.index("### 2. Collect")]
    assert versioning.BUMP_COMMAND in steps and "generate_assignment" in steps
    assert "make build" in steps and "republish" in steps and "install the new wheel" in steps
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    release = makefile[makefile.index("\nrelease:"):]
    assert "-m nngrade.versioning bump" in release.split("\n\n")[0]


def test_grading_flags_a_notebook_made_from_another_release_and_grades_it_with_the_current_tests(toy_source,
                                                                                                limits, full_marks):
    from nngrade.engine import grade_notebook
    from nngrade.notebook import AssignmentSpec

    spec = AssignmentSpec.from_notebook(toy_source, "toy")
    old = _recording(demo.solved(toy_source), "0ld0ld0ld0ld")
    result = grade_notebook(spec, old, limits=limits)
    assert {t.grade_id: t.points for t in result.tests} == full_marks and result.complete
    assert result.kinds() == ["other-release"]
    assert f"made from release 0ld0ld0ld0ld of toy; judged by the tests of release " \
           f"{versioning.release_id(toy_source)}" in result.flags[0].detail
    current = _recording(demo.solved(toy_source), versioning.release_id(toy_source))
    assert grade_notebook(spec, current, limits=limits).flags == []
