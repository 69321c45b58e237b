"""The build hooks, tried on small scratch sites that use the course's real configuration.

Each scratch build runs `mkdocs build --strict` on a site that inherits the project's mkdocs.yml, so what
passes or fails here passes or fails the same way in the course site.
"""

from __future__ import annotations

import re

import pytest

from site_scratch import build, code, make_site, markdown, write_notebook

pytestmark = pytest.mark.slow

FIGURE_ALT = "A rising straight line through the origin."


def test_good_notebook_page(tmp_path):
    """Math, a figure with alt text, a deliberate error and an exercise link all build."""
    config = make_site(
        tmp_path,
        {
            "index.md": "# Home\n\n[Chapter](chapters/01-line.ipynb)\n",
            "chapters/01-line.ipynb": [
                markdown("# A line\n\nThe slope is $w$.\n\n[Try the exercise](../exercises/perceptron.ipynb)"),
                code(f"# alt: {FIGURE_ALT}\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 2])\nplt.show()"),
                code("raise ValueError('shown on purpose')", tags=["raises-exception"]),
            ],
        },
    )
    write_notebook(tmp_path / "exercises/perceptron/perceptron.ipynb", [code("# your code")])

    result = build(config)

    assert result.returncode == 0, result.log
    page = (tmp_path / "site/chapters/01-line/index.html").read_text()
    assert f'alt="{FIGURE_ALT}"' in page
    # The figure cell's code is folded behind "Show the code", without its `# alt:` line.
    assert '<details class="course-figure-code" data-search-exclude>\n<summary>Show the code</summary>' in page
    assert "# alt:" not in page and "plt.plot" in page
    # The chapter offers its notebook and its exercise as labelled downloads, at the top and the bottom.
    assert page.count('href="01-line.ipynb" download="01-line.ipynb"') == 2
    assert page.count('download="perceptron.ipynb"') == 2 and "Exercise notebook (perceptron)" in page
    assert "shown on purpose" in page
    assert 'href="../../exercises/perceptron.ipynb"' in page
    assert (tmp_path / "site/exercises/perceptron.ipynb").is_file()
    assert not (tmp_path / "site/exercises/perceptron/index.html").exists()
    assert "&lt;style" not in page


def test_failing_cell_fails_the_build(tmp_path):
    config = make_site(tmp_path, {"broken.ipynb": [code("x = 1"), code("raise RuntimeError('cell is broken')")]})

    result = build(config)

    assert result.returncode != 0
    assert "cell is broken" in result.log


def test_broken_links_and_missing_alt_text_fail_the_build(tmp_path):
    config = make_site(
        tmp_path,
        {
            "index.md": "# Home\n\nSee [the next page](no-such-page.md).\n",
            "chapter.ipynb": [
                markdown("# Chapter\n\n[Exercise](exercises/no_such_exercise.ipynb)"),
                code("import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()"),
            ],
        },
    )

    result = build(config)

    assert result.returncode != 0
    assert re.search(r"index\.md.*no-such-page\.md", result.log)
    assert re.search(r"chapter\.ipynb.*exercises/no_such_exercise\.ipynb", result.log)
    assert re.search(r"chapter\.ipynb: an image has no alt text.*# alt:", result.log)


def test_missing_mathjax_assets_fail_with_advice(tmp_path):
    config = make_site(tmp_path, {"index.md": "# Home\n"}, link_node_modules=False)

    result = build(config)

    assert result.returncode != 0
    assert "npm install" in result.log


def test_execution_cache_is_used_and_invalidated_when_nnlib_changes(tmp_path):
    config = make_site(tmp_path, {"run.ipynb": [markdown("# Run"), code("import uuid\nprint('run', uuid.uuid4().hex)")]})

    def run_token() -> str:
        result = build(config)
        assert result.returncode == 0, result.log
        return re.search(r"run ([0-9a-f]{32})", (tmp_path / "site/run/index.html").read_text()).group(1)

    first = run_token()
    assert run_token() == first, "an unchanged rebuild executed the notebook again instead of using the cache"
    (tmp_path / "nnlib" / "__init__.py").write_text("ANSWER = 42\n")
    assert run_token() != first, "a change to nnlib did not make the notebook run again"


CORE_DEMO = '''"""A stand-in for a core module."""


def mse(y_true, y_pred):
    """Mean squared error."""
    return ((y_pred - y_true) ** 2).mean()


class Dense:
    def forward(self, x):
        return x @ self.kernel

    def backward(self, grad):
        return grad @ self.kernel.T
'''


def _site_with_core(tmp_path, marker_page: str):
    (tmp_path / "nnlib" / "core").mkdir(parents=True)
    (tmp_path / "nnlib" / "core" / "demo.py").write_text(CORE_DEMO)
    return make_site(
        tmp_path,
        {
            "index.md": "# Home\n\n[Chapter](chapters/01-loss.ipynb)\n",
            "chapters/01-loss.ipynb": [markdown(marker_page), code("print('ran')")],
        },
    )


def test_nnlib_source_marker_shows_the_code_as_built_and_links_to_the_file(tmp_path):
    config = _site_with_core(
        tmp_path,
        "# Loss\n\n## The code\n\n<!-- nnlib-source: nnlib/core/demo.py:mse -->\n\n"
        "<!-- nnlib-source: nnlib/core/demo.py:Dense.backward -->\n",
    )

    result = build(config)

    assert result.returncode == 0, result.log
    page = (tmp_path / "site/chapters/01-loss/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    # The function with its docstring, highlighted, with the lines of the file it comes from (4 to 6).
    assert "def mse(y_true, y_pred):" in text and "Mean squared error." in text
    assert '<span class="k">def</span>' in page and "mse in nnlib/core/demo.py (lines 4-6, as this page was built)" in text
    # One method of a class, dedented, without the rest of the class.
    assert "def backward(self, grad):" in text and "def forward" not in text
    assert "Dense.backward in nnlib/core/demo.py (lines 13-14" in text
    assert "nnlib-source" not in page
    # The link goes to the whole file, published beside the pages.
    assert 'href="../../source/nnlib/core/demo.py"' in page
    assert (tmp_path / "site/source/nnlib/core/demo.py").read_text() == CORE_DEMO


def test_nnlib_source_marker_follows_the_source_file(tmp_path):
    """The code comes from the file at build time: change the file and the page changes with it."""
    config = _site_with_core(tmp_path, "# Loss\n\n<!-- nnlib-source: nnlib/core/demo.py:mse -->\n")
    assert build(config).returncode == 0
    demo = tmp_path / "nnlib" / "core" / "demo.py"
    demo.write_text(CORE_DEMO.replace("((y_pred - y_true) ** 2).mean()", "np.mean(np.square(y_pred - y_true))"))

    result = build(config)

    assert result.returncode == 0, result.log
    text = re.sub(r"<[^>]+>", "", (tmp_path / "site/chapters/01-loss/index.html").read_text())
    assert "np.mean(np.square(y_pred - y_true))" in text and "** 2).mean()" not in text


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("nnlib/core/demo.py:rmse", "has no definition named 'rmse' (it defines: Dense, mse)"),
        ("nnlib/core/missing.py", "nnlib/core/missing.py does not exist"),
        ("tools/mkdocs_hooks.py", "is not a file of the nnlib package"),
    ],
)
def test_nnlib_source_marker_naming_nothing_fails_the_build(tmp_path, marker, message):
    config = _site_with_core(tmp_path, f"# Loss\n\n<!-- nnlib-source: {marker} -->\n")

    result = build(config)

    assert result.returncode != 0
    assert "chapters/01-loss.ipynb: nnlib-source marker" in result.log and message in result.log
