r"""Data sets for the course, and the two preparation steps every model needs.

* Three small real data sets that scikit-learn ships inside its package (no download, usable
  offline): breast cancer diagnosis, handwritten digits, diabetes progression.
* A *simulated* loan-default data set whose generating process is written out below, so that the
  course can say exactly what a model could learn from it.
* :func:`train_test_split`, to keep some data unseen for an honest evaluation, and
  :class:`StandardScaler`, to put features on comparable scales (gradient descent crawls when one
  feature is in dollars and another in years).

Features come back as :func:`nnlib.config.floatx` arrays; class labels as int64.

Examples
--------
>>> from nnlib import datasets
>>> x, y = datasets.load_breast_cancer()
>>> x.shape, x.dtype, y[:5]
((569, 30), dtype('float32'), array([0, 0, 0, 0, 0]))
"""

import numpy as np

from nnlib import config
from nnlib._validation import (
    as_float_array,
    check_bool,
    check_ndim,
    check_non_negative_int,
    check_number,
    check_positive_int,
    check_same_batch,
)

LOAN_DEFAULT_FEATURES = (
    "income",
    "loan_amount",
    "credit_score",
    "debt_to_income",
    "employment_years",
    "age",
    "n_late_payments",
)
"""Column order of :func:`load_loan_default`'s features."""


def _from_sklearn(loader, y_dtype):
    x, y = loader(return_X_y=True)
    return x.astype(config.floatx()), y.astype(y_dtype)


def load_breast_cancer():
    """The Wisconsin diagnostic breast cancer data: 569 tumours, 30 measurements, benign or not.

    Binary classification. Label 0 is malignant (212 cases), 1 benign (357), following
    scikit-learn's copy of the UCI data set.

    Returns
    -------
    x : numpy.ndarray
        Shape ``(569, 30)``, floatx.
    y : numpy.ndarray of int64
        Shape ``(569,)``, 0 = malignant, 1 = benign.

    Examples
    --------
    >>> x, y = load_breast_cancer()
    >>> int(y.sum())
    357
    """
    from sklearn import datasets

    return _from_sklearn(datasets.load_breast_cancer, np.int64)


def load_digits():
    """8x8 images of handwritten digits: 1,797 images, 64 pixel intensities from 0 to 16, digit 0-9.

    Multi-class classification (10 classes), a small offline cousin of MNIST.

    Returns
    -------
    x : numpy.ndarray
        Shape ``(1797, 64)``, floatx; ``x[i].reshape(8, 8)`` is the image.
    y : numpy.ndarray of int64
        Shape ``(1797,)``, the digit.

    Examples
    --------
    >>> x, y = load_digits()
    >>> x.shape, float(x.max()), sorted(set(y.tolist())) == list(range(10))
    ((1797, 64), 16.0, True)
    """
    from sklearn import datasets

    return _from_sklearn(datasets.load_digits, np.int64)


def load_diabetes():
    """Diabetes progression one year after baseline, for 442 patients with 10 measurements.

    Regression. The features (age, sex, body mass index, blood pressure and six blood serum
    values) come already centred and scaled by scikit-learn; the target is a disease-progression
    score between 25 and 346.

    Returns
    -------
    x : numpy.ndarray
        Shape ``(442, 10)``, floatx.
    y : numpy.ndarray
        Shape ``(442,)``, floatx.

    Examples
    --------
    >>> x, y = load_diabetes()
    >>> x.shape, y.dtype, float(y.min()), float(y.max())
    ((442, 10), dtype('float32'), 25.0, 346.0)
    """
    from sklearn import datasets

    return _from_sklearn(datasets.load_diabetes, config.floatx())


