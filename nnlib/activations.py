r"""Activation functions and their derivatives, written side by side.

A neuron computes a weighted sum $z = w \cdot x + b$ and then an activation $a = f(z)$. Without a
nonlinear $f$, stacking layers gains nothing: a composition of linear maps is one linear map. The
activation is what lets a network bend its decision boundary; it does not "filter noise".

Backpropagation needs $f'(z)$: given $\partial L / \partial a$ (called ``grad``), the layer passes back
$\partial L / \partial z = \partial L / \partial a \cdot f'(z)$, element by element. Softmax is the one
exception: each output depends on every input of its row, so its derivative is a Jacobian matrix and
:func:`softmax_backward` computes the vector-Jacobian product instead.

Every function takes an array (or list, or number) and returns an array of the same shape. Float
arrays keep their dtype; anything else is converted to :func:`nnlib.config.floatx`.

Examples
--------
>>> import numpy as np
>>> from nnlib import activations
>>> relu = activations.get("relu")
>>> z = np.array([-1.0, 2.0])
>>> a = relu(z)
>>> a
array([0., 2.])
>>> relu.backward(z, a, grad=np.array([5.0, 5.0]))
array([0., 5.])
"""

import numpy as np

from nnlib._validation import as_float_array, check_choice, check_same_shape, describe
from nnlib.core import activations as core
from nnlib.extra import activations as extra


def linear(x):
    r"""The identity, $f(x) = x$ (Keras's ``"linear"``, used when a layer has no activation).

    Examples
    --------
    >>> linear([-2.0, 3.0])
    array([-2.,  3.], dtype=float32)
    """
    return core.linear(as_float_array(x, "x")).copy()


def linear_derivative(x):
    r"""$f'(x) = 1$ everywhere.

    Examples
    --------
    >>> linear_derivative([-2.0, 3.0])
    array([1., 1.], dtype=float32)
    """
    return core.linear_derivative(as_float_array(x, "x"))


def relu(x):
    r"""Rectified linear unit, $\mathrm{relu}(x) = \max(x, 0)$.

    ReLU is piecewise *linear*, not a step function: it passes positive inputs through unchanged
    (slope 1) and zeroes negative ones (slope 0). A network of ReLUs is a piecewise linear function
    with many pieces, which is how it approximates curves.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.], dtype=float32)
    """
    return core.relu(as_float_array(x, "x"))


def relu_derivative(x):
    r"""$\mathrm{relu}'(x) = 1$ if $x > 0$ else $0$.

    At the kink $x = 0$ the derivative does not exist; like Keras (JAX) we use 0 there.

    Examples
    --------
    >>> relu_derivative([-2.0, 0.0, 3.0])
    array([0., 0., 1.], dtype=float32)
    """
    return core.relu_derivative(as_float_array(x, "x"))


def sigmoid(x):
    r"""Logistic sigmoid, $\sigma(x) = \dfrac{1}{1 + e^{-x}}$, squashing any number into $(0, 1)$.

    The textbook formula overflows: for $x = -1000$, $e^{1000}$ is infinite. We compute with
    $e^{-|x|}$, which is at most 1:

    $$\sigma(x) = \frac{1}{1 + e^{-|x|}} \ (x \ge 0), \qquad
      \sigma(x) = \frac{e^{-|x|}}{1 + e^{-|x|}} \ (x < 0).$$

    Examples
    --------
    >>> sigmoid([0.0, -1000.0, 1000.0])
    array([0.5, 0. , 1. ], dtype=float32)
    """
    return core.sigmoid(as_float_array(x, "x"))


def sigmoid_derivative(x):
    r"""$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$, at most $1/4$ (at $x = 0$).

    That maximum of $1/4$ is why deep stacks of sigmoids learn slowly: each layer multiplies the
    gradient by at most a quarter (the vanishing gradient).

    Examples
    --------
    >>> sigmoid_derivative([0.0])
    array([0.25], dtype=float32)
    """
    return core.sigmoid_derivative(as_float_array(x, "x"))


def tanh(x):
    r"""Hyperbolic tangent, $\tanh(x) = \dfrac{e^x - e^{-x}}{e^x + e^{-x}} = 2\sigma(2x) - 1$, in $(-1, 1)$.

    Examples
    --------
    >>> tanh([0.0, 1000.0])
    array([0., 1.], dtype=float32)
    """
    return core.tanh(as_float_array(x, "x"))


def tanh_derivative(x):
    r"""$\tanh'(x) = 1 - \tanh^2(x)$.

    Examples
    --------
    >>> tanh_derivative([0.0])
    array([1.], dtype=float32)
    """
    return core.tanh_derivative(as_float_array(x, "x"))


