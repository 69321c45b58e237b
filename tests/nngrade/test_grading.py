"""End-to-end grading of a small class full of attacks (the fixture course in fixtures/course).

Each attack is a submission with the score it must get. The toy assignment has two auto-graded
parts, ``double_values`` (1 point) and ``safe_mean_values`` (2 points), and a written answer.
"""

import json
import signal
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest

from nngrade import demo
from nngrade.classgrade import grade_class
from nngrade.course import Course
from nngrade.notebook import nbgrader_meta, read_notebook

from .conftest import FULL, LIMITS, SOURCE, copy_course

ZERO = {"double_values": 0.0, "safe_mean_values": 0.0}


def _drop_cells(nb, predicate):
    nb.cells = [c for c in nb.cells if not predicate(c)]
    return nb


def _is_test(cell):
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def _after_test(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id) + 1


def _submissions(course_root):
    """{student: (notebook, expected scores, flag kinds that must appear)}."""
    source = read_notebook(SOURCE)
    solved, release = demo.solved(source), demo.released(source)
    cases = {}
    cases["honest"] = (solved, FULL, set())
    cases["release"] = (release, ZERO, set())
    cases["patch_testing"] = (demo.with_cell(release, (
        "import numpy.testing, numpy as np\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "def double(x):\n    return 0\ndef safe_mean(v):\n    return 0")), ZERO, {"tampering"})
    cases["input_transformer"] = (demo.with_cell(release, (
        "def _blank(lines):\n    return [] if any('assert' in l for l in lines) else lines\n"
        "get_ipython().input_transformers_cleanup.append(_blank)"), position=1), ZERO, {"tampering"})
    cases["eq_object"] = (demo.with_cell(solved, (
        "class Anything:\n    def __eq__(self, other):\n        return True\n"
        "def double(x):\n    return Anything()"), position=_after_test(solved, "double_values") - 1),
        {"double_values": 0.0, "safe_mean_values": 2.0}, {"tampering"})
    cases["deleted_tests"] = (_drop_cells(demo.solved(source), _is_test), FULL, {"notebook-edited"})
    stripped = demo.released(source)
    for cell in stripped.cells:
        if _is_test(cell):
            cell.metadata.pop("nbgrader")
    cases["test_metadata_removed"] = (stripped, ZERO, {"notebook-edited"})
    edited = demo.released(source)
    for cell in edited.cells:
        if _is_test(cell):
            cell.source = "pass"
            cell.metadata["nbgrader"]["points"] = 100
    cases["edited_tests"] = (edited, ZERO, set())
    cases["late_exit"] = (demo.with_cell(solved, "import os\nos._exit(0)",
                                         position=_after_test(solved, "double_values")),
                          FULL, {"crash"})
    cases["exit_in_function"] = (demo.with_cell(solved, "import os\ndef double(x):\n    os._exit(1)",
                                                position=_after_test(solved, "double_values") - 1),
                                 {"double_values": 0.0, "safe_mean_values": 2.0}, {"crash"})
    cases["memory_hog"] = (demo.with_cell(solved, "hog = bytearray(64 * 1024 ** 3)"), FULL, set())
    cases["read_solutions"] = (demo.with_cell(release, (
        "import glob, json\n"
        f"for path in glob.glob('{course_root}/solutions/*/*.ipynb') + ['{course_root}/solutions/toy/toy.ipynb']:\n"
        "    for cell in json.load(open(path))['cells']:\n"
        "        if cell['cell_type'] == 'code' and 'BEGIN SOLUTION' in ''.join(cell['source']):\n"
        "            exec(''.join(cell['source']))")), ZERO, {"course-access"})
    cases["read_gradebook"] = (demo.with_cell(release, f"open('{course_root}/gradebook.db', 'rb').read()"),
                               ZERO, {"course-access"})
    cases["endless_loop"] = (demo.with_cell(solved, "while True:\n    pass",
                                            position=_after_test(solved, "double_values")),
                             FULL, {"timeout"})
    cases["noisy"] = (demo.with_cell(solved, (
        "import sys, warnings\n_double = double\n"
        "def double(x):\n    print('working...', file=sys.stderr)\n"
        "    warnings.warn('just saying', RuntimeWarning)\n    return _double(x)")), FULL, set())
    cases["shadow_modules"] = (solved, FULL, set())
    cases["shadow_modules_release"] = (release, ZERO, set())
    return cases


SHADOW = "def assert_allclose(*args, **kwargs):\n    pass\narray = lambda *a, **k: 0\n"


def _make_course(tmp_path, students=None):
    root = tmp_path / "course"
    cases = _submissions(root)
    copy_course(root, {student: nb for student, (nb, _, _) in cases.items() if students is None or student in students})
    for student in cases:
        folder = root / "submitted" / student / "toy"
        if student.startswith("shadow_modules") and folder.is_dir():
            (folder / "numpy.py").write_text(SHADOW)
            (folder / "nnlib.py").write_text(SHADOW)
    return root


def _scores(result):
    return {t.grade_id: t.points for t in result.tests}


def _comparable(results, root):
    plain = {student: r if isinstance(r, dict) else r.to_dict() for student, r in results.items()}
    return json.dumps(plain, sort_keys=True).replace(str(root), "<course>")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = _make_course(tmp_path_factory.mktemp("parallel"))
    spec, results = grade_class(Course(root), "toy", jobs=2, limits=LIMITS, progress=lambda *_: None)
    return root, spec, results


@pytest.mark.parametrize("student", sorted(_submissions("/x")))
def test_each_attack_gets_the_score_it_deserves(graded, student):
    _, _, results = graded
    _, expected, flags = _submissions("/x")[student]
    result = results[student]
    assert _scores(result) == expected, result
    kinds = set(result.kinds())
    assert flags <= kinds, f"expected flags {flags}, got {result.flags}"


def test_honest_solution_has_no_flags_and_the_sandbox_held(graded):
    _, _, results = graded
    assert results["honest"].flags == []
    assert results["honest"].isolation == "full"
    assert results["honest"].complete and not results["late_exit"].complete


def test_gradebook_and_autograded_notebooks_match_the_results(graded):
    root, _, results = graded
    from nngrade.gradebook import scores

    course = Course(root)
    for student, result in results.items():
        recorded = scores(course, "toy", student)
        for grade_id, points in _scores(result).items():
            assert recorded[grade_id] == points, (student, grade_id)
        assert recorded["why_zero"] in (None, 0.0)  # the written answer waits for the formgrader
    autograded = read_notebook(root / "autograded" / "release" / "toy" / "toy.ipynb")
    text = nbformat.writes(autograded)
    assert "HIDDEN TESTS" not in text and "np.arange(5.0)" not in text  # hidden tests never shown
    failing = [c for c in autograded.cells if _is_test(c)]
    assert all(c.outputs and c.outputs[0].output_type == "error" for c in failing)


def test_nbgrader_feedback_and_export_work_on_the_result(graded):
    root, _, results = graded
    course = Course(root)
    feedback = course.run_nbgrader("generate_feedback", "toy", "--force")
    assert feedback.returncode == 0, feedback.stderr
    html = (root / "feedback" / "honest" / "toy" / "toy.html").read_text()
    assert "safe_mean" in html and "np.linspace(0, 1, 11)" not in html
    exported = course.run_nbgrader("export")
    assert exported.returncode == 0, exported.stderr
    rows = (root / "grades.csv").read_text().splitlines()
    honest = next(r for r in rows if ",honest," in r).split(",")
    assert float(honest[7]) in (3.0, 4.0)  # raw_score (4.0 once the written answer is graded by hand)


def test_report_lists_scores_failures_and_flags(graded):
    root, spec, results = graded
    from nngrade import report

    html = report.render(spec, results)
    assert "<svg" in html and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "read_solutions" in html and "course-access" in html and "safe_mean_values" in html


def test_serial_run_gives_identical_results(graded, tmp_path):
    parallel_root, _, parallel = graded
    root = _make_course(tmp_path)
    _, serial = grade_class(Course(root), "toy", jobs=1, limits=LIMITS, progress=lambda *_: None)
    assert _comparable(serial, root) == _comparable(parallel, parallel_root)


def test_interrupted_run_resumes_to_the_same_results(graded, tmp_path):
    reference_root, _, reference = graded
    students = ["eq_object", "honest", "late_exit", "noisy", "patch_testing", "release"]
    reference = {student: reference[student] for student in students}
    root = _make_course(tmp_path, students)
    command = [sys.executable, "-m", "nngrade", "grade", "toy", "--course-dir", str(root), "--jobs", "2",
               "--no-feedback", "--cell-timeout", "3", "--call-timeout", "3", "--memory-gb", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    results_dir = root / "nngrade-results" / "toy"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(results_dir.glob("*.json"))) < 2:
        time.sleep(0.05)
    import os

    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = len(list(results_dir.glob("*.json")))
    assert 0 < done < len(reference), "the run was not interrupted midway"
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 2  # some submissions are incomplete by design (crash, timeout)
    assert f"{len(reference) - done} to judge, {done} already judged" in finished.stdout
    resumed = {p.stem: json.loads(p.read_text())["result"] for p in results_dir.glob("*.json")}
    assert _comparable(dict(sorted(resumed.items())), root) == _comparable(reference, reference_root)


def test_zip_from_an_lms_is_unpacked_and_problems_reported(tmp_path, toy_course, toy_source):
    root, source = toy_course(), toy_source
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("lovelaceada_12345_67890_toy.ipynb", nbformat.writes(demo.solved(source)))
        zf.writestr("Grace Hopper_222_assignsubmission_file_/toy-Copy1.ipynb", nbformat.writes(demo.released(source)))
        zf.writestr("turingalan_333_444_toy.ipynb", "this is not json")
    spec, results = grade_class(Course(root), "toy", zip_path=archive, jobs=1, limits=LIMITS,
                                progress=lambda *_: None)
    assert sorted(results) == ["Grace_Hopper_222", "lovelaceada_12345", "turingalan_333"]
    assert _scores(results["lovelaceada_12345"]) == FULL, results["lovelaceada_12345"]
    assert results["Grace_Hopper_222"].kinds() == ["renamed"]
    assert not results["turingalan_333"].complete
    assert "malformed" in results["turingalan_333"].kinds()


def test_missing_notebook_is_reported_not_silently_zero(toy_course, toy_source, capsys):
    root = toy_course({"someone": demo.solved(toy_source)})
    (root / "submitted" / "nobody" / "toy").mkdir(parents=True)
    from nbgrader.api import Gradebook

    from nngrade.cli import main

    with Gradebook(Course(root).db_url) as gradebook:  # on the class list, but sent nothing at all
        gradebook.add_student("absentee")
    code = main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--no-feedback"])
    assert code == 2
    out = capsys.readouterr().out
    assert "nobody: missing (notebook): no notebook in toy/" in out
    assert "no submission from 1 student(s) in the gradebook: absentee" in out
    stored = json.loads((root / "nngrade-results" / "toy" / "nobody.json").read_text())["result"]
    assert stored["flags"][0]["kind"] == "missing" and not stored["complete"]
    assert (root / "reports" / "toy.html").exists()


def test_formgrader_sees_the_submissions_and_manual_scores_reach_the_export(graded):
    root, _, _ = graded
    from nbconvert.exporters import HTMLExporter
    from nbgrader.api import Gradebook
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    listed = {s["student"]: s for s in api.get_submissions("toy")}
    assert listed["honest"]["autograded"] and listed["honest"]["needs_manual_grade"]
    assert not listed["release"]["needs_manual_grade"]  # the written answer was left blank: 0, no review
    with Gradebook(Course(root).db_url) as gradebook:
        submission = gradebook.find_submission_notebook("toy", "toy", "honest")
        html, _ = HTMLExporter(config=config).from_filename(
            str(root / "autograded" / "honest" / "toy" / "toy.ipynb"),
            resources={"assignment_id": "toy", "notebook_id": "toy", "submission_id": submission.id, "index": 0,
                       "total": 1, "base_url": "", "student": "honest", "last_name": None, "first_name": None,
                       "notebook_path": "x"})
        assert "safe_mean_values" in html
        gradebook.find_grade("why_zero", "toy", "toy", "honest").manual_score = 1.0
        gradebook.db.commit()
    exported = Course(root).run_nbgrader("export")
    assert exported.returncode == 0, exported.stderr
    honest = next(r for r in (root / "grades.csv").read_text().splitlines() if ",honest," in r).split(",")
    assert float(honest[7]) == 4.0
