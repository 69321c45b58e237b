"""LMS zips: every participant kept apart, every skipped file reported, the size capped; and the
grades written back in the format each LMS imports."""

import csv
import json
import zipfile

import nbformat
import pytest

from nngrade import demo, lms
from nngrade.classgrade import grade_class
from nngrade.cli import main
from nngrade.course import Course

from .conftest import FULL, LIMITS


def _notebooks(source):
    """The solved and the released toy notebook, as the text an LMS zip holds."""
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


def test_students_with_the_same_name_stay_apart_and_problems_are_reported(tmp_path, toy_course, toy_source):
    root = toy_course()
    good, release = _notebooks(toy_source)
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


def _graded_with_lms(toy_course, tmp_path, files):
    root = toy_course()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    code = main(["grade", "toy", "--course-dir", str(root), "--zip", str(archive), "--jobs", "1",
                 "--cell-timeout", "5", "--lms-column", "Toy (4242)"])
    assert code == 0
    return root


def test_moodle_grades_go_back_as_a_grading_worksheet(tmp_path, toy_course, toy_source):
    good, release = _notebooks(toy_source)
    root = _graded_with_lms(toy_course, tmp_path, {"Wei Zhang_1001_assignsubmission_file_/toy.ipynb": good,
                                                   "Wei Zhang_1002_assignsubmission_file_/toy.ipynb": release})
    assert (root / "grades.csv").exists()
    with open(root / "grades-moodle-toy.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # The columns Moodle's "Upload grading worksheet" looks for (assignfeedback_offline).
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(rows[0])
    assert [(r["Identifier"], r["Full name"], float(r["Grade"])) for r in rows] == [
        ("Participant 1001", "Wei Zhang", 3.0), ("Participant 1002", "Wei Zhang", 0.0)]
    # Feedback back the way Moodle takes it: "Upload multiple feedback files in a zip".
    with zipfile.ZipFile(root / "feedback-moodle-toy.zip") as zf:
        names = sorted(zf.namelist())
        page = zf.read(names[0]).decode()
    assert names == ["Wei Zhang_1001_assignsubmission_file_/toy-feedback.html",
                     "Wei Zhang_1002_assignsubmission_file_/toy-feedback.html"]
    assert "double_values" in page


def test_canvas_grades_go_back_as_a_gradebook_import(tmp_path, toy_course, toy_source):
    good, release = _notebooks(toy_source)
    root = _graded_with_lms(toy_course, tmp_path, {"smithjohn_LATE_123_700_toy.ipynb": good,
                                                   "lovelaceada_124_701_toy.ipynb": release})
    with open(root / "grades-canvas-toy.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Toy (4242)"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 4.0
    assert {(r[1], float(r[5])) for r in rows[2:]} == {("123", 3.0), ("124", 0.0)}
    with zipfile.ZipFile(root / "feedback-canvas-toy.zip") as zf:
        assert sorted(zf.namelist()) == ["lovelaceada_124_701_toy-feedback.html", "smithjohn_123_700_toy-feedback.html"]


class _WithoutUtf8Flag(zipfile.ZipInfo):
    __slots__ = ()

    def _encodeFilenameFlags(self):
        return self.filename.encode("utf-8"), self.flag_bits & ~0x800


def _zip_without_utf8_flag(path, files):
    """A zip as Info-ZIP or Windows writes it: UTF-8 bytes in the names, the UTF-8 flag not set."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(_WithoutUtf8Flag(name), text)
    with zipfile.ZipFile(path) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())


@pytest.mark.parametrize("utf8_flag", [True, False])
def test_names_survive_as_written_with_or_without_the_utf8_flag(tmp_path, utf8_flag, toy_source):
    good, _ = _notebooks(toy_source)
    files = {"José Álvarez_1003_assignsubmission_file_/toy.ipynb": good, "Ng Wei_1004_assignsubmission_file_/toy.ipynb": good}
    archive = tmp_path / "export.zip"
    if utf8_flag:
        with zipfile.ZipFile(archive, "w") as zf:
            for name, text in files.items():
                zf.writestr(name, text)
    else:
        _zip_without_utf8_flag(archive, files)
    lms.unpack_zip(archive, tmp_path / "submitted", "toy", "toy")
    assert (tmp_path / "submitted" / "José_Álvarez_1003" / "toy" / "toy.ipynb").is_file()
    assert lms.participants(tmp_path / "submitted")["José_Álvarez_1003"]["name"] == "José Álvarez"


def test_a_student_who_sent_no_notebook_is_in_every_output_as_missing(tmp_path, capsys, toy_course, toy_source):
    """Issue 21.1: a PDF alone, in each LMS layout, is a missing submission, never a vanished student."""
    good, _ = _notebooks(toy_source)
    root = toy_course()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Rot Lena_2001_assignsubmission_file_/report.pdf", b"%PDF-1.4 folder layout")
        zf.writestr("Pdf Flat_2002_assignsubmission_file_report.pdf", b"%PDF-1.4 flat layout")
        zf.writestr("rothlena_130_9001_report.pdf", b"%PDF-1.4 canvas")
        zf.writestr("timestamp.txt", b"1999-01-01 00:00:00 UTC")  # a loose file: nobody's
        zf.writestr("Good Student_2003_assignsubmission_file_/toy.ipynb", good)
        zf.writestr("Good Student_2003_assignsubmission_file_/timestamp.txt", b"1999-01-01 00:00:00 UTC")
        zf.writestr("lovelaceada_131_9002_toy-1.ipynb", good)  # Canvas's name for a re-upload
    args = ["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--cell-timeout", "5"]
    assert main([*args, "--zip", str(archive)]) == 2
    out = capsys.readouterr().out
    absent = ["Rot_Lena_2001", "Pdf_Flat_2002", "rothlena_130"]
    results = {p.stem: json.loads(p.read_text())["result"] for p in (root / "nngrade-results" / "toy").glob("*.json")}
    assert sorted(results) == sorted([*absent, "Good_Student_2003", "lovelaceada_131"])
    for student in absent:
        missing = [f["detail"] for f in results[student]["flags"] if f["kind"] == "missing"]
        assert any("report.pdf" in detail for detail in missing), results[student]["flags"]
        assert student in out
    assert (root / "submitted" / "Rot_Lena_2001" / "toy" / lms.OTHER_FILES / "report.pdf").read_bytes().startswith(b"%PDF")
    # The student's own timestamp.txt is kept as their file, never read as the submission time.
    assert not (root / "submitted" / "Good_Student_2003" / "toy" / "timestamp.txt").exists()
    assert results["Good_Student_2003"]["complete"] and results["lovelaceada_131"]["flags"] == []
    page = (root / "reports" / "toy.html").read_text()
    assert all(student in page for student in absent)
    with open(root / "grades-moodle-toy.csv", newline="") as handle:
        moodle = {r["Identifier"]: r["Grade"] for r in csv.DictReader(handle)}
    assert moodle == {"Participant 2001": "", "Participant 2002": "", "Participant 2003": "3"}
    with open(root / "grades-canvas-toy.csv", newline="") as handle:
        canvas = {r[1]: r[5] for r in list(csv.reader(handle))[2:]}
    assert canvas == {"130": "", "131": "3"}
    assert "left empty in the LMS files" in out and "Rot_Lena_2001" in out.split("left empty")[1]
    # A later run without the zip still knows them.
    assert main(args) == 2
    assert "Rot_Lena_2001" in capsys.readouterr().out


def test_grades_can_be_scaled_to_the_lms_assignment(tmp_path):
    path = lms.write_grades(tmp_path / "g.csv", "toy", {"a_1": 3.0, "b_2": None}, 4.0,
                            {"a_1": {"lms": "moodle", "id": "1", "name": "A"},
                             "b_2": {"lms": "moodle", "id": "2", "name": "B"}}, "moodle", out_of=100)
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Grade"], r["Maximum Grade"]) for r in rows] == [("75", "100"), ("", "100")]
    with pytest.raises(ValueError, match="lms_points"):
        lms.write_grades(tmp_path / "g.csv", "toy", {}, 4.0, {}, "moodle", out_of=0)


def test_another_lms_by_a_pattern_and_the_presets_keep_to_their_lms(tmp_path, toy_source):
    good, _ = _notebooks(toy_source)
    archive = tmp_path / "blackboard.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Toy_jdoe42_attempt_2026-03-01-10-00-00_toy.ipynb", good)
        zf.writestr("Toy_asmith7_attempt_LATE_2026-03-02-10-00-00_notes.pdf", b"%PDF")
        zf.writestr("Wei Zhang_1001_assignsubmission_file_/toy.ipynb", good)
    pattern = r"^(?P<assignment>[^_/]+)_(?P<name>[a-z0-9]+)_attempt_(?P<late>LATE_)?[\d-]+_(?P<file>[^/]+)$"
    notes = lms.unpack_zip(archive, tmp_path / "custom", "toy", "toy", names=lms.name_pattern(pattern))
    assert sorted(p.name for p in (tmp_path / "custom").iterdir() if not p.name.startswith(".")) == ["asmith7", "jdoe42"]
    assert (tmp_path / "custom" / "asmith7" / "toy" / lms.OTHER_FILES / "notes.pdf").exists()
    assert [f.kind for f in notes["asmith7"]] == ["late"] and not lms.participants(tmp_path / "custom")
    lms.unpack_zip(archive, tmp_path / "moodle", "toy", "toy", names="moodle")
    assert sorted(p.name for p in (tmp_path / "moodle").iterdir() if not p.name.startswith(".")) == ["Wei_Zhang_1001"]
    with pytest.raises(ValueError, match=r"\(\?P<name>"):
        lms.name_pattern(r"(?P<student>\w+)")
    with pytest.raises(ValueError, match="not a regular expression"):
        lms.name_pattern("(unclosed")
