r"""Loss functions and their gradients, written side by side.

A loss turns a batch of predictions $\hat y$ and targets $y$ into one number that training makes
smaller. Training needs its gradient with respect to the predictions, $\partial L / \partial \hat y$,
which is where backpropagation starts; so every loss here comes with ``<name>_gradient``.

nnlib follows Keras 3 exactly, so that the course can show both libraries giving the same numbers:

1. **Shapes.** A target of shape ``(n,)`` and a prediction of shape ``(n, 1)`` are lined up by adding
   (or removing) the trailing axis of length 1 (:func:`squeeze_or_expand_to_same_rank`). They are
   never broadcast against each other: ``(n,) - (n, 1)`` would silently give an ``(n, n)`` matrix.
2. **Per-sample loss.** Mean over the last axis (the outputs of one sample), or for the
   cross-entropies the sum over the classes.
3. **Reduction.** The per-sample losses are summed and divided by their count (Keras's
   ``"sum_over_batch_size"``), so the loss is an average over the batch.
4. **Clipping.** Probabilities are clipped to $[\epsilon, 1 - \epsilon]$ with $\epsilon = 10^{-7}$ before
   taking a logarithm, in the computation's own dtype (in float32, $1 - 10^{-7}$ rounds to
   0.99999988). Where the clip changed a value, the gradient through it is 0.

Each loss returns a NumPy scalar in the predictions' float dtype.

Examples
--------
>>> import numpy as np
>>> from nnlib import losses
>>> y_true = np.array([1.0, 0.0])
>>> y_pred = np.array([[0.8], [0.4]])   # a model's (n, 1) output; y_true is (n,)
>>> losses.mse(y_true, y_pred)          # ((1 - 0.8)^2 + (0 - 0.4)^2) / 2
np.float64(0.1)
>>> losses.mse_gradient(y_true, y_pred)
array([[-0.2],
       [ 0.4]])
"""

import numpy as np

from nnlib import activations
from nnlib.core import losses as core
from nnlib.extra import losses as extra
from nnlib.utils import snake_case
from nnlib._validation import (
    as_float_array,
    check_bool,
    check_choice,
    check_class_labels,
    check_in_range,
    check_number,
    check_same_shape,
    describe,
)

EPSILON = core.EPSILON
"""Keras's fuzz factor, ``keras.config.epsilon()``."""

def squeeze_or_expand_to_same_rank(y_true, y_pred):
    """Line up targets and predictions whose ranks differ by one trailing axis of length 1.

    Keras's rule (``keras.src.losses.loss``): if one array has one more dimension than the other
    and that last dimension has length 1, a 1D partner gains a trailing axis, otherwise the extra
    axis is removed. Any other mismatch is left for the shape check to report.

    Parameters
    ----------
    y_true, y_pred : numpy.ndarray

    Returns
    -------
    tuple of numpy.ndarray

    Examples
    --------
    >>> a, b = squeeze_or_expand_to_same_rank(np.zeros(4), np.zeros((4, 1)))
    >>> a.shape, b.shape
    ((4, 1), (4, 1))
    """
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = y_pred[:, np.newaxis]
        else:
            y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true[:, np.newaxis]
        else:
            y_pred = y_pred[..., 0]
    return y_true, y_pred

def _prepare(y_true, y_pred, hint=""):
    """Convert both to one float dtype (y_pred's) and line up their shapes, as Keras does."""
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true").astype(y_pred.dtype, copy=False)
    if y_pred.ndim == 0 or y_pred.size == 0:
        raise ValueError(
            f"y_pred must be an array with at least one sample; received {describe(y_pred)}."
        )
    aligned_true, aligned_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(aligned_true, aligned_pred, "y_true", "y_pred", hint)
    return aligned_true, aligned_pred


# ---------------------------------------------------------------- the losses as functions


def sse(y_true, y_pred):
    r"""Sum of squared errors over every element, $L = \sum_i (y_i - \hat y_i)^2$.

    Some books write $\frac12 \sum_i (y_i - \hat y_i)^2$ so that the 2 of the derivative cancels;
    we keep no $\frac12$, so the gradient is $2(\hat y - y)$. Keras has no SSE loss: it averages
    (:func:`mse`), which keeps the learning rate independent of the batch size.

    Parameters
    ----------
    y_true, y_pred : array_like
        Same shape, or ``(n,)`` against ``(n, 1)``.

    Returns
    -------
    numpy.floating

    Examples
    --------
    >>> sse([1.0, 2.0], [1.5, 1.0])
    np.float32(1.25)
    """
    return SumSquaredError()(y_true, y_pred)


def sse_gradient(y_true, y_pred):
    r"""$\partial L / \partial \hat y_i = 2(\hat y_i - y_i)$, shaped like `y_pred`.

    Examples
    --------
    >>> sse_gradient([1.0, 2.0], [1.5, 1.0])
    array([ 1., -2.], dtype=float32)
    """
    return SumSquaredError().gradient(y_true, y_pred)


def mse(y_true, y_pred):
    r"""Mean squared error, the mean of $(y - \hat y)^2$ over a sample's outputs, then over the batch.

    For $n$ samples of $d$ outputs each,
    $L = \frac{1}{n}\sum_{s=1}^{n} \frac{1}{d}\sum_{j=1}^{d} (y_{sj} - \hat y_{sj})^2$, which is the
    plain mean of all $nd$ squared errors.

    Examples
    --------
    >>> mse([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
    np.float32(0.5)
    """
    return MeanSquaredError()(y_true, y_pred)


