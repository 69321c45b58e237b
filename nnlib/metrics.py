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
from nnlib import losses as _losses
from nnlib._validation import (
    as_float_array,
    check_bool,
    check_choice,
    check_class_labels,
    check_in_range,
    check_non_negative_int,
    check_number,
    check_positive_int,
    check_same_shape,
    describe,
)
from nnlib.core import losses as core
from nnlib.extra import losses as extra_losses
from nnlib.extra import metrics as extra
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

    A metric written as Keras's guides write one keeps its state in ``add_variable(...)``
    (created in ``__init__``, after ``super().__init__()``); the default ``reset_state`` sets
    those back to zero. nnlib's own metrics keep plain arrays and reset them in ``__init__``.

    Attributes
    ----------
    name : str
        The key under which a model reports it (``"accuracy"``, ``"val_accuracy"``).
    direction : "up" or "down"
        Whether larger values are better (what ``EarlyStopping(mode="auto")`` reads).
    """

    direction = "up"

    def __init__(self, name=None, dtype=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"metric name must be a string; received {describe(name)}.")
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or config.floatx()
        self.variables = []  # what add_variable made, in order (Keras's metric.variables)

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """A new state array of `shape`, as Keras's ``add_variable``: change it with
        ``assign``, ``assign_add`` and ``assign_sub``; it computes as its value
        (`aggregation` matters for distributed training only)."""
        from nnlib import initializers  # noqa: PLC0415 (a Keras-style metric only)
        dtype = dtype or self.dtype
        value = np.asarray(initializers.get(initializer)(tuple(shape), dtype), dtype=dtype)
        variable = Variable(value, name)
        self.variables.append(variable)
        return variable

    def reset_state(self):
        """Keras's default: every variable back to zero."""
        for variable in self.variables:
            variable.assign(np.zeros_like(variable.value))

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class Variable(np.lib.mixins.NDArrayOperatorsMixin):
    """A metric's state made by :meth:`Metric.add_variable`: a NumPy array changed in place by
    ``assign``, ``assign_add`` and ``assign_sub``, which arithmetic and NumPy treat as its
    value (``value``; ``numpy()`` a copy)."""

    def __init__(self, value, name=None):
        self.value, self.name = value, name

    def assign(self, value):
        self.value[...] = value
        return self

    def assign_add(self, value):
        self.value[...] += np.asarray(value)
        return self

    def assign_sub(self, value):
        self.value[...] -= np.asarray(value)
        return self

    def numpy(self):
        return self.value.copy()

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    def __array__(self, dtype=None, copy=None):
        return np.array(self.value, dtype=dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [x.value if isinstance(x, Variable) else x for x in inputs]
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        return f"<Variable name={self.name!r} value={self.value!r}>"


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
        self.reset_state()

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
        self.reset_state()

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
# ---- Keras's other metrics: the losses' per-sample values, accumulated (nnlib.extra.losses) ----
def _per_sample_metric(function, **options):
    def per_sample(y_true, y_pred):
        return function(*_aligned(y_true, y_pred), **options)
    per_sample.__name__ = function.__name__
    return per_sample


def _metric_class(class_name, function, name, direction="down", doc=None, **defaults):
    """A :class:`MeanMetricWrapper` class for a per-sample `function` (Keras's wrappers)."""
    def __init__(self, name=name, **options):
        MeanMetricWrapper.__init__(self, _per_sample_metric(function, **{**defaults, **options}),
                                   name, direction)
    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "__doc__": doc or f"``keras.metrics.{class_name}``: the mean of "
        f":func:`nnlib.extra.losses.{function.__name__}` over every sample seen."})


def _cosine(y, y_hat):
    return -extra_losses.cosine_similarity(y, y_hat)


def _accuracy(y, y_hat):
    return (y == y_hat).astype(np.float32).mean(axis=-1)


Hinge = _metric_class("Hinge", extra_losses.hinge, "hinge")
SquaredHinge = _metric_class("SquaredHinge", extra_losses.squared_hinge, "squared_hinge")
CategoricalHinge = _metric_class("CategoricalHinge", extra_losses.categorical_hinge,
                                 "categorical_hinge")
