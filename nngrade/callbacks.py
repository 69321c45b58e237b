"""Call backs: the grader's functions, run for the learner in a limited helper process.

Where an assignment hides nnlib modules (see :mod:`nngrade.policy`), a test may still hand one of
their functions to the learner's code (nnlib's ``sigmoid`` to the learner's ``tanh``). The function
stays with the grader and the learner's process calls back for it, with arguments it chooses. That
work must not run in the grader's own process, where it would escape every limit (5 million rows
through ``train_epoch``, a 15000-wide gradient asking for gigabytes): it runs here, in a helper
forked from the grader for the submission's first call back, with the submission's memory limit
(address space, on top of what the grader already used) and the call's deadline. A helper past its
deadline is killed and the next call back starts another.

Forked, not started afresh: a new interpreter importing NumPy and nnlib cost 0.2 s of CPU per
submission, as much as the learner's own process. The helper runs only the grader's nnlib functions
(the references the grader handed over, resolved by :func:`nngrade.wire.resolve_reference`) on plain
data the learner chose; no learner code ever runs in it, so the grader's memory it shares is safe.

Protocol (the same framed messages as the sandbox, :mod:`nngrade.wire`): the grader sends
``{"refs": [[module, qualname], ...], "i": index, "args": tree}`` and the helper answers
``{"ok": True, "value": tree}`` or ``{"ok": False, "etype": name, "message": text}``.
"""

import os
import resource
import select
import signal
import time
import warnings

from . import wire


class CallbackTimeout(Exception):
    """The helper did not answer before the call's deadline (it has been killed)."""


class Helper:
    """The grader's side: one helper process, started when first needed."""

    def __init__(self, limits):
        self.limits = limits
        self.pid = None

    def _start(self):
        to_helper, inbox = os.pipe()
        outbox, from_helper = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: serve, then leave without running the grader's exit code
            try:
                os.close(inbox)
                os.close(outbox)
                _become_helper(self.limits.memory_bytes)
                serve(os.fdopen(to_helper, "rb"), os.fdopen(from_helper, "wb"), self.limits.reply_bytes)
            finally:
                os._exit(0)
        os.close(to_helper)
        os.close(from_helper)
        self.pid, self.code = pid, None
        self.inbox, self.outbox = os.fdopen(inbox, "wb"), outbox

    def _ended(self):
        """The helper's exit code (negative: the signal that killed it), or None while it runs."""
        if self.code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
        return self.code

    def answer(self, header, blobs, refs, deadline):
        """The reply to the learner's call back ``header`` (with ``blobs``); raises CallbackTimeout."""
        if self.pid is None or self._ended() is not None:
            self.stop()
            self._start()
        request = {"refs": [list(ref) for ref in refs], "i": header.get("i"), "args": header.get("args")}
        try:
            wire.write_message(self.inbox, request, blobs)
            self.inbox.flush()
            return wire.read_message(_Deadline(self.outbox, deadline), max_blobs=self.limits.reply_bytes + (1 << 20))
        except TimeoutError:
            self.stop()
            raise CallbackTimeout from None
        except (OSError, EOFError, ValueError, wire.WireError):
            code = self._ended()
            self.stop()
            return {"ok": False, "etype": "MemoryError" if code is None or code < 0 else "RuntimeError",
                    "message": "the nnlib function could not finish (over the memory limit?)"}, []

    def stop(self):
        if self.pid is None:
            return
        if self._ended() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        for end in (self.inbox.close, lambda: os.close(self.outbox)):
            try:
                end()
            except OSError:
                pass
        self.pid = None


class _Deadline:
    def __init__(self, fd, deadline):
        self.fd, self.deadline = fd, deadline

    def read(self, count):
        ready, _, _ = select.select([self.fd], [], [], max(0.0, self.deadline - time.monotonic()))
        if not ready:
            raise TimeoutError
        return os.read(self.fd, min(count, 1 << 20))


def _become_helper(extra):
    """In a child just forked from the grader: the grader's signal handlers (which stop its
    sandboxes) are not ours, and the address space is limited to what it already uses plus
    ``extra`` bytes."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + extra, used + extra))


def serve(inbox, outbox, max_bytes):
    """The helper's side: answer call backs until the grader closes the pipe."""
    while True:
        try:
            header, blobs = wire.read_message(inbox)
        except (EOFError, wire.WireError):
            return
        wire.write_message(outbox, *_run(header, blobs, max_bytes))
        outbox.flush()


def run_forked(kept, header, blobs, limits, deadline):
    """The reply to a call back when the call handed over functions written in the course's test cells.

    Those exist only in the grader's process (the test cell defined them there), so the helper above
    cannot import them: a child forked from the grader runs the call instead, holding the same
    objects, with the submission's memory limit on top of what the grader already uses, and killed at
    the call's deadline (:class:`CallbackTimeout`). ``kept`` holds those functions and
    ``(module, qualname)`` references of nnlib's, which the child resolves itself.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send the reply, and leave without running the grader's exit code
        try:
            os.close(read_fd)
            _become_helper(limits.memory_bytes)
            functions = [ref if callable(ref) else wire.resolve_reference(*ref) for ref in kept]
            with os.fdopen(write_fd, "wb") as out:
                wire.write_message(out, *_call(functions, header, blobs, limits.reply_bytes))
        finally:
            os._exit(0)
    os.close(write_fd)
    try:
        return wire.read_message(_Deadline(read_fd, deadline), max_blobs=limits.reply_bytes + (1 << 20))
    except TimeoutError:
        raise CallbackTimeout from None
    except (OSError, EOFError, ValueError, wire.WireError):
        return {"ok": False, "etype": "MemoryError",
                "message": "the course's function could not finish (over the memory limit?)"}, []
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _run(header, blobs, max_bytes):
    try:
        kept = [wire.resolve_reference(*ref) for ref in header["refs"]]
    except Exception as error:  # noqa: BLE001 (reported to the learner's process as its error)
        return _failure(error)
    return _call(kept, header, blobs, max_bytes)


def _call(kept, header, blobs, max_bytes):
    """Run the kept function the call back names on its decoded arguments; the reply to send."""
    try:
        index = header.get("i")
        if type(index) is not int or not 0 <= index < len(kept):
            raise wire.WireError("a call back to a function that this call did not hand over")

        def own(kept_index):  # a kept function of this very call, handed back: the grader's own object
            if not 0 <= kept_index < len(kept):
                raise wire.WireError("a call back to a function that this call did not hand over")
            return kept[kept_index]

        args, kwargs = wire.decode(header.get("args"), blobs, grader=own)
        if type(args) is not list or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
            raise wire.WireError("malformed data from the other side")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree, answer_blobs = wire.encode(kept[index](*args, **kwargs), max_bytes=max_bytes)
        return {"ok": True, "value": tree}, answer_blobs
    except Exception as error:  # noqa: BLE001 (reported to the learner's process as its error)
        return _failure(error)


def _failure(error):
    builtin = next(kind for kind in type(error).__mro__ if kind.__module__ == "builtins")
    return {"ok": False, "etype": builtin.__name__, "message": str(error)[:2000]}, []
