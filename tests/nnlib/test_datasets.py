"""Tests for nnlib.datasets: the real data sets, the simulated loan data, splitting and scaling."""

import numpy as np
import pytest

from nnlib import config, datasets


@pytest.mark.parametrize(("loader", "x_shape", "y_dtype", "n_classes"), [
    (datasets.load_breast_cancer, (569, 30), np.int64, 2),
    (datasets.load_digits, (1797, 64), np.int64, 10),
    (datasets.load_diabetes, (442, 10), np.float32, None),
])
def test_real_data_sets(loader, x_shape, y_dtype, n_classes):
    x, y = loader()
    assert x.shape == x_shape and x.dtype == np.float32
    assert y.shape == (x_shape[0],) and y.dtype == y_dtype
    assert np.all(np.isfinite(x))
    if n_classes:
        assert set(np.unique(y).tolist()) == set(range(n_classes))
    with config.floatx_scope("float64"):
        assert loader()[0].dtype == np.float64


def test_loan_default_shape_balance_and_determinism():
    x, y = datasets.load_loan_default()
    assert x.shape == (5000, len(datasets.LOAN_DEFAULT_FEATURES)) and x.dtype == np.float32
    assert y.dtype == np.int64 and set(np.unique(y).tolist()) == {0, 1}
    for seed in range(5):
        rate = datasets.load_loan_default(seed=seed)[1].mean()
        assert 0.15 <= rate <= 0.25
    x_again, y_again = datasets.load_loan_default()
    np.testing.assert_array_equal(x, x_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(x, datasets.load_loan_default(seed=1)[0])
    np.testing.assert_array_equal(datasets.load_loan_default(n_samples=10)[0].shape, (10, 7))


def test_loan_default_values_are_plausible():
    frame = datasets.load_loan_default(as_frame=True)
    assert frame.columns.tolist() == [*datasets.LOAN_DEFAULT_FEATURES, "default"]
    assert frame["credit_score"].between(300, 850).all()
    assert frame["age"].between(21, 70).all()
    assert (frame["employment_years"] <= frame["age"] - 18).all()
    assert frame["debt_to_income"].between(0, 1).all()
    assert (frame["loan_amount"] <= 0.6 * frame["income"] + 50).all()  # + rounding to $100
    x, y = datasets.load_loan_default()
    np.testing.assert_allclose(frame[list(datasets.LOAN_DEFAULT_FEATURES)].to_numpy(), x, rtol=1e-6)
    np.testing.assert_array_equal(frame["default"].to_numpy(), y)


def test_loan_default_has_signal_a_linear_model_cannot_see():
    """Adding the documented nonlinear terms as features must improve a logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    x, y = datasets.load_loan_default(n_samples=10000, seed=3)
    x = x.astype(np.float64)
    credit, dti, age = x[:, 2], x[:, 3], x[:, 5]
    nonlinear = np.column_stack([x, (age - 45) ** 2, (dti > 0.4) & (credit < 660)])

    def held_out_log_loss(features):
        scaler = datasets.StandardScaler().fit(features[:7000])
        model = LogisticRegression(max_iter=2000).fit(scaler.transform(features[:7000]), y[:7000])
        return log_loss(y[7000:], model.predict_proba(scaler.transform(features[7000:]))[:, 1])

    assert held_out_log_loss(nonlinear) < held_out_log_loss(x) - 0.01


def test_loan_default_bad_arguments():
    with pytest.raises(ValueError, match=r"n_samples must be a positive integer; received 0"):
        datasets.load_loan_default(n_samples=0)
    with pytest.raises(TypeError, match=r"seed must be a non-negative integer; received 'a' \(str\)"):
        datasets.load_loan_default(seed="a")
    with pytest.raises(TypeError, match=r"as_frame must be True or False; received 'yes'"):
        datasets.load_loan_default(as_frame="yes")


def test_train_test_split_sizes_and_reproducibility():
    x = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=0.25)
    assert len(x_test) == 13 and len(x_train) == 37  # ceil(12.5), as scikit-learn
    np.testing.assert_array_equal(x_train[:, 0] // 2, y_train)  # rows stay paired
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(50))
    again = datasets.train_test_split(x, y, test_size=0.25)
    np.testing.assert_array_equal(y_test, again[3])
    assert not np.array_equal(y_test, datasets.train_test_split(x, y, test_size=0.25, seed=1)[3])
    assert x_train.dtype == x.dtype  # dtypes are kept


def test_stratified_split_keeps_proportions():
    y = np.array([1] * 10 + [0] * 90)
    x = np.arange(100)
    _, _, y_train, y_test = datasets.train_test_split(x, y, test_size=0.2, stratify=True)
    assert y_test.sum() == 2 and len(y_test) == 20
    assert y_train.sum() == 8 and len(y_train) == 80
    assert len(set(y_test[:10].tolist())) <= 2  # shuffled, not sorted by class


def test_train_test_split_errors():
    with pytest.raises(ValueError, match=r"x and y must have the same number of samples .*x with 4 samples .*y with 3 samples"):
        datasets.train_test_split(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"test_size must be a number > 0 and < 1; received 1\.5"):
        datasets.train_test_split(np.zeros(4), np.zeros(4), test_size=1.5)
    with pytest.raises(ValueError, match=r"leaves an empty training set with 2 samples"):
        datasets.train_test_split(np.zeros(2), np.zeros(2), test_size=0.9)
    with pytest.raises(ValueError, match=r"x and y must be arrays with one row per sample; received x of shape \(\) and y of shape \(1,\)"):
        datasets.train_test_split(3, [1])


def test_standard_scaler_known_values_and_round_trip():
    x = np.array([[1.0, 10.0, 7.0], [3.0, 30.0, 7.0], [5.0, 20.0, 7.0]])
    scaler = datasets.StandardScaler().fit(x)
    np.testing.assert_allclose(scaler.mean_, [3.0, 20.0, 7.0])
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(8 / 3), np.sqrt(200 / 3), 1.0])  # ddof 0
    z = scaler.transform(x)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), [1, 1, 0], atol=1e-12)  # constant column: centred only
    np.testing.assert_allclose(scaler.inverse_transform(z), x)
    np.testing.assert_allclose(datasets.StandardScaler().fit_transform(x), z)


def test_standard_scaler_matches_sklearn_and_keeps_dtype():
    from sklearn.preprocessing import StandardScaler

    x, _ = datasets.load_breast_cancer()
    ours = datasets.StandardScaler().fit_transform(x)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, StandardScaler().fit_transform(x.astype(np.float64)), atol=1e-5)


def test_standard_scaler_errors():
    scaler = datasets.StandardScaler()
    with pytest.raises(ValueError, match=r"This StandardScaler is not fitted yet: call fit\(x_train\)"):
        scaler.transform([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"not fitted yet"):
        scaler.inverse_transform([[1.0, 2.0]])
    scaler.fit(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"x has 2 features, but this StandardScaler was fitted with 4 features"):
        scaler.transform(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"x must be a 2D array; received a 1D array of shape \(4,\)"):
        scaler.transform(np.zeros(4))
    with pytest.raises(ValueError, match=r"at least one sample to fit on; received 0 rows"):
        datasets.StandardScaler().fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"x contains 1 non-finite value"):
        datasets.StandardScaler().fit([[1.0], [np.nan]])
