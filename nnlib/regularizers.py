r"""Weight penalties added to the loss, as ``keras.regularizers``: ``L1``, ``L2`` and ``L1L2``.

A layer given ``kernel_regularizer=L2(0.01)`` adds $0.01 \sum_j w_j^2$ of its kernel to the loss
that ``fit`` minimises and reports, and the penalty's gradient $2 \cdot 0.01\, w$ to the kernel's
gradient (the formulas: :mod:`nnlib.core.regularizers`). As Keras, ``fit`` and ``evaluate``
report the loss with the penalties included, and a frozen layer's weights add none.

Names Keras accepts: ``"l1"`` and ``"l2"`` (factor 0.01), ``"L1L2"`` (both 0). Keras 3 refuses the
string ``"l1_l2"``; so does nnlib, with the fix in the message.

Examples
--------
>>> import numpy as np
>>> penalty = L1L2(l1=0.5, l2=0.25)
>>> w = np.array([1.0, -2.0], dtype=np.float32)
>>> penalty(w)                     # 0.5 * (1 + 2) + 0.25 * (1 + 4)
np.float32(2.75)
>>> penalty.gradient(w)            # 0.5 * sign(w) + 2 * 0.25 * w
array([ 1. , -1.5], dtype=float32)
"""

import numpy as np

from nnlib import utils
from nnlib._validation import check_choice, check_number, describe
from nnlib.core import regularizers as core

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize",
           "deserialize"]


def _factor(value, name):
    return check_number(value, name, low=0)


class Regularizer(utils.Configurable):
    """Base class: ``regularizer(w)`` is the penalty, ``regularizer.gradient(w)`` its derivative
    with respect to `w` (nnlib computes gradients by hand, so a custom regularizer needs both)."""

    def __call__(self, w):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(self, w).")

    def gradient(self, w):
        raise NotImplementedError(f"{type(self).__name__} must define gradient(self, w).")


class L1(Regularizer):
    r"""$\alpha \sum_j |w_j|$, with $\alpha$ = `l1` (default 0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = _factor(0.01 if l1 is None else l1, "L1: l1")

    def __call__(self, w):
        return core.l1(w, self.l1)

    def gradient(self, w):
        return core.l1_gradient(w, self.l1)

    def get_config(self):
        return {"l1": float(np.float32(self.l1))}  # Keras keeps l1 as a float32 tensor


class L2(Regularizer):
    r"""$\alpha \sum_j w_j^2$, with $\alpha$ = `l2` (default 0.01)."""

    def __init__(self, l2=0.01):
        self.l2 = _factor(0.01 if l2 is None else l2, "L2: l2")

    def __call__(self, w):
        return core.l2(w, self.l2)

    def gradient(self, w):
        return core.l2_gradient(w, self.l2)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    r"""Both: $\alpha_1 \sum_j |w_j| + \alpha_2 \sum_j w_j^2$ (defaults 0: pass the one you want,
    ``L1L2(l2=0.01)``); a factor of 0 adds nothing, as in Keras."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "L1L2: l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "L1L2: l2")

    def __call__(self, w):
        penalty = np.zeros((), dtype=w.dtype)[()]
        if self.l1:
            penalty += core.l1(w, self.l1)
        if self.l2:
            penalty += core.l2(w, self.l2)
        return penalty

    def gradient(self, w):
        gradient = np.zeros_like(w)
        if self.l1:
            gradient += core.l1_gradient(w, self.l1)
        if self.l2:
            gradient += core.l2_gradient(w, self.l2)
        return gradient

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


# Keras's lower-case names for the classes
l1, l2, l1_l2 = L1, L2, L1L2

# the strings keras.regularizers.get accepts: class names and their snake_case
_NAMES = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1l2": L1L2}


def get(identifier, argument="regularizer"):
    """Return a regularizer for None (none), a name, a config dict or an instance.

    Examples
    --------
    >>> get("l2")
    L2(l2=0.01)
    >>> get(None) is None
    True
    >>> get("l1_l2")
    Traceback (most recent call last):
    ...
    ValueError: regularizer: Keras 3 does not accept the name 'l1_l2'; use L1L2(l1=0.01, l2=0.01) (or 'l1', 'l2').
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier == "l1_l2":
            raise ValueError(f"{argument}: Keras 3 does not accept the name 'l1_l2'; use "
                             "L1L2(l1=0.01, l2=0.01) (or 'l1', 'l2').")
        return _NAMES[check_choice(identifier, argument, _NAMES, kind="regularizer")]()
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    raise TypeError(f"{argument} must be a name such as 'l2', a config dict or an "
                    f"nnlib.regularizers.Regularizer such as L2(0.01); received "
                    f"{describe(identifier)}.")


def serialize(regularizer):
    """Keras's config dict of a regularizer (as in a ``.keras`` file), None for None."""
    if regularizer is None:
        return None
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config):
    """The regularizer of a config dict from :func:`serialize` (or Keras)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"regularizer config must be a dict with 'class_name' and 'config'; "
                         f"received {describe(config)}.")
    name = check_choice(config["class_name"], "regularizer class_name", _NAMES,
                        kind="regularizer")
    return _NAMES[name].from_config(config.get("config") or {})