def hard_sigmoid(x):
    r"""A piecewise linear stand-in for the sigmoid, as Keras 3 defines it.

    $$\mathrm{hard\_sigmoid}(x) = \frac{\mathrm{relu6}(x + 3)}{6}
      = \mathrm{clip}\!\left(\frac{x}{6} + \frac{1}{2},\ 0,\ 1\right),$$

    0 below $-3$, 1 above $3$, a straight line in between. Keras 2 used a steeper line,
    $\mathrm{clip}(0.2x + 0.5, 0, 1)$ (saturating at $\pm 2.5$); older tutorials show that one.

    Examples
    --------
    >>> hard_sigmoid([-4.0, 0.0, 1.5, 4.0])
    array([0.  , 0.5 , 0.75, 1.  ], dtype=float32)
    """
    return core.hard_sigmoid(as_float_array(x, "x"))


def hard_sigmoid_derivative(x):
    r"""$1/6$ for $-3 < x < 3$, else 0 (0 at the kinks $x = \pm 3$, as in Keras/JAX).

    Examples
    --------
    >>> hard_sigmoid_derivative([-4.0, 0.0, 3.0])
    array([0.        , 0.16666667, 0.        ], dtype=float32)
    """
    return core.hard_sigmoid_derivative(as_float_array(x, "x"))


def silu(x):
    r"""Sigmoid linear unit (also called swish), $\mathrm{silu}(x) = x\,\sigma(x)$.

    Smooth, close to ReLU for large $|x|$, and slightly negative just below zero.

    Examples
    --------
    >>> silu([0.0, 1000.0, -1000.0])
    array([   0., 1000.,   -0.], dtype=float32)
    """
    return core.silu(as_float_array(x, "x"))


def silu_derivative(x):
    r"""$\mathrm{silu}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)$.

    Examples
    --------
    >>> silu_derivative([0.0])
    array([0.5], dtype=float32)
    """
    return core.silu_derivative(as_float_array(x, "x"))


def dsilu(x):
    r"""The derivative of SiLU used as an activation (Elfwing, Uchibe and Doya, 2017).

    $$\mathrm{dsilu}(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr),$$

    the same formula as :func:`silu_derivative`. It looks like a sigmoid that overshoots slightly
    above 1 and below 0. Keras has no dSiLU; it is here because the course compares the two.

    Examples
    --------
    >>> dsilu([0.0])
    array([0.5], dtype=float32)
    """
    return core.dsilu(as_float_array(x, "x"))


def dsilu_derivative(x):
    r"""$\mathrm{dsilu}'(x) = \sigma(x)\,(1 - \sigma(x))\,\bigl(2 + x\,(1 - 2\sigma(x))\bigr)$.

    From the product rule on $\sigma(x)(1 + x(1 - \sigma(x)))$ with $\sigma' = \sigma(1 - \sigma)$.

    Examples
    --------
    >>> dsilu_derivative([0.0])
    array([0.5], dtype=float32)
    """
    return core.dsilu_derivative(as_float_array(x, "x"))


def softmax(x, axis=-1):
    r"""Turn each row of scores into probabilities, $\mathrm{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}$.

    Subtracting the row's maximum first changes nothing mathematically (the factor $e^{-m}$ cancels)
    but keeps every exponent $\le 0$, so nothing overflows:

    $$\mathrm{softmax}(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}}, \qquad m = \max_j x_j.$$

    Parameters
    ----------
    x : array_like
        Scores (logits).
    axis : int, default -1
        The axis that sums to 1 (Keras's default: the last).

    Examples
    --------
    >>> softmax([[1.0, 1.0], [0.0, 1000.0]])
    array([[0.5, 0.5],
           [0. , 1. ]], dtype=float32)
    """
    x = as_float_array(x, "x")
    return np.moveaxis(core.softmax(np.moveaxis(x, axis, -1)), -1, axis)


def softmax_backward(x, grad, axis=-1):
    r"""Vector-Jacobian product of softmax: $\partial L/\partial x$ from $g = \partial L/\partial s$.

    With $s = \mathrm{softmax}(x)$, the Jacobian is $\partial s_i / \partial x_j = s_i(\delta_{ij} - s_j)$,
    so

    $$\frac{\partial L}{\partial x_j} = \sum_i g_i\, s_i (\delta_{ij} - s_j)
      = s_j \Bigl(g_j - \sum_i g_i s_i\Bigr),$$

    computed without ever building the matrix.

    Parameters
    ----------
    x : array_like
        The scores softmax was applied to.
    grad : array_like
        $\partial L / \partial s$, same shape as `x`.
    axis : int, default -1

    Examples
    --------
    >>> softmax_backward([[0.0, 0.0]], [[1.0, 0.0]])
    array([[ 0.25, -0.25]], dtype=float32)
    """
    s = softmax(x, axis=axis)
    grad = as_float_array(grad, "grad")
    check_same_shape(s, grad, "x", "grad")
    return np.moveaxis(core.softmax_vjp(np.moveaxis(s, axis, -1), np.moveaxis(grad, axis, -1)), -1, axis)


