"""Tests for nnlib.metrics: per-sample values, Keras's "accuracy" resolution, errors, real Keras."""

import numpy as np
import pytest

from nnlib import losses, metrics


def test_binary_accuracy_is_strict_at_the_threshold():
    np.testing.assert_array_equal(metrics.binary_accuracy([0, 1, 1], [[0.5], [0.5], [0.51]]), [1, 0, 1])
    np.testing.assert_array_equal(metrics.binary_accuracy([1, 1], [[0.3], [0.2]], threshold=0.25), [1, 0])


def test_binary_accuracy_with_several_outputs_averages_within_a_sample():
    values = metrics.binary_accuracy([[1, 0], [0, 0]], [[0.9, 0.8], [0.1, 0.2]])
    np.testing.assert_array_equal(values, [0.5, 1.0])
    assert values.dtype == np.float32


def test_categorical_and_sparse_accuracy_known_values():
    p = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    labels = np.array([1, 1, 2])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels, p), [1, 0, 1])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels[:, None], p), [1, 0, 1])
    np.testing.assert_array_equal(metrics.categorical_accuracy(np.eye(3)[labels], p), [1, 0, 1])


def test_regression_metrics_are_per_sample_and_average_to_the_losses():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    for name in ("mae", "mse"):
        values = getattr(metrics, name)(y_true, y_pred)
        assert values.shape == (7,)
        assert values.mean() == pytest.approx(getattr(losses, name)(y_true, y_pred))
    np.testing.assert_allclose(metrics.mse([1.0, 2.0], [[1.5], [1.0]]), [0.25, 1.0])


@pytest.mark.parametrize(("y_true_shape", "y_pred_shape", "expected"), [
    ((32,), (32, 1), "binary_accuracy"),
    ((32, 1), (32, 1), "binary_accuracy"),
    ((32,), (32, 10), "sparse_categorical_accuracy"),
    ((32, 1), (32, 10), "sparse_categorical_accuracy"),
    ((32, 10), (32, 10), "categorical_accuracy"),
])
@pytest.mark.parametrize("name", ["accuracy", "acc", "Accuracy"])
def test_accuracy_is_resolved_from_shapes(name, y_true_shape, y_pred_shape, expected):
    metric = metrics.get(name, y_true_shape, y_pred_shape)
    assert metric.function.__name__ == expected
    assert metric.name == name  # the History key is the name as written, as in Keras


def test_get_other_names_and_instances():
    assert metrics.get("mae", (4,), (4, 1)).function is metrics.mae
    assert metrics.get("mean_squared_error", (4,), (4, 1)).name == "mean_squared_error"
    custom = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="hits")
    assert metrics.get(custom, (4,), (4, 1)) is custom
    assert repr(custom) == "<MeanMetricWrapper name='hits'>"


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'\. Valid names: 'accuracy', 'acc', .*Did you mean 'accuracy'\?"):
        metrics.get("acuracy", (4,), (4, 1))
    with pytest.raises(TypeError, match=r"metric must be a name such as 'accuracy' or a Metric such as nnlib.metrics.AUC\(\); received 3 \(int\)"):
        metrics.get(3, (4,), (4, 1))
    with pytest.raises(TypeError, match=r"y_pred_shape must be a non-empty tuple of ints, such as \(32, 1\); received \[4, 1\] \(list\)"):
        metrics.get("accuracy", (4,), [4, 1])


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape; received y_true of shape \(2, 3\) and y_pred of shape \(2, 2\)"):
        metrics.mse(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"received y_true of shape \(2,\) and y_pred of shape \(2, 3\).*sparse_categorical_accuracy"):
        metrics.categorical_accuracy([0, 1], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\) \(3 classes\); received values from 0 to 5"):
        metrics.sparse_categorical_accuracy([0, 5], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"one class index per sample, shape \(2,\) or \(2, 1\) for y_pred of shape \(2, 3\); received y_true of shape \(3,\)"):
        metrics.sparse_categorical_accuracy([0, 1, 2], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"y_pred must have shape \(n_samples, n_classes\); received shape \(3,\)"):
        metrics.sparse_categorical_accuracy([0, 1, 2], np.zeros(3))
    with pytest.raises(TypeError, match=r"threshold must be a number; received '0\.5' \(str\)"):
        metrics.binary_accuracy([1], [0.7], threshold="0.5")
    with pytest.raises(ValueError, match=r"y_pred must have one row per sample; received"):
        metrics.mae(1.0, 2.0)


@pytest.mark.slow  # imports real Keras and JAX (about 10 s): left out of make test-fast
def test_metrics_match_keras():
    import keras

    rng = np.random.default_rng(0)
    n = 40
    probabilities = rng.random((n, 1)).astype("float32")
    probabilities[:3, 0] = 0.5  # exactly at the threshold
    bits = rng.integers(0, 2, size=n).astype("float32")
    scores = rng.random((n, 5)).astype("float32")
    labels = rng.integers(0, 5, size=n)
    targets, outputs = rng.normal(size=(n, 3)).astype("float32"), rng.normal(size=(n, 3)).astype("float32")
    cases = [
        (metrics.binary_accuracy, keras.metrics.BinaryAccuracy(), bits, probabilities),
        (metrics.sparse_categorical_accuracy, keras.metrics.SparseCategoricalAccuracy(), labels, scores),
        (metrics.categorical_accuracy, keras.metrics.CategoricalAccuracy(), np.eye(5)[labels], scores),
        (metrics.mae, keras.metrics.MeanAbsoluteError(), targets, outputs),
        (metrics.mse, keras.metrics.MeanSquaredError(), targets, outputs),
    ]
    for function, keras_metric, y_true, y_pred in cases:
        keras_metric.update_state(y_true, y_pred)
        assert function(y_true, y_pred).mean() == pytest.approx(float(keras_metric.result()), rel=1e-6)


