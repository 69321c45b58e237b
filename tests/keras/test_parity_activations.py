"""Keras's activations beyond the chapters' (nnlib.extra.activations): values and derivatives
against real Keras 3, whose derivatives JAX computes by autodiff, on a grid that includes every
kink; and a Dense layer with each one trains to Keras's numbers."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.extra import activations as extra  # noqa: E402
from parity import ATOL, RTOL, assert_same_forward_and_backward  # noqa: E402

GRID = np.concatenate([np.linspace(-8, 8, 161), [-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0]]
                      ).astype("float32")
ELEMENTWISE = sorted(extra.PAIRS)
OPTIONS = {"elu": {"alpha": 0.7}, "celu": {"alpha": 0.5}, "leaky_relu": {"negative_slope": 0.1},
           "soft_shrink": {"threshold": 0.3}, "hard_shrink": {"threshold": 0.3},
           "squareplus": {"b": 2.0}}


@pytest.mark.parametrize("name", ELEMENTWISE + ["hard_swish", "swish", "threshold"])
@pytest.mark.parametrize("options", [False, True], ids=["defaults", "options"])
def test_values_and_derivatives_match_keras(name, options):
    kwargs = dict(OPTIONS.get(name, {})) if options else {}
    if name == "threshold":
        kwargs = {"threshold": 0.5, "default_value": -1.0}
    n_function, k_function = getattr(nnlib.activations, name), getattr(real_keras.activations, name)
    np.testing.assert_allclose(n_function(GRID, **kwargs), np.asarray(k_function(GRID, **kwargs)),
                               rtol=RTOL, atol=ATOL)
    k_derivative = jax.vmap(jax.grad(lambda z: k_function(z, **kwargs)))(jnp.asarray(GRID))
    n_name = {"hard_swish": "hard_silu", "swish": "silu"}.get(name, name)
    n_derivative = getattr(nnlib.activations, f"{n_name}_derivative")(GRID, **kwargs)
    np.testing.assert_allclose(n_derivative, np.asarray(k_derivative), rtol=RTOL, atol=ATOL)


def test_log_softmax_and_its_gradient_match_keras():
    z = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    g = np.random.default_rng(1).normal(size=(4, 5)).astype("float32")
    activation = nnlib.activations.get("log_softmax")
    a = activation(z)
    np.testing.assert_allclose(a, np.asarray(real_keras.activations.log_softmax(z)), rtol=RTOL,
                               atol=ATOL)
    _, vjp = jax.vjp(real_keras.activations.log_softmax, jnp.asarray(z))
    np.testing.assert_allclose(activation.backward(z, a, g), np.asarray(vjp(g)[0]), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("name", ELEMENTWISE + ["log_softmax"])
def test_a_dense_layer_with_each_activation_has_keras_gradients(name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3)).astype("float32")
    y = rng.normal(size=(6, 2)).astype("float32")
    k_model = real_keras.Sequential([real_keras.Input((3,)), real_keras.layers.Dense(
        2, activation=name, name="out")])
    n_model = nnlib.Sequential([nnlib.Input((3,)), nnlib.layers.Dense(2, activation=name,
                                                                      name="out")])
    n_model.set_weights(k_model.get_weights())
    assert_same_forward_and_backward(k_model, n_model, x, y)


def test_serialize_and_deserialize_as_keras():
    for name in ["relu", "elu", "gelu", "log_softmax"]:
        assert nnlib.activations.serialize(nnlib.activations.get(name)) == \
            real_keras.activations.serialize(real_keras.activations.get(name))
        assert nnlib.activations.deserialize(name).__name__ == \
            real_keras.activations.deserialize(name).__name__
