"""End to end: nnlib's models learn real tasks (fixed seeds, a few seconds each)."""

import numpy as np

from nnlib import datasets, optimizers, utils
from nnlib.layers import Dense, Input
from nnlib.models import Sequential


def test_two_layer_network_learns_xor():
    """XOR is not linearly separable: a single neuron cannot learn it, a hidden layer can."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    y = np.array([0, 1, 1, 0], dtype="float32")
    utils.set_random_seed(1)
    model = Sequential([Input((2,)), Dense(8, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5, momentum=0.9),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=4, epochs=300, verbose=0)
    predictions = model.predict(x, verbose=0).ravel()
    np.testing.assert_array_equal(predictions > 0.5, y > 0.5)
    assert history.history["loss"][-1] < 0.05 < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0


def test_a_single_neuron_cannot_learn_xor():
    """The contrast that shows why the hidden layer matters (same training budget)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    y = np.array([0, 1, 1, 0], dtype="float32")
    utils.set_random_seed(1)
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5, momentum=0.9),
                  loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=4, epochs=300, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"] <= 0.75


def _standardised_split(x, y, seed):
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=0.25, seed=seed,
                                                                 stratify=True)
    scaler = datasets.StandardScaler()
    return scaler.fit_transform(x_train), scaler.transform(x_test), y_train, y_test


def test_breast_cancer_test_accuracy_at_least_95_percent():
    x_train, x_test, y_train, y_test = _standardised_split(*datasets.load_breast_cancer(), seed=0)
    utils.set_random_seed(0)
    model = Sequential([Input((30,)), Dense(16, activation="relu"),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.1,
                        verbose=0)
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95


def test_digits_test_accuracy_at_least_95_percent():
    x_train, x_test, y_train, y_test = _standardised_split(*datasets.load_digits(), seed=0)
    utils.set_random_seed(0)
    model = Sequential([Input((64,)), Dense(64, activation="relu"),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)
    result = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    assert result["accuracy"] >= 0.95
    # the same model with one-hot targets and categorical cross-entropy learns as well
    utils.set_random_seed(0)
    one_hot = Sequential([Input((64,)), Dense(64, activation="relu"),
                          Dense(10, activation="softmax")])
    one_hot.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    one_hot.fit(x_train, utils.to_categorical(y_train, 10), epochs=20, batch_size=32, verbose=0)
    assert one_hot.evaluate(x_test, utils.to_categorical(y_test, 10), verbose=0)[1] >= 0.95
