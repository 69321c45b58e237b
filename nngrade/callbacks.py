"""Call backs: the grader's nnlib functions, run for the learner in a limited helper process.

Where an assignment hides nnlib modules (see :mod:`nngrade.policy`), a test may still hand one of
their functions to the learner's code (nnlib's ``sigmoid`` to the learner's ``tanh``). The function
stays with the grader and the learner's process calls back for it, with arguments it chooses. That
work must not run in the grader's own process, where it would escape every limit (5 million rows
through ``train_epoch``, a 15000-wide gradient asking for gigabytes): it runs here, in a helper
started for the submission's first call back, with the submission's memory limit (address space)
and the call's deadline. A helper past its deadline is killed and the next call back starts another.

Protocol (the same framed messages as the sandbox, :mod:`nngrade.wire`): the grader sends
``{"refs": [[module, qualname], ...], "i": index, "args": tree}`` and the helper answers
``{"ok": True, "value": tree}`` or ``{"ok": False, "etype": name, "message": text}``.
"""

import os
import resource
import select
import subprocess
import sys
import time
import warnings

from . import wire


class CallbackTimeout(Exception):
    """The helper did not answer before the call's deadline (it has been killed)."""


class Helper:
    """The grader's side: one helper process, started when first needed."""

    def __init__(self, limits):
        self.limits = limits
        self.process = None

    def _start(self):
        # An environment of its own (no course secret), and one BLAS thread like the sandbox.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-s", "-c", "from nngrade.callbacks import serve; serve()",
             str(self.limits.memory_bytes), str(self.limits.reply_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def answer(self, header, blobs, refs, deadline):
        """The reply to the learner's call back ``header`` (with ``blobs``); raises CallbackTimeout."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        request = {"refs": [list(ref) for ref in refs], "i": header.get("i"), "args": header.get("args")}
        try:
            wire.write_message(self.process.stdin, request, blobs)
            self.process.stdin.flush()
            reader = _Deadline(self.process.stdout.fileno(), deadline)
            return wire.read_message(reader, max_blobs=self.limits.reply_bytes + (1 << 20))
        except TimeoutError:
            self.stop()
            raise CallbackTimeout from None
        except (OSError, EOFError, ValueError, wire.WireError):
            code = self.process.poll()
            self.stop()
            return {"ok": False, "etype": "MemoryError" if code is None or code < 0 else "RuntimeError",
                    "message": "the nnlib function could not finish (over the memory limit?)"}, []

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.process = None


class _Deadline:
    def __init__(self, fd, deadline):
        self.fd, self.deadline = fd, deadline

    def read(self, count):
        ready, _, _ = select.select([self.fd], [], [], max(0.0, self.deadline - time.monotonic()))
        if not ready:
            raise TimeoutError
        return os.read(self.fd, min(count, 1 << 20))


def serve():
    """The helper's side: answer call backs until the grader closes the pipe."""
    memory, max_bytes = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            header, blobs = wire.read_message(inbox)
        except (EOFError, wire.WireError):
            return
        wire.write_message(outbox, *_run(header, blobs, max_bytes))
        outbox.flush()


def _run(header, blobs, max_bytes):
    try:
        kept = [wire.resolve_reference(*ref) for ref in header["refs"]]
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
        builtin = next(kind for kind in type(error).__mro__ if kind.__module__ == "builtins")
        return {"ok": False, "etype": builtin.__name__, "message": str(error)[:2000]}, []
