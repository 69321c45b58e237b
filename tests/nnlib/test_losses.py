"""Tests for nnlib.losses: hand-computed values and gradients (with Keras's clipping edge cases),
shape rules, properties, gradients against finite differences, errors, and real Keras."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import config, losses
from nnlib.gradcheck import numerical_gradient
from nnlib.utils import snake_case

F32_LOW = np.float32(1e-7)
F32_HIGH = np.float32(1 - 1e-7)  # rounds to 0.99999988

# ------------------------------------------------------------------ known values


def test_sse_known_value_and_gradient():
    assert losses.sse([1.0, 2.0], [1.5, 1.0]) == pytest.approx(1.25)
    np.testing.assert_allclose(losses.sse_gradient([1.0, 2.0], [1.5, 1.0]), [1.0, -2.0])


def test_mse_averages_over_outputs_then_samples():
    y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    y_pred = np.array([[1.0, 1.0], [3.0, 0.0]])
    # per sample: (1 + 0) / 2 = 0.5 and (9 + 0) / 2 = 4.5; batch mean 2.5
    assert losses.mse(y_true, y_pred) == pytest.approx(2.5)
    np.testing.assert_allclose(losses.mse_gradient(y_true, y_pred), [[0.5, 0.0], [1.5, 0.0]])


def test_rmse_is_root_of_batch_mse():
    assert losses.rmse([0.0, 0.0], [3.0, 4.0]) == pytest.approx(np.sqrt(12.5))
    # d sqrt(M) = dM / (2 sqrt M); dM = 2 (p - y) / 2 = [3, 4]
    np.testing.assert_allclose(
        losses.rmse_gradient([0.0, 0.0], [3.0, 4.0]), np.array([3.0, 4.0]) / (2 * np.sqrt(12.5)),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(losses.rmse_gradient([1.0, 2.0], [1.0, 2.0]), [0.0, 0.0])


def test_mae_known_value_and_gradient():
    assert losses.mae([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]]) == pytest.approx(0.875)
    np.testing.assert_allclose(
        losses.mae_gradient([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]]),
        [[0.25, -0.25], [0.0, 0.25]],
    )


def test_binary_crossentropy_known_value_and_gradient():
    y_true, y_pred = np.array([1.0, 0.0]), np.array([0.9, 0.2])
    assert losses.binary_crossentropy(y_true, y_pred) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    np.testing.assert_allclose(
        losses.binary_crossentropy_gradient(y_true, y_pred), [-1 / 0.9 / 2, 1 / 0.8 / 2]
    )


def test_binary_crossentropy_clipping_edge_cases_float32():
    y_true = np.array([1.0, 0.0, 1.0, 0.0], dtype="float32")
    y_pred = np.array([0.0, 1.0, 1.0, 0.0], dtype="float32")
    per_sample = [
        -np.log(F32_LOW),  # 16.118095: the most a confident wrong answer can cost
        -np.log(np.float32(1) - F32_HIGH),  # 15.942385: 1 - 1e-7 rounds to 0.99999988 in float32
        -np.log(F32_HIGH),
        -np.log(np.float32(1) - F32_LOW),
    ]
    assert losses.binary_crossentropy(y_true, y_pred) == pytest.approx(np.mean(per_sample), rel=1e-6)
    assert losses.binary_crossentropy([0.0], np.array([1.0], dtype="float32")) == pytest.approx(
        15.942385, rel=1e-6
    )
    # every prediction was clipped, so no gradient flows back
    np.testing.assert_array_equal(losses.binary_crossentropy_gradient(y_true, y_pred), 0.0)


def test_binary_crossentropy_clipping_in_float64_uses_float64_bounds():
    assert losses.binary_crossentropy([0.0], np.array([1.0])) == pytest.approx(
        -np.log(1 - (1 - 1e-7)), rel=1e-12
    )


def test_gradient_flows_at_the_clip_bounds_but_not_beyond():
    y_true = np.ones(3, dtype="float32")
    y_pred = np.array([F32_LOW, np.float32(0.5), np.nextafter(F32_LOW, np.float32(0))], dtype="float32")
    gradient = losses.binary_crossentropy_gradient(y_true, y_pred)
    assert gradient[0] == pytest.approx(-1 / F32_LOW / 3, rel=1e-6)
    assert gradient[1] == pytest.approx(-2 / 3, rel=1e-6)
    assert gradient[2] == 0


def test_binary_crossentropy_from_logits():
    assert losses.binary_crossentropy([1.0], [0.0], from_logits=True) == pytest.approx(np.log(2))
    np.testing.assert_allclose(losses.binary_crossentropy_gradient([1.0], [0.0], from_logits=True), [-0.5])
    # a huge wrong logit costs exactly its size, with no clipping
    assert losses.binary_crossentropy([0.0], [1000.0], from_logits=True) == pytest.approx(1000.0)


def test_categorical_crossentropy_known_values():
    assert losses.categorical_crossentropy([[0, 1, 0]], [[0.1, 0.8, 0.1]]) == pytest.approx(-np.log(0.8))
    # predictions are normalised first: [1, 3] -> [0.25, 0.75]
    assert losses.categorical_crossentropy([[0.0, 1.0]], [[1.0, 3.0]]) == pytest.approx(-np.log(0.75))
    # L = -log p2 + log(p1 + p2): dL/dp1 = 1/4, dL/dp2 = -1/3 + 1/4
    np.testing.assert_allclose(
        losses.categorical_crossentropy_gradient([[0.0, 1.0]], [[1.0, 3.0]]), [[0.25, -1 / 12]],
        rtol=1e-6,
    )


def test_categorical_crossentropy_clipping_edge_case():
    y_pred = np.array([[1.0, 0.0]], dtype="float32")
    assert losses.categorical_crossentropy([[0, 1]], y_pred) == pytest.approx(-np.log(F32_LOW), rel=1e-6)
    np.testing.assert_array_equal(losses.categorical_crossentropy_gradient([[0, 1]], y_pred), 0.0)


def test_categorical_crossentropy_from_logits_gradient_is_softmax_minus_labels():
    z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected_loss = -np.mean(np.log(softmax[[0, 1], [1, 0]]))
    assert losses.categorical_crossentropy(y, z, from_logits=True) == pytest.approx(expected_loss)
    np.testing.assert_allclose(
        losses.categorical_crossentropy_gradient(y, z, from_logits=True), (softmax - y) / 2
    )


def test_sparse_equals_categorical_on_one_hot_labels():
    rng = np.random.default_rng(0)
    p = rng.random((6, 4))
    labels = np.array([0, 3, 1, 1, 2, 0])
    one_hot = np.eye(4)[labels]
    for from_logits in (False, True):
        assert losses.sparse_categorical_crossentropy(labels, p, from_logits) == pytest.approx(
            losses.categorical_crossentropy(one_hot, p, from_logits), rel=1e-12
        )
        np.testing.assert_allclose(
            losses.sparse_categorical_crossentropy_gradient(labels[:, None], p, from_logits),
            losses.categorical_crossentropy_gradient(one_hot, p, from_logits),
            rtol=1e-12,
        )
    # float labels that are whole numbers are fine (Keras passes labels as floats)
    assert losses.sparse_categorical_crossentropy(labels.astype(float), p) == pytest.approx(
        losses.sparse_categorical_crossentropy(labels, p)
    )


# ------------------------------------------------------------------ shapes and dtypes


@pytest.mark.parametrize("name", ["sse", "mse", "rmse", "mae", "binary_crossentropy"])
def test_vector_targets_against_column_predictions_are_aligned_not_broadcast(name):
    y_true = np.array([0.0, 1.0, 1.0])
    y_column = np.array([[0.0], [1.0], [1.0]])
    assert getattr(losses, name)(y_true, y_column) == pytest.approx(getattr(losses, name)(y_column, y_column))
    assert getattr(losses, name)(y_column, y_true) == pytest.approx(getattr(losses, name)(y_column, y_column))
    gradient = getattr(losses, f"{name}_gradient")(y_true, np.array([[0.5], [0.5], [0.5]]))
    assert gradient.shape == (3, 1)
    gradient = getattr(losses, f"{name}_gradient")(y_column, np.array([0.5, 0.5, 0.5]))
    assert gradient.shape == (3,)


def test_squeeze_or_expand_follows_keras():
    expand = losses.squeeze_or_expand_to_same_rank
    assert [a.shape for a in expand(np.zeros((4, 3, 1)), np.zeros((4, 3)))] == [(4, 3), (4, 3)]
    assert [a.shape for a in expand(np.zeros((4, 3)), np.zeros((4, 3, 1)))] == [(4, 3), (4, 3)]
    assert [a.shape for a in expand(np.zeros(4), np.zeros((4, 2)))] == [(4,), (4, 2)]


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred"),
    [
        ("mse", [0.5, 1.0], [0.0, 0.25]),
        ("binary_crossentropy", [1.0, 0.0], [0.7, 0.1]),
        ("categorical_crossentropy", [[0, 1]], [[0.3, 0.7]]),
        ("sparse_categorical_crossentropy", [1], [[0.3, 0.7]]),
    ],
)
def test_result_dtype_follows_predictions(name, y_true, y_pred):
    function = getattr(losses, name)
    assert isinstance(function(y_true, y_pred), np.float32)
    assert isinstance(function(y_true, np.array(y_pred, dtype="float64")), np.float64)
    assert getattr(losses, f"{name}_gradient")(y_true, np.array(y_pred, dtype="float32")).dtype == np.float32
    with config.floatx_scope("float64"):
        assert isinstance(function(y_true, y_pred), np.float64)


# ------------------------------------------------------------------ properties and finite differences

ALL = [
    "sse", "mse", "rmse", "mae", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy",
]


def _example(name, rng, n=5, d=3, from_logits=False):
    """A batch for loss `name`, away from clip bounds and from |.|'s corner."""
    if name == "sparse_categorical_crossentropy":
        y_true = rng.integers(0, d, size=n)
    elif name == "categorical_crossentropy":
        y_true = np.eye(d)[rng.integers(0, d, size=n)]
    elif name == "binary_crossentropy":
        y_true = rng.integers(0, 2, size=(n, d)).astype(float)
    else:
        y_true = rng.normal(size=(n, d))
    if from_logits:
        y_pred = rng.normal(size=(n, d)) * 3
    elif "crossentropy" in name:
        y_pred = rng.uniform(0.05, 0.95, size=(n, d))
    else:
        y_pred = y_true + rng.choice([-1, 1], size=(n, d)) * rng.uniform(0.1, 2, size=(n, d))
    return y_true, y_pred


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(ALL), st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(2, 4))
def test_losses_are_non_negative(name, seed, n, d):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _example(name, rng, n, d)
    assert getattr(losses, name)(y_true, y_pred) >= 0


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(ALL), st.booleans(), st.integers(0, 2**32 - 1))
def test_gradients_match_central_differences(assert_matches_finite_differences, name, from_logits, seed):
    options = {"from_logits": from_logits} if "crossentropy" in name else {}
    rng = np.random.default_rng(seed)
    y_true, y_pred = _example(name, rng, from_logits=bool(options.get("from_logits")))
    numeric = numerical_gradient(lambda p: getattr(losses, name)(y_true, p, **options), y_pred)
    analytic = getattr(losses, f"{name}_gradient")(y_true, y_pred, **options)
    assert_matches_finite_differences(analytic, numeric)


