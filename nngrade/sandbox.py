"""The grader's side of the sandbox: start a confined worker, send it cells and calls, watch the clock.

A :class:`Sandbox` is one learner process (see ``_worker.py``) inside its own namespaces and control
groups. Everything that comes back is decoded by :mod:`nngrade.wire` into fresh plain objects made by
the grader; a learner's object never enters the grader's process.

The learner's code runs in the process that answers, so nothing it says is believed beyond plain
data: each reply must echo the request's random nonce (a stray or out-of-turn message ends the
sandbox), replies are size-capped, every write and read has a deadline (and the submission a total
one), and why a process ended comes from what the grader saw itself: exit status and the control
groups' OOM-kill counts, never the learner's output. If the worker dies or overruns its time,
:class:`SandboxDied` says why and the caller may start a new one; stopping a sandbox ends every
process it started (its PID namespace dies with PID 1, and its control groups are emptied).

Beside this life cycle: the control groups (:mod:`nngrade.cgroups`), reads and writes with a
deadline (:mod:`nngrade.channel`), the host's temporary folders (:mod:`nngrade.scratch`) and the
call backs' helper process (:mod:`nngrade.callbacks`).
"""

import builtins
import compileall
import dataclasses
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from . import callbacks, channel, forkserver, policy, secret, wire
from .cgroups import Cgroups
from .scratch import PREFIX, remove_stale, remove_tree

NOBODY = 65534


@dataclasses.dataclass
class Limits:
    """Resource limits for one submission."""

    cell_seconds: float = 120.0  # wall time for one learner cell
    call_seconds: float = 60.0  # wall time for one call made by a test
    cpu_seconds: int = 900  # CPU time for the whole process
    memory_bytes: int = 4 << 30  # all of the submission's processes together (one process without cgroups)
    startup_seconds: float = 60.0
    submission_seconds: float = 1800.0  # wall time for the whole submission, restarts included
    processes: int = 256  # processes and threads of the submission together (where cgroups allow)
    scratch_bytes: int = 512 << 20  # the learner's folder (its own tmpfs)
    reply_bytes: int = wire.MAX_BLOB_BYTES  # array data in one reply


class SandboxDied(RuntimeError):
    """The learner's process ended or overran its time limit before answering."""

    def __init__(self, reason, kind):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # "timeout", "exit", "signal", "memory", "protocol"


class ConfinementFailed(SandboxDied):
    """The sandbox could not be built: no learner code ran, and none may run unconfined."""

    def __init__(self, reason):
        super().__init__(reason, "environment")


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


@functools.cache
def compile_once(package_dir):
    """Write the package's bytecode where it is missing or stale, once per grading process.

    The sandbox cannot write it (its view of nnlib is read-only), so without this every submission
    compiles nnlib's 44 modules again: 0.08 s of CPU each, where the environment says not to write
    bytecode (PYTHONDONTWRITEBYTECODE) or nnlib is a checkout nothing has imported yet. pip does the
    same when it installs a wheel. A folder the grader may not write keeps its old state. The hidden
    modules' compiled copies are covered in the sandbox like their sources (see ``_worker._hide``).
    """
    compileall.compile_dir(package_dir, quiet=2)


