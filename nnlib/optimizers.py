r"""Optimizers: how weights move once the gradients are known.

Each step receives pairs (gradient $g$, weight $w$) and changes $w$ in place, using Keras 3's
defaults and its order of operations (so that nnlib and Keras produce the same numbers). The rules
themselves are the functions of :mod:`nnlib.core.optimizers`; the classes here check their
settings, keep each weight's state and the step counter, and save that state as Keras does:

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

RMSprop (decay $\rho$, $v$ starts at 0): divide each step by a running size of the gradient,

$$v \leftarrow \rho v + (1-\rho) g^2, \qquad
\Delta = \frac{\eta g}{\sqrt{v + \epsilon}}, \qquad w \leftarrow w - \Delta$$

Unlike Adam, $\epsilon$ sits inside the square root and there is no bias correction, so the first
steps are larger than $\eta$ (about $\eta / \sqrt{1-\rho}$, 3.2 $\eta$ for $\rho = 0.9$). When
centered: $\bar g \leftarrow \rho \bar g + (1-\rho) g$ and $\sqrt{v - \bar g^2 + \epsilon}$ in the
denominator (the running variance instead of the running mean square); with momentum $\mu > 0$:
$m \leftarrow \mu m + \Delta$, $w \leftarrow w - m$.

Adagrad ($a$ starts at ``initial_accumulator_value``, 0.1): the sum of *all* past squared gradients,
so every weight's step shrinks as it keeps receiving large gradients,

$$a \leftarrow a + g^2, \qquad w \leftarrow w - \frac{\eta g}{\sqrt{a + \epsilon}}$$

The learning rate $\eta$ may be a number or a schedule (:mod:`nnlib.schedules`, also reachable as
``nnlib.optimizers.schedules`` as in Keras), which is asked for the rate of each step from the step
counter ``iterations`` (0 for the first step) before that step.

Examples
--------
>>> import numpy as np
>>> w = np.array([1.0, 2.0], dtype=np.float32)
>>> SGD(learning_rate=0.1).apply_gradients([(np.array([1.0, -1.0], dtype=np.float32), w)])
>>> w
array([0.9, 2.1], dtype=float32)
"""

import numpy as np

from nnlib import schedules
from nnlib.core import optimizers as core
from nnlib._validation import check_bool, check_choice, check_number, describe

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adafactor", "Adamax",
           "AdamW", "Ftrl", "Lamb", "Lion", "Nadam", "get", "schedules"]


def _fraction(value, name, high_inclusive):
    return check_number(value, name, low=0, high=1, high_inclusive=high_inclusive)


def _positive(value, name):
    return check_number(value, name, low=0, low_inclusive=False)


