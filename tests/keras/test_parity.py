"""nnlib gives real Keras 3's numbers (JAX backend): same initial weights in, same results out.

Each test builds one small network twice from the same code, once with Keras and once with nnlib,
copies Keras's random initial weights into nnlib with ``set_weights``, then compares predictions,
losses, gradients (Keras's from ``jax.value_and_grad``) and whole 5-epoch ``History`` objects.
Tolerance rtol 1e-5 (float32 arithmetic in a different order differs in the last digits).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib.layers  # noqa: E402
import nnlib.losses  # noqa: E402
import nnlib.models  # noqa: E402
import nnlib.optimizers  # noqa: E402
from parity import ATOL, RTOL, assert_same_fit, keras_loss_and_gradients  # noqa: E402

assert keras.backend.backend() == "jax", "tests/conftest.py must set KERAS_BACKEND=jax first"

N_FEATURES, N_EXTRA = 4, 3


class _Lib:
    """The names a model-building function needs, for Keras or for nnlib."""

    def __init__(self, layers, sequential, model, input_fn):
        self.layers, self.Sequential, self.Model, self.Input = layers, sequential, model, input_fn


KERAS = _Lib(keras.layers, keras.Sequential, keras.Model, keras.Input)
NNLIB = _Lib(nnlib.layers, nnlib.models.Sequential, nnlib.models.Model, nnlib.layers.Input)


def build(lib, kind, hidden_activation, out_units, out_activation):
    """The same architecture in either library; layer names are fixed so weights can be matched."""
    L = lib.layers
    if kind == "sequential":
        return lib.Sequential([
            lib.Input((N_FEATURES,)),
            L.Dense(5, activation=hidden_activation, name="hidden"),
            L.Dense(out_units, activation=out_activation, name="out"),
        ])
    a, b = lib.Input((N_FEATURES,)), lib.Input((N_EXTRA,))
    h1 = L.Dense(5, activation=hidden_activation, name="h1")(a)
    h2 = L.Dense(5, activation="tanh", name="h2")(b)
    both = L.Add(name="add")([h1, h2])
    joined = L.Concatenate(name="cat")([both, a])
    out = L.Dense(out_units, activation=out_activation, name="out")(joined)
    return lib.Model([a, b], out)


def twin_models(kind, hidden_activation, out_units, out_activation, seed=0):
    keras.utils.set_random_seed(seed)
    k_model = build(KERAS, kind, hidden_activation, out_units, out_activation)
    n_model = build(NNLIB, kind, hidden_activation, out_units, out_activation)
    by_name = {layer.name: layer for layer in n_model.layers}
    for layer in k_model.layers:
        if layer.weights:
            by_name[layer.name].set_weights([np.asarray(w.value) for w in layer.weights])
    return k_model, n_model


def inputs(kind, n, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_FEATURES)).astype("float32")
    if kind == "sequential":
        return x
    return [x, rng.normal(size=(n, N_EXTRA)).astype("float32")]


def targets(target, n, units, seed=2):
    rng = np.random.default_rng(seed)
    if target == "real":
        return rng.normal(size=(n, units)).astype("float32")
    if target == "binary":
        return rng.integers(0, 2, size=n).astype("float32")
    labels = rng.integers(0, units, size=n)
    if target == "sparse":
        return labels.astype("int32")  # JAX's default integer width
    return np.eye(units, dtype="float32")[labels]


def assert_gradients_match(k_model, n_model, k_loss, n_loss, x, y):
    k_value, k_grads = keras_loss_and_gradients(k_model, k_loss, x, y)
    n_model.compile(optimizer="sgd", loss=n_loss)
    n_value, n_grads = n_model.compute_loss_and_gradients(x, y)
    assert n_value == pytest.approx(k_value, rel=RTOL)
    assert sorted(k_grads) == sorted(n_model.weight_paths)
    for path, grad in zip(n_model.weight_paths, n_grads):
        np.testing.assert_allclose(grad, k_grads[path], rtol=RTOL, atol=ATOL, err_msg=path)


# ---- forward pass and gradients, every activation --------------------------------------------
# Keras has no dsilu (the course's own example of a derivative as an activation), so it is left
# out here and checked by finite differences in tests/nnlib/test_gradients.py.
ACTIVATIONS = ["relu", "sigmoid", "tanh", "hard_sigmoid", "silu", "softmax", "linear"]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_predictions_and_gradients_match_keras_for_every_activation(kind, activation):
    k_model, n_model = twin_models(kind, activation, 3, activation)
    x, y = inputs(kind, 12), targets("real", 12, 3)
    k_pred = np.asarray(k_model(x))
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_pred, rtol=RTOL, atol=ATOL)
    assert_gradients_match(k_model, n_model, keras.losses.MeanSquaredError(),
                           nnlib.losses.MeanSquaredError(), x, y)


# ---- every loss Keras has (sse and rmse are nnlib's own) --------------------------------------
LOSSES = [
    # (keras loss, nnlib loss, output units, output activation, target kind)
    ("mse", lambda: keras.losses.MeanSquaredError(), lambda: nnlib.losses.get("mse"), 3, None,
     "real"),
    ("mae", lambda: keras.losses.MeanAbsoluteError(), lambda: nnlib.losses.get("mae"), 3, None,
     "real"),
    ("bce", lambda: keras.losses.BinaryCrossentropy(), lambda: nnlib.losses.BinaryCrossentropy(),
     1, "sigmoid", "binary"),
    ("bce_logits", lambda: keras.losses.BinaryCrossentropy(from_logits=True),
     lambda: nnlib.losses.BinaryCrossentropy(from_logits=True), 1, None, "binary"),
    ("cce", lambda: keras.losses.CategoricalCrossentropy(),
     lambda: nnlib.losses.CategoricalCrossentropy(), 3, "softmax", "categorical"),
    ("cce_logits", lambda: keras.losses.CategoricalCrossentropy(from_logits=True),
     lambda: nnlib.losses.CategoricalCrossentropy(from_logits=True), 3, None, "categorical"),
    ("sparse_cce", lambda: keras.losses.SparseCategoricalCrossentropy(),
     lambda: nnlib.losses.SparseCategoricalCrossentropy(), 3, "softmax", "sparse"),
    ("sparse_cce_logits", lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True),
     lambda: nnlib.losses.SparseCategoricalCrossentropy(from_logits=True), 3, None, "sparse"),
]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("case", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_and_gradients_match_keras_for_every_loss(kind, case):
    _, k_loss, n_loss, units, out_activation, target = case
    k_model, n_model = twin_models(kind, "tanh", units, out_activation)
    x, y = inputs(kind, 12), targets(target, 12, units)
    assert_gradients_match(k_model, n_model, k_loss(), n_loss(), x, y)


def test_binary_crossentropy_clips_saturated_probabilities_like_keras():
    y_true = np.array([1.0, 0.0, 1.0], dtype="float32")
    y_pred = np.array([[0.0], [1.0], [0.5]], dtype="float32")
    expected = float(keras.losses.BinaryCrossentropy()(y_true, y_pred))
    assert float(nnlib.losses.BinaryCrossentropy()(y_true, y_pred)) == pytest.approx(expected,
                                                                                     rel=RTOL)


# ---- whole training runs: History and final weights -------------------------------------------
def _optimizers(name):
    settings = {
        "sgd": ("SGD", {"learning_rate": 0.1}),
        "momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
        "nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
        "adam": ("Adam", {"learning_rate": 0.01}),
    }
    cls, kwargs = settings[name]
    return getattr(keras.optimizers, cls)(**kwargs), getattr(nnlib.optimizers, cls)(**kwargs)


HISTORIES = [
    # (id, model kind, optimizer, loss name, output units, output activation, target, metrics)
    ("binary-sgd", "sequential", "sgd", "binary_crossentropy", 1, "sigmoid", "binary",
     ["accuracy"]),
    ("categorical-momentum", "sequential", "momentum", "categorical_crossentropy", 3, "softmax",
     "categorical", ["accuracy"]),
    ("sparse-nesterov", "sequential", "nesterov", "sparse_categorical_crossentropy", 3, "softmax",
     "sparse", ["accuracy"]),
    ("regression-adam", "sequential", "adam", "mse", 2, None, "real", ["mae"]),
    ("functional-sparse-adam", "functional", "adam", "sparse_categorical_crossentropy", 3,
     "softmax", "sparse", ["accuracy"]),
    ("functional-binary-momentum", "functional", "momentum", "binary_crossentropy", 1, "sigmoid",
     "binary", ["accuracy"]),
]


@pytest.mark.parametrize("case", HISTORIES, ids=[c[0] for c in HISTORIES])
def test_five_epochs_with_validation_split_match_keras(case):
    _, kind, optimizer, loss, units, out_activation, target, metrics = case
    k_model, n_model = twin_models(kind, "relu", units, out_activation)
    k_opt, n_opt = _optimizers(optimizer)
    k_model.compile(optimizer=k_opt, loss=loss, metrics=metrics)
    n_model.compile(optimizer=n_opt, loss=loss, metrics=metrics)
    # 50 rows: 40 train in batches of 16, 16, 8 (the partial batch is kept), 10 validate
    x, y = inputs(kind, 50), targets(target, 50, units)
    fit = dict(batch_size=16, epochs=5, validation_split=0.2, shuffle=False, verbose=0)
    assert_same_fit(k_model, n_model, x, y, **fit)
    np.testing.assert_allclose(n_model.evaluate(x, y, verbose=0),
                               k_model.evaluate(x, y, verbose=0), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
def test_optimizer_steps_match_keras(optimizer):
    """Three steps of each optimizer from the same weights and gradients give the same weights."""
    k_opt, n_opt = _optimizers(optimizer)
    rng = np.random.default_rng(3)
    start = rng.normal(size=(4, 3)).astype("float32")
    k_var = keras.Variable(start.copy())
    n_var = start.copy()
    for _ in range(3):
        grad = rng.normal(size=(4, 3)).astype("float32")
        k_opt.apply_gradients([(grad, k_var)])
        n_opt.apply_gradients([(grad, n_var)])
    np.testing.assert_allclose(n_var, np.asarray(k_var.value), rtol=RTOL, atol=ATOL)
    assert n_opt.iterations == int(k_opt.iterations.value) == 3


@pytest.mark.parametrize(
    "target, units, out_activation, loss, expected_metric",
    [
        ("binary", 1, "sigmoid", "binary_crossentropy", "binary_accuracy"),
        ("categorical", 3, "softmax", "categorical_crossentropy", "categorical_accuracy"),
        ("sparse", 3, "softmax", "sparse_categorical_crossentropy", "sparse_categorical_accuracy"),
        # Keras picks from shapes, not from the loss: one-hot targets with an MSE loss still get
        # categorical accuracy
        ("categorical", 3, "softmax", "mse", "categorical_accuracy"),
    ],
)
def test_accuracy_is_resolved_from_shapes_like_keras(target, units, out_activation, loss,
                                                      expected_metric):
    k_model, n_model = twin_models("sequential", "tanh", units, out_activation)
    x, y = inputs("sequential", 20), targets(target, 20, units)
    k_model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    n_model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    k_acc = k_model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"]
    n_acc = n_model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"]
    assert n_acc == pytest.approx(k_acc, rel=RTOL)
    # the same rule, computed by hand, to show which accuracy Keras (and nnlib) picked
    p = np.asarray(k_model.predict(x, verbose=0))
    by_hand = {
        "binary_accuracy": lambda: np.mean((p[:, 0] > 0.5) == (y > 0.5)),
        "categorical_accuracy": lambda: np.mean(p.argmax(1) == np.asarray(y).argmax(1)),
        "sparse_categorical_accuracy": lambda: np.mean(p.argmax(1) == y),
    }[expected_metric]()
    assert n_acc == pytest.approx(by_hand)
