"""Judge one submission: learner cells in a sandbox, the source's test cells in this clean process.

The test cells come from the source notebook. Each runs here, in a namespace where every name that
the source's answer cells define is replaced by what the learner's process holds under that name: a
function becomes a proxy whose calls cross the process boundary as plain data (see
:mod:`nngrade.sandbox`), plain data is copied across, anything else is refused. A test cell scores its
points when it runs without an exception. If the learner's process dies, only the cells not yet
answered are affected: a new process replays the learner's cells (skipping the one that killed it)
and grading continues.
"""

import ast
import contextlib
import io
import random
import re
import time
import warnings

import numpy as np

from . import policy, secret, wire
from .notebook import NotebookError, plan_submission, read_submission, test_parts
from .result import CellError, SubmissionResult, TestResult
from .sandbox import ConfinementFailed, Limits, Sandbox, SandboxDied
from .versioning import recorded_release, spec_release_id

MAX_RESTARTS = 4
# Errors of learner cells kept per submission (each at most 2000 characters): 20,000 failing cells
# once made 138 MB of results, autograded notebook and feedback out of a 135 kB zip.
MAX_CELL_ERRORS = 20


class KernelDeath(BaseException):
    """The learner's process died during a test's call. Not an ``Exception``: tests cannot catch it."""


class _Refused:
    """Stands for a learner value that is not plain data: any use fails with the reason."""

    def __init__(self, name, reason):
        self._message = f"{name} is not plain data ({reason})"

    def _fail(self, *args, **kwargs):
        raise wire.WireError(self._message)

    __call__ = __eq__ = __ne__ = __bool__ = __len__ = __iter__ = __array__ = __float__ = _fail
    __hash__ = None

    def __getattr__(self, name):
        self._fail()


class LearnerFunction:
    """A learner-defined function, living in the sandbox; calling it sends plain data across."""

    def __init__(self, judge, name):
        self._judge = judge
        self.__name__ = name  # also how it crosses back into the learner's process (see wire.encode)

    def __call__(self, *args, **kwargs):
        return self._judge.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<learner function {self.__name__}>"


class _StubShell:
    """What ``get_ipython()`` returns to instructor code run in the grader: magics are ignored."""

    def run_line_magic(self, *args, **kwargs):
        return None

    run_cell_magic = system = getoutput = run_line_magic


def _compile(source, label):
    """Instructor code (set-up and test cells), compiled with its asserts whatever the interpreter's
    optimisation level: ``python -O`` must not turn a failing test into a pass."""
    return compile(_to_python(source), label, "exec", optimize=0)


def _to_python(source):
    if re.search(r"^\s*[%!]", source, flags=re.M):
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    return source


# ---------------------------------------------------------------------------------------------
# Suspicious code: statements in the submission's code (never its comments or strings) that replace
# what the tests rely on. What the code was seen doing at run time is flagged by the sandbox.

_LIBRARY_ROOTS = {"np", "numpy", "nnlib", "builtins", "testing", "sys", "os", "IPython", "unittest", "math"}


