"""Data handling: validation split, batches, class and sample weights, and their errors."""

import numpy as np
import pytest

from nnlib import data_adapter, utils
from nnlib.layers import Dense, Input
from nnlib.models import Sequential


def test_batches_keep_the_last_partial_batch_and_follow_the_order():
    assert [list(range(10))[r] for r in data_adapter.batches(5, 2, None)] == [[0, 1], [2, 3],
                                                                                [4]]
    order = np.array([4, 3, 2, 1, 0])
    assert [list(b) for b in data_adapter.batches(5, 2, order)] == [[4, 3], [2, 1], [0]]


def test_validation_split_keeps_the_last_rows_with_their_weights():
    xs, y, w = [np.arange(10.0).reshape(10, 1)], np.arange(10.0), np.arange(10.0) / 10
    (tx, (ty, ty2), tw), (vx, (vy, vy2), vw) = data_adapter.split_validation(xs, [y, -y], w, 0.3)
    assert list(ty) == [0, 1, 2, 3, 4, 5, 6] and list(vy) == [7, 8, 9]
    assert list(vy2) == [-7, -8, -9] and list(vx[0][:, 0]) == [7, 8, 9]
    (_, ty, _), (_, vy, _) = data_adapter.split_validation(xs, y, None, 0.3)  # one output
    assert list(ty) == [0, 1, 2, 3, 4, 5, 6] and list(vy) == [7, 8, 9]
    np.testing.assert_array_equal(vw, [0.7, 0.8, 0.9])


def test_class_weight_becomes_one_weight_per_row_as_keras():
    labels = np.array([0.0, 2.0, 1.0, 2.0])
    np.testing.assert_array_equal(
        data_adapter.class_weight_to_sample_weight(labels, {2: 5.0, 0: 0.5}), [0.5, 5, 1, 5])
    one_hot = np.eye(3)[[0, 2, 1]]
    np.testing.assert_array_equal(
        data_adapter.class_weight_to_sample_weight(one_hot, {1: 2.0}), [1, 1, 2])
    with pytest.raises(TypeError, match=r"class_weight must be a dict \{class index: weight\}"):
        data_adapter.class_weight_to_sample_weight(labels, [1, 2])
    with pytest.raises(ValueError, match=r"class_weight\[1\] must be a number >= 0"):
        data_adapter.class_weight_to_sample_weight(labels, {1: -1})


def model_and_data():
    utils.set_random_seed(0)
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    return model, x, (x[:, 0] > 0).astype("float32")


def test_sample_weights_weight_the_loss_as_keras():
    """Weighted batch loss = sum(w_i * l_i) / n: zero weights remove rows, weights 2 double."""
    model, x, y = model_and_data()
    unweighted = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, sample_weight=np.full(8, 2.0), verbose=0) == pytest.approx(
        2 * unweighted, rel=1e-6)
    half = np.r_[np.ones(4), np.zeros(4)]
    assert model.evaluate(x, y, sample_weight=half, verbose=0) == pytest.approx(
        model.evaluate(x[:4], y[:4], verbose=0) / 2, rel=1e-6)


def test_a_row_of_weight_zero_does_not_move_the_weights():
    model, x, y = model_and_data()
    before = model.get_weights()
    model.fit(x, y, sample_weight=np.zeros(8), epochs=2, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weight_errors_name_the_argument():
    model, x, y = model_and_data()
    with pytest.raises(ValueError, match="give sample_weight or class_weight, not both"):
        model.fit(x, y, sample_weight=np.ones(8), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match=r"sample_weight: expected one weight per row, shape "
                                         r"\(8,\); received shape \(7,\)"):
        model.fit(x, y, sample_weight=np.ones(7), verbose=0)
    with pytest.raises(ValueError, match="sample_weight must hold weights >= 0"):
        model.fit(x, y, sample_weight=-np.ones(8), verbose=0)
    model.compile(optimizer="sgd", loss="rmse")
    with pytest.raises(ValueError, match="'root_mean_squared_error' takes no sample_weight"):
        model.fit(x, y, sample_weight=np.ones(8), verbose=0)


def test_sample_weights_come_one_per_output_by_list_or_name_or_one_for_all():
    ys = [np.zeros((3, 1)), np.zeros((3, 2))]
    names = ["a", "b"]
    w = np.array([1.0, 2.0, 3.0])
    one = data_adapter.prepare_sample_weights(w, ys, names, np.float32)
    assert isinstance(one, np.ndarray) and one.dtype == np.float32
    by_list = data_adapter.prepare_sample_weights([w, None], ys, names, np.float32)
    by_name = data_adapter.prepare_sample_weights({"b": w, "a": None}, ys, names, np.float32)
    assert by_list[1] is None and by_name[0] is None
    np.testing.assert_array_equal(by_name[1], w)
    np.testing.assert_array_equal(data_adapter.take(by_name, [0, 2])[1], [1.0, 3.0])
    with pytest.raises(ValueError, match="sample_weight: .*Unknown output 'c'.*'a', 'b'"):
        data_adapter.prepare_sample_weights({"c": w}, ys, names, np.float32)
    with pytest.raises(ValueError, match=r"sample_weight\['b'\]: expected one weight per row"):
        data_adapter.prepare_sample_weights([w, w[:2]], ys, names, np.float32)
