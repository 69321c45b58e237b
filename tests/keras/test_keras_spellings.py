"""Beginner Keras 3 code runs with ``import nnlib as keras`` and gives Keras's numbers.

Each snippet is written once, as Keras's guides write it, and run twice: with real Keras (JAX)
and with nnlib in its place; Keras's initial weights are copied into nnlib before training.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL, assert_same_fit  # noqa: E402



def sequential_with_input_shape(keras):
    from_layers = keras.layers  # `from keras import layers`
    model = keras.Sequential([
        from_layers.Dense(16, activation="relu", input_shape=(4,), name="d1"),
        from_layers.Dropout(0.2, name="drop"),
        from_layers.Dense(3, activation="softmax", name="d2"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def functional_with_normalization(keras):
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Normalization(name="norm")(inputs)
    x = keras.layers.Dense(8, activation="relu", name="d1")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="d2")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(), keras.metrics.AUC()])
    return model


def add_pop_get_layer(keras):
    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(keras.layers.Dense(8, activation="tanh", name="d1"))
    model.add(keras.layers.Dense(5, name="scrap"))
    model.pop()
    model.add(keras.layers.Dense(2, name="d2"))
    model.get_layer("d1").trainable = False
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def images_with_flatten(keras):
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(4, 1), name="flat"),
        keras.layers.Dense(8, activation=keras.activations.relu, name="d1"),
        keras.layers.Dense(3, name="logits"),
        keras.layers.Softmax(name="probs"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


SNIPPETS = {
    "images_with_flatten": (images_with_flatten, "sparse"),
    "sequential_with_input_shape": (sequential_with_input_shape, "sparse"),
    "functional_with_normalization": (functional_with_normalization, "binary"),
    "add_pop_get_layer": (add_pop_get_layer, "real"),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_keras_snippet_runs_on_nnlib_with_keras_numbers(name):
    build, target = SNIPPETS[name]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    if name == "images_with_flatten":
        x = x.reshape(64, 4, 1)
    y = {"sparse": rng.integers(0, 3, size=64).astype("int32"),
         "binary": (x[:, 0] + rng.normal(size=64) > 0).astype("float32"),
         "real": rng.normal(size=(64, 2)).astype("float32")}[target]
    real_keras.utils.set_random_seed(0)
    k_model, n_model = build(real_keras), build(nnlib)
    for model in (k_model, n_model):
        if name == "functional_with_normalization":
            model.get_layer("norm").adapt(x)
    n_model.set_weights(k_model.get_weights())
    # the input layers' automatic names count the inputs made so far in each process
    def named(model):
        return [type(layer).__name__ if type(layer).__name__ == "InputLayer" else layer.name
                for layer in model.layers]

    assert named(n_model) == named(k_model)
    options = dict(batch_size=16, epochs=3, validation_split=0.25, shuffle=False, verbose=0)
    if name == "sequential_with_input_shape":
        # Dropout's random masks differ between the libraries; compare with inference only
        np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                                   rtol=RTOL, atol=ATOL)
        history = n_model.fit(x, y, **options).history
        assert list(history) == list(k_model.fit(x, y, **options).history)
        return
    assert_same_fit(k_model, n_model, x, y, weights=False, **options)


def test_keras_top_level_names_exist_in_nnlib():
    for name in ["Sequential", "Model", "Input", "layers", "optimizers", "losses", "metrics",
                 "callbacks", "utils", "models"]:
        assert hasattr(nnlib, name), name
        assert hasattr(real_keras, name), name
    for module, names in {"utils": ["set_random_seed", "to_categorical"],
                          "models": ["Sequential", "Model", "load_model"],
                          "callbacks": ["Callback", "History", "EarlyStopping", "TerminateOnNaN", "ModelCheckpoint",
                                        "LambdaCallback"],
                          "layers": ["Dense", "Input", "Flatten", "Dropout", "Activation",
                                     "Softmax", "Normalization", "Concatenate", "Add"],
                          "metrics": ["BinaryAccuracy", "AUC", "Precision", "Recall"]}.items():
        for name in names:
            assert hasattr(getattr(nnlib, module), name), f"nnlib.{module}.{name}"
            assert hasattr(getattr(real_keras, module), name), f"keras.{module}.{name}"
