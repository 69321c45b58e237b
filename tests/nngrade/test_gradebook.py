"""What the grader records for nbgrader: feedback pages that show learner HTML as text, and the late
penalties nbgrader itself would assign."""

import nbformat
import pytest
from bs4 import BeautifulSoup

from nngrade import demo
from nngrade.cli import main
from nngrade.course import Course
from nngrade.gradebook import sanitise_markdown
from nngrade.notebook import nbgrader_meta

ATTACKS = [
    "<script>window.pwned = 1; alert('pwned')</script>",
    "<img src=x onerror=\"alert('pwned')\">",
    "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;background:white;z-index:9999\">"
    "<h1>Score: 19/19</h1></div>",
    "[click me](javascript:alert('pwned'))",
    "<iframe srcdoc=\"<script>alert('pwned')</script>\"></iframe>",
]


def _active_learner_html(page):
    """Elements in ``page`` that a learner's markdown could have made active."""
    soup = BeautifulSoup(page, "html.parser")
    found = []
    for tag in soup.find_all(True):
        if tag.name in ("script", "iframe", "object", "embed") and "pwned" in (tag.string or "") + str(tag.attrs):
            found.append(tag)
        if any(name.lower().startswith("on") for name in tag.attrs):
            found.append(tag)
        if "position:fixed" in str(tag.get("style", "")).replace(" ", ""):
            found.append(tag)
        if str(tag.get("href", "")).strip().lower().startswith("javascript:"):
            found.append(tag)
    return found


def test_sanitised_markdown_keeps_text_and_formatting_but_no_active_html():
    for attack in ATTACKS:
        cleaned = sanitise_markdown(attack)
        assert not _active_learner_html(cleaned), cleaned
    assert sanitise_markdown("**bold** and <b>b</b>, $a < b$\n> a quote") == "**bold** and <b>b</b>, $a &lt; b$\n> a quote"


def test_learner_html_in_feedback_shows_as_text(toy_course, toy_source):
    nb = demo.solved(toy_source)
    for attack in reversed(ATTACKS):
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(attack))
    nb.cells.insert(1, nbformat.v4.new_raw_cell("<script>alert('pwned')</script>",
                                                metadata={"raw_mimetype": "text/html"}))
    written = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "why_zero")
    written.source = "Because <script>alert('pwned')</script><img src=x onerror=alert('pwned')>"
    root = toy_course({"mallory": nb})

    assert main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--cell-timeout", "5"]) == 0
    page = (root / "feedback" / "mallory" / "toy" / "toy.html").read_text()
    assert not _active_learner_html(page), _active_learner_html(page)
    text = BeautifulSoup(page, "html.parser").get_text()
    assert "Score: 19/19" in text and "<script>window.pwned" in text  # shown, as text
    report = (root / "reports" / "toy.html").read_text()
    assert not _active_learner_html(report) and "<script" not in report


# -- late penalties -----------------------------------------------------------------------------

LATE_CONFIG = '''
from nbgrader.plugins import BasePlugin


class HalfPointPerHour(BasePlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return 0.5 * (total_seconds_late // 3600 + 1)


c.AssignLatePenalties.plugin_class = HalfPointPerHour
'''

STAMPS = {"ontime": "2026-03-01 09:00:00 UTC", "hour_late": "2026-03-01 12:30:00 UTC",
          "days_late": "2026-03-04 12:00:00 UTC", "partial_late": "2026-03-01 13:30:00 UTC"}


def _late_course(make, source, name):
    root = make({student: demo.released(source, 1) if student == "partial_late" else demo.solved(source)
                 for student in STAMPS}, name=name)
    with open(root / "nbgrader_config.py", "a") as handle:
        handle.write(LATE_CONFIG)
    for student, stamp in STAMPS.items():
        (root / "submitted" / student / "toy" / "timestamp.txt").write_text(stamp)
    course = Course(root)
    for command in (("db", "assignment", "add", "toy", "--duedate", "2026-03-01 12:00:00 UTC"),
                    ("generate_assignment", "toy", "--force")):
        done = course.run_nbgrader(*command)
        assert done.returncode == 0, done.stderr
    return course


def _late_numbers(course):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        return {student: (gradebook.find_submission("toy", student).score,
                          gradebook.find_submission("toy", student).late_submission_penalty)
                for student in STAMPS}


@pytest.mark.slow
def test_late_penalties_match_nbgrader_autograde(toy_course, toy_source):
    plain = _late_course(toy_course, toy_source, "plain")
    done = plain.run_nbgrader("autograde", "toy")
    assert done.returncode == 0, done.stderr[-3000:]
    ours = _late_course(toy_course, toy_source, "ours")
    assert main(["grade", "toy", "--course-dir", str(ours.root), "--jobs", "1", "--cell-timeout", "5",
                 "--no-feedback"]) == 0
    expected = _late_numbers(plain)
    assert expected["hour_late"][1] == 0.5 and expected["ontime"][1] == 0.0  # the plugin did apply
    assert _late_numbers(ours) == expected
    for course in (plain, ours):
        assert course.run_nbgrader("export").returncode == 0
    assert _grades(plain.root) == _grades(ours.root)


def _grades(root):
    rows = (root / "grades.csv").read_text().splitlines()
    header = rows[0].split(",")
    keep = [header.index(name) for name in ("student_id", "raw_score", "late_submission_penalty", "score")]
    return sorted(tuple(row.split(",")[i] for i in keep) for row in rows[1:])
