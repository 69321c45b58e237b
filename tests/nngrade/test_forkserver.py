"""Learner processes forked from a prepared one: nothing of the server, or of an earlier learner,
reaches the next; a server that dies is replaced; how a process ended still comes from the grader's
own observation."""

import os
import signal

import pytest

from nngrade import forkserver
from nngrade.sandbox import Sandbox, SandboxDied

from .conftest import LIMITS, TEST_SECRET

OPEN_FILES = ("import os, stat\n"  # no /proc in the sandbox: ask each descriptor number
              "def open_files():\n"
              "    kinds = []\n"
              "    for fd in range(4096):\n"
              "        try:\n            mode = os.fstat(fd).st_mode\n"
              "        except OSError:\n            continue\n"
              "        kinds.append('socket' if stat.S_ISSOCK(mode) else 'pipe' if stat.S_ISFIFO(mode) else 'other')\n"
              "    return sorted(kinds)\n")


def server_pid():
    (server,) = forkserver._server
    return server.process.pid


def test_the_learner_holds_no_socket_and_only_its_own_pipes():
    """The server's socket (which could ask for an unconfined process) is closed before the
    worker confines itself, and each worker gets only its own two pipes."""
    seen = []
    for _ in range(3):  # the third learner must not hold the first two's pipes
        with Sandbox(limits=LIMITS) as box:
            box.run_cell(OPEN_FILES)
            seen.append(box.call("open_files", [], {}))
    assert all("socket" not in files for files in seen), seen
    assert seen[0] == seen[1] == seen[2]
    assert seen[0].count("pipe") == 2


def test_what_one_learner_changes_in_the_loaded_modules_is_gone_for_the_next():
    with Sandbox(limits=LIMITS) as first:
        first.run_cell("import numpy, IPython\nnumpy.mean = lambda *a, **k: 42.0\nIPython.marker = 'left'")
        first.run_cell("def mean():\n    return numpy.mean([1.0, 3.0])")
        assert first.call("mean", [], {}) == 42.0
    with Sandbox(limits=LIMITS) as second:
        second.run_cell("import numpy, IPython\n"
                        "def state():\n    return [numpy.mean([1.0, 3.0]), hasattr(IPython, 'marker')]")
        assert second.call("state", [], {}) == [2.0, False]


def test_the_server_has_the_sandbox_environment_not_the_grader_s():
    assert os.environ["NNGRADE_SECRET"] == TEST_SECRET  # the grader's (see conftest)
    with Sandbox(limits=LIMITS):
        environment = open(f"/proc/{server_pid()}/environ", "rb").read()
    assert TEST_SECRET.encode() not in environment and b"NNGRADE" not in environment
    assert b"PYTHONHASHSEED=" in environment and b"OPENBLAS_NUM_THREADS=1" in environment


def test_a_server_that_died_is_replaced_and_its_running_learner_is_reported_dead():
    with Sandbox(limits=LIMITS) as box:
        box.run_cell("x = 1")
        os.kill(server_pid(), signal.SIGKILL)
        with pytest.raises(SandboxDied) as died:  # its learner dies with it, and the grader says so
            box.run_cell("import time\ntime.sleep(2)")  # (within the 3 s cell limit: no timeout)
        assert died.value.kind in ("signal", "exit")
    with Sandbox(limits=LIMITS) as box:  # the next submission gets a new server
        box.run_cell("def one():\n    return 1")
        assert box.call("one", [], {}) == 1


def test_each_hash_seed_has_its_server():
    """The hash seed is fixed when an interpreter starts: another assignment needs another server."""
    with Sandbox(limits=LIMITS, assignment="activations") as box:
        box.run_cell("def h():\n    return hash('abc')")
        first, first_server = box.call("h", [], {}), server_pid()
    with Sandbox(limits=LIMITS, assignment="losses") as box:
        box.run_cell("def h():\n    return hash('abc')")
        assert box.call("h", [], {}) != first and server_pid() != first_server
    with pytest.raises(ProcessLookupError):
        os.kill(first_server, 0)  # the first one was stopped (and reaped), not left behind
