"""Step 3 of grading a class: judge the pending submissions, several at once, and stop cleanly.

Each submission is judged by :func:`nngrade.engine.judge_submission` in a worker of a process pool
(or in this process with one job). Results are handed back in submission order, whatever order the
workers finish in, so a parallel run records exactly what a serial one does.

Stopping the run stops its workers. Ctrl-C reaches the whole process group, but a worker ignores it:
the parent decides. When the parent stops (Ctrl-C, SIGTERM, an exception) it sends SIGTERM to every
worker, and a worker receiving SIGTERM kills its sandbox and exits. A worker also gets SIGTERM from
the kernel when its parent process dies (``PR_SET_PDEATHSIG``; the pool's parent is the forkserver,
which exits as soon as the grading process is gone, even after SIGKILL).
"""

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal

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


def _worker_init():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_worker)
    parent = os.getppid()
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request was in place
        _end_worker(signal.SIGTERM, None)


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
                                                  mp_context=multiprocessing.get_context("forkserver"))
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