def load_loan_default(n_samples=5000, seed=0, as_frame=False):
    r"""A simulated loan-default data set: who repays, who does not.

    **Simulated, not real.** No well-maintained package ships real loan data offline under a clear
    licence, so we draw it from a process we chose. Because the process is known, the course can
    compare what a model learned with the truth. For each applicant:

    * ``age`` ~ uniform integer in [21, 70];
    * ``employment_years`` = min(Gamma(shape 2, scale 3.5), age - 18), to 0.1 year;
    * ``income`` (dollars a year) = $\exp(10.5 + 0.015\,\text{employment} + 0.004\,(\text{age} - 21) + \varepsilon)$,
      $\varepsilon \sim N(0, 0.4^2)$, to $100 (median about $44,000);
    * ``n_late_payments`` ~ Poisson(0.6), past payments more than 30 days late;
    * ``credit_score`` = clip(N(700, 60²) - 25 n_late_payments, 300, 850), an integer;
    * ``loan_amount`` = income × Uniform(0.05, 0.6), to $100;
    * ``debt_to_income`` = clip(0.8 Beta(2, 5) + 0.1 loan_amount / income, 0, 1), to 0.001.

    The applicant defaults with probability $\sigma(z)$, where

    $$\begin{aligned}
    z = {} & -2.5 - 0.012\,(\text{credit\_score} - 680) + 3\,(\text{debt\_to\_income} - 0.3)
          + 0.3\,\text{n\_late\_payments} \\
        & + 1.2\,(\text{loan\_amount}/\text{income} - 0.3) - 0.04\,\text{employment\_years} \\
        & + 0.003\,(\text{age} - 45)^2 + 2.5\,[\text{debt\_to\_income} > 0.4 \text{ and } \text{credit\_score} < 660].
    \end{aligned}$$

    The last two terms are what a logistic regression on the raw features cannot represent: risk
    is U-shaped in age, and jumps for applicants who are both stretched and poorly rated. A small
    network can learn them, so it beats logistic regression, though only a little: most of the
    signal is linear, and defaults stay partly luck (even the true probabilities give an ROC AUC
    of only about 0.83-0.85). About 17-19% of applicants default, an imbalance to keep in mind when
    reading accuracy (always predicting "repays" already scores over 80%).

    Parameters
    ----------
    n_samples : int, default 5000
    seed : int, default 0
        The same seed always gives the same data.
    as_frame : bool, default False
        Return a pandas DataFrame (features plus a ``"default"`` column) instead of arrays.

    Returns
    -------
    (x, y) or pandas.DataFrame
        `x` has shape ``(n_samples, 7)``, floatx, columns in the order of
        :data:`LOAN_DEFAULT_FEATURES`; `y` is int64, 1 = defaulted.

    Examples
    --------
    >>> x, y = load_loan_default()
    >>> x.shape, round(float(y.mean()), 3)
    ((5000, 7), 0.189)
    >>> load_loan_default(n_samples=3, as_frame=True).columns.tolist()[-2:]
    ['n_late_payments', 'default']
    """
    n = check_positive_int(n_samples, "n_samples")
    rng = np.random.default_rng(check_non_negative_int(seed, "seed"))
    as_frame = check_bool(as_frame, "as_frame")

    age = rng.integers(21, 71, size=n)
    employment_years = np.minimum(rng.gamma(2.0, 3.5, size=n), age - 18).round(1)
    log_income = 10.5 + 0.015 * employment_years + 0.004 * (age - 21) + rng.normal(0, 0.4, size=n)
    income = np.exp(log_income).round(-2)
    n_late_payments = rng.poisson(0.6, size=n)
    credit_score = np.clip(rng.normal(700, 60, size=n) - 25 * n_late_payments, 300, 850)
    credit_score = credit_score.round().astype(np.int64)
    loan_amount = (income * rng.uniform(0.05, 0.6, size=n)).round(-2)
    debt_to_income = np.clip(
        0.8 * rng.beta(2.0, 5.0, size=n) + 0.1 * loan_amount / income, 0, 1
    ).round(3)

    z = (
        -2.5
        - 0.012 * (credit_score - 680)
        + 3.0 * (debt_to_income - 0.3)
        + 0.3 * n_late_payments
        + 1.2 * (loan_amount / income - 0.3)
        - 0.04 * employment_years
        + 0.003 * (age - 45) ** 2
        + 2.5 * ((debt_to_income > 0.4) & (credit_score < 660))
    )
    default = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.int64)

    columns = [income, loan_amount, credit_score, debt_to_income, employment_years, age,
               n_late_payments]
    if as_frame:
        import pandas as pd  # only this option needs pandas

        frame = pd.DataFrame(dict(zip(LOAN_DEFAULT_FEATURES, columns)))
        frame["default"] = default
        return frame
    return np.column_stack(columns).astype(config.floatx()), default


