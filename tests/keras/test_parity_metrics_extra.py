"""Keras's other metric classes and functions for dense outputs against real Keras 3: the running
result after several batches (with sample weights), names, configs, and the per-sample
functions."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL, assert_same_config, twin_models  # noqa: E402

RNG = np.random.default_rng(0)
SIGNED = RNG.normal(size=(12, 3)).astype("float32")
POSITIVE = RNG.uniform(0.05, 2.0, size=(12, 3)).astype("float32")
PROBABILITIES = (POSITIVE / POSITIVE.sum(axis=1, keepdims=True)).astype("float32")
BINARY = (RNG.uniform(size=(12, 3)) > 0.5).astype("float32")
LABELS = RNG.integers(0, 3, size=12)
ONE_HOT = np.eye(3, dtype="float32")[LABELS]
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


# (class, settings, y_true, y_pred): the metrics with settings, each set that changes its result
CONFIGURED = [
    ("TopKCategoricalAccuracy", {}, ONE_HOT, PROBABILITIES),
    ("TopKCategoricalAccuracy", {"k": 1}, ONE_HOT, PROBABILITIES),
    ("TopKCategoricalAccuracy", {"k": 2, "name": "top2"}, ONE_HOT, SIGNED),
    ("SparseTopKCategoricalAccuracy", {"k": 1}, LABELS, PROBABILITIES),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, LABELS, SIGNED),
    ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True}, LABELS,
     np.argsort(-SIGNED, axis=1).astype("float32")),
    ("PearsonCorrelation", {}, SIGNED, 2 * SIGNED[::-1] + SIGNED),
    ("ConcordanceCorrelation", {}, SIGNED, 2 * SIGNED[::-1] + SIGNED),
    ("SparseCategoricalCrossentropy", {}, LABELS, PROBABILITIES),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, SIGNED),
    ("F1Score", {}, ONE_HOT, PROBABILITIES),
    ("F1Score", {"average": "micro", "threshold": 0.3}, BINARY, SIGMOID),
    ("F1Score", {"average": "macro"}, ONE_HOT, PROBABILITIES),
    ("F1Score", {"average": "weighted", "threshold": 0.5}, BINARY, SIGMOID),
    ("FBetaScore", {"beta": 2.0}, ONE_HOT, PROBABILITIES),
    ("FBetaScore", {"beta": 0.5, "average": "weighted"}, ONE_HOT, PROBABILITIES),
    ("R2Score", {}, SIGNED, 0.5 * SIGNED + 0.3 * SIGNED[::-1]),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, SIGNED,
     0.5 * SIGNED + 0.3 * SIGNED[::-1]),
    ("R2Score", {"class_aggregation": None}, SIGNED, 0.5 * SIGNED + 0.3 * SIGNED[::-1]),
    ("R2Score", {"num_regressors": 2}, SIGNED, 0.5 * SIGNED + 0.3 * SIGNED[::-1]),
    ("PrecisionAtRecall", {"recall": 0.6}, BINARY, SIGMOID),
    ("PrecisionAtRecall", {"recall": 0.8, "num_thresholds": 7, "class_id": 1}, BINARY, SIGMOID),
    ("RecallAtPrecision", {"precision": 0.5}, BINARY, SIGMOID),
    ("RecallAtPrecision", {"precision": 0.7, "num_thresholds": 1}, BINARY, SIGMOID),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, BINARY, SIGMOID),
    ("SensitivityAtSpecificity", {"specificity": 0.9, "class_id": 2}, BINARY, SIGMOID),
    ("SpecificityAtSensitivity", {"sensitivity": 0.5}, BINARY, SIGMOID),
    ("SpecificityAtSensitivity", {"sensitivity": 0.3, "num_thresholds": 11}, BINARY, SIGMOID),
]


@pytest.mark.parametrize("name,settings,y,p", CONFIGURED,
                         ids=[f"{c[0]}{c[1]}" for c in CONFIGURED])
def test_metrics_with_settings_match_keras(name, settings, y, p):
    """Running results over two weighted batches, the reset, the name and the config; Keras's
    config builds nnlib's metric again."""
    k_metric = getattr(keras.metrics, name)(**settings)
    n_metric = getattr(nnlib.metrics, name)(**settings)
    assert n_metric.name == k_metric.name
    for rows in (slice(0, 5), slice(5, 12)):
        k_metric.update_state(y[rows], p[rows], sample_weight=WEIGHTS[rows])
        n_metric.update_state(y[rows], p[rows], sample_weight=WEIGHTS[rows])
        np.testing.assert_allclose(n_metric.result(), np.asarray(k_metric.result()), rtol=1e-5,
                                   atol=ATOL)
    assert_same_config(n_metric.get_config(), k_metric.get_config())
    again = type(n_metric).from_config(k_metric.get_config())
    again.update_state(y, p)
    k_metric.reset_state()
    k_metric.update_state(y, p)
    np.testing.assert_allclose(again.result(), np.asarray(k_metric.result()), rtol=1e-5,
                               atol=ATOL)


