"""Learner processes start from a prepared one: the fork server.

Before it runs a cell, a learner's process needs Python, NumPy and IPython: 0.15 s of CPU to start
and import them, half of what grading a whole submission costs. The fork server is a worker
(``_worker.py --fork-server``) that does this once, started with the sandbox's environment (built
from nothing, so without the grader's secret); then it only forks. Each child becomes one sandbox
worker and goes through :func:`_worker.main` exactly as a freshly started worker would: it joins the
submission's control groups, confines itself, and only then runs anything of the learner's. The
server never runs learner code and holds nothing of the course, so what a child inherits from it is
what a fresh worker would have loaded anyway; the child closes the server's socket before anything
else, and the server closes each child's pipes once it has forked it.

The server's children are not the grader's children, so the grader cannot ``waitpid`` them: it
watches each through a pid file descriptor (readable once the process has ended, and immune to the
number being reused) and asks the server, which reaps it, how it ended. One server per grading
process and hash seed (the seed is fixed when an interpreter starts); it ends when the grader closes
its socket or dies.
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

WORKER = Path(__file__).with_name("_worker.py")
MAX_MESSAGE = 1 << 20


class ForkServerFailed(RuntimeError):
    """The fork server did not answer (it died, or overran the start-up time)."""


class ForkServer:
    """The grader's end of one fork server."""

    def __init__(self, env, seconds):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.env = dict(env)
        self.seconds = seconds
        self.process = subprocess.Popen(
            # -s -P: isolated mode (-I) but for -E, so that the environment's PYTHONHASHSEED counts.
            [sys.executable, "-s", "-P", str(WORKER), "--fork-server", str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), env=self.env, start_new_session=True)
        theirs.close()
        self.socket = ours

    def _ask(self, request, fds=()):
        self.socket.settimeout(self.seconds)
        try:
            socket.send_fds(self.socket, [json.dumps(request).encode()], list(fds))
            reply = self.socket.recv(MAX_MESSAGE)
        except OSError as error:  # socket.timeout included
            raise ForkServerFailed(f"the fork server did not answer ({error})") from None
        if not reply:
            raise ForkServerFailed("the fork server has ended")
        return json.loads(reply)

    def start(self, config, fds):
        """Fork one worker for ``config``, handing it the pipe ends ``fds`` (fd_in, fd_out)."""
        pid = self._ask({"op": "start", "config": config}, fds)["pid"]
        return ForkedProcess(self, pid)

    def exit_code(self, pid):
        """How the ended child ``pid`` ended (as ``Popen.returncode``), or None if it runs."""
        return self._ask({"op": "reap", "pid": pid})["code"]

    def stop(self):
        self.socket.close()  # the server reads the end of its socket and leaves
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def alive(self):
        return self.process.poll() is None


class ForkedProcess:
    """One worker forked by the server, with the part of ``subprocess.Popen`` the sandbox uses."""

    def __init__(self, server, pid):
        self.server, self.pid, self.returncode = server, pid, None
        self.pidfd = os.pidfd_open(pid)  # the server reaps only when asked: the number is still ours

    def _ended(self, seconds):
        return bool(select.select([self.pidfd], [], [], seconds)[0])

    def poll(self):
        if self.returncode is None and self._ended(0):
            try:
                self.returncode = self.server.exit_code(self.pid)
            except ForkServerFailed:  # the server died (and took its children along): how is lost
                self.returncode = -signal.SIGKILL
            if self.returncode is not None:
                os.close(self.pidfd)
        return self.returncode

    def wait(self, timeout=None):
        while self.poll() is None:
            if not self._ended(timeout):
                raise subprocess.TimeoutExpired(f"sandbox worker {self.pid}", timeout)
        return self.returncode

    def send_signal(self, signum):
        if self.returncode is None:
            signal.pidfd_send_signal(self.pidfd, signum)


_server = []  # this process's fork server, if it has one


def start(env, config, fds, seconds):
    """A worker for ``config`` forked by this process's server for ``env`` (started when needed).

    A server that died is replaced, once. The caller closes ``fds`` (the server has its own copies).
    """
    for attempt in range(2):
        if not _server or _server[0].env != env or not _server[0].alive:
            stop()  # one at a time: a grading process grades one assignment (one hash seed) at a time
            _server.append(ForkServer(env, seconds))
        try:
            return _server[0].start(config, fds)
        except ForkServerFailed:
            stop()
            if attempt:
                raise


def stop():
    while _server:
        _server.pop().stop()
