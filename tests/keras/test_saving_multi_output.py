"""Models with several outputs (a list or a dict) cross between nnlib and real Keras 3 (JAX
backend), as Keras's guide "Save, serialize, and export models" saves the Functional API's: whole
``.keras`` files, weight files, ``to_json`` and ``get_config``, with the compile settings (a loss,
loss weight and metrics per output) and the optimizer's state, so training goes on in the other
library as it would have in the first."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import saving  # noqa: E402
from parity import (ATOL, RTOL, assert_logs_equal, assert_same_weights, load_in_keras,  # noqa: E402
                    pair, save_and_load_across, ticket_model)

RNG = np.random.default_rng(3)
TITLE = RNG.normal(size=(24, 6)).astype("float32")
BODY = RNG.normal(size=(24, 4)).astype("float32")
PRIORITY = RNG.random((24, 1)).astype("float32")
DEPARTMENT = np.eye(3, dtype="float32")[RNG.integers(0, 3, 24)]
FIT = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)


def data(as_dict):
    """The inputs and targets, by name for the model whose outputs are a dict."""
    if as_dict:
        return [TITLE, BODY], {"priority": PRIORITY, "department": DEPARTMENT}
    return [TITLE, BODY], [PRIORITY, DEPARTMENT]


def compile_alike(k_model, n_model, as_dict):
    """Each output its loss, weight and metrics, in the form (list or dict) of the outputs; an
    optimizer with state (momentum, or Adam's moments) to carry over."""
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        if as_dict:
            model.compile(optimizer=lib.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                          loss={"priority": "binary_crossentropy",
                                "department": "categorical_crossentropy"},
                          loss_weights={"priority": 1.0, "department": 0.2},
                          metrics={"department": ["accuracy", "mae"]})
        else:
            model.compile(optimizer=lib.optimizers.Adam(0.01),
                          loss=["binary_crossentropy", "categorical_crossentropy"],
                          loss_weights=[1.0, 0.2], metrics=[["accuracy"], ["accuracy", "mae"]])


def assert_same_outputs(n_model, k_model, x):
    n_pred, k_pred = n_model.predict(x, verbose=0), k_model.predict(x, verbose=0)
    assert type(n_pred) is type(k_pred)
    for key in (sorted(k_pred) if isinstance(k_pred, dict) else range(len(k_pred))):
        np.testing.assert_allclose(n_pred[key], k_pred[key], rtol=RTOL, atol=ATOL)


def same_compile_settings(config):
    return {key: config[key] for key in ("loss", "loss_weights", "metrics")}


@pytest.mark.parametrize("how", ["save", "save_weights"])
@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
@pytest.mark.parametrize("as_dict", [False, True], ids=["list", "dict"])
def test_training_resumes_in_the_other_library_with_several_outputs(as_dict, direction, how,
                                                                     tmp_path):
    """Both libraries train two epochs from the same weights; one saves (the whole model, or its
    weights with the optimizer's state into a model compiled alike), the other opens the file:
    the same predictions, evaluate numbers and compile settings, then the same History and
    weights over two more epochs as the saver's."""
    keras.utils.set_random_seed(0)
    k_model, n_model = pair(lambda lib: ticket_model(lib, as_dict))
    compile_alike(k_model, n_model, as_dict)
    x, y = data(as_dict)
    assert_logs_equal(n_model.fit(x, y, **FIT).history, k_model.fit(x, y, **FIT).history)
    if how == "save":
        n_model, k_model = save_and_load_across(direction, n_model, k_model, tmp_path / "m.keras")
        assert (same_compile_settings(n_model.get_compile_config())
                == same_compile_settings(k_model.get_compile_config()))
    else:
        keras.utils.set_random_seed(7)
        k_fresh, n_fresh = pair(lambda lib: ticket_model(lib, as_dict))  # other weights
        compile_alike(k_fresh, n_fresh, as_dict)
        if direction == "nnlib_to_keras":
            n_model.save_weights(tmp_path / "m.weights.h5")
            k_model = k_fresh
            k_model.optimizer.build(k_model.trainable_variables)  # Keras reads state if built
            k_model.load_weights(tmp_path / "m.weights.h5")
        else:
            k_model.save_weights(tmp_path / "m.weights.h5")
            n_model = n_fresh
            n_model.load_weights(tmp_path / "m.weights.h5")
    assert int(k_model.optimizer.iterations) == n_model.optimizer.iterations == 6
    assert_same_outputs(n_model, k_model, x)
    assert_logs_equal(n_model.evaluate(x, y, verbose=0, return_dict=True),
                      k_model.evaluate(x, y, verbose=0, return_dict=True))
    assert_logs_equal(n_model.fit(x, y, **FIT).history, k_model.fit(x, y, **FIT).history)
    assert_same_weights(n_model, k_model)


@pytest.mark.parametrize("as_dict", [False, True], ids=["list", "dict"])
def test_the_architecture_crosses_as_json_and_config(as_dict):
    """to_json / model_from_json and get_config / from_config, both ways: Keras's inputs and
    outputs entries, and copies that, given the weights, predict the same list or dict."""
    keras.utils.set_random_seed(1)
    k_model, n_model = pair(lambda lib: ticket_model(lib, as_dict))
    x, _ = data(as_dict)
    k_config, n_config = k_model.get_config(), n_model.get_config()
    for key in ("trainable", "input_layers", "output_layers"):  # not "name": each numbers its own
        assert n_config.get(key) == k_config.get(key), key
    assert ([layer["name"] for layer in n_config["layers"]]
            == [layer["name"] for layer in k_config["layers"]])
    copies = [(nnlib.models.model_from_json(k_model.to_json()), k_model),
              (nnlib.models.Model.from_config(k_config), k_model),
              (n_model, keras.models.model_from_json(n_model.to_json())),
              (n_model, keras.Model.from_config(n_config))]
    for n_copy, k_copy in copies:
        for layer in k_copy.layers:  # a fresh copy has fresh weights: Keras's, by name
            n_copy.get_layer(layer.name).set_weights(k_model.get_layer(layer.name).get_weights())
            layer.set_weights(k_model.get_layer(layer.name).get_weights())
        assert_same_outputs(n_copy, k_copy, x)


FORMS = {  # the other forms compile takes for two outputs, each written as Keras writes it
    "one loss for both": lambda lib: dict(loss="mse", metrics=[None, ["mae"]]),
    "no loss for one": lambda lib: dict(
        loss=[lib.losses.BinaryCrossentropy(from_logits=True), None],
        metrics=[["accuracy"], None]),
    "dict with a loss object": lambda lib: dict(
        loss={"priority": "mse",
              "department": lib.losses.CategoricalCrossentropy(from_logits=True)},
        metrics={"priority": ["mae"], "department": ["accuracy"]}),
}


def where_the_losses_are(loss):
    """The structure of compile_config's loss: "loss" for each loss, None where none."""
    if isinstance(loss, list):
        return [where_the_losses_are(entry) for entry in loss]
    if isinstance(loss, dict) and "class_name" not in loss:
        return {key: where_the_losses_are(entry) for key, entry in loss.items()}
    return None if loss is None else "loss"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_of_compile_crosses_both_ways(form, tmp_path):
    """nnlib's file in Keras and back: the same compile settings and evaluate numbers."""
    as_dict = form.startswith("dict")
    keras.utils.set_random_seed(2)
    k_model, n_model = pair(lambda lib: ticket_model(lib, as_dict, priority_activation=None,
                                                     department_activation=None))
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        model.compile(optimizer="sgd", **FORMS[form](lib))
    x, y = data(as_dict)
    n_model.save(tmp_path / "nnlib.keras")
    k_loaded = load_in_keras(tmp_path / "nnlib.keras")
    k_loaded.save(tmp_path / "keras.keras")
    n_loaded = nnlib.models.load_model(tmp_path / "keras.keras")
    configs = [model.get_compile_config() for model in (k_model, n_model, k_loaded, n_loaded)]
    # a loss is spelled differently ("mse" or its class's whole config) but sits in the same
    # place; evaluate's numbers below check what it computes
    for config in configs:
        assert where_the_losses_are(config["loss"]) == where_the_losses_are(configs[0]["loss"])
        assert (config["metrics"], config["loss_weights"]) == (configs[0]["metrics"],
                                                               configs[0]["loss_weights"])
    expected = k_model.evaluate(x, y, verbose=0, return_dict=True)
    for model in (n_model, k_loaded, n_loaded):
        assert_logs_equal(model.evaluate(x, y, verbose=0, return_dict=True), expected)


def keyed_model(lib):
    """Outputs keyed by names other than their layers' (output_layers maps key -> layer)."""
    title = lib.Input((6,), name="title")
    hidden = lib.layers.Dense(4, activation="tanh", name="hidden")(title)
    return lib.Model(title, {"zeta": lib.layers.Dense(3, activation="softmax",
                                                      name="dense_z")(hidden),
                             "alpha": lib.layers.Dense(1, name="dense_a")(hidden)})


@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_dict_keys_other_than_the_layer_names_cross_both_ways(direction, tmp_path):
    keras.utils.set_random_seed(4)
    k_model, n_model = pair(keyed_model, optimizer="adam",
                            loss={"zeta": "categorical_crossentropy", "alpha": "mse"},
                            metrics={"zeta": ["accuracy"]})
    y = {"zeta": DEPARTMENT, "alpha": PRIORITY}
    assert_logs_equal(n_model.fit(TITLE, y, **FIT).history, k_model.fit(TITLE, y, **FIT).history)
    n_model, k_model = save_and_load_across(direction, n_model, k_model, tmp_path / "m.keras")
    assert n_model.get_config()["output_layers"] == {"alpha": ["dense_a", 0, 0],
                                                     "zeta": ["dense_z", 0, 0]}
    assert_same_outputs(n_model, k_model, TITLE)
    assert_logs_equal(n_model.fit(TITLE, y, **FIT).history, k_model.fit(TITLE, y, **FIT).history)
