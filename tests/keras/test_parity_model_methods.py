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


def test_plot_model_draws_without_graphviz_where_keras_needs_pydot(tmp_path):
    """Keras's plot_model needs pydot and Graphviz (here, without them, it raises ImportError);
    nnlib's takes Keras's arguments and draws the picture with matplotlib."""
    import inspect

    keras_arguments = list(inspect.signature(real_keras.utils.plot_model).parameters)
    assert list(inspect.signature(nnlib.plot.plot_model).parameters) == keras_arguments
    model = build(nnlib, "functional")
    assert nnlib.utils.plot_model(model, to_file=tmp_path / "model.png", show_shapes=True,
                                  show_layer_names=True, rankdir="LR") is None  # not in IPython
    assert (tmp_path / "model.png").read_bytes()[:4] == b"\x89PNG"
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pydot"):
            real_keras.utils.plot_model(build(real_keras, "functional"), to_file=tmp_path / "k.png")


def test_build_config_rebuilds_an_unbuilt_model_as_keras():
    built = [build(lib, "sequential") for lib in (real_keras, nnlib)]
    assert built[1].get_build_config() == built[0].get_build_config() == {"input_shape": (None, 4)}
    functional = [build(lib, "functional") for lib in (real_keras, nnlib)]
    assert functional[1].get_build_config() == functional[0].get_build_config()
    unbuilt = [lib.Sequential([lib.layers.Dense(3), lib.layers.Dense(1)])
               for lib in (real_keras, nnlib)]
    assert unbuilt[1].get_build_config() is None and unbuilt[0].get_build_config() is None
    for model in unbuilt:
        model.build_from_config({"input_shape": [None, 4]})
    assert unbuilt[1].built and unbuilt[1].count_params() == unbuilt[0].count_params() == 19
    with pytest.raises(ValueError, match=r"build_from_config: expected the dict .*received 3"):
        nnlib.Sequential([nnlib.layers.Dense(1)]).build_from_config(3)


@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_compile_from_config_compiles_as_the_other_library_did(direction):
    k_model, n_model = compiled_pair("sequential")
    source, target = (n_model, build(real_keras, "sequential")) if direction == "nnlib_to_keras" \
        else (k_model, build(nnlib, "sequential"))
    target.compile_from_config(source.get_compile_config())
    assert target.compiled and target.metrics_names == source.metrics_names
    assert type(target.optimizer).__name__ == type(source.optimizer).__name__
    target.set_weights(source.get_weights())
    np.testing.assert_allclose(target.train_on_batch(X, Y), source.train_on_batch(X, Y),
                               rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match=r"compile_from_config: expected the dict .*'loss'"):
        build(nnlib, "sequential").compile_from_config({"optimizer": "sgd"})


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_compute_loss_and_metrics_match_keras(kind):
    """The pieces of Keras's custom training step: compute_loss (the compiled loss plus the
    weight penalties), compute_metrics and get_metrics_result (the running results)."""
    models = []
    for lib in (real_keras, nnlib):
        model = build(lib, kind)
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", "mae"])
        models.append(model)
    k_model, n_model = models
    n_model.set_weights(k_model.get_weights())
    y_pred = k_model.predict(X, verbose=0)
    weights = np.linspace(0, 2, len(X)).astype("float32")
    for sample_weight in (None, weights):
        np.testing.assert_allclose(
            n_model.compute_loss(X, Y, y_pred, sample_weight=sample_weight),
            np.asarray(k_model.compute_loss(X, Y, y_pred, sample_weight=sample_weight)),
            rtol=RTOL, atol=ATOL)
    for batch in (y_pred, np.clip(y_pred + 0.3, 0, 1)):
        n_result, k_result = n_model.compute_metrics(X, Y, batch), k_model.compute_metrics(
            X, Y, batch)
        assert list(n_result) == list(k_result)
        np.testing.assert_allclose(list(n_result.values()), [float(v) for v in k_result.values()],
                                   rtol=RTOL, atol=ATOL)
    k_model.fit(X, Y, epochs=1, verbose=0, shuffle=False)
    n_model.fit(X, Y, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(list(n_model.get_metrics_result().values()),
                               [float(v) for v in k_model.get_metrics_result().values()],
                               rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match=r"y_pred: .*\(12, 1\); received shape \(12, 2\)"):
        n_model.compute_loss(X, Y, np.ones((12, 2)))


def test_compute_loss_includes_the_weight_penalties_as_keras():
    models = [lib.Sequential([lib.Input((4,)), lib.layers.Dense(
        1, activation="sigmoid", kernel_regularizer=lib.regularizers.L2(0.1))])
        for lib in (real_keras, nnlib)]
    models[1].set_weights(models[0].get_weights())
    for model in models:
        model.compile(optimizer="sgd", loss="mse")
    y_pred = models[0].predict(X, verbose=0)
    np.testing.assert_allclose(models[1].compute_loss(X, Y, y_pred),
                               np.asarray(models[0].compute_loss(X, Y, y_pred)),
                               rtol=RTOL, atol=ATOL)
