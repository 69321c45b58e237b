r"""Assertion helpers that tell a learner *what* went wrong, not only *that* something did.

The exercises' test cells use these helpers the way NumPy's own tests use :mod:`numpy.testing`, but
every failure message is written for someone who is learning: it names the quantity, says what was
received and what was expected, and, where the mistake is a common one, says which mistake it looks
like ("matches Keras 2's hard_sigmoid, 0.2x + 0.5; this exercise uses Keras 3's relu6(x + 3) / 6").

The helpers only look at plain data (numbers and arrays) returned by the learner's functions, never at
the objects themselves, so the same checks work inside the notebook and in the sandboxed grader.

Examples
--------
>>> import numpy as np
>>> from nnlib.testing import assert_close
>>> assert_close(np.array([0.5, 0.25]), np.array([0.5, 0.25]), name="p")
>>> try:
...     assert_close(np.zeros((3, 2)), np.zeros((2, 3)), name="dW")
... except AssertionError as error:
...     print(error)
dW has shape (3, 2), expected (2, 3). Its transpose has the expected shape: check the order of the matrix product.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

__all__ = [
    "quiet",
    "call_quietly",
    "call_without_warnings",
    "as_array",
    "assert_close",
    "assert_equal",
    "assert_shape",
    "assert_scalar",
    "assert_finite",
    "assert_gradient",
    "central_difference",
    "assert_probabilities",
    "assert_accuracy",
    "roc_auc",
    "logistic_loss",
    "logistic_gradient",
]


# --------------------------------------------------------------------------------------------------
# Running learner code
# --------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence Python warnings and NumPy floating-point warnings inside the block.

    nbgrader gives 0 points to a test cell that writes anything to stderr, so a correct answer whose
    intermediate ``np.exp`` overflows harmlessly would lose its points to the warning alone. Tests wrap
    calls to learner code in ``quiet()`` unless the absence of warnings is itself what they test.

    Examples
    --------
    >>> import numpy as np
    >>> with quiet():
    ...     big = np.exp(np.array([1000.0]))
    >>> big
    array([inf])
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


def call_quietly(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``func(*args, **kwargs)`` with every warning silenced and return its result.

    Examples
    --------
    >>> import numpy as np
    >>> call_quietly(np.log, 0.0)
    np.float64(-inf)
    """
    with quiet():
        return func(*args, **kwargs)


