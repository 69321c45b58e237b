r"""Keras's activation layers and noise layers that the chapters do not build, forward and backward
side by side: ``ReLU`` (with Keras's options), ``LeakyReLU``, ``ELU``, ``PReLU`` (a learned slope),
``Identity``, ``GaussianNoise`` and ``GaussianDropout``. They are ``nnlib.layers``' classes too.
"""

import functools

import numpy as np

from nnlib import activations, initializers, utils
from nnlib.extra import activations as extra
from nnlib.layers import Activation, Layer


def _activation(name, g, derivative, **options):
    """An :class:`nnlib.activations.Activation` of ``g(z, **options)``, dZ = dA * g'(Z)."""
    return activations.Activation(name, functools.partial(g, **options),
                                  lambda z, a, da: da * derivative(z, **options))


def relu_general(z, negative_slope=0.0, max_value=None, threshold=0.0):
    r"""Keras's ReLU with options: $z$ above `threshold` (at most `max_value`), and
    $\text{slope}\,(z - \text{threshold})$ below."""
    y = np.where(z > threshold, z, 0)
    if max_value is not None:
        y = np.minimum(y, max_value)
    return y - negative_slope * np.maximum(threshold - z, 0)


def relu_general_derivative(z, negative_slope=0.0, max_value=None, threshold=0.0):
    d = (z > threshold).astype(z.dtype)
    if max_value is not None:
        d = d * (z < max_value)
    return d + negative_slope * (z < threshold)


class ReLU(Activation):
    """``keras.layers.ReLU(max_value=None, negative_slope=0.0, threshold=0.0)``."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        super().__init__(_activation("relu", relu_general, relu_general_derivative,
                                     negative_slope=negative_slope, max_value=max_value,
                                     threshold=threshold), **kwargs)


class LeakyReLU(Activation):
    """``keras.layers.LeakyReLU(negative_slope=0.3)`` (Keras 3's default slope; the function
    ``activations.leaky_relu`` defaults to 0.2)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # Keras 2's name, which Keras 3 still takes
            negative_slope = kwargs.pop("alpha")
        self.negative_slope = negative_slope
        super().__init__(_activation("leaky_relu", extra.leaky_relu, extra.leaky_relu_derivative,
                                     negative_slope=negative_slope), **kwargs)


class ELU(Activation):
    """``keras.layers.ELU(alpha=1.0)``."""

    def __init__(self, alpha=1.0, **kwargs):
        self.alpha = alpha
        super().__init__(_activation("elu", extra.elu, extra.elu_derivative, alpha=alpha),
                         **kwargs)


class PReLU(Layer):
    r"""A leaky ReLU whose negative slope $\alpha$ is learned, one per feature:

    $$Y = \max(X, 0) - \alpha \max(-X, 0), \qquad
      \frac{\partial L}{\partial \alpha} = -\sum_{\text{rows}} G \odot \max(-X, 0), \qquad
      \frac{\partial L}{\partial X} = G \odot [X > 0] + G \odot \alpha [X < 0].$$
    """

    def __init__(self, alpha_initializer="Zeros", **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer, "alpha_initializer")

    def build(self, input_shape):
        self.add_weight("alpha", tuple(input_shape[1:]), self.alpha_initializer)
        super().build(input_shape)

    def forward(self, x):
        self._x = x
        return np.maximum(x, 0) - self.alpha * np.maximum(-x, 0)

    def backward(self, grad):
        self.grads[0][...] = -(grad * np.maximum(-self._x, 0)).sum(axis=0)
        return grad * (self._x > 0) + grad * self.alpha * (self._x < 0)


class Identity(Layer):
    """Passes its input through (``keras.layers.Identity``)."""

    def forward(self, x):
        return x

    def backward(self, grad):
        return grad


class GaussianNoise(Layer):
    r"""While training, add noise $N(0, \text{stddev}^2)$ to every input (a regularizer);
    outside training, pass the input through. Backward passes the gradient through."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = float(stddev), seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, x, training=False):
        if not training or self.stddev == 0:
            return x
        rng = self._rng or utils.get_rng()
        return x + rng.normal(0.0, self.stddev, size=x.shape).astype(x.dtype)

    def backward(self, grad):
        return grad


class GaussianDropout(Layer):
    r"""While training, multiply every input by noise $N(1, \text{rate}/(1 - \text{rate}))$ (the
    variance of inverted dropout's mask); outside training, pass the input through. Backward
    multiplies the gradient by the same noise."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, x, training=False):
        self._noise = None
        if not training or not 0 < self.rate < 1:
            return x
        rng = self._rng or utils.get_rng()
        stddev = np.sqrt(self.rate / (1.0 - self.rate))
        self._noise = rng.normal(1.0, stddev, size=x.shape).astype(x.dtype)
        return x * self._noise

    def backward(self, grad):
        return grad if self._noise is None else grad * self._noise
