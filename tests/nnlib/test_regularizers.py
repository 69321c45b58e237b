"""Weight penalties: the formulas by hand, names and configs, and how a model adds them."""

import numpy as np
import pytest

from nnlib import config, regularizers, utils
from nnlib.gradcheck import check_gradients
from nnlib.layers import Dense, Input
from nnlib.models import Sequential

W = np.array([[1.0, -2.0], [0.0, 3.0]])


def test_penalties_and_gradients_by_hand():
    assert regularizers.L1(0.1)(W) == pytest.approx(0.1 * 6)
    assert regularizers.L2(0.1)(W) == pytest.approx(0.1 * 14)
    assert regularizers.L1L2(l1=0.1, l2=0.2)(W) == pytest.approx(0.1 * 6 + 0.2 * 14)
    np.testing.assert_allclose(regularizers.L1(0.1).gradient(W), 0.1 * np.sign(W))
    np.testing.assert_allclose(regularizers.L2(0.1).gradient(W), 0.2 * W)
    np.testing.assert_allclose(regularizers.L1L2(l1=0.1, l2=0.2).gradient(W),
                               0.1 * np.sign(W) + 0.4 * W)


def test_a_penalty_keeps_the_weights_dtype():
    w = W.astype(np.float32)
    for penalty in (regularizers.L1(), regularizers.L2(), regularizers.L1L2(0.1, 0.1)):
        assert penalty(w).dtype == np.float32 and penalty.gradient(w).dtype == np.float32


def test_defaults_and_names_are_keras_s():
    assert regularizers.get("l2").l2 == 0.01 and regularizers.get("l1").l1 == 0.01
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.l1_l2 is regularizers.L1L2 and regularizers.l2 is regularizers.L2
    assert regularizers.get(None) is None
    penalty = regularizers.L2(0.5)
    assert regularizers.get(penalty) is penalty
    assert repr(regularizers.get(regularizers.serialize(penalty))) == "L2(l2=0.5)"


@pytest.mark.parametrize("identifier, error, message", [
    ("l22", ValueError, r"Unknown regularizer 'l22'\. Valid names: 'L1', 'L2', .*Did you mean 'l2'\?"),
    ("l1_l2", ValueError, r"Keras 3 does not accept the name 'l1_l2'; use L1L2"),
    (0.01, TypeError, r"kernel_regularizer must be a name such as 'l2'.*received 0\.01"),
])
def test_what_is_not_a_regularizer_is_refused_by_name(identifier, error, message):
    with pytest.raises(error, match=message):
        Dense(2, kernel_regularizer=identifier)


def test_a_negative_factor_is_refused():
    with pytest.raises(ValueError, match=r"L2: l2 must be a number >= 0; received -1"):
        regularizers.L2(-1)


def regularized_model():
    utils.set_random_seed(0)
    return Sequential([Input((3,)),
                       Dense(4, activation="tanh", kernel_regularizer=regularizers.L2(0.1),
                             bias_regularizer=regularizers.L1(0.05), bias_initializer="ones"),
                       Dense(1, kernel_regularizer=regularizers.L1L2(0.02, 0.03))])


def test_the_loss_includes_the_penalties_and_frozen_layers_add_none():
    model = regularized_model()
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 3)), np.zeros((4, 1))
    plain = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    penalties = [float(p) for p in model.losses]
    assert len(penalties) == 3
    assert model.evaluate(x, y, verbose=0) == pytest.approx(plain + sum(penalties), rel=1e-6)
    model.layers[0].trainable = False
    assert len(model.losses) == 1
    assert model.evaluate(x, y, verbose=0) == pytest.approx(plain + penalties[2], rel=1e-6)


def test_gradients_with_penalties_match_finite_differences():
    with config.floatx_scope("float64"):
        model = regularized_model()
        model.compile(optimizer="sgd", loss="mse")
        rng = np.random.default_rng(0)
        errors = check_gradients(model, rng.normal(size=(6, 3)), rng.normal(size=(6, 1)))
    assert max(errors.values()) < 1e-7


def test_fit_takes_the_penalties_step():
    """One SGD step on a model whose loss gradient is zero moves the weights by the penalty's
    gradient alone: weight decay."""
    model = Sequential([Input((2,)), Dense(1, kernel_initializer="ones",
                                           kernel_regularizer=regularizers.L2(0.5))])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((2, 2))  # the kernel's loss gradient X^T dZ is 0
    history = model.fit(x, np.zeros(2), batch_size=2, epochs=1, verbose=0)
    np.testing.assert_allclose(model.layers[0].kernel, 1 - 0.01 * 2 * 0.5 * np.ones((2, 1)))
    assert history.history["loss"] == [pytest.approx(0.5 * 2)]  # 0.5 * (1 + 1)
