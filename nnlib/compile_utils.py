"""``compile``'s loss, loss_weights and metrics, matched to a model's outputs as Keras matches them.

A model with several outputs has a loss term for each: the loss ``fit`` minimises is
$L = \\sum_k w_k L_k$, with $L_k$ the loss of output $k$ and $w_k$ its ``loss_weights`` entry
(1 when not given). Backward starts at every output with
$w_k\\,\\partial L_k / \\partial \\hat y_k$.
Keras's rules, as ``keras.src.trainers.compile_utils`` applies them, for outputs named
``["o1", "o2"]`` (the output layers' names, or the keys of ``Model(outputs={...})``):

* ``loss``: one loss for every output (``"mse"``), a list with one entry per output, or a dict
  ``{"o1": ..., "o2": ...}`` naming every output; an entry ``None`` means no loss for that output;
* ``loss_weights``: a number (one output), a list with one number per output, or a dict naming every
  output;
* ``metrics``: for one output a list (``["accuracy"]``); for several, a list with one entry per
  output (a name, a list of names, or None) or a dict ``{"o2": ["accuracy"]}`` naming some outputs;
* logs: ``loss`` (the weighted sum), ``o1_loss``, ``o2_loss`` (each output's own loss, unweighted,
  when more than one output has a loss) and ``o1_accuracy``... (a metric's name after its output's).

Examples
--------
>>> [loss.name for loss in resolve_losses("mse", ["o1", "o2"])]
['mean_squared_error', 'mean_squared_error']
>>> resolve_loss_weights({"o2": 0.2, "o1": 1.0}, ["o1", "o2"])
[1.0, 0.2]
>>> resolve_metrics({"o2": "accuracy"}, ["o1", "o2"])
[[], ['accuracy']]
"""

import numbers

from nnlib import losses
from nnlib import metrics as metrics_module
from nnlib._validation import check_choice, describe

__all__ = ["resolve_losses", "resolve_loss_weights", "resolve_metrics", "log_order"]


def _per_output(value, names, argument, missing_ok=False):
    """`value` given per output (a list in the outputs' order or a dict by name), as a list."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(
                f"compile: {argument} must have one entry per output of the model "
                f"({len(names)}: {names}); received {len(value)} entries.")
        return list(value)
    for key in value:
        try:
            check_choice(key, f"compile: {argument} key", names, kind="output")
        except ValueError as error:
            raise ValueError(f"compile: {argument}: {error}") from None
    if not missing_ok and set(value) != set(names):
        raise ValueError(
            f"compile: {argument} must name every output of the model {names}; missing "
            f"{[n for n in names if n not in value]}. Give None for an output without one.")
    return [value.get(name) for name in names]


def resolve_losses(loss, names):
    """One :class:`~nnlib.losses.Loss` (or None: no loss) per output named `names`."""
    if loss is None:
        raise ValueError("compile: loss is required, for example loss='mse'; received None.")
    if isinstance(loss, (list, tuple, dict)):
        entries = _per_output(loss, names, "loss")
    else:
        entries = [loss] * len(names)  # one loss for every output, as Keras
    if all(entry is None for entry in entries):
        raise ValueError(f"compile: loss gives no loss for any output of the model {names}; "
                         f"received {describe(loss)}.")
    return [None if entry is None else losses.get(entry) for entry in entries]


def resolve_loss_weights(loss_weights, names):
    """Each output's weight in the total loss (None: weight 1, the loss as it is)."""
    if loss_weights is None:
        return [None] * len(names)
    if isinstance(loss_weights, numbers.Real) and not isinstance(loss_weights, bool):
        if len(names) != 1:
            raise ValueError(f"compile: loss_weights must be a list or dict for a model with "
                             f"{len(names)} outputs {names}; received {loss_weights!r}.")
        weights = [loss_weights]
    elif isinstance(loss_weights, (list, tuple, dict)):
        weights = _per_output(loss_weights, names, "loss_weights")
    else:
        raise TypeError(f"compile: loss_weights must be a number, a list or a dict by output "
                        f"name; received {describe(loss_weights)}.")
    for name, weight in zip(names, weights):
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise TypeError(f"compile: loss_weights for output {name!r} must be a number; "
                            f"received {describe(weight)}.")
    return [float(weight) for weight in weights]


def resolve_metrics(metrics, names, argument="metrics"):
    """The metric names or objects of each output (a list per output), checked now rather than
    at the first fit; `argument` names compile's argument (``weighted_metrics`` too)."""
    if metrics is None or (isinstance(metrics, (list, tuple, dict)) and not metrics):
        return [[] for _ in names]  # none (an empty list too, as Keras takes it)
    if isinstance(metrics, (str, metrics_module.Metric)) or not isinstance(
            metrics, (list, tuple, dict)):
        raise TypeError(f"compile: {argument} must be a list such as ['accuracy'] (or, for several "
                        f"outputs, a dict by output name); received {describe(metrics)}.")
    if len(names) == 1:  # every metric is the one output's
        per_output = [[spec for entry in (metrics.values() if isinstance(metrics, dict)
                                          else metrics)
                       for spec in (entry if isinstance(entry, (list, tuple)) else [entry])]]
    elif isinstance(metrics, dict) or len(metrics) == len(names):
        per_output = [[] if entry is None else list(entry) if isinstance(entry, (list, tuple))
                      else [entry] for entry in _per_output(metrics, names, argument,
                                                            missing_ok=True)]
    else:
        raise ValueError(
            f"compile: a model with {len(names)} outputs {names} needs {argument} as a list with "
            f"one entry per output (e.g. [['accuracy'], None]) or a dict by output name (e.g. "
            f"{{{names[0]!r}: ['accuracy']}}); received {metrics!r}.")
    for specs in per_output:
        for spec in specs:
            metrics_module.get(spec, (2, 2), (2, 2))  # an unknown name fails here, not in fit
    return per_output


def log_order(logs, metric_names, loss_names):
    """``evaluate``'s list: the loss, the metrics under their own names, each output's loss, then
    the other logs sorted (Keras's ``_flatten_metrics_in_order``; as there, a name two metrics
    share, such as a metric and its weighted twin, gives the first one's value twice)."""
    first = [name for name in ["loss", *metric_names, *loss_names] if name in logs]
    values = [logs[name] for name in first] + [logs[key] for key in sorted(logs)
                                               if key not in first]
    return values[0] if len(values) == 1 else values
