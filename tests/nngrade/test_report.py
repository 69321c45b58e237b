"""The instructor's class report: self-contained HTML with the numbers an instructor acts on."""

import re
from pathlib import Path

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
    assert shares == {"a": "0%", "b": "33%"}  # of the 3 graded fully: s3 crashed, and says nothing of the tests
    assert "2 scored 2.7 to 3</title>" in html and "1 scored 0 to under 0.3</title>" in html
    assert "s3</td><td class='fail'>crash</td><td>cell 4</td><td>exit code 0" in html
    assert "2.7–3</text>" in html  # bands labelled as bands, not by their lower edge
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert not re.search(r"(src|href)=", html)  # nothing to fetch: works offline, sends nothing


def test_a_flag_shows_the_code_of_its_cell_and_the_gradebook_totals_their_columns():
    results = {"s1": _result(True, True), "s3": _result(False, False, [Flag("crash", "cell 4", "exit code 0")])}
    html = report.render(_spec(), results, cells={"s3": {"cell 4": "import os\nos._exit(0)  # <bye>"}},
                         totals_from_gradebook={"s1": (2.0, 0.5, 4.5)})
    assert "<summary>cell 4</summary><pre>import os\nos._exit(0)  # &lt;bye&gt;</pre>" in html
    assert "<td>s1</td><td>3</td><td>2</td><td>0.5</td><td>4.5</td>" in html
    assert "<td>s3</td><td>0</td><td></td><td></td><td></td>" in html


def test_a_graded_class_report_shows_flagged_code_written_points_and_the_whole(tmp_path, capsys):
    import shutil

    from nngrade import demo
    from nngrade.cli import main
    from nngrade.notebook import read_notebook

    fixture = Path(__file__).parent / "fixtures" / "course"
    root = tmp_path / "course"
    shutil.copytree(fixture, root)
    source = read_notebook(fixture / "solutions" / "toy" / "toy.ipynb")
    patched = demo.with_cell(demo.solved(source), "import numpy.testing\nnumpy.testing.assert_allclose = print")
    demo.write(patched, root / "submitted" / "dara" / "toy" / "toy.ipynb")
    assert main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--cell-timeout", "5"]) == 0
    assert "written answers add up to 1 more (total 4)" in capsys.readouterr().out
    page = (root / "reports" / "toy.html").read_text()
    position = next(i for i, c in enumerate(patched.cells) if "assert_allclose = print" in c.source) + 1
    assert f"<summary>cell {position}</summary><pre>import numpy.testing" in page
    assert "<th>written points</th><th>late penalty</th><th>total</th>" in page
    assert "<td>dara</td><td>3</td><td>0</td><td>0</td><td>3</td>" in page  # the written answer awaits the formgrader
