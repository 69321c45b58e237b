"""Keras's other losses for dense outputs (hinge family, Huber, log-cosh, KL divergence, Poisson,
cosine similarity, MAPE, MSLE) against real Keras 3: per-sample values, the batch loss, its
gradient by JAX autodiff, names, and a fit."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL, assert_same_fit  # noqa: E402

RNG = np.random.default_rng(0)
SIGNED = RNG.normal(size=(8, 3)).astype("float32")
POSITIVE = RNG.uniform(0.05, 2.0, size=(8, 3)).astype("float32")
PROBABILITIES = (POSITIVE / POSITIVE.sum(axis=1, keepdims=True)).astype("float32")
BINARY = (RNG.uniform(size=(8, 3)) > 0.5).astype("float32")
ONE_HOT = np.eye(3, dtype="float32")[RNG.integers(0, 3, size=8)]
# (class, function, options, y_true, y_pred)
CASES = [("Hinge", "hinge", {}, BINARY, SIGNED), ("SquaredHinge", "squared_hinge", {}, BINARY, SIGNED),
         ("CategoricalHinge", "categorical_hinge", {}, ONE_HOT, SIGNED),
         ("Huber", "huber", {}, SIGNED, 2 * SIGNED[::-1]),
         ("Huber", "huber", {"delta": 0.3}, SIGNED, 2 * SIGNED[::-1]),
         ("LogCosh", "log_cosh", {}, SIGNED, 3 * SIGNED[::-1]),
         ("KLDivergence", "kl_divergence", {}, PROBABILITIES, PROBABILITIES[::-1]),
         ("Poisson", "poisson", {}, np.round(POSITIVE * 3), POSITIVE),
         ("CosineSimilarity", "cosine_similarity", {}, SIGNED, SIGNED[::-1]),
         ("MeanAbsolutePercentageError", "mean_absolute_percentage_error", {}, POSITIVE, SIGNED),
         ("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", {}, POSITIVE, SIGNED)]
IDS = [f"{c[0]}{c[2]}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_and_gradients_match_keras(case):
    class_name, function, options, y, p = case
    k_loss, n_loss = getattr(keras.losses, class_name)(**options), getattr(nnlib.losses, class_name)(**options)
    assert n_loss.name == k_loss.name
    np.testing.assert_allclose(n_loss(y, p), float(k_loss(y, p)), rtol=RTOL, atol=ATOL)
    k_gradient = jax.grad(lambda q: k_loss(jnp.asarray(y), q))(jnp.asarray(p))
    np.testing.assert_allclose(n_loss.gradient(y, p), np.asarray(k_gradient), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(getattr(nnlib.losses, function)(y, p, **options),
                               np.asarray(getattr(keras.losses, function)(y, p, **options)),
                               rtol=RTOL, atol=ATOL)
    assert type(nnlib.losses.get(function)) is type(n_loss)


def test_keras_short_names_resolve_to_the_same_losses():
    for name in ["kld", "mape", "msle", "MAPE", "KLD", "huber", "log_cosh"]:
        keras_name = keras.losses.get(name).__name__  # Keras's function; its class's name:
        assert nnlib.losses.get(name).name == {"huber": "huber_loss"}.get(keras_name, keras_name)


def test_mean_squared_and_absolute_error_functions_give_per_sample_values_as_keras():
    for name in ["mean_squared_error", "mean_absolute_error"]:
        np.testing.assert_allclose(getattr(nnlib.losses, name)(SIGNED, SIGNED[::-1]),
                                   np.asarray(getattr(keras.losses, name)(SIGNED, SIGNED[::-1])),
                                   rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("loss", ["hinge", "huber", "log_cosh", "squared_hinge"])
def test_five_epochs_of_fit_match_keras(loss):
    x = RNG.normal(size=(48, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    models = []
    for lib in (keras, nnlib):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="tanh"),
                                lib.layers.Dense(1, activation="tanh")])
        model.compile(optimizer="sgd", loss=loss)
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    assert_same_fit(*models, x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)
