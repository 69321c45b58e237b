"""Step 3 of grading a class: judge the pending submissions, several at once, and stop cleanly.

Each submission is judged by :func:`nngrade.engine.judge_submission` in a worker process (one job
or many), with a memory limit of its own and a watchdog; a worker lost on the way is replaced and its
submission judged again once. Results are handed back in submission order, whatever order the
workers finish in, so a parallel run records exactly what a serial one does.

Stopping the run stops its workers. Ctrl-C reaches the whole process group, but a worker ignores it:
the parent decides. When the parent stops (Ctrl-C, SIGTERM, an exception) it sends SIGTERM to every
worker, and a worker receiving SIGTERM kills its sandbox and exits. If the grading process dies
without a word (SIGKILL), each worker notices at once: it holds a pidfd of the grading process,
watched by a thread, and the kernel also sends it SIGTERM (``PR_SET_PDEATHSIG``). Workers are spawned
directly by the grading process (not by a forkserver, which would outlive it).
"""

import collections
import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import resource
import select
import signal
import threading
import time

from .engine import judge_submission, stop_running_sandboxes
from .result import SubmissionResult

PR_SET_PDEATHSIG = 1


class Stopped(BaseException):
    """Grading was asked to stop (SIGTERM, SIGHUP); like ``KeyboardInterrupt``, not an ``Exception``."""

    def __init__(self, signum):
        super().__init__(f"stopped by signal {signal.Signals(signum).name}")
        self.signum = signum


@contextlib.contextmanager
def stop_on_signals():
    """While grading: SIGTERM and SIGHUP raise :class:`Stopped`, so every ``finally`` runs."""
    def handler(signum, frame):
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _end_worker(signum, frame):
    stop_running_sandboxes()
    os._exit(128 + signum)


def _worker_init(grader_pid):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_worker)
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        watched = os.pidfd_open(grader_pid)
    except (OSError, AttributeError):  # the grading process is already gone
        _end_worker(signal.SIGTERM, None)
    threading.Thread(target=_watch, args=(watched,), daemon=True).start()


def _watch(pidfd):
    """Wait for the grading process to end, then end this worker the way SIGTERM does."""
    select.select([pidfd], [], [])
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)  # the handler runs in the main thread; if it cannot, leave anyway
    os._exit(1)


# The grader's own memory while it judges one submission, above what the learner may use: test
# code turning a learner's (size-capped) reply into something huge fails with MemoryError in the
# worker, not in the machine.
GRADER_MEMORY_BYTES = 3 << 30
# How long past the submission's own time limit a worker may stay silent before it is replaced.
WATCHDOG_GRACE_SECONDS = 120.0


class _Worker:
    """One process judging one submission at a time (spawned: nothing inherited from the grader)."""

    def __init__(self, context, grader_pid, memory_bytes):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, grader_pid, memory_bytes), daemon=True)
        self.process.start()
        theirs.close()
        self.index = None  # the task it is judging
        self.deadline = None  # its watchdog

    def give(self, index, arguments, seconds):
        self.index, self.deadline = index, time.monotonic() + seconds
        self.conn.send(arguments)

    def end(self):
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: the worker stops its sandbox first (see _end_worker)
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)
        self.conn.close()


def _serve(conn, grader_pid, memory_bytes):
    _worker_init(grader_pid)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            arguments = conn.recv()
        except EOFError:
            return
        conn.send(judge_submission(*arguments))


def judge_all(spec, tasks, context, jobs, finish, deadline=None):
    """Judge every task's submission; call ``finish(task, result)`` in task order.

    ``context`` is ``(released_dir, limits, isolate, watched)``, the same for every submission.
    Each submission is judged in a worker process whose memory is limited; every wait has a
    timeout. A worker that dies is replaced and its submission judged once more; a worker silent
    past the submission's time limit (the watchdog) is replaced and the submission flagged
    ``timeout``. ``deadline`` (``time.monotonic()``) is the class's time budget: what is not judged
    by then is reported, not recorded, and judged on the next run.
    """
    limits = context[1]
    watchdog = limits.submission_seconds + limits.startup_seconds + WATCHDOG_GRACE_SECONDS
    memory = limits.memory_bytes + GRADER_MEMORY_BYTES
    mp = multiprocessing.get_context("spawn")
    queue, results, losses, workers = collections.deque(range(len(tasks))), {}, collections.Counter(), []
    done = 0
    try:
        while done < len(tasks):
            if deadline is not None and time.monotonic() >= deadline:
                for worker in [w for w in workers if w.index is not None]:
                    queue.appendleft(worker.index)
                    worker.end()
                    workers.remove(worker)
                while queue:
                    results[queue.popleft()] = SubmissionResult.empty(
                        spec, "the class's time budget ran out before this submission was judged; run "
                        "again to judge the rest", "timeout", grader_failed=True)
            for worker in [w for w in workers if w.index is None]:
                if queue:
                    index = queue.popleft()
                    worker.give(index, (spec, tasks[index].submission.path, *context), watchdog)
            while queue and len(workers) < max(1, jobs):
                worker = _Worker(mp, os.getpid(), memory)
                workers.append(worker)
                index = queue.popleft()
                worker.give(index, (spec, tasks[index].submission.path, *context), watchdog)
            while done in results:
                finish(tasks[done], results.pop(done))
                done += 1
            busy = [w for w in workers if w.index is not None]
            if not busy:
                continue
            wake = min(w.deadline for w in busy)
            if deadline is not None:
                wake = min(wake, deadline)
            ready = multiprocessing.connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                                                    timeout=max(0.0, wake - time.monotonic()))
            for worker in busy:
                result = None
                if worker.conn in ready:
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        result = None
                elif worker.process.sentinel not in ready and time.monotonic() < worker.deadline:
                    continue  # still judging
                index = worker.index
                worker.index = None
                if result is not None:
                    results[index] = result
                    continue
                worker.end()
                workers.remove(worker)
                if time.monotonic() >= worker.deadline:
                    results[index] = SubmissionResult.empty(
                        spec, f"judging took longer than {watchdog:g} s in all (the watchdog stopped it)",
                        "timeout")
                    continue
                losses[index] += 1
                if losses[index] < 2:
                    queue.appendleft(index)  # a lost worker: judged once more, by a new one
                else:
                    results[index] = SubmissionResult.empty(
                        spec, "the grading worker was lost twice while judging this submission (out of "
                        "the grader's memory?)", "crash", grader_failed=True)
    finally:
        for worker in workers:
            worker.end()
