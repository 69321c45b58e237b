"""Step 3 of grading a class: judge the pending submissions, several at once, and stop cleanly.

Each submission is judged by :func:`nngrade.engine.judge_submission` in a worker of a process pool
(or in this process with one job). Results are handed back in submission order, whatever order the
workers finish in, so a parallel run records exactly what a serial one does.

Stopping the run stops its workers. Ctrl-C reaches the whole process group, but a worker ignores it:
the parent decides. When the parent stops (Ctrl-C, SIGTERM, an exception) it sends SIGTERM to every
worker, and a worker receiving SIGTERM kills its sandbox and exits. If the grading process dies
without a word (SIGKILL), each worker notices at once: it holds a pidfd of the grading process,
watched by a thread, and the kernel also sends it SIGTERM (``PR_SET_PDEATHSIG``). Workers are spawned
directly by the grading process (not by a forkserver, which would outlive it).
"""

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
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


def _judge(arguments):
    return judge_submission(*arguments)


def judge_all(spec, tasks, context, jobs, finish):
    """Judge every task's submission; call ``finish(task, result)`` in task order.

    ``context`` is ``(released_dir, limits, isolate, watched)``, the same for every submission.
    """
    work = [(spec, task.submission.path, *context) for task in tasks]
    if jobs == 1 or len(tasks) <= 1:
        for task, arguments in zip(tasks, work):
            finish(task, _judge(arguments))
        return
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                                                  initargs=(os.getpid(),),
                                                  mp_context=multiprocessing.get_context("spawn"))
    stopped = True
    try:
        futures = [pool.submit(_judge, arguments) for arguments in work]
        for task, future in zip(tasks, futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 (a lost worker must not stop the class)
                result = SubmissionResult.empty(spec, f"the grading worker failed: {type(error).__name__}: {error}",
                                                "crash", grader_failed=True)
            finish(task, result)
        stopped = False
    finally:
        if stopped:
            _terminate(pool)
        pool.shutdown(wait=not stopped, cancel_futures=True)


def _terminate(pool):
    # ProcessPoolExecutor has no public way to end busy workers before Python 3.14.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
