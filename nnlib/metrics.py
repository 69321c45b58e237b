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
    check_in_range,
    check_number,
    check_positive_int,
    check_same_shape,
    describe,
)
from nnlib.core import losses as core
from nnlib.losses import squeeze_or_expand_to_same_rank
from nnlib.utils import snake_case, unique_name


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


def _custom(function):
    """A learner's metric function, called as Keras calls it: on the targets and predictions as
    they are (Keras does not line up a (n,) target with a (n, 1) output for it, so neither does
    nnlib); a single number (a batch mean) counts as one value."""
    def per_sample(y_true, y_pred):
        y_pred = as_float_array(y_pred, "y_pred")
        y_true = as_float_array(y_true, "y_true").astype(y_pred.dtype, copy=False)
        return np.atleast_1d(np.asarray(function(y_true, y_pred)))
    return per_sample


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
    return _per_sample(core.mae(y_true, y_pred))


def mse(y_true, y_pred):
    r"""Per-sample mean squared error, $\frac1d \sum_j (y_j - \hat y_j)^2$ (``keras.metrics.mse``).

    Returns one value per sample; their mean is :func:`nnlib.losses.mse`.

    Examples
    --------
    >>> mse([1.0, 2.0], [[1.5], [1.0]])
    array([0.25, 1.  ], dtype=float32)
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    return _per_sample(core.mse(y_true, y_pred))


# ---------------------------------------------------------------- metric objects, as in Keras


class Metric:
    """A stateful metric, as ``keras.metrics.Metric``: it accumulates over batches.

    ``update_state(y_true, y_pred)`` adds a batch, ``result()`` is the value over every batch
    since the last ``reset_state()``; ``fit`` resets its metrics at the start of each epoch, so
    an epoch's value covers exactly its batches (a short last batch weighs what its rows weigh).
    Calling the metric, ``metric(y_true, y_pred)``, updates it and returns the result.

    Attributes
    ----------
    name : str
        The key under which a model reports it (``"accuracy"``, ``"val_accuracy"``).
    direction : "up" or "down"
        Whether larger values are better (what ``EarlyStopping(mode="auto")`` reads).
    """

    direction = "up"

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"metric name must be a string; received {describe(name)}.")
        self.name = name or snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _sample_weight(sample_weight, n, dtype):
    if sample_weight is None:
        return None
    weights = as_float_array(sample_weight, "sample_weight").astype(dtype, copy=False).reshape(-1)
    if weights.shape != (n,):
        raise ValueError(f"sample_weight: expected one weight per sample, shape ({n},); received "
                         f"shape {np.shape(sample_weight)}.")
    return weights


class MeanMetricWrapper(Metric):
    r"""The running mean of a per-sample metric function, as Keras's ``MeanMetricWrapper``.

    After batches with per-sample values $v_i$ (and weights $w_i$, 1 by default) it holds
    $\text{total} = \sum_i w_i v_i$ and $\text{count} = \sum_i w_i$, in float32 as Keras, and
    ``result()`` is $\text{total} / \text{count}$ (0 before any sample).

    Parameters
    ----------
    function : callable
        ``function(y_true, y_pred)`` returning one value per sample.
    name : str, optional

    Examples
    --------
    >>> metric = MeanMetricWrapper(sparse_categorical_accuracy, name="accuracy")
    >>> metric.update_state([2, 0], [[0.1, 0.2, 0.7], [0.1, 0.2, 0.7]])
    >>> metric.result()
    np.float32(0.5)
    """

    def __init__(self, function, name=None, direction="up", **options):
        self.function = function
        self.direction = direction
        self._options = options
        super().__init__(name or function.__name__)

    def reset_state(self):
        self.total = np.float32(0)
        self.count = np.float32(0)

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = np.asarray(self.function(y_true, y_pred, **self._options))
        weights = _sample_weight(sample_weight, values.shape[0], np.float32)
        if weights is None:
            self.total += np.sum(values, dtype=np.float32)
            self.count += np.float32(values.shape[0])
        else:
            self.total += np.sum(values * weights, dtype=np.float32)
            self.count += np.sum(weights, dtype=np.float32)

    def result(self):
        return self.total / self.count if self.count else np.float32(0)


class BinaryAccuracy(MeanMetricWrapper):
    """:func:`binary_accuracy` accumulated over batches (``keras.metrics.BinaryAccuracy``)."""

    def __init__(self, name="binary_accuracy", threshold=0.5):
        super().__init__(binary_accuracy, name, threshold=check_number(threshold, "threshold"))


class CategoricalAccuracy(MeanMetricWrapper):
    """:func:`categorical_accuracy` accumulated over batches."""

    def __init__(self, name="categorical_accuracy"):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """:func:`sparse_categorical_accuracy` accumulated over batches."""

    def __init__(self, name="sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_accuracy, name)


class MeanAbsoluteError(MeanMetricWrapper):
    """:func:`mae` accumulated over batches (``keras.metrics.MeanAbsoluteError``)."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(mae, name, direction="down")


