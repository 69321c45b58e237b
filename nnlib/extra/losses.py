r"""Keras's other losses for dense outputs, in the core's plain style: for each, the loss of every
sample, $\ell_i$ (Keras averages over the last axis first), and the gradient of the batch loss
$L = \frac1n \sum_i \ell_i$ with respect to the predictions $\hat y$ (shape (n, d)). Constants
and clipping are Keras 3's; ``nnlib.losses`` gives them Keras's names and classes.
"""

import numpy as np

from nnlib.core import activations as core_activations
from nnlib.core import losses as core_losses

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


# ---- the focal losses: cross-entropy that down-weights the examples already classified well ----
def smooth_labels(y, label_smoothing, classes):
    r"""Label smoothing: $y (1 - s) + s / K$ (for $K$ classes; $K = 2$ for 0/1 labels)."""
    return y * (1.0 - label_smoothing) + label_smoothing / classes if label_smoothing else y


def _focal_factor_slope(one_minus, gamma):
    r"""$\frac{d}{du} u^\gamma = \gamma u^{\gamma - 1}$ (0 for $\gamma = 0$, where $u^0 = 1$)."""
    return gamma * one_minus ** (gamma - 1) if gamma else np.zeros_like(one_minus)


def binary_focal_crossentropy(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0):
    r"""Binary cross-entropy $b$ (with $p$ clipped as Keras clips it) times $(1 - p_t)^\gamma$,
    where $p_t = y p + (1 - y)(1 - p)$ is the probability given to the right answer (Lin et al.,
    2017): a well-classified example ($p_t \to 1$) counts for almost nothing. Per sample,

    $$\ell = \mathrm{mean}_j\, w_j (1 - p_{t,j})^\gamma\, b_j, \qquad
      w = y\alpha + (1 - y)(1 - \alpha) \text{ with class balancing, else } 1.$$

    From logits, $p = \sigma(z)$ first; labels are smoothed first, $y(1 - s) + s/2$.
    """
    y = smooth_labels(y, label_smoothing, 2)
    if from_logits:
        p = core_activations.sigmoid(p)
    q = core_losses.clip(p)
    bce = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    p_t = y * p + (1 - y) * (1 - p)
    focal = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y * alpha + (1 - y) * (1 - alpha)) * focal
    return focal.mean(axis=-1)


def binary_focal_crossentropy_gradient(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                                       from_logits=False, label_smoothing=0.0):
    r"""With $u = 1 - p_t$ ($\partial u / \partial p = 1 - 2y$) and $b$'s slope
    $-y/p + (1 - y)/(1 - p)$ where the clip left $p$ unchanged (else 0), the product rule gives

    $$\frac{\partial \ell}{\partial p} = w\bigl(\gamma u^{\gamma - 1} (1 - 2y)\, b
      + u^\gamma\, \partial b / \partial p\bigr),$$

    over the $nd$ outputs averaged; from logits times $\sigma'(z) = p(1 - p)$.
    """
    logits = p
    y = smooth_labels(y, label_smoothing, 2)
    if from_logits:
        p = core_activations.sigmoid(logits)
    q = core_losses.clip(p)
    bce = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    bce_slope = (-y / q + (1 - y) / (1 - q)) * (q == p)
    u = 1.0 - (y * p + (1 - y) * (1 - p))
    slope = _focal_factor_slope(u, gamma) * (1 - 2 * y) * bce + u**gamma * bce_slope
    if apply_class_balancing:
        slope = (y * alpha + (1 - y) * (1 - alpha)) * slope
    if from_logits:
        slope = slope * p * (1 - p)
    return slope / _size(p)


def categorical_focal_crossentropy(y, p, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0):
    r"""Categorical cross-entropy with each class's term weighted by $\alpha (1 - q_k)^\gamma$:

    $$\ell = -\sum_k \alpha (1 - q_k)^\gamma\, y_k \log q_k, \qquad
      q = \mathrm{clip}\Bigl(\frac{p}{\sum_j p_j}\Bigr)$$

    (from logits $p = \mathrm{softmax}(z)$ first; labels smoothed first, $y(1 - s) + s/K$).
    """
    y = smooth_labels(y, label_smoothing, y.shape[-1])
    if from_logits:
        p = core_activations.softmax(p)
    q = core_losses.clip(p / p.sum(axis=-1, keepdims=True))
    return (alpha * (1.0 - q) ** gamma * (-y * np.log(q))).sum(axis=-1)


def categorical_focal_crossentropy_gradient(y, p, alpha=0.25, gamma=2.0, from_logits=False,
                                            label_smoothing=0.0):
    r"""Per class, where the clip left $q_k$ unchanged (else 0),

    $$g_k = \frac{\partial \ell}{\partial q_k} = \alpha y_k \bigl(\gamma (1 - q_k)^{\gamma - 1}
      \log q_k - (1 - q_k)^\gamma / q_k\bigr),$$

    then through $q = p / S$ as the categorical cross-entropy's gradient,
    $(g_j - \sum_k g_k q_k) / S$, divided by $n$; from logits, through the softmax
    (:func:`nnlib.core.activations.softmax_vjp`).
    """
    logits = p
    y = smooth_labels(y, label_smoothing, y.shape[-1])
    if from_logits:
        p = core_activations.softmax(logits)
    total = p.sum(axis=-1, keepdims=True)
    q = p / total
    q_clipped = core_losses.clip(q)
    u = 1.0 - q_clipped
    g = alpha * y * (_focal_factor_slope(u, gamma) * np.log(q_clipped)
                     - u**gamma / q_clipped) * (q_clipped == q)
    gradient = (g - (g * q).sum(axis=-1, keepdims=True)) / total / (y.size // y.shape[-1])
    return core_activations.softmax_vjp(p, gradient) if from_logits else gradient


def categorical_generalized_cross_entropy(labels, p, q=0.5):
    r"""Generalized cross-entropy (Zhang & Sabuncu, 2018) for class indices $c$:
    $\ell = (1 - p_c^{\,q}) / q$. As $q \to 0$ it becomes $-\log p_c$ (cross-entropy), at $q = 1$
    it is $1 - p_c$ (MAE on the one-hot target): in between, wrong labels pull less than in
    cross-entropy. No clipping, as Keras."""
    return (1 - _true_class(labels, p) ** q) / q


def categorical_generalized_cross_entropy_gradient(labels, p, q=0.5):
    r"""$\partial \ell / \partial p_c = -p_c^{\,q - 1}$ at the true class, 0 elsewhere, over $n$."""
    gradient = np.zeros_like(p)
    rows = np.arange(len(p))
    gradient[rows, labels] = -_true_class(labels, p) ** (q - 1) / len(p)
    return gradient


def _true_class(labels, p):
    return p[np.arange(len(p)), labels]
