"""Tests for nnlib.activations: known values, derivatives against finite differences, stability,
agreement with real Keras, and the errors learners see."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import activations, config
from nnlib.gradcheck import numerical_gradient

ELEMENTWISE = ["linear", "relu", "sigmoid", "tanh", "hard_sigmoid", "silu", "dsilu"]
ALL = [*ELEMENTWISE, "softmax"]


# ------------------------------------------------------------------ known values


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [
        ("linear", [-2.0, 0.0, 3.5], [-2.0, 0.0, 3.5]),
        ("relu", [-2.0, 0.0, 3.5], [0.0, 0.0, 3.5]),
        ("sigmoid", [0.0, np.log(3.0), -np.log(3.0)], [0.5, 0.75, 0.25]),
        ("tanh", [0.0, np.log(2.0)], [0.0, 0.6]),  # (2 - 1/2) / (2 + 1/2)
        ("hard_sigmoid", [-3.5, -3.0, -1.5, 0.0, 1.5, 3.0, 9.0], [0, 0, 0.25, 0.5, 0.75, 1, 1]),
        ("silu", [0.0, np.log(3.0)], [0.0, 0.75 * np.log(3.0)]),
        # dsilu(ln 3) = 0.75 * (1 + ln3 * 0.25)
        ("dsilu", [0.0, np.log(3.0)], [0.5, 0.75 * (1 + 0.25 * np.log(3.0))]),
    ],
)
def test_known_values(name, x, expected):
    result = getattr(activations, name)(np.array(x, dtype="float64"))
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [
        ("linear", [-2.0, 5.0], [1.0, 1.0]),
        ("relu", [-2.0, 0.0, 3.5], [0.0, 0.0, 1.0]),  # 0 at the kink, as Keras/JAX
        ("sigmoid", [0.0, np.log(3.0)], [0.25, 0.1875]),  # 0.75 * 0.25
        ("tanh", [0.0, np.log(2.0)], [1.0, 0.64]),  # 1 - 0.6^2
        ("hard_sigmoid", [-4.0, -3.0, 0.0, 2.9, 3.0], [0, 0, 1 / 6, 1 / 6, 0]),
        ("silu", [0.0, np.log(3.0)], [0.5, 0.75 * (1 + 0.25 * np.log(3.0))]),
        # s(1-s)(2 + x(1-2s)) with s = 3/4: 0.1875 * (2 - ln3 / 2)
        ("dsilu", [0.0, np.log(3.0)], [0.5, 0.1875 * (2 - 0.5 * np.log(3.0))]),
    ],
)
def test_known_derivatives(name, x, expected):
    result = getattr(activations, f"{name}_derivative")(np.array(x, dtype="float64"))
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


def test_softmax_known_values():
    x = np.array([[0.0, np.log(3.0)], [5.0, 5.0]])
    np.testing.assert_allclose(activations.softmax(x), [[0.25, 0.75], [0.5, 0.5]], rtol=1e-12)
    # along the first axis instead
    np.testing.assert_allclose(
        activations.softmax(x, axis=0), activations.softmax(x.T).T, rtol=1e-12
    )


def test_softmax_backward_matches_explicit_jacobian():
    x = np.array([0.3, -1.2, 2.0])
    s = activations.softmax(x)
    jacobian = np.diag(s) - np.outer(s, s)  # ds_i/dx_j = s_i (delta_ij - s_j)
    grad = np.array([0.5, -2.0, 1.0])
    np.testing.assert_allclose(activations.softmax_backward(x, grad), grad @ jacobian, rtol=1e-12)


# ------------------------------------------------------------------ dtype rule


def test_float_arrays_keep_their_dtype_other_inputs_become_floatx():
    for name in ALL:
        function = getattr(activations, name)
        assert function(np.zeros(3, dtype="float64")).dtype == np.float64
        assert function(np.zeros(3, dtype="float32")).dtype == np.float32
        assert function([1, 2, 3]).dtype == np.float32
        assert function(np.array([True, False])).dtype == np.float32
        with config.floatx_scope("float64"):
            assert function([1, 2]).dtype == np.float64
    for name in ELEMENTWISE:
        derivative = getattr(activations, f"{name}_derivative")
        assert derivative(np.zeros(2, dtype="float32")).dtype == np.float32
        assert derivative(np.zeros(2, dtype="float64")).dtype == np.float64


def test_linear_returns_a_copy():
    x = np.array([1.0, 2.0])
    activations.linear(x)[0] = 99.0
    assert x[0] == 1.0


# ------------------------------------------------------------------ properties

finite_floats = st.floats(-50, 50, allow_nan=False, width=64)
vectors = hnp.arrays(np.float64, st.integers(1, 6), elements=finite_floats)


@given(vectors)
def test_softmax_sums_to_one_and_is_positive(x):
    s = activations.softmax(x)
    assert np.all(s >= 0)
    assert np.isclose(s.sum(), 1.0, rtol=1e-12)


@given(vectors, st.floats(-100, 100, allow_nan=False))
def test_softmax_is_shift_invariant(x, shift):
    np.testing.assert_allclose(activations.softmax(x + shift), activations.softmax(x), atol=1e-12)


@given(vectors)
def test_sigmoid_symmetry(x):
    np.testing.assert_allclose(activations.sigmoid(-x), 1 - activations.sigmoid(x), atol=1e-15)


@given(vectors)
def test_tanh_is_a_rescaled_sigmoid(x):
    np.testing.assert_allclose(activations.tanh(x), 2 * activations.sigmoid(2 * x) - 1, atol=1e-14)


def _away_from_kinks(name, x):
    """Finite differences straddling a kink measure neither side's slope (CS231n's caveat)."""
    kinks = {"relu": [0.0], "hard_sigmoid": [-3.0, 3.0]}.get(name, [])
    return all(abs(x - kink) > 1e-3 for kink in kinks)


@settings(max_examples=60)
@given(st.sampled_from(ELEMENTWISE), st.floats(-8, 8, allow_nan=False))
def test_derivatives_match_central_differences(assert_matches_finite_differences, name, x0):
    if not _away_from_kinks(name, x0):
        x0 += 0.01
    function = getattr(activations, name)
    x = np.array([x0])
    numeric = numerical_gradient(lambda v: function(v).sum(), x)
    assert_matches_finite_differences(getattr(activations, f"{name}_derivative")(x), numeric)


@settings(max_examples=40)
@given(hnp.arrays(np.float64, st.integers(2, 5), elements=st.floats(-5, 5)),
       hnp.arrays(np.float64, 5, elements=st.floats(-3, 3)))
def test_softmax_backward_matches_central_differences(x, upstream):
    grad = upstream[: x.size]
    numeric = numerical_gradient(lambda v: float(activations.softmax(v) @ grad), x.copy())
    analytic = activations.softmax_backward(x, grad)
    assert np.max(np.abs(analytic - numeric)) < 1e-8


@pytest.mark.parametrize("name", ALL)
def test_activation_object_backward_matches_derivative(name):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 3)) * 3
    grad = rng.normal(size=(4, 3))
    activation = activations.get(name)
    a = activation(z)
    if name == "softmax":
        expected = activations.softmax_backward(z, grad)
    else:
        expected = grad * getattr(activations, f"{name}_derivative")(z)
    np.testing.assert_allclose(activation.backward(z, a, grad), expected, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ stability


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ALL)
def test_extreme_inputs_give_finite_results_without_warnings(name, dtype):
    x = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            result = getattr(activations, name)(x)
            if name != "softmax":
                derivative = getattr(activations, f"{name}_derivative")(x)
                assert np.all(np.isfinite(derivative))
    assert result.dtype == dtype
    assert np.all(np.isfinite(result))
    if name == "sigmoid":
        np.testing.assert_array_equal(result[0], [0.0, 0.5, 1.0])
    if name == "softmax":
        np.testing.assert_array_equal(result, [[0, 0, 1], [0.5, 0.5, 0]])


# ------------------------------------------------------------------ get()


def test_get_resolves_names_functions_none_and_instances():
    assert activations.get("relu").name == "relu"
    assert activations.get("swish").name == "silu"
    assert activations.get(None).name == "linear"
    assert activations.get(activations.tanh).name == "tanh"
    custom = activations.Activation("square", np.square, lambda z, a, grad: 2 * z * grad)
    assert activations.get(custom) is custom
    assert repr(activations.get("relu")) == "Activation('relu')"


def test_get_unknown_name_lists_valid_names_and_suggests():
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'\. Valid names: .*'sigmoid'.*Did you mean 'relu'\?"):
        activations.get("rleu")


@pytest.mark.parametrize("bad", [42, np.exp, [1, 2]])
def test_get_rejects_other_objects(bad):
    with pytest.raises(TypeError, match=r"activation must be a name such as 'relu'.*received"):
        activations.get(bad)


# ------------------------------------------------------------------ bad input


def test_non_numeric_input_names_the_argument():
    with pytest.raises(TypeError, match=r"x must be numeric .*received 'abc' \(str\)"):
        activations.relu("abc")
    with pytest.raises(TypeError, match=r"x must be numeric.*dtype object"):
        activations.sigmoid(np.array([1, None], dtype=object))


def test_nan_input_reports_count_and_position():
    with pytest.raises(ValueError, match=r"x contains 2 non-finite values .*first is nan at index \(0, 1\)"):
        activations.softmax([[0.0, np.nan], [np.inf, 1.0]])


def test_backward_shape_mismatch_is_reported():
    relu = activations.get("relu")
    with pytest.raises(ValueError, match=r"a and grad must have the same shape; received a of shape \(2,\) and grad of shape \(3,\)"):
        relu.backward(np.zeros(2), np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"x and grad must have the same shape"):
        activations.softmax_backward(np.zeros((2, 3)), np.zeros((3, 2)))


# ------------------------------------------------------------------ real Keras


@pytest.mark.slow  # imports real Keras and JAX (about 10 s): left out of make test-fast
def test_every_activation_matches_keras():
    import keras
    import jax

    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 10)) * 4).astype("float32")
    for name in ["linear", "relu", "sigmoid", "tanh", "hard_sigmoid", "silu", "softmax"]:
        expected = np.asarray(getattr(keras.activations, name)(x))
        np.testing.assert_allclose(getattr(activations, name)(x), expected, rtol=1e-6, atol=1e-30,
                                   err_msg=name)
    # Keras has no dSiLU; it is SiLU's derivative, which JAX computes by autodiff.
    expected = np.asarray(jax.vmap(jax.grad(jax.nn.silu))(x.ravel())).reshape(x.shape)
    np.testing.assert_allclose(activations.dsilu(x), expected, rtol=1e-6, atol=1e-7)
