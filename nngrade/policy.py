"""What a learner may use while graded: the nnlib pieces an assignment asks the learner to write.

nnlib implements every piece that the course asks learners to write (it is the course's reference).
While an assignment is graded, the nnlib modules that hold its pieces are replaced inside the sandbox
by stubs: every function and method of the module still exists (so ``import nnlib`` and the other
modules work), but calling one raises an :class:`ImportError` that says why. The real files are
covered by the stubs (bind mounts), so the learner cannot read them either.

The table is declared here, next to the code that enforces it, one line per assignment: the
assignment's name (its folder in ``source/``), what the learner writes, and what in nnlib would answer
it: a whole module (``"nnlib.core.activations"``), or single functions of a module the learner also
needs (``"nnlib.core.losses:log_softmax"``: the rest of the module keeps working). Each piece lives
once in ``nnlib/core/``; the surface modules that import a hidden core module (``nnlib.activations``
imports ``nnlib.core.activations``) are found in the code and hidden with it (:func:`hidden_for`), so
a new surface module cannot become a way around the policy. The table names by hand only what
computes a piece under another name (softmax is ``exp(log_softmax)``).
"""

import ast
import functools
from pathlib import Path

HIDDEN = {
    "activations": ("the activation functions and their derivatives",
                    ["nnlib.core.activations", "nnlib.core.losses:log_softmax"]),
    "losses": ("the loss functions and their gradients", ["nnlib.core.losses", "nnlib.metrics"]),
    "perceptron": ("the perceptron", ["nnlib.perceptron"]),
    "gradient_descent": ("gradient descent", ["nnlib.core.optimizers", "nnlib.core.losses"]),
    "dense_layer": ("the dense layer's forward and backward pass", ["nnlib.core.layers"]),
    "backpropagation": ("backpropagation and the numerical gradient",
                        ["nnlib.gradcheck", "nnlib.core.layers", "nnlib.core.graph", "nnlib.core.training"]),
    "training_loop": ("the training loop (validation split, batches, epochs, early stopping)",
                      ["nnlib.core.training", "nnlib.callbacks"]),
    "network_from_scratch": ("a whole network (initialisation, forward and backward pass, gradient check, "
                             "mini-batch SGD, momentum and the training loop)",
                             ["nnlib.core.activations", "nnlib.core.losses", "nnlib.core.layers", "nnlib.core.graph",
                              "nnlib.core.optimizers", "nnlib.core.training", "nnlib.initializers",
                              "nnlib.gradcheck", "nnlib.testing:central_difference"]),
}

# What import-time code calls (building registries such as ``layers._RELU = activations.get(...)``)
# is left as it is: these only construct or look up objects whose computations are stubbed.
_KEPT = {"__init__", "__init_subclass__", "__set_name__", "__class_getitem__", "__repr__", "get"}


def hidden_for(assignment, nnlib_dir=None):
    """The nnlib modules hidden while ``assignment`` is graded (an empty list for the others): the
    table's entries, ``nnlib.extra.<x>`` beside each hidden ``nnlib.core.<x>``, and every other
    module that imports one of those."""
    declared = list(HIDDEN.get(assignment, ("", []))[1])
    whole = {entry for entry in declared if ":" not in entry and entry.startswith("nnlib.core.")}
    if not whole:
        return declared
    root = Path(nnlib_dir) if nnlib_dir else Path(__import__("importlib").util.find_spec("nnlib").origin).parent
    # The formulas Keras has and the chapters do not teach sit beside the core, one module per kind
    # (nnlib/extra/activations.py beside nnlib/core/activations.py): the same kind of pieces, and
    # graded ones among them under other names (softplus' derivative is the sigmoid).
    found = [f"nnlib.extra.{entry.rsplit('.', 1)[1]}" for entry in sorted(whole)
             if (root / "extra" / f"{entry.rsplit('.', 1)[1]}.py").is_file()]
    whole |= set(found)
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in ("core", "extra"):
            continue
        name = ".".join(("nnlib", *relative.with_suffix("").parts))
        if name not in declared and _imports(path.read_text()) & whole:
            found.append(name)
    return declared + found


# Keyed by the source text, so an edited module is parsed again: every submission asks for the same
# answers, and parsing nnlib's modules each time cost more than judging a short notebook.
@functools.cache
def _imports(source):
    """The ``nnlib.core.<x>`` modules a module's source imports (``from nnlib.core import x`` too)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return frozenset(names)


def _parse(entry):
    """``"nnlib.a.b"`` -> ("a/b.py", None: every function); ``"nnlib.a.b:f,g"`` -> ("a/b.py", {"f", "g"})."""
    module, _, names = entry.partition(":")
    parts = module.split(".")
    if parts[0] != "nnlib" or len(parts) < 2 or not all(part.isidentifier() for part in parts):
        raise ValueError(f"hidden entry {entry!r}: expected 'nnlib.<module>[.<module>...]' or "
                         "'nnlib.<module>:f,g'")
    return "/".join(parts[1:]) + ".py", (set(names.split(",")) if names else None)


def message(assignment, module):
    what = HIDDEN.get(assignment, ("this piece", []))[0]
    return (f"in this assignment you implement {what} yourself; {module} is not available while grading "
            f"(it holds nnlib's own implementation)")


def import_time_functions(tree):
    """Names of the module's own functions that run while it is imported (called or used as
    decorators by module-level or class-level code, and what those call in turn): a stub of them
    would make the module fail to import. They build registries and classes; the numbers those
    compute come from functions that are stubbed."""
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def called(nodes):
        """Names called by ``nodes`` when they run (not inside a lambda or def they only define)."""
        found, todo = set(), list(nodes)
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found.add(node.func.id)
            todo.extend(child for child in ast.iter_child_nodes(node)
                        if not isinstance(child, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)))
        return found

    def import_time_code(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from node.decorator_list
                yield from node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            elif isinstance(node, ast.ClassDef):
                yield from node.decorator_list + node.bases
                yield from import_time_code(node.body)
            else:
                yield node

    names = called(import_time_code(tree.body)) | {d.id for n in defined.values() for d in n.decorator_list
                                                   if isinstance(d, ast.Name)}
    kept, todo = set(), [name for name in names if name in defined]
    while todo:
        name = todo.pop()
        if name not in kept:
            kept.add(name)
            todo.extend(n for n in called(defined[name].body) if n in defined)
    return kept


class _Stubber(ast.NodeTransformer):
    def __init__(self, text, only=None, kept=()):
        self.text = text
        self.only = only  # names of the module-level functions to stub; None: every function and method
        self.kept = set(kept)  # module-level functions run at import time (see import_time_functions)
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
        if self.depth <= 1 and node.name not in _KEPT and not (self.depth == 0 and node.name in self.kept):
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
    return _stub_source(source, text, None if only is None else frozenset(only))


@functools.cache  # keyed by the source text, as _imports
def _stub_source(source, text, only):
    tree = ast.parse(source)
    tree = _Stubber(text, only, import_time_functions(tree)).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def write_stubs(nnlib_dir, modules, folder, assignment):
    """Write the stubs of ``modules`` into ``folder``; returns {path inside nnlib: stub file}."""
    overlays = {}
    for entry in modules:
        relative, only = _parse(entry)
        source = Path(nnlib_dir, relative).read_text()
        stub = Path(folder, relative)
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(stub_source(source, message(assignment, entry.partition(":")[0]), only))
        stub.chmod(0o644)
        overlays[relative] = str(stub)
    return overlays
