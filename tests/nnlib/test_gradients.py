"""Backpropagation agrees with finite differences (float64, relative error < 1e-7, as CS231n).

Every activation a Dense layer can use is checked under every loss, and graphs with Concatenate,
Add and an input used by two layers (whose gradients must be summed). Kinks (ReLU and
hard_sigmoid corners, MAE where prediction equals target) have no derivative, so each test first
checks that no value sits within 1e-4 of one: a finite difference straddling a kink is meaningless.
"""

import numpy as np
import pytest

from nnlib import config, gradcheck, losses, utils
from nnlib.layers import Add, Concatenate, Dense, Input
from nnlib.models import Model, Sequential

ACTIVATIONS = ["relu", "sigmoid", "tanh", "hard_sigmoid", "silu", "dsilu", "softmax", "linear"]
KINKS = {"relu": [0.0], "hard_sigmoid": [-3.0, 3.0]}
TOLERANCE = 1e-7
# Central differences err by about eps**2 * (third derivative) from truncation plus about
# 1e-16 * loss / eps from rounding, so the best step depends on the function: each weight is checked
# at five steps and its smallest error counts. A wrong gradient is wrong at every step (see
# test_a_wrong_backward_pass_is_caught). The kink guard keeps 1e-2 of room, more than the largest
# step moves a pre-activation.
STEPS = (1e-3, 1e-4, 3e-5, 1e-5, 1e-6)


def worst_errors(model, x, y):
    """{weight path: relative error}, the best over STEPS, via nnlib.gradcheck."""
    runs = [gradcheck.check_gradients(model, x, y, eps=eps) for eps in STEPS]
    return {path: min(run[path] for run in runs) for path in runs[0]}


# loss -> (output units, output activation or None to use the hidden one, target kind)
LOSSES = {
    "sse": (3, None, "real"),
    "mse": (3, None, "real"),
    "rmse": (3, None, "real"),
    "mae": (3, None, "real"),
    "binary_crossentropy": (2, "sigmoid", "binary"),
    "binary_crossentropy_logits": (2, "linear", "binary"),
    "categorical_crossentropy": (3, "softmax", "categorical"),
    "categorical_crossentropy_logits": (3, "linear", "categorical"),
    "sparse_categorical_crossentropy": (3, "softmax", "sparse"),
    "sparse_categorical_crossentropy_logits": (3, "linear", "sparse"),
}


def make_loss(name):
    if name.endswith("_logits"):
        cls = {"binary_crossentropy": losses.BinaryCrossentropy,
               "categorical_crossentropy": losses.CategoricalCrossentropy,
               "sparse_categorical_crossentropy": losses.SparseCategoricalCrossentropy}
        return cls[name.removesuffix("_logits")](from_logits=True)
    return losses.get(name)


def make_targets(kind, n, units, rng):
    if kind == "real":
        return rng.normal(size=(n, units))
    if kind == "binary":
        return rng.integers(0, 2, size=(n, units)).astype(float)
    labels = rng.integers(0, units, size=n)
    return labels if kind == "sparse" else np.eye(units)[labels]


def assert_away_from_kinks(model, x, y, loss_name):
    values = x
    for layer in model.layers:
        values = layer.forward(values)
        for kink in KINKS.get(layer.activation.name, []):
            distance = np.abs(layer._z - kink).min() if layer.activation.name != "relu" else \
                np.abs(layer._x @ layer.kernel + layer.bias - kink).min()
            assert distance > 1e-2, f"{layer.name}: a pre-activation sits on a kink; change the seed"
    if loss_name == "mae":
        assert np.abs(values - y).min() > 1e-2


@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_backward_matches_finite_differences(activation, loss_name):
    units, out_activation, target = LOSSES[loss_name]
    rng = np.random.default_rng(7)
    utils.set_random_seed(7)
    with config.floatx_scope("float64"):
        model = Sequential([
            Input((3,)),
            Dense(4, activation=activation, kernel_initializer="glorot_uniform",
                  bias_initializer="random_normal"),
            Dense(units, activation=out_activation or activation,
                  bias_initializer="random_normal"),
        ])
        x = rng.normal(size=(5, 3))
        y = make_targets(target, 5, units, rng)
        model.compile(optimizer="sgd", loss=make_loss(loss_name))
        assert_away_from_kinks(model, x, y, loss_name)
        errors = worst_errors(model, x, y)
    assert set(errors) == set(model.weight_paths)
    worst = max(errors.values())
    assert worst < TOLERANCE, errors


