"""nnlib.models against real Keras 3 (JAX backend): ``keras.models.clone_model``, a functional
model nested in another (one layer of the outer model, in ``layers``, ``summary`` and ``.keras``
files) and a model whose outputs are a list of one."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import (ATOL, RTOL, assert_same_forward_and_backward, save_and_load_across,  # noqa: E402
                    summary_text, twin_models)

rng = np.random.default_rng(0)
X = rng.normal(size=(10, 4)).astype("float32")
Y2 = rng.normal(size=(10, 2)).astype("float32")


def nested(lib):
    """The Functional API guide's pattern: a model called like a layer inside another."""
    L = lib.layers
    x = lib.Input((4,), name="x")
    inner = lib.Model(x, L.Dense(3, activation="tanh", name="i1")(x), name="inner")
    a = lib.Input((4,), name="a")
    joined = L.Concatenate(name="cat")([inner(a), L.Dense(5, activation="relu", name="pre")(a)])
    return lib.Model(a, L.Dense(2, activation="softmax", name="head")(joined), name="outer")


def nested_sequential(lib):
    b = lib.Input((4,), name="b")
    stack = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, name="s1")], name="stack")
    return lib.Model(b, lib.layers.Dense(2, name="h")(stack(b)), name="wrapper")


def nested_two_outputs(lib):
    L = lib.layers
    x = lib.Input((4,), name="x")
    inner = lib.Model(x, [L.Dense(1, name="p")(x), L.Dense(2, activation="tanh", name="q")(x)],
                      name="inner")
    a = lib.Input((4,), name="a")
    p, q = inner(a)
    return lib.Model(a, L.Dense(2, name="head")(L.Concatenate(name="cat")([q, p])), name="outer")


MODELS = {
    "sequential": lambda lib: lib.Sequential(
        [lib.Input((4,), name="x"), lib.layers.Dense(5, activation="relu", name="h"),
         lib.layers.Dropout(0.2, name="drop"), lib.layers.Dense(2, name="out")], name="stack"),
    "functional": lambda lib: lib.Model(
        (a := lib.Input((4,), name="a")),
        lib.layers.Dense(2, name="out")(lib.layers.Dense(5, activation="tanh", name="h")(a)),
        name="graph"),
    "nested": nested,
    "nested_sequential": nested_sequential,
    "nested_two_outputs": nested_two_outputs,
}


def compile_settings(lib):
    return dict(optimizer=lib.optimizers.Adam(0.01), loss="mse", metrics=["mae"])


@pytest.mark.parametrize("kind", list(MODELS))
def test_clone_model_has_the_same_config_fresh_weights_and_compile_settings(kind):
    k_model, n_model = twin_models(MODELS[kind], compile_settings)
    k_clone, n_clone = keras.models.clone_model(k_model), nnlib.models.clone_model(n_model)
    assert n_clone.get_config() == n_model.get_config()
    assert [layer.name for layer in n_clone.layers] == [layer.name for layer in k_clone.layers]
    assert [type(layer).__name__ for layer in n_clone.layers] == [
        type(layer).__name__ for layer in n_model.layers]
    # fresh weights: new arrays, newly drawn (Keras draws new ones too)
    for old, new in zip(n_model.weights, n_clone.weights, strict=True):
        assert not np.shares_memory(old, new)
        if old.ndim == 2:
            assert not np.array_equal(old, new)
    assert n_clone.compiled and k_clone.compiled  # compiled as the model was, in both
    assert n_clone.get_compile_config() == n_model.get_compile_config()
    n_clone.set_weights(k_clone.get_weights())
    assert_same_forward_and_backward(k_clone, n_clone, X, Y2)