def train_test_split(x, y, test_size=0.2, seed=0, stratify=False):
    """Shuffle the rows, then set a fraction aside for testing.

    A model is judged on data it never trained on: its error on the training rows flatters it.

    Parameters
    ----------
    x, y : array_like
        Same number of rows. Their dtypes are kept.
    test_size : float, default 0.2
        Fraction of rows for the test set, strictly between 0 and 1; the test set gets
        ``ceil(test_size * n)`` rows, as in scikit-learn.
    seed : int, default 0
        The shuffle's seed (the same seed gives the same split).
    stratify : bool, default False
        Keep the class proportions of `y` in both parts: each class contributes
        ``round(test_size * its count)`` rows to the test set. Useful for imbalanced labels.

    Returns
    -------
    x_train, x_test, y_train, y_test : numpy.ndarray

    Examples
    --------
    >>> x = np.arange(20).reshape(10, 2)
    >>> x_train, x_test, y_train, y_test = train_test_split(x, np.arange(10), test_size=0.3)
    >>> x_train.shape, x_test.shape, y_test
    ((7, 2), (3, 2), array([4, 6, 2]))
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"x and y must be arrays with one row per sample; received x of shape {x.shape} and "
            f"y of shape {y.shape}."
        )
    check_same_batch(x, y)
    test_size = check_number(test_size, "test_size", low=0, high=1, low_inclusive=False,
                             high_inclusive=False)
    rng = np.random.default_rng(check_non_negative_int(seed, "seed"))
    n = len(x)
    if check_bool(stratify, "stratify"):
        test_rows = []
        for label in np.unique(y):
            rows = rng.permutation(np.flatnonzero(y == label))
            test_rows.append(rows[: int(round(test_size * len(rows)))])
        test = rng.permutation(np.concatenate(test_rows))
        train = rng.permutation(np.setdiff1d(np.arange(n), test))
    else:
        order = rng.permutation(n)
        n_test = int(np.ceil(test_size * n))
        test, train = order[:n_test], order[n_test:]
    if len(train) == 0 or len(test) == 0:
        raise ValueError(
            f"test_size={test_size} leaves an empty {'training' if len(train) == 0 else 'test'} set "
            f"with {n} samples; use more data or a test_size nearer 0.5."
        )
    return x[train], x[test], y[train], y[test]


class StandardScaler:
    r"""Standardise each feature to mean 0 and standard deviation 1: $x' = (x - \mu) / \sigma$.

    $\mu$ and $\sigma$ are learned from the training data only (:meth:`fit`) and then applied,
    unchanged, to validation and test data: computing them on the test data would leak it into the
    model. A feature that never varies ($\sigma = 0$) is only centred (its $\sigma$ is taken as 1),
    as in scikit-learn, rather than divided by zero.

    Attributes
    ----------
    mean_, scale_ : numpy.ndarray
        $\mu$ and $\sigma$ per feature, set by :meth:`fit`.

    Examples
    --------
    >>> scaler = StandardScaler()
    >>> scaler.fit_transform([[1.0, 5.0], [3.0, 5.0]])
    array([[-1.,  0.],
           [ 1.,  0.]], dtype=float32)
    >>> scaler.inverse_transform([[0.0, 0.0]])
    array([[2., 5.]], dtype=float32)
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, x):
        """Learn each column's mean and standard deviation from `x` (shape ``(n, n_features)``)."""
        x = as_float_array(x, "x")
        check_ndim(x, "x", 2)
        if len(x) == 0:
            raise ValueError("x must have at least one sample to fit on; received 0 rows.")
        self.mean_ = x.mean(axis=0)
        std = x.std(axis=0)
        self.scale_ = np.where(std == 0, 1, std).astype(x.dtype)
        return self

    def _check_fitted(self, x):
        if self.mean_ is None:
            raise ValueError(
                "This StandardScaler is not fitted yet: call fit(x_train) (or fit_transform) "
                "before transform or inverse_transform."
            )
        x = as_float_array(x, "x")
        check_ndim(x, "x", 2)
        if x.shape[1] != len(self.mean_):
            raise ValueError(
                f"x has {x.shape[1]} features, but this StandardScaler was fitted with "
                f"{len(self.mean_)} features."
            )
        return x

    def transform(self, x):
        r"""Return $(x - \mu) / \sigma$."""
        x = self._check_fitted(x)
        return ((x - self.mean_) / self.scale_).astype(x.dtype, copy=False)

    def fit_transform(self, x):
        """Fit on `x`, then transform it."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x):
        r"""Undo :meth:`transform`: return $x' \sigma + \mu$ (e.g. to read predictions in original units)."""
        x = self._check_fitted(x)
        return (x * self.scale_ + self.mean_).astype(x.dtype, copy=False)
