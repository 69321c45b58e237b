r"""Models: layers joined into a network, and the loop that trains them (Keras 3's API and numbers).

Two ways to build one, as in Keras:

* :class:`Sequential` for a plain stack, ``Sequential([Input((4,)), Dense(8, "relu"), Dense(1)])``;
* :class:`Model` for any graph of layers: call layers on the symbolic tensors from
  :func:`~nnlib.layers.Input` and hand the first and last tensors to ``Model(inputs, outputs)``.

Training, ``fit``, repeats for every epoch: cut the training rows into mini-batches (a new random
order each epoch when ``shuffle=True``; the last batch may be smaller), and for each batch

1. forward: compute the predictions $\hat y$, layer after layer;
2. the loss $L(y, \hat y)$, averaged over the batch;
3. backward: $\partial L / \partial \hat y$, then every layer in reverse order turns the gradient
   of its output into the gradients of its weights and of its input (backpropagation);
4. the optimizer moves every weight against its gradient.

The loss and metrics reported for an epoch are running means over its batches, each batch measured
with the weights *before* that batch's update (so they lag behind the final weights); ``val_*``
values are measured on the validation data after the epoch.

Examples
--------
>>> import numpy as np
>>> from nnlib import utils  # and Input, Dense from nnlib.layers
>>> utils.set_random_seed(0)
>>> model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
>>> model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
>>> x = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0.0, 1.0])
>>> history = model.fit(x, y, epochs=3, verbose=0)
>>> list(history.history)
['accuracy', 'loss']
>>> model.predict(x, verbose=0).shape
(2, 1)
"""

import math
import numbers

import numpy as np

from nnlib import config, losses, optimizers, utils
from nnlib import metrics as nnlib_metrics  # compile() has an argument called metrics
from nnlib._validation import (
    as_float_array,
    check_non_negative_int,
    check_positive_int,
    describe,
)
from nnlib.callbacks import History
from nnlib.layers import Dense, Input, InputLayer, Layer, SymbolicTensor, _Merge, unique_name
from nnlib.progress import ProgressBar

__all__ = ["Model", "Sequential", "NonFiniteLossError"]


class NonFiniteLossError(FloatingPointError):
    """Raised by ``fit`` when the loss becomes NaN or infinite (the weights have diverged)."""


# --------------------------------------------------------------------------------------------------
# The graph: which layer feeds which, in an order where every layer comes after its inputs.
# --------------------------------------------------------------------------------------------------


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _topological_nodes(outputs):
    """Every layer the outputs depend on, each after the layers that feed it (depth-first)."""
    order, state = [], {}

    def visit(tensor):
        key = id(tensor)
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise ValueError(f"The graph has a cycle through layer {tensor.layer.name!r}.")
        state[key] = "visiting"
        for parent in tensor.inputs:
            visit(parent)
        state[key] = "done"
        order.append(tensor)

    for tensor in outputs:
        visit(tensor)
    return order


def _has_weights_upstream(tensor, memo):
    key = id(tensor)
    if key not in memo:
        memo[key] = bool(tensor.layer.weights) or any(
            _has_weights_upstream(parent, memo) for parent in tensor.inputs)
    return memo[key]


def _readable_size(n_bytes):
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