def mse_gradient(y_true, y_pred):
    r"""$\partial L / \partial \hat y = \frac{2}{nd}(\hat y - y)$, shaped like `y_pred`.

    Examples
    --------
    >>> mse_gradient([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
    array([[0.5, 0. ],
           [0.5, 0. ]], dtype=float32)
    """
    return MeanSquaredError().gradient(y_true, y_pred)


def rmse(y_true, y_pred):
    r"""Root mean squared error of the batch, $\sqrt{\mathrm{MSE}}$, in the targets' own units.

    The square root is taken of the batch's MSE (not averaged per sample), like
    ``keras.metrics.RootMeanSquaredError``.

    Examples
    --------
    >>> rmse([0.0, 0.0], [3.0, 4.0])     # sqrt((9 + 16) / 2)
    np.float32(3.535534)
    """
    return RootMeanSquaredError()(y_true, y_pred)


def rmse_gradient(y_true, y_pred):
    r"""$\partial \sqrt{M} / \partial \hat y = \frac{1}{2\sqrt{M}} \, \partial M / \partial \hat y$.

    At a perfect fit ($M = 0$) the square root has no derivative; we return zeros there, since no
    change of the predictions can lower a loss that is already 0.

    Examples
    --------
    >>> rmse_gradient([0.0, 0.0], [3.0, 4.0])
    array([0.42426407, 0.56568545], dtype=float32)
    """
    return RootMeanSquaredError().gradient(y_true, y_pred)


def mae(y_true, y_pred):
    r"""Mean absolute error, the mean of $|y - \hat y|$ over a sample's outputs, then over the batch.

    Less sensitive to outliers than MSE: an error twice as large costs twice, not four times, as much.

    Examples
    --------
    >>> mae([1.0, 2.0], [1.5, 1.0])
    np.float32(0.75)
    """
    return MeanAbsoluteError()(y_true, y_pred)