class Sandbox:
    """One confined learner process holding the learner's namespace between calls."""

    def __init__(self, released_dir=None, limits=None, isolate=True, watched=(),
                 user_namespace=False, hidden=(), deadline=None, assignment=None):
        self.user_namespace = user_namespace  # the unprivileged recipe, also when running as root
        self.limits = limits or Limits()
        self.isolate = isolate
        self.released_dir = Path(released_dir) if released_dir else None
        self.watched = [str(w) for w in watched if str(w)]
        self.hidden = list(hidden)  # nnlib modules this assignment asks the learner to write
        self.assignment = assignment
        # Where the learner's process starts its random generators (and string hashing): the same
        # for every submission of the assignment, so the same notebook always gets the same grade.
        self.seed = secret.seed_for(assignment or "")
        # A monotonic-clock deadline for the whole submission (shared by its restarts), or None.
        self.deadline = deadline
        self.process = None
        self.helper = callbacks.Helper(self.limits)
        self.isolation = None
        self.audit = []
        self.base = None
        self.cgroups = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self):
        try:
            return self._start()
        except BaseException:
            self.stop()  # a sandbox that could not start leaves nothing behind either
            raise

    def _start(self):
        if not _STALE_CHECKED:
            _STALE_CHECKED.append(True)  # once per grading process
            remove_stale()
            if os.geteuid() == 0:
                Cgroups.remove_stale()
        if self.deadline is None:
            self.deadline = time.monotonic() + self.limits.submission_seconds
        # One folder per sandbox, named after this process: a killed run's leftovers are found later.
        self.base = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self.workdir = self.base / "work"
        self.rootdir = self.base / "root"  # the sandbox's / is mounted here (in its own namespace)
        self.workdir.mkdir()
        self.rootdir.mkdir()
        os.chmod(self.base, 0o755)
        if self.released_dir is not None and self.released_dir.is_dir():
            for item in self.released_dir.iterdir():
                if item.suffix == ".ipynb" or item.name.startswith("."):
                    continue
                destination = self.workdir / item.name
                if item.is_dir():
                    shutil.copytree(item, destination)
                else:
                    shutil.copy2(item, destination)
        self.cgroups = Cgroups(self.limits, self.base.name) if os.geteuid() == 0 else None
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        packages = {}
        nnlib_dir = find_nnlib()
        if nnlib_dir:
            packages["nnlib"] = nnlib_dir
            compile_once(nnlib_dir)
        python_paths = _python_paths()
        overlays, empty = {}, None
        if self.hidden and nnlib_dir:
            stubs = self.base / "hidden"
            stubs.mkdir()
            overlays = policy.write_stubs(nnlib_dir, self.hidden, stubs, self.assignment)
            empty = stubs / "empty"  # what the hidden modules' compiled copies read as
            empty.touch(0o644)
        copies = sorted({os.path.join(p, "nnlib") for p in python_paths
                         if os.path.isdir(os.path.join(p, "nnlib"))}
                        | ({nnlib_dir} if nnlib_dir and any(nnlib_dir.startswith(p + "/") for p in python_paths)
                           else set()))
        self.nonce = os.urandom(16).hex()
        config = {
            "nonce": self.nonce,
            "workdir": str(self.workdir),
            "rootdir": str(self.rootdir),
            "isolate": self.isolate,
            "user_namespace": self.user_namespace,
            "python_paths": python_paths,
            "packages": packages,
            "overlays": overlays,
            "empty": str(empty) if empty else None,
            "nnlib_copies": copies,
            "memory_bytes": self.limits.memory_bytes,
            "cpu_seconds": self.limits.cpu_seconds,
            "scratch_bytes": self.limits.scratch_bytes,
            "reply_bytes": self.limits.reply_bytes,
            "cgroups": self.cgroups.folders() if self.cgroups else [],
            "cgroups_limit": bool(self.cgroups and self.cgroups.limited),
            "seed": self.seed,
            "watched": self.watched,
        }
        # One BLAS thread: fair parallel grading, and the worker must be single-threaded to unshare.
        # Built from nothing: the grader's environment (its secret, PYTHONOPTIMIZE, ...) stays here.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": str(self.seed % (1 << 32))}
        # The learner's output goes nowhere (a log on the host's disk would be a way to fill it): the
        # fork server's standard streams are /dev/null, and each worker is its own session.
        try:
            self.process = forkserver.start(env, config, (to_child_r, from_child_w), self.limits.startup_seconds)
        except forkserver.ForkServerFailed as error:
            raise ConfinementFailed(f"the sandbox could not be started ({error}); no learner code ran") from None
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        os.set_blocking(to_child_w, False)
        self._out_fd = to_child_w
        self._in = channel.DeadlineReader(from_child_r)
        self._in_fd = from_child_r
        header, _ = self._receive(self.limits.startup_seconds, self.nonce)
        self.isolation = header.get("isolation", {"level": "unknown"})
        if not isinstance(self.isolation, dict):
            self.isolation = {"level": "unknown"}
        # "user-only" is what the caller asked for where containers refuse namespaces (Gradescope).
        held = ("full", "user-only") if self.isolate == "user" else ("full",)
        if self.isolate and self.isolation.get("level") not in held:
            raise ConfinementFailed(f"the sandbox could not be built ({self.isolation.get('detail')}); no "
                                    "learner code ran. Grade as root or where user namespaces are allowed")
        return self

    def _kill(self):
        """End everything the submission started: PID 1 of its namespace, then its control groups."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)  # the supervisor kills the namespace's PID 1
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.cgroups is not None:
            self.cgroups.kill()
        self.process.wait()

    def stop(self):
        self.helper.stop()
        if self.process is not None:
            self._kill()
            for fd in (self._out_fd, self._in_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.process = None
        if self.cgroups is not None:
            self.cgroups.remove()
            self.cgroups = None
        if self.base is not None:
            remove_tree(self.base)  # work, root (empty on the host) and the stubs
            self.base = self.workdir = self.rootdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    # -- messaging --------------------------------------------------------------------------
    def _death(self, cause):
        """Stop the process; say why from what the grader saw itself (never from the learner's words)."""
        oom = self.cgroups.oom_kills() if self.cgroups is not None else 0
        if cause is None and self.process.poll() is None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        code = self.process.poll()
        self._kill()
        if oom:
            gigabytes = self.limits.memory_bytes / (1 << 30)
            return SandboxDied(f"went over the memory limit ({gigabytes:g} GB for all of the submission's "
                               "processes together) and was stopped", "memory")
        if cause == "timeout":
            return SandboxDied("stopped after running out of time (an endless loop, or much too slow?)", "timeout")
        if cause == "submission":
            return SandboxDied(f"stopped: the submission used up its total time "
                               f"({self.limits.submission_seconds:g} s)", "timeout")
        if cause is not None:
            return SandboxDied(f"was stopped because it wrote on the grader's channel ({cause})", "protocol")
        if code == -signal.SIGXCPU:
            return SandboxDied("stopped after using up its CPU time", "timeout")
        if code is not None and code < 0:
            return SandboxDied(f"the process was killed by signal {-code}", "signal")
        return SandboxDied(f"the process exited (exit code {code}) before answering", "exit")

    def _deadline(self, seconds):
        """(deadline, what it stands for) for one exchange: its own limit or the submission's."""
        own = time.monotonic() + seconds
        if self.deadline is not None and self.deadline < own:
            return self.deadline, "submission"
        return own, "timeout"

    def _receive(self, seconds, nonce):
        deadline, cause = self._deadline(seconds)
        self._in.deadline = deadline
        try:
            header, blobs = wire.read_message(self._in, max_blobs=self.limits.reply_bytes)
        except TimeoutError:
            raise self._death(cause) from None
        except wire.MessageTooLarge as error:
            if self.cgroups is not None and self.cgroups.oom_kills():
                raise self._death(None) from None
            raise wire.WireError(f"a reply too large to accept: {error}") from None
        except wire.WireError as error:
            raise self._death(f"a malformed message: {error}") from None
        except (EOFError, ValueError, OSError):
            raise self._death(None) from None
        if header.get("nonce") != nonce:
            raise self._death("a message that does not answer the grader's request")
        self._observe(header.get("observed"))
        if self.cgroups is not None and self.cgroups.oom_kills():
            raise self._death(None)  # one of its processes was killed for memory: the submission ends
        return header, blobs

    def _observe(self, entries):
        """Keep what the learner's process reports it saw its code do (see ``_worker.Observer``):
        [kind, detail] pairs of two known kinds, capped; anything else is ignored."""
        if not isinstance(entries, list):
            return
        for entry in entries[:50]:
            if (isinstance(entry, list) and len(entry) == 2 and entry[0] in ("course-access", "tampering")
                    and isinstance(entry[1], str) and len(self.audit) < 50):
                pair = (entry[0], entry[1][:400])
                if pair not in self.audit:
                    self.audit.append(pair)

    def _send(self, header, blobs, deadline, cause):
        outbox = channel.Outbox()
        wire.write_message(outbox, header, blobs)
        try:
            channel.write_all(self._out_fd, outbox.data, deadline)
        except TimeoutError:
            raise self._death(cause) from None
        except OSError:
            raise self._death(None) from None

    def _request(self, header, blobs=(), seconds=60.0, kept=()):
        """Send one request and return its reply, answering the learner's calls of ``kept`` functions."""
        if not self.alive:
            raise self._death(None)
        nonce = os.urandom(16).hex()
        deadline, cause = self._deadline(seconds)
        self._send(dict(header, nonce=nonce), blobs, deadline, cause)
        for _ in range(MAX_CALLBACKS + 1):
            reply, reply_blobs = self._receive(max(0.0, deadline - time.monotonic()), nonce)
            if reply.get("op") != "callback":
                return reply, reply_blobs
            try:
                if any(callable(entry) for entry in kept):  # test-cell functions live in this process only
                    answer, answer_blobs = callbacks.run_forked(kept, reply, reply_blobs, self.limits, deadline)
                else:
                    answer, answer_blobs = self.helper.answer(reply, reply_blobs, kept, deadline)
            except callbacks.CallbackTimeout:
                raise self._death(cause) from None
            self._send(dict(answer, nonce=nonce), answer_blobs, deadline, cause)
        raise self._death(f"more than {MAX_CALLBACKS} calls of nnlib functions in one call")

    # -- operations -------------------------------------------------------------------------
    def run_cell(self, code, label="cell"):
        """Run one learner cell; returns None, or the error text when the cell raised."""
        header, _ = self._request({"op": "run_cell", "code": code, "label": label},
                                  seconds=self.limits.cell_seconds)
        error = header.get("cell_error")
        return None if error is None else str(error)

    def call(self, name, args, kwargs):
        """Call the learner's function ``name`` with plain data; returns plain data or raises.

        Functions that a test passes as arguments (reference implementations of the other parts,
        written in the test cell, and nnlib's own where the assignment hides them, see
        :mod:`nngrade.policy`) stay with the grader: the learner's process calls back for them, during
        this call only, and they run in a limited helper process (:mod:`nngrade.callbacks`).
        """
        kept = []

        def keep(reference):
            if callable(reference):  # a reference piece written in a test cell: always the grader's
                kept.append(reference)
                return len(kept) - 1
            module, qualname = reference
            if not self.hidden or module.split(".")[0] != "nnlib":
                return None
            wire.resolve_reference(module, qualname)  # refused here already if it is not allowed
            kept.append((module, qualname))
            return len(kept) - 1

        tree, blobs = wire.encode([list(args), dict(kwargs)], grader=keep)
        try:
            header, reply_blobs = self._request({"op": "call", "name": name, "args": tree}, blobs,
                                                seconds=self.limits.call_seconds, kept=kept)
        except wire.WireError as error:
            raise wire.WireError(f"{name}(...): {error}") from None
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
        for name in names:
            info = header["names"].get(name) if isinstance(header.get("names"), dict) else None
            if not isinstance(info, dict):
                raise wire.WireError("malformed data from the other side")
            kind = info.get("kind")
            if kind == "data":
                offset = info.get("offset", 0)
                if type(offset) is not int or not 0 <= offset <= len(blobs):
                    raise wire.WireError("malformed data from the other side")
                result[name] = ("data", wire.decode(info["value"], blobs[offset:]))
            elif kind in ("missing", "callable", "other"):
                result[name] = (kind, str(info.get("message", "")))
            else:
                raise wire.WireError("malformed data from the other side")
        return result


MAX_CALLBACKS = 100_000
_STALE_CHECKED = []


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
