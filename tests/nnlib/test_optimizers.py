"""Optimizers: Keras's update rules written out by hand, in-place updates, defaults and get()."""

import numpy as np
import pytest

from nnlib import optimizers


def run(optimizer, grads, start):
    w = np.array(start, dtype=np.float64)
    for g in grads:
        optimizer.apply_gradients([(np.array(g, dtype=np.float64), w)])
    return w


def test_keras_defaults():
    sgd, adam = optimizers.SGD(), optimizers.Adam()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999,
                                                                            1e-7)


def test_plain_sgd_is_w_minus_lr_g():
    w = run(optimizers.SGD(learning_rate=0.1), [[1.0, -2.0], [0.5, 0.5]], [0.0, 0.0])
    np.testing.assert_allclose(w, [-0.15, 0.15])


def test_momentum_by_hand():
    g1, g2, lr, mu = 1.0, 2.0, 0.1, 0.9
    m1 = -lr * g1
    m2 = mu * m1 - lr * g2
    w = run(optimizers.SGD(learning_rate=lr, momentum=mu), [[g1], [g2]], [0.0])
    np.testing.assert_allclose(w, [m1 + m2])


def test_nesterov_by_hand():
    g1, g2, lr, mu = 1.0, 2.0, 0.1, 0.9
    m1 = -lr * g1
    w1 = mu * m1 - lr * g1
    m2 = mu * m1 - lr * g2
    w2 = w1 + mu * m2 - lr * g2
    w = run(optimizers.SGD(learning_rate=lr, momentum=mu, nesterov=True), [[g1], [g2]], [0.0])
    np.testing.assert_allclose(w, [w2])


def test_adam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    grads = [0.5, -1.0, 2.0]
    w, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        w -= m * alpha / (np.sqrt(v) + eps)
    result = run(optimizers.Adam(learning_rate=lr), [[g] for g in grads], [1.0])
    np.testing.assert_allclose(result, [w], rtol=1e-12)


def test_adam_first_step_moves_each_weight_by_about_the_learning_rate():
    """Adam's step is scale-free: tiny and huge gradients both move a weight by ~lr at first."""
    w = run(optimizers.Adam(learning_rate=0.01), [[1e-2, 1e4]], [0.0, 0.0])
    np.testing.assert_allclose(w, [-0.01, -0.01], rtol=1e-3)


def test_updates_happen_in_place_and_count_iterations():
    opt = optimizers.SGD(learning_rate=1.0, momentum=0.5)
    w = np.zeros(3, dtype=np.float32)
    same = w
    opt.apply_gradients([(np.ones(3, dtype=np.float32), w)])
    opt.apply_gradients([(np.ones(3, dtype=np.float32), w)])
    assert same is w and opt.iterations == 2
    np.testing.assert_allclose(w, [-2.5] * 3)
    assert w.dtype == np.float32


def test_each_weight_has_its_own_state():
    opt = optimizers.SGD(learning_rate=1.0, momentum=0.9)
    a, b = np.zeros(2), np.zeros(2)
    opt.apply_gradients([(np.ones(2), a), (np.zeros(2), b)])
    opt.apply_gradients([(np.zeros(2), a), (np.zeros(2), b)])
    np.testing.assert_allclose(a, [-1.9, -1.9])
    np.testing.assert_allclose(b, [0.0, 0.0])


def test_get_by_name_and_instance():
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    opt = optimizers.Adam(learning_rate=0.1)
    assert optimizers.get(opt) is opt
    assert repr(optimizers.get("sgd")) == "SGD(learning_rate=0.01, momentum=0.0, nesterov=False)"


def test_get_unknown_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop'; expected one of "
                                         r"\['adam', 'sgd'\]"):
        optimizers.get("rmsprop")


def test_gradient_shape_must_match_the_weight():
    with pytest.raises(ValueError, match=r"gradient shape \(3,\) does not match weight shape "
                                         r"\(2,\)"):
        optimizers.SGD().apply_gradients([(np.ones(3), np.zeros(2))])


def test_weights_must_be_arrays_to_update_in_place():
    with pytest.raises(TypeError, match="each weight must be a NumPy array"):
        optimizers.SGD().apply_gradients([(np.ones(2), [0.0, 0.0])])


@pytest.mark.parametrize("kwargs, message", [
    ({"momentum": 1.5}, r"momentum must be a number in \[0, 1\]"),
    ({"nesterov": "yes"}, "nesterov must be True or False"),
])
def test_sgd_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        optimizers.SGD(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"beta_1": 1.0}, r"beta_1 must be a number in \[0, 1\)"),
    ({"beta_2": -0.1}, r"beta_2 must be a number in \[0, 1\)"),
    ({"epsilon": 0}, r"epsilon must be a number in \(0, inf\)"),
])
def test_adam_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.Adam(**kwargs)