# (function, settings, y_true, y_pred): keras.metrics' functions, one value per sample
FUNCTIONS = [
    ("binary_crossentropy", {}, BINARY, SIGMOID),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, BINARY, SIGNED),
    ("categorical_crossentropy", {}, ONE_HOT, PROBABILITIES),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.2}, ONE_HOT, SIGNED),
    ("sparse_categorical_crossentropy", {}, LABELS, PROBABILITIES),
    ("sparse_categorical_crossentropy", {"from_logits": True}, LABELS, SIGNED),
    ("binary_focal_crossentropy", {"gamma": 1.0}, BINARY, SIGMOID),
    ("categorical_focal_crossentropy", {"alpha": 0.5}, ONE_HOT, PROBABILITIES),
    ("huber", {"delta": 0.5}, SIGNED, SIGNED[::-1]),
    ("pearson_correlation", {}, SIGNED, SIGNED[::-1] + SIGNED),
    ("concordance_correlation", {}, SIGNED, SIGNED[::-1] + SIGNED),
    ("top_k_categorical_accuracy", {"k": 2}, ONE_HOT, SIGNED),
    ("sparse_top_k_categorical_accuracy", {"k": 1}, LABELS, SIGNED),
]


@pytest.mark.parametrize("name,settings,y,p", FUNCTIONS,
                         ids=[f"{c[0]}{c[1]}" for c in FUNCTIONS])
def test_more_metric_functions_give_keras_per_sample_values(name, settings, y, p):
    np.testing.assert_allclose(getattr(nnlib.metrics, name)(y, p, **settings),
                               np.asarray(getattr(keras.metrics, name)(y, p, **settings)),
                               rtol=RTOL, atol=ATOL)


def test_compile_takes_the_metrics_with_defaults_by_name_as_keras():
    x = RNG.normal(size=(30, 3)).astype("float32")
    y = RNG.integers(0, 3, size=30)
    models = twin_models(
        lambda lib: lib.Sequential([lib.Input((3,)), lib.layers.Dense(3, activation="softmax")]),
        lambda lib: dict(optimizer="sgd", loss="sparse_categorical_crossentropy",
                         metrics=["sparse_top_k_categorical_accuracy",
                                  lib.metrics.SparseCategoricalCrossentropy(),
                                  lib.metrics.SparseTopKCategoricalAccuracy(k=1, name="top1")]))
    k_logs = models[0].evaluate(x, y, verbose=0, return_dict=True)
    n_logs = models[1].evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(n_logs) == sorted(k_logs)
    for key in k_logs:
        assert n_logs[key] == pytest.approx(k_logs[key], rel=1e-5), key


def test_metrics_with_settings_cross_both_ways_in_files(tmp_path):
    """A model compiled with metric objects and their settings: nnlib's .keras file opens in
    Keras and Keras's in nnlib with the same metrics, which evaluate to the same numbers."""
    from nnlib import saving

    def build(lib):
        return lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])

    def settings(lib):
        return dict(optimizer="adam", loss="binary_crossentropy", metrics=[
            lib.metrics.F1Score(average="micro", threshold=0.4),
            lib.metrics.PrecisionAtRecall(0.5, num_thresholds=50),
            lib.metrics.SpecificityAtSensitivity(0.7), lib.metrics.R2Score(), "accuracy"])

    k_model, n_model = twin_models(build, settings)
    x = RNG.normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] + 0.3 * RNG.normal(size=(40, 1)) > 0).astype("float32")
    saving.save_model(n_model, tmp_path / "nnlib.keras")
    k_model.save(tmp_path / "keras.keras")
    k_loaded = keras.models.load_model(tmp_path / "nnlib.keras")
    n_loaded = saving.load_model(tmp_path / "keras.keras")
    k_logs = k_loaded.evaluate(x, y, verbose=0, return_dict=True)
    n_logs = n_loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(n_logs) == sorted(k_logs) == sorted(
        k_model.evaluate(x, y, verbose=0, return_dict=True))
    for key in k_logs:
        assert n_logs[key] == pytest.approx(k_logs[key], rel=1e-5, abs=1e-6), key