def test_clone_function_call_function_and_input_tensors_work_as_in_keras():
    """The three examples of Keras's clone_model docstring."""
    k_model, n_model = twin_models(MODELS["functional"], compile_settings)

    def add_dropout(lib):
        def call_function(layer, *args, **kwargs):
            out = layer(*args, **kwargs)
            if isinstance(layer, lib.layers.Dense):
                out = lib.layers.Dropout(0.5)(out)
            return out
        return call_function

    # each Dense followed by a new Dropout (nnlib's layers belong to one model, so the docstring's
    # clone_function=lambda layer: layer is refused, naming it: see tests/nnlib/test_models.py)
    clones = [lib.models.clone_model(model, call_function=add_dropout(lib))
              for lib, model in ((keras, k_model), (nnlib, n_model))]
    assert [type(layer).__name__ for layer in clones[1].layers] == [
        type(layer).__name__ for layer in clones[0].layers] == [
        "InputLayer", "Dense", "Dropout", "Dense", "Dropout"]
    clones[1].set_weights(clones[0].get_weights())
    np.testing.assert_allclose(clones[1].predict(X, verbose=0),
                               np.asarray(clones[0].predict(X, verbose=0)), rtol=RTOL, atol=ATOL)

    # a clone_function that sets a Dropout's seed, and the clone built on given Input tensors
    def seeded(lib):
        def clone_function(layer):
            if isinstance(layer, lib.layers.Dropout):
                return lib.layers.Dropout(layer.rate, seed=1337, name=layer.name)
            return layer.__class__.from_config(layer.get_config()) if lib is keras else \
                nnlib.saving.clone_layer(layer)
        return clone_function

    k_seq, n_seq = twin_models(MODELS["sequential"], compile_settings)
    clones = [lib.models.clone_model(model, clone_function=seeded(lib),
                                     input_tensors=lib.Input((4,), name="given"))
              for lib, model in ((keras, k_seq), (nnlib, n_seq))]
    assert clones[1].get_layer("drop").seed == clones[0].get_layer("drop").seed == 1337
    assert clones[1].get_config()["layers"][0]["config"]["name"] == "given"
    clones[1].set_weights(clones[0].get_weights())
    assert_same_forward_and_backward(clones[0], clones[1], X, Y2)


@pytest.mark.parametrize("build", [nested, nested_sequential, nested_two_outputs])
def test_a_nested_model_is_one_layer_of_the_outer_as_in_keras(build):
    k_model, n_model = twin_models(build, compile_settings)
    assert [layer.name for layer in n_model.layers] == [layer.name for layer in k_model.layers]
    assert summary_text(n_model) == summary_text(k_model)
    assert_same_forward_and_backward(k_model, n_model, X, Y2)


@pytest.mark.parametrize("build", [nested, nested_sequential, nested_two_outputs])
@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_a_nested_functional_model_crosses_as_one_layer_both_ways(build, direction, tmp_path):
    k_model, n_model = twin_models(build, compile_settings)
    n_model, k_model = save_and_load_across(direction, n_model, k_model, tmp_path / "m.keras")
    assert [layer.name for layer in n_model.layers] == [layer.name for layer in k_model.layers]
    # the table (below it, Keras counts the optimizer it builds when loading)
    assert table(n_model) == table(k_model)
    np.testing.assert_allclose(n_model.predict(X, verbose=0),
                               np.asarray(k_model.predict(X, verbose=0)), rtol=RTOL, atol=ATOL)


def table(model):
    return summary_text(model).split(" Total params")[0]


def one_output_in_a_list(lib):
    a = lib.Input((4,), name="a")
    return lib.Model(a, [lib.layers.Dense(2, name="only")(lib.layers.Dense(3, name="h")(a))])


@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_outputs_given_as_a_list_of_one_stay_a_list_as_in_keras(direction, tmp_path):
    """Keras 3 keeps ``model.output`` (and the file's ``output_layers``) a list of one, while
    ``predict`` returns the array itself."""
    k_model, n_model = twin_models(one_output_in_a_list, compile_settings)
    assert isinstance(n_model.output, list) and isinstance(k_model.output, list)
    assert n_model.get_config()["output_layers"] == k_model.get_config()["output_layers"]
    n_model, k_model = save_and_load_across(direction, n_model, k_model, tmp_path / "m.keras")
    assert len(n_model.output) == len(k_model.output) == 1
    assert n_model.get_config()["output_layers"] == k_model.get_config()["output_layers"]
    n_pred, k_pred = n_model.predict(X, verbose=0), k_model.predict(X, verbose=0)
    assert type(n_pred) is type(k_pred) is np.ndarray
    np.testing.assert_allclose(n_pred, k_pred, rtol=RTOL, atol=ATOL)
    clone = nnlib.models.clone_model(n_model)
    assert isinstance(clone.output, list)
