"""Keras's other losses for dense outputs (hinge family, Huber, log-cosh, KL divergence, Poisson,
cosine similarity, MAPE, MSLE, the focal cross-entropies, generalized cross-entropy) against real
Keras 3: per-sample values, the batch loss, its gradient by JAX autodiff, names, configs, a fit
and .keras files both ways."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import saving  # noqa: E402
from parity import (  # noqa: E402
    ATOL, RTOL, assert_same_config, assert_same_fit, keras_gradient, twin_models)

RNG = np.random.default_rng(0)
SIGNED = RNG.normal(size=(8, 3)).astype("float32")
POSITIVE = RNG.uniform(0.05, 2.0, size=(8, 3)).astype("float32")
PROBABILITIES = (POSITIVE / POSITIVE.sum(axis=1, keepdims=True)).astype("float32")
BINARY = (RNG.uniform(size=(8, 3)) > 0.5).astype("float32")
LABELS = RNG.integers(0, 3, size=8)
ONE_HOT = np.eye(3, dtype="float32")[LABELS]
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
         ("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", {}, POSITIVE, SIGNED),
         ("BinaryFocalCrossentropy", "binary_focal_crossentropy", {}, BINARY, PROBABILITIES),
         ("BinaryFocalCrossentropy", "binary_focal_crossentropy",
          {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "label_smoothing": 0.1},
          BINARY, PROBABILITIES[::-1]),
         ("BinaryFocalCrossentropy", "binary_focal_crossentropy",
          {"from_logits": True, "gamma": 3.0}, BINARY, 4 * SIGNED),
         ("BinaryFocalCrossentropy", "binary_focal_crossentropy", {"gamma": 0.0}, BINARY,
          PROBABILITIES),
         ("CategoricalFocalCrossentropy", "categorical_focal_crossentropy", {}, ONE_HOT,
          PROBABILITIES),
         ("CategoricalFocalCrossentropy", "categorical_focal_crossentropy",
          {"from_logits": True, "label_smoothing": 0.2, "alpha": 0.5, "gamma": 1.0}, ONE_HOT,
          3 * SIGNED),
         ("CategoricalFocalCrossentropy", "categorical_focal_crossentropy", {"gamma": 0.0},
          ONE_HOT, POSITIVE),  # unnormalised: divided by each row's sum first
         ("CategoricalGeneralizedCrossEntropy", "categorical_generalized_cross_entropy",
          {"q": 0.5}, LABELS, PROBABILITIES),
         ("CategoricalGeneralizedCrossEntropy", "categorical_generalized_cross_entropy",
          {"q": 0.2}, LABELS, PROBABILITIES[::-1])]
IDS = [f"{c[0]}{c[2]}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_and_gradients_match_keras(case):
    class_name, function, options, y, p = case
    k_loss, n_loss = getattr(keras.losses, class_name)(**options), getattr(nnlib.losses, class_name)(**options)
    assert n_loss.name == k_loss.name
    np.testing.assert_allclose(n_loss(y, p), float(k_loss(y, p)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(n_loss.gradient(y, p), keras_gradient(k_loss, y, p), rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(getattr(nnlib.losses, function)(y, p, **options),
                               np.asarray(getattr(keras.losses, function)(y, p, **options)),
                               rtol=RTOL, atol=ATOL)
    assert type(nnlib.losses.get(function)) is type(n_loss)
    if hasattr(k_loss, "get_config") and class_name in CONFIGURED:
        assert_same_config(n_loss.get_config(), k_loss.get_config())
        again = type(n_loss).from_config(k_loss.get_config())
        np.testing.assert_allclose(again.gradient(y, p), n_loss.gradient(y, p))


CONFIGURED = ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
              "CategoricalGeneralizedCrossEntropy"]


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
    models = twin_models(lambda lib: lib.Sequential([lib.Input((4,)),
                                                     lib.layers.Dense(5, activation="tanh"),
                                                     lib.layers.Dense(1, activation="tanh")]),
                         lambda lib: dict(optimizer="sgd", loss=loss))
    assert_same_fit(*models, x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)


# each focal or generalized loss, as a model trains with it: (output, targets, the loss)
TRAINED = {
    "binary_focal": ("sigmoid", lambda x: (x[:, :2] > 0).astype("float32"),
                     lambda lib: lib.losses.BinaryFocalCrossentropy(
                         apply_class_balancing=True, gamma=1.5, label_smoothing=0.05)),
    "binary_focal_logits": ("linear", lambda x: (x[:, :2] > 0).astype("float32"),
                            lambda lib: lib.losses.BinaryFocalCrossentropy(from_logits=True)),
    "categorical_focal": ("softmax", lambda x: np.eye(2, dtype="float32")[(x[:, 0] > 0) * 1],
                          lambda lib: "categorical_focal_crossentropy"),
    "categorical_focal_logits": ("linear",
                                 lambda x: np.eye(2, dtype="float32")[(x[:, 0] > 0) * 1],
                                 lambda lib: lib.losses.CategoricalFocalCrossentropy(
                                     from_logits=True, alpha=0.5, label_smoothing=0.1)),
    "generalized": ("softmax", lambda x: (x[:, 0] > 0).astype("int32"),
                    lambda lib: lib.losses.CategoricalGeneralizedCrossEntropy(q=0.3)),
}


def _trained_twins(case):
    activation, _, loss = TRAINED[case]
    return twin_models(lambda lib: lib.Sequential([lib.Input((4,)),
                                                   lib.layers.Dense(5, activation="tanh"),
                                                   lib.layers.Dense(2, activation=activation)]),
                       lambda lib: dict(optimizer="adam", loss=loss(lib)))


@pytest.mark.parametrize("case", sorted(TRAINED))
def test_focal_and_generalized_losses_train_and_save_as_keras(case, tmp_path):
    """Five epochs alike; then each library's .keras file opens in the other with the loss and
    its settings, and training goes on alike."""
    x = RNG.normal(size=(40, 4)).astype("float32")
    y = TRAINED[case][1](x)
    k_model, n_model = _trained_twins(case)
    fit = dict(batch_size=16, epochs=5, shuffle=False, verbose=0)
    assert_same_fit(k_model, n_model, x, y, **fit)
    saving.save_model(n_model, tmp_path / "nnlib.keras")
    k_model.save(tmp_path / "keras.keras")
    k_loaded = keras.models.load_model(tmp_path / "nnlib.keras")
    n_loaded = saving.load_model(tmp_path / "keras.keras")
    for k_side, n_side in [(k_loaded, n_model), (k_model, n_loaded)]:
        k_loss = keras.losses.get(k_side.loss)  # a name given to compile stays a name
        if isinstance(k_side.loss, str):
            assert n_side.loss.name == k_side.loss
        else:
            assert type(k_loss).__name__ == type(n_side.loss).__name__
            assert_same_config(n_side.loss.get_config(), k_loss.get_config())
    assert_same_fit(k_loaded, n_loaded, x, y, **fit)
