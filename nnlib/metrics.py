r"""Metrics: numbers that describe how well a model does, for people rather than for training.

A loss must be differentiable so that gradient descent can follow it; a metric need not be.
Accuracy, the fraction of correct predictions, is a step function of the weights (nudging a weight
rarely flips a prediction), so it cannot be trained on directly, but it is what we want to know.

Each metric function returns **one value per sample** (shape ``(n,)``); the metric of a batch is
their mean. A model reports, after each epoch, the mean over every sample seen so far, keeping a
running sum and count as Keras's ``Mean`` metric does, so a short last batch is weighted correctly.

Examples
--------
>>> import numpy as np
>>> from nnlib import metrics
>>> values = metrics.binary_accuracy([1, 0, 1], [[0.9], [0.2], [0.4]])
>>> values
array([1., 1., 0.], dtype=float32)
>>> values.mean()
np.float32(0.6666667)
"""

import numpy as np

from nnlib import config
from nnlib._validation import (
    as_float_array,
    check_choice,
    check_class_labels,
    check_number,
    check_same_shape,
    describe,
)
from nnlib.losses import squeeze_or_expand_to_same_rank


def _per_sample(values):
    """Average over every axis but the first, so each sample contributes one value."""
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)))
    return values


def _aligned(y_true, y_pred):
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true").astype(y_pred.dtype, copy=False)
    if y_pred.ndim == 0:
        raise ValueError(f"y_pred must have one row per sample; received {describe(y_pred)}.")
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    return y_true, y_pred


def binary_accuracy(y_true, y_pred, threshold=0.5):
    r"""1 where the thresholded prediction equals the label, else 0: $[\,(\hat p > t) = y\,]$.

    The comparison is strict, as in Keras: a probability of exactly 0.5 predicts class 0.

    Parameters
    ----------
    y_true : array_like
        0/1 labels, shape ``(n,)``, ``(n, 1)`` or that of `y_pred`.
    y_pred : array_like
        Probabilities, e.g. a sigmoid output of shape ``(n, 1)``.
    threshold : float, default 0.5

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, :func:`nnlib.config.floatx`.

    Examples
    --------
    >>> binary_accuracy([0, 1], [0.5, 0.51])
    array([1., 1.], dtype=float32)
    """
    threshold = check_number(threshold, "threshold")
    y_true, y_pred = _aligned(y_true, y_pred)
    matches = y_true == (y_pred > threshold)
    return _per_sample(matches.astype(config.floatx()))


def categorical_accuracy(y_true, y_pred):
    r"""1 where the most probable class is the labelled one: $[\arg\max_k \hat p_k = \arg\max_k y_k]$.

    Parameters
    ----------
    y_true : array_like
        One-hot labels, shape ``(n, n_classes)``.
    y_pred : array_like
        Class probabilities (or scores), same shape.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, :func:`nnlib.config.floatx`.

    Examples
    --------
    >>> categorical_accuracy([[0, 1, 0], [1, 0, 0]], [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
    array([1., 0.], dtype=float32)
    """
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true")
    check_same_shape(
        y_true, y_pred, "y_true", "y_pred",
        hint="categorical_accuracy expects one-hot y_true; for class indices use "
        "sparse_categorical_accuracy.",
    )
    if y_pred.ndim < 2:
        raise ValueError(f"y_pred must have shape (n_samples, n_classes); received shape {y_pred.shape}.")
    matches = y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)
    return _per_sample(matches.astype(config.floatx()))


def sparse_categorical_accuracy(y_true, y_pred):
    r"""1 where the most probable class is the label: $[\arg\max_k \hat p_k = y]$.

    Parameters
    ----------
    y_true : array_like of int
        Class indices, shape ``(n,)`` or ``(n, 1)``.
    y_pred : array_like
        Class probabilities (or scores), shape ``(n, n_classes)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, :func:`nnlib.config.floatx`.

    Examples
    --------
    >>> sparse_categorical_accuracy([1, 0], [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
    array([1., 0.], dtype=float32)
    """
    y_pred = as_float_array(y_pred, "y_pred")
    if y_pred.ndim < 2:
        raise ValueError(f"y_pred must have shape (n_samples, n_classes); received shape {y_pred.shape}.")
    labels = check_class_labels(y_true, "y_true", n_classes=y_pred.shape[-1])
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"y_true must hold one class index per sample, shape {y_pred.shape[:-1]} or "
            f"{y_pred.shape[:-1] + (1,)} for y_pred of shape {y_pred.shape}; received y_true of "
            f"shape {labels.shape}."
        )
    matches = labels == y_pred.argmax(axis=-1)
    return _per_sample(matches.astype(config.floatx()))


