"""Tests for nnlib._validation: each check accepts good input and explains bad input."""

import numpy as np
import pytest

from nnlib import _validation as v
from nnlib import config


def test_as_float_array_dtype_rule():
    x64 = np.array([1.0, 2.0])
    assert v.as_float_array(x64, "x") is x64  # no copy for float arrays
    assert v.as_float_array(np.float64(2.0), "x").dtype == np.float64
    assert v.as_float_array(np.zeros(2, dtype="float32"), "x").dtype == np.float32
    assert v.as_float_array([1, 2], "x").dtype == np.float32
    assert v.as_float_array([1.5, 2.5], "x").dtype == np.float32  # lists follow floatx
    assert v.as_float_array(np.array([True]), "x").dtype == np.float32
    assert v.as_float_array(np.arange(3, dtype="uint8"), "x").dtype == np.float32
    with config.floatx_scope("float64"):
        assert v.as_float_array(3, "x").dtype == np.float64


@pytest.mark.parametrize(("bad", "received"), [
    ("abc", r"'abc' \(str\)"),
    (None, r"None \(NoneType\)"),
    (np.array(["a", "b"]), r"an array of shape \(2,\) and dtype <U1"),
    (np.array([1, 2], dtype=object), r"an array of shape \(2,\) and dtype object"),
    (np.array([1 + 2j]), r"an array of shape \(1,\) and dtype complex128"),
    ({"a": 1}, r"\{'a': 1\} \(dict\)"),
    (["a", 1], r"\['a', 1\] \(list\)"),
])
def test_as_float_array_rejects_non_numbers(bad, received):
    with pytest.raises(TypeError, match=rf"weights must be numeric \(an array or list of numbers\); received {received}"):
        v.as_float_array(bad, "weights")


def test_as_float_array_rejects_ragged_lists():
    with pytest.raises(ValueError, match=r"x must be a rectangular array of numbers; received a ragged sequence"):
        v.as_float_array([[1, 2], [3]], "x")


def test_as_float_array_reports_non_finite_values():
    with pytest.raises(ValueError, match=r"x contains 3 non-finite values \(NaN or infinity\); the first is inf at index \(1, 0\)\. Expected finite numbers\."):
        v.as_float_array(np.array([[0, 1], [np.inf, -np.inf], [np.nan, 2]]), "x")


def test_as_float_array_finite_values_whose_sum_overflows_are_accepted():
    # The quick test sums the array; an overflowing sum must fall back, not reject good data.
    big = np.full((3, 2), 3e38, dtype=np.float32)
    assert v.as_float_array(big, "x") is big
    with pytest.raises(ValueError, match=r"x contains 1 non-finite value .* nan at index \(2, 1\)"):
        v.as_float_array(np.where(np.arange(6).reshape(3, 2) == 5, np.nan, big), "x")


def test_check_ndim_with_reshape_hint():
    v.check_ndim(np.zeros((2, 3)), "x", 2)
    v.check_ndim(np.zeros(3), "y", (1, 2))
    with pytest.raises(ValueError, match=r"x must be a 2D array; received a 1D array of shape \(3,\)\. Reshape .*x\.reshape\(-1, 1\)"):
        v.check_ndim(np.zeros(3), "x", 2)
    with pytest.raises(ValueError, match=r"y must be a 1D or 2D array; received a 3D array of shape \(1, 1, 1\)\.$"):
        v.check_ndim(np.zeros((1, 1, 1)), "y", (1, 2))


@pytest.mark.parametrize(("value", "error", "message"), [
    (0, ValueError, r"epochs must be a positive integer; received 0\."),
    (-3, ValueError, r"received -3"),
    (2.0, TypeError, r"received 2\.0 \(float\)"),
    (True, TypeError, r"received True \(bool\)"),
    ("5", TypeError, r"received '5' \(str\)"),
])
def test_check_positive_int_rejects(value, error, message):
    with pytest.raises(error, match=message):
        v.check_positive_int(value, "epochs")


