"""keras.regularizers: each penalty's value and configuration, and a fit with kernel and bias
penalties, against real Keras 3."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402

W = np.array([[0.5, -1.5], [2.0, 0.0]], dtype="float32")
CASES = [("L1", {"l1": 0.3}), ("L2", {"l2": 0.2}), ("L1L2", {"l1": 0.1, "l2": 0.4}),
         ("l1", {}), ("l2", {}), ("l1_l2", {"l1": 0.1, "l2": 0.4})]


@pytest.mark.parametrize("name,options", CASES, ids=[c[0] for c in CASES])
def test_penalties_and_configs_match_keras(name, options):
    n_reg = getattr(nnlib.regularizers, name)(**options)
    k_reg = getattr(real_keras.regularizers, name)(**options)
    np.testing.assert_allclose(n_reg(W), np.asarray(k_reg(W)), rtol=RTOL, atol=ATOL)
    assert n_reg.get_config() == pytest.approx(k_reg.get_config())
    config = nnlib.regularizers.serialize(n_reg)
    assert type(nnlib.regularizers.deserialize(config)) is type(n_reg)
    assert type(nnlib.regularizers.get(config)) is type(n_reg)
    assert isinstance(n_reg, nnlib.regularizers.Regularizer)


def test_fit_with_kernel_and_bias_penalties_matches_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = rng.normal(size=(40, 1)).astype("float32")
    models = []
    for lib in (real_keras, nnlib):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(
            4, activation="tanh", kernel_regularizer=lib.regularizers.L2(0.05),
            bias_regularizer="l2"), lib.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    histories = [m.fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0).history["loss"]
                 for m in models]
    np.testing.assert_allclose(histories[1], histories[0], rtol=RTOL, atol=ATOL)
    for n_w, k_w in zip(models[1].get_weights(), models[0].get_weights()):
        np.testing.assert_allclose(n_w, k_w, rtol=1e-4, atol=1e-6)
