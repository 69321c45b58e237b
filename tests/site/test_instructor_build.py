"""The published site is the learners': the instructor guide (rubrics, full-marks answers) is left out of
`make build` and only the instructor build (INSTRUCTOR=1) carries it (docs/instructors/publishing.md)."""

from __future__ import annotations

import json
import re

import pytest

from site_scratch import build, make_site

pytestmark = pytest.mark.slow

RUBRIC = "Full marks: the boundary is a straight line."
PAGES = {
    "index.md": "# Home\n\nInstructors: see {{ instructor_guide }}.\n",
    "chapters/01-a.md": "# One\n\nA chapter.\n",
    "instructors/index.md": "# Instructor guide\n\n[Assignments](assignments.md)\n",
    "instructors/assignments.md": f"# Assignments\n\n{RUBRIC}\n",
}
NAV = [{"Home": "index.md"}, {"Chapters": [{"One": "chapters/01-a.md"}]},
       {"For instructors": ["instructors/index.md", {"Assignments": "instructors/assignments.md"}]}]


def built_text(site) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file()
                     and p.suffix in (".html", ".json", ".xml", ".md", ".txt"))


@pytest.fixture
def scratch(tmp_path):
    return tmp_path, make_site(tmp_path, PAGES, nav=NAV)


def test_the_learners_build_has_no_instructor_page_link_or_rubric(scratch, monkeypatch):
    folder, config = scratch
    monkeypatch.delenv("INSTRUCTOR", raising=False)
    result = build(config)
    assert result.returncode == 0, result.log
    site = folder / "site"
    assert not (site / "instructors").exists()
    text = built_text(site)
    assert RUBRIC not in text and "Full marks" not in text
    assert not re.search(r'href="[^"]*instructors/', text), "a page links to the instructor guide"
    assert "For instructors" not in (site / "index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "docs/instructors/" in home, "the home page says where instructors find the guide"


def test_the_instructor_build_carries_the_guide_in_nav_but_not_in_search(scratch, monkeypatch):
    folder, config = scratch
    monkeypatch.setenv("INSTRUCTOR", "1")
    result = build(config)
    assert result.returncode == 0, result.log
    site = folder / "site"
    assert RUBRIC in (site / "instructors/assignments/index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="instructors/">the instructor guide</a>' in home and "For instructors" in home
    search = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    assert not [d for d in search if d["location"].startswith("instructors/")]


def test_a_wrong_switch_value_stops_the_build(scratch, monkeypatch):
    _, config = scratch
    monkeypatch.setenv("INSTRUCTOR", "yes")
    result = build(config)
    assert result.returncode != 0 and "INSTRUCTOR must be 1" in result.log
