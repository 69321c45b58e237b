"""The learner's process: no view of the course folder, no network, limits, and crash reports."""

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from nngrade.sandbox import Limits, Sandbox, SandboxDied

COURSE = __file__.rsplit("/tests/", 1)[0]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=Limits(cell_seconds=5, call_seconds=5, memory_bytes=2 << 30),
                 watched=[COURSE]) as box:
        yield box


def test_isolation_held_on_this_machine(sandbox):
    assert sandbox.isolation["level"] == "full", sandbox.isolation


def test_the_course_folder_and_network_are_out_of_reach(sandbox):
    code = (
        "import os, socket\n"
        f"hidden = not os.path.exists({COURSE + '/nngrade'!r}) and not os.path.exists({COURSE + '/tests'!r})\n"
        f"try:\n    os.listdir({COURSE + '/solutions'!r})\nexcept OSError:\n    pass\n"
        "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n    offline = False\n"
        "except OSError:\n    offline = True\n"
        "def report():\n    return [hidden, offline, os.getuid() != 0]\n"
    )
    assert sandbox.run_cell(code) is None
    assert sandbox.call("report", [], {}) == [True, True, True]
    assert ("course-access", f"tried to open {COURSE}/solutions") in sandbox.audit


def test_learner_errors_come_back_as_builtin_exceptions_with_their_message(sandbox):
    sandbox.run_cell("def picky(x):\n    raise ValueError(f'x must be positive, got {x}')")
    with pytest.raises(ValueError, match="x must be positive, got -1"):
        sandbox.call("picky", [-1], {})
    assert sandbox.run_cell("1 / 0").startswith("ZeroDivisionError")


def test_numpy_results_cross_unchanged(sandbox):
    sandbox.run_cell("import numpy as np\ndef square(x):\n    return np.asarray(x) ** 2")
    np.testing.assert_array_equal(sandbox.call("square", [np.arange(4)], {}), [0, 1, 4, 9])


def test_an_endless_loop_and_an_exit_are_reported_as_deaths():
    with Sandbox(limits=Limits(cell_seconds=1)) as box:
        with pytest.raises(SandboxDied) as died:
            box.run_cell("while True:\n    pass")
        assert died.value.kind == "timeout"
    with Sandbox() as box:
        with pytest.raises(SandboxDied) as died:
            box.run_cell("import os\nos._exit(7)")
        assert "exit code 7" in died.value.reason


@pytest.mark.parametrize("how", ["learner process killed", "grader stops it"])
def test_the_supervisor_ends_with_the_learner_s_process(how):
    """The process outside the namespace passes on its child's death and exits by itself: it
    never goes on to read the grader's requests (which it once did after a SIGKILL, unconfined,
    until the grader killed it)."""
    with Sandbox(limits=Limits(cell_seconds=5, call_seconds=5)) as box:
        supervisor = box.process
        if how == "grader stops it":
            supervisor.send_signal(signal.SIGTERM)
        else:
            (child,) = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
            os.kill(int(child), signal.SIGKILL)
        assert supervisor.wait(timeout=60) == -signal.SIGKILL


def test_no_other_process_of_the_machine_is_visible_or_killable(sandbox):
    sandbox.run_cell(
        "import os, signal\n"
        "def probe(pid):\n"
        "    try:\n        os.kill(pid, 0)\n        return 'visible'\n"
        "    except ProcessLookupError:\n        return 'absent'\n"
        "    except PermissionError:\n        return 'forbidden'\n"
        "def my_pid():\n    return os.getpid()\n")
    assert sandbox.call("my_pid", [], {}) == 1
    assert sandbox.call("probe", [os.getpid()], {}) == "absent"


def test_the_recipe_for_ordinary_users_isolates_too():
    """What a non-root instructor or learner gets: a user namespace with every capability dropped."""
    with Sandbox(user_namespace=True, limits=Limits(cell_seconds=5, call_seconds=5)) as box:
        assert box.isolation["level"] == "full" and "no capabilities" in box.isolation["detail"]
        box.run_cell(
            "import ctypes, os\n"
            "def escape():\n"
            "    unmounted = ctypes.CDLL(None).umount2(b'/home/learner', 2) == 0\n"
            f"    return [unmounted, os.path.exists({COURSE + '/nngrade'!r}), os.getpid()]\n")
        assert box.call("escape", [], {}) == [False, False, 1]


def test_a_learner_function_can_be_passed_to_another_learner_function(sandbox):
    from nngrade.engine import LearnerFunction

    sandbox.run_cell("def twice(f, x):\n    return f(f(x))\ndef inc(x):\n    return x + 1")
    assert sandbox.call("twice", [LearnerFunction(None, "inc"), 3], {}) == 5


def test_control_group_limits_are_read_back_before_they_are_claimed():
    from nngrade.cgroups import Cgroups

    held = Cgroups(Limits(memory_bytes=3 << 30, processes=77), f"nngrade-{os.getpid()}-readback")
    refused = Cgroups(Limits(memory_bytes=-5, processes=-1), f"nngrade-{os.getpid()}-refused")
    try:
        assert held.limited
        memory = Path(held.paths["memory"])  # cgroup v2, or v1 on this kind of machine
        limit = memory / "memory.max" if (memory / "memory.max").exists() else memory / "memory.limit_in_bytes"
        assert limit.read_text().strip() == str(3 << 30)
        assert Path(held.paths["pids"], "pids.max").read_text().strip() == "77"
        assert not refused.limited and "memory" not in refused.paths and "pids" not in refused.paths
    finally:
        held.remove()
        refused.remove()
