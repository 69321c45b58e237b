r"""Layers: the pieces a network is built from, each with its forward and backward pass side by side.

A layer maps an input batch $X$ (one row per example) to an output batch. During training the model
runs every layer forward, then walks back through them in reverse order: each layer receives
$\partial L / \partial \text{output}$, stores the gradients of its own weights in ``.grads`` and
returns $\partial L / \partial \text{input}$ for the layer before it (the chain rule, one layer at a
time).

Names and numbers follow Keras 3: weights are created lazily by ``build(input_shape)`` from the first
input the layer sees, ``Dense`` stores its kernel as ``(inputs, units)`` and its bias as ``(units,)``,
and default names are unique per kind (``dense``, ``dense_1``, ...).

Calling a layer on a symbolic tensor from :func:`Input` records the graph for a functional
:class:`~nnlib.models.Model`; calling it on an array computes.

Examples
--------
>>> import numpy as np
>>> from nnlib.layers import Dense
>>> layer = Dense(2, kernel_initializer="ones", name="demo")
>>> layer(np.array([[1.0, 2.0, 3.0]]))
array([[6., 6.]], dtype=float32)
>>> [w.shape for w in layer.get_weights()]
[(3, 2), (2,)]
"""

import itertools

import numpy as np

from nnlib import activations, config, utils
from nnlib._validation import as_float_array

__all__ = ["Input", "SymbolicTensor", "Layer", "InputLayer", "Dense", "Concatenate", "Add"]

# Keras numbers default names per kind for the whole session: dense, dense_1, dense_2, ...
_name_counters = {}


