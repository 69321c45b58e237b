r"""Keras's activation layers and noise layers that the chapters do not build, forward and backward
side by side: ``ReLU`` (with Keras's options), ``LeakyReLU``, ``ELU``, ``PReLU`` (a learned slope),
``Identity``, ``GaussianNoise``, ``GaussianDropout`` and ``AlphaDropout``; ``Rescaling``;
``BatchNormalization``; the merge layers ``Subtract``, ``Multiply``, ``Average``, ``Maximum``,
``Minimum`` and ``Dot``. They are ``nnlib.layers``' classes too.
"""

import functools

import numpy as np

from nnlib import activations, initializers, utils
from nnlib._validation import check_number
from nnlib.extra import activations as extra
from nnlib.layers import Activation, Add, Layer, _Merge


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


# ---- merge layers beyond Add and Concatenate: several inputs of one shape in, one output ----
class Subtract(Add):
    r"""$Y = X_1 - X_2$ (exactly two inputs); backward $\partial L/\partial X_1 = G$,
    $\partial L/\partial X_2 = -G$."""

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and len(input_shape) != 2:
            raise ValueError(f"Subtract {self.name!r} needs exactly 2 inputs; received "
                             f"{len(input_shape)}.")
        return super().compute_output_shape(input_shape)

    def forward(self, inputs):
        return inputs[0] - inputs[1]

    def backward(self, grad, input_gradient=True):
        return [grad.copy(), -grad]


class Multiply(Add):
    r"""$Y = X_1 \odot X_2 \odot \cdots$; backward, each input's gradient is $G$ times the product
    of the other inputs."""

    def forward(self, inputs):
        self._inputs = inputs
        return functools.reduce(np.multiply, inputs)

    def backward(self, grad, input_gradient=True):
        return [functools.reduce(np.multiply, self._inputs[:k] + self._inputs[k + 1:], grad)
                for k in range(len(self._inputs))]


class Average(Add):
    r"""$Y = \frac1m (X_1 + \dots + X_m)$; backward $G/m$ to each input."""

    def forward(self, inputs):
        self._count = len(inputs)
        return super().forward(inputs) / inputs[0].dtype.type(self._count)

    def backward(self, grad, input_gradient=True):
        return [grad / grad.dtype.type(self._count) for _ in range(self._count)]


class Maximum(Add):
    r"""$Y = \max(X_1, X_2, \dots)$ element by element; backward, each entry's gradient goes to
    the input that gave the maximum (the first one on a tie; JAX's autodiff splits a tie)."""

    _pick = staticmethod(np.argmax)

    def forward(self, inputs):
        stacked = np.stack(inputs)
        self._winner, self._count = self._pick(stacked, axis=0), len(inputs)
        return np.take_along_axis(stacked, self._winner[None], axis=0)[0]

    def backward(self, grad, input_gradient=True):
        return [grad * (self._winner == k) for k in range(self._count)]


class Minimum(Maximum):
    r"""$Y = \min(X_1, X_2, \dots)$ element by element; backward to the input that gave the
    minimum."""

    _pick = staticmethod(np.argmin)


def l2_normalize(x, epsilon=1e-7):
    r"""$u = x / \max(\|x\|, \epsilon)$ over each row (Keras computes
    $x \min(1/\|x\|, 1/\epsilon)$, the same)."""
    return x * np.minimum(1 / np.sqrt(np.square(x).sum(axis=-1, keepdims=True)), 1 / epsilon)


def l2_normalize_vjp(x, u, du, epsilon=1e-7):
    r"""Through $u = x / \|x\|$: $dx = (du - u\,(u \cdot du)) / \|x\|$ (and $du/\epsilon$
    where the norm is below $\epsilon$, where $u = x/\epsilon$)."""
    norm = np.sqrt(np.square(x).sum(axis=-1, keepdims=True))
    return np.where(norm > epsilon, (du - u * (u * du).sum(axis=-1, keepdims=True))
                    / np.maximum(norm, epsilon), du / epsilon)


class Dot(_Merge):
    r"""The dot product of two inputs' rows, $y = X_1 X_2^\top$ row by row, shape (batch, 1), as
    ``keras.layers.Dot(axes=1)`` on (batch, d) inputs; with ``normalize=True`` each row is first
    divided by its length, which makes $y$ the cosine of the angle between the two rows.

    Backward: $\partial L/\partial X_1 = g X_2$ and $\partial L/\partial X_2 = g X_1$ (through
    the normalisation when set: :func:`l2_normalize_vjp`).
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = list(axes) if isinstance(axes, (list, tuple)) else [axes, axes]
        if len(pair) != 2 or any(a not in (1, -1) for a in pair):
            raise ValueError(f"Dot {self.name!r}: nnlib takes the dot product of (batch, "
                             f"features) rows, axes=1 or -1; received axes={axes!r}.")
        self.axes, self.normalize = axes, bool(normalize)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Dot {self.name!r} needs a list of exactly 2 inputs; received "
                             f"{input_shape!r}.")
        first, second = (tuple(s) for s in input_shape)
        if len(first) != 2 or len(second) != 2 or first[1] != second[1]:
            raise ValueError(f"Dot {self.name!r}: both inputs must be (batch, d) with the same "
                             f"d; received shapes {input_shape}.")
        return (first[0], 1)

    def forward(self, inputs):
        self._inputs = inputs
        if self.normalize:
            self._units = [l2_normalize(x) for x in inputs]
        first, second = self._units if self.normalize else inputs
        return (first * second).sum(axis=-1, keepdims=True)

    def backward(self, grad, input_gradient=True):
        first, second = self._units if self.normalize else self._inputs
        grads = [grad * second, grad * first]
        if self.normalize:
            grads = [l2_normalize_vjp(x, u, g) for x, u, g in zip(self._inputs, self._units,
                                                                  grads)]
        return grads
