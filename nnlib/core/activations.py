r"""Activation functions $g(z)$ and their derivatives $g'(z)$, side by side (chapter 5).

A layer computes $Z = XW + b$ and then $A = g(Z)$, element by element. Backpropagation needs
$dZ = dA \odot g'(Z)$. Softmax is the exception: each output depends on the whole row, so its
backward pass is the vector-Jacobian product :func:`softmax_vjp`.
"""

import numpy as np


def linear(z):
    r"""$g(z) = z$: no activation."""
    return z


def linear_derivative(z):
    r"""$g'(z) = 1$."""
    return np.ones_like(z)


def relu(z):
    r"""$\mathrm{relu}(z) = \max(z, 0)$."""
    return np.maximum(z, 0)


def relu_derivative(z):
    r"""$\mathrm{relu}'(z) = 1$ if $z > 0$, else 0 (0 at the kink $z = 0$, as Keras)."""
    return (z > 0).astype(z.dtype)


def sigmoid(z):
    r"""$\sigma(z) = \dfrac{1}{1 + e^{-z}}$, computed with $e^{-|z|} \le 1$ so nothing overflows:
    $\sigma(z) = 1 / (1 + e^{-|z|})$ for $z \ge 0$ and $e^{-|z|} / (1 + e^{-|z|})$ for $z < 0$."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z):
    r"""$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$, at most $1/4$."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    r"""$\tanh(z) = \dfrac{e^z - e^{-z}}{e^z + e^{-z}}$."""
    return np.tanh(z)


def tanh_derivative(z):
    r"""$\tanh'(z) = 1 - \tanh^2(z)$."""
    t = np.tanh(z)
    return 1 - t * t


def hard_sigmoid(z):
    r"""$\mathrm{hard\_sigmoid}(z) = \mathrm{relu6}(z + 3) / 6 = \mathrm{clip}(z/6 + 1/2, 0, 1)$ (Keras 3)."""
    return np.clip(z + 3, 0, 6) / 6


def hard_sigmoid_derivative(z):
    r"""$1/6$ for $-3 < z < 3$, else 0."""
    return np.where((z > -3) & (z < 3), 1 / 6, 0).astype(z.dtype)


def silu(z):
    r"""$\mathrm{silu}(z) = z\,\sigma(z)$ (also called swish)."""
    return z * sigmoid(z)


def silu_derivative(z):
    r"""$\mathrm{silu}'(z) = \sigma(z)\bigl(1 + z\,(1 - \sigma(z))\bigr)$."""
    s = sigmoid(z)
    return s * (1 + z * (1 - s))


def dsilu(z):
    r"""$\mathrm{dsilu}(z) = \sigma(z)\bigl(1 + z\,(1 - \sigma(z))\bigr)$: SiLU's derivative used as an
    activation (not in Keras)."""
    return silu_derivative(z)


def dsilu_derivative(z):
    r"""$\mathrm{dsilu}'(z) = \sigma(z)(1 - \sigma(z))\bigl(2 + z\,(1 - 2\sigma(z))\bigr)$."""
    s = sigmoid(z)
    return s * (1 - s) * (2 + z * (1 - 2 * s))


def softmax(z):
    r"""$s_i = e^{z_i - m} / \sum_j e^{z_j - m}$ over each row, with $m = \max_j z_j$ so that no
    exponent is positive (the $e^{-m}$ cancels)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_vjp(s, ds):
    r"""$dz$ from $ds = \partial L/\partial s$ and the output $s$: with the Jacobian
    $\partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)$,

    $$dz_j = \sum_i ds_i\, s_i (\delta_{ij} - s_j) = s_j \Bigl(ds_j - \sum_i ds_i\, s_i\Bigr),$$

    without ever building the matrix."""
    return s * (ds - (ds * s).sum(axis=-1, keepdims=True))


# The backward pass of each activation, dZ from Z, its output A = g(Z) and dA. Each uses whichever
# of Z and A is cheaper: the sigmoid's derivative is A(1 - A), no new exponential.
BACKWARD = {
    "linear": lambda z, a, da: da,
    "relu": lambda z, a, da: da * (a > 0),  # A > 0 exactly where Z > 0
    "sigmoid": lambda z, a, da: da * a * (1 - a),
    "tanh": lambda z, a, da: da * (1 - a * a),
    "hard_sigmoid": lambda z, a, da: da * hard_sigmoid_derivative(z),
    "silu": lambda z, a, da: da * silu_derivative(z),
    "dsilu": lambda z, a, da: da * dsilu_derivative(z),
    "softmax": lambda z, a, da: softmax_vjp(a, da),
}
FORWARD = {"linear": linear, "relu": relu, "sigmoid": sigmoid, "tanh": tanh,
           "hard_sigmoid": hard_sigmoid, "silu": silu, "dsilu": dsilu, "softmax": softmax}