def unique_name(prefix):
    """Return ``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ... (as Keras names layers)."""
    count = _name_counters.get(prefix, 0)
    _name_counters[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def _snake_case(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


# --------------------------------------------------------------------------------------------------
# Weight initializers: name -> function(shape, dtype) -> array. The random ones draw from nnlib's
# generator (utils.get_rng()), so utils.set_random_seed makes a model reproducible.
# --------------------------------------------------------------------------------------------------


def _fans(shape):
    fan_in = shape[0] if len(shape) == 2 else 1
    return fan_in, shape[-1]


def _glorot_uniform(shape, dtype):
    # U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)) keeps the variance of the signal
    # roughly the same going forward and backward (Glorot & Bengio, 2010).
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return utils.get_rng().uniform(-limit, limit, size=shape).astype(dtype)


def _he_uniform(shape, dtype):
    # limit = sqrt(6 / fan_in): the Glorot idea adjusted for ReLU, which zeroes half of its inputs.
    limit = np.sqrt(6.0 / _fans(shape)[0])
    return utils.get_rng().uniform(-limit, limit, size=shape).astype(dtype)


def _random_normal(shape, dtype):
    return utils.get_rng().normal(0.0, 0.05, size=shape).astype(dtype)


def _random_uniform(shape, dtype):
    return utils.get_rng().uniform(-0.05, 0.05, size=shape).astype(dtype)


INITIALIZERS = {
    "glorot_uniform": _glorot_uniform,
    "he_uniform": _he_uniform,
    "random_normal": _random_normal,
    "random_uniform": _random_uniform,
    "zeros": lambda shape, dtype: np.zeros(shape, dtype=dtype),
    "ones": lambda shape, dtype: np.ones(shape, dtype=dtype),
}


def _get_initializer(initializer, argument):
    if callable(initializer):
        return initializer
    if isinstance(initializer, str) and initializer in INITIALIZERS:
        return INITIALIZERS[initializer]
    raise ValueError(
        f"{argument}: unknown initializer {initializer!r}; expected one of "
        f"{sorted(INITIALIZERS)} or a function (shape, dtype) -> array."
    )


# --------------------------------------------------------------------------------------------------
# Symbolic tensors: what Input() returns and what calling a layer on one returns. They hold no data,
# only the shape and where they came from, so that Model(inputs, outputs) can find the graph.
# --------------------------------------------------------------------------------------------------


class SymbolicTensor:
    """A placeholder for data: its ``shape`` (batch dimension ``None``), the ``layer`` that makes it
    and that layer's ``inputs`` (other symbolic tensors)."""

    def __init__(self, shape, layer, inputs=()):
        self.shape = tuple(shape)
        self.layer = layer
        self.inputs = list(inputs)

    def __repr__(self):
        return f"<SymbolicTensor shape={self.shape} from layer {self.layer.name!r}>"


def Input(shape, name=None):
    """Declare a model input of ``shape`` per example (without the batch dimension), as ``keras.Input``.

    >>> Input((4,)).shape
    (None, 4)
    """
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"Input: shape must be a tuple of positive ints such as (4,); received {shape!r}."
        ) from None
    if not shape or any(s <= 0 for s in shape):
        raise ValueError(
            f"Input: shape must be a non-empty tuple of positive ints such as (4,); received {shape!r}."
        )
    layer = InputLayer(shape, name=name)
    return layer.output


# --------------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------------


class Layer:
    """Base class. A subclass creates its weights in ``build`` and writes ``forward``/``backward``.

    Attributes
    ----------
    weights : list of ndarray
        The live parameter arrays (optimizers update them in place).
    grads : list of ndarray
        After ``backward``, the gradient of the loss with respect to each array in ``weights``.
    weight_names : list of str
        ``"kernel"``, ``"bias"``, ... aligned with ``weights``.
    """

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string; received {name!r}.")
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.built = False
        self.weights = []
        self.grads = []
        self.weight_names = []
        self.input_shape = None
        self.output_shape = None
        self._inbound = None  # the symbolic tensors this layer was called on, if any

    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (batch dimension first, may be None)."""
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    takes_list = False  # merge layers (Concatenate, Add) take a list of inputs

    def __call__(self, inputs):
        is_list = isinstance(inputs, (list, tuple))
        if is_list and not self.takes_list and any(isinstance(t, SymbolicTensor) for t in inputs):
            raise ValueError(f"Layer {self.name!r} takes one input; received a list of "
                             f"{len(inputs)}. Join them first, e.g. with Concatenate().")
        many = is_list and self.takes_list
        items = list(inputs) if many else [inputs]
        symbolic = [isinstance(t, SymbolicTensor) for t in items]
        if any(symbolic):
            if not all(symbolic):
                raise TypeError(
                    f"Layer {self.name!r}: received a mix of symbolic tensors and arrays; "
                    "call a layer either on Input() tensors (to build a model) or on arrays."
                )
            if self._inbound is not None:
                raise ValueError(
                    f"Layer {self.name!r} is already used in a model graph; nnlib does not share "
                    "layers between places in a graph. Create a new layer instead."
                )
            shapes = [t.shape for t in items] if many else items[0].shape
            if not self.built:
                self.build(shapes)
            self._inbound = items
            return SymbolicTensor(self.compute_output_shape(shapes), self, items)
        dtype = self.weights[0].dtype if self.weights else config.floatx()
        if many:
            arrays = [as_float_array(t, f"inputs[{k}]").astype(dtype, copy=False)
                      for k, t in enumerate(items)]
            if not self.built:
                self.build([(None,) + a.shape[1:] for a in arrays])
            return self.forward(arrays)
        array = as_float_array(inputs, "inputs").astype(dtype, copy=False)
        if array.ndim < 2:
            raise ValueError(
                f"Layer {self.name!r}: expected a batch of shape (batch_size, features); received "
                f"an array of shape {array.shape}. Reshape one example with x.reshape(1, -1)."
            )
        if not self.built:
            self.build((None,) + array.shape[1:])
        return self.forward(array)

    def get_weights(self):
        """Copies of the weights, in Keras's order and layout."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Replace the weights' values (copied in place, so optimizers keep working)."""
        weights = list(weights)
        if len(weights) != len(self.weights):
            raise ValueError(
                f"Layer {self.name!r}.set_weights: expected a list of {len(self.weights)} arrays "
                f"with shapes {[w.shape for w in self.weights]}; received {len(weights)} arrays."
            )
        for current, new, label in zip(self.weights, weights, self.weight_names):
            new = np.asarray(new)
            if new.shape != current.shape:
                raise ValueError(
                    f"Layer {self.name!r}.set_weights: {label} must have shape {current.shape}; "
                    f"received shape {new.shape}."
                )
            current[...] = new

    def count_params(self):
        return int(sum(w.size for w in self.weights))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


class InputLayer(Layer):
    """The layer behind :func:`Input`: it holds the input's shape and passes data through."""

    def __init__(self, shape, name=None):
        super().__init__(name=name or unique_name("input_layer"))
        self.build((None,) + tuple(shape))
        self.output = SymbolicTensor(self.output_shape, self, ())

    def forward(self, x):
        return x

    def backward(self, grad):
        return grad


class Dense(Layer):
    r"""A fully connected layer: every output unit sees every input feature.

    Forward, for a batch $X$ of shape (batch, inputs):

    $$Z = X W + b, \qquad A = \sigma(Z)$$

    with kernel $W$ of shape (inputs, units), bias $b$ of shape (units,) added to every row, and
    activation $\sigma$ applied element by element (softmax: row by row).

    Backward, given $G = \partial L / \partial A$:

    $$\frac{\partial L}{\partial Z} = \sigma'(Z) \odot G, \quad
      \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial Z}, \quad
      \frac{\partial L}{\partial b} = \sum_{\text{rows}} \frac{\partial L}{\partial Z}, \quad
      \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Z} W^\top$$

    Parameters
    ----------
    units : int
        Number of outputs (neurons).
    activation : str, Activation or None
        ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"hard_sigmoid"``, ``"silu"``, ``"dsilu"``,
        ``"softmax"``, ``"linear"``; None means linear.
    use_bias : bool
    kernel_initializer, bias_initializer : str or callable
        ``"glorot_uniform"`` (Keras's default for kernels), ``"he_uniform"``, ``"random_normal"``,
        ``"random_uniform"``, ``"zeros"``, ``"ones"``, or a function ``(shape, dtype) -> array``.
    name : str, optional
        Defaults to ``dense``, ``dense_1``, ...
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", name=None):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense: units must be a positive int; received {units!r}.")
        super().__init__(name=name)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _get_initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _get_initializer(bias_initializer, "bias_initializer")
        self.kernel = None
        self.bias = None

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            raise ValueError(f"Dense {self.name!r} takes one input; received {len(input_shape)}.")
        if self.kernel is not None and input_shape[-1] != self.kernel.shape[0]:
            raise ValueError(
                f"Dense {self.name!r} was built for {self.kernel.shape[0]} input features; "
                f"received input shape {tuple(input_shape)}.")
        return tuple(input_shape[:-1]) + (self.units,)

    def build(self, input_shape):
        if isinstance(input_shape, list):
            raise ValueError(f"Dense {self.name!r} takes one input; received {len(input_shape)}.")
        n_in = input_shape[-1]
        if n_in is None:
            raise ValueError(f"Dense {self.name!r}: the last input dimension must be known.")
        dtype = config.floatx()
        self.kernel = np.asarray(self.kernel_initializer((n_in, self.units), dtype), dtype=dtype)
        self.weights, self.weight_names = [self.kernel], ["kernel"]
        if self.use_bias:
            self.bias = np.asarray(self.bias_initializer((self.units,), dtype), dtype=dtype)
            self.weights.append(self.bias)
            self.weight_names.append("bias")
        # Gradient arrays are allocated once and overwritten by every backward pass.
        self.grads = [np.zeros_like(w) for w in self.weights]
        super().build(input_shape)

    def forward(self, x):
        if x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(
                f"Dense {self.name!r}: expected inputs with {self.kernel.shape[0]} features (the "
                f"size it was built for); received shape {x.shape}."
            )
        z = x @ self.kernel
        if self.use_bias:
            z += self.bias  # in place: no second (batch, units) array
        name = self.activation.name
        if name == "relu" and self.activation is _RELU:
            a = np.maximum(z, 0, out=z)  # in place; z > 0 exactly where a > 0, so backward needs a only
        elif name == "linear" and self.activation is _LINEAR:
            a = z
        elif name == "softmax" and self.activation is _SOFTMAX:
            # exp(z - max) / sum, row by row, in place (the max keeps exp from overflowing)
            z -= z.max(axis=-1, keepdims=True)
            a = np.exp(z, out=z)
            a /= a.sum(axis=-1, keepdims=True)
        else:
            a = self.activation(z)
        self._x, self._z, self._a = x, z, a  # kept for backward
        return a

    def backward(self, grad, input_gradient=True):
        """Return dL/dX from ``grad`` = dL/dA, storing dL/dW and dL/db in ``self.grads``.

        ``input_gradient=False`` skips dL/dX (the model does this for the first layer, whose input
        is the data and needs no gradient; it is also the largest product of the pass).
        """
        if self.activation is _RELU:
            dz = grad * (self._a > 0)  # the forward pass overwrote z with a = max(z, 0)
        elif self.activation is _LINEAR:
            dz = grad
        elif self.activation is _SOFTMAX:
            # the row-by-row Jacobian product from a = softmax(z) itself; a and grad are this
            # layer's own arrays, so Activation.backward's shape checks would only cost time
            dz = activations._softmax_vjp(self._a, grad)
        else:
            dz = self.activation.backward(self._z, self._a, grad)
        return self.backward_from_z(dz, input_gradient)

    def backward_from_z(self, dz, input_gradient=True):
        """Backward from dL/dZ directly (used when the model fuses softmax with cross-entropy)."""
        np.matmul(self._x.T, dz, out=self.grads[0])
        if self.use_bias:
            dz.sum(axis=0, out=self.grads[1])
        return dz @ self.kernel.T if input_gradient else None


# Activations Dense computes in place, without a second (batch, units) array; the forward and
# backward of every other one come from nnlib.activations unchanged.
_RELU = activations.get("relu")
_LINEAR = activations.get("linear")
_SOFTMAX = activations.get("softmax")


class _Merge(Layer):
    """Base of layers that combine several inputs into one output."""

    takes_list = True

    def _check_shapes(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} needs a list of at least 2 inputs; "
                f"received {input_shape!r}."
            )


class Concatenate(_Merge):
    r"""Join inputs side by side along ``axis`` (default: the features).

    Forward $Y = [X_1, X_2, \dots]$; backward hands each input its own slice of $\partial L/\partial Y$.
    """

    def __init__(self, axis=-1, name=None):
        super().__init__(name=name)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"Concatenate {self.name!r}: inputs have different ranks {input_shape}.")
        axis = self.axis % len(input_shape[0])
        sizes = [s[axis] for s in input_shape]
        for k, dim in enumerate(input_shape[0]):
            if k != axis and k != 0 and any(s[k] != dim for s in input_shape):
                raise ValueError(
                    f"Concatenate {self.name!r}: inputs must match except along axis {self.axis}; "
                    f"received shapes {input_shape}."
                )
        total = None if any(s is None for s in sizes) else sum(sizes)
        out = list(input_shape[0])
        out[axis] = total
        return tuple(out)

    def forward(self, inputs):
        self._sizes = [x.shape[self.axis] for x in inputs]
        return np.concatenate(inputs, axis=self.axis)

    def backward(self, grad, input_gradient=True):
        edges = np.cumsum(self._sizes)[:-1]
        return np.split(grad, edges, axis=self.axis)


class Add(_Merge):
    r"""Add inputs of the same shape element by element: $Y = X_1 + X_2 + \dots$;
    each input receives the whole gradient, $\partial L/\partial X_i = \partial L/\partial Y$."""

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        if any(tuple(s[1:]) != tuple(input_shape[0][1:]) for s in input_shape):
            raise ValueError(
                f"Add {self.name!r}: all inputs must have the same shape; received {input_shape}."
            )
        return tuple(input_shape[0])

    def forward(self, inputs):
        self._count = len(inputs)
        out = inputs[0].copy()
        for x in itertools.islice(inputs, 1, None):
            out += x
        return out

    def backward(self, grad, input_gradient=True):
        # Separate copies, so that a layer that updates its gradient in place cannot touch another's.
        return [grad] + [grad.copy() for _ in range(self._count - 1)]
