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


@pytest.mark.parametrize("units", [0, -1, 2.5, "3", True])
def test_dense_units_must_be_a_positive_int(units):
    with pytest.raises(ValueError, match="units must be a positive int"):
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
