"""Feedback pages show their math offline (MathML, no MathJax from a CDN) and stay safe with the
learner's TeX (issue 21.15)."""

import re

import nbformat

from nngrade import demo
from nngrade.cli import main
from nngrade.notebook import read_notebook
from nngrade.offline_math import offline_math, tex_to_mathml


CDN_PAGE = """<html><head>
<!-- Load mathjax -->
<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"> </script>
<script type="text/x-mathjax-config">MathJax.Hub.Config({});</script>
</head><body><p>The sigmoid $\\sigma(z) = \\frac{1}{1 + e^{-z}}$ and</p><p>$$\\hat{y} = \\max(0, z)$$</p>
<pre>price = "$5 and $6"</pre><p>Costs \\(x_1\\) and \\[y^2\\].</p></body></html>"""


def test_formulas_become_mathml_and_the_cdn_script_goes():
    page = offline_math(CDN_PAGE)
    assert "<script" not in page and "cdnjs" not in page and "MathJax" not in page
    assert page.count("<math") == 4
    assert 'display="block"' in page and "<mfrac>" in page
    assert 'price = "$5 and $6"' in page  # code is never touched
    assert not re.search(r"\$[^$<]*\$", page.split("<pre>")[0])


def test_the_learners_tex_cannot_inject_markup():
    assert tex_to_mathml(r"\href{javascript:alert(1)}{x}") is not None
    assert "href" not in tex_to_mathml(r"\href{javascript:alert(1)}{x}")
    converted = tex_to_mathml(r"\text{<script>alert(1)</script>}")
    assert converted is None or "<script" not in converted
    page = offline_math("<p>$\\text{&lt;img src=x onerror=alert(1)&gt;}$ and $\\frac{1}{$</p>")
    assert "<img" not in page and "&lt;img src=x" in page  # left as (escaped) text
    assert "$\\frac{1}{$" in page  # TeX that does not convert stays as written


def test_feedback_pages_make_no_request_and_show_math(toy_course):
    root = toy_course()
    source_path = root / "solutions" / "toy" / "toy.ipynb"
    source = read_notebook(source_path)
    source.cells.insert(1, nbformat.v4.new_markdown_cell("We compute $y = 2x$ and $$\\bar{v} = \\frac{1}{n}\\sum_i v_i$$"))
    source_path.write_text(nbformat.writes(source))
    solved = demo.solved(source)
    written = next(c for c in solved.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "why_zero")
    written.source = "Because $\\frac{0}{0}$ is undefined."
    demo.write(solved, root / "submitted" / "ada" / "toy" / "toy.ipynb")
    assert main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--cell-timeout", "5"]) == 0
    page = (root / "feedback" / "ada" / "toy" / "toy.html").read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", page)
    assert "MathJax" not in page and page.count("<math") >= 3
    assert "$y = 2x$" not in page and "$\\frac{0}{0}$" not in page
