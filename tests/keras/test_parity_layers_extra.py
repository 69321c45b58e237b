"""Keras's activation layers (ReLU with options, LeakyReLU, ELU, PReLU), Identity and the Gaussian
noise layers, against real Keras 3: outputs, and gradients of every weight by JAX autodiff."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL, keras_loss_and_gradients  # noqa: E402

X = np.concatenate([np.random.default_rng(0).normal(0, 3, size=(30, 4)),
                    np.full((1, 4), 0.7)]).astype("float32")  # no input sits on a kink
Y = np.random.default_rng(1).normal(size=(31, 1)).astype("float32")
LAYERS = [("ReLU", {}), ("ReLU", {"max_value": 6.0}), ("ReLU", {"negative_slope": 0.1}),
          ("ReLU", {"negative_slope": 0.1, "threshold": 0.5, "max_value": 4.0}),
          ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.05}), ("ELU", {}),
          ("ELU", {"alpha": 0.5}), ("PReLU", {"alpha_initializer": "ones"}), ("Identity", {})]


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
    np.testing.assert_allclose(n_model.predict(X, verbose=0), k_model.predict(X, verbose=0),
                               rtol=RTOL, atol=ATOL)
    k_loss, k_grads = keras_loss_and_gradients(k_model, real_keras.losses.MeanSquaredError(), X, Y)
    n_model.compile(optimizer="sgd", loss="mse")
    n_loss, n_grads = n_model.compute_loss_and_gradients(X, Y)
    assert n_loss == pytest.approx(k_loss, rel=1e-5)
    assert sorted(n_model.weight_paths) == sorted(k_grads)
    for path, n_grad in zip(n_model.weight_paths, n_grads):
        np.testing.assert_allclose(n_grad, k_grads[path], rtol=1e-4, atol=1e-6, err_msg=path)


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