def mae(y_true, y_pred):
    r"""Per-sample mean absolute error, $\frac1d \sum_j |y_j - \hat y_j|$ (``keras.metrics.mae``).

    Returns one value per sample; their mean is :func:`nnlib.losses.mae`.

    Examples
    --------
    >>> mae([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]])
    array([0.75, 1.  ], dtype=float32)
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    return _per_sample(np.mean(np.abs(y_true - y_pred), axis=-1))


def mse(y_true, y_pred):
    r"""Per-sample mean squared error, $\frac1d \sum_j (y_j - \hat y_j)^2$ (``keras.metrics.mse``).

    Returns one value per sample; their mean is :func:`nnlib.losses.mse`.

    Examples
    --------
    >>> mse([1.0, 2.0], [[1.5], [1.0]])
    array([0.25, 1.  ], dtype=float32)
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    return _per_sample(np.mean(np.square(y_true - y_pred), axis=-1))


class Metric:
    """A metric as a model uses it: its History key (`name`) and its per-sample values.

    Parameters
    ----------
    name : str
        The key under which the model reports it (``"accuracy"``, ``"val_accuracy"``).
    function : callable
        ``function(y_true, y_pred)`` returning one value per sample.

    Examples
    --------
    >>> metric = Metric("accuracy", sparse_categorical_accuracy)
    >>> metric([2], [[0.1, 0.2, 0.7]])
    array([1.], dtype=float32)
    """

    def __init__(self, name, function):
        self.name = name
        self.function = function

    def __call__(self, y_true, y_pred):
        """Return one value per sample."""
        return self.function(y_true, y_pred)

    def __repr__(self):
        return f"Metric({self.name!r}, {self.function.__name__})"


_METRICS = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mae": mae,
    "mean_absolute_error": mae,
    "mse": mse,
    "mean_squared_error": mse,
}


def _check_shape(shape, name):
    if not (isinstance(shape, tuple) and len(shape) >= 1 and all(isinstance(d, int) for d in shape)):
        raise TypeError(f"{name} must be a non-empty tuple of ints, such as (32, 1); received {describe(shape)}.")


def get(name, y_true_shape, y_pred_shape):
    """Return the :class:`Metric` for `name`, resolving ``"accuracy"`` from the shapes as Keras does.

    ``"accuracy"`` (or ``"acc"``) does not say which accuracy; Keras decides from the shapes of the
    targets and of the model's output, not from the loss:

    * the output has one column (``y_pred`` last dimension 1): binary accuracy;
    * else the targets have fewer dimensions than the output, or one column against several:
      sparse categorical accuracy (targets are class indices);
    * else categorical accuracy (one-hot targets).

    Parameters
    ----------
    name : str or Metric
        ``"accuracy"``, ``"acc"``, ``"binary_accuracy"``, ``"categorical_accuracy"``,
        ``"sparse_categorical_accuracy"``, ``"mae"``, ``"mean_absolute_error"``, ``"mse"``,
        ``"mean_squared_error"``, or a :class:`Metric` (returned unchanged).
    y_true_shape, y_pred_shape : tuple of int
        Shapes of the targets and of the model's output.

    Returns
    -------
    Metric
        Its ``name`` is `name` as written, which becomes the History key (as in Keras).

    Examples
    --------
    >>> get("accuracy", (100,), (100, 1)).function.__name__
    'binary_accuracy'
    >>> get("accuracy", (100,), (100, 10)).function.__name__
    'sparse_categorical_accuracy'
    >>> get("acc", (100, 10), (100, 10)).function.__name__
    'categorical_accuracy'
    """
    if isinstance(name, Metric):
        return name
    if not isinstance(name, str):
        raise TypeError(f"metric must be a name such as 'accuracy' or a Metric; received {describe(name)}.")
    _check_shape(y_true_shape, "y_true_shape")
    _check_shape(y_pred_shape, "y_pred_shape")
    if name.lower() in ("accuracy", "acc"):
        if y_pred_shape[-1] == 1:
            function = binary_accuracy
        elif len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
            function = sparse_categorical_accuracy
        else:
            function = categorical_accuracy
    else:
        function = _METRICS[check_choice(name, "metric", ["accuracy", "acc", *_METRICS], kind="metric")]
    return Metric(name, function)
