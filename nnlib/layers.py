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

from nnlib import activations, config, initializers, regularizers, utils
from nnlib.core import layers as core
from nnlib._validation import (
    as_float_array,
    check_bool,
    check_number,
    check_positive_int,
    check_shape,
    describe,
)
from nnlib.utils import snake_case, unique_name

__all__ = ["Input", "SymbolicTensor", "Layer", "InputLayer", "Dense", "Concatenate", "Add",
           "Flatten", "Dropout", "Activation", "Softmax", "Normalization", "ReLU", "LeakyReLU",
           "ELU", "PReLU", "Identity", "GaussianNoise", "GaussianDropout", "BatchNormalization",
           "AlphaDropout", "Rescaling", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Dot", "add", "concatenate", "subtract", "multiply", "average", "maximum", "minimum",
           "dot", "serialize", "deserialize"]

# --------------------------------------------------------------------------------------------------
# Symbolic tensors: what Input() returns and what calling a layer on one returns. They hold no data,
# only the shape and where they came from, so that Model(inputs, outputs) can find the graph.
# --------------------------------------------------------------------------------------------------


class SymbolicTensor:
    """A placeholder for data: its ``shape`` (batch dimension ``None``), the ``layer`` that makes it
    and that layer's ``inputs`` (other symbolic tensors)."""

    def __init__(self, shape, layer, inputs=(), dtype=None):
        self.shape = tuple(shape)
        self.layer = layer
        self.inputs = list(inputs)
        self.dtype = dtype or (inputs[0].dtype if inputs else config.floatx())
        self.model_call = None  # a model nested in another made it (see Model._nest)

    def __repr__(self):
        return (f"<SymbolicTensor shape={self.shape}, dtype={self.dtype} from layer "
                f"{self.layer.name!r}>")


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):
    """Declare a model input of ``shape`` per example (without the batch dimension), as ``keras.Input``.

    `dtype` defaults to :func:`nnlib.config.floatx`; ``batch_shape`` = ``(batch_size,) + shape``
    is Keras's other spelling. nnlib computes in float, so the batch size is only recorded.

    >>> x = Input((4,))
    >>> x.shape, x.dtype
    ((None, 4), 'float32')
    """
    if batch_shape is not None:
        if shape is not None:
            raise ValueError("Input: give shape or batch_shape, not both.")
        if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
            raise TypeError(f"Input: batch_shape must be a tuple such as (None, 4); received "
                            f"{describe(batch_shape)}.")
        batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
    if shape is None:
        raise TypeError("Input: shape is required, e.g. Input(shape=(4,)) for 4 features.")
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "Input: batch_size")
    dtype = config.floatx() if dtype is None else np.dtype(dtype).name
    layer = InputLayer(check_shape(shape, "Input: shape"), name=name, dtype=dtype,
                       batch_size=batch_size)
    return layer.output


# --------------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------------


