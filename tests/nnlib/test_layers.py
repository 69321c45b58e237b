"""Layers: lazy building, Keras's weight layout and names, forward/backward by hand, merges."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import config, utils
from nnlib.layers import Add, Concatenate, Dense, Input, InputLayer, SymbolicTensor


def test_dense_builds_lazily_from_the_first_input():
    layer = Dense(3)
    assert not layer.built and layer.weights == []
    out = layer(np.ones((2, 5)))
    assert layer.built and out.shape == (2, 3)
    assert [w.shape for w in layer.get_weights()] == [(5, 3), (3,)]
    assert layer.weight_names == ["kernel", "bias"]
    assert layer.count_params() == 18


def test_dense_weights_are_floatx():
    assert Dense(2)(np.ones((1, 3))).dtype == np.float32
    with config.floatx_scope("float64"):
        layer = Dense(2)
        assert layer(np.ones((1, 3))).dtype == np.float64
        assert layer.kernel.dtype == np.float64


def test_default_names_are_unique_per_kind_like_keras():
    first, second = Dense(1), Dense(1)
    assert first.name.startswith("dense") and second.name.startswith("dense_")
    assert first.name != second.name
    assert Dense(1, name="output").name == "output"
    assert Concatenate().name.startswith("concatenate")


def test_glorot_uniform_stays_within_its_limit_and_bias_starts_at_zero():
    utils.set_random_seed(0)
    layer = Dense(200)
    layer(np.zeros((1, 100)))
    limit = np.sqrt(6 / (100 + 200))
    assert np.abs(layer.kernel).max() <= limit
    assert np.abs(layer.kernel).max() > 0.9 * limit  # it does use the whole range
    assert abs(layer.kernel.std() - limit / np.sqrt(3)) < 0.01  # the std of U(-l, l)
    np.testing.assert_array_equal(layer.bias, 0)


def test_seeded_initialisation_is_reproducible():
    utils.set_random_seed(3)
    a = Dense(4)
    a(np.zeros((1, 2)))
    utils.set_random_seed(3)
    b = Dense(4)
    b(np.zeros((1, 2)))
    np.testing.assert_array_equal(a.kernel, b.kernel)


def test_dense_forward_by_hand():
    layer = Dense(2, activation="relu")
    layer(np.zeros((1, 3)))
    layer.set_weights([np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]]), np.array([0.5, -4.0])])
    out = layer(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 2.0]]))
    # z = [[3.5, -4], [0.5, -2]] -> relu
    np.testing.assert_allclose(out, [[3.5, 0.0], [0.5, 0.0]])


def test_dense_backward_by_hand():
    with config.floatx_scope("float64"):
        layer = Dense(2)  # linear
        x = np.array([[1.0, 2.0], [3.0, 4.0]])
        layer(x)
        layer.set_weights([np.array([[1.0, 0.0], [0.0, 2.0]]), np.zeros(2)])
        layer(x)
        grad = np.array([[1.0, 0.0], [0.0, 1.0]])
        dx = layer.backward(grad)
    np.testing.assert_allclose(layer.grads[0], x.T @ grad)  # dW = X^T G
    np.testing.assert_allclose(layer.grads[1], [1.0, 1.0])  # db = column sums of G
    np.testing.assert_allclose(dx, grad @ layer.kernel.T)  # dX = G W^T


def test_dense_without_bias():
    layer = Dense(2, use_bias=False)
    layer(np.ones((1, 3)))
    assert layer.weight_names == ["kernel"] and layer.count_params() == 6


def test_initializer_by_name_and_by_function():
    layer = Dense(2, kernel_initializer="ones", bias_initializer=lambda s, d: np.full(s, 0.5, d))
    np.testing.assert_allclose(layer(np.ones((1, 3))), [[3.5, 3.5]])


def test_unknown_initializer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="kernel_initializer.*glorot_uniform"):
        Dense(2, kernel_initializer="glorot")


@pytest.mark.parametrize("units, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                          ("3", TypeError), (True, TypeError)])
def test_dense_units_must_be_a_positive_int(units, error):
    """The wrong kind of value is a TypeError, the right kind with a wrong value a ValueError."""
    with pytest.raises(error, match="Dense: units must be a positive integer"):
        Dense(units)


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="relu"):
        Dense(2, activation="rleu")


def test_set_weights_checks_shapes_and_count():
    layer = Dense(2)
    layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"kernel must have shape \(3, 2\); received shape \(2, 3\)"):
        layer.set_weights([np.ones((2, 3)), np.ones(2)])
    with pytest.raises(ValueError, match="expected a list of 2 arrays"):
        layer.set_weights([np.ones((3, 2))])


def test_set_weights_updates_in_place():
    layer = Dense(2)
    layer(np.ones((1, 3)))
    kernel = layer.kernel
    layer.set_weights([np.full((3, 2), 7.0), np.ones(2)])
    assert layer.kernel is kernel and kernel[0, 0] == 7.0


def test_dense_rejects_inputs_of_another_width():
    layer = Dense(2)
    layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match="expected inputs with 3 features.*received shape"):
        layer(np.ones((1, 4)))


def test_dense_needs_a_batch_not_a_single_vector():
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        Dense(2)(np.ones(3))


def test_input_gives_a_symbolic_tensor_and_calling_a_layer_records_the_graph():
    x = Input((4,))
    assert isinstance(x, SymbolicTensor) and x.shape == (None, 4)
    assert isinstance(x.layer, InputLayer)
    dense = Dense(3)
    y = dense(x)
    assert y.shape == (None, 3) and y.layer is dense and y.inputs == [x]
    assert dense.built and dense.kernel.shape == (4, 3)


@pytest.mark.parametrize("shape", [(), (0,), (-2,), "four"])
def test_input_shape_must_be_positive_ints(shape):
    with pytest.raises((ValueError, TypeError), match="shape"):
        Input(shape)


def test_concatenate_forward_and_backward():
    layer = Concatenate()
    a, b = np.ones((2, 2)), np.zeros((2, 3))
    out = layer([a, b])
    assert out.shape == (2, 5)
    grad = np.arange(10.0).reshape(2, 5)
    ga, gb = layer.backward(grad)
    np.testing.assert_array_equal(ga, grad[:, :2])
    np.testing.assert_array_equal(gb, grad[:, 2:])


def test_add_forward_and_backward():
    layer = Add()
    out = layer([np.ones((2, 3)), 2 * np.ones((2, 3)), 3 * np.ones((2, 3))])
    np.testing.assert_array_equal(out, 6)
    grads = layer.backward(np.full((2, 3), 0.5))
    assert len(grads) == 3 and all(np.array_equal(g, np.full((2, 3), 0.5)) for g in grads)
    grads[0][0, 0] = 99  # each input owns its gradient
    assert grads[1][0, 0] == 0.5


def test_merge_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match="same shape"):
        Add()([Input((2,)), Input((3,))])
    with pytest.raises(ValueError, match="at least 2 inputs"):
        Concatenate()([Input((2,))])


def test_a_layer_is_not_shared_between_graph_positions():
    dense = Dense(2)
    dense(Input((3,)))
    with pytest.raises(ValueError, match="already used in a model graph"):
        dense(Input((3,)))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5))
def test_dense_output_shape_for_any_sizes(batch, n_in, units):
    out = Dense(units, activation="tanh")(np.ones((batch, n_in)))
    assert out.shape == (batch, units)
    assert np.all(np.abs(out) < 1)


def test_a_nested_list_is_one_input_for_dense():
    out = Dense(2, kernel_initializer="ones")([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(out, [[6.0, 6.0]])


def test_dense_called_on_several_tensors_says_it_takes_one():
    with pytest.raises(ValueError, match="takes one input; received a list of 2"):
        Dense(2)([Input((2,)), Input((2,))])


def test_merge_layers_called_on_arrays():
    np.testing.assert_allclose(Add()([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])]),
                               [[4.0, 6.0]])
    np.testing.assert_allclose(Concatenate()([[[1.0]], [[2.0, 3.0]]]), [[1.0, 2.0, 3.0]])


# ---- the layer contract: a custom layer written as Layer's docstring says --------------------
class Scale(__import__("nnlib").layers.Layer):
    """y = x * s, one learned factor per feature (the example of Layer's docstring)."""

    def build(self, input_shape):
        self.add_weight("scale", (input_shape[-1],), initializer="ones")
        super().build(input_shape)

    def forward(self, x):
        self._x = x
        return x * self.scale

    def backward(self, grad):  # no input_gradient keyword: the documented signature
        self.grads[0][...] = (grad * self._x).sum(axis=0)
        return grad * self.scale


class ScaleNewArrays(Scale):
    """The same layer, storing its gradient as a new array instead of writing in place."""

    def backward(self, grad):
        self.grads = [(grad * self._x).sum(axis=0)]
        return grad * self.scale


@pytest.mark.parametrize("layer_class", [Scale, ScaleNewArrays])
def test_a_custom_layer_works_end_to_end(layer_class):
    from nnlib.gradcheck import check_gradients
    from nnlib.models import Sequential

    # forward and backward by hand
    layer = layer_class(name="scale_by_hand")
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    out = layer(x)
    np.testing.assert_allclose(out, x * layer.scale)
    dx = layer.backward(np.ones_like(out))
    np.testing.assert_allclose(dx, np.broadcast_to(layer.scale, x.shape))
    np.testing.assert_allclose(layer.grads[0], x.sum(axis=0))
    # gradients agree with finite differences inside a model
    with config.floatx_scope("float64"):
        utils.set_random_seed(0)
        model = Sequential([Input((3,)), Dense(4, activation="tanh"), layer_class(name="sc"),
                            Dense(1)])
        model.get_layer("sc").set_weights([np.array([0.7, -1.3, 1.1, 0.9])])
        model.compile(optimizer="sgd", loss="mse")
        rng = np.random.default_rng(0)
        xg, yg = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
        runs = [check_gradients(model, xg, yg, eps=eps) for eps in (1e-3, 1e-4, 1e-5, 1e-6)]
    errors = {path: min(run[path] for run in runs) for path in runs[0]}  # best step per weight
    assert len(errors) == 5 and max(errors.values()) < 1e-7
    # and fit trains it: the factor moves and the loss falls
    utils.set_random_seed(0)
    model = Sequential([Input((2,)), layer_class(name="s"), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(64, 2)).astype("float32")
    y = x @ np.array([[2.0], [-3.0]], dtype="float32")
    before = model.get_layer("s").get_weights()[0].copy()
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert not np.array_equal(before, model.get_layer("s").get_weights()[0])


def test_a_layer_without_forward_says_what_to_write():
    from nnlib.layers import Layer

    with pytest.raises(NotImplementedError, match=r"Layer must define forward\(self, x\)"):
        Layer()(np.ones((1, 2)))


def test_dense_uses_the_activation_object_it_was_given():
    """No private ReLU/softmax inside Dense: a learner's own activation is what computes."""
    from nnlib import activations

    calls = []

    def traced_relu(z):
        calls.append("forward")
        return np.maximum(z, 0)

    def traced_backward(z, a, grad):
        calls.append("backward")
        return grad * (a > 0)

    mine = activations.Activation("relu", traced_relu, traced_backward)
    layer = Dense(2, activation=mine, kernel_initializer="ones")
    out = layer(np.array([[1.0, -3.0]]))
    layer.backward(np.ones_like(out))
    assert calls == ["forward", "backward"]
    np.testing.assert_array_equal(out, [[0.0, 0.0]])


@pytest.mark.parametrize("name", ["relu", "softmax", "linear"])
def test_an_edit_of_the_activation_function_shows_in_dense(monkeypatch, name):
    """Dense calls the activation's function on its own z: a learner who edits it sees the change
    in every Dense layer, in fit too."""
    from nnlib import activations

    activation = activations.get(name)
    original = activation.function
    calls = []

    def edited(z):
        calls.append(z.shape)
        return original(z) * 2  # the "edit": twice the activation

    monkeypatch.setattr(activation, "function", edited)
    layer = Dense(3, activation=name, kernel_initializer="ones")
    x = np.array([[1.0, -2.0]])
    expected = 2 * original(x @ np.ones((2, 3)))
    np.testing.assert_allclose(layer(x), expected)
    assert calls == [(1, 3)]  # called once, on the layer's own z


def test_dense_input_shape_is_keras_s_way_to_start_a_sequential():
    from nnlib.models import Sequential

    model = Sequential([Dense(4, input_shape=(3,)), Dense(1)])
    assert model.built and model.count_params() == 21
    with pytest.raises(ValueError, match=r"input_shape must be a non-empty tuple"):
        Dense(4, input_shape=())


# ---- Flatten, Dropout, Activation, Softmax, Normalization --------------------------------------
def assert_backward_matches_finite_differences(layer, x, forward=None):
    """backward(G) against the numerical gradient of sum(forward(x) * G) with respect to x."""
    from nnlib.gradcheck import numerical_gradient, relative_error

    forward = forward or layer.forward
    rng = np.random.default_rng(1)
    g = rng.normal(size=forward(x).shape)
    analytic = layer.backward(g)
    numeric = numerical_gradient(lambda _: float(np.sum(forward(x) * g)), x, 1e-6)
    assert relative_error(analytic, numeric) < 1e-7


def test_flatten_reshapes_forward_and_back():
    from nnlib.layers import Flatten

    x = np.arange(24.0).reshape(2, 3, 4)
    layer = Flatten()
    assert layer(x).shape == (2, 12)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 12)
    assert_backward_matches_finite_differences(layer, x)


def test_dropout_drops_only_while_training_and_scales_the_kept_entries():
    from nnlib.layers import Dropout

    layer = Dropout(0.25, seed=0)
    x = np.ones((200, 50))
    np.testing.assert_array_equal(layer.forward(x), x)  # inference: unchanged
    y = layer.forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.02  # about a quarter dropped
    assert abs(y.mean() - 1.0) < 0.03  # the expected value is kept

    def same_mask(values):
        layer._rng = np.random.default_rng(7)
        return layer.forward(values, training=True)

    xr = np.random.default_rng(0).normal(size=(4, 5))
    same_mask(xr)
    assert_backward_matches_finite_differences(layer, xr, forward=same_mask)
    with pytest.raises(ValueError, match=r"Dropout: rate must be a number >= 0 and < 1"):
        Dropout(1.0)


def test_dropout_is_active_in_fit_and_not_in_predict():
    from nnlib.layers import Dropout
    from nnlib.models import Sequential

    utils.set_random_seed(0)
    model = Sequential([Input((4,)), Dropout(0.5, name="drop"), Dense(1, name="out")])
    x = np.ones((8, 4), dtype="float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    seen = []
    drop = model.get_layer("drop")
    original = drop.forward

    def spy(values, training=False):
        out = original(values, training=training)
        seen.append((training, float((out == 0).mean())))
        return out

    drop.forward = spy
    model._graph.nodes[0].takes_training = True
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros(8), batch_size=8, epochs=1, verbose=0)
    model.predict(x, verbose=0)
    assert seen[0][0] is True and seen[0][1] > 0  # fit: entries dropped
    assert seen[-1] == (False, 0.0)  # predict: none


def test_activation_and_softmax_layers_compute_with_nnlib_activations():
    from nnlib import activations
    from nnlib.layers import Activation, Softmax

    x = np.random.default_rng(2).normal(size=(3, 4))
    for layer, function in [(Activation("tanh"), activations.tanh),
                            (Softmax(), activations.softmax),
                            (Activation("sigmoid"), activations.sigmoid)]:
        np.testing.assert_allclose(layer.forward(x), function(x))
        assert_backward_matches_finite_differences(layer, x)
    with pytest.raises(ValueError, match="Unknown activation 'tanhh'.*Did you mean 'tanh'"):
        Activation("tanhh")


def test_normalization_adapts_to_the_mean_and_variance_of_the_data():
    from nnlib.layers import Normalization

    rng = np.random.default_rng(3)
    data = rng.normal(loc=[5.0, -2.0], scale=[3.0, 0.5], size=(500, 2)).astype("float32")
    layer = Normalization()
    layer.adapt(data)
    out = layer(data)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)
    assert layer.weight_names == ["mean", "variance", "count"]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    assert_backward_matches_finite_differences(layer, data[:4].astype("float64"))
    given = Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    np.testing.assert_allclose(given(np.array([[3.0, 2.0]])), [[1.0, 0.0]])  # max(sqrt(0), eps)
    with pytest.raises(ValueError, match="give both mean and variance"):
        Normalization(mean=[0.0])


