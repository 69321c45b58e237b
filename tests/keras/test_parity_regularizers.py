"""Weight penalties (``kernel_regularizer``, ``bias_regularizer``) give real Keras 3's numbers (JAX).

The penalties themselves on the same arrays; the loss and gradients Keras gets by autodiff of the
loss plus ``model.losses``; whole ``fit`` runs (History: the loss reported includes the
penalties, as Keras's; validation and ``evaluate`` too) from the same initial weights; and
``.keras`` files both ways. Tolerances as in test_parity.py (rtol 1e-5, float32).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import saving  # noqa: E402
from parity import ATOL, RTOL, assert_same_fit  # noqa: E402

# (id, kernel regularizer, bias regularizer): a function of the library, or a name
CASES = [
    ("l2-kernel", lambda lib: lib.regularizers.L2(0.01), lambda lib: None),
    ("l1-kernel-l2-bias", lambda lib: lib.regularizers.L1(0.02), lambda lib: lib.regularizers.L2(0.1)),
    ("l1l2-both", lambda lib: lib.regularizers.L1L2(l1=0.01, l2=0.03),
     lambda lib: lib.regularizers.L1L2(l1=0.005)),
    ("names", lambda lib: "l2", lambda lib: "l1"),
    ("lowercase-aliases", lambda lib: lib.regularizers.l1_l2(l1=0.01, l2=0.01),
     lambda lib: lib.regularizers.l2(0.05)),
]


def twins(case, out_activation="sigmoid", out_units=1):
    _, kernel, bias = case

    def build(lib):
        return lib.Sequential([
            lib.Input((4,)),
            lib.layers.Dense(8, activation="relu", name="hidden", kernel_regularizer=kernel(lib),
                             bias_regularizer=bias(lib)),
            lib.layers.Dense(out_units, activation=out_activation, name="out",
                             kernel_regularizer=kernel(lib)),
        ])

    keras.utils.set_random_seed(0)
    k_model, n_model = build(keras), build(nnlib)
    # biases start at 1, not 0, so that the bias penalties and their gradients are not zero
    weights = [w if w.ndim == 2 else w + 1 for w in k_model.get_weights()]
    k_model.set_weights(weights)
    n_model.set_weights(weights)
    return k_model, n_model


def data(n=48, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] - x[:, 1] > 0).astype("float32")


@pytest.mark.parametrize("name", ["L1", "L2", "L1L2"])
def test_penalties_match_keras(name):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 3)).astype("float32")
    kwargs = {"L1": {"l1": 0.03}, "L2": {"l2": 0.07}, "L1L2": {"l1": 0.02, "l2": 0.05}}[name]
    k_reg, n_reg = getattr(keras.regularizers, name)(**kwargs), getattr(nnlib.regularizers, name)(**kwargs)
    np.testing.assert_allclose(n_reg(w), np.asarray(k_reg(w)), rtol=RTOL)
    k_grad = np.asarray(jax.grad(lambda v: k_reg(v))(w))
    np.testing.assert_allclose(n_reg.gradient(w), k_grad, rtol=RTOL, atol=ATOL)
    assert n_reg.get_config() == k_reg.get_config()
    assert nnlib.regularizers.serialize(n_reg) == keras.regularizers.serialize(k_reg)


@pytest.mark.parametrize("identifier", ["l1", "l2", "L1", "L2", "L1L2", "l1l2"])
def test_names_resolve_as_keras_resolves_them(identifier):
    k_reg, n_reg = keras.regularizers.get(identifier), nnlib.regularizers.get(identifier)
    assert type(n_reg).__name__ == type(k_reg).__name__
    assert n_reg.get_config() == k_reg.get_config()


def test_the_name_l1_l2_is_refused_as_keras_refuses_it():
    with pytest.raises(ValueError):
        keras.regularizers.get("l1_l2")
    with pytest.raises(ValueError, match="L1L2"):
        nnlib.regularizers.get("l1_l2")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_and_gradients_include_the_penalties_as_keras(case):
    k_model, n_model = twins(case)
    x, y = data()
    k_loss = keras.losses.BinaryCrossentropy()
    trainable = [v.value for v in k_model.trainable_variables]

    def loss_of(weights):
        y_pred, _, losses = k_model.stateless_call(weights, [], x, return_losses=True)
        return k_loss(y, y_pred) + sum(losses)

    value, grads = jax.value_and_grad(loss_of)(trainable)
    n_model.compile(optimizer="sgd", loss="binary_crossentropy")
    n_value, n_grads = n_model.compute_loss_and_gradients(x, y)
    assert n_value == pytest.approx(float(value), rel=RTOL)
    for n_g, k_g in zip(n_grads, grads):
        np.testing.assert_allclose(n_g, np.asarray(k_g), rtol=RTOL, atol=ATOL)
    assert sum(float(p) for p in n_model.losses) == pytest.approx(
        float(sum(k_model.losses)), rel=RTOL)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_fit_and_evaluate_report_the_loss_with_penalties_as_keras(case, optimizer):
    k_model, n_model = twins(case)
    kwargs = {"learning_rate": 0.1} if optimizer == "SGD" else {"learning_rate": 0.02}
    k_model.compile(optimizer=getattr(keras.optimizers, optimizer)(**kwargs),
                    loss="binary_crossentropy", metrics=["accuracy"])
    n_model.compile(optimizer=getattr(nnlib.optimizers, optimizer)(**kwargs),
                    loss="binary_crossentropy", metrics=["accuracy"])
    x, y = data()
    assert_same_fit(k_model, n_model, x, y, epochs=5, batch_size=16, validation_split=0.25,
                    shuffle=False, verbose=0, weights=False)
    # Adam divides each step by the gradient's running size, so a weight hovering at L1's kink
    # (where its gradient nearly cancels) amplifies float32 rounding: atol 1e-5 on the weights
    for n_w, k_w in zip(n_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(n_w, k_w, rtol=1e-4, atol=1e-6 if optimizer == "SGD" else 1e-5)
    np.testing.assert_allclose(n_model.evaluate(x, y, verbose=0), k_model.evaluate(x, y, verbose=0),
                               rtol=RTOL, atol=ATOL)


def test_a_frozen_layers_penalty_is_left_out_as_keras():
    k_model, n_model = twins(CASES[1])
    for model in (k_model, n_model):
        model.layers[0].trainable = False
    x, y = data()
    k_model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    n_model.compile(optimizer=nnlib.optimizers.SGD(0.1), loss="binary_crossentropy")
    assert_same_fit(k_model, n_model, x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_keras_files_keep_the_regularizers_both_ways(case, tmp_path):
    k_model, n_model = twins(case)
    x, y = data()
    for model, lib in ((k_model, keras), (n_model, nnlib)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="binary_crossentropy")
    k_model.save(tmp_path / "keras.keras")
    saving.save_model(n_model, tmp_path / "nnlib.keras")
    from_keras = saving.load_model(tmp_path / "keras.keras")
    from_nnlib = keras.saving.load_model(tmp_path / "nnlib.keras")
    for loaded, original in ((from_keras, k_model), (from_nnlib, n_model)):
        for layer, source in zip(loaded.layers, original.layers):
            for attribute in ("kernel_regularizer", "bias_regularizer"):
                mine, theirs = getattr(layer, attribute), getattr(source, attribute)
                assert type(mine).__name__ == type(theirs).__name__
                if mine is not None:
                    assert mine.get_config() == theirs.get_config()
    # and they train alike: the penalties came through
    assert_same_fit(from_nnlib, from_keras, x, y, epochs=2, batch_size=16, shuffle=False,
                    verbose=0)