def scan_source(source):
    """Reasons why a learner cell's code (its syntax tree: comments and strings are not read)
    replaces what the tests rely on (maybe none)."""
    reasons = []
    try:
        tree = ast.parse(_to_python(source))
    except SyntaxError:
        return reasons
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute):
                root = target
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in _LIBRARY_ROOTS:
                    reasons.append(f"replaces a library attribute ({ast.unparse(target)} = ...)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            if node.args and isinstance(node.args[0], (ast.Name, ast.Attribute)):
                root = node.args[0]
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in _LIBRARY_ROOTS:
                    reasons.append(f"replaces a library attribute (setattr on {ast.unparse(node.args[0])})")
        if isinstance(node, ast.FunctionDef) and node.name in ("__eq__", "__ne__", "__bool__", "__array__"):
            reasons.append(f"defines {node.name} on a class (an object that compares equal to anything?)")
    return sorted(set(reasons))


# ---------------------------------------------------------------------------------------------


class Judge:
    """Grades one submission against an :class:`~nngrade.notebook.AssignmentSpec`."""

    def __init__(self, spec, released_dir=None, limits=None, isolate=True, watched=()):
        self.spec = spec
        self.released_dir = released_dir
        self.limits = limits or Limits()
        self.isolate = isolate
        self.watched = list(watched)
        self.sandbox = None
        self.result = SubmissionResult()
        self.fatal_cells = set()
        self.ran = []  # learner cells run so far (indices into the plan)
        self.isolation = None
        self.deadline = None  # the submission's total time, shared by all its sandboxes
        self.errors_dropped = 0  # cell errors beyond MAX_CELL_ERRORS

    # -- flags ---------------------------------------------------------------------------------
    def flag(self, kind, where, detail):
        self.result.flag(kind, where, detail)

    # -- sandbox management --------------------------------------------------------------------
    def _start(self):
        _RUNNING.add(self)
        if self.deadline is None:
            self.deadline = time.monotonic() + self.limits.submission_seconds
        self.sandbox = Sandbox(self.released_dir, self.limits, self.isolate, self.watched,
                               hidden=policy.hidden_for(self.spec.name), deadline=self.deadline,
                               assignment=self.spec.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.sandbox.start()
        self.isolation = self.sandbox.isolation

    def _stop(self):
        if self.sandbox is not None:
            self._collect_audit()
            self.sandbox.stop()
            self.sandbox = None
        _RUNNING.discard(self)

    def _collect_audit(self):
        for kind, detail in self.sandbox.audit:
            self.flag(kind, "learner code", detail)

    def _restart(self):
        self._stop()
        if self.result.restarts >= MAX_RESTARTS or time.monotonic() >= self.deadline:
            return False
        self.result.restarts += 1
        try:
            self._start()
        except SandboxDied as death:
            self._stop()
            self.flag("crash", "sandbox", f"a new learner process could not start: {death.reason}")
            return False
        for index in list(self.ran):
            if index in self.fatal_cells:
                continue
            if not self._run_learner_cell(index, replay=True):
                return self._restart()
        return True

    def _run_learner_cell(self, index, replay=False):
        """Run one learner cell; False if the process died (the cell is then marked fatal)."""
        cell = self.cells[index]
        try:
            error = self.sandbox.run_cell(cell.source, cell.label)
        except SandboxDied as death:
            self.fatal_cells.add(index)
            kind = "timeout" if death.kind == "timeout" else "crash"
            self.flag(kind, cell.label, f"the learner's process {death.reason}; the cell was skipped")
            return False
        if error and not replay:
            if len(self.result.cell_errors) < MAX_CELL_ERRORS:
                self.result.cell_errors.append(CellError(cell.label, error))
            else:  # kept in the results, the autograded notebook and the feedback: bounded
                self.errors_dropped += 1
            if cell.instructor:
                # The course's own set-up failed in the sandbox: the environment is broken, not the answer.
                self.flag("environment", cell.label, f"the course's set-up cell failed in the sandbox: {error}")
        return True

    def call(self, name, args, kwargs):
        if self.sandbox is None or not self.sandbox.alive:
            raise KernelDeath("the learner's process is not running")
        try:
            return self.sandbox.call(name, args, kwargs)
        except SandboxDied as death:
            raise KernelDeath(f"your code stopped the process while running {name}(...): {death.reason}") from None

    # -- grading -------------------------------------------------------------------------------
    def _base_namespace(self):
        namespace = {"__name__": "__main__", "get_ipython": _StubShell}
        for _, source in self.spec.instructor_cells:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(_compile(source, "<setup>"), namespace)
        return namespace

    def _bind_learner_names(self, namespace, names):
        if not names:
            return
        try:
            described = self.sandbox.describe(sorted(names))
        except SandboxDied as death:
            raise KernelDeath(f"the learner's process {death.reason}") from None
        for name, (kind, value) in described.items():
            if kind == "callable":
                namespace[name] = LearnerFunction(self, name)
            elif kind == "data":
                namespace[name] = value
            elif kind == "other":
                namespace[name] = _Refused(name, value)
            else:
                namespace.pop(name, None)

    def _run_test(self, namespace, test):
        """``(passed, message, died)`` for one test cell.

        A failure in a hidden block reports the exception's type only: its message may be the
        learner's own words, and a learner's function can write the hidden inputs into them.
        """
        referenced = self.spec.answer_names & _names_in(test.source)
        hidden = False
        try:
            self._bind_learner_names(namespace, referenced)
            # Output and warnings of a test cell never cost points (nbgrader scores stderr as failure).
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                    warnings.catch_warnings(record=True):
                warnings.simplefilter("default")
                for code, hidden in test_parts(test.source):
                    exec(_compile(code, f"<test {test.grade_id}>"), namespace)
        except KernelDeath as death:
            return False, str(death), True
        except (Exception, SystemExit) as error:  # noqa: BLE001 (a failing test may raise anything)
            if hidden:
                return False, f"a hidden test failed ({type(error).__name__})", False
            return False, _message(error), False
        return True, "", False

    def grade(self, nb):
        """Grade a parsed submission notebook; returns a :class:`~nngrade.result.SubmissionResult`."""
        self.cells, anchors, notes = plan_submission(self.spec, nb)
        for note in notes:
            self.flag("notebook-edited", "test cells", note)
        made_from, current = recorded_release(nb), spec_release_id(self.spec)
        if made_from and made_from != current:
            self.flag("other-release", "notebook", f"made from release {made_from} of {self.spec.name}; judged by "
                      f"the tests of release {current}")
        for cell in self.cells:
            for reason in scan_source(cell.source):
                self.flag("tampering", cell.label, reason)
        results = []
        # Tests that draw from the global generators draw the same numbers for every submission.
        seed = secret.seed_for(self.spec.name)
        random.seed(seed)
        np.random.seed(seed % (1 << 32))
        namespace = self._base_namespace()
        try:
            self._start()
        except ConfinementFailed as failure:
            self._stop()
            return SubmissionResult.empty(self.spec, failure.reason, "environment", grader_failed=True)
        next_cell = 0
        try:
            for test, anchor in zip(self.spec.tests, anchors):
                alive = True
                while next_cell < anchor:
                    index = next_cell
                    next_cell += 1
                    self.ran.append(index)
                    if not self._run_learner_cell(index):
                        alive = self._restart()
                        if not alive:
                            break
                if not alive or self.sandbox is None:
                    results.append(TestResult.of(test, False, "not graded: the learner's process kept dying"))
                    self.flag("crash", test.grade_id, "too many restarts; remaining tests score 0")
                    next_cell = anchor
                    continue
                passed, message, died = self._run_test(namespace, test)
                results.append(TestResult.of(test, passed, message))
                if died:
                    self.flag("crash", test.grade_id, message)
                    if not self._restart():
                        self.sandbox = None
        finally:
            if self.sandbox is not None:
                self._stop()
        if self.errors_dropped:
            self.flag("output-capped", "learner cells", f"{self.errors_dropped} more cells raised errors; only "
                      f"the first {MAX_CELL_ERRORS} errors are kept")
        if self.isolation and self.isolation.get("level") == "user-only":  # asked for (Gradescope): say what held
            self.flag("not-isolated", "sandbox", self.isolation.get("detail", ""))
        self.result.tests = results
        self.result.isolation = (self.isolation or {}).get("level")
        if self.result.isolation == "user-only":  # isolate="user" (Gradescope): say what held, and what not
            self.flag("not-isolated", "sandbox", self.isolation.get("detail", "no namespaces"))
        return self.result


def _names_in(source):
    try:
        tree = ast.parse(_to_python(source))
    except SyntaxError:
        return set(re.findall(r"[A-Za-z_]\w*", source))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _message(error):
    text = str(error).strip()
    kind = type(error).__name__
    if not text and isinstance(error, NotImplementedError):
        return "NotImplementedError: not done yet (replace `raise NotImplementedError()` with your code)"
    if not text:
        return f"{kind} raised (no message)"
    return f"{kind}: {text}"[:2000]


def grade_notebook(spec, nb, released_dir=None, limits=None, isolate=True, watched=()):
    """Grade one parsed submission notebook. See :class:`Judge`."""
    return Judge(spec, released_dir, limits, isolate, watched).grade(nb)


def judge_submission(spec, path, released_dir=None, limits=None, isolate=True, watched=()):
    """Grade the notebook at ``path`` (None: nothing was submitted); never raises an ``Exception``.

    A notebook that cannot be read scores 0 flagged ``malformed``; one with broken cells is repaired
    (see :func:`~nngrade.notebook.read_submission`), graded, and flagged ``malformed`` per repair.
    """
    if path is None:
        return SubmissionResult.empty(spec, "no notebook was submitted", "missing")
    try:
        nb, problems = read_submission(path)
    except NotebookError as error:
        return SubmissionResult.empty(spec, str(error), "malformed")
    try:
        result = grade_notebook(spec, nb, released_dir, limits, isolate, watched)
    except Exception as error:  # noqa: BLE001 (a grader bug must not stop the class)
        return SubmissionResult.empty(spec, f"the grader failed on this notebook: {type(error).__name__}: {error}",
                                      "crash", grader_failed=True)
    for problem in reversed(problems):
        result.flag("malformed", "notebook", problem, first=True)
    return result


# Judges running in this process, so that a stopped grading run can end their sandboxes at once.
_RUNNING = set()


def stop_running_sandboxes():
    """Kill every sandbox a judge of this process has started (called when grading is stopped)."""
    for judge in list(_RUNNING):
        sandbox = judge.sandbox
        if sandbox is not None:
            try:
                sandbox.stop()
            except Exception:  # noqa: BLE001 (stopping: do what can be done)
                pass
