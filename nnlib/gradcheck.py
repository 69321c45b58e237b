r"""Gradient checking: compare a backward pass with finite differences.

Backpropagation is easy to get subtly wrong, and a wrong gradient often still lowers the loss a bit,
so training "works" and the bug hides. The cure is to estimate each partial derivative numerically
with the central difference

$$\frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon},$$

whose error shrinks like $\varepsilon^2$ (the one-sided difference only like $\varepsilon$), and compare
with the *relative* error (CS231n's recipe)

$$\mathrm{rel}(a, b) = \frac{|a - b|}{\max(|a| + |b|,\ \text{tiny})}.$$

In float64 with $\varepsilon = 10^{-6}$, a correct gradient typically gives below $10^{-7}$; above
$10^{-4}$ something is wrong. Kinks (ReLU at 0) can spoil single entries: a difference that straddles
a kink measures neither side's slope. Float32 has too few digits for this (its rounding error divided
by $2\varepsilon$ swamps the signal), so gradient checks run in float64.

Examples
--------
>>> import numpy as np
>>> x = np.array([1.0, 2.0])
>>> numerical_gradient(lambda v: np.sum(v ** 3), x)     # 3 x^2
array([ 3., 12.])
>>> relative_error(np.array([3.0, 12.0]), numerical_gradient(lambda v: np.sum(v ** 3), x)) < 1e-7
True
"""

import numpy as np

from nnlib._validation import check_number, describe


def numerical_gradient(f, x, eps=1e-6):
    r"""Estimate $\nabla f(x)$ by central differences, one entry of `x` at a time.

    Each entry of `x` is nudged in place by $\pm\varepsilon$ and restored afterwards, so `f` may read
    `x` through any reference (a model's live weight array, for instance).

    Parameters
    ----------
    f : callable
        ``f(x)`` returning a scalar.
    x : numpy.ndarray of float64
        The point; changed during the call and restored exactly.
    eps : float, default 1e-6
        The step $\varepsilon$.

    Returns
    -------
    numpy.ndarray
        Same shape as `x`, float64.

    Examples
    --------
    >>> w = np.array([[0.5, -1.0]])
    >>> numerical_gradient(lambda v: float((v ** 2).sum()), w)
    array([[ 1., -2.]])
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise TypeError(
            f"x must be a float64 NumPy array (it is perturbed in place); received {describe(x)}. "
            "Finite differences need float64's precision."
        )
    eps = check_number(eps, "eps", low=0, low_inclusive=False)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = float(f(x))
        x[index] = original - eps
        f_minus = float(f(x))
        x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * eps)
    return gradient


def relative_error(a, b):
    r"""The largest elementwise relative error $|a - b| / \max(|a| + |b|, \text{tiny})$.

    Relative, because an absolute difference of $10^{-6}$ is tiny for a gradient of size 100 and
    huge for one of size $10^{-6}$. Where both are 0 the error is 0.

    Parameters
    ----------
    a, b : array_like
        Same shape.

    Returns
    -------
    float

    Examples
    --------
    >>> relative_error([1.0, 0.0], [1.0, 0.0])
    0.0
    >>> round(relative_error([1.0, 2.0], [1.0, 2.2]), 6)    # 0.2 / 4.2
    0.047619
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape; received a of shape {a.shape} and b of shape {b.shape}."
        )
    if a.size == 0:
        return 0.0
    denominator = np.maximum(np.abs(a) + np.abs(b), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b) / denominator))


def check_gradients(model, x, y, eps=1e-6):
    """Compare a model's backpropagated gradients with finite differences, weight by weight.

    The model must offer three things (nnlib's models do):

    * ``model.trainable_weights``: the live float64 arrays the optimizer updates in place;
    * ``model.weight_paths``: one name per weight, such as ``"dense/kernel"``;
    * ``model.compute_loss_and_gradients(x, y)``: the loss (a float) and the list of gradients,
      aligned with ``trainable_weights``.

    Parameters
    ----------
    model : object
        A built, compiled model, created under ``nnlib.config.set_floatx("float64")``.
    x, y : array_like
        A small batch (every weight entry costs two forward passes).
    eps : float, default 1e-6

    Returns
    -------
    dict
        ``{weight path: worst relative error over its entries}``.

    Examples
    --------
    A linear regression written to the protocol, with its true gradient:

    >>> class LinearRegression:
    ...     def __init__(self):
    ...         self.trainable_weights = [np.array([0.5, -0.3])]
    ...         self.weight_paths = ["linear/w"]
    ...     def compute_loss_and_gradients(self, x, y):
    ...         error = x @ self.trainable_weights[0] - y
    ...         return float(np.mean(error ** 2)), [2 * x.T @ error / len(y)]
    >>> x = np.array([[1.0, 2.0], [3.0, -1.0]])
    >>> errors = check_gradients(LinearRegression(), x, np.array([1.0, 0.0]))
    >>> errors["linear/w"] < 1e-7
    True
    """
    weights = list(model.trainable_weights)
    paths = list(model.weight_paths)
    if len(paths) != len(weights):
        raise ValueError(
            f"model.weight_paths has {len(paths)} names for {len(weights)} trainable weights."
        )
    for path, weight in zip(paths, weights):
        if not (isinstance(weight, np.ndarray) and weight.dtype == np.float64):
            raise TypeError(
                f"Gradient checking needs float64 weights; weight {path!r} is "
                f"{describe(weight)}. Call nnlib.config.set_floatx('float64') before building "
                "the model."
            )
    _, gradients = model.compute_loss_and_gradients(x, y)
    if len(gradients) != len(weights):
        raise ValueError(
            f"compute_loss_and_gradients returned {len(gradients)} gradients for "
            f"{len(weights)} trainable weights."
        )

    def loss_at(_):
        return model.compute_loss_and_gradients(x, y)[0]

    return {
        path: relative_error(gradient, numerical_gradient(loss_at, weight, eps))
        for path, weight, gradient in zip(paths, weights, gradients)
    }
