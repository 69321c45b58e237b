r"""Weight initializers: where a layer's weights start, with Keras 3's names, classes and formulas.

A layer's first weights must be random (equal weights would make every unit learn the same thing)
and of the right size: too large and the signal explodes layer after layer, too small and it fades.
The *variance scaling* family sizes them from the number of inputs $n_\text{in}$ and outputs
$n_\text{out}$ of the weight (its *fans*):

$$\text{Var}(w) = \frac{s}{n}, \qquad n = n_\text{in},\ n_\text{out} \text{ or }
  \tfrac{1}{2}(n_\text{in} + n_\text{out})$$

drawn from $U(-\sqrt{3 s / n}, \sqrt{3 s / n})$ or from a normal distribution cut at two standard
deviations (its standard deviation divided by 0.8796, the standard deviation of a normal cut at
$\pm 2$, so that the cut one keeps the variance $s/n$). Glorot (Xavier) uses $s = 1$ with the
average of the fans, which keeps the variance of the signal forward *and* backward; He uses $s = 2$
with $n_\text{in}$, since ReLU zeroes half of its inputs; LeCun uses $s = 1$ with $n_\text{in}$
(SELU's choice).

=====================  =====================================  ====================================
name (and class)       distribution                           Keras's default
=====================  =====================================  ====================================
``glorot_uniform``     $U(\pm\sqrt{6/(n_\text{in}+n_\text{out})})$   Dense's kernel
``glorot_normal``      cut normal, $\sigma^2 = 2/(n_\text{in}+n_\text{out})$
``he_uniform``         $U(\pm\sqrt{6/n_\text{in}})$
``he_normal``          cut normal, $\sigma^2 = 2/n_\text{in}$
``lecun_uniform``      $U(\pm\sqrt{3/n_\text{in}})$
``lecun_normal``       cut normal, $\sigma^2 = 1/n_\text{in}$
``random_normal``      $N(0, 0.05^2)$
``random_uniform``     $U(-0.05, 0.05)$
``truncated_normal``   $N(0, 0.05^2)$ cut at $\pm 2\sigma$
``zeros``, ``ones``    0, 1; ``constant`` any value             Dense's bias: zeros
``orthogonal``         an orthogonal matrix (QR of a normal one)
``identity``           the identity matrix (times ``gain``)
=====================  =====================================  ====================================

The fans follow Keras (``compute_fans``): a matrix (inputs, outputs) has $n_\text{in}$ rows and
$n_\text{out}$ columns; a vector of $n$ entries has $n_\text{in} = n_\text{out} = n$; a scalar 1.

Randomness: an initializer made with ``seed=`` an int gives the same values at every call, as in
Keras 3. One made without a seed draws from nnlib's generator (so
:func:`nnlib.utils.set_random_seed` makes a run repeatable) and gives new values at every call;
Keras's unseeded instance picks a seed once and repeats itself, a difference that only shows when
one instance initializes two layers. The random numbers are NumPy's, not JAX's: the same seed gives
other numbers than in Keras, from the same distribution (the parity tests compare limits, means and
variances).

Examples
--------
>>> from nnlib import initializers
>>> init = initializers.HeUniform(seed=0)
>>> w = init((100, 10))
>>> bool(abs(w).max() <= (6 / 100) ** 0.5), w.dtype
(True, dtype('float32'))
>>> bool((init((100, 10)) == w).all())   # a seeded initializer repeats itself
True
>>> initializers.get("ones")((2,))
array([1., 1.], dtype=float32)
"""

import math

import numpy as np

from nnlib import config, utils
from nnlib._validation import check_choice, check_number, describe

__all__ = ["Initializer", "Constant", "Zeros", "Ones", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
           "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity", "compute_fans",
           "get", "serialize", "deserialize"]


def compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a weight of `shape`, as Keras's ``compute_fans`` (which also
    takes the axes that count as inputs and outputs)."""
    if input_axes is not None and output_axes is not None:
        return (math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])  # 1 for a Dense kernel
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _truncated_normal(rng, shape, mean, stddev):
    """Normal values cut at two standard deviations: the ones outside are drawn again."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return mean + stddev * z


class Initializer(utils.Configurable):
    """Base class: ``initializer(shape, dtype=None)`` returns the starting values (floatx)."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(self, shape, dtype).")


class Constant(Initializer):
    """Every entry `value`."""

    def __init__(self, value=0.0):
        self.value = check_number(value, "Constant: value")

    def __call__(self, shape, dtype=None):
        return np.full(tuple(shape), self.value, dtype=dtype or config.floatx())

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class _Random(Initializer):
    """A random initializer: its generator starts from `seed` at every call (see the module)."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"{type(self).__name__}: seed must be an int or None; received "
                            f"{describe(seed)}.")
        self._given_seed = self.seed = seed

    def _rng(self):
        return utils.get_rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self._given_seed}


