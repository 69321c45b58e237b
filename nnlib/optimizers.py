r"""Optimizers: how weights move once the gradients are known.

Each step receives pairs (gradient $g$, weight $w$) and changes $w$ in place, using Keras 3's
defaults and its exact order of operations (so that nnlib and Keras produce the same numbers):

SGD with learning rate $\eta$ and momentum $\mu$ (velocity $m$ starts at 0):

$$m \leftarrow \mu m - \eta g, \qquad w \leftarrow w + m
\quad\text{(Nesterov: } w \leftarrow w + \mu m - \eta g\text{)}$$

and with $\mu = 0$ simply $w \leftarrow w - \eta g$. "Stochastic" refers to the gradient being
computed on a random sample of the data; with ``fit(batch_size=32)`` that sample is a mini-batch of
32 rows, so what Keras calls SGD is mini-batch gradient descent (batch_size=1 would be SGD in the
textbook sense, batch_size=len(x) full-batch gradient descent).

Adam (step $t = 1, 2, \dots$; $m, v$ start at 0):

$$m \leftarrow m + (1-\beta_1)(g - m), \quad v \leftarrow v + (1-\beta_2)(g^2 - v), \quad
w \leftarrow w - \alpha_t \frac{m}{\sqrt{v} + \epsilon}, \quad
\alpha_t = \eta \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}$$

Examples
--------
>>> import numpy as np
>>> w = np.array([1.0, 2.0], dtype=np.float32)
>>> SGD(learning_rate=0.1).apply_gradients([(np.array([1.0, -1.0], dtype=np.float32), w)])
>>> w
array([0.9, 2.1], dtype=float32)
"""

import numbers

import numpy as np

__all__ = ["Optimizer", "SGD", "Adam", "get"]


def _check_number(value, name, low, high, low_inclusive, high_inclusive, owner):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok:
        ok = (value >= low if low_inclusive else value > low) and (
            value <= high if high_inclusive else value < high)
    if not ok:
        interval = f"{'[' if low_inclusive else '('}{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{owner}: {name} must be a number in {interval}; received {value!r}.")
    return float(value)


class Optimizer:
    """Base class: keeps per-weight state (``slots``) and the step counter ``iterations``."""

    def __init__(self, learning_rate):
        self.learning_rate = _check_number(
            learning_rate, "learning_rate", 0, np.inf, False, False, type(self).__name__)
        self.iterations = 0
        self._slots = {}  # id(weight) -> that weight's state arrays

    def apply_gradients(self, grads_and_vars):
        """Update every weight in place from its gradient; ``grads_and_vars`` is a list of (g, w)."""
        pairs = list(grads_and_vars)
        for g, w in pairs:
            if not isinstance(w, np.ndarray):
                raise TypeError(
                    f"{type(self).__name__}.apply_gradients: each weight must be a NumPy array "
                    f"(updated in place); received {type(w).__name__}.")
            if np.shape(g) != w.shape:
                raise ValueError(
                    f"{type(self).__name__}.apply_gradients: gradient shape {np.shape(g)} does not "
                    f"match weight shape {w.shape}.")
        # copies, because apply() uses the gradient arrays as scratch space
        self.apply([np.array(g, dtype=w.dtype) for g, w in pairs], [w for _, w in pairs])

    def apply(self, grads, weights):
        """The fast path used by ``Model.fit``: two aligned lists, already checked.

        The gradient arrays are overwritten (SGD scales them by the learning rate in place): one
        pass over memory less per step than writing ``lr * g`` to a new array, which is what makes
        the update cheap next to the matrix products.
        """
        self._step(grads, weights)
        self.iterations += 1

    def _slots_for(self, w, count):
        slots = self._slots.get(id(w))
        if slots is None or slots[0].shape != w.shape or slots[0].dtype != w.dtype:
            slots = [np.zeros_like(w) for _ in range(count)]
            self._slots[id(w)] = slots
        return slots

    def get_config(self):
        return {"learning_rate": self.learning_rate}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """(Mini-batch) gradient descent, with optional momentum and Nesterov momentum; Keras defaults."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = _check_number(momentum, "momentum", 0, 1, True, True, "SGD")
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be True or False; received {nesterov!r}.")
        self.nesterov = nesterov

    def _step(self, grads, weights):
        for g, w in zip(grads, weights):
            lr, mu = w.dtype.type(self.learning_rate), w.dtype.type(self.momentum)
            g *= lr                          # g now holds lr * g (see apply)
            if self.momentum == 0.0:
                w -= g                       # w = w - lr*g
                continue
            (m,) = self._slots_for(w, 1)
            m *= mu
            m -= g                           # m = mu*m - lr*g
            if self.nesterov:
                w -= g                       # w += mu*m - lr*g, term by term
                np.multiply(m, mu, out=g)
                w += g
            else:
                w += m                       # w = w + m

    def get_config(self):
        return {"learning_rate": self.learning_rate, "momentum": self.momentum,
                "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) scaled by a running size of the gradient (v); Keras defaults."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = _check_number(beta_1, "beta_1", 0, 1, True, False, "Adam")
        self.beta_2 = _check_number(beta_2, "beta_2", 0, 1, True, False, "Adam")
        self.epsilon = _check_number(epsilon, "epsilon", 0, np.inf, False, False, "Adam")

    def _step(self, grads, weights):
        t = self.iterations + 1
        for g, w in zip(grads, weights):
            f = w.dtype.type  # Keras computes these constants in the weights' dtype
            b1, b2 = f(self.beta_1), f(self.beta_2)
            alpha = f(self.learning_rate) * np.sqrt(f(1) - b2 ** f(t)) / (f(1) - b1 ** f(t))
            m, v, tmp = self._slots_for(w, 3)
            np.subtract(g, m, out=tmp)
            tmp *= f(1) - b1
            m += tmp                                  # m += (g - m) * (1 - b1)
            np.square(g, out=tmp)
            tmp -= v
            tmp *= f(1) - b2
            v += tmp                                  # v += (g^2 - v) * (1 - b2)
            np.sqrt(v, out=tmp)
            tmp += f(self.epsilon)
            np.multiply(m, alpha, out=g)              # g is free now (see apply)
            g /= tmp
            w -= g                                    # w -= m * alpha / (sqrt(v) + eps)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}


_OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def get(identifier):
    """Return an optimizer: an instance is returned as is, ``"sgd"``/``"adam"`` give Keras defaults.

    >>> get("adam")
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[identifier.lower()]()
    raise ValueError(
        f"optimizer: unknown optimizer {identifier!r}; expected one of {sorted(_OPTIMIZERS)} "
        "or an instance such as nnlib.optimizers.SGD(learning_rate=0.1)."
    )