class Layer(core.Layer):
    r"""Base class. A subclass creates its weights in ``build`` and writes ``forward``/``backward``.

    That is the whole contract a custom layer needs (see the example):

    * ``build(input_shape)`` creates the weights with :meth:`add_weight` (which also allocates
      their gradient arrays), then calls ``super().build(input_shape)``;
    * ``forward(x)`` computes the output and keeps what ``backward`` will need;
    * ``backward(grad)`` receives $\partial L / \partial \text{output}$, writes the gradient of
      each weight into ``self.grads`` (same order as ``self.weights``) and returns
      $\partial L / \partial \text{input}$.

    Optionally ``forward(x, training=False)`` (a layer that behaves differently while training,
    such as :class:`Dropout`) and ``backward(grad, input_gradient=True)`` (a layer that can skip
    computing $\partial L / \partial \text{input}$ when nothing before it learns); models pass
    these keywords only to layers whose methods accept them.

    Attributes
    ----------
    weights : list of ndarray
        The live parameter arrays (optimizers update them in place).
    grads : list of ndarray
        After ``backward``, the gradient of the loss with respect to each array in ``weights``.
    weight_names : list of str
        ``"kernel"``, ``"bias"``, ... aligned with ``weights``.
    regularizers : list
        Each weight's penalty (:mod:`nnlib.regularizers`) or None, aligned with ``weights``.
    trainable : bool
        ``False`` freezes the layer, as in Keras: ``fit`` leaves its weights alone, they move from
        ``trainable_weights`` to ``non_trainable_weights``, and ``summary`` counts them as
        non-trainable. Gradients still flow *through* a frozen layer to the layers before it.

    Examples
    --------
    A layer that scales every feature by a learned factor, $y = x \odot s$:

    >>> class Scale(Layer):
    ...     def build(self, input_shape):
    ...         self.add_weight("scale", (input_shape[-1],), initializer="ones")
    ...         super().build(input_shape)
    ...     def forward(self, x):
    ...         self._x = x
    ...         return x * self.scale
    ...     def backward(self, grad):
    ...         self.grads[0][...] = (grad * self._x).sum(axis=0)   # dL/ds
    ...         return grad * self.scale                            # dL/dx
    >>> Scale()(np.array([[1.0, 2.0]]))
    array([[1., 2.]], dtype=float32)
    """

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None):
        if input_dim is not None:  # Keras 2's Dense(12, input_dim=8), which Keras 3 still takes
            if input_shape is not None:
                raise ValueError(f"{type(self).__name__}: give input_shape or input_dim, not both.")
            input_shape = (check_positive_int(input_dim, "input_dim"),)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string; received {describe(name)}.")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = check_bool(trainable, "trainable")
        core.Layer.__init__(self)  # weights, grads, weight_names, regularizers
        self._weight_is_trainable = []  # per weight: False for statistics such as a mean
        self.input_shape = None
        self.output_shape = None
        self._inbound = None  # the symbolic tensors this layer was called on, if any
        # Keras's Dense(4, input_shape=(3,)): a Sequential starting with this layer adds Input((3,))
        self._input_shape_arg = None if input_shape is None else check_shape(input_shape,
                                                                              "input_shape")

    def add_weight(self, name, shape, initializer="zeros", trainable=True, dtype=None,
                   regularizer=None):
        """Create a weight ``self.<name>`` of `shape` (and its gradient array), as Keras's
        ``add_weight``; `initializer` is a name (``"glorot_uniform"``, ``"zeros"``...), an
        initializer of :mod:`nnlib.initializers` or a function ``(shape, dtype) -> array``. ``trainable=False`` for statistics that ``fit``
        must not move (a :class:`Normalization`'s mean); `regularizer` a penalty of
        :mod:`nnlib.regularizers` added to the loss."""
        init = initializers.get(initializer, f"{name} initializer")
        value = core.Layer.add_weight(
            self, name, tuple(shape), lambda shape, dtype: np.asarray(init(shape, dtype), dtype=dtype),
            dtype or config.floatx(), regularizers.get(regularizer))
        self._weight_is_trainable.append(bool(trainable))
        return value

    @property
    def trainable_weights(self):
        """The weights ``fit`` updates: none when the layer is frozen (``trainable = False``)."""
        return [w for w, t in zip(self.weights, self._trainable_flags()) if t]

    @property
    def non_trainable_weights(self):
        return [w for w, t in zip(self.weights, self._trainable_flags()) if not t]

    def _trainable_flags(self):
        flags = self._weight_is_trainable
        if len(flags) != len(self.weights):  # a layer that filled self.weights by hand
            flags = [True] * len(self.weights)
        return [self.trainable and flag for flag in flags]

    @property
    def losses(self):
        """The weight penalties of the trainable weights (Keras's ``layer.losses``)."""
        return [regularizer(w) for w, regularizer, trainable
                in zip(self.weights, self._regularizers(), self._trainable_flags())
                if trainable and regularizer is not None]

    def _regularizers(self):
        """Each weight's regularizer or None (a layer that filled self.weights by hand has none)."""
        if len(self.regularizers) != len(self.weights):
            return [None] * len(self.weights)
        return self.regularizers

    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (batch dimension first, may be None)."""
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, x).")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward(self, grad).")

    def get_config(self):
        """The layer's settings as Keras's ``get_config`` gives them (see
        :func:`nnlib.saving.layer_config`); ``type(layer).from_config(config)`` makes a new
        layer with them and fresh weights."""
        from nnlib import saving  # noqa: PLC0415 (saving imports this module)
        return saving.layer_config(self)

    @classmethod
    def from_config(cls, config):
        """A new layer from ``get_config()``'s dict (nnlib's or Keras's), as Keras."""
        from nnlib import saving  # noqa: PLC0415
        return saving.layer_from_config(cls, config)

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
            # Keras's layer.output: the tensor this layer made (to build a model on it)
            self.output = SymbolicTensor(self.compute_output_shape(shapes), self, items)
            return self.output
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
        self.compute_output_shape((None,) + array.shape[1:])  # the shape it was built for
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

    def __init__(self, shape, name=None, dtype=None, batch_size=None):
        super().__init__(name=name or unique_name("input_layer"))
        self.build((batch_size,) + tuple(shape))
        self.output = SymbolicTensor(self.output_shape, self, (), dtype or config.floatx())

    def forward(self, x):
        return x

    def backward(self, grad):
        return grad