class RandomNormal(_Random):
    r"""$N(\text{mean}, \text{stddev}^2)$."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = check_number(mean, "mean"), check_number(stddev, "stddev", low=0)
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        values = self._rng().normal(self.mean, self.stddev, size=tuple(shape))
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    r"""$N(\text{mean}, \text{stddev}^2)$ without the values beyond two standard deviations."""

    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._rng(), tuple(shape), self.mean, self.stddev)
        return values.astype(dtype or config.floatx())


class RandomUniform(_Random):
    r"""$U(\text{minval}, \text{maxval})$."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = check_number(minval, "minval"), check_number(maxval, "maxval")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        values = self._rng().uniform(self.minval, self.maxval, size=tuple(shape))
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(_Random):
    r"""Variance $s / n$, with $n$ the fan `mode` names (see the module)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        self.input_axes, self.output_axes = input_axes, output_axes
        self.scale = check_number(scale, "VarianceScaling: scale", low=0, low_inclusive=False)
        self.mode = check_choice(mode, "mode", ["fan_in", "fan_out", "fan_avg"])
        self.distribution = check_choice(distribution, "distribution",
                                         ["truncated_normal", "untruncated_normal", "uniform"])
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(variance), size=shape)
        else:  # 0.8796 is the standard deviation of N(0, 1) cut at +-2
            values = _truncated_normal(rng, shape, 0.0, math.sqrt(variance) / 0.87962566103423978)
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _variance_scaling(name, scale, mode, distribution, doc):
    class Named(VarianceScaling):
        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

        def get_config(self):
            return {"seed": self._given_seed, "input_axes": self.input_axes,
                    "output_axes": self.output_axes}

    Named.__name__ = Named.__qualname__ = name
    Named.__doc__ = doc
    return Named


GlorotUniform = _variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform",
                                  r"$U(\pm\sqrt{6 / (n_\text{in} + n_\text{out})})$ (Xavier).")
GlorotNormal = _variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                                 r"Cut normal, variance $2 / (n_\text{in} + n_\text{out})$.")
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform",
                              r"$U(\pm\sqrt{6 / n_\text{in}})$, for ReLU layers.")
HeNormal = _variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal",
                             r"Cut normal, variance $2 / n_\text{in}$, for ReLU layers.")
LecunUniform = _variance_scaling("LecunUniform", 1.0, "fan_in", "uniform",
                                 r"$U(\pm\sqrt{3 / n_\text{in}})$.")
LecunNormal = _variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal",
                                r"Cut normal, variance $1 / n_\text{in}$ (for SELU).")


class Orthogonal(_Random):
    r"""An orthogonal matrix times `gain`: $Q$ of the QR decomposition of a normal matrix (signs
    fixed by $R$'s diagonal), as Keras; a shape of more than two axes is flattened to
    (everything but the last, last)."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = check_number(gain, "Orthogonal: gain")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 axes; received {shape}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or config.floatx())

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


class Identity(Initializer):
    """The identity matrix times `gain` (a 2-D weight only)."""

    def __init__(self, gain=1.0):
        self.gain = check_number(gain, "Identity: gain")

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity: the shape must be 2-D; received {shape}.")
        return (self.gain * np.eye(*shape)).astype(dtype or config.floatx())

    def get_config(self):
        return {}  # as Keras 3, which does not save the gain


# Keras's names: each class under its snake_case name (and the class name itself)
_CLASSES = [Constant, Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal, Identity]
_SNAKE = {"Constant": "constant", "Zeros": "zeros", "Ones": "ones", "RandomNormal": "random_normal",
          "RandomUniform": "random_uniform", "TruncatedNormal": "truncated_normal",
          "VarianceScaling": "variance_scaling", "GlorotUniform": "glorot_uniform",
          "GlorotNormal": "glorot_normal", "HeUniform": "he_uniform", "HeNormal": "he_normal",
          "LecunUniform": "lecun_uniform", "LecunNormal": "lecun_normal",
          "Orthogonal": "orthogonal", "Identity": "identity"}
_BY_NAME = {alias: cls for cls in _CLASSES for alias in (cls.__name__, _SNAKE[cls.__name__])}
_BY_NAME.update(OrthogonalInitializer=Orthogonal, IdentityInitializer=Identity)
OrthogonalInitializer, IdentityInitializer = Orthogonal, Identity
constant, zeros, ones, random_normal, random_uniform = (Constant, Zeros, Ones, RandomNormal,
                                                         RandomUniform)
truncated_normal, variance_scaling, orthogonal, identity = (TruncatedNormal, VarianceScaling,
                                                            Orthogonal, Identity)
glorot_uniform, glorot_normal, he_uniform, he_normal = (GlorotUniform, GlorotNormal, HeUniform,
                                                        HeNormal)
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def get(identifier, argument="initializer"):
    """An initializer from a name (``"he_normal"``, ``"HeNormal"``: a fresh instance), a Keras
    config dict, an :class:`Initializer`, or a function ``(shape, dtype) -> array``."""
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, Initializer) or (callable(identifier)
                                               and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if not isinstance(identifier, str):
        raise TypeError(f"{argument} must be a name such as 'glorot_uniform', an initializer such "
                        f"as nnlib.initializers.HeNormal(), or a function (shape, dtype) -> array; "
                        f"received {describe(identifier)}.")
    if identifier not in _BY_NAME:  # the message lists Keras's lower-case names
        check_choice(identifier, argument, _SNAKE.values(), kind=argument)
    return _BY_NAME[identifier]()


def serialize(initializer):
    """Keras's config of an initializer (what a ``.keras`` file stores); None for a function."""
    if not isinstance(initializer, Initializer):
        return None
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config):
    """The initializer a Keras config (or name) describes."""
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name")
    if name not in _BY_NAME:
        check_choice(name, "class_name", _SNAKE, kind="initializer class")
    return _BY_NAME[name].from_config(config.get("config") or {})

