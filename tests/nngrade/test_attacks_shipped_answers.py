"""No answers in the learner's package (nnlib issue 15, item 4).

A learner's notebook can import everything the course's wheel ships: ``nnlib``, ``nngrade`` and
``nngrade.releases``. The first test walks those packages as the wheel ships them (the package list
of pyproject.toml) and finds every callable named like a function a learner writes in ``solutions/``
(the functions defined in the answer cells). nnlib follows Keras, so some of those names are real
library functions (``nnlib.activations.relu``); each such callable must be hidden by the grading
policy while the assignment that grades it is judged. A callable that is not, such as the reference
``dense_forward`` that ``nnlib.testing`` once held, fails the test.

The second test is the attack itself, through the real grader: a submission whose answers call each
of those callables scores 0 on the tests of every answer it copied, and the feedback says why.
"""

import ast
import importlib
import inspect
import tomllib
from pathlib import Path

import pytest

from nngrade import demo, policy
from nngrade.engine import _names_in, grade_notebook
from nngrade.notebook import AssignmentSpec, cell_source, nbgrader_meta, read_notebook
from nngrade.sandbox import Limits

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
LIMITS = Limits(cell_seconds=60, call_seconds=60)


def graded_functions():
    """{function name: {assignments whose answer cells define it}} over every solution notebook."""
    graded = {}
    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        for cell in read_notebook(path).cells:
            if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
                for node in ast.parse(cell_source(cell)).body:
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        graded.setdefault(node.name, set()).add(path.parent.name)
    return graded


def shipped_modules():
    """The import names of every Python module the wheel ships, from pyproject.toml's package list."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    package_dirs = config.get("package-dir", {})
    modules = {}
    for package in config["packages"]:
        folder = ROOT / package_dirs.get(package, package.replace(".", "/"))
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if "__pycache__" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _hides(assignment, module, name):
    """Whether the grading policy stubs ``module.name`` while ``assignment`` is graded."""
    for entry in policy.hidden_for(assignment):
        hidden_module, _, names = entry.partition(":")
        if hidden_module == module and (not names or name in names.split(",")):
            return True
    return False


def answer_lookalikes():
    """[(module, name, defined_in, assignments)]: shipped callables named like an answer, found in the
    source and by importing (a name re-exported from another module counts where it can be reached;
    ``defined_in`` is the module whose code it runs). NumPy's own functions re-exported under such a
    name (``nnlib.ops.tanh`` is ``numpy.tanh``) are left out: a learner has NumPy anyway."""
    graded = graded_functions()
    found = {}
    for module, path in shipped_modules().items():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in graded:
                found[module, node.name] = (module, graded[node.name])
        if module.endswith("__main__"):
            continue  # importing it runs the command line; its definitions were read above
        # What the module holds, read from its namespace: a module-level __getattr__ (nnlib's
        # "not part of nnlib, use Keras" messages) answers names the module does not hold.
        namespace = vars(importlib.import_module(module))
        for name in graded:
            value = namespace.get(name)
            defined_in = getattr(value, "__module__", None) or module
            if callable(value) and defined_in.split(".")[0] in ("nnlib", "nngrade"):
                found.setdefault((module, name), (defined_in, graded[name]))
    return sorted((module, name, defined_in, sorted(assignments))
                  for (module, name), (defined_in, assignments) in found.items())


def test_the_scan_sees_every_shipped_module_and_answer():
    modules = shipped_modules()
    assert {"nnlib", "nnlib.testing", "nngrade", "nngrade.engine"} <= set(modules)
    graded = graded_functions()
    assert {"relu", "dense_forward", "perceptron_update", "train_epoch", "balanced_accuracy"} <= set(graded)
    # nnlib follows Keras, so some answers share a name with a library function: the scan finds them.
    assert ("nnlib.activations", "relu", "nnlib.activations", ["activations"]) in answer_lookalikes()


def test_no_shipped_module_holds_an_answer_the_grader_does_not_hide():
    def hidden(assignment, module, name, defined_in):
        # A re-export runs its defining module's code, which the stub of that module replaces.
        return _hides(assignment, module, name) or _hides(assignment, defined_in, name)

    exposed = [f"{module}.{name} (graded in {', '.join(a for a in assignments if not hidden(a, module, name, source))})"
               for module, name, source, assignments in answer_lookalikes()
               if not all(hidden(a, module, name, source) for a in assignments)]
    assert not exposed, (
        "the wheel ships callables named like a learner's answer that the grading policy does not hide while "
        "that answer is graded (a learner can call them): " + "; ".join(exposed))


def test_the_old_reference_answers_are_gone_from_nnlib_testing():
    import nnlib.testing

    for name in ("perceptron_update", "gradient_step", "linear_mse_gradient", "dense_forward", "dense_backward",
                 "balanced_accuracy", "split_validation", "epoch_batches", "train_epoch"):
        assert not hasattr(nnlib.testing, name), name


def _delegating(name, module):
    """Source of an answer that hands every call to ``module.name`` (its required arguments filled)."""
    target = getattr(importlib.import_module(module), name)
    try:
        parameters = inspect.signature(target).parameters.values()
        required = sum(1 for p in parameters if p.default is inspect.Parameter.empty
                       and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    except (TypeError, ValueError):
        required = 1
    return (f"def {name}(*args, **kwargs):\n    import {module}\n"
            f"    args = (list(args) + [None] * {required})[:{required}]\n"
            f"    return {module}.{name}(*args)\n")


def _copying_submission(assignment, copies):
    """The solved notebook with each answer in ``copies`` ({name: module}) calling the shipped callable."""
    nb = demo.solved(read_notebook(SOLUTIONS / assignment / f"{assignment}.ipynb"))
    for cell in nb.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            defined = {node.name for node in ast.parse(cell_source(cell)).body if isinstance(node, ast.FunctionDef)}
            extra = [_delegating(name, module) for name, module in copies.items() if name in defined]
            if extra:
                cell.source = cell_source(cell) + "\n\n" + "\n".join(extra)
    return nb


def _copies_by_assignment():
    by_assignment = {}
    for module, name, _, assignments in answer_lookalikes():
        for assignment in assignments:
            by_assignment.setdefault(assignment, {}).setdefault(name, module)
    return by_assignment


@pytest.mark.parametrize("assignment", sorted(_copies_by_assignment()))
def test_calling_a_shipped_lookalike_scores_nothing_through_the_grader(assignment):
    copies = _copies_by_assignment()[assignment]
    source = read_notebook(SOLUTIONS / assignment / f"{assignment}.ipynb")
    spec = AssignmentSpec.from_notebook(source, assignment)
    result = grade_notebook(spec, _copying_submission(assignment, copies), limits=LIMITS)
    affected = {t.grade_id for t in spec.tests if _names_in(t.source) & set(copies)}
    assert affected, f"no test of {assignment} calls {sorted(copies)}"
    for test in result.tests:
        if test.grade_id in affected:
            assert test.points == 0, f"{test.grade_id} scored {test.points} with answers copied from {copies}"
            assert "is not available while grading" in test.message, test.message