def call_without_warnings(
    func: Callable[..., Any], *args: Any, name: str = "the function", hint: str = "", **kwargs: Any
) -> Any:
    """Call ``func`` and fail with a clear message if it emits any warning (overflow, divide by zero).

    Use this where avoiding the warning is part of the exercise, e.g. a numerically stable sigmoid.

    Examples
    --------
    >>> import numpy as np
    >>> try:
    ...     call_without_warnings(lambda x: 1 / (1 + np.exp(-x)), np.array([-1000.0]),
    ...                           name="sigmoid(-1000)", hint="Use the stable form.")
    ... except AssertionError as error:
    ...     print(error)
    sigmoid(-1000) raised a warning: RuntimeWarning: overflow encountered in exp. Use the stable form.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Underflow to 0 is harmless (exp(-1000) is 0 to float precision); overflow, 0/0 and x/0 are not.
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            result = func(*args, **kwargs)
    if caught:
        first = caught[0]
        message = f"{name} raised a warning: {first.category.__name__}: {first.message}."
        raise AssertionError(_join(message, hint))
    return result


# --------------------------------------------------------------------------------------------------
# Checking what came back
# --------------------------------------------------------------------------------------------------
def as_array(actual: Any, name: str = "the result") -> np.ndarray:
    """Convert a returned value to a float64 array, failing clearly on ``None`` or non-numbers.

    Examples
    --------
    >>> as_array([1, 2], name="y")
    array([1., 2.])
    >>> try:
    ...     as_array(None, name="relu(x)")
    ... except AssertionError as error:
    ...     print(error)
    relu(x) is None: did the function forget to `return` its result?
    """
    if actual is None:
        raise AssertionError(f"{name} is None: did the function forget to `return` its result?")
    if isinstance(actual, (str, bytes, dict, set)):
        raise AssertionError(
            f"{name} is a {type(actual).__name__} ({_short(actual)}), expected a number or a NumPy array."
        )
    try:
        array = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise AssertionError(
            f"{name} could not be read as numbers: got a {type(actual).__name__} ({_short(actual)}), "
            f"expected a number or a NumPy array ({error})."
        ) from None
    return array


def assert_shape(actual: Any, expected_shape: tuple[int, ...], name: str = "the result", hint: str = "") -> None:
    """Fail unless ``actual`` has ``expected_shape``; say when it is the transpose.

    Examples
    --------
    >>> import numpy as np
    >>> try:
    ...     assert_shape(np.zeros(4), (4, 1), name="y_pred", hint="Keep the column axis.")
    ... except AssertionError as error:
    ...     print(error)
    y_pred has shape (4,), expected (4, 1). It has the right number of entries but a different number of axes. Keep the column axis.
    """
    array = as_array(actual, name)
    expected_shape = tuple(expected_shape)
    if array.shape == expected_shape:
        return
    message = f"{name} has shape {array.shape}, expected {expected_shape}."
    if array.ndim == 2 and array.shape[::-1] == expected_shape:
        message += " Its transpose has the expected shape: check the order of the matrix product."
    elif array.size == int(np.prod(expected_shape)) and array.ndim != len(expected_shape):
        message += " It has the right number of entries but a different number of axes."
    raise AssertionError(_join(message, hint))


def assert_scalar(actual: Any, name: str = "the loss", hint: str = "") -> float:
    """Fail unless ``actual`` is a single number (a Python number or a 0-d/size-1 array); return it.

    Examples
    --------
    >>> import numpy as np
    >>> assert_scalar(np.float32(2.5), name="loss")
    2.5
    >>> try:
    ...     assert_scalar(np.array([1.0, 2.0]), name="mse(y_true, y_pred)")
    ... except AssertionError as error:
    ...     print(error)
    mse(y_true, y_pred) should be a single number, got an array of shape (2,): did you forget to average over the batch?
    """
    array = as_array(actual, name)
    if array.size != 1:
        message = (
            f"{name} should be a single number, got an array of shape {array.shape}: "
            "did you forget to average over the batch?"
        )
        raise AssertionError(_join(message, hint))
    return float(array.reshape(()))


def assert_finite(actual: Any, name: str = "the result", hint: str = "") -> None:
    """Fail if ``actual`` contains ``nan`` or ``inf``, naming the first bad entry.

    Examples
    --------
    >>> import numpy as np
    >>> try:
    ...     assert_finite(np.array([0.5, np.nan]), name="sigmoid(x)", hint="Use the stable form.")
    ... except AssertionError as error:
    ...     print(error)
    sigmoid(x) contains nan at index (1,). Use the stable form.
    """
    array = as_array(actual, name)
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = array[index] if array.ndim else array
        raise AssertionError(_join(f"{name} contains {value} at index {index}.", hint))


def _same_shape_arrays(actual: Any, expected: Any, name: str, hint: str) -> tuple[np.ndarray, np.ndarray]:
    """Both as arrays of one shape; a one-element answer may differ in shape only (5 vs [5])."""
    actual_array = as_array(actual, name)
    expected_array = np.asarray(expected, dtype=np.float64)
    if actual_array.shape != expected_array.shape:
        if actual_array.size == 1 and expected_array.size == 1:
            actual_array = actual_array.reshape(expected_array.shape)
        else:
            assert_shape(actual_array, expected_array.shape, name, hint)
    return actual_array, expected_array


def assert_close(
    actual: Any,
    expected: Any,
    name: str = "the result",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    mistakes: Mapping[str, Any] | None = None,
    hint: str = "",
    inputs: str = "",
) -> None:
    """Fail unless ``actual`` matches ``expected`` in shape and value, explaining any difference.

    Parameters
    ----------
    actual, expected : array_like
        What the learner's code returned and the correct value.
    name : str
        How to call ``actual`` in a message, e.g. ``"sigmoid(x)"`` or ``"dW"``.
    rtol, atol : float
        Tolerances, as in :func:`numpy.allclose`.
    mistakes : mapping of str to array_like, optional
        Known wrong answers: ``{"the 1/2 * SSE convention": value}``. If ``actual`` matches one of them,
        the message names that mistake instead of only reporting a difference.
    hint : str
        A sentence added to every failure message (what to check).
    inputs : str
        A short description of the inputs, shown in the message (e.g. ``"x = [-1, 0, 2]"``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([-1.0, 2.0])
    >>> try:
    ...     assert_close(0.2 * x + 0.5, np.clip(x / 6 + 0.5, 0, 1), name="hard_sigmoid(x)",
    ...                  mistakes={"Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1)": np.clip(0.2 * x + 0.5, 0, 1)})
    ... except AssertionError as error:
    ...     print(error)
    hard_sigmoid(x) matches Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1), which is not what this exercise asks for.

    A 0 where the answer is tiny but not 0 (an underflow, or a formula that loses relative precision,
    such as the sigmoid written as 0.5 (1 + tanh(x / 2)) for x below about -19) is explained:

    >>> x = np.array([-50.0, 0.0])
    >>> try:
    ...     assert_close(0.5 * (1 + np.tanh(x / 2)), 1 / (1 + np.exp(-x)), name="sigmoid(x)", atol=0)
    ... except AssertionError as error:
    ...     print(error)
    sigmoid(x) differs from the expected value in 1 of 2 entries; the largest difference is at index (0,): got 0, expected 1.92875e-22. A tiny number is not 0: 1.92875e-22 is exact to about 16 significant digits in float64, while 0 keeps none of them (a relative error of 100%). It matters downstream: log(0) = -inf where log(1.92875e-22) = -50, so a cross-entropy computed from this value becomes infinite.
    """
    where = f" for {inputs}" if inputs else ""
    actual_array, expected_array = _same_shape_arrays(actual, expected, name + where, hint)
    for description, wrong in (mistakes or {}).items():
        wrong_array = np.asarray(wrong, dtype=np.float64)
        if (
            wrong_array.shape == actual_array.shape
            and not np.allclose(wrong_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
            and np.allclose(actual_array, wrong_array, rtol=rtol, atol=atol, equal_nan=True)
        ):
            message = f"{name}{where} matches {description}, which is not what this exercise asks for."
            raise AssertionError(_join(message, hint))
    expected_finite = np.isfinite(expected_array)
    actual_bad = ~np.isfinite(actual_array) & expected_finite
    if actual_bad.any():
        index = tuple(int(i) for i in np.argwhere(actual_bad)[0])
        got = actual_array[index] if actual_array.ndim else actual_array
        want = expected_array[index] if expected_array.ndim else expected_array
        message = f"{name}{where} contains {got} at index {index}, expected {_fmt(want)}."
        raise AssertionError(_join(message, hint))
    close = np.isclose(actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    if actual_array.ndim == 0:
        message = f"{name}{where} is {_fmt(actual_array)}, expected {_fmt(expected_array)}."
    else:
        error = np.where(close, 0.0, np.abs(actual_array - expected_array))
        index = tuple(int(i) for i in np.unravel_index(int(np.nanargmax(error)), error.shape))
        message = (
            f"{name}{where} differs from the expected value in {int((~close).sum())} of {close.size} "
            f"entries; the largest difference is at index {index}: got {_fmt(actual_array[index])}, "
            f"expected {_fmt(expected_array[index])}."
        )
        if _negated(actual_array, expected_array, rtol, atol):
            message += " It is the expected value with the opposite sign: check the sign."
    if actual_array.ndim == 0:
        index = ()
    message += _lost_to_zero(actual_array[index], expected_array[index])
    raise AssertionError(_join(message, hint))


def assert_equal(actual: Any, expected: Any, name: str = "the result", hint: str = "", inputs: str = "") -> None:
    """Fail unless ``actual`` equals ``expected`` exactly (labels, counts, 0/1 outputs).

    Examples
    --------
    >>> try:
    ...     assert_equal([1, 0, 0], [1, 1, 0], name="predictions", inputs="the AND inputs")
    ... except AssertionError as error:
    ...     print(error)
    predictions for the AND inputs differ in 1 of 3 entries; first at index (1,): got 0, expected 1.
    """
    where = f" for {inputs}" if inputs else ""
    actual_array, expected_array = _same_shape_arrays(actual, expected, name + where, hint)
    differ = actual_array != expected_array
    if not differ.any():
        return
    if actual_array.ndim == 0:
        message = f"{name}{where} is {_fmt(actual_array)}, expected {_fmt(expected_array)}."
    else:
        index = tuple(int(i) for i in np.argwhere(differ)[0])
        message = (
            f"{name}{where} differ in {int(differ.sum())} of {differ.size} entries; first at index {index}: "
            f"got {_fmt(actual_array[index])}, expected {_fmt(expected_array[index])}."
        )
    raise AssertionError(_join(message, hint))


def assert_probabilities(actual: Any, n_rows: int, n_classes: int, name: str = "the predictions") -> np.ndarray:
    """Fail unless ``actual`` holds class probabilities: shape ``(n_rows, n_classes)``, in [0, 1], rows summing to 1.

    For ``n_classes == 1`` (binary tasks) the shape may be ``(n_rows, 1)`` or ``(n_rows,)`` and the
    values are the probabilities of class 1. Returns the probabilities as a float64 array.

    Examples
    --------
    >>> try:
    ...     assert_probabilities(np.array([3, 1, 2]), 3, 10, name="fit_and_predict(...)")
    ... except AssertionError as error:
    ...     print(error)
    fit_and_predict(...) has shape (3,), expected (3, 10). Return the predicted probabilities, one row per sample and one column per class (what model.predict returns), not the predicted labels.
    """
    array = as_array(actual, name)
    hint = (
        "Return the predicted probabilities, one row per sample and one column per class "
        "(what model.predict returns), not the predicted labels."
    )
    if n_classes == 1:
        if array.shape not in ((n_rows,), (n_rows, 1)):
            assert_shape(array, (n_rows, 1), name, hint=hint)
    else:
        assert_shape(array, (n_rows, n_classes), name, hint=hint)
    assert_finite(array, name, hint="The model diverged or was not trained.")
    if array.min() < -1e-6 or array.max() > 1 + 1e-6:
        raise AssertionError(
            f"{name} has values from {_fmt(array.min())} to {_fmt(array.max())}, expected probabilities "
            "in [0, 1]: end the model with a softmax (several classes) or sigmoid (two classes) layer."
        )
    if n_classes > 1:
        sums = array.sum(axis=1)
        worst = int(np.argmax(np.abs(sums - 1)))
        if abs(sums[worst] - 1) > 1e-3:
            raise AssertionError(
                f"the rows of {name} do not sum to 1 (row {worst} sums to {_fmt(sums[worst])}): "
                "end the model with a Dense layer with activation='softmax'."
            )
    return array


def assert_accuracy(probabilities: Any, y_true: Any, at_least: float, name: str = "the model", hint: str = "") -> float:
    """Fail unless the accuracy of ``probabilities`` on labels ``y_true`` is at least ``at_least``.

    Class predictions are the argmax of each row, or ``p > 0.5`` for one column (Keras's rule).
    Returns the accuracy.

    Examples
    --------
    >>> assert_accuracy(np.array([[0.9, 0.1], [0.2, 0.8]]), [0, 1], 0.9)
    1.0
    >>> try:
    ...     assert_accuracy(np.array([0.4, 0.6, 0.7]), [1, 1, 0], 0.9, name="the classifier")
    ... except AssertionError as error:
    ...     print(error)
    the classifier reaches an accuracy of 0.333 on held-out data, below the target of 0.9.
    """
    array = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(y_true).reshape(-1)
    if array.ndim == 1 or array.shape[-1] == 1:
        predicted = (array.reshape(-1) > 0.5).astype(int)
    else:
        predicted = np.argmax(array, axis=1)
    accuracy = float(np.mean(predicted == y))
    if accuracy < at_least:
        message = f"{name} reaches an accuracy of {accuracy:.3f} on held-out data, below the target of {at_least:g}."
        raise AssertionError(_join(message, hint))
    return accuracy


def roc_auc(y_true: Any, scores: Any) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random negative.

    Computed from ranks (the Mann-Whitney statistic), ties counting one half. 0.5 is chance, 1 is a
    perfect ranking.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y = np.asarray(y_true).reshape(-1).astype(bool)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if y.shape != s.shape:
        raise ValueError(f"y_true has {y.size} entries but scores has {s.size}; expected one score per label.")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("y_true must contain both classes to compute a ROC AUC.")
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts + 1
    average_rank = first_rank + (counts - 1) / 2  # the mean rank of each group of tied scores
    ranks = average_rank[inverse]
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# --------------------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------------------
def central_difference(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Numerical gradient of a scalar function ``f`` at ``x`` by central differences, in float64.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(central_difference(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0])), 6)
    array([ 2., -4.])
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        plus = float(np.asarray(f(x), dtype=np.float64).sum())
        x[index] = original - eps
        minus = float(np.asarray(f(x), dtype=np.float64).sum())
        x[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def assert_gradient(
    analytic: Any,
    f: Callable[[np.ndarray], Any],
    x: Any,
    name: str = "the gradient",
    eps: float = 1e-6,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    hint: str = "",
) -> None:
    """Compare an analytic gradient with the central-difference gradient of ``f`` at ``x``.

    ``f`` maps an array shaped like ``x`` to a scalar (for example the loss as a function of one
    weight matrix, everything else held fixed).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, -2.0])
    >>> assert_gradient(2 * x, lambda v: np.sum(v ** 2), x, name="d(sum x^2)/dx")
    >>> try:
    ...     assert_gradient(-2 * x, lambda v: np.sum(v ** 2), x, name="d(sum x^2)/dx")
    ... except AssertionError as error:
    ...     print(error)
    d(sum x^2)/dx disagrees with the numerical gradient (central differences) in 2 of 2 entries; the largest difference is at index (1,): got 4, expected -4. It is the expected value with the opposite sign: check the sign.
    """
    numerical = central_difference(f, x, eps)
    actual_array = as_array(analytic, name)
    if actual_array.shape != numerical.shape:
        assert_shape(actual_array, numerical.shape, name, hint)
    try:
        assert_close(actual_array, numerical, name=name, rtol=rtol, atol=atol, hint=hint)
    except AssertionError as error:
        text = str(error).replace(
            f"{name} differs from the expected value",
            f"{name} disagrees with the numerical gradient (central differences)",
            1,
        )
        raise AssertionError(text) from None


# --------------------------------------------------------------------------------------------------
# Supplied pieces
# --------------------------------------------------------------------------------------------------
# The training_loop assignment gives its learners a model to train, logistic regression, so that the
# assignment is about the loop. These two are handed over in its set-up cell; no assignment asks a
# learner to write them. Reference versions of what learners *do* write never live here: this module
# ships with nnlib, so a learner could call them. Their tests keep what they need on the grader's side
# (hidden test cells), and a test scans every shipped module for callables named like a graded answer.
def logistic_loss(w: Any, x: Any, y: Any) -> float:
    r"""Mean binary cross-entropy of logistic regression, $p = \sigma(x w)$, for 0/1 labels ``y``.

    $L = \frac1n \sum_s \bigl[\log(1 + e^{z_s}) - y_s z_s\bigr]$ with $z = x w$, which equals
    $-\frac1n \sum_s [y_s \log p_s + (1 - y_s) \log(1 - p_s)]$ and never overflows (``np.logaddexp``).
    A column of ones in ``x`` plays the bias.

    Examples
    --------
    >>> round(logistic_loss(np.zeros(2), np.ones((3, 2)), np.array([1.0, 0.0, 1.0])), 6)
    0.693147
    """
    w, x, y = (np.asarray(a, dtype=np.float64) for a in (w, x, y))
    z = x @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_gradient(w: Any, x: Any, y: Any) -> np.ndarray:
    r"""Gradient of :func:`logistic_loss` with respect to ``w``: $\frac1n x^\top (\sigma(x w) - y)$.

    Examples
    --------
    >>> logistic_gradient(np.zeros(2), np.ones((2, 2)), np.array([1.0, 1.0]))
    array([-0.5, -0.5])
    """
    w, x, y = (np.asarray(a, dtype=np.float64) for a in (w, x, y))
    z = x @ w
    p = np.exp(-np.logaddexp(0.0, -z))  # sigmoid(z) without overflow
    return x.T @ (p - y) / len(x)


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------
def _join(message: str, hint: str) -> str:
    return f"{message} {hint}".strip() if hint else message


def _fmt(value: Any) -> str:
    number = float(np.asarray(value))
    if np.isnan(number) or np.isinf(number):
        return str(number)
    return f"{number:.6g}"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _lost_to_zero(got: Any, want: Any) -> str:
    """Why a 0 where a tiny non-zero number belongs is wrong, although the two differ by almost nothing.

    A float64 number as small as 1e-300 still carries 16 significant digits; 0 carries none, so the
    relative error is 100%. It matters downstream: log(0) = -inf, so a cross-entropy computed from
    such a probability becomes infinite (its gradient too).
    """
    got, want = float(got), float(want)
    if got != 0.0 or want == 0.0 or not math.isfinite(want) or abs(want) >= 1e-8:
        return ""
    log_text = f" where log({_fmt(want)}) = {math.log(want):.4g}" if want > 0 else ""
    return (
        f" A tiny number is not 0: {_fmt(want)} is exact to about 16 significant digits in float64, "
        "while 0 keeps none of them (a relative error of 100%). It matters downstream: log(0) = -inf"
        f"{log_text}, so a cross-entropy computed from this value becomes infinite."
    )


def _negated(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    nonzero = np.abs(expected) > atol
    return bool(nonzero.any() and np.allclose(actual, -expected, rtol=rtol, atol=atol))
