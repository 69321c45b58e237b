r"""Data handling for ``fit``, ``evaluate`` and ``predict``: checks, validation split, batches.

Everything here runs once per call, before the training loop, so that the loop itself works on
arrays already known to be right (float, finite, the model's shapes) and never re-checks them.
Keras's counterpart is ``keras.src.trainers.data_adapters``; nnlib follows its rules:

* **validation split**: the *last* fraction of the rows validates, cut before any shuffling
  (the first $\lfloor n (1 - s) \rfloor$ rows train);
* **batches**: ``batch_size`` rows each (default 32), the last batch holds the rows left over;
  with ``shuffle=True`` the training rows are visited in a new random order every epoch
  (:func:`nnlib.core.training.batches`, reachable here as ``batches``);
* **sample weights**: ``sample_weight`` gives each row's weight in the loss; ``class_weight``
  ``{class: weight}`` gives every row of a class the same weight (rows of classes not listed
  weigh 1); the two cannot be combined.

Examples
--------
>>> list(batches(5, batch_size=2, order=None))
[slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
>>> class_weight_to_sample_weight(np.array([0, 1, 1]), {1: 3.0})
array([1., 3., 3.], dtype=float32)
"""

import math
import numbers

import numpy as np

from nnlib import config
from nnlib._validation import as_float_array, check_choice, check_number, describe
from nnlib.core.training import batches

__all__ = ["prepare_x", "prepare_y", "prepare_ys", "prepare_sample_weight",
           "prepare_sample_weights", "per_output", "take",
           "class_weight_to_sample_weight", "split_validation", "batches"]


def _by_name(value, names, name, what):
    """The arrays of a dict ``{name: array}`` in the order of `names` (inputs or outputs)."""
    for key in value:
        try:
            check_choice(key, f"{name} key", names, kind=what)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    missing = [n for n in names if n not in value]
    if missing:
        raise ValueError(f"{name}: the model's {what}s are {names}; the dict has no array for "
                         f"{missing}.")
    return [value[n] for n in names]


def prepare_x(x, inputs, dtype, name="x", names=None):
    """The model's input arrays for ``x``: one float array of shape (n, *input shape) per input.

    `inputs` are the model's Input tensors; `dtype` is the dtype of the model's weights. ``x``
    may also be a dict by input name (`names`, default the Input layers' names), as in Keras.
    """
    if x is None:
        raise ValueError(f"{name} is required: an array of shape (batch_size, features).")
    if isinstance(x, dict):
        x = _by_name(x, names or [t.layer.name for t in inputs], name, "input")
        x = x if len(inputs) > 1 else x[0]
    if len(inputs) > 1:
        if not isinstance(x, (list, tuple)) or len(x) != len(inputs):
            raise ValueError(
                f"{name}: the model has {len(inputs)} inputs "
                f"({', '.join(t.layer.name for t in inputs)}); received "
                f"{describe(x)}. Pass a list with one array per input.")
        raw = list(x)
    else:
        raw = [x]
    xs = []
    for k, (value, tensor) in enumerate(zip(raw, inputs)):
        label = name if len(inputs) == 1 else f"{name}[{k}]"
        array = as_float_array(value, label)
        expected = tensor.shape[1:]
        if array.ndim != len(tensor.shape) or array.shape[1:] != expected:
            hint = ""
            if array.ndim == len(tensor.shape) - 1 and array.shape == expected:
                hint = f" For one example use {label}.reshape(1, -1)."
            raise ValueError(
                f"{label}: the model expects input of shape (batch_size, "
                f"{', '.join(map(str, expected))}) ({expected[-1]} features); received shape "
                f"{array.shape}.{hint}")
        xs.append(array.astype(dtype, copy=False))
    rows = {a.shape[0] for a in xs}
    if len(rows) > 1:
        raise ValueError(f"{name}: all input arrays must have the same number of rows; "
                         f"received {[a.shape[0] for a in xs]}.")
    return xs


def prepare_y(y, n_rows, loss, output_shape, dtype, name="y"):
    """Check the targets against the rows of x, the loss and the model's output shape."""
    if y is None:
        raise ValueError(f"{name} is required: one target per row of x.")
    y = as_float_array(y, name).astype(dtype, copy=False)
    if y.ndim == 0 or y.shape[0] != n_rows:
        raise ValueError(
            f"{name}: expected {n_rows} rows, one target per row of x; received shape "
            f"{y.shape}.")
    out_shape = tuple(output_shape[1:])
    loss_name = getattr(loss, "name", "")
    if getattr(loss, "class_labels", False):  # targets are class indices, one per row
        if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
            raise ValueError(
                f"{name}: {loss_name} expects integer class labels of shape "
                f"({n_rows},); received shape {y.shape}. For one-hot targets use "
                "loss='categorical_crossentropy'.")
        if np.any(y != np.round(y)) or y.min() < 0 or y.max() >= out_shape[-1]:
            raise ValueError(
                f"{name}: {loss_name} expects integer class labels in "
                f"[0, {out_shape[-1]}) (the model has {out_shape[-1]} outputs); received values "
                f"from {y.min():g} to {y.max():g}.")
        return y
    expanded = y.reshape(n_rows, 1) if y.ndim == 1 else y
    if expanded.shape[1:] != out_shape:
        hint = ""
        if loss_name == "categorical_crossentropy" and y.ndim == 1:
            hint = (" Class labels need one-hot encoding (nnlib.utils.to_categorical) or "
                    "loss='sparse_categorical_crossentropy'.")
        raise ValueError(
            f"{name}: loss {loss_name!r} needs targets shaped like the model's output "
            f"({n_rows}, {', '.join(map(str, out_shape))}); received shape {y.shape}.{hint}")
    return y


