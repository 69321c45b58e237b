"""keras.Model's one-batch methods, its architecture as data (get_config / from_config / to_json /
model_from_json, both ways) and the small methods beginners call, against real Keras 3."""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402

X = np.random.default_rng(0).normal(size=(12, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def build(lib, kind):
    if kind == "sequential":
        return lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="elu", name="h"),
                               lib.layers.Dense(1, activation="sigmoid", name="out")])
    inputs = lib.Input((4,), name="x")
    hidden = lib.layers.Dense(5, activation="tanh", name="h")(inputs)
    return lib.Model(inputs, lib.layers.Dense(1, activation="sigmoid", name="out")(hidden))


def compiled_pair(kind):
    models = [build(lib, kind) for lib in (real_keras, nnlib)]
    models[1].set_weights(models[0].get_weights())
    for model in models:
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return models


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_train_test_and_predict_on_batch_match_keras(kind):
    k_model, n_model = compiled_pair(kind)
    for _ in range(3):
        np.testing.assert_allclose(n_model.train_on_batch(X, Y), k_model.train_on_batch(X, Y),
                                   rtol=RTOL, atol=ATOL)
    assert n_model.train_on_batch(X, Y, return_dict=True).keys() == \
        k_model.train_on_batch(X, Y, return_dict=True).keys()
    np.testing.assert_allclose(n_model.test_on_batch(X, Y), k_model.test_on_batch(X, Y),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(n_model.predict_on_batch(X), np.asarray(k_model.predict_on_batch(X)),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(n_model.get_weights()[0], k_model.get_weights()[0], rtol=1e-4,
                               atol=1e-6)
    assert n_model.metrics_names == k_model.metrics_names
    n_model.reset_metrics()
    k_model.reset_metrics()
    np.testing.assert_allclose(n_model.call(X), np.asarray(k_model(X)), rtol=RTOL, atol=ATOL)
    assert n_model.compute_output_shape((None, 4)) == k_model.compute_output_shape((None, 4))


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_architecture_crosses_as_json_and_config(kind, direction):
    source_lib, target_lib = ((nnlib, real_keras) if direction == "nnlib_to_keras"
                              else (real_keras, nnlib))
    source = build(source_lib, kind)
    text = source.to_json()
    assert json.loads(text)["class_name"] in ("Sequential", "Functional")
    copies = [target_lib.models.model_from_json(text),
              type(source).from_config(source.get_config()) if source_lib is nnlib else
              (nnlib.Sequential if kind == "sequential" else nnlib.Model).from_config(
                  source.get_config())]
    for copy in copies:
        copy.set_weights(source.get_weights())
        assert [w.shape for w in copy.get_weights()] == [w.shape for w in source.get_weights()]
        np.testing.assert_allclose(np.asarray(copy.predict(X, verbose=0)),
                                   np.asarray(source.predict(X, verbose=0)), rtol=RTOL, atol=ATOL)


def test_compile_config_names_what_keras_names():
    k_model, n_model = compiled_pair("sequential")
    k_config, n_config = k_model.get_compile_config(), n_model.get_compile_config()
    assert n_config["loss"] == k_config["loss"] and n_config["metrics"] == k_config["metrics"]
    assert n_config["optimizer"]["class_name"] == k_config["optimizer"]["class_name"]