# ------------------------------------------------------------------ loss objects and get()


@pytest.mark.parametrize(
    ("cls", "name", "function"),
    [
        (losses.SumSquaredError, "sum_squared_error", "sse"),
        (losses.MeanSquaredError, "mean_squared_error", "mse"),
        (losses.RootMeanSquaredError, "root_mean_squared_error", "rmse"),
        (losses.MeanAbsoluteError, "mean_absolute_error", "mae"),
        (losses.BinaryCrossentropy, "binary_crossentropy", "binary_crossentropy"),
        (losses.CategoricalCrossentropy, "categorical_crossentropy", "categorical_crossentropy"),
        (losses.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy",
         "sparse_categorical_crossentropy"),
    ],
)
def test_loss_objects_wrap_the_functions(cls, name, function):
    y_true, y_pred = _example(function, np.random.default_rng(3))
    loss = cls()
    assert loss.name == name
    assert loss(y_true, y_pred) == getattr(losses, function)(y_true, y_pred)
    np.testing.assert_array_equal(
        loss.gradient(y_true, y_pred), getattr(losses, f"{function}_gradient")(y_true, y_pred)
    )


@pytest.mark.parametrize(
    "function, from_logits",
    [(name, False) for name in ALL] + [(name, True) for name in ALL if "crossentropy" in name],
)
def test_fits_unchecked_path_gives_the_public_functions_numbers(function, from_logits):
    """Model.fit calls the cores without re-checking each batch; the numbers must not change."""
    rng = np.random.default_rng(5)
    y_true, y_pred = _example(function, rng, from_logits=from_logits)
    y_true, y_pred = y_true.astype("float32"), y_pred.astype("float32")
    loss = losses.get(function) if not from_logits else type(losses.get(function))(from_logits=True)
    value, gradient = loss._value_and_gradient(y_true, y_pred)
    assert value == loss(y_true, y_pred)
    np.testing.assert_array_equal(gradient, loss.gradient(y_true, y_pred))
    # (n,) targets against an (n, 1) output are lined up as the public functions do
    if "categorical" not in function:
        value, gradient = loss._value_and_gradient(y_true[:, 0], y_pred[:, :1])
        assert value == loss(y_true[:, 0], y_pred[:, :1]) and gradient.shape == (5, 1)


