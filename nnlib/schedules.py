r"""Learning-rate schedules: a learning rate that changes as training goes on.

A schedule is a function of the optimizer's step counter $t$ (``optimizer.iterations``: 0 for the
first update, 1 for the second, ...). An optimizer given one as ``learning_rate`` asks it for the
rate before every update, as Keras 3 does, so large steps early on can become small ones later.

Exponential decay with initial rate $\eta_0$, decay rate $r$ and decay steps $s$:

$$\eta_t = \eta_0 \, r^{t / s} \qquad
(\text{staircase: } \eta_t = \eta_0 \, r^{\lfloor t / s \rfloor})$$

so the rate is multiplied by $r$ every $s$ steps: smoothly, or all at once when ``staircase=True``.
Like Keras, the rate is computed in the default float type (:func:`nnlib.config.floatx`).

Examples
--------
>>> from nnlib.optimizers import SGD
>>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> float(schedule(0)), float(schedule(10)), float(schedule(20))
(0.10000000149011612, 0.05000000074505806, 0.02500000037252903)
>>> SGD(learning_rate=schedule).learning_rate  # the rate of the next step (step 0)
0.10000000149011612
"""

import numpy as np

from nnlib import config, utils
from nnlib._validation import check_bool, check_number

__all__ = ["LearningRateSchedule", "ExponentialDecay"]


class LearningRateSchedule(utils.Configurable):
    """Base class: a subclass defines ``__call__(step) -> learning rate`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(self, step).")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} must define get_config(self).")


class ExponentialDecay(LearningRateSchedule):
    r"""$\eta_t = \eta_0 \, r^{t/s}$ (or $r^{\lfloor t/s \rfloor}$ with ``staircase``), as Keras.

    Parameters
    ----------
    initial_learning_rate : float
        $\eta_0$, the rate of the first step.
    decay_steps : int
        $s$ > 0: after $s$ steps the rate has been multiplied by ``decay_rate`` once.
    decay_rate : float
        $r$ > 0 (below 1 to decay).
    staircase : bool
        Lower the rate in jumps every ``decay_steps`` steps instead of a little every step.
    name : str
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = check_number(
            initial_learning_rate, "ExponentialDecay: initial_learning_rate", low=0,
            low_inclusive=False)
        self.decay_steps = check_number(decay_steps, "ExponentialDecay: decay_steps", low=0,
                                        low_inclusive=False)
        if float(decay_steps).is_integer():
            self.decay_steps = int(decay_steps)
        self.decay_rate = check_number(decay_rate, "ExponentialDecay: decay_rate", low=0,
                                       low_inclusive=False)
        self.staircase = check_bool(staircase, "ExponentialDecay: staircase")
        self.name = name

    def __call__(self, step):
        f = np.dtype(config.floatx()).type  # Keras computes the schedule in floatx
        p = f(step) / f(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f(self.initial_learning_rate) * f(self.decay_rate) ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


# class name -> class, for reading a schedule back from a saved configuration
SCHEDULES = {"ExponentialDecay": ExponentialDecay}
