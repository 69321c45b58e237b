"""Reference copied (issue 8, item 12): nnlib's own implementation does not earn the points.

Each assignment that asks the learner to write a piece nnlib also holds gets a
submission whose graded functions call nnlib's implementation. While grading, those nnlib modules
are stubs inside the sandbox (see :mod:`nngrade.policy`): the copy scores 0 on every test of a copied
function, with a message saying why, and the reference solution still earns full marks.
"""

import ast
from pathlib import Path

import pytest

from nngrade import demo, policy
from nngrade.engine import _names_in, grade_notebook
from nngrade.notebook import AssignmentSpec, cell_source, nbgrader_meta, read_notebook
from nngrade.sandbox import Limits

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
LIMITS = Limits(cell_seconds=60, call_seconds=60)


def _same_name(module, only=None):
    """Copy a function by calling nnlib's function of the same name with the required arguments."""

    def copy(name, required):
        if only is not None and name not in only:
            return None
        return (f"def {name}(*args, **kwargs):\n    import {module}\n"
                f"    return {module}.{name}(*args[:{required}])\n")

    return copy


def _fixed(sources):
    return lambda name, required: sources.get(name)


COPIES = {
    "activations": _same_name("nnlib.activations"),
    "losses": _same_name("nnlib.losses"),
    "perceptron": _fixed({"step": "def step(z):\n    import nnlib.perceptron\n    return nnlib.perceptron.step(z)\n"}),
    "gradient_descent": _fixed({"linear_mse_gradient": (
        "def linear_mse_gradient(w, x, y):\n    import numpy as np, nnlib.losses\n"
        "    w, x, y = (np.asarray(a, dtype=float) for a in (w, x, y))\n"
        "    return x.T @ nnlib.losses.mse_gradient(y, x @ w)\n")}),
    "dense_layer": _fixed({"dense_forward": (
        "def dense_forward(x, W, b):\n    import numpy as np, nnlib.layers\n"
        "    W = np.asarray(W, dtype=float)\n    layer = nnlib.layers.Dense(W.shape[1])\n"
        "    layer.build((None, W.shape[0]))\n    layer.kernel = W\n    layer.bias = np.asarray(b, dtype=float)\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    return layer.forward(np.atleast_2d(x)).reshape(x.shape[:-1] + (W.shape[1],))\n")}),
    "training_loop": _fixed({"split_validation": (
        "def split_validation(x, y, validation_split):\n    import numpy as np, nnlib.data_adapter\n"
        "    (xt, yt, _), (xv, yv, _) = nnlib.data_adapter.split_validation(\n"
        "        [np.asarray(x, dtype=float)], np.asarray(y, dtype=float), None, validation_split)\n"
        "    return xt[0], yt, xv[0], yv\n")}),
    "network_from_scratch": _fixed({"sgd_update": (
        "def sgd_update(params, grads, state, learning_rate):\n    import numpy as np, nnlib.optimizers\n"
        "    params = [{key: np.array(value, dtype=float) for key, value in layer.items()} for layer in params]\n"
        "    for layer, grad in zip(params, grads):\n"
        "        nnlib.optimizers.SGD(learning_rate=learning_rate).apply(\n"
        "            [np.array(grad[key], dtype=float) for key in sorted(layer)], [layer[key] for key in sorted(layer)])\n"
        "    return params, state\n")}),
    "backpropagation": _fixed({"numerical_gradient": (
        "def numerical_gradient(f, w, eps=1e-6):\n    import numpy as np, nnlib.gradcheck\n"
        "    return nnlib.gradcheck.numerical_gradient(f, np.array(w, dtype=np.float64), eps)\n")}),
}


def _source(name):
    return read_notebook(SOLUTIONS / name / f"{name}.ipynb")


def _copied_submission(name):
    """The solved notebook with each graded function that nnlib also has replaced by a call to nnlib."""
    nb = demo.solved(_source(name))
    copied = set()
    for cell in nb.cells:
        if not (nbgrader_meta(cell).get("solution") and cell.cell_type == "code"):
            continue
        extra = []
        for node in ast.parse(cell_source(cell)).body:
            if isinstance(node, ast.FunctionDef):
                required = len(node.args.args) - len(node.args.defaults)
                copy = COPIES[name](node.name, required)
                if copy:
                    extra.append(copy)
                    copied.add(node.name)
        cell.source = cell_source(cell) + "\n\n" + "\n".join(extra)
    assert copied, name
    return nb, copied


def _grade(name, nb):
    spec = AssignmentSpec.from_notebook(_source(name), name)
    return spec, grade_notebook(spec, nb, limits=LIMITS)


