"""Functional models with several inputs and outputs, as Keras's guide "The Functional API" builds
them, against real Keras 3: a loss per output (list or dict), loss_weights, metrics per output,
targets as a list or a dict, predict returning a list or a dict, and the logs' names."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import (ATOL, RTOL, assert_logs_equal, assert_same_weights, pair,  # noqa: E402
                    ticket_model)

RNG = np.random.default_rng(0)
TITLE = RNG.normal(size=(40, 6)).astype("float32")
BODY = RNG.normal(size=(40, 4)).astype("float32")
PRIORITY = RNG.random((40, 1)).astype("float32")
DEPARTMENT = np.eye(3, dtype="float32")[RNG.integers(0, 3, 40)]


def test_list_outputs_with_loss_weights_and_metrics_per_output_train_as_keras():
    k_model, n_model = pair(lambda lib: ticket_model(lib, as_dict=False), optimizer="adam",
                            loss=["binary_crossentropy", "categorical_crossentropy"],
                            loss_weights=[1.0, 0.2],
                            metrics=[["accuracy"], ["accuracy", "mae"]])
    fit = dict(epochs=3, batch_size=8, validation_split=0.25, shuffle=False, verbose=0)
    k_history = k_model.fit([TITLE, BODY], [PRIORITY, DEPARTMENT], **fit).history
    n_history = n_model.fit([TITLE, BODY], [PRIORITY, DEPARTMENT], **fit).history
    assert "priority_loss" in n_history and "val_department_mae" in n_history
    assert_logs_equal(n_history, k_history)
    assert_same_weights(n_model, k_model)
    np.testing.assert_allclose(n_model.evaluate([TITLE, BODY], [PRIORITY, DEPARTMENT], verbose=0),
                               k_model.evaluate([TITLE, BODY], [PRIORITY, DEPARTMENT], verbose=0),
                               rtol=RTOL, atol=ATOL)
    n_pred, k_pred = n_model.predict([TITLE, BODY], verbose=0), k_model.predict([TITLE, BODY],
                                                                                verbose=0)
    assert isinstance(n_pred, list) and len(n_pred) == 2
    for n_p, k_p in zip(n_pred, k_pred, strict=True):
        np.testing.assert_allclose(n_p, k_p, rtol=RTOL, atol=ATOL)
    assert n_model.metrics_names == k_model.metrics_names
    assert n_model.output_names == k_model.output_names


def test_dict_outputs_inputs_and_targets_by_name_train_as_keras():
    # the guide's second form: outputs, losses, weights, inputs and targets all by name; logits
    # outputs with from_logits losses
    k_model, n_model = pair(
        lambda lib: ticket_model(lib, as_dict=True, priority_activation=None,
                                 department_activation=None))
    # compiled with each library's own optimizer and loss objects
    for lib, model in ((real_keras, k_model), (nnlib, n_model)):
        model.compile(optimizer=lib.optimizers.RMSprop(1e-2),
                      loss={"priority": lib.losses.BinaryCrossentropy(from_logits=True),
                            "department": lib.losses.CategoricalCrossentropy(from_logits=True)},
                      loss_weights={"priority": 1.0, "department": 0.2},
                      metrics={"department": ["accuracy"]})
    x = {"title": TITLE, "body": BODY}
    y = {"priority": PRIORITY, "department": DEPARTMENT}
    fit = dict(epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert_logs_equal(n_model.fit(x, y, **fit).history, k_model.fit(x, y, **fit).history)
    assert_same_weights(n_model, k_model)
    assert_logs_equal(n_model.evaluate(x, y, verbose=0, return_dict=True),
                      k_model.evaluate(x, y, verbose=0, return_dict=True))
    n_pred, k_pred = n_model.predict(x, verbose=0), k_model.predict(x, verbose=0)
    assert isinstance(n_pred, dict) and list(n_pred) == list(k_pred)
    for name in k_pred:
        np.testing.assert_allclose(n_pred[name], k_pred[name], rtol=RTOL, atol=ATOL)


def chained_model(lib):
    """An output read by another layer: its gradient is the sum of its own loss's and the
    second output's (and softmax with cross-entropy on the second output)."""
    inputs = lib.Input((6,), name="x")
    first = lib.layers.Dense(3, activation="tanh", name="first")(inputs)
    second = lib.layers.Dense(3, activation="softmax", name="second")(first)
    return lib.Model(inputs, [first, second])