def test_merge_graph_with_fan_out_matches_finite_differences():
    """Concatenate, Add, and input `a` feeding two layers (its gradients add up)."""
    rng = np.random.default_rng(3)
    utils.set_random_seed(3)
    with config.floatx_scope("float64"):
        a, b = Input((3,)), Input((2,))
        h1 = Dense(4, activation="tanh", bias_initializer="random_normal")(a)
        h2 = Dense(4, activation="sigmoid", bias_initializer="random_normal")(b)
        h3 = Dense(4, activation="silu", bias_initializer="random_normal")(h1)
        summed = Add()([h1, h2, h3])
        joined = Concatenate()([summed, h1, b])
        out = Dense(3, activation="softmax")(joined)
        model = Model([a, b], out)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        x = [rng.normal(size=(6, 3)), rng.normal(size=(6, 2))]
        y = np.eye(3)[rng.integers(0, 3, size=6)]
        errors = worst_errors(model, x, y)
    assert len(errors) == 8
    assert max(errors.values()) < TOLERANCE, errors


def test_a_wrong_backward_pass_is_caught():
    """The check can fail: a Dense whose bias gradient is doubled is reported."""

    class BrokenDense(Dense):
        def backward_from_z(self, dz, input_gradient=True):
            result = super().backward_from_z(dz, input_gradient)
            self.grads[1] *= 2
            return result

    utils.set_random_seed(0)
    with config.floatx_scope("float64"):
        model = Sequential([Input((3,)), BrokenDense(2, bias_initializer="random_normal")])
        model.compile(optimizer="sgd", loss="mse")
        rng = np.random.default_rng(0)
        errors = worst_errors(model, rng.normal(size=(4, 3)), rng.normal(size=(4, 2)))
    assert errors[model.weight_paths[0]] < TOLERANCE
    assert errors[model.weight_paths[1]] > 0.1


def test_fused_softmax_crossentropy_step_equals_the_chain_rule():
    """fit's shortcut dL/dz = p - y (softmax + cross-entropy) moves weights exactly as the general
    path (loss gradient, then the softmax Jacobian) does."""
    rng = np.random.default_rng(5)
    x, labels = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
    results = []
    for loss in ["sparse_categorical_crossentropy", "categorical_crossentropy"]:
        y = labels if loss.startswith("sparse") else np.eye(3)[labels]
        utils.set_random_seed(1)
        with config.floatx_scope("float64"):
            model = Sequential([Input((4,)), Dense(5, activation="relu"),
                                Dense(3, activation="softmax")])
            model.compile(optimizer="sgd", loss=loss)
            shortcut = model.loss.value_and_gradient_through(
                model.layers[-1].activation, model._prepare_y(y, 8)[0],
                model.predict(x, verbose=0))
            assert shortcut is not None  # fit below takes it
            before = model.get_weights()
            _, grads = model.compute_loss_and_gradients(x, y)  # the general path
            model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)  # the fused path
        for w0, w1, g in zip(before, model.get_weights(), grads):
            np.testing.assert_allclose(w0 - w1, 0.01 * g, rtol=1e-10, atol=1e-15)
        results.append(model.get_weights())
    for sparse_w, categorical_w in zip(*results):
        np.testing.assert_allclose(sparse_w, categorical_w, rtol=1e-12)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
