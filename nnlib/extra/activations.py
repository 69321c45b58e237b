r"""Keras's other elementwise activations and their derivatives, in the core's plain style.

The chapters teach ReLU, the sigmoid, tanh, SiLU and softmax (:mod:`nnlib.core.activations`).
Keras has more; each is here once, the function $g(z)$ and its derivative $g'(z)$ side by side,
with Keras 3's constants and, at a kink, the one-sided slope JAX's autodiff gives (so gradients
match Keras's). :mod:`nnlib.activations` turns each pair into an activation a layer can use.
"""

import math

import numpy as np

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow


def elu(z, alpha=1.0):
    r"""$z$ for $z > 0$, $\alpha(e^z - 1)$ below: smooth, and negative outputs near $-\alpha$."""
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_derivative(z, alpha=1.0):
    return np.where(z > 0, 1, alpha * np.exp(np.minimum(z, 0)))


def selu(z):
    r"""$\lambda\,\mathrm{elu}(z, \alpha)$ with Klambauer et al.'s $\alpha \approx 1.6733$,
    $\lambda \approx 1.0507$, which keep activations at mean 0 and variance 1 (with
    ``lecun_normal`` weights)."""
    return SELU_SCALE * elu(z, SELU_ALPHA)


def selu_derivative(z):
    return SELU_SCALE * elu_derivative(z, SELU_ALPHA)


def celu(z, alpha=1.0):
    r"""$\max(0, z) + \min(0, \alpha(e^{z/\alpha} - 1))$."""
    return np.maximum(z, 0) + np.minimum(0, alpha * np.expm1(np.minimum(z, 0) / alpha))


def celu_derivative(z, alpha=1.0):
    return np.where(z > 0, 1, np.exp(np.minimum(z, 0) / alpha))


def leaky_relu(z, negative_slope=0.2):
    r"""$z$ for $z \ge 0$, $\text{slope} \cdot z$ below: a ReLU whose negative side still learns."""
    return np.where(z >= 0, z, negative_slope * z)


def leaky_relu_derivative(z, negative_slope=0.2):
    return np.where(z >= 0, 1, negative_slope).astype(z.dtype)


def relu6(z):
    r"""$\min(\max(z, 0), 6)$."""
    return np.clip(z, 0, 6)


def relu6_derivative(z):
    return ((z > 0) & (z < 6)).astype(z.dtype)


def softplus(z):
    r"""$\log(1 + e^z)$, a smooth ReLU (computed as $\log(e^0 + e^z)$, which cannot overflow)."""
    return np.logaddexp(0, z)


def softplus_derivative(z):
    return _sigmoid(z)


def softsign(z):
    r"""$z / (1 + |z|)$, a tanh-like curve that approaches $\pm 1$ slowly."""
    return z / (1 + np.abs(z))


def softsign_derivative(z):
    return 1 / (1 + np.abs(z)) ** 2


def exponential(z):
    r"""$e^z$."""
    return np.exp(z)


def exponential_derivative(z):
    return np.exp(z)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(z):
    r"""$z\,\Phi(z) = \tfrac{z}{2}\bigl(1 + \mathrm{erf}(z/\sqrt2)\bigr)$, with $\Phi$ the standard
    normal's distribution function (Keras's default, ``approximate=False``)."""
    return (0.5 * z * (1 + _erf(z / math.sqrt(2)))).astype(z.dtype)


def gelu_derivative(z):
    phi = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # the normal density
    return (0.5 * (1 + _erf(z / math.sqrt(2))) + z * phi).astype(z.dtype)


def mish(z):
    r"""$z \tanh(\mathrm{softplus}(z))$."""
    return z * np.tanh(softplus(z))


def mish_derivative(z):
    t = np.tanh(softplus(z))
    return t + z * _sigmoid(z) * (1 - t * t)


def hard_tanh(z):
    r"""$\mathrm{clip}(z, -1, 1)$."""
    return np.clip(z, -1, 1)


