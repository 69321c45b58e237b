"""Every input check nnlib makes, in one place.

A learner who passes the wrong thing should read, in the error itself, which argument was wrong,
what it received and what was expected, the way scikit-learn's ``check_array`` reports
"Expected 2D array, got 1D array instead". The functions below raise

* ``TypeError`` when the *kind* of value is wrong (a string where numbers were expected, a float
  where an integer was, a function where a loss object was), and
* ``ValueError`` when the kind is right but the value is not (a negative size, a NaN, a wrong
  shape, an unknown name: a string is the right kind for a name).

Every module of nnlib follows that one rule, including the checks that only make sense in one
place (a model's input shape, a layer's build) and are written there. Every lookup by name
(activations, losses, metrics, optimizers, initializers, layers of a model, EarlyStopping's mode)
goes through :func:`check_choice`, which lists the valid names and suggests the closest one.

They are private to nnlib (the leading underscore) but written for every module to share, so the
same mistake gets the same message everywhere.

Examples
--------
>>> as_float_array([[1, 2], [3, 4]], "x").dtype
dtype('float32')
>>> check_positive_int(0, "epochs")
Traceback (most recent call last):
...
ValueError: epochs must be a positive integer; received 0.
"""

import difflib
import numbers

import numpy as np

from nnlib import config


def describe(value):
    """Describe `value` briefly for an error message: shape and dtype for arrays, else its repr.

    Parameters
    ----------
    value : object
        Anything.

    Returns
    -------
    str

    Examples
    --------
    >>> describe(np.zeros((2, 3)))
    'an array of shape (2, 3) and dtype float64'
    >>> describe("relu")
    "'relu' (str)"
    """
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def as_float_array(x, name):
    """Convert `x` to a NumPy float array, checking that it holds finite numbers.

    Floating-point NumPy arrays (and NumPy float scalars) keep their dtype, so a ``float64``
    computation stays ``float64``; integers, booleans, lists and Python numbers become
    :func:`nnlib.config.floatx`.

    Parameters
    ----------
    x : array_like
        The value to convert.
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    numpy.ndarray
        `x` itself when it already is a floating-point array (no copy), else a new array.

    Raises
    ------
    TypeError
        If `x` does not hold real numbers (strings, objects, complex numbers, ``None``).
    ValueError
        If `x` is ragged (rows of different lengths) or contains NaN or infinity.

    Examples
    --------
    >>> as_float_array(3, "x")
    array(3., dtype=float32)
    >>> as_float_array(np.array([1.0, 2.0]), "x").dtype
    dtype('float64')
    >>> as_float_array([1.0, float("nan")], "y_pred")
    Traceback (most recent call last):
    ...
    ValueError: y_pred contains 1 non-finite value (NaN or infinity); the first is nan at index (1,). Expected finite numbers.
    """
    if isinstance(x, (np.ndarray, np.generic)) and np.issubdtype(x.dtype, np.floating):
        array = np.asarray(x)
    else:
        try:
            array = np.asarray(x)
        except ValueError as error:  # NumPy refuses ragged nested lists
            raise ValueError(
                f"{name} must be a rectangular array of numbers; received a ragged sequence ({error})."
            ) from None
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"{name} must be numeric (an array or list of numbers); received {describe(x)}."
            )
        array = array.astype(config.floatx())
    # Cheap test first: a sum of finite numbers is finite unless it overflows, and one NaN or
    # infinity makes the sum NaN or infinite. So a finite sum proves every element finite without
    # building a boolean array as large as `x` (47 MB for MNIST); a non-finite sum (a bad value,
    # or merely an overflow) falls back to the elementwise test, which also locates the culprit.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(array)
    if np.isfinite(total):
        return array
    finite = np.isfinite(array)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0])
        count = len(bad)
        values = "value" if count == 1 else "values"
        raise ValueError(
            f"{name} contains {count} non-finite {values} (NaN or infinity); the first is "
            f"{array[first]} at index {first}. Expected finite numbers."
        )
    return array


def check_ndim(x, name, ndim):
    """Check that the array `x` has `ndim` dimensions (an int or a tuple of allowed ints).

    Parameters
    ----------
    x : numpy.ndarray
    name : str
    ndim : int or tuple of int

    Examples
    --------
    >>> check_ndim(np.zeros(3), "x", 2)
    Traceback (most recent call last):
    ...
    ValueError: x must be a 2D array; received a 1D array of shape (3,). Reshape a single feature with x.reshape(-1, 1) or a single sample with x.reshape(1, -1).
    """
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if x.ndim in allowed:
        return
    expected = " or ".join(f"{n}D" for n in allowed)
    hint = ""
    if 2 in allowed and x.ndim == 1:
        hint = (
            f" Reshape a single feature with {name}.reshape(-1, 1)"
            f" or a single sample with {name}.reshape(1, -1)."
        )
    raise ValueError(
        f"{name} must be a {expected} array; received a {x.ndim}D array of shape {x.shape}.{hint}"
    )