class Model:
    """A network given by its inputs and output, as ``keras.Model(inputs, outputs)``.

    Parameters
    ----------
    inputs : SymbolicTensor or list of SymbolicTensor
        What :func:`~nnlib.layers.Input` returned.
    outputs : SymbolicTensor
        The result of calling the last layer (one output).
    name : str, optional

    Examples
    --------
    >>> inputs = Input((3,))  # Input and Dense come from nnlib.layers
    >>> hidden = Dense(4, activation="relu")(inputs)
    >>> model = Model(inputs, Dense(1)(hidden))
    >>> model.count_params()
    21
    """

    def __init__(self, inputs=None, outputs=None, name=None):
        self.name = name or unique_name("functional" if type(self) is Model else
                                        type(self).__name__.lower())
        self.optimizer = None
        self.loss = None
        self._compiled = False
        self._metric_names = []
        self._inputs = []
        if type(self) is Model:
            if inputs is None or outputs is None:
                raise TypeError("Model(inputs, outputs): both are required; build them with "
                                "nnlib.layers.Input and by calling layers, or use Sequential.")
            self._set_graph(_as_list(inputs), outputs)

    # ---- graph -------------------------------------------------------------------------------
    def _set_graph(self, inputs, outputs):
        for k, t in enumerate(inputs):
            if not isinstance(t, SymbolicTensor) or not isinstance(t.layer, InputLayer):
                raise TypeError(
                    f"Model: inputs[{k}] must be a tensor returned by nnlib.layers.Input; "
                    f"received {describe(t)}.")
        if isinstance(outputs, (list, tuple)):
            if len(outputs) != 1:
                raise ValueError(
                    f"Model: nnlib models have exactly one output; received {len(outputs)} outputs.")
            outputs = outputs[0]
        if not isinstance(outputs, SymbolicTensor):
            raise TypeError(
                "Model: outputs must be the tensor returned by calling a layer on Input() tensors; "
                f"received {describe(outputs)}.")
        order = _topological_nodes([outputs])
        given = {id(t) for t in inputs}
        for tensor in order:
            if isinstance(tensor.layer, InputLayer) and id(tensor) not in given:
                users = [t.layer.name for t in order if any(p is tensor for p in t.inputs)]
                raise ValueError(
                    f"Model: the graph is disconnected: layer {users[0]!r} needs input "
                    f"{tensor.layer.name!r}, which is not in `inputs`. Pass it in "
                    "Model(inputs=[...]).")
        reached = {id(t) for t in order}
        for tensor in inputs:
            if id(tensor) not in reached:
                raise ValueError(
                    f"Model: input {tensor.layer.name!r} is not used to compute the output; "
                    "remove it from `inputs` or connect it to a layer.")
        self._inputs = inputs
        self._output = outputs
        memo = {}
        # (layer, input tensors, output tensor, which inputs need a gradient) in forward order
        self._nodes = [
            (t.layer, t.inputs, t,
             [_has_weights_upstream(p, memo) for p in t.inputs])
            for t in order if not isinstance(t.layer, InputLayer)
        ]
        self._all_layers = [t.layer for t in inputs] + [node[0] for node in self._nodes]
        self._dtype = np.dtype(config.floatx())
        for layer in self._all_layers:
            if layer.weights:
                self._dtype = layer.weights[0].dtype
                break
        self._pack_weights()
        self.built = True

    def _pack_weights(self):
        """Move every weight into one flat array, and every gradient into another.

        Each layer keeps its own ``kernel`` and ``bias``, now views (windows) into the flat arrays,
        so nothing changes for the layers; the optimizer, though, can update all the weights with
        a couple of whole-array operations per step instead of a couple per array.
        """
        arrays = [w for layer in self._all_layers for w in layer.weights]
        dtypes = {w.dtype for w in arrays}
        if len(dtypes) != 1:
            self._flat = None  # mixed precision: leave the arrays separate
            return
        dtype = dtypes.pop()
        flat_weights = np.empty(sum(w.size for w in arrays), dtype=dtype)
        flat_grads = np.zeros_like(flat_weights)
        start = 0
        for layer in self._all_layers:
            weights, grads = [], []
            for w in layer.weights:
                stop = start + w.size
                weights.append(flat_weights[start:stop].reshape(w.shape))
                weights[-1][...] = w
                grads.append(flat_grads[start:stop].reshape(w.shape))
                start = stop
            layer.weights, layer.grads = weights, grads
            for name, view in zip(layer.weight_names, weights):
                setattr(layer, name, view)
        self._flat = (flat_weights, flat_grads)

    @property
    def layers(self):
        """The layers in order of computation (functional models include their InputLayers)."""
        return list(self._all_layers) if getattr(self, "built", False) else []

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def trainable_weights(self):
        """The live weight arrays (optimizers change them in place), in a fixed order."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def weights(self):
        return self.trainable_weights

    @property
    def weight_paths(self):
        """``"dense/kernel"``, ``"dense/bias"``, ... aligned with ``trainable_weights``."""
        return [f"{layer.name}/{name}" for layer in self.layers for name in layer.weight_names]

    def _gradients(self):
        return [g for layer in self.layers for g in layer.grads]

    # ---- forward and backward ----------------------------------------------------------------
    def _forward(self, xs):
        values = {id(t): x for t, x in zip(self._inputs, xs)}
        for layer, inputs, output, _ in self._nodes:
            args = [values[id(t)] for t in inputs]
            values[id(output)] = layer.forward(args if len(args) > 1 else args[0])
        return values[id(self._output)]

    def _backward(self, grad, from_z=False):
        """Backpropagate ``grad`` = dL/d(output) (or dL/dz of the output layer when ``from_z``)."""
        grads = {id(self._output): grad}
        for k, (layer, inputs, output, needs) in enumerate(reversed(self._nodes)):
            g = grads.pop(id(output), None)
            wanted = any(needs)
            if g is None or (not wanted and not layer.weights):
                continue  # nothing upstream of this layer learns
            if k == 0 and from_z:
                result = layer.backward_from_z(g, input_gradient=wanted)
            else:
                result = layer.backward(g, input_gradient=wanted)
            if not wanted:
                continue
            for tensor, dx, need in zip(inputs, _as_list(result) if len(inputs) > 1 else [result],
                                        needs):
                if need:  # a tensor used by several layers receives the sum of their gradients
                    key = id(tensor)
                    grads[key] = dx if key not in grads else grads[key] + dx

    def __call__(self, x):
        """Predict on arrays in one batch (``model(x)``, as in Keras)."""
        if isinstance(x, SymbolicTensor) or (
                isinstance(x, (list, tuple)) and any(isinstance(t, SymbolicTensor) for t in x)):
            raise TypeError(f"{self.name}: nnlib models cannot be used as layers of another model.")
        xs = self._prepare_x(x)
        return self._forward(xs)

    # ---- data checks (once per call of fit / evaluate / predict) ----------------------------
    def _ensure_built(self, x):
        """Sequential builds from the first data it sees; functional models are built already."""

    def _prepare_x(self, x, name="x"):
        if x is None:
            raise ValueError(f"{name} is required: an array of shape (batch_size, features).")
        if self.built and len(self._inputs) > 1:
            if not isinstance(x, (list, tuple)) or len(x) != len(self._inputs):
                raise ValueError(
                    f"{name}: the model has {len(self._inputs)} inputs "
                    f"({', '.join(t.layer.name for t in self._inputs)}); received "
                    f"{describe(x)}. Pass a list with one array per input.")
            xs_raw = list(x)
        else:
            xs_raw = [x]
            self._ensure_built(x)
        xs = []
        for k, (raw, tensor) in enumerate(zip(xs_raw, self._inputs)):
            label = name if len(self._inputs) == 1 else f"{name}[{k}]"
            array = as_float_array(raw, label)
            expected = tensor.shape[1:]
            if array.ndim != len(tensor.shape) or array.shape[1:] != expected:
                hint = ""
                if array.ndim == len(tensor.shape) - 1 and array.shape == expected:
                    hint = f" For one example use {label}.reshape(1, -1)."
                raise ValueError(
                    f"{label}: the model expects input of shape (batch_size, "
                    f"{', '.join(map(str, expected))}) ({expected[-1]} features); received shape "
                    f"{array.shape}.{hint}")
            xs.append(array.astype(self._dtype, copy=False))
        rows = {a.shape[0] for a in xs}
        if len(rows) > 1:
            raise ValueError(f"{name}: all input arrays must have the same number of rows; "
                             f"received {[a.shape[0] for a in xs]}.")
        return xs

    def _prepare_y(self, y, n_rows, name="y"):
        y = as_float_array(y, name).astype(self._dtype, copy=False)
        if y.ndim == 0 or y.shape[0] != n_rows:
            raise ValueError(
                f"{name}: expected {n_rows} rows, one target per row of x; received shape "
                f"{y.shape}.")
        out_shape = self._output.shape[1:]
        if self.loss.name == "sparse_categorical_crossentropy":
            if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
                raise ValueError(
                    f"{name}: sparse_categorical_crossentropy expects integer class labels of shape "
                    f"({n_rows},); received shape {y.shape}. For one-hot targets use "
                    "loss='categorical_crossentropy'.")
            if np.any(y != np.round(y)) or y.min() < 0 or y.max() >= out_shape[-1]:
                raise ValueError(
                    f"{name}: sparse_categorical_crossentropy expects integer class labels in "
                    f"[0, {out_shape[-1]}) (the model has {out_shape[-1]} outputs); received values "
                    f"from {y.min():g} to {y.max():g}.")
            return y
        expanded = y.reshape(n_rows, 1) if y.ndim == 1 else y
        if expanded.shape[1:] != out_shape:
            hint = ""
            if (self.loss.name == "categorical_crossentropy" and y.ndim == 1):
                hint = (" Class labels need one-hot encoding (nnlib.utils.to_categorical) or "
                        "loss='sparse_categorical_crossentropy'.")
            raise ValueError(
                f"{name}: loss {self.loss.name!r} needs targets shaped like the model's output "
                f"({n_rows}, {', '.join(map(str, out_shape))}); received shape {y.shape}.{hint}")
        return y

    # ---- compile, fit, evaluate, predict -------------------------------------------------------
    def compile(self, optimizer="sgd", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to report.

        Parameters
        ----------
        optimizer : str or Optimizer
            ``"sgd"``, ``"adam"`` (Keras defaults) or an instance such as ``SGD(0.1)``.
        loss : str or Loss
            ``"mse"``, ``"binary_crossentropy"``, ... or an instance from :mod:`nnlib.losses`.
        metrics : list of str, optional
            ``["accuracy"]`` (resolved from the shapes of targets and outputs, as Keras), ``"mae"``...
        """
        if loss is None:
            raise ValueError("compile: loss is required, for example loss='mse'; received None.")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if metrics is None:
            metrics = []
        if isinstance(metrics, str) or not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile: metrics must be a list of names such as ['accuracy']; "
                            f"received {describe(metrics)}.")
        for name in metrics:
            # Resolving with example shapes checks the name now, not at the first fit.
            metrics_module_get(name, (2, 2), (2, 2))
        self._metric_names = list(metrics)
        self._compiled = True
        self._fused = None

    def _check_compiled(self, method):
        if not self._compiled:
            raise ValueError(
                f"{method}: the model must be compiled first: call "
                "model.compile(optimizer=..., loss=...) before fit or evaluate.")

    def _resolve_metrics(self, y):
        out_shape = (y.shape[0],) + tuple(self._output.shape[1:])
        return [metrics_module_get(name, y.shape, out_shape) for name in self._metric_names]

    def _fused_softmax_crossentropy(self):
        """Whether the output is softmax and the loss cross-entropy on probabilities.

        Then dL/dz = (p * sum(y) - y) / n, the famous "p - y": the same number the chain through
        the loss gradient and the softmax Jacobian gives, without building either (used only while
        no probability is clipped, where the two are mathematically identical).
        """
        layer = self._nodes[-1][0]
        return (isinstance(layer, Dense) and layer.activation.name == "softmax"
                and self.loss.name in ("categorical_crossentropy", "sparse_categorical_crossentropy")
                and not getattr(self.loss, "from_logits", False)
                and not getattr(self.loss, "label_smoothing", 0)
                and getattr(self.loss, "axis", -1) == -1)

    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose="auto", validation_data=None,
            validation_split=0.0, shuffle=True):
        """Train the model on ``x``, ``y`` for ``epochs`` passes over the data.

        Parameters
        ----------
        x : array of shape (n, features), or a list of arrays for a model with several inputs
        y : array of targets, one per row of ``x``
        batch_size : int
            Rows per gradient step (default 32). The last batch holds the rows left over.
        epochs : int
        verbose : "auto", 0, 1 or 2
            ``"auto"``/1: a progress bar; 2: one line per epoch; 0: silent.
        validation_data : tuple (x_val, y_val), optional
        validation_split : float in [0, 1)
            Keep the *last* fraction of the rows (taken before shuffling) for validation.
        shuffle : bool
            Visit the training rows in a new random order every epoch.

        Returns
        -------
        History
            ``history.history["loss"]`` etc.: one value per epoch.

        Raises
        ------
        NonFiniteLossError
            When the loss becomes NaN or infinite (usually: the learning rate is too large).
        """
        self._check_compiled("fit")
        batch_size = check_positive_int(batch_size, "batch_size")
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
            raise TypeError(f"epochs must be a non-negative integer; received {describe(epochs)}.")
        epochs = check_non_negative_int(epochs, "epochs")
        verbose = self._check_verbose(verbose)
        if (isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real)
                or not 0 <= validation_split < 1):
            raise ValueError(f"validation_split must be a number in [0, 1); received "
                             f"{validation_split!r}.")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be True or False; received {describe(shuffle)}.")
        if x is None or y is None:
            raise ValueError("fit: x and y are required.")

        xs = self._prepare_x(x)
        n = xs[0].shape[0]
        y = self._prepare_y(y, n)
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val); received "
                                 f"{describe(validation_data)}.")
            vxs = self._prepare_x(validation_data[0], "validation_data[0]")
            val = (vxs, self._prepare_y(validation_data[1], vxs[0].shape[0], "validation_data[1]"))
        elif validation_split:
            split_at = int(math.floor(n * (1.0 - validation_split)))
            if split_at == 0 or split_at == n:
                raise ValueError(
                    f"validation_split={validation_split} leaves {split_at} of {n} rows for "
                    "training; choose a split that leaves rows for both training and validation.")
            val = ([a[split_at:] for a in xs], y[split_at:])
            xs, y, n = [a[:split_at] for a in xs], y[:split_at], split_at
        if n == 0:
            raise ValueError("fit: x has no rows.")

        metric_fns = self._resolve_metrics(y)
        shortcut = _SoftmaxCrossentropy(self.loss, y) if self._fused_softmax_crossentropy() \
            else None
        steps = -(-n // batch_size)

        history = History()
        history.set_model(self)
        history.set_params({"verbose": verbose, "epochs": epochs, "steps": steps})
        self.history = history
        # A diverging run overflows long before its loss is checked; the check below reports it
        # with the epoch and batch, so NumPy's own warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._train(xs, y, val, batch_size, epochs, verbose, shuffle, metric_fns, shortcut,
                        history, steps)
        return history

    def _train(self, xs, y, val, batch_size, epochs, verbose, shuffle, metric_fns, shortcut,
               history, steps):
        """fit's loop, once the data are checked."""
        if self._flat is not None:
            weights, grads = [self._flat[0]], [self._flat[1]]
        else:
            weights, grads = self.trainable_weights, self._gradients()
        n = xs[0].shape[0]
        rng = utils.get_rng()
        f32 = np.float32
        # Accuracy on class labels, the metric of most classifiers, is counted here directly: fit
        # checked the labels once (sparse cross-entropy), so the metric function's checks of every
        # batch would only repeat themselves. Same rule, argmax == label (first maximum on ties).
        labels = None
        if (self.loss.name == "sparse_categorical_crossentropy"
                and len(self._output.shape) == 2):
            labels = y.reshape(-1).astype(np.intp)
        counted = [labels is not None and fn.function is nnlib_metrics.sparse_categorical_accuracy
                   for fn in metric_fns]
        for epoch in range(epochs):
            if verbose and epochs > 1:
                print(f"Epoch {epoch + 1}/{epochs}")
            bar = ProgressBar(steps, verbose) if verbose else None
            order = rng.permutation(n) if shuffle else None
            loss_total, seen = f32(0), 0
            metric_totals = [f32(0)] * len(metric_fns)
            for step in range(steps):
                rows = slice(step * batch_size, min((step + 1) * batch_size, n))
                if order is not None:
                    rows = order[rows]
                xb = [a[rows] for a in xs]
                yb = y[rows]
                size = yb.shape[0]

                y_pred = self._forward(xb)
                fused = None if shortcut is None else shortcut.loss_and_gradient(y_pred, yb, rows)
                if fused is not None:
                    loss, dz = fused
                    grad = None
                elif np.isfinite(y_pred).all():
                    # the loss's math without its input checks: fit has checked y once, above
                    loss, grad = self.loss._value_and_gradient(yb, y_pred)
                else:
                    loss = math.nan  # the network's output itself overflowed
                if not math.isfinite(loss):
                    raise NonFiniteLossError(
                        f"fit: the loss became {float(loss)} at epoch {epoch + 1}, batch "
                        f"{step + 1}: the weights diverged. Try a smaller learning rate (now "
                        f"{self.optimizer.learning_rate}), or standardise the inputs.")
                # metrics first: they describe the predictions made before this batch's update
                loss_total += f32(loss) * f32(size)
                seen += size
                for k, fn in enumerate(metric_fns):
                    if counted[k]:
                        correct = np.count_nonzero(y_pred.argmax(axis=1) == labels[rows])
                        metric_totals[k] += f32(correct)
                    else:
                        metric_totals[k] += np.sum(fn(yb, y_pred), dtype=f32)

                if grad is None:
                    self._backward(dz, from_z=True)
                else:
                    self._backward(grad)
                self.optimizer.apply(grads, weights)

                if bar is not None and bar.live and step + 1 < steps:
                    bar.update(step + 1, self._logs(loss_total, seen, metric_fns, metric_totals))
            logs = self._logs(loss_total, seen, metric_fns, metric_totals)
            if val is not None:
                val_logs = self._evaluate_arrays(val[0], val[1], batch_size)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            if bar is not None:
                bar.update(steps, logs)  # the epoch's final line, validation included
            history.on_epoch_end(epoch, logs)

    @staticmethod
    def _logs(loss_total, seen, metric_fns, metric_totals):
        logs = {fn.name: float(total / np.float32(seen)) for fn, total in zip(metric_fns,
                                                                              metric_totals)}
        logs["loss"] = float(loss_total / np.float32(seen))
        return dict(sorted(logs.items()))

    def _evaluate_arrays(self, xs, y, batch_size):
        metric_fns = self._resolve_metrics(y)
        n = xs[0].shape[0]
        loss_total, seen = np.float32(0), 0
        metric_totals = [np.float32(0)] * len(metric_fns)
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            xb, yb = [a[rows] for a in xs], y[rows]
            y_pred = self._forward(xb)
            with np.errstate(all="ignore"):
                loss = self.loss(yb, y_pred)
            loss_total += np.float32(loss) * np.float32(yb.shape[0])
            seen += yb.shape[0]
            for k, fn in enumerate(metric_fns):
                metric_totals[k] += np.sum(fn(yb, y_pred), dtype=np.float32)
        return self._logs(loss_total, seen, metric_fns, metric_totals)

    @staticmethod
    def _check_verbose(verbose):
        if verbose == "auto":
            return 1
        if isinstance(verbose, bool) or verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 'auto', 0, 1 or 2; received {verbose!r}.")
        return int(verbose)

    def evaluate(self, x=None, y=None, batch_size=32, verbose="auto", return_dict=False):
        """Loss and metrics on ``x``, ``y`` (weights unchanged): ``[loss, metric...]`` as Keras
        (a single float when there are no metrics), or a dict with ``return_dict=True``."""
        self._check_compiled("evaluate")
        batch_size = check_positive_int(batch_size, "batch_size")
        verbose = self._check_verbose(verbose)
        xs = self._prepare_x(x)
        y = self._prepare_y(y, xs[0].shape[0])
        logs = self._evaluate_arrays(xs, y, batch_size)
        if verbose:
            steps = -(-xs[0].shape[0] // batch_size)
            ProgressBar(steps, verbose).update(steps, logs)
        if return_dict:
            return logs
        values = [logs["loss"]] + [logs[k] for k in logs if k != "loss"]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=32, verbose="auto"):
        """The model's outputs for ``x``, computed in batches of ``batch_size`` rows."""
        batch_size = check_positive_int(batch_size, "batch_size")
        verbose = self._check_verbose(verbose)
        xs = self._prepare_x(x)
        n = xs[0].shape[0]
        outputs = [self._forward([a[s:s + batch_size] for a in xs]).copy()
                   for s in range(0, n, batch_size)]
        if verbose:
            steps = len(outputs)
            ProgressBar(steps, verbose).update(steps, {})
        if not outputs:
            return np.zeros((0,) + tuple(self._output.shape[1:]), dtype=self._dtype)
        return np.concatenate(outputs, axis=0)

    def compute_loss_and_gradients(self, x, y):
        """The loss on (x, y) as one batch and the gradients aligned with ``trainable_weights``.

        The numbers backpropagation computes, without changing any weight; gradient checking
        (:mod:`nnlib.gradcheck`) compares them with finite differences.
        """
        self._check_compiled("compute_loss_and_gradients")
        xs = self._prepare_x(x)
        y = self._prepare_y(y, xs[0].shape[0])
        y_pred = self._forward(xs)
        loss = float(self.loss(y, y_pred))
        self._backward(self.loss.gradient(y, y_pred))
        return loss, [g.copy() for g in self._gradients()]

    # ---- weights and description ---------------------------------------------------------------
    def get_weights(self):
        """Copies of every weight, layer by layer (Keras's order: kernel, bias, ...)."""
        return [w.copy() for w in self.trainable_weights]

    def set_weights(self, weights):
        """Set every weight from a list like the one ``get_weights`` returns (Keras's too)."""
        current = self.trainable_weights
        weights = list(weights)
        if len(weights) != len(current):
            raise ValueError(
                f"set_weights: the model has {len(current)} weight arrays with shapes "
                f"{[w.shape for w in current]}; received {len(weights)} arrays.")
        for path, w, new in zip(self.weight_paths, current, weights):
            new = np.asarray(new)
            if new.shape != w.shape:
                raise ValueError(f"set_weights: {path} must have shape {w.shape}; received "
                                 f"shape {new.shape}.")
        for w, new in zip(current, weights):
            w[...] = new

    def count_params(self):
        return int(sum(w.size for w in self.trainable_weights))

    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts (Keras's table)."""
        if not self.built:
            print_fn(f'Model: "{self.name}" (not built yet: call it on data, or start with Input)')
            return
        functional = type(self) is Model
        rows = []
        for layer in self.layers:
            shape = "(" + ", ".join(str(d) for d in layer.output_shape) + ")"
            if len(layer.output_shape) == 1:
                shape = shape[:-1] + ",)"
            row = [f"{layer.name} ({type(layer).__name__})", shape, f"{layer.count_params():,}"]
            if functional:
                inbound = layer._inbound or []
                row.append(", ".join(f"{t.layer.name}[0][0]" for t in inbound) or "-")
            rows.append(row)
        widths = [19, 17, 10, 17] if functional else [31, 22, 13]
        right = [False, False, True, False]

        def wrap(text, width):
            if len(text) <= width:
                return [text]
            lines = []
            for word in text.replace(" (", "\n(").replace(", ", ",\n").split("\n"):
                if lines and len(lines[-1]) + 1 + len(word) <= width and not word.startswith("("):
                    lines[-1] += " " + word
                else:
                    lines.append(word if len(word) <= width else word[:width - 1] + "…")
            return lines

        def line(cells):
            wrapped = [wrap(c, w) for c, w in zip(cells, widths)]
            height = max(len(w) for w in wrapped)
            out = []
            for i in range(height):
                parts = []
                for k, (lines, w) in enumerate(zip(wrapped, widths)):
                    text = lines[i] if i < len(lines) else ""
                    parts.append(" " + (text.rjust(w) if right[k] else text.ljust(w)) + " ")
                out.append("│" + "│".join(parts) + "│")
            return out

        def rule(left, mid, right_, fill):
            return left + mid.join(fill * (w + 2) for w in widths) + right_

        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"][:len(widths)]
        out = [f'Model: "{self.name}"', rule("┏", "┳", "┓", "━")]
        out.append("┃" + "┃".join(
            " " + (h.rjust(w) if right[k] else h.ljust(w)) + " "
            for k, (h, w) in enumerate(zip(headers, widths))) + "┃")
        out.append(rule("┡", "╇", "┩", "━"))
        for k, row in enumerate(rows):
            out.extend(line(row))
            out.append(rule("├", "┼", "┤", "─") if k < len(rows) - 1 else rule("└", "┴", "┘", "─"))
        total = self.count_params()
        size = _readable_size(total * self._dtype.itemsize)
        out += [f" Total params: {total:,} ({size})", f" Trainable params: {total:,} ({size})",
                " Non-trainable params: 0 (0.00 B)"]
        print_fn("\n".join(out))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, {len(self.layers)} layers>"


class _SoftmaxCrossentropy:
    r"""Softmax output + cross-entropy loss, differentiated in one step (used by ``fit``).

    For probabilities $p = \mathrm{softmax}(z)$ and targets $y$ of a batch of $n$ rows, the chain
    rule through the loss and the softmax Jacobian collapses to

    $$\frac{\partial L}{\partial z} = \frac{p \sum_k y_k - y}{n} \quad (= (p - y)/n
    \text{ for one-hot } y),$$

    the same number without building either factor. Keras clips the probabilities (divided by
    their row sum, $q = p / \sum_j p_j$) to $[\epsilon, 1-\epsilon]$ inside the loss, and where
    that clip is active the two differ. Only the probabilities the loss reads matter:

    * class labels: the loss reads $q_{i, y_i}$ alone ($y_k = 0$ elsewhere, so clipping another
      entry changes nothing). Where $q_{i, y_i}$ is clipped the loss is flat in it, so that row's
      gradient is 0 and its loss $-\log$ of the bound: done here too, every batch;
    * one-hot (or soft) targets: the loss reads $q_{ik}$ where $y_{ik} \ne 0$; a batch where one
      of those is clipped (or NaN) goes to the general path (``loss_and_gradient`` returns None).

    The loss value is the one :mod:`nnlib.losses` returns, $-\frac1n \sum_i \sum_k y_{ik} \log
    \mathrm{clip}(q_{ik})$, computed here without re-checking the batch (``fit`` checked the data
    once).
    """

    def __init__(self, loss, y):
        self.sparse = loss.name == "sparse_categorical_crossentropy"
        if self.sparse:
            self.labels = y.reshape(-1).astype(np.intp)
        else:
            self.label_sums = y.sum(axis=1, keepdims=True)
        self.low, self.high = losses._clip_bounds(y.dtype)  # Keras's [eps, 1 - eps]
        self.row_numbers = np.arange(y.shape[0])  # for picking p[i, label_i]; made once per fit

    def _unclipped(self, q):
        return q.min() > self.low and q.max() < self.high  # False for NaN too

    def loss_and_gradient(self, p, y, rows):
        """``(loss, dL/dz)`` for the batch, or None for the general path (see the class)."""
        n = p.shape[0]
        if self.sparse:
            picked = (self.row_numbers[:n], self.labels[rows])
            q_label = p[picked] / p.sum(axis=1)  # q[i, label_i]: all the loss reads of q
            per_sample = -np.log(np.clip(q_label, self.low, self.high))
            dz = p.copy()
            dz[picked] -= 1
            dz[(q_label < self.low) | (q_label > self.high)] = 0  # the clip is flat there
        else:
            q = p / p.sum(axis=1, keepdims=True)
            q_read = q[y != 0]  # the probabilities the loss reads
            if q_read.size and not self._unclipped(q_read):
                return None
            per_sample = -np.sum(y * np.log(np.clip(q, self.low, self.high)), axis=1)
            dz = p * self.label_sums[rows]
            dz -= y
        dz *= p.dtype.type(1.0 / n)
        return per_sample.sum() / p.dtype.type(n), dz


def metrics_module_get(name, y_true_shape, y_pred_shape):
    """nnlib.metrics.get, under a name that does not clash with compile's ``metrics`` argument."""
    return nnlib_metrics.get(name, y_true_shape, y_pred_shape)


class Sequential(Model):
    """A stack of layers, each feeding the next, as ``keras.Sequential``.

    Parameters
    ----------
    layers : list, optional
        Layers in order; the first may be ``Input(shape)`` to fix the input size (otherwise the
        model is built from the first data it sees).
    name : str, optional

    Examples
    --------
    >>> model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1)])
    >>> [layer.name for layer in model.layers][-1].startswith("dense")
    True
    >>> model.count_params()
    49
    """

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        self._input_tensor = None
        self.built = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (or, first, an ``Input``)."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            if self._stack or self._input_tensor is not None:
                raise ValueError("Sequential.add: Input(...) can only be the first element.")
            self._input_tensor = layer
            return
        if not isinstance(layer, Layer) or isinstance(layer, InputLayer):
            raise TypeError(f"Sequential.add: expected a layer such as Dense(4); received "
                            f"{describe(layer)}.")
        if isinstance(layer, _Merge):
            raise TypeError(f"Sequential.add: {type(layer).__name__} merges several inputs; use "
                            "the functional Model(inputs, outputs) for it.")
        self._stack.append(layer)
        if self.built:
            self.built = False
            self._build_graph(self._inputs[0])
        elif self._input_tensor is not None:
            self._build_graph(self._input_tensor)

    def _build_graph(self, input_tensor):
        if not self._stack:
            return
        tensor = input_tensor
        for layer in self._stack:
            layer._inbound = None  # rebuilding after add() reconnects the same layers
            tensor = layer(tensor)
        self._set_graph([input_tensor], tensor)

    def _ensure_built(self, x):
        if self.built:
            return
        if not self._stack:
            raise ValueError("Sequential: the model has no layers; add some with model.add(...).")
        if x is None:
            raise ValueError("Sequential: expected one input array.")
        array = np.asarray(x) if not isinstance(x, np.ndarray) else x
        if array.ndim < 2:
            raise ValueError(
                f"x: expected a 2D array of shape (batch_size, features); received shape "
                f"{array.shape}. Reshape a single feature with x.reshape(-1, 1).")
        self._input_tensor = Input(array.shape[1:])
        self._build_graph(self._input_tensor)

    @property
    def layers(self):
        """The layers added, in order (as Keras, without the input)."""
        return list(self._stack)

    def build(self, input_shape):
        """Build for inputs of ``input_shape`` = (None, features), as ``keras.Model.build``."""
        if not self.built:
            self._ensure_built(np.zeros((1,) + tuple(input_shape[1:])))