def prepare_ys(y, n_rows, losses, output_shapes, names, dtype, name="y"):
    """One target array per output, each checked by :func:`prepare_y`: ``y`` is the array of a
    one-output model, or a list in the outputs' order, or a dict by output name (`names`)."""
    if len(names) == 1:
        return [prepare_y(y, n_rows, losses[0], output_shapes[0], dtype, name)]
    if isinstance(y, dict):
        raw = _by_name(y, names, name, "output")
    elif isinstance(y, (list, tuple)) and len(y) == len(names):
        raw = list(y)
    else:
        raise ValueError(
            f"{name}: the model has {len(names)} outputs {names}; received {describe(y)}. Pass "
            "a list with one target array per output, or a dict by output name.")
    return [prepare_y(v, n_rows, loss, shape, dtype, f"{name}[{key!r}]")
            for v, loss, shape, key in zip(raw, losses, output_shapes, names)]


def class_weight_to_sample_weight(y, class_weight):
    """Per-row weights from ``{class: weight}``, as Keras: the class of a row is its label, or
    the argmax of a one-hot row; classes not in the dict weigh 1."""
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class index: weight}}; received "
                        f"{describe(class_weight)}.")
    for key, value in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            raise TypeError(f"class_weight: keys must be class indices (ints); received "
                            f"{describe(key)}.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
                math.isfinite(value) and value >= 0):
            raise ValueError(f"class_weight[{key}] must be a number >= 0; received {value!r}.")
    labels = y
    if y.ndim > 1:
        labels = y.argmax(axis=-1) if y.shape[-1] != 1 else y[..., 0]
    labels = np.round(labels).astype(np.int64)
    weights = np.ones(labels.shape[0], dtype=config.floatx())
    for cls, weight in class_weight.items():
        weights[labels == cls] = weight
    return weights


def prepare_sample_weight(sample_weight, class_weight, y, dtype, name="sample_weight"):
    """One weight per row (or None): from `sample_weight`, or from `class_weight` and `y`."""
    if sample_weight is not None and class_weight is not None:
        raise ValueError("fit: give sample_weight or class_weight, not both (Keras refuses the "
                         "combination too); fold the class weights into sample_weight.")
    if class_weight is not None:
        return class_weight_to_sample_weight(y, class_weight).astype(dtype, copy=False)
    if sample_weight is None:
        return None
    weights = as_float_array(sample_weight, name).astype(dtype, copy=False)
    if weights.ndim == 2 and weights.shape[1] == 1:
        weights = weights[:, 0]
    if weights.shape != (y.shape[0],):
        raise ValueError(f"{name}: expected one weight per row, shape ({y.shape[0]},); "
                         f"received shape {weights.shape}.")
    if weights.min(initial=0) < 0:
        raise ValueError(f"{name} must hold weights >= 0; received a minimum of "
                         f"{weights.min():g}.")
    return weights


def prepare_sample_weights(sample_weight, ys, names, dtype, name="sample_weight"):
    """The weights of the rows for the targets `ys` (one array per output), as Keras takes them:
    None, one array for every output, or, for several outputs, a list in the outputs' order or a
    dict by output name (`names`) with one array (or None: unweighted) per output."""
    several = len(ys) > 1 and (isinstance(sample_weight, dict) or (
        isinstance(sample_weight, (list, tuple)) and len(sample_weight) == len(ys)
        and all(w is None or np.ndim(w) >= 1 for w in sample_weight)))
    if not several:
        return prepare_sample_weight(sample_weight, None, ys[0], dtype, name)
    given = (_by_name(sample_weight, names, name, "output") if isinstance(sample_weight, dict)
             else list(sample_weight))
    return [prepare_sample_weight(w, None, y, dtype, f"{name}[{key!r}]")
            for w, y, key in zip(given, ys, names)]


def per_output(sample_weight, count):
    """Each of `count` outputs' weights, Keras's rule: a list gives each output its own, one
    array (or None) weighs every output."""
    return sample_weight if isinstance(sample_weight, list) else [sample_weight] * count


def take(sample_weight, rows):
    """The weights of `rows`: of every output's array when they come one per output."""
    if isinstance(sample_weight, list):
        return [None if w is None else w[rows] for w in sample_weight]
    return None if sample_weight is None else sample_weight[rows]


def split_validation(xs, y, sample_weight, fraction):
    """``(train, validation)``, each ``(xs, y, sample_weight)``: the last `fraction` validates.
    ``xs`` has one array per input; ``y`` is the targets, or a list with one array per output."""
    fraction = check_number(fraction, "validation_split", low=0, high=1, high_inclusive=False)
    n = xs[0].shape[0]
    split_at = int(math.floor(n * (1.0 - fraction)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"validation_split={fraction} leaves {split_at} of {n} rows for training; choose a "
            "split that leaves rows for both training and validation.")

    def cut(rows):
        return ([a[rows] for a in xs], [a[rows] for a in y] if isinstance(y, list) else y[rows],
                take(sample_weight, rows))

    return cut(slice(0, split_at)), cut(slice(split_at, n))
