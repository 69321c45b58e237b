"""Tests for nnlib.perceptron: the step convention, learning AND/OR, failing on XOR, and a proof
by linear programming that no line separates XOR."""

import numpy as np
import pytest
from scipy.optimize import linprog

from nnlib import config
from nnlib.perceptron import Perceptron, step

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
XOR = np.array([0, 1, 1, 0])


def test_step_fires_at_zero():
    np.testing.assert_array_equal(step([-1e-9, 0.0, 1e-9, 5.0]), [0, 1, 1, 1])
    assert step([1, 2]).dtype == np.float32
    assert step(np.array([0.5], dtype="float32")).dtype == np.float32
    assert step(np.array([0.5], dtype="float64")).dtype == np.float64


@pytest.mark.parametrize(("targets", "name"), [(AND, "AND"), (OR, "OR")])
@pytest.mark.parametrize("learning_rate", [1.0, 0.1])
def test_learns_linearly_separable_gates(targets, name, learning_rate):
    model = Perceptron(2, learning_rate=learning_rate)
    mistakes = model.fit(INPUTS, targets, epochs=100)
    assert mistakes[-1] == 0, name
    assert all(m > 0 for m in mistakes[:-1])  # stopped at the first clean epoch
    np.testing.assert_array_equal(model.predict(INPUTS), targets)


def test_learning_rate_only_scales_the_weights_from_zero_start():
    big, small = Perceptron(2, learning_rate=1.0), Perceptron(2, learning_rate=0.25)
    assert big.fit(INPUTS, AND) == small.fit(INPUTS, AND)
    np.testing.assert_allclose(small.weights, 0.25 * big.weights)
    assert small.bias == pytest.approx(0.25 * big.bias)


def test_one_update_by_hand():
    model = Perceptron(2, learning_rate=0.5)
    # w = 0, b = 0: z = 0, so the prediction is 1 and the label 0 gives error -1
    assert model.fit([[2.0, 3.0]], [0], epochs=1) == [1]
    np.testing.assert_allclose(model.weights, [-1.0, -1.5])
    assert model.bias == -0.5


def test_never_converges_on_xor():
    model = Perceptron(2)
    mistakes = model.fit(INPUTS, XOR, epochs=200)
    assert len(mistakes) == 200
    assert min(mistakes) >= 1
    assert not np.array_equal(model.predict(INPUTS), XOR)


def _separating_line_exists(targets):
    """Look for (w1, w2, b) with w.x + b >= 1 on class 1 and <= -1 on class 0.

    A strict separation by any margin can be rescaled to margin 1, so the LP is feasible exactly
    when some line separates the classes. Constraint rows: -s (w.x + b) <= -1, s = +1 or -1.
    """
    signs = np.where(targets == 1, 1.0, -1.0)
    a_ub = -signs[:, None] * np.column_stack([INPUTS, np.ones(len(INPUTS))])
    result = linprog(c=np.zeros(3), A_ub=a_ub, b_ub=-np.ones(len(INPUTS)), bounds=[(None, None)] * 3)
    return result.status == 0, result.status


def test_no_line_separates_xor_but_lines_separate_and_or():
    feasible, status = _separating_line_exists(XOR)
    assert not feasible and status == 2  # scipy: 2 means the problem is infeasible
    assert _separating_line_exists(AND)[0]
    assert _separating_line_exists(OR)[0]


def test_weights_follow_floatx():
    with config.floatx_scope("float64"):
        assert Perceptron(3).weights.dtype == np.float64
    assert Perceptron(3).weights.dtype == np.float32


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match=r"n_inputs must be a positive integer; received 0"):
        Perceptron(0)
    with pytest.raises(ValueError, match=r"learning_rate must be a number > 0; received -1"):
        Perceptron(2, learning_rate=-1)
    model = Perceptron(2)
    with pytest.raises(ValueError, match=r"x must have 2 columns \(n_inputs=2\); received x of shape \(4, 3\)"):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"x must be a 2D array; received a 1D array of shape \(2,\)"):
        model.predict([1, 0])
    with pytest.raises(ValueError, match=r"y must hold class indices in \[0, 2\) \(2 classes\); received values from -1 to 1"):
        model.fit(INPUTS, [-1, 1, 1, -1])
    with pytest.raises(ValueError, match=r"x and y must have the same number of samples .*x with 4 samples .*y with 3"):
        model.fit(INPUTS, [0, 1, 1])
    with pytest.raises(ValueError, match=r"epochs must be a positive integer; received 0"):
        model.fit(INPUTS, AND, epochs=0)
