"""The instructor's class report: self-contained HTML with the numbers an instructor acts on."""

import re

from nngrade import report
from nngrade.notebook import AssignmentSpec
from nngrade.notebook import TestCell as Cell
from nngrade.result import Flag, SubmissionResult, TestResult


def _spec():
    tests = [Cell("a", 1.0, "", "", 0, []), Cell("b", 2.0, "", "", 1, [])]
    return AssignmentSpec("demo", "demo", [], tests, set(), 1.0)


def _result(a, b, flags=()):
    return SubmissionResult(tests=[TestResult("a", 1.0, 1.0 * a, a), TestResult("b", 2.0, 2.0 * b, b)],
                            flags=list(flags))


def test_distribution_failure_shares_and_flags():
    results = {"s1": _result(True, True), "s2": _result(True, False),
               "s3": _result(False, False, [Flag("crash", "cell 4", "exit code 0")]),
               "<b>x</b>": _result(True, True)}
    html = report.render(_spec(), results)
    assert "mean 1.75, median 2, min 0, max 3" in html
    shares = dict(re.findall(r"<tr><td>(\w)</td><td>[\d.]+</td><td>\d+</td><td>(\d+%)</td></tr>", html))
    assert shares == {"a": "25%", "b": "50%"}
    assert "2 scored 2.7 to 3</title>" in html and "1 scored 0 to under 0.3</title>" in html
    assert "s3</td><td class='fail'>crash</td><td>cell 4</td><td>exit code 0" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert not re.search(r"(src|href)=", html)  # nothing to fetch: works offline, sends nothing