def mae_gradient(y_true, y_pred):
    r"""$\partial L / \partial \hat y = \frac{1}{nd}\,\mathrm{sign}(\hat y - y)$, shaped like `y_pred`.

    Where $\hat y = y$, $|\hat y - y|$ has a corner and no derivative; every slope in $[-1, 1]$ is a
    valid "subgradient". We use 0, the middle one (JAX's autodiff happens to pick $-1/(nd)$).

    Examples
    --------
    >>> mae_gradient([1.0, 2.0], [1.5, 1.0])
    array([ 0.5, -0.5], dtype=float32)
    """
    return MeanAbsoluteError().gradient(y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    r"""Binary cross-entropy, the negative log-likelihood of 0/1 labels under probabilities $p$.

    $$\ell = -\bigl(y \log p + (1 - y)\log(1 - p)\bigr), \qquad p \leftarrow \mathrm{clip}(p, \epsilon, 1 - \epsilon),$$

    averaged over a sample's outputs, then over the batch. The clip keeps $\log 0 = -\infty$ away:
    a confident wrong answer costs at most $-\log 10^{-7} \approx 16.1$.

    With ``from_logits=True``, `y_pred` holds scores $z$ and $p = \sigma(z)$ is never formed:
    $\ell = -y \log\sigma(z) - (1 - y)\log\sigma(-z)$ with $\log\sigma(z) = -\log(1 + e^{-z})$,
    which is exact even where $\sigma(z)$ rounds to 0 or 1.

    Parameters
    ----------
    y_true : array_like
        0/1 labels (or probabilities), shape ``(n,)``, ``(n, 1)`` or that of `y_pred`.
    y_pred : array_like
        Probabilities in [0, 1], or logits if `from_logits`.
    from_logits : bool, default False

    Examples
    --------
    >>> binary_crossentropy([1.0, 0.0], [0.9, 0.2])   # -(log 0.9 + log 0.8) / 2
    np.float32(0.16425204)
    >>> binary_crossentropy([1.0], [0.0])              # clipped: -log(1e-7)
    np.float32(16.118095)
    """
    return BinaryCrossentropy(from_logits)(y_true, y_pred)


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False):
    r"""$\partial L / \partial \hat y$ of :func:`binary_crossentropy`, shaped like `y_pred`.

    With $N$ the number of outputs averaged over,

    $$\frac{\partial L}{\partial p} = \frac{1}{N}\left(-\frac{y}{p} + \frac{1 - y}{1 - p}\right)
      \ \text{where } \epsilon \le p \le 1 - \epsilon, \text{ else } 0,$$

    since the clip is flat outside that interval. (At exactly $p = \epsilon$ or $1 - \epsilon$,
    JAX's autodiff splits the gradient and gives half of it; we give all of it, as the value there
    is unchanged by the clip.) With logits, $\partial L / \partial z = (\sigma(z) - y) / N$.

    Examples
    --------
    >>> binary_crossentropy_gradient([1.0, 0.0], [0.5, 0.5])
    array([-1.,  1.], dtype=float32)
    >>> binary_crossentropy_gradient([1.0], [0.0])     # clipped: no gradient
    array([-0.], dtype=float32)
    """
    return BinaryCrossentropy(from_logits).gradient(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    r"""Categorical cross-entropy for one-hot (or soft) labels, $\ell = -\sum_k y_k \log q_k$.

    As in Keras, the predictions are first normalised so that each sample's sum is 1,
    $q = p / \sum_k p_k$, then clipped to $[\epsilon, 1 - \epsilon]$; the per-sample losses are
    averaged over the batch. With ``from_logits=True``, $\log q = \log\mathrm{softmax}(z)$ is
    computed directly, $z_k - m - \log\sum_j e^{z_j - m}$ with $m = \max_j z_j$.

    Parameters
    ----------
    y_true : array_like
        One-hot labels, same shape as `y_pred` (see :func:`nnlib.utils.to_categorical`).
    y_pred : array_like
        Probabilities, shape ``(n, n_classes)``, or logits if `from_logits`.
    from_logits : bool, default False

    Examples
    --------
    >>> categorical_crossentropy([[0, 1, 0]], [[0.1, 0.8, 0.1]])   # -log 0.8
    np.float32(0.22314353)
    """
    return CategoricalCrossentropy(from_logits)(y_true, y_pred)


def categorical_crossentropy_gradient(y_true, y_pred, from_logits=False):
    r"""$\partial L / \partial \hat y$ of :func:`categorical_crossentropy`, shaped like `y_pred`.

    Through the clip ($g_k = -y_k / q_k$ where unclipped, else 0) and then the normalisation
    $q = p / S$ with $S = \sum_k p_k$:

    $$\frac{\partial L}{\partial p_j} = \frac{1}{n} \cdot \frac{g_j - \sum_k g_k q_k}{S}.$$

    For a softmax output $p$ this is not yet the famous $\hat y - y$; that appears for the logits:
    with ``from_logits=True`` the gradient is $\bigl(\mathrm{softmax}(z) \sum_k y_k - y\bigr)/n$.

    Examples
    --------
    >>> categorical_crossentropy_gradient([[0, 1]], [[0.5, 0.5]])
    array([[ 1., -1.]], dtype=float32)
    >>> categorical_crossentropy_gradient([[0, 1]], [[0.0, 0.0]], from_logits=True)
    array([[ 0.5, -0.5]], dtype=float32)
    """
    return CategoricalCrossentropy(from_logits).gradient(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    r"""Categorical cross-entropy with integer labels: $\ell = -\log q_{y}$ for the true class $y$.

    Identical to :func:`categorical_crossentropy` on the one-hot encoding of `y_true`, without
    asking the learner to build it.

    Parameters
    ----------
    y_true : array_like of int
        Class indices in ``[0, n_classes)``, shape ``(n,)`` or ``(n, 1)``.
    y_pred : array_like
        Probabilities, shape ``(n, n_classes)``, or logits if `from_logits`.
    from_logits : bool, default False

    Examples
    --------
    >>> sparse_categorical_crossentropy([1], [[0.1, 0.8, 0.1]])    # -log 0.8
    np.float32(0.22314353)
    >>> sparse_categorical_crossentropy([3], [[0.1, 0.8, 0.1]])
    Traceback (most recent call last):
    ...
    ValueError: y_true must hold class indices in [0, 3) (3 classes); received values from 3 to 3.
    """
    return SparseCategoricalCrossentropy(from_logits)(y_true, y_pred)


def sparse_categorical_crossentropy_gradient(y_true, y_pred, from_logits=False):
    r"""$\partial L / \partial \hat y$ of :func:`sparse_categorical_crossentropy` (see the categorical one).

    Examples
    --------
    >>> sparse_categorical_crossentropy_gradient([1], [[0.0, 0.0]], from_logits=True)
    array([[ 0.5, -0.5]], dtype=float32)
    """
    return SparseCategoricalCrossentropy(from_logits).gradient(y_true, y_pred)


# ---------------------------------------------------------------- checks that depend on the predictions


def _check_probabilities(y_true, y_pred, from_logits):
    check_in_range(y_true, "y_true", 0, 1, hint="Expected 0/1 labels or probabilities.")
    if not from_logits:
        check_in_range(
            y_pred, "y_pred", 0, 1,
            hint="Expected probabilities (e.g. a sigmoid output); "
            "if y_pred holds raw scores (logits), use from_logits=True.",
        )


def _categorical_checks(y_pred, from_logits):
    if y_pred.ndim < 1 or y_pred.shape[-1] < 2:
        raise ValueError(
            f"y_pred must have one column per class (at least 2) in its last axis; received shape "
            f"{y_pred.shape}. For two classes with one output, use binary_crossentropy."
        )
    if not from_logits:
        if y_pred.min() < 0:
            raise ValueError(
                f"y_pred must hold probabilities (e.g. a softmax output), which are non-negative; "
                f"received a minimum of {y_pred.min():.6g}. If y_pred holds raw scores (logits), "
                "use from_logits=True."
            )
        sums = y_pred.sum(axis=-1)
        if (sums <= 0).any():
            raise ValueError(
                f"y_pred must have a positive sum over the classes of every sample; sample "
                f"{tuple(int(i) for i in np.argwhere(sums <= 0)[0])} sums to 0."
            )


def _sparse_labels(y_true, y_pred):
    """Check integer labels against `y_pred` (n, ..., n_classes): one per row of `y_pred`."""
    y_pred = as_float_array(y_pred, "y_pred")
    if y_pred.ndim < 2:
        raise ValueError(
            f"y_pred must have shape (n_samples, n_classes); received shape {y_pred.shape}."
        )
    labels = check_class_labels(y_true, "y_true", n_classes=y_pred.shape[-1])
    # Keras accepts labels of shape (n,) or (n, 1) for an (n, n_classes) output.
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        hint = ""
        if labels.shape == y_pred.shape:
            hint = (" y_true looks one-hot: use categorical_crossentropy, or pass the class "
                    "indices y_true.argmax(axis=-1).")
        raise ValueError(
            f"y_true must hold one class index per sample, shape {y_pred.shape[:-1]} or "
            f"{y_pred.shape[:-1] + (1,)} for y_pred of shape {y_pred.shape}; received y_true of "
            f"shape {labels.shape}.{hint}"
        )
    return labels, y_pred


def _one_hot(labels, y_pred):
    """One-hot rows shaped like `y_pred` from class indices (checked already)."""
    rows = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)  # row k is class k's one-hot row
    return rows[labels.reshape(y_pred.shape[:-1]).astype(np.intp, copy=False)]


# ---------------------------------------------------------------- loss objects, as in Keras

_HOW_TO_WRITE_A_LOSS = '''nnlib has no automatic differentiation (Keras gets the gradient of any loss
written with keras.ops from JAX or TensorFlow; nnlib computes every gradient by hand, as the course
does). Give nnlib your loss together with its gradient, as a Loss subclass:

    class MeanSquaredLogError(nnlib.losses.Loss):
        def __call__(self, y_true, y_pred):       # the batch loss, a number
            return np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2)

        def gradient(self, y_true, y_pred):       # d(loss)/d(y_pred), shaped like y_pred
            return 2 * (np.log1p(y_pred) - np.log1p(y_true)) / (1 + y_pred) / y_pred.size

    model.compile(optimizer="sgd", loss=MeanSquaredLogError())

(y_true arrives shaped like y_pred; nnlib.gradcheck.check_gradients checks your gradient.)'''


class Loss:
    """A loss as a model uses it: a name, the batch loss and its gradient.

    Two ways to make one:

    * subclass it and define ``__call__(y_true, y_pred)`` (the batch loss) and
      ``gradient(y_true, y_pred)`` (its derivative with respect to `y_pred`), as in the example;
    * or ``Loss(name, function, gradient)`` from two functions.

    The built-in losses below also say how their per-sample values are combined, which is what
    ``fit(sample_weight=...)`` needs: Keras's weighted loss is $\\frac1n \\sum_i w_i \\ell_i$
    (divided by the number of samples, not by the sum of the weights), so its gradient is the
    unweighted one with row $i$ scaled by $w_i$.

    Parameters
    ----------
    name : str, optional
        Keras's name for it (``"mean_squared_error"``); defaults to the class name in snake_case.
    function, gradient : callable, optional
        ``function(y_true, y_pred, **options)`` and ``gradient(y_true, y_pred, **options)``.
    **options
        Passed to both (``from_logits``).

    Examples
    --------
    >>> class HalfSquaredError(Loss):
    ...     def __call__(self, y_true, y_pred):
    ...         return 0.5 * np.mean((y_pred - y_true) ** 2)
    ...     def gradient(self, y_true, y_pred):
    ...         return (y_pred - y_true) / y_pred.size
    >>> loss = HalfSquaredError()
    >>> loss.name, loss(np.zeros(2), np.array([1.0, 3.0])), loss.gradient(np.zeros(2), np.array([1.0, 3.0]))
    ('half_squared_error', np.float64(2.5), array([0.5, 1.5]))
    """

    short_names = ()  # abbreviations losses.get also accepts ("mse")
    class_labels = False  # whether the targets are class indices, one per row (fit checks them)

    def __init__(self, name=None, function=None, gradient=None, **options):
        self.name = name or snake_case(type(self).__name__)
        self._function = function
        self._gradient = gradient
        self._options = options

    def __call__(self, y_true, y_pred):
        """Return the batch loss."""
        if self._function is None:
            raise NotImplementedError(
                f"{type(self).__name__} must define __call__(self, y_true, y_pred).\n"
                + _HOW_TO_WRITE_A_LOSS)
        return self._function(y_true, y_pred, **self._options)

    def gradient(self, y_true, y_pred):
        """Return d(batch loss)/d(y_pred), shaped like `y_pred`."""
        if self._gradient is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no gradient method.\n" + _HOW_TO_WRITE_A_LOSS)
        return self._gradient(y_true, y_pred, **self._options)

    def _value(self, y_true, y_pred, sample_weight=None):
        """The batch loss for ``evaluate``, on targets checked once per call, lined up here
        as ``fit`` lines them up (never broadcast (n,) against (n, 1))."""
        if sample_weight is not None:
            raise ValueError(
                f"loss {self.name!r}: sample_weight and class_weight need a built-in loss "
                "(nnlib weights their per-sample values); yours gives the batch value only.")
        return self(*squeeze_or_expand_to_same_rank(y_true, y_pred))

    def _value_and_gradient(self, y_true, y_pred, sample_weight=None):
        """The batch loss and its gradient (None if the loss is not finite), for ``Model.fit``,
        on targets checked once per call, lined up as in :meth:`_value`."""
        value = self._value(y_true, y_pred, sample_weight)
        aligned_true, aligned_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not np.isfinite(value):
            return value, None
        gradient = np.asarray(self.gradient(aligned_true, aligned_pred))
        if gradient.size != y_pred.size:
            raise ValueError(
                f"loss {self.name!r}: gradient returned shape {gradient.shape}; expected the "
                f"shape of y_pred, {y_pred.shape}.")
        return value, gradient.reshape(y_pred.shape)

    def value_and_gradient_through(self, activation, y_true, a, sample_weight=None):
        """``(loss, dL/dz)`` through the output layer's `activation` in one step, or None.

        Where the chain rule through an activation's derivative and the loss's gradient
        simplifies (softmax with cross-entropy: $\\partial L/\\partial z = (p - y)/n$), a loss
        can say so here; ``fit`` then skips both factors. The base class knows no shortcut.
        """
        return None

    def __repr__(self):
        options = ", ".join(f"{key}={value!r}" for key, value in self._options.items())
        return f"{type(self).__name__}({options})"


class _CoreLoss(Loss):
    """A loss of :mod:`nnlib.core.losses`: its per-sample values and the gradient of their mean.

    ``__call__`` and ``gradient`` check the arrays from outside; ``_value_and_gradient`` (fit's
    path, on targets checked once) checks only what depends on the predictions.
    """

    per_sample = None  # core: per_sample(y, y_hat, **options) -> one loss per sample
    batch_gradient = None  # core: d(mean of per_sample)/d(y_hat)

    def _prepare(self, y_true, y_pred):
        """Converted, lined-up and checked arrays, as the core takes them."""
        y_true, y_pred = _prepare(y_true, y_pred)
        self._check(y_true, y_pred)
        return y_true, y_pred

    def _check(self, y_true, y_pred):
        """Checks of values that depend on the predictions (probabilities...)."""

    def _targets(self, y_true, y_pred):
        """The targets as the core formula reads them (class labels become one-hot rows)."""
        return y_true

    def _reduce(self, per_sample):
        return core.mean_over_batch(per_sample)

    def __call__(self, y_true, y_pred):
        y_true, y_pred = self._prepare(y_true, y_pred)
        return self._reduce(self.per_sample(self._targets(y_true, y_pred), y_pred, **self._options))

    def gradient(self, y_true, y_pred):
        shape = np.shape(y_pred)
        y_true, y_pred = self._prepare(y_true, y_pred)
        targets = self._targets(y_true, y_pred)
        return self.batch_gradient(targets, y_pred, **self._options).reshape(shape)

    def _lined_up(self, y_true, y_pred):
        aligned_true, aligned_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        self._check(aligned_true, aligned_pred)
        return self._targets(aligned_true, aligned_pred), aligned_pred

    def _value(self, y_true, y_pred, sample_weight=None, lined_up=None):
        targets, aligned_pred = lined_up or self._lined_up(y_true, y_pred)
        per_sample = self.per_sample(targets, aligned_pred, **self._options)
        if sample_weight is not None:
            per_sample = per_sample * sample_weight.reshape(
                sample_weight.shape + (1,) * (per_sample.ndim - 1))
        return self._reduce(per_sample)

    def _value_and_gradient(self, y_true, y_pred, sample_weight=None):
        targets, aligned_pred = lined_up = self._lined_up(y_true, y_pred)
        value = self._value(y_true, y_pred, sample_weight, lined_up)
        if not np.isfinite(value):
            return value, None
        gradient = self.batch_gradient(targets, aligned_pred, **self._options)
        gradient = gradient.reshape(y_pred.shape)
        if sample_weight is not None:
            gradient = gradient * sample_weight.reshape((-1,) + (1,) * (y_pred.ndim - 1))
        return value, gradient


class SumSquaredError(_CoreLoss):
    """:func:`sse` as an object (not in Keras, which averages instead)."""

    short_names = ("sse",)
    per_sample = staticmethod(core.sse)
    batch_gradient = staticmethod(core.sse_gradient)

    def __init__(self):
        super().__init__("sum_squared_error")

    def _reduce(self, per_sample):
        return np.sum(per_sample)  # the sum over the batch too


class MeanSquaredError(_CoreLoss):
    """:func:`mse` as an object, like ``keras.losses.MeanSquaredError``."""

    short_names = ("mse",)
    per_sample = staticmethod(core.mse)
    batch_gradient = staticmethod(core.mse_gradient)

    def __init__(self):
        super().__init__("mean_squared_error")


class RootMeanSquaredError(_CoreLoss):
    r""":func:`rmse` as an object (Keras has it as a metric, ``keras.metrics.RootMeanSquaredError``):
    $\sqrt{M}$ of the batch's MSE $M$, with gradient $\frac{1}{2\sqrt{M}}\,\partial M/\partial\hat y$
    (zeros at a perfect fit, where no change of the predictions lowers the loss).

    The square root of the batch's mean is not a mean of per-sample values, so it takes no
    sample weights."""

    short_names = ("rmse",)

    def __init__(self):
        super().__init__("root_mean_squared_error")

    @staticmethod
    def per_sample(y, y_hat):
        return core.mse(y, y_hat)

    def _reduce(self, per_sample):
        return np.sqrt(core.mean_over_batch(per_sample))

    @staticmethod
    def batch_gradient(y, y_hat):
        root = np.sqrt(core.mean_over_batch(core.mse(y, y_hat)))
        gradient = core.mse_gradient(y, y_hat)
        return gradient if root == 0 else gradient / (2 * root)

    def _value(self, y_true, y_pred, sample_weight=None, lined_up=None):
        if sample_weight is not None:
            raise ValueError("loss 'root_mean_squared_error' takes no sample_weight or "
                             "class_weight (it is not a mean of per-sample losses); use 'mse'.")
        return super()._value(y_true, y_pred, None, lined_up)


class MeanAbsoluteError(_CoreLoss):
    """:func:`mae` as an object, like ``keras.losses.MeanAbsoluteError``."""

    short_names = ("mae",)
    per_sample = staticmethod(core.mae)
    batch_gradient = staticmethod(core.mae_gradient)

    def __init__(self):
        super().__init__("mean_absolute_error")


class BinaryCrossentropy(_CoreLoss):
    """:func:`binary_crossentropy` as an object, like ``keras.losses.BinaryCrossentropy``."""

    per_sample = staticmethod(core.binary_crossentropy)
    batch_gradient = staticmethod(core.binary_crossentropy_gradient)

    def __init__(self, from_logits=False):
        self.from_logits = check_bool(from_logits, "from_logits")
        super().__init__("binary_crossentropy", from_logits=self.from_logits)

    def _check(self, y_true, y_pred):
        _check_probabilities(y_true, y_pred, self.from_logits)


_SOFTMAX = activations.get("softmax")


class _CrossentropyOfSoftmax(_CoreLoss):
    r"""The categorical cross-entropies, with their shortcut through a softmax output.

    For probabilities $p = \mathrm{softmax}(z)$ the chain rule through the loss and the softmax
    Jacobian collapses to :func:`nnlib.core.losses.softmax_crossentropy_gradient`,
    $\partial L / \partial z = (p \sum_k y_k - y)/n$. Keras clips the normalised probabilities
    $q = p / \sum_j p_j$ to $[\epsilon, 1-\epsilon]$ inside the loss, and where that clip is
    active the two differ. Only the probabilities the loss reads matter ($q_{ik}$ where
    $y_{ik} \ne 0$):

    * class labels: one per row. Where it is clipped the loss is flat in it, so that row's
      gradient is 0: done here too, every batch;
    * one-hot (or soft) targets: a batch where one of them is clipped (or NaN) gets no shortcut
      (None: fit takes the general path).
    """

    _sparse = False
    per_sample = staticmethod(core.categorical_crossentropy)
    batch_gradient = staticmethod(core.categorical_crossentropy_gradient)

    def __init__(self, name, from_logits=False):
        self.from_logits = check_bool(from_logits, "from_logits")
        super().__init__(name, from_logits=self.from_logits)

    def _check(self, y_true, y_pred):
        _categorical_checks(y_pred, self.from_logits)

    def _one_hot_targets(self, targets, y_pred):
        return targets

    def value_and_gradient_through(self, activation, y_true, a, sample_weight=None):
        if activation is not _SOFTMAX or self.from_logits or a.ndim != 2:
            return None
        targets = self._targets(y_true, a)
        y = self._one_hot_targets(targets, a)
        q = a / a.sum(axis=1, keepdims=True)
        clipped = (y != 0) & (core.clip(q) != q)  # NaN counts as clipped
        dz = core.softmax_crossentropy_gradient(y, a)
        if clipped.any():
            if not self._sparse:
                return None
            dz[clipped.any(axis=1)] = 0  # the loss is flat in that row's probability
        per_sample = self.per_sample(targets, a)
        if sample_weight is not None:
            per_sample = per_sample * sample_weight
            dz *= sample_weight[:, np.newaxis]
        return core.mean_over_batch(per_sample), dz


class CategoricalCrossentropy(_CrossentropyOfSoftmax):
    """:func:`categorical_crossentropy` as an object, like ``keras.losses.CategoricalCrossentropy``."""

    def __init__(self, from_logits=False):
        super().__init__("categorical_crossentropy", from_logits)

    def _prepare(self, y_true, y_pred):
        y_true, y_pred = _prepare(
            y_true, y_pred,
            hint="categorical_crossentropy expects one-hot y_true (nnlib.utils.to_categorical); "
            "for integer class labels use sparse_categorical_crossentropy.")
        check_in_range(y_true, "y_true", 0, 1, hint="Expected one-hot labels or probabilities.")
        self._check(y_true, y_pred)
        return y_true, y_pred


class SparseCategoricalCrossentropy(_CrossentropyOfSoftmax):
    """:func:`sparse_categorical_crossentropy` as an object, like Keras's class of that name: the
    loss of the true class of each row; its gradient is the categorical one of the labels'
    one-hot rows."""

    _sparse = True
    class_labels = True

    def __init__(self, from_logits=False):
        super().__init__("sparse_categorical_crossentropy", from_logits)

    @staticmethod
    def per_sample(labels, y_pred, from_logits=False):
        # the core takes rows: (n, ..., n_classes) outputs are laid out as rows and back
        rows = y_pred.reshape(-1, y_pred.shape[-1])
        values = core.sparse_categorical_crossentropy(labels.reshape(-1), rows, from_logits)
        return values.reshape(y_pred.shape[:-1])

    @staticmethod
    def batch_gradient(labels, y_pred, from_logits=False):
        return core.categorical_crossentropy_gradient(_one_hot(labels, y_pred), y_pred,
                                                      from_logits)

    def _prepare(self, y_true, y_pred):
        labels, y_pred = _sparse_labels(y_true, y_pred)
        self._check(labels, y_pred)
        return labels, y_pred

    def _targets(self, y_true, y_pred):
        """Class indices, one per row of `y_pred` (fit's targets are checked float labels)."""
        return y_true.reshape(y_pred.shape[:-1]).astype(np.intp, copy=False)

    def _one_hot_targets(self, targets, y_pred):
        return _one_hot(targets, y_pred)


def _extra_loss(class_name, name, short_names=(), doc=""):
    """A Keras loss of :mod:`nnlib.extra.losses` as a class (its per-sample values and gradient)."""
    per_sample, gradient = getattr(extra, name), getattr(extra, f"{name}_gradient")

    def __init__(self, **options):
        _CoreLoss.__init__(self, name, **options)

    return type(class_name, (_CoreLoss,), {
        "__init__": __init__, "__doc__": doc or per_sample.__doc__, "short_names": short_names,
        "per_sample": staticmethod(per_sample), "batch_gradient": staticmethod(gradient)})


Hinge = _extra_loss("Hinge", "hinge")
SquaredHinge = _extra_loss("SquaredHinge", "squared_hinge")
CategoricalHinge = _extra_loss("CategoricalHinge", "categorical_hinge")
LogCosh = _extra_loss("LogCosh", "log_cosh")
KLDivergence = _extra_loss("KLDivergence", "kl_divergence", ("kld", "KLD"))
Poisson = _extra_loss("Poisson", "poisson")
MeanAbsolutePercentageError = _extra_loss("MeanAbsolutePercentageError",
                                          "mean_absolute_percentage_error", ("mape", "MAPE"))
MeanSquaredLogarithmicError = _extra_loss("MeanSquaredLogarithmicError",
                                          "mean_squared_logarithmic_error", ("msle", "MSLE"))


class Huber(_CoreLoss):
    """:func:`nnlib.extra.losses.huber` as ``keras.losses.Huber(delta=1.0)``."""

    per_sample = staticmethod(extra.huber)
    batch_gradient = staticmethod(extra.huber_gradient)

    def __init__(self, delta=1.0):
        super().__init__("huber_loss", delta=check_number(delta, "Huber: delta", low=0))


class CosineSimilarity(_CoreLoss):
    """:func:`nnlib.extra.losses.cosine_similarity` as ``keras.losses.CosineSimilarity()`` (over
    the last axis)."""

    per_sample = staticmethod(extra.cosine_similarity)
    batch_gradient = staticmethod(extra.cosine_similarity_gradient)

    def __init__(self, axis=-1):
        if axis != -1:
            raise ValueError(f"CosineSimilarity: nnlib supports axis=-1 only; received {axis!r}.")
        super().__init__("cosine_similarity")


class _ConfiguredLoss(_CoreLoss):
    """A loss with settings of its own (the focal and generalized cross-entropies): Keras's
    settings in ``get_config``, which ``from_config`` reads back (Keras's configs too); the
    last axis only, Keras's default reduction only."""

    _keras_axis = True  # whether Keras's config lists the axis

    def __init__(self, name, reduction, axis, **options):
        if reduction != "sum_over_batch_size":
            raise ValueError(f"{type(self).__name__}: nnlib reduces as Keras's default, "
                             f"reduction='sum_over_batch_size'; received {reduction!r}.")
        if axis != -1:
            raise ValueError(f"{type(self).__name__}: nnlib supports axis=-1 only; received "
                             f"{axis!r}.")
        if not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string; received "
                            f"{describe(name)}.")
        super().__init__(name, **options)

    def get_config(self):
        return {"name": self.name, "reduction": "sum_over_batch_size", **self._options,
                **({"axis": -1} if self._keras_axis else {})}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _focal_options(cls, alpha, gamma, from_logits, label_smoothing):
    name = cls.__name__
    return {"alpha": check_number(alpha, f"{name}: alpha", low=0),
            "gamma": check_number(gamma, f"{name}: gamma", low=0),
            "from_logits": check_bool(from_logits, f"{name}: from_logits"),
            "label_smoothing": check_number(label_smoothing, f"{name}: label_smoothing", low=0,
                                            high=1)}


