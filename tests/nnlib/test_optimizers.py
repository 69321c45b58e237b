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


def test_get_knows_every_optimizer_by_keras_name_in_any_case():
    for name, cls in [("sgd", optimizers.SGD), ("Adam", optimizers.Adam),
                      ("rmsprop", optimizers.RMSprop), ("RMSprop", optimizers.RMSprop),
                      ("adagrad", optimizers.Adagrad)]:
        assert type(optimizers.get(name)) is cls


def test_get_unknown_lists_valid_names_and_suggests_the_closest():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'rmsprp'\. Valid names: 'adadelta', "
                                         r".*'rmsprop', 'sgd'\. Did you mean 'rmsprop'\?"):
        optimizers.get("rmsprp")
    with pytest.raises(ValueError, match=r"Unknown optimizer 'lbfgs'\. Valid names: .*'sgd'\.$"):
        optimizers.get("lbfgs")


def test_get_rejects_what_is_neither_a_name_nor_an_optimizer():
    with pytest.raises(TypeError, match=r"optimizer must be a name such as 'adam' or an instance.*"
                                        r"received 0\.1 \(float\)"):
        optimizers.get(0.1)


def test_gradient_shape_must_match_the_weight():
    with pytest.raises(ValueError, match=r"gradient shape \(3,\) does not match weight shape "
                                         r"\(2,\)"):
        optimizers.SGD().apply_gradients([(np.ones(3), np.zeros(2))])


def test_weights_must_be_arrays_to_update_in_place():
    with pytest.raises(TypeError, match="each weight must be a NumPy array"):
        optimizers.SGD().apply_gradients([(np.ones(2), [0.0, 0.0])])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"momentum": 1.5}, ValueError, r"SGD: momentum must be a number >= 0 and <= 1; received 1.5"),
    ({"nesterov": "yes"}, TypeError, "SGD: nesterov must be True or False"),
    ({"learning_rate": 0}, ValueError, r"SGD: learning_rate must be a number > 0; received 0"),
    ({"learning_rate": "fast"}, TypeError, r"SGD: learning_rate must be a number > 0; received "
                                           r"'fast' \(str\)"),
])
def test_sgd_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.SGD(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"beta_1": 1.0}, r"Adam: beta_1 must be a number >= 0 and < 1; received 1.0"),
    ({"beta_2": -0.1}, r"Adam: beta_2 must be a number >= 0 and < 1"),
    ({"epsilon": 0}, r"Adam: epsilon must be a number > 0"),
])
def test_adam_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.Adam(**kwargs)


# ---- RMSprop and Adagrad ---------------------------------------------------------------------
def test_rmsprop_and_adagrad_have_keras_defaults():
    rms, ada = optimizers.RMSprop(), optimizers.Adagrad()
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == (
        0.001, 0.9, 0.0, 1e-7, False)
    assert (ada.learning_rate, ada.initial_accumulator_value, ada.epsilon) == (0.001, 0.1, 1e-7)
    assert repr(rms) == ("RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, "
                         "centered=False)")


def rmsprop_by_hand(grads, w, lr, rho, eps, momentum=0.0, centered=False):
    v = mean_g = m = 0.0
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        mean_g = rho * mean_g + (1 - rho) * g
        denominator = v - mean_g ** 2 + eps if centered else v + eps
        increment = lr * g / np.sqrt(denominator)
        m = momentum * m + increment
        w -= m
    return w


@pytest.mark.parametrize("momentum, centered", [(0.0, False), (0.5, False), (0.0, True),
                                                (0.5, True)])
def test_rmsprop_by_hand(momentum, centered):
    grads, lr, rho, eps = [0.5, -1.0, 2.0, 0.1], 0.01, 0.9, 1e-7
    expected = rmsprop_by_hand(grads, 1.0, lr, rho, eps, momentum, centered)
    opt = optimizers.RMSprop(learning_rate=lr, rho=rho, momentum=momentum, centered=centered)
    np.testing.assert_allclose(run(opt, [[g] for g in grads], [1.0]), [expected], rtol=1e-12)


def test_rmsprop_step_is_about_the_learning_rate_whatever_the_gradient_scale():
    """The first step is lr * g / sqrt((1 - rho) g^2) = lr / sqrt(0.1) for any size of g."""
    w = run(optimizers.RMSprop(learning_rate=0.01), [[1e-1, 1e4]], [0.0, 0.0])
    np.testing.assert_allclose(w, [-0.01 / np.sqrt(0.1)] * 2, rtol=1e-4)


