"""Tests for nnlib.gradcheck, with a tiny model object that implements the model protocol."""

import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error


class LinearRegression:
    """y = x w + b with mean squared error, exposing the protocol check_gradients relies on."""

    def __init__(self, dtype="float64", wrong_bias_gradient=False):
        rng = np.random.default_rng(0)
        self.trainable_weights = [rng.normal(size=(3, 2)).astype(dtype), np.zeros(2, dtype=dtype)]
        self.weight_paths = ["dense/kernel", "dense/bias"]
        self.wrong_bias_gradient = wrong_bias_gradient

    def compute_loss_and_gradients(self, x, y):
        kernel, bias = self.trainable_weights
        error = x @ kernel + bias - y
        loss = float(np.mean(error ** 2))
        d_output = 2 * error / error.size
        d_bias = d_output.sum(axis=0)
        if self.wrong_bias_gradient:
            d_bias = d_bias / 2  # the classic bug: a forgotten factor of 2
        return loss, [x.T @ d_output, d_bias]


def _batch():
    rng = np.random.default_rng(1)
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def test_numerical_gradient_known_function_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    gradient = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_allclose(gradient, np.cos(before), rtol=1e-9)
    np.testing.assert_array_equal(x, before)  # restored bit for bit


def test_numerical_gradient_sees_in_place_perturbations_through_references():
    weights = np.array([1.0, 2.0])
    holder = {"w": weights}
    gradient = numerical_gradient(lambda _: float(holder["w"] @ holder["w"]), weights)
    np.testing.assert_allclose(gradient, [2.0, 4.0], rtol=1e-9)


def test_relative_error():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    assert relative_error([1e-8], [-1e-8]) == pytest.approx(1.0)  # opposite signs: as bad as it gets
    assert relative_error([], []) == 0.0
    with pytest.raises(ValueError, match=r"a and b must have the same shape; received a of shape \(2,\) and b of shape \(3,\)"):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


def test_check_gradients_passes_a_correct_model():
    errors = check_gradients(LinearRegression(), *_batch())
    assert set(errors) == {"dense/kernel", "dense/bias"}
    assert max(errors.values()) < 1e-7


def test_check_gradients_catches_a_wrong_gradient():
    errors = check_gradients(LinearRegression(wrong_bias_gradient=True), *_batch())
    assert errors["dense/kernel"] < 1e-7
    assert errors["dense/bias"] == pytest.approx(1 / 3, rel=1e-6)  # |g/2 - g| / (|g/2| + |g|)


def test_check_gradients_leaves_weights_unchanged():
    model = LinearRegression()
    before = [w.copy() for w in model.trainable_weights]
    check_gradients(model, *_batch())
    for weight, original in zip(model.trainable_weights, before):
        np.testing.assert_array_equal(weight, original)


def test_check_gradients_requires_float64():
    with pytest.raises(TypeError, match=r"needs float64 weights; weight 'dense/kernel' is an array of shape \(3, 2\) and dtype float32\. Call nnlib\.config\.set_floatx\('float64'\)"):
        check_gradients(LinearRegression(dtype="float32"), *_batch())


def test_check_gradients_reports_protocol_mismatches():
    model = LinearRegression()
    model.weight_paths = ["dense/kernel"]
    with pytest.raises(ValueError, match=r"model\.weight_paths has 1 names for 2 trainable weights"):
        check_gradients(model, *_batch())

    class MissingGradient(LinearRegression):
        def compute_loss_and_gradients(self, x, y):
            loss, gradients = super().compute_loss_and_gradients(x, y)
            return loss, gradients[:1]

    with pytest.raises(ValueError, match=r"returned 1 gradients for 2 trainable weights"):
        check_gradients(MissingGradient(), *_batch())


def test_numerical_gradient_bad_arguments():
    with pytest.raises(TypeError, match=r"x must be a float64 NumPy array .*received an array of shape \(2,\) and dtype float32"):
        numerical_gradient(np.sum, np.zeros(2, dtype="float32"))
    with pytest.raises(TypeError, match=r"received \[1\.0, 2\.0\] \(list\)"):
        numerical_gradient(np.sum, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"eps must be a number > 0; received 0"):
        numerical_gradient(np.sum, np.zeros(2), eps=0)
