"""What nnlib leaves to real Keras, and the one message that says so.

nnlib is a teaching library for dense networks: it implements the parts of Keras that a network of
``Dense`` layers uses, with Keras's names and numbers. Keras has much more (convolutional and
recurrent layers, image and text preprocessing, automatic differentiation through ``keras.ops``,
distributed training...). Code that reaches for one of those pieces stops at its first use, with
an :class:`OutOfScopeError` that names the piece and points to real Keras, instead of an
``AttributeError`` or an ``ImportError`` that would look like a bug or a typo.

Each Keras-named module lists what it refuses (``REFUSED = {name: what it is}``) and ends with
``__getattr__ = refuse_missing("keras.layers", REFUSED)``: Python calls a module's ``__getattr__`` only
for a name the module does not define, so ``from nnlib.layers import Conv2D`` and
``keras.layers.Conv2D`` both raise the explanation, and every other unknown name is still an
ordinary ``AttributeError``. The table of what is supported and refused, per Keras module, is
``docs/keras-surface.json`` (written by ``tools/keras_surface.py``, checked by
``tests/keras/test_surface_table.py`` against real Keras's own lists).

Examples
--------
>>> import nnlib as keras
>>> keras.layers.Conv2D
Traceback (most recent call last):
...
nnlib._scope.OutOfScopeError: keras.layers.Conv2D (a convolutional layer) is not part of nnlib, a teaching library for dense networks. Use real Keras for it: pip install keras, then import keras.
"""

__all__ = ["OutOfScopeError", "out_of_scope", "refuse_missing"]


class OutOfScopeError(NotImplementedError):
    """A Keras piece that nnlib, a dense-network teaching library, does not implement."""


def out_of_scope(piece, detail=None):
    """The error for `piece` ("keras.layers.Conv2D (a convolutional layer)"); `detail` says why
    it matters here, when there is more to say than that it is missing."""
    reason = f": {detail}" if detail else ""
    return OutOfScopeError(
        f"{piece} is not part of nnlib, a teaching library for dense networks{reason}. "
        "Use real Keras for it: pip install keras, then import keras.")


def refuse_missing(keras_module, refused):
    """A module ``__getattr__`` that raises :func:`out_of_scope` for the names in `refused`
    (``{name: what it is}``) and ``AttributeError`` for any other missing name; `keras_module`
    is the Keras name of the module (``"keras.layers"``)."""

    def __getattr__(name):
        if name in refused:
            raise out_of_scope(f"{keras_module}.{name} ({refused[name]})")
        raise AttributeError(f"module {keras_module!r} (nnlib) has no attribute {name!r}")

    return __getattr__