class BinaryFocalCrossentropy(_ConfiguredLoss):
    """:func:`nnlib.extra.losses.binary_focal_crossentropy` as
    ``keras.losses.BinaryFocalCrossentropy``, with Keras's settings and defaults."""

    per_sample = staticmethod(extra.binary_focal_crossentropy)
    batch_gradient = staticmethod(extra.binary_focal_crossentropy_gradient)

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy"):
        options = _focal_options(type(self), alpha, gamma, from_logits, label_smoothing)
        self.from_logits = options["from_logits"]
        super().__init__(name, reduction, axis, apply_class_balancing=check_bool(
            apply_class_balancing, "BinaryFocalCrossentropy: apply_class_balancing"), **options)

    def _check(self, y_true, y_pred):
        _check_probabilities(y_true, y_pred, self.from_logits)


class CategoricalFocalCrossentropy(_ConfiguredLoss):
    """:func:`nnlib.extra.losses.categorical_focal_crossentropy` as
    ``keras.losses.CategoricalFocalCrossentropy``, for one-hot targets."""

    per_sample = staticmethod(extra.categorical_focal_crossentropy)
    batch_gradient = staticmethod(extra.categorical_focal_crossentropy_gradient)

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy"):
        options = _focal_options(type(self), alpha, gamma, from_logits, label_smoothing)
        self.from_logits = options["from_logits"]
        super().__init__(name, reduction, axis, **options)

    def _check(self, y_true, y_pred):
        check_in_range(y_true, "y_true", 0, 1, hint="Expected one-hot labels or probabilities.")
        _categorical_checks(y_pred, self.from_logits)


