"""Keras's other optimizers for dense weights (Nadam, Adamax, AdamW, Adadelta, Lion, Ftrl,
Adafactor, Lamb) against real Keras 3: the same steps from the same weights and gradients, the same state in Keras's order (what
.keras files keep), and a whole fit."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import assert_same_fit, assert_same_steps, twin_models  # noqa: E402

CASES = [("Nadam", {}), ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8}), ("Adamax", {}),
         ("Adamax", {"learning_rate": 0.02, "beta_2": 0.9}), ("AdamW", {}),
         ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}), ("Adadelta", {}),
         ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}), ("Lion", {}),
         ("Lion", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}), ("Ftrl", {}),
         ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7,
                   "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.02,
                   "l2_shrinkage_regularization_strength": 0.01, "beta": 0.3,
                   "initial_accumulator_value": 0.2}),
         ("Adafactor", {}),
         ("Adafactor", {"learning_rate": 0.05, "beta_2_decay": -0.5, "epsilon_2": 0.01,
                        "clip_threshold": 0.5, "relative_step": False}),
         ("Lamb", {}), ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99})]
IDS = [f"{name}{options}" for name, options in CASES]


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_steps_and_state_match_keras(name, options):
    k_opt = getattr(keras.optimizers, name)(**options)
    n_opt = getattr(nnlib.optimizers, name)(**options)
    n_vars = assert_same_steps(k_opt, n_opt)
    k_state = [np.asarray(v.value) for v in k_opt.variables]
    n_state = n_opt.keras_variables(n_vars)
    assert [s.shape for s in n_state] == [s.shape for s in k_state]
    for n_s, k_s in zip(n_state, k_state):
        np.testing.assert_allclose(n_s, k_s, rtol=1e-5, atol=1e-6)
    if name != "Lamb":  # which Keras's get() does not know by name
        assert type(nnlib.optimizers.get(name.lower())) is type(n_opt)
    config = k_opt.get_config()
    assert {k: config[k] for k in n_opt.get_config()} == pytest.approx(n_opt.get_config())


@pytest.mark.parametrize("name", ["nadam", "adamax", "adamw", "adadelta", "lion", "ftrl",
                                  "adafactor", "Lamb"])
def test_five_epochs_of_fit_by_name_match_keras(name):
    """By Keras's lower-case name; Lamb, which Keras's get() does not know, as an instance."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")
    models = twin_models(lambda lib: lib.Sequential([lib.Input((4,)),
                                                     lib.layers.Dense(6, activation="relu"),
                                                     lib.layers.Dense(1, activation="sigmoid")]),
                         lambda lib: dict(optimizer=getattr(lib.optimizers, name)() if name
                                          == "Lamb" else name, loss="binary_crossentropy",
                                          metrics=["accuracy"]))
    assert_same_fit(*models, x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)


def test_lamb_is_not_a_name_keras_takes():
    with pytest.raises(ValueError):
        keras.optimizers.get("lamb")
    with pytest.raises(ValueError, match="Unknown optimizer 'lamb'"):
        nnlib.optimizers.get("lamb")