def test_adagrad_by_hand():
    grads, lr, eps = [0.5, -1.0, 2.0], 0.1, 1e-7
    w, a = 1.0, 0.1
    for g in grads:
        a += g * g
        w -= lr * g / np.sqrt(a + eps)
    result = run(optimizers.Adagrad(learning_rate=lr), [[g] for g in grads], [1.0])
    np.testing.assert_allclose(result, [w], rtol=1e-12)


def test_adagrad_steps_shrink_under_a_constant_gradient():
    opt, w = optimizers.Adagrad(learning_rate=0.1), np.zeros(1)
    positions = [w.copy()]
    for _ in range(4):
        opt.apply_gradients([(np.ones(1), w)])
        positions.append(w.copy())
    steps = -np.diff(np.concatenate(positions))
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0)


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.RMSprop(rho=1.0), r"RMSprop: rho must be a number >= 0 and < 1"),
    (lambda: optimizers.RMSprop(momentum=-1), r"RMSprop: momentum must be a number >= 0"),
    (lambda: optimizers.RMSprop(epsilon=0.0), r"RMSprop: epsilon must be a number > 0"),
    (lambda: optimizers.RMSprop(centered=1), "RMSprop: centered must be True or False"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-0.1),
     "Adagrad: initial_accumulator_value must be a number >= 0"),
    (lambda: optimizers.Adagrad(epsilon=-1.0), "Adagrad: epsilon must be a number > 0"),
])
def test_rmsprop_and_adagrad_arguments(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# ---- learning-rate schedules -----------------------------------------------------------------
def test_a_schedule_sets_the_rate_of_each_step_from_iterations():
    schedule = optimizers.schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=schedule)
    w = np.zeros(1)
    rates = []
    for _ in range(3):
        rates.append(opt.learning_rate)
        opt.apply_gradients([(np.ones(1), w)])
    assert rates == [1.0, 0.5, 0.25]  # step 0 uses the initial rate, as in Keras
    np.testing.assert_allclose(w, [-1.75])
    assert opt.iterations == 3


def test_learning_rate_can_be_changed_between_steps():
    opt = optimizers.RMSprop()
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5
    with pytest.raises(ValueError, match="RMSprop: learning_rate must be a number > 0"):
        opt.learning_rate = -1.0


def test_repr_shows_the_schedule():
    schedule = optimizers.schedules.ExponentialDecay(0.1, 100, 0.96, staircase=True)
    assert repr(optimizers.Adagrad(schedule)) == (
        "Adagrad(learning_rate=ExponentialDecay(initial_learning_rate=0.1, decay_steps=100, "
        "decay_rate=0.96, staircase=True, name='ExponentialDecay'), "
        "initial_accumulator_value=0.1, epsilon=1e-07)")


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_apply_gradients_leaves_the_gradients_as_they_were(name):
    """The update rules read the gradient and write only the weight and the optimizer's state."""
    w, g = np.ones(3, dtype=np.float32), np.array([0.5, -1.0, 2.0], dtype=np.float32)
    before = g.copy()
    optimizers.get(name).apply_gradients([(g, w)])
    np.testing.assert_array_equal(g, before)
    assert np.all(w != 1)


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.Ftrl(learning_rate_power=0.5), r"Ftrl: learning_rate_power must be a number <= 0"),
    (lambda: optimizers.Ftrl(l1_regularization_strength=-1), r"Ftrl: l1_regularization_strength must be a number >= 0"),
    (lambda: optimizers.Adafactor(clip_threshold=0), r"Adafactor: clip_threshold must be a number > 0"),
    (lambda: optimizers.Lamb(beta_1=1.0), r"Lamb: beta_1 must be a number >= 0 and < 1"),
])
def test_the_newer_optimizers_name_a_bad_setting(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_adafactor_keeps_row_and_column_means_of_a_matrix_and_a_full_state_for_a_vector():
    opt = optimizers.Adafactor()
    kernel, bias = np.ones((4, 3), np.float32), np.ones(3, np.float32)
    opt.apply_gradients([(np.full((4, 3), 0.1, np.float32), kernel),
                         (np.full(3, 0.1, np.float32), bias)])
    assert [v.shape for v in opt.keras_variables([kernel, bias])] == [
        (), (), (4,), (3,), (4, 3), (), (), (3,)]