class CategoricalGeneralizedCrossEntropy(_ConfiguredLoss):
    """:func:`nnlib.extra.losses.categorical_generalized_cross_entropy` as
    ``keras.losses.CategoricalGeneralizedCrossEntropy(q=0.5)``: class indices against
    probabilities, as the sparse cross-entropy takes them."""

    per_sample = staticmethod(extra.categorical_generalized_cross_entropy)
    batch_gradient = staticmethod(extra.categorical_generalized_cross_entropy_gradient)
    class_labels = True
    _keras_axis = False

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy"):
        q = check_number(q, "CategoricalGeneralizedCrossEntropy: q", low=0, high=1,
                         low_inclusive=False, high_inclusive=False)
        super().__init__(name, reduction, -1, q=q)

    def _prepare(self, y_true, y_pred):
        labels, y_pred = _sparse_labels(y_true, y_pred)
        self._check(labels, y_pred)
        return labels, y_pred

    def _check(self, y_true, y_pred):
        check_in_range(y_pred, "y_pred", 0, 1, hint="Expected probabilities (e.g. a softmax "
                       "output).")

    def _targets(self, y_true, y_pred):
        return y_true.reshape(len(y_pred)).astype(np.intp, copy=False)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Keras's ``binary_focal_crossentropy``: the loss of each sample."""
    loss = BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits,
                                   label_smoothing, axis)
    return loss.per_sample(*loss._prepare(y_true, y_pred), **loss._options)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Keras's ``categorical_focal_crossentropy``: the loss of each sample."""
    loss = CategoricalFocalCrossentropy(alpha, gamma, from_logits, label_smoothing, axis)
    return loss.per_sample(*loss._prepare(y_true, y_pred), **loss._options)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Keras's ``categorical_generalized_cross_entropy``: the loss of each sample."""
    loss = CategoricalGeneralizedCrossEntropy(q)
    labels, y_pred = loss._prepare(y_true, y_pred)
    return loss.per_sample(loss._targets(labels, y_pred), y_pred, q=loss._options["q"])


