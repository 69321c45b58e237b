"""The instructor pages agree with the course and with the command line (issue 21.14)."""

import re
from pathlib import Path

from nngrade.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "instructors"


def test_every_assignment_is_in_the_assignments_page_and_no_page_counts_them_wrong():
    assignments = sorted(p.name for p in (REPO / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
    table = (GUIDE / "assignments.md").read_text()
    assert all(f"| `{a}` |" in table for a in assignments), assignments
    words = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven"}
    for page in GUIDE.glob("*.md"):
        pattern = rf"\b({'|'.join(words.values())}|\d+) (?:auto-)?graded assignments"
        for count in re.findall(pattern, page.read_text(), flags=re.I):
            assert count.lower() in (words[len(assignments)], str(len(assignments))), (page.name, count)


def test_every_nngrade_command_the_guide_shows_exists():
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    for page in GUIDE.glob("*.md"):
        for used in re.findall(r"^\s*(?:\.venv/bin/)?nngrade (\w[\w-]*)", page.read_text(), flags=re.M):
            assert used in commands, (page.name, used)