@pytest.mark.parametrize("label_clipped", [False, True])
def test_fused_step_handles_clipped_probabilities_as_the_chain_rule(label_clipped, loss):
    """Keras clips every probability to [1e-7, 1 - 1e-7], but the loss reads only q[i, k] where
    y[i, k] != 0: a tiny probability of another class changes nothing, and fit keeps the fused
    step. A clipped label probability makes the loss flat in it: with class labels the fused step
    zeroes that row's gradient; with one-hot targets the batch takes the general path. Either way
    the weights move exactly as the general path (loss gradient, clip mask, softmax Jacobian) moves
    them, and the loss reported is the loss function's."""
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1]) if not label_clipped else np.array([0, 1, 2])
    sparse = loss.startswith("sparse")
    y = labels if sparse else np.eye(3)[labels]
    with config.floatx_scope("float64"):
        model = Sequential([Input((2,)), Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss=loss)
        # scores: class 2 far below classes 0 and 1 in every row (p below 1e-13, clipped), while
        # classes 0 and 1 get probabilities from 0.27 to 0.73; label 2 in the last row is clipped
        model.set_weights([np.array([[0.0, 1.0, -30.0], [0.0, -1.0, -30.0]]), np.zeros(3)])
        p = model.predict(x, verbose=0)
        assert p.min() < 1e-7
        y_checked = model._prepare_y(y, 3)[0]  # one array per output
        fused = model.loss.value_and_gradient_through(model.layers[-1].activation, y_checked, p)
        assert (fused is None) == (label_clipped and not sparse)
        expected_loss = model.loss(y, p)
        if fused is not None:
            assert fused[0] == pytest.approx(expected_loss, rel=1e-12)
            assert np.all(fused[1][2] == 0) == label_clipped
        before = model.get_weights()
        _, grads = model.compute_loss_and_gradients(x, y)  # the general path
        history = model.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"] == [pytest.approx(expected_loss, rel=1e-6)]  # summed in float32
    for w0, w1, g in zip(before, model.get_weights(), grads):
        np.testing.assert_allclose(w0 - w1, 0.01 * g, rtol=1e-10, atol=1e-15)


def test_several_outputs_backpropagate_the_weighted_sum_of_their_losses():
    """An output another layer reads gets both gradients (its own loss's and the next output's,
    through softmax with cross-entropy); loss_weights scale each: finite differences agree."""
    with config.floatx_scope("float64"):
        utils.set_random_seed(0)
        inputs = Input((3,))
        first = Dense(2, activation="tanh", name="first")(Dense(4, activation="tanh")(inputs))
        second = Dense(3, activation="softmax", name="second")(first)
        model = Model(inputs, {"a": first, "b": second})
        model.compile("sgd", loss={"a": "mse", "b": "categorical_crossentropy"},
                      loss_weights={"a": 0.3, "b": 2.0})
        x = np.random.default_rng(1).normal(size=(5, 3))
        y = {"a": np.ones((5, 2)), "b": np.eye(3)[[0, 1, 2, 0, 1]]}
        errors = gradcheck.check_gradients(model, x, y)
    assert len(errors) == 6 and max(errors.values()) < 1e-6, errors


# Keras's other losses with settings, against finite differences: (loss, output activation,
# target kind)
SETTINGS_LOSSES = {
    "binary_focal": (lambda: losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, gamma=1.5, label_smoothing=0.1), "sigmoid", "binary"),
    "binary_focal_logits": (lambda: losses.BinaryFocalCrossentropy(from_logits=True, gamma=3.0),
                            "linear", "binary"),
    "categorical_focal": (lambda: losses.CategoricalFocalCrossentropy(gamma=2.5), "softmax",
                          "categorical"),
    "categorical_focal_logits": (lambda: losses.CategoricalFocalCrossentropy(
        from_logits=True, alpha=0.5, label_smoothing=0.2), "linear", "categorical"),
    "generalized": (lambda: losses.CategoricalGeneralizedCrossEntropy(q=0.3), "softmax",
                    "sparse"),
}


@pytest.mark.parametrize("name", sorted(SETTINGS_LOSSES))
def test_focal_and_generalized_loss_gradients_match_finite_differences(name):
    make, activation, target = SETTINGS_LOSSES[name]
    rng = np.random.default_rng(5)
    utils.set_random_seed(5)
    with config.floatx_scope("float64"):
        model = Sequential([Input((3,)), Dense(4, activation="tanh"),
                            Dense(3, activation=activation, bias_initializer="random_normal")])
        model.compile(optimizer="sgd", loss=make())
        errors = worst_errors(model, rng.normal(size=(6, 3)), make_targets(target, 6, 3, rng))
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("merge", ["Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot",
                                   "Dot-normalize"])
def test_merge_layers_backward_matches_finite_differences(merge):
    from nnlib import layers  # noqa: PLC0415
    rng = np.random.default_rng(4)
    utils.set_random_seed(4)
    with config.floatx_scope("float64"):
        a, b = Input((3,)), Input((2,))
        left = Dense(4, activation="tanh", bias_initializer="random_normal")(a)
        right = Dense(4, activation="sigmoid", bias_initializer="random_normal")(b)
        third = [] if merge in ("Subtract",) or merge.startswith("Dot") else [
            Dense(4, bias_initializer="random_normal")(a)]
        if merge.startswith("Dot"):
            joined = layers.Dot(axes=1, normalize=merge.endswith("normalize"))([left, right])
        else:
            joined = getattr(layers, merge)()([left, right, *third])
        model = Model([a, b], Dense(2)(joined))
        model.compile(optimizer="sgd", loss="mse")
        x = [rng.normal(size=(6, 3)), rng.normal(size=(6, 2))]
        errors = worst_errors(model, x, rng.normal(size=(6, 2)))
    assert max(errors.values()) < TOLERANCE, errors
