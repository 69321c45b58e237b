"""Tests for nnlib.utils: seeding and one-hot encoding."""

import numpy as np
import pytest

from nnlib import config, utils


def test_same_seed_same_numbers_for_nnlib_and_numpy():
    utils.set_random_seed(7)
    first = (utils.get_rng().normal(size=3), np.random.permutation(5))
    utils.set_random_seed(7)
    second = (utils.get_rng().normal(size=3), np.random.permutation(5))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    utils.set_random_seed(8)
    assert not np.array_equal(utils.get_rng().normal(size=3), first[0])


def test_get_rng_is_a_generator():
    assert isinstance(utils.get_rng(), np.random.Generator)


@pytest.mark.parametrize(("bad", "error", "message"), [
    (-1, ValueError, r"seed must be a non-negative integer; received -1\."),
    (1.5, TypeError, r"seed must be a non-negative integer; received 1\.5 \(float\)"),
    ("1", TypeError, r"received '1' \(str\)"),
])
def test_bad_seeds(bad, error, message):
    with pytest.raises(error, match=message):
        utils.set_random_seed(bad)


def test_to_categorical_known_values():
    np.testing.assert_array_equal(
        utils.to_categorical([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    )
    encoded = utils.to_categorical(np.array([[1], [0]]), num_classes=4)
    np.testing.assert_array_equal(encoded, [[0, 1, 0, 0], [1, 0, 0, 0]])
    assert encoded.dtype == np.float32
    with config.floatx_scope("float64"):
        assert utils.to_categorical([0]).dtype == np.float64
    assert utils.to_categorical([]).shape == (0, 0)


def test_to_categorical_matches_keras():
    import keras

    labels = np.random.default_rng(0).integers(0, 6, size=20)
    np.testing.assert_array_equal(utils.to_categorical(labels, 7), keras.utils.to_categorical(labels, 7))


def test_to_categorical_errors():
    with pytest.raises(ValueError, match=r"y must hold class indices in \[0, 2\) \(2 classes\); received values from 0 to 2"):
        utils.to_categorical([0, 2], num_classes=2)
    with pytest.raises(ValueError, match=r"whole-number class indices; received non-integer values such as 0\.5"):
        utils.to_categorical([0.5, 1])
    with pytest.raises(ValueError, match=r"received values from -1 to 1"):
        utils.to_categorical([-1, 1])
    with pytest.raises(ValueError, match=r"1D array of class indices .*received shape \(2, 2\)"):
        utils.to_categorical([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"num_classes must be a positive integer; received 0"):
        utils.to_categorical([0], num_classes=0)
    with pytest.raises(TypeError, match=r"y must be numeric"):
        utils.to_categorical(["cat", "dog"])


def test_snake_case_gives_keras_names():
    # keras.src.utils.naming.to_snake_case: a run of capitals is one word
    from nnlib.utils import snake_case
    assert [snake_case(n) for n in ["AUC", "MLPBlock", "SGD", "BinaryCrossentropy", "KLDivergence"]
            ] == ["auc", "mlp_block", "sgd", "binary_crossentropy", "kl_divergence"]


def test_normalize_divides_each_row_by_its_norm_and_leaves_zero_rows():
    np.testing.assert_allclose(utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]), order=1),
                               [[3 / 7, 4 / 7], [0.0, 0.0]], rtol=1e-6)


def test_progbar_averages_over_steps_but_not_stateful_values(capsys):
    bar = utils.Progbar(4, verbose=2, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.1)])
    bar.update(3, [("loss", 0.25), ("acc", 0.7)])
    assert (bar.mean("loss"), bar.mean("acc")) == (0.5, 0.7)
    assert capsys.readouterr().out == ""  # verbose=2 writes when the 4 steps are done
    bar.add(1, [("loss", 0.125)])
    assert "4/4 - " in capsys.readouterr().out