def test_integer_checks_accept_numpy_integers():
    assert v.check_positive_int(np.int64(4), "units") == 4
    assert v.check_non_negative_int(0, "seed") == 0
    with pytest.raises(ValueError, match=r"seed must be a non-negative integer; received -1"):
        v.check_non_negative_int(-1, "seed")


def test_check_number_bounds():
    assert v.check_number(0.5, "test_size", low=0, high=1, low_inclusive=False, high_inclusive=False) == 0.5
    with pytest.raises(ValueError, match=r"test_size must be a number > 0 and < 1; received 1"):
        v.check_number(1, "test_size", low=0, high=1, low_inclusive=False, high_inclusive=False)
    with pytest.raises(ValueError, match=r"momentum must be a number >= 0 and <= 1; received -0\.1"):
        v.check_number(-0.1, "momentum", low=0, high=1)
    with pytest.raises(ValueError, match=r"learning_rate must be a number; received nan"):
        v.check_number(float("nan"), "learning_rate")
    with pytest.raises(TypeError, match=r"learning_rate must be a number > 0; received '0\.1' \(str\)"):
        v.check_number("0.1", "learning_rate", low=0, low_inclusive=False)


def test_check_bool():
    assert v.check_bool(np.bool_(True), "shuffle") is True
    with pytest.raises(TypeError, match=r"shuffle must be True or False; received 1 \(int\)"):
        v.check_bool(1, "shuffle")


def test_check_choice_lists_names_and_suggests():
    assert v.check_choice("adam", "optimizer", ["sgd", "adam"]) == "adam"
    with pytest.raises(ValueError, match=r"^Unknown optimizer 'adma'\. Valid names: 'sgd', 'adam'\. Did you mean 'adam'\?$"):
        v.check_choice("adma", "optimizer", ["sgd", "adam"])
    with pytest.raises(ValueError, match=r"^Unknown optimizer 'xyz'\. Valid names: 'sgd', 'adam'\.$"):
        v.check_choice("xyz", "optimizer", ["sgd", "adam"])
    with pytest.raises(TypeError, match=r"optimizer must be a string; received 3 \(int\)"):
        v.check_choice(3, "optimizer", ["sgd"])


def test_check_same_batch():
    v.check_same_batch(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"x and y must have the same number of samples \(first dimension\); received x with 4 samples \(shape \(4, 2\)\) and y with 3 samples \(shape \(3,\)\)"):
        v.check_same_batch(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"x_val and y_val .*x_val with None samples \(shape \(\)\)"):
        v.check_same_batch(np.zeros(()), np.zeros(3), "x_val", "y_val")


def test_check_same_shape_and_range():
    v.check_same_shape(np.zeros(2), np.ones(2), "a", "b")
    with pytest.raises(ValueError, match=r"received a of shape \(2,\) and b of shape \(2, 1\)\. Try this\.$"):
        v.check_same_shape(np.zeros(2), np.zeros((2, 1)), "a", "b", hint="Try this.")
    v.check_in_range(np.array([0.0, 1.0]), "p", 0, 1)
    v.check_in_range(np.array([]), "p", 0, 1)
    with pytest.raises(ValueError, match=r"p must hold values in \[0, 1\]; received values from -0\.5 to 0\.5\."):
        v.check_in_range(np.array([-0.5, 0.5]), "p", 0, 1)


def test_check_class_labels():
    labels = v.check_class_labels(np.array([0, 1, 2], dtype="int32"), "y", 3)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(v.check_class_labels([2.0, 0.0], "y"), [2, 0])
    with pytest.raises(ValueError, match=r"y must hold class indices in \[0, inf\); received values from -2 to 0"):
        v.check_class_labels([-2, 0], "y")
    with pytest.raises(ValueError, match=r"non-integer values such as 0\.25"):
        v.check_class_labels([0.25], "y")
    with pytest.raises(ValueError, match=r"y contains 1 non-finite value"):
        v.check_class_labels([np.nan], "y")


def test_describe_truncates_long_values():
    assert v.describe(list(range(100))).endswith("... (list)")
