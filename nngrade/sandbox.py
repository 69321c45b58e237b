"""The grader's side of the sandbox: start a confined worker, send it cells and calls, watch the clock.

A :class:`Sandbox` is one learner process (see ``_worker.py``). Everything that comes back is decoded
by :mod:`nngrade.wire` into fresh plain objects made by the grader; a learner's object never enters
the grader's process. If the worker dies or overruns its time limit, :class:`SandboxDied` says why
and the caller may start a new one.
"""

import builtins
import dataclasses
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from . import wire

WORKER = Path(__file__).with_name("_worker.py")
NOBODY = 65534


@dataclasses.dataclass
class Limits:
    """Resource limits for one learner process."""

    cell_seconds: float = 120.0  # wall time for one learner cell
    call_seconds: float = 60.0  # wall time for one call made by a test
    cpu_seconds: int = 900  # CPU time for the whole process
    memory_bytes: int = 4 << 30  # address space (RLIMIT_AS)
    startup_seconds: float = 60.0


class SandboxDied(RuntimeError):
    """The learner's process ended or overran its time limit before answering."""

    def __init__(self, reason, kind):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # "timeout", "exit", "signal", "memory"


class LearnerError(Exception):
    """Raised in the grader when the learner's function raised an exception that is not built in."""


def _python_paths():
    """Folders the worker needs to run Python, NumPy and the other installed packages (read-only)."""
    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}
    for entry in sys.path:
        if entry and "site-packages" in entry and os.path.isdir(entry):
            paths.add(entry)
    return sorted(paths)


