"""Make submissions from a source notebook: the honest solution, the untouched release, partial work
and a few attacks. Used by ``nngrade demo``, the tests and the benchmark."""

import copy
import re
import shutil
from pathlib import Path

import nbformat

from .notebook import cell_source, nbgrader_meta, solved

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def _stubbed(source):
    return re.sub(r"^([ \t]*)### BEGIN SOLUTION.*?### END SOLUTION[^\n]*",
                  lambda m: "\n".join(m.group(1) + line for line in STUB.splitlines()),
                  source, flags=re.S | re.M)


def released(source_nb, solved_parts=0):
    """The released notebook with the first ``solved_parts`` answer cells solved."""
    nb = solved(source_nb)
    answers = 0
    for cell, original in zip(nb.cells, source_nb.cells):
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            answers += 1
            if answers > solved_parts:
                cell.source = _stubbed(cell_source(original))
        elif meta.get("solution") and cell.cell_type == "markdown":
            cell.source = "YOUR ANSWER HERE"
    return nb


def answer_cells(nb):
    return [i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution") and c.cell_type == "code"]


def with_cell(nb, code, position=None):
    """A copy of ``nb`` with a new learner code cell (default: after the first answer cell)."""
    nb = copy.deepcopy(nb)
    if position is None:
        position = answer_cells(nb)[0] + 1
    nb.cells.insert(position, nbformat.v4.new_code_cell(code))
    return nb


def write(nb, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def make_demo_class(course, assignment, target):
    """Copy one assignment of ``course`` into a fresh course folder ``target`` with six submissions."""
    from .notebook import read_notebook

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    config = course.root / "nbgrader_config.py"
    if config.exists():
        shutil.copy2(config, target / "nbgrader_config.py")
    for directory in (course.source_directory, course.release_directory):
        source = course.root / directory / assignment
        if source.is_dir():
            shutil.copytree(source, target / directory / assignment, dirs_exist_ok=True)
    source_path = course.source_notebook(assignment)
    source_nb = read_notebook(source_path)
    name = source_path.stem
    submitted = target / "submitted"
    write(solved(source_nb), submitted / "ada" / assignment / f"{name}.ipynb")
    write(released(source_nb, solved_parts=1), submitted / "ben" / assignment / f"{name}.ipynb")
    write(released(source_nb), submitted / "chen" / assignment / f"{name}.ipynb")
    attack = with_cell(solved(source_nb), "import numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None")
    write(attack, submitted / "dara" / assignment / f"{name}.ipynb")
    write(solved(source_nb), submitted / "eli" / assignment / f"{name} (1).ipynb")
    (submitted / "fay" / assignment).mkdir(parents=True, exist_ok=True)
    (submitted / "fay" / assignment / f"{name}.ipynb").write_text('{"cells": [ not json')
    return target


__all__ = ["solved", "released", "with_cell", "write", "make_demo_class"]