def _tests_of(spec, names):
    return {t.grade_id for t in spec.tests if _names_in(t.source) & names}


@pytest.mark.parametrize("name", sorted(policy.HIDDEN))
def test_calling_nnlibs_own_implementation_scores_nothing_and_says_why(name):
    nb, copied = _copied_submission(name)
    spec, result = _grade(name, nb)
    affected = _tests_of(spec, copied)
    assert affected
    for test in result.tests:
        if test.grade_id in affected:
            assert test.points == 0, test
    messages = " ".join(t.message for t in result.tests if t.grade_id in affected)
    assert "yourself" in messages and "is not available while grading" in messages, messages


@pytest.mark.parametrize("name", sorted(policy.HIDDEN))
def test_the_copies_above_would_score_without_the_stubs(name, monkeypatch):
    """The attack is real: with nothing hidden, the copied functions pass their tests."""
    monkeypatch.setattr(policy, "HIDDEN", {})
    nb, copied = _copied_submission(name)
    spec, result = _grade(name, nb)
    affected = _tests_of(spec, copied)
    passed = [t for t in result.tests if t.grade_id in affected and t.passed]
    assert passed, result.tests


@pytest.mark.parametrize("name", sorted(policy.HIDDEN))
def test_the_reference_solution_keeps_full_marks_with_the_stubs(name):
    spec, result = _grade(name, demo.solved(_source(name)))
    assert [t for t in result.tests if not t.passed] == []
    assert result.cell_errors == [] and result.flags == []


def test_a_stub_keeps_names_and_docstrings_but_computes_nothing():
    source = 'def relu(x):\n    "max(x, 0)"\n    return x\nclass Box:\n    def __init__(self):\n        self.v = 1\n' \
             '    def area(self):\n        return 2\n'
    namespace = {}
    exec(policy.stub_source(source, "hidden here"), namespace)
    assert namespace["relu"].__doc__ == "max(x, 0)"
    box = namespace["Box"]()
    for call in (lambda: namespace["relu"](1), box.area):
        with pytest.raises(ImportError, match="hidden here"):
            call()


def test_assignments_without_such_pieces_hide_nothing():
    assert policy.hidden_for("keras_training") == [] and policy.hidden_for("capstone") == []
    assert policy.hidden_for("activations") == ["nnlib.core.activations", "nnlib.core.losses:log_softmax",
                                                "nnlib.extra.activations", "nnlib.activations"]


def test_entries_name_modules_at_any_depth():
    assert policy._parse("nnlib.core.losses") == ("core/losses.py", None)
    assert policy._parse("nnlib.core.losses:log_softmax,clip") == ("core/losses.py", {"log_softmax", "clip"})
    with pytest.raises(ValueError, match="nnlib.<module>"):
        policy._parse("numpy.linalg")


# Every way found to compute a graded piece with nnlib's code, public or private, core or surface:
# each call must fail in the sandbox while its assignment is graded.
Z = "np.array([[1.0, -2.0, 0.5]])"
Y = "np.array([[0.0, 1.0, 0.0]])"
ROUTES = {
    "activations": [
        f"nnlib.core.activations.relu({Z})", f"nnlib.activations.relu({Z})", f"nnlib.activations.softmax({Z})",
        f"nnlib.core.activations.softmax({Z})", f"np.exp(nnlib.core.losses.log_softmax({Z}))",
        f"nnlib.core.losses.categorical_crossentropy_gradient({Y}, {Z}, from_logits=True)",
        f"nnlib.core.losses.binary_crossentropy_gradient({Y}, {Z}, from_logits=True)",
        f"nnlib.losses.categorical_crossentropy_gradient({Y}, {Z}, from_logits=True)",
        f"np.exp(nnlib.activations.log_softmax({Z}))", f"nnlib.extra.activations._sigmoid({Z})",
        f"nnlib.activations.softplus_derivative({Z})",
    ],
    "losses": [f"nnlib.core.losses.mse({Y}, {Z})", f"nnlib.losses.mse({Y}, {Z})",
               f"nnlib.losses.categorical_crossentropy({Y}, {Z}, from_logits=True)",
               f"nnlib.losses.MeanSquaredError()({Y}, {Z})"],
    "gradient_descent": ["nnlib.core.optimizers.sgd(np.ones(2), np.ones(2), 0.1)",
                         f"nnlib.core.losses.mse_gradient({Y}, {Z})"],
    "dense_layer": ["nnlib.layers.Dense(2)(np.ones((1, 3), 'float32'))",
                    "nnlib.core.layers.Flatten().forward(np.ones((1, 3)))"],
    "backpropagation": ["nnlib.core.graph.topological_order([])",
                        "list(nnlib.core.training.batches(4, 2))"],
    "training_loop": ["list(nnlib.core.training.batches(4, 2))",
                      "__import__('nnlib.data_adapter').data_adapter.split_validation([np.ones((4, 1))], np.ones(4), None, 0.25)"],
    "network_from_scratch": [
        "nnlib.core.layers.Flatten().forward(np.ones((1, 3)))", "nnlib.core.graph.topological_order([])",
        "nnlib.core.optimizers.sgd(np.ones(2), np.ones(2), 0.1)", "list(nnlib.core.training.batches(4, 2))",
        "nnlib.gradcheck.numerical_gradient(np.sum, np.ones(2))",
        "nnlib.testing.central_difference(np.sum, np.ones(2))",
    ],
}


