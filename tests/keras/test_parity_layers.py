"""nnlib's new layers, frozen layers and summary() against real Keras 3 (JAX backend).

As in test_parity.py: the same architecture in both libraries, Keras's initial weights copied
into nnlib, then predictions, gradients, 5-epoch Histories and printed summaries compared
(rtol 1e-5).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import (ATOL, RTOL, assert_same_fit, keras_loss_and_gradients,  # noqa: E402
                    summary_text)



def copy_weights(k_model, n_model):
    by_name = {layer.name: layer for layer in n_model.layers}
    for layer in k_model.layers:
        if layer.weights:
            by_name[layer.name].set_weights([np.asarray(w.value) for w in layer.weights])


def twins(build, seed=0):
    """build(lib) with lib = keras or nnlib (the same names: Sequential, Input, layers)."""
    keras.utils.set_random_seed(seed)
    k_model, n_model = build(keras), build(nnlib)
    copy_weights(k_model, n_model)
    return k_model, n_model


def data(n=50, shape=(4,), classes=3, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n,) + shape).astype("float32") * 3 + 1
    return x, rng.integers(0, classes, size=n).astype("int32")


def assert_same_training(k_model, n_model, x, y, loss="sparse_categorical_crossentropy",
                         metrics=("accuracy",), **fit):
    k_model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss=loss,
                    metrics=list(metrics))
    n_model.compile(optimizer=nnlib.optimizers.SGD(0.05, momentum=0.9), loss=loss,
                    metrics=list(metrics))
    options = dict(batch_size=16, epochs=5, validation_split=0.2, shuffle=False, verbose=0)
    options.update(fit)
    return assert_same_fit(k_model, n_model, x, y, **options)


def test_flatten_matches_keras():
    def build(lib):
        return lib.Sequential([lib.Input((3, 4)), lib.layers.Flatten(name="flat"),
                               lib.layers.Dense(3, activation="softmax", name="out")])

    k_model, n_model = twins(build)
    x, y = data(shape=(3, 4))
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    assert_same_training(k_model, n_model, x, y)


@pytest.mark.parametrize("layer", ["activation", "softmax"])
def test_activation_layers_match_keras(layer):
    def build(lib):
        last = (lib.layers.Activation("softmax", name="act") if layer == "activation"
                else lib.layers.Softmax(name="act"))
        return lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, name="h"),
                               lib.layers.Activation("tanh", name="tanh"),
                               lib.layers.Dense(3, name="out"), last])

    k_model, n_model = twins(build)
    x, y = data()
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    k_value, k_grads = keras_loss_and_gradients(k_model, keras.losses.SparseCategoricalCrossentropy(),
                                       x[:12], y[:12])
    n_model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    n_value, n_grads = n_model.compute_loss_and_gradients(x[:12], y[:12])
    assert n_value == pytest.approx(k_value, rel=RTOL)
    for path, grad in zip(n_model.weight_paths, n_grads):
        np.testing.assert_allclose(grad, k_grads[path], rtol=RTOL, atol=ATOL, err_msg=path)
    assert_same_training(k_model, n_model, x, y)


def test_normalization_adapt_matches_keras():
    def build(lib):
        return lib.Sequential([lib.Input((4,)), lib.layers.Normalization(name="norm"),
                               lib.layers.Dense(3, activation="softmax", name="out")])

    keras.utils.set_random_seed(0)
    k_model, n_model = build(keras), build(nnlib)
    x, y = data()
    k_model.layers[0].adapt(x)
    n_model.get_layer("norm").adapt(x)
    n_model.get_layer("out").set_weights(k_model.layers[1].get_weights())
    k_stats = k_model.layers[0].get_weights()
    n_stats = n_model.get_layer("norm").get_weights()
    for n_w, k_w in zip(n_stats[:2], k_stats[:2]):  # mean and variance (Keras leaves count at 0)
        np.testing.assert_allclose(n_w, k_w, rtol=RTOL)
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    assert_same_training(k_model, n_model, x, y)
    assert [w.shape for w in n_model.get_weights()] == [w.shape for w in k_model.get_weights()]


def test_dropout_matches_keras_outside_training_and_in_expectation():
    def build(lib):
        return lib.Sequential([lib.Input((4,)), lib.layers.Dense(64, name="h"),
                               lib.layers.Dropout(0.3, name="drop"),
                               lib.layers.Dense(3, activation="softmax", name="out")])

    k_model, n_model = twins(build)
    x, _ = data()
    # predict and evaluate: Dropout passes its input through unchanged in both
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    # training: both drop about 30% and scale the rest by 1/0.7 (the random masks differ)
    ones = np.ones((400, 50), dtype="float32")
    k_out = np.asarray(keras.layers.Dropout(0.3, seed=1)(ones, training=True))
    n_out = nnlib.layers.Dropout(0.3, seed=1).forward(ones, training=True)
    for out in (k_out, n_out):
        np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7], rtol=1e-6)
        assert abs((out == 0).mean() - 0.3) < 0.02


def test_a_frozen_layer_trains_like_keras():
    def build(lib):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="relu", name="h"),
                                lib.layers.Dense(5, activation="tanh", name="frozen"),
                                lib.layers.Dense(3, activation="softmax", name="out")])
        model.get_layer("frozen").trainable = False
        return model

    k_model, n_model = twins(build)
    assert len(n_model.trainable_weights) == len(k_model.trainable_weights) == 4
    assert len(n_model.non_trainable_weights) == len(k_model.non_trainable_weights) == 2
    frozen_before = n_model.get_layer("frozen").get_weights()
    assert_same_training(k_model, n_model, *data())
    for a, b in zip(frozen_before, n_model.get_layer("frozen").get_weights()):
        np.testing.assert_array_equal(a, b)


def decay(lib):
    return lib.optimizers.schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5)


SUMMARY_OPTIMIZERS = {
    "sgd": lambda lib: lib.optimizers.SGD(0.01),
    "momentum": lambda lib: lib.optimizers.SGD(0.01, momentum=0.9),
    "adam": lambda lib: lib.optimizers.Adam(),
    "rmsprop": lambda lib: lib.optimizers.RMSprop(),
    "rmsprop-momentum": lambda lib: lib.optimizers.RMSprop(momentum=0.5),
    "rmsprop-centered-momentum": lambda lib: lib.optimizers.RMSprop(momentum=0.5, centered=True),
    "adagrad": lambda lib: lib.optimizers.Adagrad(),
    "nadam": lambda lib: lib.optimizers.Nadam(),
    "adamw": lambda lib: lib.optimizers.AdamW(),
    "lion": lambda lib: lib.optimizers.Lion(),
    "ftrl": lambda lib: lib.optimizers.Ftrl(),
    "adafactor": lambda lib: lib.optimizers.Adafactor(),  # state smaller than the weights
    "lamb": lambda lib: lib.optimizers.Lamb(),
    "sgd-schedule": lambda lib: lib.optimizers.SGD(decay(lib)),
    "adam-schedule": lambda lib: lib.optimizers.Adam(decay(lib)),
    "rmsprop-schedule": lambda lib: lib.optimizers.RMSprop(decay(lib), centered=True),
}


@pytest.mark.parametrize("optimizer", list(SUMMARY_OPTIMIZERS))
def test_summary_prints_what_keras_prints(optimizer):
    def build(lib):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Normalization(name="norm"),
                                lib.layers.Dense(8, activation="relu", name="hidden"),
                                lib.layers.Dropout(0.5, name="drop"),
                                lib.layers.Dense(3, activation="softmax", name="out")],
                               name="classifier")
        model.get_layer("hidden").trainable = False
        return model

    k_model, n_model = twins(build)
    assert summary_text(n_model) == summary_text(k_model)
    make = SUMMARY_OPTIMIZERS[optimizer]
    x, y = data()
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        model.compile(optimizer=make(lib), loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, verbose=0)
    assert "Optimizer params" in summary_text(k_model)
    assert summary_text(n_model) == summary_text(k_model)


def test_functional_summary_prints_what_keras_prints():
    def build(lib):
        a, b = lib.Input((4,), name="a"), lib.Input((3,), name="b")
        h = lib.layers.Dense(5, activation="relu", name="h")(a)
        g = lib.layers.Dense(5, name="g")(b)
        joined = lib.layers.Concatenate(name="cat")([lib.layers.Add(name="add")([h, g]), a])
        return lib.Model([a, b], lib.layers.Dense(2, name="out")(joined), name="graph")

    k_model, n_model = twins(build)
    assert summary_text(n_model) == summary_text(k_model)


def test_serialize_and_deserialize_layers_as_keras_both_ways():
    def build(lib):
        return [lib.layers.Dense(3, activation="relu", name="d",
                                 kernel_regularizer=lib.regularizers.L2(0.01)),
                lib.layers.Dropout(0.25, seed=3, name="drop")]

    for k_layer, n_layer in zip(build(keras), build(nnlib), strict=True):
        n_item, k_item = nnlib.layers.serialize(n_layer), keras.layers.serialize(k_layer)
        assert n_item == k_item
        assert keras.layers.serialize(keras.layers.deserialize(n_item)) == k_item
        assert nnlib.layers.serialize(nnlib.layers.deserialize(k_item)) == n_item
    with pytest.raises(TypeError, match="deserialize: expected the dict keras.layers.serialize"):
        nnlib.layers.deserialize("dense")