# ---- metric objects ----------------------------------------------------------------------------
def test_metric_objects_accumulate_until_reset():
    metric = metrics.BinaryAccuracy()
    metric.update_state([1, 0], [[0.9], [0.9]])
    assert metric.result() == 0.5
    metric.update_state([1, 1], [[0.9], [0.9]])
    assert metric.result() == 0.75  # 3 correct of 4, over both batches
    metric.reset_state()
    assert metric.result() == 0
    assert metric([1], [[0.2]]) == 0.0  # calling = update + result


def test_default_names_of_auc_precision_recall_are_numbered_as_keras():
    first, second = metrics.AUC(), metrics.AUC()
    assert first.name.startswith("auc") and second.name.startswith("auc_")
    assert first.name != second.name
    assert metrics.BinaryAccuracy().name == metrics.BinaryAccuracy().name == "binary_accuracy"


def test_precision_recall_and_auc_by_hand():
    y_true = np.array([1, 1, 0, 0, 1])
    y_pred = np.array([0.9, 0.4, 0.6, 0.1, 0.8])
    # predicted positive (> 0.5): rows 0, 2, 4 -> TP 2, FP 1; FN 1 (row 1)
    assert metrics.Precision()(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.Recall()(y_true, y_pred) == pytest.approx(2 / 3)
    # every positive scores above every negative except 0.4 < 0.6: AUC = 5/6
    assert metrics.AUC(num_thresholds=1000)(y_true, y_pred) == pytest.approx(5 / 6, abs=1e-3)
    assert metrics.Precision()([0, 0], [0.1, 0.2]) == 0  # nothing predicted positive


def test_metric_objects_are_accepted_by_compile_and_name_the_history_keys():
    from nnlib import utils
    from nnlib.layers import Dense, Input
    from nnlib.models import Sequential

    utils.set_random_seed(0)
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=[metrics.AUC(name="auc"), metrics.Precision(name="prec"), "recall"])
    x = np.random.default_rng(0).normal(size=(20, 2))
    history = model.fit(x, (x[:, 0] > 0).astype(float), epochs=2, verbose=0)
    assert list(history.history) == ["auc", "loss", "prec", "recall"]
    with pytest.raises(TypeError, match=r"received the class AUC; pass an instance, AUC\(\)"):
        model.compile(optimizer="sgd", loss="mse", metrics=[metrics.AUC])


def test_auc_by_name_and_names_listed_once():
    assert isinstance(metrics.get("auc", (4,), (4, 1)), metrics.AUC)
    with pytest.raises(ValueError) as error:
        metrics.get("binary_acuracy", (4,), (4, 1))
    assert str(error.value).count("'binary_accuracy'") == 2  # listed once, suggested once


def test_a_metric_function_written_with_ops_works():
    from nnlib import ops

    def mean_squared_difference(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    metric = metrics.get(mean_squared_difference, (2, 1), (2, 1))
    metric.update_state(np.array([[1.0], [2.0]]), np.array([[0.0], [0.0]]))
    assert metric.name == "mean_squared_difference" and metric.result() == np.float32(2.5)


def test_the_newer_metrics_name_a_bad_setting_or_input():
    with pytest.raises(ValueError, match=r"Unknown FBetaScore average 'mean'. Valid "
                                         r"names: 'micro', 'macro', 'weighted'"):
        metrics.FBetaScore(average="mean")
    with pytest.raises(ValueError, match=r"PrecisionAtRecall: recall must be a number >= 0 and <= 1"):
        metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match=r"R2Score expects \(n_samples, n_outputs\) inputs"):
        metrics.R2Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"nnlib supports axis=-1 only"):
        metrics.PearsonCorrelation(axis=0)
    with pytest.raises(ValueError, match=r"sparse_top_k_categorical_accuracy: y_pred must have shape"):
        metrics.sparse_top_k_categorical_accuracy([1], [0.2, 0.8])


def test_top_k_counts_a_tie_as_in_and_f1_is_the_harmonic_mean():
    assert metrics.sparse_top_k_categorical_accuracy([2], [[0.5, 0.5, 0.5]], k=1).tolist() == [1.0]
    f1 = metrics.F1Score(average="micro", threshold=0.5)
    f1.update_state([[1], [1], [0], [0]], [[0.9], [0.2], [0.7], [0.1]])  # P = R = 1/2
    assert float(f1.result()) == pytest.approx(0.5, abs=1e-6)


def test_a_metric_written_as_keras_keeps_its_state_in_variables():
    from nnlib.metrics import Metric

    class Total(Metric):  # Keras's pattern: variables made after super().__init__()
        def __init__(self, name="total"):
            super().__init__(name=name)
            self.sum = self.add_variable(shape=(), initializer="zeros", name="sum")
            self.rows = self.add_variable(shape=(2,), initializer="ones", name="rows")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.sum.assign_add(np.sum(y_pred))
            self.rows.assign_sub([1.0, 0.0])

        def result(self):
            return self.sum / 2

    metric = Total()
    assert [v.name for v in metric.variables] == ["sum", "rows"]
    metric.update_state(None, np.array([1.0, 2.0]))
    metric.update_state(None, np.array([3.0]))
    assert float(metric.result()) == 3.0 and metric.sum.dtype == np.float32
    np.testing.assert_array_equal(metric.rows.numpy(), [-1.0, 1.0])
    metric.reset_state()  # Keras's default: every variable back to zero
    assert float(metric.sum) == 0.0 and metric.rows.numpy().tolist() == [0.0, 0.0]
