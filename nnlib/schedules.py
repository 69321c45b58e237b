r"""Learning-rate schedules: a learning rate that changes as training goes on.

A schedule is a function of the optimizer's step counter $t$ (``optimizer.iterations``: 0 for the
first update, 1 for the second, ...). An optimizer given one as ``learning_rate`` asks it for the
rate before every update, as Keras 3 does, so large steps early on can become small ones later.

Exponential decay with initial rate $\eta_0$, decay rate $r$ and decay steps $s$:

$$\eta_t = \eta_0 \, r^{t / s} \qquad
(\text{staircase: } \eta_t = \eta_0 \, r^{\lfloor t / s \rfloor})$$

so the rate is multiplied by $r$ every $s$ steps: smoothly, or all at once when ``staircase=True``.
Keras's other schedules follow: inverse-time, polynomial and piecewise-constant decay, cosine
decay (with a linear warm-up) and cosine decay with warm restarts, each with its formula.
Like Keras, every rate is computed in the default float type (:func:`nnlib.config.floatx`).

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

__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay", "PolynomialDecay",
           "PiecewiseConstantDecay", "CosineDecay", "CosineDecayRestarts"]


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


def _float():
    return np.dtype(config.floatx()).type  # Keras computes a schedule in floatx


def _steps(value, name):
    """A positive number of steps, kept an int when it is one (as Keras's config keeps it)."""
    value = check_number(value, name, low=0, low_inclusive=False)
    return int(value) if value.is_integer() else value


class InverseTimeDecay(LearningRateSchedule):
    r"""$\eta_t = \dfrac{\eta_0}{1 + r\, t/s}$ (or $\lfloor t/s \rfloor$ with ``staircase``), as
    Keras: the rate falls like $1/t$, fast at first and ever more slowly.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : int
        $s$ > 0.
    decay_rate : float
        $r \ge 0$.
    staircase : bool
    name : str
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = check_number(
            initial_learning_rate, "InverseTimeDecay: initial_learning_rate", low=0,
            low_inclusive=False)
        self.decay_steps = _steps(decay_steps, "InverseTimeDecay: decay_steps")
        self.decay_rate = check_number(decay_rate, "InverseTimeDecay: decay_rate", low=0)
        self.staircase = check_bool(staircase, "InverseTimeDecay: staircase")
        self.name = name

    def __call__(self, step):
        f = _float()
        p = f(step) / f(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f(self.initial_learning_rate) / (f(1) + f(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    r"""From $\eta_0$ down to $\eta_{\text{end}}$ in $s$ steps along a power $k$ of the remaining
    fraction, then constant, as Keras:

    $$\eta_t = (\eta_0 - \eta_{\text{end}}) \left(1 - \frac{\min(t, s)}{s}\right)^k
      + \eta_{\text{end}}.$$

    With ``cycle=True`` the decay restarts over ever longer spans: $s$ becomes $s \lceil t/s
    \rceil$ (and $s$ at $t = 0$). $k = 1$ is a straight line.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : int
        $s$ > 0.
    end_learning_rate : float
        $\eta_{\text{end}}$ (Keras: 0.0001).
    power : float
        $k$ (Keras: 1.0).
    cycle : bool
    name : str
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = check_number(
            initial_learning_rate, "PolynomialDecay: initial_learning_rate", low=0,
            low_inclusive=False)
        self.decay_steps = _steps(decay_steps, "PolynomialDecay: decay_steps")
        self.end_learning_rate = check_number(end_learning_rate,
                                              "PolynomialDecay: end_learning_rate", low=0)
        self.power = check_number(power, "PolynomialDecay: power")
        self.cycle = check_bool(cycle, "PolynomialDecay: cycle")
        self.name = name

    def __call__(self, step):
        f = _float()
        t, s = f(step), f(self.decay_steps)
        if self.cycle:
            s = s * (f(1) if t == 0 else np.ceil(t / s))
        else:
            t = min(t, s)
        end = f(self.end_learning_rate)
        return (f(self.initial_learning_rate) - end) * (f(1) - t / s) ** f(self.power) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    r"""A rate fixed by intervals of the step, as Keras: with boundaries $b_1 < \dots < b_K$ and
    values $v_0, \dots, v_K$, $\eta_t = v_0$ for $t \le b_1$, $v_k$ for $b_k < t \le b_{k+1}$,
    and $v_K$ for $t > b_K$.

    Parameters
    ----------
    boundaries : list of int
        Increasing steps where the rate changes.
    values : list of float
        One more than the boundaries.
    name : str
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1 or not boundaries:
            raise ValueError(
                "PiecewiseConstantDecay: values must have one more entry than boundaries (at "
                f"least one); received {len(boundaries)} boundaries and {len(values)} values.")
        for k, b in enumerate(boundaries):
            check_number(b, f"PiecewiseConstantDecay: boundaries[{k}]")
        for k, v in enumerate(values):
            check_number(v, f"PiecewiseConstantDecay: values[{k}]", low=0, low_inclusive=False)
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase; received "
                             f"{boundaries}.")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        interval = sum(step > b for b in self.boundaries)  # how many boundaries lie behind
        return _float()(self.values[interval])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


def cosine_decay(fraction, alpha):
    r"""The cosine's share of the rate after `fraction` $f \in [0, 1]$ of the decay:
    $(1 - \alpha) \tfrac12 (1 + \cos \pi f) + \alpha$, from 1 down to $\alpha$."""
    return (1 - alpha) * (0.5 * (1.0 + np.cos(np.pi * fraction))) + alpha


class CosineDecay(LearningRateSchedule):
    r"""Half a cosine from $\eta_0$ down to $\alpha\,\eta_0$ in $s$ steps, then constant, as
    Keras (Loshchilov & Hutter, 2017):

    $$\eta_t = \eta_0 \left((1 - \alpha)\, \tfrac12 \bigl(1 + \cos(\pi \min(t, s)/s)\bigr)
      + \alpha\right).$$

    With a ``warmup_target`` $\eta_w$, the rate first climbs in a straight line from $\eta_0$ to
    $\eta_w$ over $w$ ``warmup_steps``, $\eta_t = \eta_0 + (\eta_w - \eta_0)\, t / w$, and the
    cosine then starts from $\eta_w$ at step $w$.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : int
        $s$ > 0.
    alpha : float
        The last rate as a fraction of the first (Keras: 0).
    name : str
    warmup_target : float or None
    warmup_steps : int
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = check_number(
            initial_learning_rate, "CosineDecay: initial_learning_rate", low=0)
        self.decay_steps = _steps(decay_steps, "CosineDecay: decay_steps")
        self.alpha = check_number(alpha, "CosineDecay: alpha", low=0, high=1)
        self.name = name
        self.warmup_target = None if warmup_target is None else check_number(
            warmup_target, "CosineDecay: warmup_target", low=0, low_inclusive=False)
        self.warmup_steps = check_number(warmup_steps, "CosineDecay: warmup_steps", low=0)
        if self.warmup_steps.is_integer():
            self.warmup_steps = int(self.warmup_steps)

    def __call__(self, step):
        f = _float()
        t, s, start = f(step), f(self.decay_steps), f(self.initial_learning_rate)
        if self.warmup_target is None:
            return start * cosine_decay(min(t, s) / s, self.alpha)
        target, w = f(self.warmup_target), f(self.warmup_steps)
        t = min(t, s + w)
        if t < w:
            return (target - start) * (t / w) + start
        return target * cosine_decay((t - w) / s, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    r"""Cosine decay that starts again ("warm restarts", SGDR), as Keras: the first run lasts $s$
    steps, each next one $t_{\text{mul}}$ times longer and starts $m_{\text{mul}}$ times lower.

    At step $t$, with $u = t/s$, the run $i$ and the fraction $f$ of it done are
    $i = \lfloor \log(1 - u(1 - t_{\text{mul}})) / \log t_{\text{mul}} \rfloor$ and
    $f = \bigl(u - \tfrac{1 - t_{\text{mul}}^i}{1 - t_{\text{mul}}}\bigr) / t_{\text{mul}}^i$
    ($i = \lfloor u \rfloor$, $f = u - i$ when $t_{\text{mul}} = 1$), and

    $$\eta_t = \eta_0 \left((1 - \alpha)\, m_{\text{mul}}^i\, \tfrac12 (1 + \cos \pi f)
      + \alpha\right).$$

    Parameters
    ----------
    initial_learning_rate : float
    first_decay_steps : int
        $s$ > 0.
    t_mul, m_mul : float
        Keras: 2.0 and 1.0.
    alpha : float
    name : str
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = check_number(
            initial_learning_rate, "CosineDecayRestarts: initial_learning_rate", low=0,
            low_inclusive=False)
        self.first_decay_steps = _steps(first_decay_steps,
                                        "CosineDecayRestarts: first_decay_steps")
        self.t_mul = check_number(t_mul, "CosineDecayRestarts: t_mul", low=0, low_inclusive=False)
        self.m_mul = check_number(m_mul, "CosineDecayRestarts: m_mul", low=0)
        self.alpha = check_number(alpha, "CosineDecayRestarts: alpha", low=0, high=1)
        self.name = name

    def __call__(self, step):
        f = _float()
        u = f(step) / f(self.first_decay_steps)
        t_mul, m_mul, alpha = f(self.t_mul), f(self.m_mul), f(self.alpha)
        if t_mul == 1:
            i = np.floor(u)
            fraction = u - i
        else:
            i = np.floor(np.log(f(1) - u * (f(1) - t_mul)) / np.log(t_mul))
            done = (f(1) - t_mul**i) / (f(1) - t_mul)  # the steps of the runs before, over s
            fraction = (u - done) / t_mul**i
        decayed = f(0.5) * m_mul**i * (f(1) + np.cos(f(np.pi) * fraction))
        return f(self.initial_learning_rate) * ((f(1) - alpha) * decayed + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


# class name -> class, for reading a schedule back from a saved configuration
SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PolynomialDecay,
                                           PiecewiseConstantDecay, CosineDecay,
                                           CosineDecayRestarts)}