def test_unchecked_path_still_checks_what_depends_on_the_predictions():
    with pytest.raises(ValueError, match="y_pred must hold values in \\[0, 1\\]"):
        losses.BinaryCrossentropy()._value_and_gradient(np.array([1.0]), np.array([1.5]))
    with pytest.raises(ValueError, match="y_pred must hold probabilities"):
        losses.CategoricalCrossentropy()._value_and_gradient(
            np.array([[0.0, 1.0]]), np.array([[-0.5, 1.5]]))


def test_a_users_loss_without_cores_uses_its_own_functions():
    calls = []

    def value(y_true, y_pred):
        calls.append("value")
        return losses.mse(y_true, y_pred)

    def gradient(y_true, y_pred):
        calls.append("gradient")
        return losses.mse_gradient(y_true, y_pred)

    loss = losses.Loss("my_mse", value, gradient)
    result, grad = loss._value_and_gradient(np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    assert result == pytest.approx(0.5) and calls == ["value", "gradient"]
    np.testing.assert_allclose(grad, [1.0, 0.0])


def test_from_logits_option_is_passed_through():
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert loss.from_logits is True
    assert loss([1.0], [0.0]) == pytest.approx(np.log(2))
    assert repr(loss) == "BinaryCrossentropy(from_logits=True)"
    with pytest.raises(TypeError, match=r"from_logits must be True or False; received 'yes'"):
        losses.CategoricalCrossentropy(from_logits="yes")


@pytest.mark.parametrize(
    ("identifier", "name"),
    [
        ("mse", "mean_squared_error"), ("mean_squared_error", "mean_squared_error"),
        ("MeanSquaredError", "mean_squared_error"), ("mae", "mean_absolute_error"),
        ("sse", "sum_squared_error"), ("rmse", "root_mean_squared_error"),
        ("binary_crossentropy", "binary_crossentropy"),
        ("categorical_crossentropy", "categorical_crossentropy"),
        ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
    ],
)
def test_get_accepts_keras_spellings(identifier, name):
    assert losses.get(identifier).name == name


def test_get_returns_instances_unchanged_and_rejects_others():
    loss = losses.CategoricalCrossentropy(from_logits=True)
    assert losses.get(loss) is loss
    with pytest.raises(ValueError, match=r"Unknown loss 'mean_squard_error'\. Valid names: .*Did you mean 'mean_squared_error'"):
        losses.get("mean_squard_error")
    with pytest.raises(TypeError, match=r"(?s)function '<lambda>', which gives the loss but not its gradient.*no automatic differentiation"):
        losses.get(lambda y, p: 0.0)


# ------------------------------------------------------------------ bad input


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape; received y_true of shape \(4, 3\) and y_pred of shape \(4, 2\)"):
        losses.mse(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"shape \(3,\) and y_pred of shape \(3, 2\).*sparse_categorical_crossentropy"):
        losses.categorical_crossentropy([0, 1, 1], np.full((3, 2), 0.5))


def test_bad_values_are_reported():
    with pytest.raises(ValueError, match=r"y_pred must hold values in \[0, 1\]; received values from -2 to 3.*from_logits=True"):
        losses.binary_crossentropy([0.0, 1.0], [-2.0, 3.0])
    with pytest.raises(ValueError, match=r"y_true must hold values in \[0, 1\]; received values from -1 to 1"):
        losses.binary_crossentropy([-1.0, 1.0], [0.2, 0.7])
    with pytest.raises(ValueError, match=r"y_pred must hold probabilities .*minimum of -1.*from_logits=True"):
        losses.categorical_crossentropy([[0, 1]], [[-1.0, 2.0]])
    with pytest.raises(ValueError, match=r"positive sum .*sample \(0,\) sums to 0"):
        losses.categorical_crossentropy([[0, 1]], [[0.0, 0.0]])
    with pytest.raises(ValueError, match=r"at least 2\) in its last axis; received shape \(2, 1\).*binary_crossentropy"):
        losses.categorical_crossentropy([[1.0], [1.0]], [[0.5], [0.5]])
    with pytest.raises(ValueError, match=r"y_pred contains 1 non-finite value"):
        losses.mse([0.0, 1.0], [np.nan, 1.0])
    with pytest.raises(TypeError, match=r"y_true must be numeric"):
        losses.mse(["a", "b"], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"y_pred must be an array with at least one sample; received"):
        losses.mse(1.0, 2.0)


def test_sparse_labels_are_checked():
    p = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"y_true must hold class indices in \[0, 3\) \(3 classes\); received values from 0 to 3"):
        losses.sparse_categorical_crossentropy([0, 3], p)
    with pytest.raises(ValueError, match=r"from -1 to"):
        losses.sparse_categorical_crossentropy([-1, 0], p)
    with pytest.raises(ValueError, match=r"whole-number class indices; received non-integer values such as 1.5"):
        losses.sparse_categorical_crossentropy([0, 1.5], p)
    with pytest.raises(ValueError, match=r"one class index per sample, shape \(2,\) or \(2, 1\).*received y_true of shape \(2, 3\).*looks one-hot"):
        losses.sparse_categorical_crossentropy(np.eye(3)[[0, 1]], p)
    with pytest.raises(ValueError, match=r"y_pred must have shape \(n_samples, n_classes\); received shape \(3,\)"):
        losses.sparse_categorical_crossentropy([0, 1, 2], [0.2, 0.3, 0.5])


