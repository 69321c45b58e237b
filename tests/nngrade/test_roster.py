"""The class list: a student of the roster who sent nothing is missing in every output."""

import csv
import zipfile

import nbformat
import pytest

from nngrade import demo
from nngrade.cli import main
from nngrade.roster import RosterError, read


CANVAS = """Student,ID,SIS User ID,SIS Login ID,Section,Toy (4242)
    Points Possible,,,,,4
"Smith, John",123,s123,jsmith,A,
"Lovelace, Ada",124,s124,alovelace,A,
"Student, Test",,,,,
"""
MOODLE = """Identifier,Full name,Email address,Status,Grade,Maximum Grade
Participant 1001,Wei Zhang,wz@example.edu,,,4
Participant 1002,José Álvarez,ja@example.edu,,,4
"""
NBGRADER = "id,first_name,last_name,email\nada,Ada,Lovelace,ada@example.edu\nben,,,\n"


def test_each_class_list_format_gives_the_ids_the_zips_give(tmp_path):
    for name, text in (("canvas.csv", CANVAS), ("moodle.csv", MOODLE), ("nbgrader.csv", NBGRADER)):
        (tmp_path / name).write_text(text)
    canvas = read(tmp_path / "canvas.csv")
    assert sorted(canvas) == ["lovelaceada_124", "smithjohn_123"]
    assert canvas["smithjohn_123"]["display"] == "Smith, John" and canvas["smithjohn_123"]["section"] == "A"
    assert sorted(read(tmp_path / "moodle.csv")) == ["José_Álvarez_1002", "Wei_Zhang_1001"]
    assert read(tmp_path / "nbgrader.csv")["ada"]["email"] == "ada@example.edu"
    (tmp_path / "other.csv").write_text("name,mark\nx,1\n")
    with pytest.raises(RosterError, match="columns are: mark, name"):
        read(tmp_path / "other.csv")


def test_a_student_on_the_roster_who_sent_nothing_is_missing_everywhere(tmp_path, capsys, toy_course, toy_source):
    root = toy_course()
    (tmp_path / "canvas.csv").write_text(CANVAS)
    assert main(["roster", str(tmp_path / "canvas.csv"), "--course-dir", str(root)]) == 0
    good = nbformat.writes(demo.solved(toy_source))
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("smithjohn_123_700_toy.ipynb", good)
    code = main(["grade", "toy", "--course-dir", str(root), "--zip", str(archive), "--jobs", "1",
                 "--cell-timeout", "5"])
    out = capsys.readouterr().out
    assert code == 2 and "lovelaceada_124" in out.split("could not be graded fully")[1]
    assert "on the class roster; nothing was submitted" in out
    assert "lovelaceada_124" in (root / "reports" / "toy.html").read_text()
    rows = {r[3]: r for r in csv.reader(open(root / "grades.csv"))}
    assert rows["lovelaceada_124"][4:6] == ["Lovelace", "Ada"] and rows["smithjohn_123"][4:6] == ["Smith", "John"]
    canvas = {r[1]: (r[0], r[2], r[4], r[5]) for r in list(csv.reader(open(root / "grades-canvas-toy.csv")))[2:]}
    assert canvas == {"123": ("Smith, John", "s123", "A", "3"), "124": ("Lovelace, Ada", "s124", "A", "")}
