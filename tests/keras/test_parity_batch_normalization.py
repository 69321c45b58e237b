"""BatchNormalization against real Keras 3: training and inference outputs, gradients in training
mode (JAX autodiff through the batch statistics), moving statistics after a fit, a frozen layer,
and .keras files both ways for it and the other layers nnlib.extra adds."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL, assert_same_fit  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(2.0, 3.0, size=(32, 4)).astype("float32")
Y = (X[:, 0] > 2).astype("float32")


def pair(**options):
    models = [lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, name="h"),
                              lib.layers.BatchNormalization(name="bn", **options),
                              lib.layers.Activation("relu"),
                              lib.layers.Dense(1, activation="sigmoid", name="out")])
              for lib in (keras, nnlib)]
    statistics = [np.linspace(-1, 1, 5).astype("float32"), np.linspace(0.5, 2, 5).astype("float32")]
    learned = ([np.array([1.5, 0.5, 1.0, 2.0, 0.8], "float32")] if options.get("scale", True)
               else []) + ([np.full(5, 0.1, "float32")] if options.get("center", True) else [])
    models[0].get_layer("bn").set_weights(learned + statistics)
    weights = models[0].get_weights()
    models[1].set_weights(weights)
    return models


OPTIONS = [{}, {"momentum": 0.9, "epsilon": 0.01}, {"center": False}, {"scale": False}]


@pytest.mark.parametrize("options", OPTIONS)
def test_inference_and_a_training_step_match_keras(options):
    """predict uses the moving statistics; one train_on_batch normalises with the batch's (its
    gradients go through the batch mean and variance) and moves the statistics."""
    k_model, n_model = pair(**options)
    np.testing.assert_allclose(n_model.predict(X, verbose=0), k_model.predict(X, verbose=0),
                               rtol=RTOL, atol=ATOL)
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="binary_crossentropy")
    np.testing.assert_allclose(n_model.train_on_batch(X, Y), k_model.train_on_batch(X, Y),
                               rtol=1e-5)
    for n_w, k_w in zip(n_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(n_w, k_w, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("frozen", [False, True])
def test_fit_moves_the_statistics_as_keras(frozen):
    k_model, n_model = pair(momentum=0.8)
    for model in (k_model, n_model):
        model.get_layer("bn").trainable = not frozen
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    assert_same_fit(k_model, n_model, X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    assert [w.shape for w in n_model.get_weights()] == [w.shape for w in k_model.get_weights()]


def every_extra_layer(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((4,)), L.Dense(6, name="d1"), L.BatchNormalization(name="bn"),
                           L.ReLU(max_value=6.0, name="relu"), L.Dense(5, name="d2"),
                           L.LeakyReLU(negative_slope=0.1, name="leaky"), L.Dense(4, name="d3"),
                           L.ELU(alpha=0.5, name="elu"), L.PReLU(name="prelu"),
                           L.GaussianNoise(0.1, name="noise"), L.GaussianDropout(0.2, name="gd"),
                           L.Identity(name="same"), L.Dense(1, name="out")])


@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_keras_files_cross_both_ways(direction, tmp_path):
    source_lib, target_lib = (nnlib, keras) if direction == "nnlib_to_keras" else (keras, nnlib)
    source = every_extra_layer(source_lib)
    weights = source.get_weights()
    source.set_weights([w + RNG.normal(0, 0.1, size=w.shape).astype("float32") for w in weights])
    source.save(tmp_path / "m.keras")
    loaded = target_lib.models.load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in source.layers]
    np.testing.assert_allclose(np.asarray(loaded.predict(X, verbose=0)),
                               np.asarray(source.predict(X, verbose=0)), rtol=RTOL, atol=ATOL)