def hard_tanh_derivative(z):
    return (np.abs(z) <= 1).astype(z.dtype)  # 1 at the kinks, as JAX's clip


def hard_silu(z):
    r"""$z \cdot \mathrm{hard\_sigmoid}(z) = z \,\mathrm{clip}(z/6 + 1/2, 0, 1)$ (also hard_swish)."""
    return z * np.clip(z / 6 + 0.5, 0, 1)


def hard_silu_derivative(z):
    return np.clip(z / 6 + 0.5, 0, 1) + z * ((z > -3) & (z < 3)) / 6


def log_sigmoid(z):
    r"""$\log \sigma(z) = -\mathrm{softplus}(-z)$."""
    return -softplus(-z)


def log_sigmoid_derivative(z):
    return _sigmoid(-z)


def tanh_shrink(z):
    r"""$z - \tanh z$."""
    return z - np.tanh(z)


def tanh_shrink_derivative(z):
    return np.tanh(z) ** 2


def soft_shrink(z, threshold=0.5):
    r"""$z - t$ above $t$, $z + t$ below $-t$, 0 between."""
    return np.where(z > threshold, z - threshold, np.where(z < -threshold, z + threshold, 0))


def soft_shrink_derivative(z, threshold=0.5):
    return (np.abs(z) > threshold).astype(z.dtype)


def hard_shrink(z, threshold=0.5):
    r"""$z$ where $|z| > t$, 0 elsewhere."""
    return np.where(np.abs(z) > threshold, z, 0)


def hard_shrink_derivative(z, threshold=0.5):
    return (np.abs(z) > threshold).astype(z.dtype)


def squareplus(z, b=4):
    r"""$\bigl(z + \sqrt{z^2 + b}\bigr)/2$, a softplus made of square roots."""
    return (z + np.sqrt(z * z + b)) / 2


def squareplus_derivative(z, b=4):
    return (1 + z / np.sqrt(z * z + b)) / 2


def sparse_plus(z):
    r"""0 below $-1$, $(z + 1)^2 / 4$ between, $z$ above 1."""
    return np.where(z <= -1, 0, np.where(z >= 1, z, (z + 1) ** 2 / 4))


def sparse_plus_derivative(z):
    return np.where(z <= -1, 0, np.where(z >= 1, 1, (z + 1) / 2))


def sparse_sigmoid(z):
    r"""$\mathrm{clip}((z + 1)/2, 0, 1)$."""
    return np.clip((z + 1) / 2, 0, 1)


def sparse_sigmoid_derivative(z):
    # at the kinks z = +-1, JAX's clip gives the mean of the two sides' slopes
    return np.where(np.abs(z) < 1, 0.5, np.where(np.abs(z) == 1, 0.25, 0)).astype(z.dtype)


def threshold(z, threshold, default_value):
    r"""$z$ where $z > t$, `default_value` elsewhere."""
    return np.where(z > threshold, z, default_value)


def threshold_derivative(z, threshold, default_value):
    return (z > threshold).astype(z.dtype)


def log_softmax(z):
    r"""$z_i - \log \sum_j e^{z_j}$ over each row (the logarithm of softmax, computed stably)."""
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def log_softmax_vjp(a, da):
    r"""$dz = da - \mathrm{softmax}(z) \sum_i da_i$, from the output $a$ ($e^a$ is the softmax)."""
    return da - np.exp(a) * da.sum(axis=-1, keepdims=True)


# name -> (g, g') for the elementwise ones; the derivative gives dZ = dA * g'(Z)
PAIRS = {name: (globals()[name], globals()[f"{name}_derivative"]) for name in [
    "elu", "selu", "celu", "leaky_relu", "relu6", "softplus", "softsign", "exponential", "gelu",
    "mish", "hard_tanh", "hard_silu", "log_sigmoid", "tanh_shrink", "soft_shrink", "hard_shrink",
    "squareplus", "sparse_plus", "sparse_sigmoid"]}