def _per_sample_function(name):
    """Keras's loss function `name`: checked arrays in, one loss per sample out."""
    def function(y_true, y_pred):
        return getattr(extra, name)(*_prepare(y_true, y_pred))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = getattr(extra, name).__doc__
    return function


hinge, squared_hinge, categorical_hinge, log_cosh, kl_divergence, poisson, cosine_similarity = (
    _per_sample_function(name) for name in ("hinge", "squared_hinge", "categorical_hinge",
                                            "log_cosh", "kl_divergence", "poisson",
                                            "cosine_similarity"))
mean_absolute_percentage_error = _per_sample_function("mean_absolute_percentage_error")
mean_squared_logarithmic_error = _per_sample_function("mean_squared_logarithmic_error")


def huber(y_true, y_pred, delta=1.0):
    """Keras's ``huber``: the Huber loss of each sample."""
    return extra.huber(*_prepare(y_true, y_pred), delta=delta)


def mean_squared_error(y_true, y_pred):
    """Keras's ``mean_squared_error``: one value per sample (:func:`mse` is the batch's)."""
    return core.mse(*_prepare(y_true, y_pred))


def mean_absolute_error(y_true, y_pred):
    """Keras's ``mean_absolute_error``: one value per sample (:func:`mae` is the batch's)."""
    return core.mae(*_prepare(y_true, y_pred))