# ------------------------------------------------------------------ real Keras


@pytest.mark.slow  # imports real Keras and JAX (about 10 s): left out of make test-fast
def test_every_loss_and_gradient_matches_keras():
    import jax
    import jax.numpy as jnp
    import keras

    rng = np.random.default_rng(0)
    n, d = 32, 5
    targets = rng.normal(size=(n, d)).astype("float32")
    outputs = rng.normal(size=(n, d)).astype("float32")
    bits = rng.integers(0, 2, size=(n, d)).astype("float32")
    probabilities = rng.uniform(0, 1, size=(n, d)).astype("float32")
    probabilities[0, 0], probabilities[1, 1] = 0.0, 1.0  # exercise the clipping
    labels = rng.integers(0, d, size=n)
    labels[0] = 0  # its class was predicted with probability 0: clipped
    one_hot = np.eye(d, dtype="float32")[labels]
    plain = {}
    cases = [
        ("mse", keras.losses.MeanSquaredError(), targets, outputs, plain),
        ("mae", keras.losses.MeanAbsoluteError(), targets, outputs, plain),
        ("binary_crossentropy", keras.losses.BinaryCrossentropy(), bits, probabilities, plain),
        ("categorical_crossentropy", keras.losses.CategoricalCrossentropy(), one_hot, probabilities,
         plain),
        ("sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy(), labels,
         probabilities, plain),
        # (n,) targets against an (n, 1) output: aligned, not broadcast to (n, n)
        ("mse", keras.losses.MeanSquaredError(), targets[:, 0], outputs[:, :1], plain),
        ("binary_crossentropy", keras.losses.BinaryCrossentropy(), bits[:, 0], probabilities[:, :1],
         plain),
        ("sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy(),
         labels[:, None], probabilities, plain),
    ]
    logits = {"from_logits": True}
    cases += [
        ("binary_crossentropy", keras.losses.BinaryCrossentropy(**logits), bits, outputs * 3, logits),
        ("categorical_crossentropy", keras.losses.CategoricalCrossentropy(**logits), one_hot,
         outputs * 3, logits),
        ("sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy(**logits),
         labels, outputs * 3, logits),
    ]
    for name, keras_loss, y_true, y_pred, options in cases:
        expected = float(keras_loss(y_true, y_pred))
        assert getattr(losses, name)(y_true, y_pred, **options) == pytest.approx(expected, rel=1e-6), name
        if name == "mae":
            continue  # |.|'s corner: where y_pred == y_true JAX picks -1/N and nnlib 0 (checked below)
        expected_gradient = np.asarray(
            jax.grad(lambda p: keras_loss(jnp.asarray(y_true), p))(jnp.asarray(y_pred))
        )
        np.testing.assert_allclose(
            getattr(losses, f"{name}_gradient")(y_true, y_pred, **options), expected_gradient,
            rtol=1e-5, atol=1e-9, err_msg=name,
        )
    # mae's gradient away from the corner, and the two losses Keras only has as metrics
    expected_gradient = np.asarray(jax.grad(lambda p: keras.losses.MeanAbsoluteError()(targets, p))(outputs))
    np.testing.assert_allclose(losses.mae_gradient(targets, outputs), expected_gradient, rtol=1e-6)
    rmse = keras.metrics.RootMeanSquaredError()
    rmse.update_state(targets, outputs)
    assert losses.rmse(targets, outputs) == pytest.approx(float(rmse.result()), rel=1e-6)
    assert losses.sse(targets, outputs) == pytest.approx(
        float(keras.losses.MeanSquaredError()(targets, outputs)) * targets.size, rel=1e-6
    )