@pytest.mark.parametrize("assignment", sorted(ROUTES))
def test_no_nnlib_route_to_a_graded_piece_works_while_it_is_graded(assignment):
    """Outside the sandbox each route computes (so the test can fail); inside, each raises."""
    import numpy as np  # noqa: F401  (used by the routes)

    import nnlib.core.activations  # noqa: F401
    import nnlib.core.graph  # noqa: F401
    import nnlib.core.layers  # noqa: F401
    import nnlib.core.losses  # noqa: F401
    import nnlib.core.optimizers  # noqa: F401
    import nnlib.core.training  # noqa: F401
    import nnlib.extra.activations  # noqa: F401
    import nnlib.gradcheck  # noqa: F401
    import nnlib.layers  # noqa: F401
    import nnlib.losses  # noqa: F401
    import nnlib.testing  # noqa: F401

    from nngrade.sandbox import Sandbox

    for route in ROUTES[assignment]:
        eval(route)  # works in the grader
    code = ("import numpy as np\nimport nnlib, nnlib.activations, nnlib.losses, nnlib.layers, nnlib.testing\n"
            "import nnlib.core.activations, nnlib.core.losses, nnlib.core.layers, nnlib.core.optimizers\n"
            "import nnlib.core.graph, nnlib.core.training, nnlib.extra.activations, nnlib.gradcheck\n"
            "def attempt(route):\n    try:\n        eval(route)\n    except ImportError as error:\n"
            "        return 'hidden' if 'not available while grading' in str(error) else str(error)\n"
            "    return 'computed'\n")
    with Sandbox(limits=LIMITS, hidden=policy.hidden_for(assignment), assignment=assignment) as box:
        assert box.run_cell(code) is None
        outcomes = {route: box.call("attempt", [route], {}) for route in ROUTES[assignment]}
    assert outcomes == {route: "hidden" for route in ROUTES[assignment]}


def test_a_hidden_function_handed_over_by_a_test_works_only_during_that_call():
    """Tests pass nnlib's sigmoid into the learner's tanh: it is computed by the grader, never copied in."""
    import nnlib.activations

    from nngrade.sandbox import LearnerError, Sandbox

    with Sandbox(limits=LIMITS, hidden=policy.hidden_for("activations"), assignment="activations") as box:
        box.run_cell("import nnlib.activations, nnlib.core.activations\nkept = []\n"
                     "def use(f, x):\n    kept.append(f)\n    return float(f(x))\n"
                     "def later(x):\n    return kept[0](x)\n"
                     "def direct(x):\n    return nnlib.activations.sigmoid(x)\n"
                     "def source():\n    return open(nnlib.activations.__file__).read()\n"
                     "def compiled():\n    import glob, os\n"
                     "    found = {}\n"
                     "    for module in (nnlib.activations, nnlib.core.activations):\n"
                     "        folder, name = os.path.split(module.__file__)\n"
                     "        for path in glob.glob(f'{folder}/__pycache__/{name[:-3]}.*'):\n"
                     "            found[path] = len(open(path, 'rb').read())\n"
                     "    return found\n")
        assert box.call("use", [nnlib.activations.sigmoid, 0.0], {}) == 0.5
        with pytest.raises(TypeError, match="did not hand over"):
            box.call("later", [0.0], {})
        with pytest.raises(LearnerError, match="sigmoid|activation functions.*not available while grading"):
            box.call("direct", [0.0], {})
        stub = box.call("source", [], {})
        compiled = box.call("compiled", [], {})  # the real modules' bytecode exists on the host...
        assert compiled and set(compiled.values()) == {0}  # ...and reads as empty in the sandbox
    assert "def sigmoid(x)" in stub and "1 / (1 + " not in stub and "np.exp" not in stub