KLDivergence = _metric_class("KLDivergence", extra_losses.kl_divergence, "kl_divergence")
LogCoshError = _metric_class("LogCoshError", extra_losses.log_cosh, "logcosh")
Poisson = _metric_class("Poisson", extra_losses.poisson, "poisson")
MeanAbsolutePercentageError = _metric_class(
    "MeanAbsolutePercentageError", extra_losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _metric_class(
    "MeanSquaredLogarithmicError", extra_losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error")
CosineSimilarity = _metric_class("CosineSimilarity", _cosine, "cosine_similarity", "up",
                                 "The mean cosine of the angle between target and prediction.")
Accuracy = _metric_class("Accuracy", _accuracy, "accuracy", "up",
                         "The fraction of predictions exactly equal to their targets.")
BinaryCrossentropy = _metric_class("BinaryCrossentropy", core.binary_crossentropy,
                                   "binary_crossentropy", from_logits=False)
CategoricalCrossentropy = _metric_class("CategoricalCrossentropy",
                                        core.categorical_crossentropy,
                                        "categorical_crossentropy", from_logits=False)


class RootMeanSquaredError(MeanSquaredError):
    r"""$\sqrt{	ext{mean squared error}}$ of every sample seen (``keras.metrics.RootMeanSquaredError``)."""

    def __init__(self, name="root_mean_squared_error"):
        super().__init__(name)

    def result(self):
        return np.sqrt(super().result()).astype(np.float32)


class Mean(Metric):
    """The running mean of the values given to ``update_state(values)`` (``keras.metrics.Mean``)."""

    def __init__(self, name="mean"):
        super().__init__(name)
        self.reset_state()

    def reset_state(self):
        self.total, self.count = np.float32(0), np.float32(0)

    def update_state(self, values, sample_weight=None):
        values = as_float_array(values, "values").astype(np.float32).reshape(-1)
        weights = np.ones_like(values) if sample_weight is None else np.broadcast_to(
            as_float_array(sample_weight, "sample_weight").astype(np.float32).reshape(-1)
            if np.ndim(sample_weight) else np.float32(sample_weight), values.shape)
        self.total += np.sum(values * weights, dtype=np.float32)
        self.count += np.sum(weights, dtype=np.float32)

    def result(self):
        return self.total / self.count if self.count else np.float32(0)

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()


class Sum(Mean):
    """The running sum of the values given to ``update_state(values)`` (``keras.metrics.Sum``)."""

    def __init__(self, name="sum"):
        super().__init__(name)

    def result(self):
        return self.total


def _count_class(class_name, attribute):
    def __init__(self, thresholds=0.5, name=None):
        _ConfusionCounts.__init__(self, [check_number(thresholds, "thresholds", 0, 1)],
                                  name or unique_name(snake_case(class_name)))

    def result(self):
        return getattr(self, attribute)[0]
    return type(class_name, (_ConfusionCounts,), {
        "__init__": __init__, "result": result, "direction": "up" if "True" in class_name else
        "down", "__doc__": f"The weighted count of {attribute.replace('_', ' ')} (entries "
        "predicted positive when above the threshold), as ``keras.metrics." + class_name + "``."})


TruePositives = _count_class("TruePositives", "true_positives")
FalsePositives = _count_class("FalsePositives", "false_positives")
TrueNegatives = _count_class("TrueNegatives", "true_negatives")
FalseNegatives = _count_class("FalseNegatives", "false_negatives")

# keras.metrics' functions: one value per sample
hinge, squared_hinge, categorical_hinge = (_per_sample_metric(f) for f in (
    extra_losses.hinge, extra_losses.squared_hinge, extra_losses.categorical_hinge))
kl_divergence, log_cosh, poisson = (_per_sample_metric(f) for f in (
    extra_losses.kl_divergence, extra_losses.log_cosh, extra_losses.poisson))
mean_absolute_percentage_error = _per_sample_metric(extra_losses.mean_absolute_percentage_error)
mean_squared_logarithmic_error = _per_sample_metric(extra_losses.mean_squared_logarithmic_error)
mean_squared_error, mean_absolute_error = mse, mae

# ---- Keras's other metrics for dense outputs (nnlib.extra.metrics holds their formulas) ----
def _labels(y_true, y_pred, what):
    """Class indices, one per row of a (n, n_classes) `y_pred` (Keras's sparse targets)."""
    y_pred = as_float_array(y_pred, "y_pred")
    if y_pred.ndim != 2:
        raise ValueError(f"{what}: y_pred must have shape (n_samples, n_classes); received shape "
                         f"{y_pred.shape}.")
    labels = check_class_labels(y_true, "y_true", n_classes=y_pred.shape[-1]).reshape(-1)
    if labels.shape != (len(y_pred),):
        raise ValueError(f"{what}: y_true must hold one class index per sample, shape "
                         f"({len(y_pred)},) or ({len(y_pred)}, 1); received shape "
                         f"{np.shape(y_true)}.")
    return labels, y_pred


def _only_last_axis(axis, what):
    if axis != -1:
        raise ValueError(f"{what}: nnlib supports axis=-1 only; received {axis!r}.")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    r"""1 where the labelled class (one-hot `y_true`) is among the `k` highest scores of its row
    (:func:`nnlib.extra.metrics.in_top_k`), as ``keras.metrics.top_k_categorical_accuracy``.

    Examples
    --------
    >>> top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]], k=1)
    array([0., 1.], dtype=float32)
    """
    k = check_positive_int(k, "k")
    y_true, y_pred = as_float_array(y_true, "y_true"), as_float_array(y_pred, "y_pred")
    check_same_shape(y_true, y_pred, "y_true", "y_pred", hint="top_k_categorical_accuracy "
                     "expects one-hot y_true; for class indices use "
                     "sparse_top_k_categorical_accuracy.")
    labels, y_pred = _labels(y_true.argmax(axis=-1), y_pred, "top_k_categorical_accuracy")
    return extra.in_top_k(labels, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    r"""1 where the class index `y_true` is among the `k` highest scores of its row; with
    ``from_sorted_ids=True`` `y_pred` already lists each row's class ids, best first, and the
    label must be one of the first `k` (``keras.metrics.sparse_top_k_categorical_accuracy``).

    Examples
    --------
    >>> sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]], k=2)
    array([1., 1.], dtype=float32)
    """
    k = check_positive_int(k, "k")
    if from_sorted_ids:
        ids = as_float_array(y_pred, "y_pred")
        labels = as_float_array(y_true, "y_true").reshape(-1)
        return (ids[:, :k] == labels[:, None]).any(axis=1).astype(np.float32)
    labels, y_pred = _labels(y_true, y_pred, "sparse_top_k_categorical_accuracy")
    return extra.in_top_k(labels, y_pred, k)


def pearson_correlation(y_true, y_pred, axis=-1):
    """:func:`nnlib.extra.metrics.pearson_correlation` of each row, as Keras's function."""
    _only_last_axis(axis, "pearson_correlation")
    return extra.pearson_correlation(*_aligned(y_true, y_pred))


def concordance_correlation(y_true, y_pred, axis=-1):
    """:func:`nnlib.extra.metrics.concordance_correlation` of each row, as Keras's function."""
    _only_last_axis(axis, "concordance_correlation")
    return extra.concordance_correlation(*_aligned(y_true, y_pred))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """The binary cross-entropy of each sample (``keras.metrics.binary_crossentropy``; the
    batch's mean is :func:`nnlib.losses.binary_crossentropy`)."""
    _only_last_axis(axis, "binary_crossentropy")
    y_true, y_pred = _aligned(y_true, y_pred)
    y_true = extra_losses.smooth_labels(y_true, check_number(label_smoothing, "label_smoothing",
                                                             0, 1), 2)
    return core.binary_crossentropy(y_true, y_pred, check_bool(from_logits, "from_logits"))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """The categorical cross-entropy of each sample (``keras.metrics.categorical_crossentropy``)."""
    _only_last_axis(axis, "categorical_crossentropy")
    y_true, y_pred = _aligned(y_true, y_pred)
    y_true = extra_losses.smooth_labels(y_true, check_number(label_smoothing, "label_smoothing",
                                                             0, 1), y_true.shape[-1])
    return core.categorical_crossentropy(y_true, y_pred, check_bool(from_logits, "from_logits"))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """The cross-entropy of each sample's true class
    (``keras.metrics.sparse_categorical_crossentropy``)."""
    _only_last_axis(axis, "sparse_categorical_crossentropy")
    if ignore_class is not None:
        raise ValueError("sparse_categorical_crossentropy: nnlib has no ignore_class (a "
                         "padding class of sequence models); received "
                         f"ignore_class={ignore_class!r}.")
    labels, y_pred = _labels(y_true, y_pred, "sparse_categorical_crossentropy")
    return core.sparse_categorical_crossentropy(labels, y_pred,
                                                check_bool(from_logits, "from_logits"))


# the loss functions Keras also lists as metrics: one value per sample
binary_focal_crossentropy = _losses.binary_focal_crossentropy
categorical_focal_crossentropy = _losses.categorical_focal_crossentropy
huber = _losses.huber


class _Configured:
    """Keras's config of a metric with settings: ``get_config`` gives name, dtype and the
    settings; ``from_config`` reads it back (nnlib accumulates in float32, Keras's default)."""

    _settings = ()  # the constructor's arguments that get_config lists, in Keras's order

    def get_config(self):
        return {"name": self.name, "dtype": "float32",
                **{key: getattr(self, key) for key in self._settings}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        dtype = config.pop("dtype", None)
        if dtype not in (None, "float32"):
            raise ValueError(f"{cls.__name__}.from_config: nnlib's metrics accumulate in "
                             f"float32; received dtype={dtype!r}.")
        return cls(**config)


class TopKCategoricalAccuracy(_Configured, MeanMetricWrapper):
    """:func:`top_k_categorical_accuracy` accumulated over batches."""

    _settings = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy"):
        self.k = check_positive_int(k, "TopKCategoricalAccuracy: k")
        super().__init__(top_k_categorical_accuracy, name, k=self.k)


class SparseTopKCategoricalAccuracy(_Configured, MeanMetricWrapper):
    """:func:`sparse_top_k_categorical_accuracy` accumulated over batches."""

    _settings = ("k",)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", from_sorted_ids=False):
        self.k = check_positive_int(k, "SparseTopKCategoricalAccuracy: k")
        self.from_sorted_ids = check_bool(from_sorted_ids, "from_sorted_ids")
        super().__init__(sparse_top_k_categorical_accuracy, name, k=self.k,
                         from_sorted_ids=self.from_sorted_ids)

    def get_config(self):  # Keras lists from_sorted_ids only when it is set
        return super().get_config() | ({"from_sorted_ids": True} if self.from_sorted_ids else {})


class PearsonCorrelation(_Configured, MeanMetricWrapper):
    """:func:`pearson_correlation` of each row, averaged over every row seen."""

    _settings = ("axis",)

    def __init__(self, name="pearson_correlation", axis=-1):
        _only_last_axis(axis, "PearsonCorrelation")
        self.axis = axis
        super().__init__(pearson_correlation, name)


class ConcordanceCorrelation(_Configured, MeanMetricWrapper):
    """:func:`concordance_correlation` of each row, averaged over every row seen."""

    _settings = ("axis",)

    def __init__(self, name="concordance_correlation", axis=-1):
        _only_last_axis(axis, "ConcordanceCorrelation")
        self.axis = axis
        super().__init__(concordance_correlation, name)


class SparseCategoricalCrossentropy(_Configured, MeanMetricWrapper):
    """:func:`sparse_categorical_crossentropy` accumulated over batches (the metric form)."""

    _settings = ("from_logits", "ignore_class", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", from_logits=False,
                 ignore_class=None, axis=-1):
        self.from_logits = check_bool(from_logits, "from_logits")
        self.ignore_class, self.axis = ignore_class, axis
        super().__init__(sparse_categorical_crossentropy, name, direction="down",
                         from_logits=self.from_logits, ignore_class=ignore_class, axis=axis)


class FBetaScore(_Configured, Metric):
    r"""$F_\beta$ of each class (:func:`nnlib.extra.metrics.f_beta`) from counts accumulated
    over batches, as ``keras.metrics.FBetaScore``.

    A prediction is positive where it reaches its row's maximum (``threshold=None``: the
    predicted class) or exceeds `threshold`. ``average``: None gives one score per class,
    ``"micro"`` the score of the counts summed over classes, ``"macro"`` the mean of the
    classes' scores, ``"weighted"`` their mean weighted by each class's number of positives.
    Targets and predictions are (n, n_classes).
    """

    _settings = ("average", "beta", "threshold")

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score"):
        what = type(self).__name__
        self.average = None if average is None else check_choice(
            average, f"{what}: average", ["micro", "macro", "weighted"],
            kind=f"{what} average")
        self.beta = check_number(beta, f"{what}: beta", low=0, low_inclusive=False)
        self.threshold = None if threshold is None else check_number(
            threshold, f"{what}: threshold", low=0, high=1, low_inclusive=False)
        super().__init__(name)
        self.reset_state()

    def reset_state(self):
        self.counts = None  # true positives, false positives, false negatives, positives

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _aligned(y_true, y_pred)
        if y_pred.ndim != 2:
            raise ValueError(f"{type(self).__name__} expects (n_samples, n_classes) inputs; "
                             f"received y_pred of shape {y_pred.shape}.")
        y_true, y_pred = y_true.astype(np.float32), y_pred.astype(np.float32)
        if self.threshold is None:
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(np.float32)
        weights = _sample_weight(sample_weight, len(y_pred), np.float32)
        weights = np.ones((len(y_pred), 1), np.float32) if weights is None else weights[:, None]
        axis = None if self.average == "micro" else 0
        batch = [np.sum(v * weights, axis=axis, dtype=np.float32) for v in (
            predicted * y_true, predicted * (1 - y_true), (1 - predicted) * y_true, y_true)]
        self.counts = batch if self.counts is None else [
            c + b for c, b in zip(self.counts, batch)]

    def result(self):
        if self.counts is None:
            return np.float32(0)
        true_positives, false_positives, false_negatives, positives = self.counts
        scores = extra.f_beta(true_positives, false_positives, false_negatives,
                              np.float32(self.beta))
        if self.average == "weighted":
            return np.sum(scores * positives / (np.sum(positives) + np.float32(extra.EPSILON)))
        return scores if self.average is None else np.mean(scores)


class F1Score(FBetaScore):
    r"""$F_1$, the harmonic mean of precision and recall: :class:`FBetaScore` with
    $\beta = 1$ (``keras.metrics.F1Score``)."""

    _settings = ("average", "threshold")

    def __init__(self, average=None, threshold=None, name="f1_score"):
        super().__init__(average, 1.0, threshold, name)


class R2Score(_Configured, Metric):
    r"""The coefficient of determination over every sample seen
    (:func:`nnlib.extra.metrics.r2_score`), as ``keras.metrics.R2Score``.

    ``class_aggregation``: ``"uniform_average"`` the mean over output columns,
    ``"variance_weighted_average"`` weighted by each column's spread, None one score per column.
    With ``num_regressors`` $p > 0$ the adjusted score $1 - (1 - R^2)(n - 1)/(n - p - 1)$, $n$
    the number of entries seen (unless $p \ge n - 1$, where Keras warns and keeps $R^2$).
    """

    _settings = ("class_aggregation", "num_regressors")
    direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score"):
        self.class_aggregation = None if class_aggregation is None else check_choice(
            class_aggregation, "R2Score: class_aggregation",
            ["uniform_average", "variance_weighted_average"],
            kind="R2Score class_aggregation")
        self.num_regressors = check_non_negative_int(num_regressors, "R2Score: num_regressors")
        super().__init__(name)
        self.reset_state()

    def reset_state(self):
        self.sums, self.num_samples = None, 0  # sum w y, sum w y^2, sum w (y - y_hat)^2, sum w

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _aligned(y_true, y_pred)
        if y_pred.ndim != 2:
            raise ValueError(f"R2Score expects (n_samples, n_outputs) inputs; received y_pred of "
                             f"shape {y_pred.shape}.")
        y_true, y_pred = y_true.astype(np.float32), y_pred.astype(np.float32)
        weights = _sample_weight(sample_weight, len(y_pred), np.float32)
        w = np.ones_like(y_true) if weights is None else np.broadcast_to(weights[:, None],
                                                                           y_true.shape)
        batch = [np.sum(v, axis=0, dtype=np.float32) for v in (
            y_true * w, y_true * y_true * w, (y_true - y_pred) ** 2 * w, w)]
        self.sums = batch if self.sums is None else [s + b for s, b in zip(self.sums, batch)]
        self.num_samples += y_true.size

    def result(self):
        if self.sums is None:
            return np.float32(0)
        scores, spread = extra.r2_score(*self.sums)
        if self.class_aggregation == "uniform_average":
            score = np.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(spread * scores) / np.sum(spread)
        else:
            score = scores
        n, p = self.num_samples, self.num_regressors
        if 0 < p < n - 1:
            score = 1 - (1 - score) * np.float32(n - 1) / np.float32(n - p - 1)
        return np.float32(score) if np.ndim(score) == 0 else score


class _AtConstraint(_Configured, _ConfusionCounts):
    r"""One rate at the best threshold among those where another rate reaches `value`
    (:func:`nnlib.extra.metrics.best_under_constraint`), from confusion counts at
    `num_thresholds` thresholds evenly spaced over [0, 1] (0.5 alone when 1), as Keras's
    ``SensitivitySpecificityBase``. ``class_id`` picks one output column."""

    constraint = ""  # the name of the argument giving the rate to reach

    def __init__(self, value, num_thresholds=200, class_id=None, name=None):
        what = type(self).__name__
        setattr(self, self.constraint, check_number(value, f"{what}: {self.constraint}", 0, 1))
        self.value = value
        self.num_thresholds = check_positive_int(num_thresholds, f"{what}: num_thresholds")
        self.class_id = None if class_id is None else check_non_negative_int(
            class_id, f"{what}: class_id")
        thresholds = [0.5] if num_thresholds == 1 else (
            [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0])
        super().__init__(thresholds, name or unique_name(snake_case(what)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.class_id is not None:
            y_true, y_pred = _aligned(y_true, y_pred)
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        super().update_state(y_true, y_pred, sample_weight)

    def _rates(self):
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        return {"recall": _ratio(tp, tp + fn), "precision": _ratio(tp, tp + fp),
                "specificity": _ratio(tn, tn + fp)}

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self.constraint: self.value}


class PrecisionAtRecall(_AtConstraint):
    """The best precision among the thresholds whose recall is at least `recall`
    (``keras.metrics.PrecisionAtRecall``)."""

    constraint = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None):
        super().__init__(recall, num_thresholds, class_id, name)

    def result(self):
        rates = self._rates()
        return extra.best_under_constraint(rates["recall"], rates["precision"], self.value)


class RecallAtPrecision(_AtConstraint):
    """The best recall among the thresholds whose precision is at least `precision`
    (``keras.metrics.RecallAtPrecision``)."""

    constraint = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None):
        super().__init__(precision, num_thresholds, class_id, name)

    def result(self):
        rates = self._rates()
        return extra.best_under_constraint(rates["precision"], rates["recall"], self.value)


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) among the thresholds whose specificity is at least
    `specificity` (``keras.metrics.SensitivityAtSpecificity``)."""

    constraint = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None):
        super().__init__(specificity, num_thresholds, class_id, name)

    def result(self):
        rates = self._rates()
        return extra.best_under_constraint(rates["specificity"], rates["recall"], self.value)


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity among the thresholds whose sensitivity (recall) is at least
    `sensitivity` (``keras.metrics.SpecificityAtSensitivity``)."""

    constraint = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None):
        super().__init__(sensitivity, num_thresholds, class_id, name)

    def result(self):
        rates = self._rates()
        return extra.best_under_constraint(rates["recall"], rates["specificity"], self.value)

_CLASSES = [BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError,
            MeanSquaredError, Precision, Recall, AUC, Hinge, SquaredHinge, CategoricalHinge,
            KLDivergence, LogCoshError, Poisson, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, Accuracy, BinaryCrossentropy,
            CategoricalCrossentropy, RootMeanSquaredError, TruePositives, FalsePositives,
            TrueNegatives, FalseNegatives, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            PearsonCorrelation, ConcordanceCorrelation, SparseCategoricalCrossentropy, FBetaScore,
            F1Score, R2Score]
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