@pytest.mark.parametrize("loss", [["mse", "categorical_crossentropy"], "mse",
                                  [None, "categorical_crossentropy"]],
                         ids=["list", "one-for-all", "no-loss-for-the-first"])
def test_an_output_read_by_another_layer_sums_both_gradients_as_keras(loss):
    k_model, n_model = pair(chained_model, optimizer="sgd", loss=loss)
    y = [RNG.normal(size=(40, 3)).astype("float32"), DEPARTMENT]
    fit = dict(epochs=2, batch_size=10, shuffle=False, verbose=0)
    assert_logs_equal(n_model.fit(TITLE, y, **fit).history, k_model.fit(TITLE, y, **fit).history)
    assert_same_weights(n_model, k_model)


def test_one_batch_methods_return_keras_lists():
    k_model, n_model = pair(lambda lib: ticket_model(lib, as_dict=False), optimizer="sgd",
                            loss=["mse", "categorical_crossentropy"],
                            metrics=[["mae"], ["accuracy"]])
    x, y = [TITLE, BODY], [PRIORITY, DEPARTMENT]
    for _ in range(2):
        np.testing.assert_allclose(n_model.train_on_batch(x, y), k_model.train_on_batch(x, y),
                                   rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(n_model.test_on_batch(x, y), k_model.test_on_batch(x, y),
                               rtol=RTOL, atol=ATOL)
    for n_p, k_p in zip(n_model.predict_on_batch(x), k_model.predict_on_batch(x), strict=True):
        np.testing.assert_allclose(n_p, np.asarray(k_p), rtol=RTOL, atol=ATOL)
    assert n_model.compute_output_shape([(None, 6), (None, 4)]) == \
        k_model.compute_output_shape([(None, 6), (None, 4)])


PRIORITY_WEIGHT = RNG.random(40).astype("float32") * 2
DEPARTMENT_WEIGHT = RNG.random(40).astype("float32")


@pytest.mark.parametrize("given", ["list", "dict", "one_for_all", "one_output_unweighted"])
def test_sample_weight_per_output_weighs_each_loss_as_keras(given):
    """fit, evaluate and train_on_batch with sample_weight as Keras takes it for two outputs: a
    list or a dict with one array per output, or one array for both."""
    sample_weight = {
        "list": [PRIORITY_WEIGHT, DEPARTMENT_WEIGHT],
        "dict": {"priority": PRIORITY_WEIGHT, "department": DEPARTMENT_WEIGHT},
        "one_for_all": PRIORITY_WEIGHT,
        "one_output_unweighted": {"priority": PRIORITY_WEIGHT, "department": None},
    }[given]
    losses = ["binary_crossentropy", "categorical_crossentropy"]
    k_model, n_model = pair(lambda lib: ticket_model(lib, as_dict=given != "list"),
                            optimizer="sgd", loss=losses if given == "list" else
                            dict(zip(["priority", "department"], losses)), loss_weights=None)
    x = [TITLE, BODY]
    y = ([PRIORITY, DEPARTMENT] if given == "list" else
         {"priority": PRIORITY, "department": DEPARTMENT})
    fit = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    histories = [model.fit(x, y, sample_weight=sample_weight, **fit).history
                 for model in (k_model, n_model)]
    assert_logs_equal(histories[1], histories[0])
    assert_same_weights(n_model, k_model)
    for method in ("evaluate", "train_on_batch"):
        options = dict(verbose=0) if method == "evaluate" else {}
        np.testing.assert_allclose(
            getattr(n_model, method)(x, y, sample_weight=sample_weight, **options),
            getattr(k_model, method)(x, y, sample_weight=sample_weight, **options),
            rtol=RTOL, atol=ATOL, err_msg=method)
    # the weights change the losses: unweighted, both libraries give other numbers
    unweighted = n_model.evaluate(x, y, verbose=0)
    assert not np.allclose(unweighted, n_model.evaluate(x, y, sample_weight=sample_weight,
                                                        verbose=0))