def find_nnlib():
    """Where the installed nnlib package lives (bound read-only into the sandbox), or None."""
    import importlib.util

    spec = importlib.util.find_spec("nnlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


class _DeadlineReader:
    def __init__(self, fd):
        self.fd = fd
        self.deadline = None

    def read(self, count):
        timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            raise TimeoutError
        return os.read(self.fd, min(count, 1 << 20))


class Sandbox:
    """One confined learner process holding the learner's namespace between calls."""

    def __init__(self, released_dir=None, limits=None, isolate=True, watched=(), extra_files=None,
                 user_namespace=False):
        self.user_namespace = user_namespace  # the unprivileged recipe, also when running as root
        self.limits = limits or Limits()
        self.isolate = isolate
        self.released_dir = Path(released_dir) if released_dir else None
        self.watched = [str(w) for w in watched]
        self.extra_files = extra_files or {}
        self.process = None
        self.isolation = None
        self.audit = []
        self.log_path = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="nngrade-work-"))
        self.rootdir = tempfile.mkdtemp(prefix="nngrade-root-")  # the sandbox's / is mounted here
        if self.released_dir is not None and self.released_dir.is_dir():
            for item in self.released_dir.iterdir():
                if item.suffix == ".ipynb" or item.name.startswith("."):
                    continue
                destination = self.workdir / item.name
                if item.is_dir():
                    shutil.copytree(item, destination)
                else:
                    shutil.copy2(item, destination)
        for name, data in self.extra_files.items():
            (self.workdir / name).write_bytes(data)
        as_root = os.geteuid() == 0
        if self.isolate and as_root and not self.user_namespace:
            for path in [self.workdir, *self.workdir.rglob("*")]:
                os.chown(path, NOBODY, NOBODY)
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        packages = {}
        nnlib_dir = find_nnlib()
        if nnlib_dir:
            packages["nnlib"] = nnlib_dir
        config = {
            "fd_in": to_child_r,
            "fd_out": from_child_w,
            "workdir": str(self.workdir),
            "rootdir": self.rootdir,
            "isolate": self.isolate,
            "user_namespace": self.user_namespace,
            "python_paths": _python_paths(),
            "packages": packages,
            "memory_bytes": self.limits.memory_bytes,
            "cpu_seconds": self.limits.cpu_seconds,
            "watched": self.watched,
        }
        log = tempfile.NamedTemporaryFile(prefix="nngrade-log-", delete=False)
        self.log_path = log.name
        # One BLAS thread: fair parallel grading, and the worker must be single-threaded to unshare.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            pass_fds=(to_child_r, from_child_w),
            cwd=self.workdir,
            env=env,
            start_new_session=True,
        )
        log.close()
        os.close(to_child_r)
        os.close(from_child_w)
        self._out = os.fdopen(to_child_w, "wb", buffering=0)
        self._in = _DeadlineReader(from_child_r)
        self._in_fd = from_child_r
        header, _ = self._receive(self.limits.startup_seconds)
        self.isolation = header.get("isolation", {"level": "unknown"})
        if self.isolate and self.isolation.get("level") != "full":
            warnings.warn(
                "nngrade: the learner's code is NOT isolated from the file system on this machine "
                f"({self.isolation.get('detail')}); it runs with time and memory limits only. "
                "Grade as root or where user namespaces are allowed for the full sandbox.",
                RuntimeWarning,
                stacklevel=2,
            )
        return self

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.wait()
            for stream in (self._out,):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                os.close(self._in_fd)
            except OSError:
                pass
            self.process = None
        if getattr(self, "workdir", None) is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if getattr(self, "rootdir", None) is not None:
            try:
                os.rmdir(self.rootdir)  # empty on the host: the sandbox's mounts lived in its own namespace
            except OSError:
                pass
            self.rootdir = None
        if self.log_path:
            try:
                os.unlink(self.log_path)
            except OSError:
                pass
            self.log_path = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    # -- messaging --------------------------------------------------------------------------
    def _death(self, timed_out):
        if timed_out:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            return SandboxDied("stopped after running out of time (an endless loop, or much too slow?)", "timeout")
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait()
        tail = ""
        try:
            tail = Path(self.log_path).read_text(errors="replace")[-2000:]
        except OSError:
            pass
        if "MemoryError" in tail or code == -signal.SIGKILL:
            return SandboxDied("the process ran out of memory or was killed", "memory")
        if code == -signal.SIGXCPU:
            return SandboxDied("stopped after using up its CPU time", "timeout")
        if code is not None and code < 0:
            return SandboxDied(f"the process was killed by signal {-code}", "signal")
        return SandboxDied(f"the process exited (exit code {code}) before answering", "exit")

    def _receive(self, seconds):
        self._in.deadline = time.monotonic() + seconds
        try:
            header, blobs = wire.read_message(self._in)
        except TimeoutError:
            raise self._death(True) from None
        except (EOFError, wire.WireError, ValueError, OSError):
            raise self._death(False) from None
        for entry in header.get("audit", []) or []:
            if isinstance(entry, str) and entry not in self.audit:
                self.audit.append(entry)
        return header, blobs

    def _request(self, header, blobs=(), seconds=60.0):
        if not self.alive:
            raise self._death(False)
        try:
            wire.write_message(self._out, header, blobs)
        except (BrokenPipeError, OSError):
            raise self._death(False) from None
        return self._receive(seconds)

    # -- operations -------------------------------------------------------------------------
    def run_cell(self, code, label="cell"):
        """Run one learner cell; returns None, or the error text when the cell raised."""
        header, _ = self._request({"op": "run_cell", "code": code, "label": label},
                                  seconds=self.limits.cell_seconds)
        return header.get("cell_error")

    def call(self, name, args, kwargs):
        """Call the learner's function ``name`` with plain data; returns plain data or raises."""
        tree, blobs = wire.encode([list(args), dict(kwargs)])
        header, reply_blobs = self._request({"op": "call", "name": name, "args": tree}, blobs,
                                            seconds=self.limits.call_seconds)
        if not header.get("ok"):
            raise _rebuild_error(name, header)
        value = wire.decode(header["value"], reply_blobs)
        for category, message in header.get("warnings", []) or []:
            kind = getattr(builtins, str(category), None)
            if isinstance(kind, type) and issubclass(kind, Warning):
                warnings.warn(f"{name}: {message}", kind, stacklevel=3)
        return value

    def describe(self, names):
        """For each name: ("missing" | "callable" | "data" | "other", value or message)."""
        header, blobs = self._request({"op": "describe", "names": list(names)},
                                      seconds=self.limits.call_seconds)
        if not header.get("ok"):
            raise _rebuild_error("describe", header)
        result = {}
        for name, info in header["names"].items():
            kind = info.get("kind")
            if kind == "data":
                result[name] = ("data", wire.decode(info["value"], blobs))
            else:
                result[name] = (kind, info.get("message"))
        return result


_REBUILDABLE = (
    ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, ArithmeticError, OverflowError,
    NameError, AttributeError, NotImplementedError, RuntimeError, AssertionError, LookupError,
    FloatingPointError, RecursionError, MemoryError, UnboundLocalError, StopIteration,
)


def _rebuild_error(name, header):
    """Turn the learner's exception into a grader-side exception built from plain text."""
    etype = header.get("etype", "Exception")
    message = str(header.get("message", ""))
    if header.get("etype") == "WireError":
        return wire.WireError(f"{name} returned {message}")
    if header.get("builtin"):
        for kind in _REBUILDABLE:
            if kind.__name__ == etype:
                return kind(message)
    return LearnerError(f"{name} raised {etype}: {message}")
