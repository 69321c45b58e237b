"""The core's epoch loop is the one Model.fit runs: same batches, same order, same weights."""

import numpy as np

from nnlib import config, losses, optimizers, utils
from nnlib.core import training
from nnlib.layers import Dense, Input
from nnlib.models import Sequential


def model_and_data():
    utils.set_random_seed(3)
    model = Sequential([Input((4,)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(50, 4)), rng.integers(0, 3, size=50)


def test_core_fit_gives_model_fit_s_weights():
    """training.fit on the model's graph, with the loss's value and gradient, moves the weights
    exactly as Model.fit (Keras's plumbing around the same step) with the same shuffled orders."""
    with config.floatx_scope("float64"):
        model, x, y = model_and_data()
        start = model.get_weights()
        model.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        utils.set_random_seed(7)
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
        by_fit = model.get_weights()

        model.set_weights(start)
        loss = losses.SparseCategoricalCrossentropy()
        graph = model._graph

        class Network:  # what train_step needs: forward, backward, parameters
            def forward(self, x, training):
                return graph.forward([x], training)

            def backward(self, dy_hat):
                graph.backward(dy_hat)

            def parameters(self):
                return graph.parameters()

        utils.set_random_seed(7)
        np.random.permutation(len(x))  # Model.fit's first fit after compile, as Keras's
        mean_losses = training.fit(Network(), loss._value_and_gradient, optimizers.SGD(0.1), x,
                                   y.astype(np.float64), epochs=3, batch_size=8,
                                   rng=np.random)  # Model.fit shuffles with NumPy's generator
    for w_core, w_fit in zip(model.get_weights(), by_fit):
        np.testing.assert_allclose(w_core, w_fit, rtol=1e-12, atol=1e-14)
    assert mean_losses[-1] < mean_losses[0]
    np.testing.assert_allclose(mean_losses, history.history["loss"], rtol=1e-6)  # fit: float32


def test_batches_cover_every_row_once_with_a_short_last_batch():
    order = np.random.default_rng(0).permutation(7)
    batches = list(training.batches(7, 3, order))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(7))
    assert list(training.batches(4, 3)) == [slice(0, 3), slice(3, 4)]