# ------------------------------------------------------------------ stability


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_inputs_give_finite_losses_without_warnings(dtype):
    logits = np.array([[-1000.0, 1000.0], [1000.0, -1000.0]], dtype=dtype)
    probabilities = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    one_hot = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    cases = [
        ("binary_crossentropy", one_hot, logits, True),
        ("binary_crossentropy", one_hot, probabilities, False),
        ("categorical_crossentropy", one_hot, logits, True),
        ("categorical_crossentropy", one_hot, probabilities, False),
        ("sparse_categorical_crossentropy", np.array([0, 0]), logits, True),
        ("sparse_categorical_crossentropy", np.array([0, 0]), probabilities, False),
    ]
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for name, y_true, y_pred, from_logits in cases:
            value = getattr(losses, name)(y_true, y_pred, from_logits=from_logits)
            gradient = getattr(losses, f"{name}_gradient")(y_true, y_pred, from_logits=from_logits)
            assert np.isfinite(value) and np.all(np.isfinite(gradient)), (name, from_logits)
            assert value.dtype == dtype and gradient.dtype == dtype
    # from logits nothing is clipped: the wrong sample costs its full margin
    assert losses.categorical_crossentropy(one_hot, logits, from_logits=True) == pytest.approx(1000.0)


def test_every_loss_class_is_found_by_its_derived_spellings():
    """One class per loss; losses.get's names come from the classes (short name, snake_case of
    the class name, the class name), not from a hand-written list."""
    expected = {
        losses.SumSquaredError: {"sse", "sum_squared_error", "SumSquaredError"},
        losses.MeanSquaredError: {"mse", "mean_squared_error", "MeanSquaredError"},
        losses.RootMeanSquaredError: {"rmse", "root_mean_squared_error", "RootMeanSquaredError"},
        losses.MeanAbsoluteError: {"mae", "mean_absolute_error", "MeanAbsoluteError"},
        losses.BinaryCrossentropy: {"binary_crossentropy", "BinaryCrossentropy"},
        losses.CategoricalCrossentropy: {"categorical_crossentropy", "CategoricalCrossentropy"},
        losses.SparseCategoricalCrossentropy: {"sparse_categorical_crossentropy",
                                               "SparseCategoricalCrossentropy"},
    }
    for cls, names in expected.items():
        for name in names:
            loss = losses.get(name)
            assert type(loss) is cls and loss.name == snake_case(cls.__name__)
    assert {n for n, c in losses._LOSSES.items() if c in expected} == set().union(*expected.values())
    # Keras's other losses (nnlib.extra.losses) are named the same way (parity: tests/keras)
    assert type(losses.get("kld")) is type(losses.get("KLDivergence")) is losses.KLDivergence


