"""Call backs run in a limited helper, never in the grader (issue 16, case 1).

The learner's code chooses the arguments of the grader's nnlib functions it calls back: a broadcast
that asks for 3.2 GB, or a loop of heavy calls. Both must stay within the submission's limits.
"""

import resource
import signal

import numpy as np
import pytest

import nnlib.core.losses
from nngrade import policy
from nngrade.sandbox import Limits, Sandbox, SandboxDied

LIMITS = Limits(cell_seconds=20, call_seconds=3, memory_bytes=1 << 30)
HIDDEN = policy.hidden_for("gradient_descent")


@pytest.fixture
def hang_guard():
    def fail(signum, frame):
        raise AssertionError("the grader hung")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(90)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _grader_peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_call_back_asking_for_gigabytes_fails_in_the_helper_not_in_the_grader(hang_guard):
    code = ("import numpy as np\n"
            "def step(update):\n"
            "    try:\n"
            "        update(np.ones((20000, 1)), np.ones((1, 20000)))  # broadcast: 20000 x 20000\n"
            "    except MemoryError as error:\n"
            "        return 'MemoryError'\n"
            "    return 'computed'\n")
    before = _grader_peak_mb()
    with Sandbox(limits=LIMITS, hidden=HIDDEN, assignment="gradient_descent") as box:
        assert box.run_cell(code) is None
        outcome = box.call("step", [nnlib.core.losses.mse_gradient], {})
        assert box.call("step", [nnlib.core.losses.mse_gradient], {}) == outcome  # a new helper answers
    assert outcome == "MemoryError"
    assert _grader_peak_mb() - before < 1000  # the 3.2 GB never reached the grader's process


def test_call_backs_cannot_outlast_the_call_s_time_limit(hang_guard):
    code = ("import numpy as np\n"
            "def step(update):\n"
            "    w = np.ones(1_000_000)\n"
            "    for _ in range(100_000):\n"
            "        w = update(w, w + 1)\n"
            "    return 'done'\n")
    with Sandbox(limits=LIMITS, hidden=HIDDEN, assignment="gradient_descent") as box:
        assert box.run_cell(code) is None
        with pytest.raises(SandboxDied) as died:
            box.call("step", [nnlib.core.losses.mse_gradient], {})
    assert died.value.kind == "timeout"


def test_a_call_back_still_computes_what_the_test_handed_over():
    with Sandbox(limits=LIMITS, hidden=HIDDEN, assignment="gradient_descent") as box:
        assert box.run_cell("def step(gradient, y, y_hat):\n    return gradient(y, y_hat)") is None
        y, y_hat = np.array([[1.0], [2.0]]), np.array([[3.0], [2.0]])
        result = box.call("step", [nnlib.core.losses.mse_gradient, y, y_hat], {})
    np.testing.assert_allclose(result, nnlib.core.losses.mse_gradient(y, y_hat))