_CLASSES = [SumSquaredError, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
            BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge,
            SquaredHinge, CategoricalHinge, Huber, LogCosh, KLDivergence, Poisson,
            CosineSimilarity, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
            CategoricalGeneralizedCrossEntropy]
# Every spelling Keras's losses.get accepts, derived from each class: its abbreviations, the
# snake_case name of its function ("mean_squared_error") and the class name itself.
_LOSSES = {alias: cls for cls in _CLASSES
           for alias in (*cls.short_names, snake_case(cls.__name__), cls.__name__)}


def get(identifier):
    """Return a :class:`Loss` for a name (Keras's spellings) or a Loss instance.

    Parameters
    ----------
    identifier : str or Loss
        ``"mse"``, ``"mean_squared_error"``, ``"MeanSquaredError"``, ``"binary_crossentropy"``,
        ... or a :class:`Loss`.

    Returns
    -------
    Loss
        A new object for a name (with ``from_logits=False``); the instance itself otherwise.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones and suggests the closest).
    TypeError
        For anything else: a plain function has no gradient nnlib could use (the message shows
        how to write a :class:`Loss` with its gradient).

    Examples
    --------
    >>> get("mse").name
    'mean_squared_error'
    >>> get("binary_crossentrophy")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown loss 'binary_crossentrophy'. Valid names: 'sse', ... Did you mean 'binary_crossentropy'?
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        raise TypeError(f"loss: received the class {identifier.__name__}; pass an instance, "
                        f"{identifier.__name__}().")
    if isinstance(identifier, str):
        return _LOSSES[check_choice(identifier, "loss", _LOSSES, kind="loss")]()
    if callable(identifier):
        raise TypeError(
            f"loss: received the function {getattr(identifier, '__name__', identifier)!r}, "
            "which gives the loss but not its gradient.\n" + _HOW_TO_WRITE_A_LOSS)
    raise TypeError(
        f"loss must be a name such as 'mse' or an nnlib.losses.Loss; received {describe(identifier)}.")
