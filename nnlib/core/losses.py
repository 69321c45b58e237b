r"""Loss functions $L_i$ (the loss of example $i$) and their gradients, side by side (chapter 6).

Each loss has two functions: the loss of every sample, $L_i$, and the gradient of the batch's
loss $L = \frac{1}{n}\sum_i L_i$ with respect to the predictions, $\partial L / \partial \hat y$,
where backpropagation starts. :func:`mean_over_batch` turns the $L_i$ into $L$, as Keras does
("sum over batch size"). `y` and `y_hat` arrive with the same shape, one row per sample.

Logarithms need probabilities away from 0 and 1: :func:`clip` keeps them in
$[\epsilon, 1 - \epsilon]$ with $\epsilon = 10^{-7}$, and where it changed a value the loss is
flat, so the gradient there is 0.
"""

import numpy as np

from nnlib.core.activations import sigmoid

EPSILON = 1e-7


def mean_over_batch(per_sample):
    r"""$L = \frac{1}{n}\sum_{i=1}^{n} L_i$: the sum of the per-sample losses over their count."""
    return per_sample.sum() / per_sample.size


def sse(y, y_hat):
    r"""Sum of squared errors of each sample, $L_i = \sum_j (y_j - \hat y_j)^2$ (summed, not
    averaged, over the batch too)."""
    return np.sum(np.square(y - y_hat), axis=-1)


def sse_gradient(y, y_hat):
    r"""$\partial L / \partial \hat y = 2(\hat y - y)$."""
    return 2 * (y_hat - y)


def mse(y, y_hat):
    r"""Mean squared error of each sample, $L_i = \frac{1}{d}\sum_{j=1}^{d} (y_j - \hat y_j)^2$."""
    return np.mean(np.square(y - y_hat), axis=-1)


def mse_gradient(y, y_hat):
    r"""$\partial L / \partial \hat y = \frac{2}{nd}(\hat y - y)$: $L$ is the mean of all $nd$ squares."""
    return 2 * (y_hat - y) / y_hat.size


def mae(y, y_hat):
    r"""Mean absolute error of each sample, $L_i = \frac{1}{d}\sum_{j=1}^{d} |y_j - \hat y_j|$."""
    return np.mean(np.abs(y - y_hat), axis=-1)


def mae_gradient(y, y_hat):
    r"""$\partial L / \partial \hat y = \frac{1}{nd}\operatorname{sign}(\hat y - y)$ (0 where $\hat y = y$)."""
    return np.sign(y_hat - y) / y_hat.size


def clip(p):
    r"""$p$ limited to $[\epsilon, 1 - \epsilon]$ (NumPy rounds the bounds to $p$'s own float type)."""
    return p.clip(EPSILON, 1 - EPSILON)


def binary_crossentropy(y, p, from_logits=False):
    r"""$L_i = -\frac{1}{d}\sum_j \bigl(y_j \log p_j + (1 - y_j)\log(1 - p_j)\bigr)$ with $p$ clipped.

    From logits $z$ ($p = \sigma(z)$ never formed): $-\log\sigma(z) = \log(1 + e^{-z})$ and
    $-\log(1 - \sigma(z)) = \log(1 + e^{z})$, exact even where $\sigma(z)$ rounds to 0 or 1.
    """
    if from_logits:
        per_output = y * np.logaddexp(0, -p) + (1 - y) * np.logaddexp(0, p)
    else:
        p = clip(p)
        per_output = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return np.mean(per_output, axis=-1)


def binary_crossentropy_gradient(y, p, from_logits=False):
    r"""$\partial L / \partial p = \frac{1}{N}\left(-\frac{y}{p} + \frac{1 - y}{1 - p}\right)$ where the
    clip left $p$ unchanged, else 0 ($N$: every output of the batch). From logits:
    $\partial L / \partial z = (\sigma(z) - y) / N$."""
    if from_logits:
        return (sigmoid(p) - y) / p.size
    p_clipped = clip(p)
    return (-y / p_clipped + (1 - y) / (1 - p_clipped)) * (p_clipped == p) / p.size


def log_softmax(z):
    r"""$\log \mathrm{softmax}(z)_k = z_k - m - \log\sum_j e^{z_j - m}$ with $m = \max_j z_j$."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def categorical_crossentropy(y, p, from_logits=False):
    r"""$L_i = -\sum_k y_k \log q_k$ with $q = p / \sum_k p_k$ clipped (Keras normalises first).

    `y` is one-hot (or soft) labels; from logits, $\log q = $ :func:`log_softmax` of the scores.
    """
    if from_logits:
        return -np.sum(y * log_softmax(p), axis=-1)
    q = clip(p / p.sum(axis=-1, keepdims=True))
    return -np.sum(y * np.log(q), axis=-1)


def sparse_categorical_crossentropy(labels, p, from_logits=False):
    r"""The same for class indices $c_i$ (rows of $p$): only the true class's term survives,
    $L_i = -\log q_{i c_i}$, minus the log of the probability given to the right answer."""
    true_class = (np.arange(len(p)), labels)
    if from_logits:
        return -log_softmax(p)[true_class]
    return -np.log(clip(p[true_class] / p.sum(axis=-1)))


def categorical_crossentropy_gradient(y, p, from_logits=False):
    r"""$\partial L / \partial p$: through the clip ($g_k = -y_k / q_k$ where unclipped, else 0), then
    through $q = p / S$, $S = \sum_k p_k$:

    $$\frac{\partial L}{\partial p_j} = \frac{1}{n}\cdot\frac{g_j - \sum_k g_k q_k}{S}.$$

    From logits: $\partial L / \partial z = \bigl(\mathrm{softmax}(z)\sum_k y_k - y\bigr)/n$.
    """
    n = y.size // y.shape[-1]
    if from_logits:
        return softmax_crossentropy_gradient(y, np.exp(log_softmax(p)))
    total = p.sum(axis=-1, keepdims=True)
    q = p / total
    q_clipped = clip(q)
    g = -y / q_clipped * (q_clipped == q)
    return (g - np.sum(g * q, axis=-1, keepdims=True)) / total / n


def softmax_crossentropy_gradient(y, p):
    r"""$\partial L / \partial z$ of the cross-entropy of $p = \mathrm{softmax}(z)$ in one step: the
    chain rule through the softmax Jacobian collapses to

    $$\frac{\partial L}{\partial z} = \frac{p \sum_k y_k - y}{n} \quad (= (p - y)/n \text{ for one-hot } y).$$
    """
    n = y.size // y.shape[-1]
    return (p * y.sum(axis=-1, keepdims=True) - y) / n
