"""Keras's activation layers (ReLU with options, LeakyReLU, ELU, PReLU), Identity, Rescaling and
the noise layers (Gaussian, alpha dropout), the merge layers and their lower-case forms, against
real Keras 3: outputs, gradients of every
weight by JAX autodiff, and .keras files both ways."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL, assert_same_forward_and_backward  # noqa: E402

X = np.concatenate([np.random.default_rng(0).normal(0, 3, size=(30, 4)),
                    np.full((1, 4), 0.7)]).astype("float32")  # no input sits on a kink
Y = np.random.default_rng(1).normal(size=(31, 1)).astype("float32")
LAYERS = [("ReLU", {}), ("ReLU", {"max_value": 6.0}), ("ReLU", {"negative_slope": 0.1}),
          ("ReLU", {"negative_slope": 0.1, "threshold": 0.5, "max_value": 4.0}),
          ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.05}), ("ELU", {}),
          ("ELU", {"alpha": 0.5}), ("PReLU", {"alpha_initializer": "ones"}), ("Identity", {}),
          ("Rescaling", {"scale": 0.5, "offset": -1.0}), ("Rescaling", {"scale": 1 / 255})]


def both(name, options):
    models = []
    for lib in (real_keras, nnlib):
        models.append(lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, name="hidden"),
                                      getattr(lib.layers, name)(**options, name="act"),
                                      lib.layers.Dense(1, name="out")]))
    weights = models[0].get_weights()
    if name == "PReLU":
        weights[2] = np.array([0.25, -0.5, 1.5], dtype="float32")
    for model in models:
        model.set_weights(weights)
    return models


@pytest.mark.parametrize("name,options", LAYERS, ids=[f"{n}{o}" for n, o in LAYERS])
def test_activation_layers_match_keras_forward_and_backward(name, options):
    k_model, n_model = both(name, options)
    assert_same_forward_and_backward(k_model, n_model, X, Y)


@pytest.mark.parametrize("name,options", [("GaussianNoise", {"stddev": 0.5}),
                                          ("GaussianDropout", {"rate": 0.3})])
def test_noise_layers_pass_through_at_inference_and_match_keras_noise_in_training(name, options):
    x = np.full((400, 50), 2.0, dtype="float32")
    k_layer = getattr(real_keras.layers, name)(**options, seed=0)
    n_layer = getattr(nnlib.layers, name)(**options, seed=0)
    np.testing.assert_array_equal(n_layer(x), np.asarray(k_layer(x)))  # inference: unchanged
    k_noisy = np.asarray(k_layer(x, training=True))
    n_noisy = n_layer.forward(x, training=True)
    assert abs(n_noisy.mean() - k_noisy.mean()) < 0.02
    assert n_noisy.std() == pytest.approx(k_noisy.std(), rel=0.03)


def test_alpha_dropout_gives_keras_two_values_and_passes_gradients_of_kept_entries():
    """Outside training the input passes; in training, on constant inputs, Keras's and nnlib's
    outputs take the same two values (kept, dropped), in the proportion 1 - rate; the gradient
    is a where kept and 0 where dropped."""
    x = np.full((200, 40), 2.0, dtype="float32")
    np.testing.assert_array_equal(nnlib.layers.AlphaDropout(0.25)(x), x)
    k_values = np.unique(np.asarray(real_keras.layers.AlphaDropout(0.25, seed=1)(x,
                                                                              training=True)))
    layer = nnlib.layers.AlphaDropout(0.25, seed=1)
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(np.unique(y), k_values, rtol=1e-6)
    kept = y == y.max()  # a x + b > a alpha' + b for x = 2
    assert kept.mean() == pytest.approx(0.75, abs=0.02)
    grad = layer.backward(np.ones_like(x))
    a = (y.max() - y.min()) / (2.0 + 1.6732632423543772 * 1.0507009873554805)
    np.testing.assert_allclose(grad[kept], a, rtol=1e-6)
    assert (grad[~kept] == 0).all()


def test_rescaling_and_alpha_dropout_cross_both_ways(tmp_path):
    from nnlib import saving
    models = []
    for lib in (real_keras, nnlib):
        models.append(lib.Sequential([lib.Input((4,)), lib.layers.Rescaling(0.5, offset=0.25,
                                                                            name="scale"),
                                      lib.layers.Dense(3, activation="selu", name="hidden"),
                                      lib.layers.AlphaDropout(0.2, seed=4, name="drop"),
                                      lib.layers.Dense(1, name="out")]))
    k_model, n_model = models
    n_model.set_weights(k_model.get_weights())
    saving.save_model(n_model, tmp_path / "nnlib.keras")
    k_model.save(tmp_path / "keras.keras")
    k_loaded = real_keras.models.load_model(tmp_path / "nnlib.keras")
    n_loaded = saving.load_model(tmp_path / "keras.keras")
    for loaded, fresh in zip(k_loaded.layers, k_model.layers):
        assert loaded.get_config() == fresh.get_config()
    assert [(layer.scale, layer.offset) for layer in n_loaded.layers[:1]] == [(0.5, 0.25)]
    assert (n_loaded.get_layer("drop").rate, n_loaded.get_layer("drop").seed) == (0.2, 4)
    for k_side, n_side in [(k_loaded, n_model), (k_model, n_loaded)]:
        np.testing.assert_allclose(n_side.predict(X, verbose=0), k_side.predict(X, verbose=0),
                                   rtol=RTOL, atol=ATOL)


MERGES = [("Subtract", {}), ("Multiply", {}), ("Average", {}), ("Maximum", {}), ("Minimum", {}),
          ("Dot", {"axes": 1}), ("Dot", {"axes": -1, "normalize": True})]


def merged(lib, name, options, functional=False):
    """Two dense branches of one input (and of a second input), merged, then a dense output."""
    L = lib.layers
    a, b = lib.Input((4,), name="a"), lib.Input((2,), name="b")
    left = L.Dense(3, activation="tanh", name="left")(a)
    right = L.Dense(3, name="right")(L.Dense(3, activation="relu", name="pre")(b))
    branches = [left, right] + ([L.Dense(3, name="third")(a)]
                                if name in ("Multiply", "Maximum", "Average") else [])
    if functional:
        joined = getattr(L, name.lower())(branches, name="merge", **options)
    else:
        joined = getattr(L, name)(name="merge", **options)(branches)
    return lib.Model([a, b], L.Dense(1, name="out")(joined), name="merged")


@pytest.mark.parametrize("name,options", MERGES, ids=[f"{n}{o}" for n, o in MERGES])
def test_merge_layers_match_keras_forward_backward_and_in_files(name, options, tmp_path):
    from nnlib import saving
    real_keras.utils.set_random_seed(0)
    k_model, n_model = merged(real_keras, name, options), merged(nnlib, name, options)
    k_model.save_weights(tmp_path / "start.weights.h5")
    n_model.load_weights(tmp_path / "start.weights.h5")
    rng = np.random.default_rng(2)
    x = [rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")]
    y = rng.normal(size=(16, 1)).astype("float32")
    assert_same_forward_and_backward(k_model, n_model, x, y)
    saving.save_model(n_model, tmp_path / "nnlib.keras")
    k_loaded = real_keras.models.load_model(tmp_path / "nnlib.keras")
    assert k_loaded.get_layer("merge").get_config() == k_model.get_layer("merge").get_config()
    np.testing.assert_allclose(k_loaded.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    k_model.save(tmp_path / "keras.keras")
    n_loaded = saving.load_model(tmp_path / "keras.keras")
    assert type(n_loaded.get_layer("merge")).__name__ == name
    np.testing.assert_allclose(n_loaded.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["add", "concatenate", "subtract", "multiply", "average",
                                  "maximum", "minimum", "dot"])
def test_lower_case_merge_functions_build_the_same_models_and_compute_on_arrays(name, tmp_path):
    options = {"axes": 1} if name == "dot" else {}
    class_name = {"add": "Add", "concatenate": "Concatenate"}.get(name, name.title())
    real_keras.utils.set_random_seed(0)
    k_model = merged(real_keras, class_name, options, functional=True)
    n_model = merged(nnlib, class_name, options, functional=True)
    assert type(n_model.get_layer("merge")).__name__ == type(k_model.get_layer("merge")).__name__
    k_model.save_weights(tmp_path / "w.weights.h5")
    n_model.load_weights(tmp_path / "w.weights.h5")
    x = [X[:, :4], X[:, :2] * 0.5]
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    arrays = [X[:5, :3], X[5:10, :3]]  # on arrays the function computes at once
    np.testing.assert_allclose(getattr(nnlib.layers, name)(arrays, **options),
                               np.asarray(getattr(real_keras.layers, name)(arrays, **options)),
                               rtol=RTOL, atol=ATOL)
