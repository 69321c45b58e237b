"""LMS zips: every participant kept apart, every skipped file reported, the size capped; and the
grades written back in the format each LMS imports."""

import csv
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from nngrade import demo, lms
from nngrade.classgrade import grade_class
from nngrade.cli import main
from nngrade.course import Course
from nngrade.notebook import read_notebook
from nngrade.sandbox import Limits

FIXTURE = Path(__file__).parent / "fixtures" / "course"
LIMITS = Limits(cell_seconds=5, call_seconds=5, memory_bytes=2 << 30)
FULL = {"double_values": 1.0, "safe_mean_values": 2.0}


def _course(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    return root


def _notebooks():
    source = read_notebook(FIXTURE / "solutions" / "toy" / "toy.ipynb")
    return nbformat.writes(demo.solved(source)), nbformat.writes(demo.released(source))


def _scores(result):
    return {t.grade_id: t.points for t in result.tests}


@pytest.mark.parametrize("name, student, person", [
    ("Wei Zhang_1001_assignsubmission_file_/toy.ipynb", "Wei_Zhang_1001", {"lms": "moodle", "id": "1001"}),
    ("smithjohn_LATE_124_900_toy.ipynb", "smithjohn_124", {"lms": "canvas", "id": "124", "late": True}),
    ("smithjohn_124_901_toy-1.ipynb", "smithjohn_124", {"lms": "canvas", "id": "124", "late": False}),
    ("Wei Zhang_1002_assignsubmission_file_toy.ipynb", "Wei_Zhang_1002", {"lms": "moodle", "id": "1002"}),
    ("ada/toy/toy.ipynb", "ada", None),
])
def test_the_participant_id_is_part_of_the_student_id(name, student, person):
    found, found_person, _ = lms.identify(name)
    assert found == student
    if person is None:
        assert found_person is None
    else:
        assert person.items() <= found_person.items()


def test_students_with_the_same_name_stay_apart_and_problems_are_reported(tmp_path):
    root = _course(tmp_path)
    good, release = _notebooks()
    archive = tmp_path / "export.zip"
    long_name = "Q" * 300
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Wei Zhang_1001_assignsubmission_file_/toy.ipynb", good)
        zf.writestr("Wei Zhang_1002_assignsubmission_file_/toy.ipynb", release)
        zf.writestr("smithjohn_LATE_123_700_toy.ipynb", good)
        zf.writestr("smithjohn_124_701_toy.ipynb", release)
        zf.writestr(f"{long_name}_1003_assignsubmission_file_/toy.ipynb", good)
        zf.writestr("Big Notebook_1004_assignsubmission_file_/toy.ipynb", " " * (51 << 20))
    spec, results = grade_class(Course(root), "toy", zip_path=archive, jobs=2, limits=LIMITS,
                                progress=lambda *_: None)
    long_id = "Q" * lms.MAX_NAME + "_1003"
    assert sorted(results) == sorted(["Wei_Zhang_1001", "Wei_Zhang_1002", "smithjohn_123", "smithjohn_124",
                                      long_id, "Big_Notebook_1004"])
    assert _scores(results["Wei_Zhang_1001"]) == FULL and _scores(results["Wei_Zhang_1002"]) != FULL
    assert _scores(results["smithjohn_123"]) == FULL and _scores(results["smithjohn_124"]) != FULL
    assert "late" in results["smithjohn_123"].kinds() and "late" not in results["smithjohn_124"].kinds()
    assert _scores(results[long_id]) == FULL
    big = results["Big_Notebook_1004"]
    assert {"skipped-file", "missing"} <= set(big.kinds()) and not big.complete
    assert any("larger than the 50 MB" in f.detail for f in big.flags)
    from nngrade import report

    page = report.render(spec, results)
    assert "Big_Notebook_1004" in page and "larger than the 50 MB" in page


def test_a_zip_bomb_is_capped_and_the_skipped_files_reported(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for number in range(4):
            zf.writestr(f"Student {number}_{2000 + number}_assignsubmission_file_/toy.ipynb", b"0" * (49 << 20))
    assert archive.stat().st_size < 1 << 20  # 196 MB from a zip under 1 MB
    submitted = tmp_path / "submitted"
    notes = lms.unpack_zip(archive, submitted, "toy", "toy")
    unpacked = sum(p.stat().st_size for p in submitted.rglob("*") if p.is_file())
    assert unpacked <= lms.allowed_total(archive) < 4 * (49 << 20)
    skipped = {student for student, flags in notes.items() if any(f.kind == "skipped-file" for f in flags)}
    assert len(skipped) >= 2
    assert all("zip bomb" in f.detail for s in skipped for f in notes[s])


def _graded_with_lms(tmp_path, files):
    root = _course(tmp_path)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    code = main(["grade", "toy", "--course-dir", str(root), "--zip", str(archive), "--jobs", "1",
                 "--cell-timeout", "5", "--lms-column", "Toy (4242)"])
    assert code == 0
    return root


def test_moodle_grades_go_back_as_a_grading_worksheet(tmp_path):
    good, release = _notebooks()
    root = _graded_with_lms(tmp_path, {"Wei Zhang_1001_assignsubmission_file_/toy.ipynb": good,
                                       "Wei Zhang_1002_assignsubmission_file_/toy.ipynb": release})
    assert (root / "grades.csv").exists()
    with open(root / "grades-moodle-toy.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # The columns Moodle's "Upload grading worksheet" looks for (assignfeedback_offline).
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(rows[0])
    assert [(r["Identifier"], r["Full name"], float(r["Grade"])) for r in rows] == [
        ("Participant 1001", "Wei Zhang", 3.0), ("Participant 1002", "Wei Zhang", 0.0)]


def test_canvas_grades_go_back_as_a_gradebook_import(tmp_path):
    good, release = _notebooks()
    root = _graded_with_lms(tmp_path, {"smithjohn_LATE_123_700_toy.ipynb": good,
                                       "lovelaceada_124_701_toy.ipynb": release})
    with open(root / "grades-canvas-toy.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Toy (4242)"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 4.0
    assert {(r[1], float(r[5])) for r in rows[2:]} == {("123", 3.0), ("124", 0.0)}