class Optimizer:
    """Base class: keeps per-weight state (``slots``) and the step counter ``iterations``.

    A subclass writes ``_update(w, g, state, learning_rate)``: one weight's update by its rule
    in :mod:`nnlib.core.optimizers`, with the learning rate of this step (a schedule has been
    asked for it already) and that weight's state arrays by name, and ``state_spec()``: those
    arrays' Keras names and starting values. Keras saves them in ``.keras`` files
    (:meth:`keras_variables`), so training resumes where it stopped.

    The state belongs to the weight array itself (held here, so its ``id`` cannot be reused),
    as Keras keys it by the variable: freezing and unfreezing a layer keeps its moments.
    """

    # How Keras lists the state of several weights: Adam creates both arrays of one weight before
    # the next weight's (m0, v0, m1, v1, ...), RMSprop all velocities, then all momentums.
    _interleaved = True

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.iterations = 0
        self._slots = {}  # id(weight) -> (the weight, {name: its state array})

    @property
    def learning_rate(self):
        """The rate of the next step: the number given, or the schedule at ``iterations``."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate = value
        else:
            self._learning_rate = _positive(value, f"{type(self).__name__}: learning_rate")

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
        self.apply([np.asarray(g, dtype=w.dtype) for g, w in pairs], [w for _, w in pairs])

    def apply(self, grads, weights):
        """One step for two aligned lists, already checked (what ``Model.fit`` calls)."""
        learning_rate = float(self.learning_rate)  # a Python number keeps the weights' dtype
        for g, w in zip(grads, weights):
            self._update(w, g, self._state(w), learning_rate)
        self.iterations += 1

    def state_spec(self):
        """``{name: starting value}`` of the state arrays each weight has, in Keras's order."""
        return {}

    def _state(self, w):
        """The state arrays of weight `w` by name, created (Keras's starting values) at its
        first update."""
        entry = self._slots.get(id(w))
        if entry is None or entry[0] is not w:
            entry = self._slots[id(w)] = (w, {name: np.full_like(w, start)
                                              for name, start in self.state_spec().items()})
        return entry[1]

    def keras_variables(self, weights):
        """The optimizer's state as Keras lists its ``optimizer.variables``: the step counter, the
        learning rate (unless a schedule gives it), then the state arrays of each weight.

        `weights` lists, in the model's order, the weight arrays this optimizer updates. The
        state arrays returned are the optimizer's own: writing into them sets the state.
        """
        states = [self._state(w) for w in weights]
        names = list(self.state_spec())
        if self._interleaved:
            return self._scalars() + [state[name] for state in states for name in names]
        return self._scalars() + [state[name] for name in names for state in states]

    def set_keras_variables(self, weights, values):
        """Set the state from a list like :meth:`keras_variables`'s (read from a ``.keras``
        file). Returns False, changing nothing, when the count or a shape does not match, or a
        value is not a number, a negative step count or a learning rate that is not positive."""
        current = self.keras_variables(weights)
        values = [np.asarray(value) for value in values]
        if len(values) != len(current) or any(
                v.shape != c.shape or not np.issubdtype(v.dtype, np.number)
                for v, c in zip(values, current)):
            return False
        scalars = len(self._scalars())
        if values[0] < 0 or (scalars == 2 and not (np.isfinite(values[1]) and values[1] > 0)):
            return False  # a step count or a learning rate no optimizer can have
        self.iterations = int(values[0])
        if scalars == 2 and np.float32(self._learning_rate) != values[1]:
            # Keras keeps the rate as a float32 variable; the configured number stands unless
            # the file's rate is another one (set during training, e.g. by a callback)
            self.learning_rate = float(values[1])
        for target, value in zip(current[scalars:], values[scalars:]):
            target[...] = value
        return True

    def _scalars(self):
        scalars = [np.array(self.iterations, dtype=np.int32)]
        if not isinstance(self._learning_rate, schedules.LearningRateSchedule):
            scalars.append(np.array(self._learning_rate, dtype=np.float32))
        return scalars

    def get_config(self):
        return {"learning_rate": self._learning_rate}

    @classmethod
    def from_config(cls, config):
        """A new optimizer with the settings of ``get_config()``'s dict (nnlib's or Keras's),
        as Keras."""
        from nnlib import saving  # noqa: PLC0415 (saving imports this module)
        return saving.optimizer_from_config(cls, config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """(Mini-batch) gradient descent, with optional momentum and Nesterov momentum; Keras defaults."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = _fraction(momentum, "SGD: momentum", high_inclusive=True)
        self.nesterov = check_bool(nesterov, "SGD: nesterov")

    def _update(self, w, g, state, learning_rate):
        if self.momentum == 0.0:
            core.sgd(w, g, learning_rate)
        else:
            core.sgd_momentum(w, g, state["momentum"], learning_rate, self.momentum, self.nesterov)

    def state_spec(self):
        return {"momentum": 0.0} if self.momentum else {}

    def get_config(self):
        return {"learning_rate": self._learning_rate, "momentum": self.momentum,
                "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) scaled by a running size of the gradient (v); Keras defaults."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = _fraction(beta_1, "Adam: beta_1", high_inclusive=False)
        self.beta_2 = _fraction(beta_2, "Adam: beta_2", high_inclusive=False)
        self.epsilon = _positive(epsilon, "Adam: epsilon")

    def _update(self, w, g, state, learning_rate):
        core.adam(w, g, state["momentum"], state["velocity"], self.iterations + 1, learning_rate,
                  self.beta_1, self.beta_2, self.epsilon)

    def state_spec(self):
        return {"momentum": 0.0, "velocity": 0.0}  # m and v

    def get_config(self):
        return {"learning_rate": self._learning_rate, "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}


class RMSprop(Optimizer):
    r"""RMSprop: steps divided by the root of a running mean of squared gradients; Keras defaults.

    A weight whose gradients are large takes proportionally smaller steps, one whose gradients are
    small larger ones: the step size is about $\eta$ whatever the scale of the gradient. Keras's
    ``compile()`` uses it when no optimizer is named.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
    rho : float in [0, 1)
        How much of the running mean each step keeps ($\rho$).
    momentum : float in [0, 1]
        $\mu$; 0 (the default) means no momentum.
    epsilon : float > 0
        Keeps the division finite while $v$ is 0.
    centered : bool
        Divide by the running standard deviation of the gradient instead of its running root mean
        square.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        super().__init__(learning_rate)
        self.rho = _fraction(rho, "RMSprop: rho", high_inclusive=False)
        self.momentum = _fraction(momentum, "RMSprop: momentum", high_inclusive=True)
        self.epsilon = _positive(epsilon, "RMSprop: epsilon")
        self.centered = check_bool(centered, "RMSprop: centered")

    def _update(self, w, g, state, learning_rate):
        core.rmsprop(w, g, state["velocity"], learning_rate, self.rho, self.epsilon,
                     m=state.get("momentum"), momentum=self.momentum,
                     g_mean=state.get("average_gradient"))

    _interleaved = False

    def state_spec(self):
        spec = {"velocity": 0.0}                      # v
        if self.momentum > 0:
            spec["momentum"] = 0.0                    # m
        if self.centered:
            spec["average_gradient"] = 0.0            # the running mean of g
        return spec

    def get_config(self):
        return {"learning_rate": self._learning_rate, "rho": self.rho,
                "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    r"""Adagrad: steps divided by the root of the sum of all past squared gradients; Keras defaults.

    Unlike RMSprop's running mean, the sum only grows, so the steps of every weight keep shrinking:
    fine for a convex problem, often too slow for a long training run.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
    initial_accumulator_value : float >= 0
        Where the sum $a$ starts (Keras: 0.1), which also bounds the first steps.
    epsilon : float > 0
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
        super().__init__(learning_rate)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "Adagrad: initial_accumulator_value", low=0)
        self.epsilon = _positive(epsilon, "Adagrad: epsilon")

    def _update(self, w, g, state, learning_rate):
        core.adagrad(w, g, state["accumulator"], learning_rate, self.epsilon)

    def state_spec(self):
        return {"accumulator": self.initial_accumulator_value}  # a

    def get_config(self):
        return {"learning_rate": self._learning_rate,
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


# Keras's names: the class name in lower case
OPTIMIZERS = {cls.__name__.lower(): cls for cls in (SGD, Adam, RMSprop, Adagrad)}


def get(identifier):
    """Return an optimizer: an instance is returned as is, a name (any case) gives Keras defaults.

    >>> get("adam")
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
    >>> get("rmsprp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown optimizer 'rmsprp'. Valid names: 'adadelta', ... Did you mean 'rmsprop'?
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(
            "optimizer must be a name such as 'adam' or an instance such as "
            f"nnlib.optimizers.SGD(learning_rate=0.1); received {describe(identifier)}.")
    name = check_choice(identifier.lower(), "optimizer", sorted(OPTIMIZERS), kind="optimizer")
    return OPTIMIZERS[name]()


# Keras's other optimizers for dense weights (nnlib.extra.optimizers), under Keras's names
from nnlib.extra.optimizers import (  # noqa: E402
    Adadelta, Adafactor, Adamax, AdamW, Ftrl, Lamb, Lion, Nadam)

OPTIMIZERS.update({cls.__name__.lower(): cls for cls in (Adadelta, Adafactor, Adamax, AdamW, Ftrl,
                                                         Lion, Nadam)})
# Every optimizer class by its lower-case name, for reading a saved file: Keras's get() does not
# take "lamb" (so neither does nnlib's), but a file names the class
CLASSES = {**OPTIMIZERS, "lamb": Lamb}

