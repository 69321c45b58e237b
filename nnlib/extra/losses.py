r"""Keras's other losses for dense outputs, in the core's plain style: for each, the loss of every
sample, $\ell_i$ (Keras averages over the last axis first), and the gradient of the batch loss
$L = \frac1n \sum_i \ell_i$ with respect to the predictions $\hat y$ (shape (n, d)). Constants
and clipping are Keras 3's; ``nnlib.losses`` gives them Keras's names and classes.
"""

import numpy as np

EPSILON = 1e-7


def _size(y_hat):
    """n d: the batch mean of a mean over the last axis divides every element's slope by it."""
    return y_hat.size


def hinge_labels(y):
    r"""0/1 labels become -1/+1 (Keras does this when every label is 0 or 1)."""
    return 2 * y - 1 if np.isin(y, (0, 1)).all() else y


def hinge(y, y_hat):
    r"""$\ell = \mathrm{mean}_j \max(1 - y_j \hat y_j, 0)$, labels $\pm 1$: a margin of 1."""
    return np.maximum(1 - hinge_labels(y) * y_hat, 0).mean(axis=-1)


def hinge_gradient(y, y_hat):
    y = hinge_labels(y)
    return -y * (1 - y * y_hat > 0) / _size(y_hat)


def squared_hinge(y, y_hat):
    r"""$\ell = \mathrm{mean}_j \max(1 - y_j \hat y_j, 0)^2$."""
    return np.square(np.maximum(1 - hinge_labels(y) * y_hat, 0)).mean(axis=-1)


def squared_hinge_gradient(y, y_hat):
    y = hinge_labels(y)
    return -2 * y * np.maximum(1 - y * y_hat, 0) / _size(y_hat)


def categorical_hinge(y, y_hat):
    r"""$\ell = \max(1 + \max_{k \ne c} \hat y_k - \hat y_c, 0)$ for one-hot $y$ of class $c$:
    the true class's score must beat the best other by 1."""
    positive = (y * y_hat).sum(axis=-1)
    negative = ((1 - y) * y_hat).max(axis=-1)
    return np.maximum(negative - positive + 1, 0)


def categorical_hinge_gradient(y, y_hat):
    others = (1 - y) * y_hat
    best_other = (others == others.max(axis=-1, keepdims=True)) * (1 - y)
    active = (categorical_hinge(y, y_hat) > 0)[..., None]
    return active * (best_other - y) / y_hat.shape[0]


def huber(y, y_hat, delta=1.0):
    r"""$\ell = \mathrm{mean}_j\, h(\hat y_j - y_j)$ with $h(e) = e^2/2$ for $|e| \le \delta$ and
    $\delta |e| - \delta^2/2$ beyond: squared error near the target, absolute error far from it
    (outliers pull less)."""
    error = np.abs(y_hat - y)
    return np.where(error <= delta, 0.5 * error**2, delta * error - 0.5 * delta**2).mean(axis=-1)


def huber_gradient(y, y_hat, delta=1.0):
    return np.clip(y_hat - y, -delta, delta) / _size(y_hat)


def log_cosh(y, y_hat):
    r"""$\ell = \mathrm{mean}_j \log\cosh(\hat y_j - y_j)$, computed as
    $e + \mathrm{softplus}(-2e) - \log 2$ (no overflow): like MSE/2 near 0, like MAE far away."""
    e = y_hat - y
    return (e + np.logaddexp(0, -2 * e) - np.log(2.0)).mean(axis=-1)


def log_cosh_gradient(y, y_hat):
    return np.tanh(y_hat - y) / _size(y_hat)


def kl_divergence(y, y_hat):
    r"""$\ell = \sum_j y_j \log(y_j / \hat y_j)$, both clipped to $[\epsilon, 1]$: how far the
    predicted distribution is from the target one."""
    y, p = np.clip(y, EPSILON, 1), np.clip(y_hat, EPSILON, 1)
    return (y * np.log(y / p)).sum(axis=-1)


def kl_divergence_gradient(y, y_hat):
    y = np.clip(y, EPSILON, 1)
    inside = (y_hat > EPSILON) & (y_hat < 1)  # the clip's slope
    return -y / np.clip(y_hat, EPSILON, 1) * inside / y_hat.shape[0]


def poisson(y, y_hat):
    r"""$\ell = \mathrm{mean}_j\, \hat y_j - y_j \log(\hat y_j + \epsilon)$ (counts)."""
    return (y_hat - y * np.log(y_hat + EPSILON)).mean(axis=-1)


def poisson_gradient(y, y_hat):
    return (1 - y / (y_hat + EPSILON)) / _size(y_hat)


def _unit(x):
    return x / np.sqrt(np.maximum((x * x).sum(axis=-1, keepdims=True), 1e-12))


def cosine_similarity(y, y_hat):
    r"""$\ell = -\frac{y \cdot \hat y}{\|y\|\,\|\hat y\|}$: -1 when they point the same way."""
    return -(_unit(y) * _unit(y_hat)).sum(axis=-1)


def cosine_similarity_gradient(y, y_hat):
    u, v = _unit(y_hat), _unit(y)
    norm = np.sqrt(np.maximum((y_hat * y_hat).sum(axis=-1, keepdims=True), 1e-12))
    return -(v - (u * v).sum(axis=-1, keepdims=True) * u) / norm / y_hat.shape[0]


def mean_absolute_percentage_error(y, y_hat):
    r"""$\ell = 100\, \mathrm{mean}_j |y_j - \hat y_j| / \max(|y_j|, \epsilon)$."""
    return 100 * (np.abs(y - y_hat) / np.maximum(np.abs(y), EPSILON)).mean(axis=-1)


def mean_absolute_percentage_error_gradient(y, y_hat):
    return 100 * np.sign(y_hat - y) / np.maximum(np.abs(y), EPSILON) / _size(y_hat)


def mean_squared_logarithmic_error(y, y_hat):
    r"""$\ell = \mathrm{mean}_j \bigl(\log(\hat y_j + 1) - \log(y_j + 1)\bigr)^2$, both at least
    $\epsilon$ first: errors in ratio rather than in difference."""
    first = np.log(np.maximum(y_hat, EPSILON) + 1)
    second = np.log(np.maximum(y, EPSILON) + 1)
    return np.square(first - second).mean(axis=-1)


def mean_squared_logarithmic_error_gradient(y, y_hat):
    first = np.log(np.maximum(y_hat, EPSILON) + 1)
    second = np.log(np.maximum(y, EPSILON) + 1)
    slope = (y_hat > EPSILON) / (np.maximum(y_hat, EPSILON) + 1)
    return 2 * (first - second) * slope / _size(y_hat)
