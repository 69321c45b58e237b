"""Keras's other metric classes and functions for dense outputs against real Keras 3: the running
result after several batches (with sample weights), names, and the per-sample functions."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402

RNG = np.random.default_rng(0)
SIGNED = RNG.normal(size=(12, 3)).astype("float32")
POSITIVE = RNG.uniform(0.05, 2.0, size=(12, 3)).astype("float32")
PROBABILITIES = (POSITIVE / POSITIVE.sum(axis=1, keepdims=True)).astype("float32")
BINARY = (RNG.uniform(size=(12, 3)) > 0.5).astype("float32")
ONE_HOT = np.eye(3, dtype="float32")[RNG.integers(0, 3, size=12)]
SIGMOID = RNG.uniform(0.01, 0.99, size=(12, 3)).astype("float32")
WEIGHTS = RNG.uniform(0.5, 2.0, size=12).astype("float32")
CASES = [("Hinge", BINARY, SIGNED), ("SquaredHinge", BINARY, SIGNED),
         ("CategoricalHinge", ONE_HOT, SIGNED), ("KLDivergence", PROBABILITIES, PROBABILITIES[::-1]),
         ("LogCoshError", SIGNED, 2 * SIGNED[::-1]), ("Poisson", np.round(POSITIVE), POSITIVE),
         ("MeanAbsolutePercentageError", POSITIVE, SIGNED),
         ("MeanSquaredLogarithmicError", POSITIVE, SIGNED), ("CosineSimilarity", SIGNED, SIGNED[::-1]),
         ("Accuracy", BINARY, BINARY[::-1]), ("BinaryCrossentropy", BINARY, SIGMOID),
         ("CategoricalCrossentropy", ONE_HOT, PROBABILITIES), ("RootMeanSquaredError", SIGNED, SIGNED[::-1]),
         ("TruePositives", BINARY, SIGMOID), ("FalsePositives", BINARY, SIGMOID),
         ("TrueNegatives", BINARY, SIGMOID), ("FalseNegatives", BINARY, SIGMOID)]


@pytest.mark.parametrize("name,y,p", CASES, ids=[c[0] for c in CASES])
def test_running_results_match_keras(name, y, p):
    k_metric, n_metric = getattr(keras.metrics, name)(), getattr(nnlib.metrics, name)()
    assert n_metric.name == k_metric.name
    for rows in (slice(0, 5), slice(5, 12)):
        k_metric.update_state(y[rows], p[rows], sample_weight=WEIGHTS[rows])
        n_metric.update_state(y[rows], p[rows], sample_weight=WEIGHTS[rows])
        np.testing.assert_allclose(n_metric.result(), float(k_metric.result()), rtol=1e-5,
                                   atol=ATOL)
    n_metric.reset_state()
    k_metric.reset_state()
    assert float(n_metric.result()) == float(k_metric.result()) == 0.0


def test_mean_and_sum_match_keras():
    for name in ["Mean", "Sum"]:
        k_metric, n_metric = getattr(keras.metrics, name)(), getattr(nnlib.metrics, name)()
        for values in ([1.0, 2.0], [4.0]):
            k_metric.update_state(values)
            n_metric.update_state(values)
        assert float(n_metric.result()) == pytest.approx(float(k_metric.result()))


@pytest.mark.parametrize("name", ["hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
                                  "log_cosh", "poisson", "mean_absolute_percentage_error",
                                  "mean_squared_logarithmic_error", "mean_squared_error",
                                  "mean_absolute_error"])
def test_metric_functions_give_keras_per_sample_values(name):
    y, p = (ONE_HOT, SIGNED) if name == "categorical_hinge" else (POSITIVE, PROBABILITIES)
    np.testing.assert_allclose(getattr(nnlib.metrics, name)(y, p),
                               np.asarray(getattr(keras.metrics, name)(y, p)), rtol=RTOL,
                               atol=ATOL)


def test_compile_takes_the_new_metrics_by_name_as_keras():
    x = RNG.normal(size=(20, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    results = []
    for lib in (keras, nnlib):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss="mse",
                      metrics=["kl_divergence", lib.metrics.RootMeanSquaredError(),
                               lib.metrics.TruePositives()])
        results.append(model)
    results[1].set_weights(results[0].get_weights())
    k_logs = results[0].evaluate(x, y, verbose=0, return_dict=True)
    n_logs = results[1].evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(n_logs) == sorted(k_logs)
    for key in k_logs:
        assert n_logs[key] == pytest.approx(k_logs[key], rel=1e-5), key
