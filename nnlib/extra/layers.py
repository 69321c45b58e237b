r"""Keras's activation layers and noise layers that the chapters do not build, forward and backward
side by side: ``ReLU`` (with Keras's options), ``LeakyReLU``, ``ELU``, ``PReLU`` (a learned slope),
``Identity``, ``GaussianNoise``, ``GaussianDropout`` and ``AlphaDropout``; ``Rescaling``;
``BatchNormalization``. They are ``nnlib.layers``' classes too.
"""

import functools

import numpy as np

from nnlib import activations, initializers, utils
from nnlib._validation import check_number
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


class AlphaDropout(Layer):
    r"""Dropout for SELU networks (Klambauer et al., 2017), as ``keras.layers.AlphaDropout``:
    while training, each input is kept with probability $1 - r$ or else set to SELU's
    saturation value $\alpha' = -\lambda\alpha$ (not 0), then the result is scaled and shifted
    back to the input's mean and variance,

    $$Y = a\,\bigl(M \odot X + \alpha' (1 - M)\bigr) + b, \qquad
      a = \bigl((1 - r)(1 + r\alpha'^2)\bigr)^{-1/2}, \quad b = -a\alpha' r,$$

    $M_{ij} \sim \mathrm{Bernoulli}(1 - r)$ anew every batch; backward
    $\partial L/\partial X = a\, M \odot \partial L/\partial Y$. Outside training it passes
    its input through.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if noise_shape is not None:
            raise ValueError(f"AlphaDropout: nnlib draws one mask entry per input "
                             f"(noise_shape=None); received noise_shape={noise_shape!r}.")
        self.rate = check_number(rate, "AlphaDropout: rate", low=0, high=1, high_inclusive=False)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, x, training=False):
        self._kept_scale = None
        if not training or self.rate == 0:
            return x
        rng = self._rng or utils.get_rng()
        kept = (rng.uniform(size=x.shape) >= self.rate).astype(x.dtype)
        alpha_p = -extra.SELU_ALPHA * extra.SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        self._kept_scale = a * kept
        return (a * (x * kept + alpha_p * (1 - kept)) + b).astype(x.dtype, copy=False)

    def backward(self, grad):
        return grad if self._kept_scale is None else grad * self._kept_scale


class Rescaling(Layer):
    r"""$Y = sX + o$ with fixed numbers $s$ (``scale``) and $o$ (``offset``), as
    ``keras.layers.Rescaling`` (e.g. ``Rescaling(1 / 255)`` for pixel values); backward
    $\partial L/\partial X = s\,\partial L/\partial Y$."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_number(scale, "Rescaling: scale")
        self.offset = check_number(offset, "Rescaling: offset")

    def forward(self, x):
        return (x * x.dtype.type(self.scale) + x.dtype.type(self.offset)).astype(x.dtype,
                                                                               copy=False)

    def backward(self, grad):
        return grad * grad.dtype.type(self.scale)


class BatchNormalization(Layer):
    r"""Normalise every feature over the batch, then scale and shift it by learned $\gamma$, $\beta$
    (Ioffe and Szegedy, 2015), as ``keras.layers.BatchNormalization`` (last axis).

    While training (``fit``), with the batch's mean $\mu$ and (biased) variance $\sigma^2$ of each
    feature:

    $$\hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta,$$

    and the moving statistics follow, $m \leftarrow m\,\text{momentum} + \mu\,(1 - \text{momentum})$
    (the same for the variance). Outside training (``predict``, ``evaluate``) and when the layer is
    frozen (``trainable = False``, as Keras 3), the moving mean and variance replace $\mu$, $\sigma^2$.

    Backward in training, from $G = \partial L/\partial y$ over a batch of $n$ rows (every row's
    $\hat x$ depends on the whole batch through $\mu$ and $\sigma^2$):

    $$\frac{\partial L}{\partial \gamma} = \sum_{\text{rows}} G \odot \hat x, \quad
      \frac{\partial L}{\partial \beta} = \sum_{\text{rows}} G, \quad
      \frac{\partial L}{\partial x} = \frac{\gamma}{n\sqrt{\sigma^2 + \epsilon}}
      \Bigl(n G - \sum_{\text{rows}} G - \hat x \sum_{\text{rows}} G \odot \hat x\Bigr).$$

    Weights in Keras's order: ``gamma``, ``beta``, ``moving_mean``, ``moving_variance`` (the last
    two not trainable).
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        if axis not in (-1, 1):
            raise ValueError(f"BatchNormalization: nnlib normalises the features (axis=-1) of a "
                             f"dense layer's output; received axis={axis!r}.")
        self.axis, self.momentum, self.epsilon = -1, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.initializers = {name: initializers.get(given, f"{name}_initializer") for name, given
                             in [("gamma", gamma_initializer), ("beta", beta_initializer),
                                 ("moving_mean", moving_mean_initializer),
                                 ("moving_variance", moving_variance_initializer)]}

    def build(self, input_shape):
        features = (input_shape[-1],)
        for name, learned in [("gamma", self.scale), ("beta", self.center),
                              ("moving_mean", None), ("moving_variance", None)]:
            if learned is not False:
                self.add_weight(name, features, self.initializers[name],
                                trainable=learned is not None)
        super().build(input_shape)

    def _gamma_beta(self):
        gamma = self.gamma if self.scale else 1.0
        beta = self.beta if self.center else 0.0
        return gamma, beta

    def forward(self, x, training=False):
        gamma, beta = self._gamma_beta()
        self._batch_statistics = training and self.trainable
        if self._batch_statistics:
            mean, variance = x.mean(axis=0), x.var(axis=0)
            self.moving_mean[...] = self.moving_mean * self.momentum + mean * (1 - self.momentum)
            self.moving_variance[...] = (self.moving_variance * self.momentum
                                         + variance * (1 - self.momentum))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        self._inv_std = 1 / np.sqrt(variance + self.epsilon)
        self._x_hat = (x - mean) * self._inv_std
        return (gamma * self._x_hat + beta).astype(x.dtype, copy=False)

    def backward(self, grad):
        gamma, _ = self._gamma_beta()
        k = 0
        if self.scale:
            self.grads[k][...] = (grad * self._x_hat).sum(axis=0)
            k += 1
        if self.center:
            self.grads[k][...] = grad.sum(axis=0)
        if not self._batch_statistics:
            return grad * gamma * self._inv_std
        n = grad.shape[0]
        return (gamma * self._inv_std / n) * (n * grad - grad.sum(axis=0)
                                              - self._x_hat * (grad * self._x_hat).sum(axis=0))