class Activation:
    r"""An activation a layer can use: the forward function and its backward pass, together.

    Parameters
    ----------
    name : str
        The name Keras uses (``"relu"``).
    function : callable
        $a = f(z)$.
    backward : callable
        ``backward(z, a, grad)`` returning $\partial L/\partial z$ given the pre-activation `z`, the
        output `a = f(z)` and `grad` $= \partial L/\partial a$, all float arrays of one shape.
        Having both `z` and `a` lets each activation use the cheaper one: the sigmoid's derivative
        $a(1 - a)$ needs no new exponential.

    The built-in activations hold the functions of :mod:`nnlib.core.activations`, which a
    ``Dense`` layer calls on its own arrays; calling the object checks arrays from outside first.

    Examples
    --------
    >>> square = Activation("square", lambda z: z ** 2, lambda z, a, grad: grad * 2 * z)
    >>> z = np.array([3.0])
    >>> square.backward(z, square(z), np.array([1.0]))
    array([6.])
    """

    def __init__(self, name, function, backward):
        self.name = name
        self.function = function
        self._backward = backward

    def __call__(self, z):
        """Return $a = f(z)$."""
        return self.function(z if type(z) is np.ndarray else as_float_array(z, "z"))

    def backward(self, z, a, grad):
        r"""Return $\partial L/\partial z$ (see the class docstring). Arrays of one shape (what a
        layer passes, every step) go straight to the math; anything else is checked first."""
        if not (type(z) is type(a) is type(grad) is np.ndarray and z.shape == a.shape == grad.shape):
            z, a, grad = as_float_array(z, "z"), as_float_array(a, "a"), as_float_array(grad, "grad")
            check_same_shape(z, a, "z", "a")
            check_same_shape(a, grad, "a", "grad")
        return self._backward(z, a, grad)

    def __repr__(self):
        return f"Activation({self.name!r})"


_ACTIVATIONS = {name: Activation(name, core.FORWARD[name], core.BACKWARD[name])
                for name in core.FORWARD}
# Keras's other activations (nnlib.extra.activations): g and g', so dZ = dA * g'(Z)
_ACTIVATIONS.update({name: Activation(name, g, lambda z, a, da, d=d: da * d(z))
                     for name, (g, d) in extra.PAIRS.items()})
_ACTIVATIONS["log_softmax"] = Activation("log_softmax", extra.log_softmax,
                                         lambda z, a, da: extra.log_softmax_vjp(a, da))


def _checked(name, g):
    def function(x, *args, **kwargs):
        return g(as_float_array(x, "x"), *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = g.__doc__
    return function


# the public, checked functions, with Keras's arguments (elu(x, alpha=1.0), ...)
for _name in [*extra.PAIRS, "log_softmax", "threshold"]:
    globals()[_name] = _checked(_name, getattr(extra, _name))
    globals()[f"{_name}_derivative"] = (_checked(f"{_name}_derivative",
                                                 getattr(extra, f"{_name}_derivative"))
                                        if hasattr(extra, f"{_name}_derivative") else None)
del globals()["log_softmax_derivative"]
swish, hard_swish = silu, globals()["hard_silu"]
# Keras accepts "swish" as another name for SiLU, "hard_swish" for hard SiLU
_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}
# nnlib.activations.relu (this module's checked function) names the same activation
_BY_FUNCTION = {globals()[name]: activation for name, activation in _ACTIVATIONS.items()}


def get(identifier):
    """Return the :class:`Activation` for a name, a function of this module, or an Activation.

    Parameters
    ----------
    identifier : str, callable, Activation or None
        ``"relu"``, ``"sigmoid"``, ... (``None`` means ``"linear"``, as in Keras), one of this
        module's functions (``nnlib.activations.relu``), or an :class:`Activation`.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.
    TypeError
        For anything else, such as an arbitrary function (nnlib would not know its derivative).

    Examples
    --------
    >>> get("relu").name
    'relu'
    >>> get(None).name
    'linear'
    >>> get("rleu")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown activation 'rleu'. Valid names: 'linear', 'relu', ... Did you mean 'relu'?
    """
    if identifier is None:
        return _ACTIVATIONS["linear"]
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        name = check_choice(identifier, "activation", [*_ACTIVATIONS, *_ALIASES], kind="activation")
        return _ACTIVATIONS[_ALIASES.get(name, name)]
    if callable(identifier) and identifier in _BY_FUNCTION:
        return _BY_FUNCTION[identifier]
    raise TypeError(
        "activation must be a name such as 'relu', None, one of nnlib.activations' functions or an "
        f"nnlib.activations.Activation; received {describe(identifier)}. To use your own function, "
        "wrap it with its backward pass: Activation(name, function, backward)."
    )


def serialize(activation):
    """Keras's name of an activation (what a saved model stores)."""
    return get(activation).name


def deserialize(name):
    """The activation function of that name (``"relu"`` -> :func:`relu`), as Keras's."""
    activation = get(name)
    return globals().get(activation.name, activation)

