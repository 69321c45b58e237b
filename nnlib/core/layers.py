r"""The Layer contract and the layers the chapters build: Dense, Dropout, Flatten (chapters 4, 8).

A layer maps a batch $X$ (one row per example) to an output. Training runs every layer forward,
then back in reverse order: each layer receives $\partial L / \partial\,\text{output}$, stores the
gradients of its weights in ``grads`` and returns $\partial L / \partial X$ for the layer before
it: the chain rule, one layer at a time.
"""

import numpy as np


class Layer:
    r"""What every layer has: ``weights`` (the arrays that learn), ``grads`` (the gradient of the loss
    for each weight, same order, filled by ``backward``), ``regularizers`` (each weight's penalty
    or None, :mod:`nnlib.core.regularizers`) and three methods:

    * ``build(input_shape)`` creates the weights from the first input's shape (Keras's way: a
      ``Dense(4)`` need not be told its input size);
    * ``forward(X)`` computes the output and keeps what ``backward`` needs;
    * ``backward(dY)`` turns $dY = \partial L / \partial Y$ into the weights' gradients and returns
      $\partial L / \partial X$.
    """

    def __init__(self):
        self.weights = []
        self.grads = []
        self.weight_names = []
        self.regularizers = []
        self.built = False

    def add_weight(self, name, shape, initializer, dtype="float32", regularizer=None):
        """Create weight ``self.<name>`` from ``initializer(shape, dtype)``, and its gradient."""
        value = initializer(shape, dtype)
        self.weights.append(value)
        self.grads.append(np.zeros_like(value))
        self.weight_names.append(name)
        self.regularizers.append(regularizer)
        setattr(self, name, value)
        return value

    def build(self, input_shape):
        self.built = True

    def forward(self, X):
        raise NotImplementedError

    def backward(self, dY):
        raise NotImplementedError


class Dense(Layer):
    r"""Every output unit sees every input feature. Forward, with kernel $W$ (inputs, units), bias
    $b$ (units,) and activation $g$:

    $$Z = XW + b, \qquad A = g(Z).$$

    Backward, from $dA = \partial L / \partial A$ (each $d\cdot$ is $\partial L / \partial \cdot$):

    $$dZ = dA \odot g'(Z), \qquad dW = X^\top dZ, \qquad db = \sum_{\text{rows}} dZ, \qquad
      dX = dZ\,W^\top.$$

    `activation` computes $g(Z)$ when called and $dZ$ with ``backward(Z, A, dA)``; the
    initializers are functions ``(shape, dtype) -> array``.
    """

    def __init__(self, units, activation, kernel_initializer, bias_initializer, use_bias=True):
        Layer.__init__(self)
        self.units = units
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.use_bias = use_bias
        self.kernel = self.bias = None

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)
        Layer.build(self, input_shape)

    def forward(self, X):
        Z = X @ self.kernel
        if self.use_bias:
            Z += self.bias
        A = self.activation(Z)
        self._x, self._z, self._a = X, Z, A  # kept for backward
        return A

    def backward(self, dA, input_gradient=True):
        """Return $dX$ (None when ``input_gradient`` is False: the first layer's input is the data,
        which needs no gradient, and $dX$ is the pass's largest product)."""
        dZ = self.activation.backward(self._z, self._a, dA)
        return self.backward_from_z(dZ, input_gradient)

    def backward_from_z(self, dZ, input_gradient=True):
        """The rest of ``backward`` once $dZ$ is known (a loss may give it directly: softmax with
        cross-entropy, $dZ = (A - Y)/n$)."""
        self.grads[0] = self._x.T @ dZ
        if self.use_bias:
            self.grads[1] = dZ.sum(axis=0)
        return dZ @ self.kernel.T if input_gradient else None


class Dropout(Layer):
    r"""Inverted dropout: while training, keep each entry with probability $q = 1 - \text{rate}$ and
    scale it by $1/q$, so its expected value is unchanged; outside training, pass $X$ through.

    $$Y = \frac{M \odot X}{q}, \quad M_{ij} \sim \mathrm{Bernoulli}(q) \text{ anew every batch};
      \qquad dX = \frac{M \odot dY}{q}.$$

    `rng` is the random generator (``np.random.default_rng(seed)``).
    """

    def __init__(self, rate, rng):
        Layer.__init__(self)
        self.rate = rate
        self.rng = rng

    def forward(self, X, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return X
        q = 1 - self.rate
        # the mask holds 1/q where kept and 0 where dropped: one product each way
        self.mask = (self.rng.random(X.shape) < q).astype(X.dtype) / X.dtype.type(q)
        return X * self.mask

    def backward(self, dY):
        return dY if self.mask is None else dY * self.mask


class Flatten(Layer):
    r"""Each example as one row: (batch, $d_1$, $d_2$, ...) becomes (batch, $d_1 d_2 \cdots$).
    Every output entry *is* an input entry, so $dX$ is $dY$ reshaped back."""

    def forward(self, X):
        self.input_shape_seen = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dY):
        return dY.reshape(self.input_shape_seen)
