"""Small helpers: reproducible randomness and one-hot labels.

nnlib draws every random number (initial weights, shuffling) from one NumPy ``Generator``, so
:func:`set_random_seed` makes a whole run repeatable, as ``keras.utils.set_random_seed`` does.

Examples
--------
>>> from nnlib import utils
>>> utils.set_random_seed(0)
>>> first = utils.get_rng().random()
>>> utils.set_random_seed(0)
>>> utils.get_rng().random() == first
True
"""

import re

import numpy as np

from nnlib import config
from nnlib._validation import (
    as_float_array,
    check_class_labels,
    check_non_negative_int,
    check_positive_int,
)
from nnlib.progress import Progbar  # noqa: F401 (keras.utils.Progbar)

_rng = np.random.default_rng()


def set_random_seed(seed):
    """Seed nnlib's random generator and NumPy's global one.

    NumPy's global generator is seeded too because, as in Keras's JAX backend, epoch shuffling and
    learners' own code often use ``np.random`` directly.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Examples
    --------
    >>> set_random_seed(42)
    >>> set_random_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a non-negative integer; received -1.
    """
    global _rng
    seed = check_non_negative_int(seed, "seed")
    _rng = np.random.default_rng(seed)
    np.random.seed(seed)


def get_rng():
    """Return the ``numpy.random.Generator`` that initializers and shuffling draw from.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> set_random_seed(1)
    >>> get_rng().integers(0, 10, size=3)
    array([4, 5, 7])
    """
    return _rng


def to_categorical(y, num_classes=None):
    r"""One-hot encode class indices: label $k$ becomes a row with a 1 in column $k$ and 0 elsewhere.

    Parameters
    ----------
    y : array_like of int
        Class indices in ``[0, num_classes)``; shape ``(n,)`` or ``(n, 1)``.
    num_classes : int, optional
        Number of columns; defaults to ``max(y) + 1``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, num_classes)``, dtype :func:`nnlib.config.floatx` (Keras returns floats too).

    Examples
    --------
    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    >>> to_categorical([0, 3], num_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y must hold class indices in [0, 3) (3 classes); received values from 0 to 3.
    """
    labels = check_class_labels(y, "y")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"y must be a 1D array of class indices (or shape (n, 1)); received shape {labels.shape}."
        )
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    else:
        num_classes = check_positive_int(num_classes, "num_classes")
        check_class_labels(labels, "y", num_classes)
    one_hot = np.zeros((labels.size, num_classes), dtype=config.floatx())
    one_hot[np.arange(labels.size), labels] = 1
    return one_hot


def snake_case(name):
    """How Keras turns a class name into a name (``keras.src.utils.naming.to_snake_case``): a
    capital that starts a word gets an underscore, a run of capitals stays one word.

    >>> [snake_case(n) for n in ["BinaryCrossentropy", "AUC", "MLPBlock", "SGD", "RMSprop"]]
    ['binary_crossentropy', 'auc', 'mlp_block', 'sgd', 'rm_sprop']
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# Keras numbers default names per kind for the whole session: dense, dense_1, dense_2, ...
_name_counters = {}


def unique_name(prefix):
    """Return ``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ... (as Keras names layers)."""
    count = _name_counters.get(prefix, 0)
    _name_counters[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def normalize(x, axis=-1, order=2):
    r"""``keras.utils.normalize``: each vector along `axis` divided by its norm,
    $x / \|x\|_p$ ($p$ = `order`); a vector of norm 0 is left as it is. (Keras 3 reads
    ``axis=0`` as -1; nnlib normalises along the axis given.)

    >>> normalize([[3.0, 4.0], [0.0, 0.0]])
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    x = as_float_array(x, "x")
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def plot_model(model, to_file="model.png", **options):
    """``keras.utils.plot_model``, drawn without Graphviz (see :mod:`nnlib.plot`)."""
    from nnlib.plot import plot_model as draw  # noqa: PLC0415 (matplotlib only when drawing)
    return draw(model, to_file, **options)


class Configurable:
    """What Keras's serialisable pieces share (initializers, regularizers, learning-rate schedules): an
    object is rebuilt from its config, ``cls(**config)``, and shown by it, ``L2(l2=0.01)``."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        options = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({options})"
