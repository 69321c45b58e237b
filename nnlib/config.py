"""The floating-point type nnlib computes in.

Like Keras, nnlib works in ``float32`` unless told otherwise: half the memory of ``float64`` and
plenty of precision for training. Gradient checking is the exception, because finite differences
need ``float64`` (see :mod:`nnlib.gradcheck`).

The rule every nnlib function follows:

* a floating-point NumPy array (or NumPy float scalar) keeps its own dtype;
* anything else (integers, booleans, Python lists and numbers) is converted to :func:`floatx`.

Examples
--------
>>> from nnlib import config
>>> config.floatx()
'float32'
>>> with config.floatx_scope("float64"):
...     config.floatx()
'float64'
>>> config.floatx()
'float32'
"""

import contextlib

_VALID_FLOATX = ("float32", "float64")
_floatx = "float32"


def floatx():
    """Return the name of the default float type, ``"float32"`` unless changed.

    Returns
    -------
    str
        ``"float32"`` or ``"float64"``.

    Examples
    --------
    >>> floatx()
    'float32'
    """
    return _floatx


def set_floatx(name):
    """Set the default float type for everything created afterwards.

    Parameters
    ----------
    name : {"float32", "float64"}
        The new default.

    Raises
    ------
    ValueError
        If `name` is not one of the two supported types.

    Examples
    --------
    >>> set_floatx("float64")
    >>> floatx()
    'float64'
    >>> set_floatx("float32")
    """
    global _floatx
    if name not in _VALID_FLOATX:
        raise ValueError(
            f"set_floatx: name must be one of {list(_VALID_FLOATX)}; received {name!r}."
        )
    _floatx = name


@contextlib.contextmanager
def floatx_scope(name):
    """Use `name` as the default float type inside a ``with`` block only.

    The previous default comes back when the block ends, even if it raised.

    Parameters
    ----------
    name : {"float32", "float64"}
        The default inside the block.

    Examples
    --------
    >>> import numpy as np
    >>> from nnlib.activations import relu
    >>> with floatx_scope("float64"):
    ...     relu([1, -2]).dtype
    dtype('float64')
    >>> relu([1, -2]).dtype
    dtype('float32')
    """
    previous = floatx()
    set_floatx(name)
    try:
        yield
    finally:
        set_floatx(previous)