class Dense(core.Dense, Layer):
    r"""A fully connected layer: every output unit sees every input feature, as ``keras.layers.Dense``.

    The forward and backward passes are :class:`nnlib.core.layers.Dense`'s; this class checks the
    arguments and shapes and speaks Keras (initializer names, regularizers, ``input_shape``).

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
    kernel_initializer, bias_initializer : str, Initializer or callable
        ``"glorot_uniform"`` (Keras's default for kernels), ``"he_normal"``, ``"zeros"``... any
        name or class of :mod:`nnlib.initializers`, or a function ``(shape, dtype) -> array``.
    kernel_regularizer, bias_regularizer : str, Regularizer or None
        A penalty on the weights added to the loss (:mod:`nnlib.regularizers`: ``L1(0.01)``,
        ``L2(0.01)``, ``L1L2(l1, l2)``, or ``"l1"``, ``"l2"``, ``"l1_l2"``), as Keras.
    name : str, optional
        Defaults to ``dense``, ``dense_1``, ...
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 name=None, **kwargs):
        units = check_positive_int(units, "Dense: units")
        Layer.__init__(self, name=name, **kwargs)
        core.Dense.__init__(
            self, int(units), activations.get(activation),
            initializers.get(kernel_initializer, "kernel_initializer"),
            initializers.get(bias_initializer, "bias_initializer"),
            use_bias=check_bool(use_bias, "use_bias"))
        self.kernel_regularizer = regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, "bias_regularizer")

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            raise ValueError(f"Dense {self.name!r} takes one input; received {len(input_shape)}.")
        if len(input_shape) != 2:
            raise ValueError(
                f"Dense {self.name!r} expects inputs of shape (batch_size, features); received "
                f"shape {tuple(input_shape)}. Put a Flatten() layer before it.")
        if self.kernel is not None and input_shape[-1] != self.kernel.shape[0]:
            raise ValueError(
                f"Dense {self.name!r}: expected inputs with {self.kernel.shape[0]} features (the "
                f"size it was built for); received shape {tuple(input_shape)}.")
        return tuple(input_shape[:-1]) + (self.units,)

    def build(self, input_shape):
        # every check before the first weight exists: a refused shape leaves the layer unbuilt
        self.compute_output_shape(input_shape)
        if input_shape[-1] is None:
            raise ValueError(f"Dense {self.name!r}: the last input dimension must be known.")
        core.Dense.build(self, input_shape)
        self.regularizers = [self.kernel_regularizer, self.bias_regularizer][:len(self.weights)]
        Layer.build(self, input_shape)


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
                f"{type(self).__name__} {self.name!r}: all inputs must have the same shape; "
                f"received {input_shape}."
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


# --------------------------------------------------------------------------------------------------
# Layers without weights that reshape, regularise or transform their input
# --------------------------------------------------------------------------------------------------


class Flatten(core.Flatten, Layer):
    r"""Lay every example out as one row: shape (batch, $d_1$, $d_2$, ...) becomes (batch,
    $d_1 d_2 \cdots$), as ``keras.layers.Flatten`` (an image of 8x8 pixels becomes 64 features).

    Forward is a reshape; backward reshapes the gradient back, since every output entry *is* one
    input entry: $\partial L / \partial X = \mathrm{reshape}(\partial L / \partial Y)$
    (:class:`nnlib.core.layers.Flatten`).
    """

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)


class Dropout(core.Dropout, Layer):
    r"""Randomly switch off a fraction `rate` of the inputs while training (inverted dropout).

    During ``fit``, each entry is kept with probability $q = 1 - \text{rate}$ and scaled up by
    $1/q$, so that its expected value is unchanged:

    $$Y = \frac{M \odot X}{q}, \qquad M_{ij} \sim \mathrm{Bernoulli}(q) \text{ drawn anew every
    batch}; \qquad \frac{\partial L}{\partial X} = \frac{M \odot \partial L/\partial Y}{q}.$$

    In ``predict`` and ``evaluate`` (``training=False``) the layer passes its input through
    unchanged: thanks to the $1/q$ while training, no rescaling is needed afterwards. A network
    trained this way cannot rely on any single unit, which reduces overfitting.

    Parameters
    ----------
    rate : float in [0, 1)
        The fraction of inputs set to 0 while training.
    seed : int, optional
        Seed of this layer's own random generator (otherwise nnlib's, see
        :func:`nnlib.utils.set_random_seed`).

    Examples
    --------
    >>> layer = Dropout(0.5, seed=0)
    >>> x = np.ones((1, 6))
    >>> layer.forward(x, training=False)
    array([[1., 1., 1., 1., 1., 1.]])
    >>> sorted(set(layer.forward(x, training=True).ravel()))  # kept entries doubled
    [np.float64(0.0), np.float64(2.0)]
    """

    def __init__(self, rate, seed=None, name=None, **kwargs):
        rate = check_number(rate, "Dropout: rate", low=0, high=1, high_inclusive=False)
        Layer.__init__(self, name=name, **kwargs)
        core.Dropout.__init__(self, rate, None if seed is None else np.random.default_rng(seed))
        self.seed = seed

    @property
    def rng(self):
        """This layer's own generator (given a seed), else nnlib's (see
        :func:`nnlib.utils.set_random_seed`), looked up at every call."""
        return self._rng if self._rng is not None else utils.get_rng()

    @rng.setter
    def rng(self, generator):
        self._rng = generator


class Activation(Layer):
    r"""Apply an activation as a layer of its own, as ``keras.layers.Activation("relu")``:
    $Y = f(X)$ forward and $\partial L/\partial X = f'(X) \odot \partial L/\partial Y$ backward
    (softmax: the vector-Jacobian product), both from :mod:`nnlib.activations`.

    ``Dense(4, activation="relu")`` is the same as ``Dense(4)`` followed by ``Activation("relu")``.
    """

    def __init__(self, activation, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.activation = activations.get(activation)

    def forward(self, x):
        self._x = x
        self._y = self.activation(x)
        return self._y

    def backward(self, grad):
        return self.activation.backward(self._x, self._y, grad)


class Softmax(Activation):
    r"""Softmax over the last axis as a layer (``keras.layers.Softmax``): each row of scores
    becomes probabilities, $y_i = e^{x_i - m} / \sum_j e^{x_j - m}$ with $m = \max_j x_j$; backward
    is the vector-Jacobian product $y_j (g_j - \sum_i g_i y_i)$ (see
    :func:`nnlib.activations.softmax_backward`)."""

    def __init__(self, axis=-1, name=None, **kwargs):
        if axis != -1:
            raise ValueError(f"Softmax: nnlib supports axis=-1 (the last axis) only; received "
                             f"axis={axis!r}.")
        super().__init__("softmax", name=name, **kwargs)
        self.axis = axis


class Normalization(Layer):
    r"""Standardise every feature with a mean and variance learned from data, as
    ``keras.layers.Normalization``.

    $$Y = \frac{X - \mu}{\max(\sqrt{\sigma^2}, \epsilon)}, \qquad
      \frac{\partial L}{\partial X} = \frac{\partial L / \partial Y}{\max(\sqrt{\sigma^2}, \epsilon)}$$

    with $\mu$, $\sigma^2$ per feature (the last axis) and $\epsilon = 10^{-7}$. They are not
    trained by gradient descent: ``adapt(x)`` computes them from the training data once (the
    mean and the population variance of each column), or they are given as `mean` and `variance`.

    Parameters
    ----------
    axis : -1 or None
        -1: one mean and variance per feature; None: one for all entries.
    mean, variance : array_like, optional
        Known statistics instead of ``adapt``.

    Examples
    --------
    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> layer(np.array([[1.0, 20.0]]))
    array([[0., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if axis not in (-1, None):
            raise ValueError(f"Normalization: nnlib supports axis=-1 (per feature) or None; "
                             f"received axis={axis!r}.")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance, or neither (then call "
                             "adapt(x)).")
        self.axis = axis
        self._given = None if mean is None else (as_float_array(mean, "mean"),
                                                 as_float_array(variance, "variance"))

    def build(self, input_shape):
        shape = () if self.axis is None else (input_shape[-1],)
        if self._given is None:
            # Keras's weights, in Keras's order: statistics, not trainable
            self.add_weight("mean", shape, "zeros", trainable=False)
            self.add_weight("variance", shape, "ones", trainable=False)
            self.add_weight("count", (), "zeros", trainable=False, dtype=np.int32)
        super().build(input_shape)

    def adapt(self, data):
        """Set the mean and variance to those of `data` (rows are examples)."""
        data = as_float_array(data, "data")
        if data.ndim < 2:
            raise ValueError(f"Normalization.adapt: data must have shape (n_samples, features); "
                             f"received shape {data.shape}.")
        if self._given is not None:
            raise ValueError("Normalization.adapt: this layer was given its mean and variance.")
        if not self.built:
            self.build((None,) + data.shape[1:])
        axes = None if self.axis is None else tuple(range(data.ndim - 1))
        self.mean[...] = np.mean(data, axis=axes)
        self.variance[...] = np.var(data, axis=axes)
        # count stays 0, as in Keras 3 (whose adapt never updates it): the weight lists agree

    def _statistics(self):
        mean, variance = self._given if self._given is not None else (self.mean, self.variance)
        dtype = mean.dtype.type
        return mean, np.maximum(np.sqrt(variance), dtype(1e-7))

    def forward(self, x):
        mean, self._scale = self._statistics()
        return ((x - mean) / self._scale).astype(x.dtype, copy=False)

    def backward(self, grad):
        return grad / self._scale


# Keras's activation and noise layers beyond the chapters' (nnlib.extra.layers), under Keras's names
from nnlib.extra.layers import (  # noqa: E402 (they subclass the layers above)
    AlphaDropout,
    Average,
    BatchNormalization,
    Dot,
    ELU,
    GaussianDropout,
    GaussianNoise,
    Identity,
    LeakyReLU,
    Maximum,
    Minimum,
    Multiply,
    PReLU,
    ReLU,
    Rescaling,
    Subtract,
)


def _functional(cls):
    """Keras's lower-case form of a merge layer: ``add([a, b])`` is ``Add()([a, b])``."""
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = merge.__qualname__ = cls.__name__.lower()
    merge.__doc__ = f"``keras.layers.{merge.__name__}``: ``{cls.__name__}(**kwargs)(inputs)``."
    return merge


add, concatenate, subtract, multiply, average, maximum, minimum, dot = (
    _functional(cls) for cls in (Add, Concatenate, Subtract, Multiply, Average, Maximum, Minimum,
                                 Dot))


def serialize(layer):
    """A layer as Keras's ``keras.layers.serialize`` writes it: ``{"module", "class_name",
    "config", "registered_name"}``; :func:`deserialize` (or Keras's) makes a new one from it."""
    from nnlib import saving  # noqa: PLC0415 (saving imports this module)
    return saving.serialize_layer(layer)


def deserialize(config, custom_objects=None):
    """A new layer from :func:`serialize`'s dict (nnlib's or Keras's), as
    ``keras.layers.deserialize``; `custom_objects` (Keras's registry) is not used."""
    from nnlib import saving  # noqa: PLC0415
    return saving.deserialize_layer(config)