# ---- Input and building (issue 15's review) -------------------------------------------------
def test_input_tensors_have_a_dtype():
    assert Input((3,)).dtype == "float32"
    assert Input((3,), dtype="float64").dtype == "float64"
    assert Dense(2)(Input((3,))).dtype == "float32"


@pytest.mark.parametrize("shape", [(2.5,), ("3",), (True,), "3"])
def test_input_refuses_shapes_that_are_not_ints(shape):
    with pytest.raises(TypeError, match="Input: shape must be a tuple of positive ints"):
        Input(shape)


def test_a_dense_retried_after_a_shape_error_keeps_no_weights_of_the_failed_build():
    layer = Dense(2)
    with pytest.raises(ValueError, match="Flatten"):
        layer(np.ones((4, 2, 3)))
    assert layer.weights == [] and not layer.built
    layer(np.ones((4, 3)))
    assert [w.shape for w in layer.weights] == [(3, 2), (2,)] and layer.count_params() == 8


def test_input_dim_is_keras_2s_spelling_of_input_shape():
    from nnlib.models import Sequential
    model = Sequential([Dense(12, input_dim=8, activation="relu"), Dense(1)])
    assert model.built and model.count_params() == 8 * 12 + 12 + 13
    with pytest.raises(ValueError, match="input_shape or input_dim, not both"):
        Dense(2, input_dim=3, input_shape=(3,))


def test_get_config_and_from_config_make_a_new_layer_with_the_same_settings(scale_layer):
    dense = Dense(3, activation="relu", use_bias=False, name="d")
    copy = Dense.from_config(dense.get_config())
    assert (copy.units, copy.activation.name, copy.use_bias, copy.name) == (3, "relu", False, "d")
    assert copy is not dense

    scale = scale_layer.from_config(scale_layer(3.0, name="scale").get_config())  # Keras's pattern
    assert (scale.factor, scale.name, scale.trainable) == (3.0, "scale", True)
    with pytest.raises(TypeError, match="Dense.from_config: config must be the dict"):
        Dense.from_config("dense")


def test_a_layer_called_on_a_tensor_keeps_it_as_its_output_as_keras():
    hidden = Dense(2)
    tensor = hidden(Input((4,)))
    assert hidden.output is tensor and tensor.shape == (None, 2)