class MeanSquaredError(MeanMetricWrapper):
    """:func:`mse` accumulated over batches (``keras.metrics.MeanSquaredError``)."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(mse, name, direction="down")


class _ConfusionCounts(Metric):
    r"""Counts of true/false positives/negatives at one or more thresholds, over every entry.

    An entry is predicted positive when $\hat p > t$ (strictly) and is positive when its label
    is 1; counts are summed over every batch since the last reset, in float32 as Keras.
    """

    def __init__(self, thresholds, name):
        self.thresholds = np.asarray(thresholds, dtype=np.float32)
        super().__init__(name)

    def reset_state(self):
        size = self.thresholds.shape
        self.true_positives = np.zeros(size, np.float32)
        self.false_positives = np.zeros(size, np.float32)
        self.true_negatives = np.zeros(size, np.float32)
        self.false_negatives = np.zeros(size, np.float32)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _aligned(y_true, y_pred)
        check_in_range(y_pred, "y_pred", 0, 1, hint="Expected probabilities (e.g. a sigmoid "
                       "output).")
        positive = (y_true.reshape(len(y_true), -1) > 0.5).astype(np.float32)  # labels as bool
        p = y_pred.reshape(len(y_pred), -1).astype(np.float32)
        weights = _sample_weight(sample_weight, len(p), np.float32)
        w = np.ones_like(p) if weights is None else np.broadcast_to(weights[:, None], p.shape)
        predicted = p.reshape(-1)[:, None] > self.thresholds[None, :]  # (entries, thresholds)
        pos, wt = positive.reshape(-1)[:, None], w.reshape(-1)[:, None]
        self.true_positives += np.sum(predicted * pos * wt, axis=0, dtype=np.float32)
        self.false_positives += np.sum(predicted * (1 - pos) * wt, axis=0, dtype=np.float32)
        self.false_negatives += np.sum(~predicted * pos * wt, axis=0, dtype=np.float32)
        self.true_negatives += np.sum(~predicted * (1 - pos) * wt, axis=0, dtype=np.float32)


def _ratio(num, den):
    return np.where(den > 0, num / np.where(den > 0, den, 1), np.float32(0)).astype(np.float32)


class Precision(_ConfusionCounts):
    r"""Of the entries predicted positive ($\hat p > t$), the fraction that are:
    $\mathrm{TP} / (\mathrm{TP} + \mathrm{FP})$ (``keras.metrics.Precision``; 0 when nothing
    was predicted positive)."""

    def __init__(self, thresholds=0.5, name=None):
        super().__init__([check_number(thresholds, "thresholds", 0, 1)],
                         name or unique_name("precision"))

    def result(self):
        return _ratio(self.true_positives, self.true_positives + self.false_positives)[0]


class Recall(_ConfusionCounts):
    r"""Of the positive entries, the fraction predicted positive:
    $\mathrm{TP} / (\mathrm{TP} + \mathrm{FN})$ (``keras.metrics.Recall``)."""

    def __init__(self, thresholds=0.5, name=None):
        super().__init__([check_number(thresholds, "thresholds", 0, 1)],
                         name or unique_name("recall"))

    def result(self):
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)[0]


class AUC(_ConfusionCounts):
    r"""Area under the ROC curve, approximated as Keras does (``keras.metrics.AUC``).

    At `num_thresholds` thresholds $t_0 = -\epsilon < t_1 < \dots < t_{K-1} = 1 + \epsilon$
    (evenly spaced in between) it counts the true-positive rate
    $\mathrm{TPR} = \mathrm{TP}/(\mathrm{TP}+\mathrm{FN})$ and the false-positive rate
    $\mathrm{FPR} = \mathrm{FP}/(\mathrm{FP}+\mathrm{TN})$, and sums trapezoids:

    $$\mathrm{AUC} \approx \sum_{k=0}^{K-2} (\mathrm{FPR}_k - \mathrm{FPR}_{k+1})
      \frac{\mathrm{TPR}_k + \mathrm{TPR}_{k+1}}{2}.$$

    It is the probability that a random positive example scores above a random negative one
    (up to the threshold grid).
    """

    def __init__(self, num_thresholds=200, name=None):
        num_thresholds = check_positive_int(num_thresholds, "num_thresholds")
        if num_thresholds < 2:
            raise ValueError(f"AUC: num_thresholds must be > 1; received {num_thresholds}.")
        self.num_thresholds = num_thresholds
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        # default names numbered per session, as Keras: auc, auc_1, ...
        super().__init__([0.0 - 1e-7] + inner + [1.0 + 1e-7], name or unique_name("auc"))

    def result(self):
        tpr = _ratio(self.true_positives, self.true_positives + self.false_negatives)
        fpr = _ratio(self.false_positives, self.false_positives + self.true_negatives)
        heights = (tpr[:-1] + tpr[1:]) / np.float32(2)
        return np.sum((fpr[:-1] - fpr[1:]) * heights, dtype=np.float32)


_FUNCTIONS = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mae": mae,
    "mean_absolute_error": mae,
    "mse": mse,
    "mean_squared_error": mse,
}
_CLASSES = [BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError,
            MeanSquaredError, Precision, Recall, AUC]
# Keras accepts the class names and their snake_case spellings ("auc", "precision") too
_BY_NAME = {alias: cls for cls in _CLASSES for alias in (cls.__name__, snake_case(cls.__name__))}


def _check_shape(shape, name):
    if not (isinstance(shape, tuple) and len(shape) >= 1 and all(isinstance(d, int) for d in shape)):
        raise TypeError(f"{name} must be a non-empty tuple of ints, such as (32, 1); received {describe(shape)}.")


def get(name, y_true_shape, y_pred_shape):
    """Return a fresh :class:`Metric` for `name`, resolving ``"accuracy"`` from the shapes as Keras.

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
        ``"mean_squared_error"``, ``"auc"``, ``"precision"``, ``"recall"``, a class name
        (``"BinaryAccuracy"``), or a :class:`Metric` (returned unchanged).
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
    if isinstance(name, type) and issubclass(name, Metric):
        raise TypeError(f"metric: received the class {name.__name__}; pass an instance, "
                        f"{name.__name__}().")
    if callable(name):  # fn(y_true, y_pred) -> one value per sample, e.g. written with nnlib.ops
        return MeanMetricWrapper(_custom(name), getattr(name, "__name__", "metric"))
    if not isinstance(name, str):
        raise TypeError(f"metric must be a name such as 'accuracy' or a Metric such as "
                        f"nnlib.metrics.AUC(); received {describe(name)}.")
    _check_shape(y_true_shape, "y_true_shape")
    _check_shape(y_pred_shape, "y_pred_shape")
    if name.lower() in ("accuracy", "acc"):
        if y_pred_shape[-1] == 1:
            function = binary_accuracy
        elif len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
            function = sparse_categorical_accuracy
        else:
            function = categorical_accuracy
        return MeanMetricWrapper(function, name)
    key = check_choice(name, "metric", dict.fromkeys(["accuracy", "acc", *_FUNCTIONS, *_BY_NAME]),
                       kind="metric")
    if key in _FUNCTIONS:
        function = _FUNCTIONS[key]
        return MeanMetricWrapper(function, name, direction="up" if "accuracy" in key else "down")
    metric = _BY_NAME[key]()
    metric.name = name
    return metric