def check_positive_int(value, name):
    """Check that `value` is an integer >= 1 (``True``/``False`` do not count) and return it.

    Examples
    --------
    >>> check_positive_int(3, "units")
    3
    >>> check_positive_int(2.5, "units")
    Traceback (most recent call last):
    ...
    TypeError: units must be a positive integer; received 2.5 (float).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer; received {describe(value)}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; received {value}.")
    return int(value)


def check_non_negative_int(value, name):
    """Check that `value` is an integer >= 0 and return it.

    Examples
    --------
    >>> check_non_negative_int(-1, "seed")
    Traceback (most recent call last):
    ...
    ValueError: seed must be a non-negative integer; received -1.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer; received {describe(value)}.")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer; received {value}.")
    return int(value)


def check_number(value, name, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """Check that `value` is a real, finite number inside the given bounds and return it as float.

    Parameters
    ----------
    value : object
    name : str
    low, high : float, optional
        Bounds; ``None`` means unbounded on that side.
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.

    Examples
    --------
    >>> check_number(0.1, "learning_rate", low=0, low_inclusive=False)
    0.1
    >>> check_number(0, "learning_rate", low=0, low_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a number > 0; received 0.
    """
    conditions = []
    if low is not None:
        conditions.append(f"{'>=' if low_inclusive else '>'} {low}")
    if high is not None:
        conditions.append(f"{'<=' if high_inclusive else '<'} {high}")
    expected = "a number" + (" " + " and ".join(conditions) if conditions else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}; received {describe(value)}.")
    too_low = low is not None and (value < low or (value == low and not low_inclusive))
    too_high = high is not None and (value > high or (value == high and not high_inclusive))
    if not np.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be {expected}; received {value}.")
    return float(value)


def check_bool(value, name):
    """Check that `value` is ``True`` or ``False`` and return it.

    Examples
    --------
    >>> check_bool("yes", "from_logits")
    Traceback (most recent call last):
    ...
    TypeError: from_logits must be True or False; received 'yes' (str).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; received {describe(value)}.")
    return bool(value)


def check_choice(value, name, choices, kind=None):
    """Check that `value` is one of the strings `choices` and return it.

    The error lists every valid choice and, when one is close, suggests it (``difflib``).

    Parameters
    ----------
    value : object
        The name to look up.
    name : str
        The argument's name (used when `value` is not a string).
    choices : iterable of str
        The valid names.
    kind : str, optional
        What the names denote (``"activation"``, ``"loss"``), for the message.

    Examples
    --------
    >>> check_choice("rleu", "activation", ["relu", "sigmoid"], kind="activation")
    Traceback (most recent call last):
    ...
    ValueError: Unknown activation 'rleu'. Valid names: 'relu', 'sigmoid'. Did you mean 'relu'?
    """
    choices = list(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string; received {describe(value)}.")
    if value in choices:
        return value
    listed = ", ".join(repr(choice) for choice in choices)
    message = f"Unknown {kind or name} {value!r}. Valid names: {listed}."
    close = difflib.get_close_matches(value, choices, n=1)
    if close:
        message += f" Did you mean {close[0]!r}?"
    raise ValueError(message)


def check_same_batch(x, y, x_name="x", y_name="y"):
    """Check that `x` and `y` have the same number of samples (rows).

    Examples
    --------
    >>> check_same_batch(np.zeros((4, 2)), np.zeros(3))
    Traceback (most recent call last):
    ...
    ValueError: x and y must have the same number of samples (first dimension); received x with 4 samples (shape (4, 2)) and y with 3 samples (shape (3,)).
    """
    x_rows = x.shape[0] if x.ndim else None
    y_rows = y.shape[0] if y.ndim else None
    if x_rows is None or y_rows is None or x_rows != y_rows:
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of samples (first dimension); "
            f"received {x_name} with {x_rows} samples (shape {x.shape}) and "
            f"{y_name} with {y_rows} samples (shape {y.shape})."
        )


def check_same_shape(a, b, a_name, b_name, hint=""):
    """Check that arrays `a` and `b` have exactly the same shape (no broadcasting).

    Examples
    --------
    >>> check_same_shape(np.zeros((2, 3)), np.zeros((2, 2)), "y_true", "y_pred")
    Traceback (most recent call last):
    ...
    ValueError: y_true and y_pred must have the same shape; received y_true of shape (2, 3) and y_pred of shape (2, 2).
    """
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape; received {a_name} of shape "
            f"{a.shape} and {b_name} of shape {b.shape}.{(' ' + hint) if hint else ''}"
        )


def check_in_range(x, name, low, high, hint=""):
    """Check that every entry of the array `x` lies in the closed interval [`low`, `high`].

    Examples
    --------
    >>> check_in_range(np.array([0.2, 1.5]), "y_pred", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: y_pred must hold values in [0, 1]; received values from 0.2 to 1.5.
    """
    if x.size and (x.min() < low or x.max() > high):
        raise ValueError(
            f"{name} must hold values in [{low}, {high}]; received values from "
            f"{x.min():.6g} to {x.max():.6g}.{(' ' + hint) if hint else ''}"
        )


def check_class_labels(y, name, n_classes=None):
    """Check that `y` holds whole-number class labels in ``[0, n_classes)``; return them as int64.

    Float labels such as ``1.0`` are accepted (Keras passes labels around as floats), ``1.5`` is not.

    Parameters
    ----------
    y : array_like
        The labels.
    name : str
    n_classes : int, optional
        Number of classes; without it only ``y >= 0`` is checked.

    Examples
    --------
    >>> check_class_labels([0, 2, 1.0], "y_true", n_classes=3)
    array([0, 2, 1])
    >>> check_class_labels([0, 3], "y_true", n_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y_true must hold class indices in [0, 3) (3 classes); received values from 0 to 3.
    """
    if isinstance(y, np.ndarray) and np.issubdtype(y.dtype, np.integer):
        labels = y
    else:
        labels = as_float_array(y, name)
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
        raise ValueError(
            f"{name} must hold whole-number class indices; received non-integer values such as "
            f"{labels[labels != np.round(labels)].flat[0]}."
        )
    labels = labels.astype(np.int64)
    upper = n_classes if n_classes is not None else np.inf
    if labels.size and (labels.min() < 0 or labels.max() >= upper):
        expected = f"[0, {n_classes}) ({n_classes} classes)" if n_classes is not None else "[0, inf)"
        raise ValueError(
            f"{name} must hold class indices in {expected}; received values from "
            f"{labels.min()} to {labels.max()}."
        )
    return labels


def check_shape(shape, name):
    """Check a shape per example, ``(4,)`` or ``4``, and return it as a tuple of positive ints.

    Examples
    --------
    >>> check_shape(4, "Input: shape")
    (4,)
    >>> check_shape((0,), "Input: shape")
    Traceback (most recent call last):
    ...
    ValueError: Input: shape must be a non-empty tuple of positive ints such as (4,); received (0,).
    >>> check_shape((2.5,), "Input: shape")
    Traceback (most recent call last):
    ...
    TypeError: Input: shape must be a tuple of positive ints such as (4,); received (2.5,), whose entry 2.5 is a float.
    """
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of positive ints such as (4,); received "
                        f"{describe(shape)}.")
    for s in shape:  # no int() on the way: it would make 2.5 into 2 and "3" into 3
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{name} must be a tuple of positive ints such as (4,); received "
                            f"{shape!r}, whose entry {s!r} is a {type(s).__name__}.")
    shape = tuple(int(s) for s in shape)
    if not shape or any(s <= 0 for s in shape):
        raise ValueError(
            f"{name} must be a non-empty tuple of positive ints such as (4,); received {shape!r}."
        )
    return shape


def check_verbose(verbose):
    """``"auto"`` (meaning 1, a progress bar), 0, 1 or 2, as Keras's ``fit(verbose=...)``; Keras
    also takes ``False`` (silent) and ``True`` (a progress bar).

    Examples
    --------
    >>> check_verbose("auto"), check_verbose(False)
    (1, 0)
    >>> check_verbose(1.0)
    Traceback (most recent call last):
    ...
    TypeError: verbose must be 'auto', 0, 1 or 2 (or True/False); received 1.0 (float).
    """
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if isinstance(verbose, bool):
        return int(verbose)
    if not isinstance(verbose, (int, np.integer, str)):
        raise TypeError(f"verbose must be 'auto', 0, 1 or 2 (or True/False); received "
                        f"{describe(verbose)}.")
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2; received {verbose!r}.")
    return int(verbose)
