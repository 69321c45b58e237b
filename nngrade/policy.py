"""What a learner may use while graded: the nnlib pieces an assignment asks the learner to write.

nnlib implements every piece that the course asks learners to write (it is the course's reference).
While an assignment is graded, the nnlib modules that hold its pieces are replaced inside the sandbox
by stubs: every function and method of the module still exists (so ``import nnlib`` and the other
modules work), but calling one raises an :class:`ImportError` that says why. The real files are
covered by the stubs (bind mounts), so the learner cannot read them either.

The table is declared here, next to the code that enforces it, one line per assignment: the
assignment's name (its folder in ``source/``), what the learner writes, and what in nnlib would answer
it: a whole module (``"nnlib.activations"``), or single functions of a module the learner also needs
(``"nnlib.testing:split_validation,epoch_batches"``: the rest of ``nnlib.testing`` keeps working).
"""

import ast
from pathlib import Path

HIDDEN = {
    "activations": ("the activation functions and their derivatives", ["nnlib.activations"]),
    "losses": ("the loss functions and their gradients", ["nnlib.losses", "nnlib.metrics"]),
    "perceptron": ("the perceptron", ["nnlib.perceptron"]),
    "gradient_descent": ("gradient descent", ["nnlib.optimizers", "nnlib.losses"]),
    "dense_layer": ("the dense layer's forward and backward pass", ["nnlib.layers"]),
    "backpropagation": ("backpropagation and the numerical gradient",
                        ["nnlib.gradcheck", "nnlib.layers", "nnlib.graph", "nnlib.trainer"]),
    "training_loop": ("the training loop (validation split, batches, epochs, early stopping)",
                      ["nnlib.data_adapter", "nnlib.trainer", "nnlib.callbacks",
                       "nnlib.testing:split_validation,epoch_batches,train_epoch"]),
    "network_from_scratch": ("a whole network (initialisation, forward and backward pass, gradient check, "
                             "mini-batch SGD, momentum and the training loop)",
                             ["nnlib.layers", "nnlib.graph", "nnlib.trainer", "nnlib.optimizers", "nnlib.losses",
                              "nnlib.activations", "nnlib.gradcheck", "nnlib.models", "nnlib.data_adapter",
                              "nnlib.testing:central_difference,epoch_batches,train_epoch"]),
}

# What import-time code calls (building registries such as ``layers._RELU = activations.get(...)``)
# is left as it is: these only construct or look up objects whose computations are stubbed.
_KEPT = {"__init__", "__init_subclass__", "__set_name__", "__class_getitem__", "__repr__", "get"}


def hidden_for(assignment):
    """The nnlib modules hidden while ``assignment`` is graded (an empty list for the others)."""
    return list(HIDDEN.get(assignment, ("", []))[1])


def _parse(entry):
    """``"nnlib.x"`` -> ("x", None: every function); ``"nnlib.x:f,g"`` -> ("x", {"f", "g"})."""
    module, _, names = entry.partition(":")
    parts = module.split(".")
    if parts[0] != "nnlib" or len(parts) != 2:
        raise ValueError(f"hidden entry {entry!r}: expected 'nnlib.<module>' or 'nnlib.<module>:f,g'")
    return parts[1], (set(names.split(",")) if names else None)


def message(assignment, module):
    what = HIDDEN.get(assignment, ("this piece", []))[0]
    return (f"in this assignment you implement {what} yourself; {module} is not available while grading "
            f"(it holds nnlib's own implementation)")


class _Stubber(ast.NodeTransformer):
    def __init__(self, text, only=None):
        self.text = text
        self.only = only  # names of the module-level functions to stub; None: every function and method
        self.depth = 0

    def _stub(self, node):
        docstring = ast.get_docstring(node, clean=False)
        body = [ast.Expr(ast.Constant(docstring))] if docstring is not None else []
        body.append(ast.Raise(ast.Call(ast.Name("ImportError", ast.Load()), [ast.Constant(self.text)], []),
                              None))
        node.body = body
        return node

    def visit_FunctionDef(self, node):
        if self.only is not None:
            return self._stub(node) if self.depth == 0 and node.name in self.only else node
        if self.depth <= 1 and node.name not in _KEPT:
            return self._stub(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        return node


def stub_source(source, text, only=None):
    """``source`` with every function's and method's body (or those of the module-level functions named
    in ``only``) replaced by ``raise ImportError(text)``."""
    tree = _Stubber(text, only).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def write_stubs(nnlib_dir, modules, folder, assignment):
    """Write the stubs of ``modules`` into ``folder``; returns {path inside nnlib: stub file}."""
    overlays = {}
    for entry in modules:
        module, only = _parse(entry)
        relative = f"{module}.py"
        source = Path(nnlib_dir, relative).read_text()
        stub = Path(folder, relative)
        stub.write_text(stub_source(source, message(assignment, f"nnlib.{module}"), only))
        stub.chmod(0o644)
        overlays[relative] = str(stub)
    return overlays