def test_focal_and_generalized_losses_name_a_bad_setting():
    with pytest.raises(ValueError, match=r"BinaryFocalCrossentropy: gamma must be a number >= 0"):
        losses.BinaryFocalCrossentropy(gamma=-1)
    with pytest.raises(ValueError, match=r"CategoricalFocalCrossentropy: nnlib supports axis=-1"):
        losses.CategoricalFocalCrossentropy(axis=0)
    with pytest.raises(ValueError, match=r"CategoricalGeneralizedCrossEntropy: q must be a number > 0 and < 1"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.0)
    with pytest.raises(ValueError, match=r"y_true must hold class indices in \[0, 3\)"):
        losses.CategoricalGeneralizedCrossEntropy()([3], [[0.2, 0.3, 0.5]])


def test_focal_loss_with_gamma_0_and_no_balancing_is_the_cross_entropy():
    y, p = np.array([[1.0, 0.0]]), np.array([[0.8, 0.3]])
    assert losses.BinaryFocalCrossentropy(gamma=0.0)(y, p) == pytest.approx(
        losses.binary_crossentropy(y, p))
    assert losses.CategoricalFocalCrossentropy(gamma=0.0, alpha=1.0)([[0, 1]], [[0.2, 0.8]]) == \
        pytest.approx(losses.categorical_crossentropy([[0, 1]], [[0.2, 0.8]]))
