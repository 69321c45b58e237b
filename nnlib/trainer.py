r"""Training: ``compile``, then ``fit``/``evaluate``/``predict`` around one named step.

``fit`` repeats for every epoch: cut the training rows into mini-batches (a new random order each
epoch when ``shuffle=True``; the last batch may be smaller), and for each batch call
:meth:`Trainer.train_step`, which

1. runs the graph forward: the predictions $\hat y$, layer after layer (``training=True``, so
   that ``Dropout`` drops);
2. computes the loss $L(y, \hat y)$, averaged over the batch (weighted by ``sample_weight``);
3. runs the graph backward: $\partial L / \partial \hat y$, then every layer in reverse order
   turns the gradient of its output into the gradients of its weights and of its input;
4. lets the optimizer move every trainable weight against its gradient.

The loss and metrics reported for an epoch are running means over its batches, each batch measured
with the weights *before* that batch's update (so they lag behind the final weights); ``val_*``
values are measured on the validation data after the epoch. Callbacks
(:mod:`nnlib.callbacks`) are called at Keras's hooks around all of this.

The step and the batches are :mod:`nnlib.core.training`'s; this module adds what Keras adds around
them (compile, callbacks, metrics, validation, progress). Keras's counterpart is
``keras.src.trainers.trainer``; the data checks live in :mod:`nnlib.data_adapter`, the graph in
:mod:`nnlib.graph`.
"""

import math

import numpy as np

from nnlib import compile_utils, data_adapter, losses, optimizers
from nnlib import metrics as metrics_module  # compile() has an argument called metrics
from nnlib._validation import (
    check_bool,
    check_non_negative_int,
    check_positive_int,
    check_verbose,
    describe,
)
from nnlib._scope import out_of_scope
from nnlib.callbacks import Callback, CallbackList, History
from nnlib.core import training as core
from nnlib.progress import ProgressBar

__all__ = ["Trainer", "NonFiniteLossError"]


class NonFiniteLossError(FloatingPointError):
    """Raised by ``fit`` when the loss becomes NaN or infinite (the weights have diverged)."""


class _StepModel:
    """The model's graph as :func:`nnlib.core.training.train_step` uses it. ``from_z`` is set by
    the loss of each batch: True when it gave dL/dz of the output layer directly (softmax with
    cross-entropy), so that backward starts before the output activation."""

    def __init__(self, graph):
        self.graph, self.from_z = graph, False

    def forward(self, xs, training):
        return self.graph.forward(xs, training=training)

    def backward(self, grad):
        self.graph.backward(grad, from_z=self.from_z)

    def parameters(self):
        return self.graph.parameters()


def _validation_epochs(validation_freq):
    """Whether fit validates after epoch `e` (counted from 1), as Keras reads ``validation_freq``:
    every n-th epoch for an int n, the epochs listed for a list."""
    if isinstance(validation_freq, list):
        for k, epoch in enumerate(validation_freq):
            check_positive_int(epoch, f"validation_freq[{k}]")
        return lambda epoch: epoch in validation_freq
    if isinstance(validation_freq, bool) or not isinstance(validation_freq, (int, np.integer)):
        raise TypeError("validation_freq must be a positive integer (validate every n-th "
                        "epoch) or a list of epochs such as [1, 5]; received "
                        f"{describe(validation_freq)}.")
    freq = check_positive_int(validation_freq, "validation_freq")
    return lambda epoch: epoch % freq == 0


def _refuse_steps(method, **steps):
    """Keras's batch counts (``steps_per_epoch``...) are for datasets and generators; nnlib takes
    arrays and goes over all their rows, so a count other than None is refused by name."""
    for name, value in steps.items():
        if value is not None:
            raise out_of_scope(f"{method}({name}={value!r})", f"nnlib takes arrays and each "
                               f"pass goes over all their rows in batches, while {name} counts "
                               "the batches of a dataset or generator; leave it None")


class Trainer:
    """What ``Model`` inherits for training; the graph comes from ``Model`` (``self._graph``)."""

    def _init_trainer(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._metric_specs = []
        self.metrics = []
        self._output_losses, self._loss_weights, self._output_metric_specs = [], [], []
        self._output_weighted_specs = []  # compile's weighted_metrics, per output
        self._weighted = set()  # id() of the built metrics that count sample_weight
        self._named_metrics = []  # (log name, output index, metric) of the built metrics
        self._loss_total, self._loss_count, self._output_loss_totals = np.float32(0), 0, []
        self._step_built = False  # see fit's shuffling
        self._loss_names = []  # each output's loss in the logs (several outputs), see compile
        self._loss_names_listed = []

    # ---- compile ------------------------------------------------------------------------------
    # "rmsprop" is Keras's default too, so that the same compile() call trains the same way
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None):
        """Choose the optimizer, the loss and the metrics to report.

        Parameters
        ----------
        optimizer : str or Optimizer, default "rmsprop"
            ``"rmsprop"`` (Keras's default), ``"sgd"``, ``"adam"``, ``"adagrad"`` (each with
            Keras's default settings) or an instance such as ``SGD(0.1)``.
        loss : str or Loss
            ``"mse"``, ``"binary_crossentropy"``, ... or an instance from :mod:`nnlib.losses`.
            A model with several outputs: one loss for all, a list with one per output or a
            dict by output name (see :mod:`nnlib.compile_utils`).
        metrics : list, optional
            Names (``"accuracy"``, resolved from the shapes of targets and outputs as Keras
            does; ``"mae"``, ``"auc"``...) or objects such as ``nnlib.metrics.AUC()``; for
            several outputs, one entry per output or a dict by output name.
        loss_weights : float, list or dict, optional
            Each output's weight $w_k$ in the total loss $\\sum_k w_k L_k$ (default 1).
        weighted_metrics : list or dict, optional
            Metrics as ``metrics``, that count each row by its ``sample_weight`` (or
            ``class_weight``); logged as ``weighted_<name>`` when ``metrics`` has that name.
        """
        self.optimizer = optimizers.get(optimizer)
        names = self._output_names()
        self._output_losses = compile_utils.resolve_losses(loss, names)
        self._loss_weights = compile_utils.resolve_loss_weights(loss_weights, names)
        self._output_metric_specs = compile_utils.resolve_metrics(metrics, names)
        self._output_weighted_specs = compile_utils.resolve_metrics(weighted_metrics, names,
                                                                    "weighted_metrics")
        # model.loss as Keras keeps it: what compile received, each name resolved to its Loss
        if len(names) == 1:
            self.loss = self._output_losses[0]
        elif isinstance(loss, dict):
            self.loss = dict(zip(names, self._output_losses))
        elif isinstance(loss, (list, tuple)):
            self.loss = list(self._output_losses)
        else:
            self.loss = self._output_losses[0]
        self._metric_specs = [spec for specs in self._output_metric_specs +
                              self._output_weighted_specs for spec in specs]
        self._loss_names = self._output_loss_log_names()  # the step's logs read them: once here
        # evaluate's list and metrics_names give them in the order of a dict of losses, as Keras
        self._loss_names_listed = ([f"{key}_loss" for key in loss if f"{key}_loss" in
                                    self._loss_names] if isinstance(loss, dict) and
                                   self._loss_names else self._loss_names)
        self.metrics, self._named_metrics = [], []
        self.compiled = True
        self._step_built = False
        self._reset_running_means()

    def _output_names(self):
        """The names logs give the outputs: the output layers' names, or the keys of a dict of
        outputs (a one-output model's metrics are not prefixed)."""
        if not self.built:
            return ["output"]  # a Sequential before its first data: one output
        keys = self._output_keys
        return list(keys) if keys else [t.layer.name for t in self._graph.outputs]

    def _output_loss_log_names(self):
        """``o1_loss``... : each output's own loss is logged when more than one output has one."""
        names = [name for name, loss in zip(self._output_names(), self._output_losses)
                 if loss is not None]
        return [f"{name}_loss" for name in names] if len(names) > 1 else []

    def _check_compiled(self, method):
        if not self.compiled:
            raise ValueError(
                f"{method}: the model must be compiled first: call "
                "model.compile(optimizer=..., loss=...) before fit or evaluate.")

    def _build_metrics(self, ys):
        """Fresh metric objects for targets `ys` (one array per output; "accuracy" depends on
        the shapes), each with its log name."""
        names = self._output_names()
        self._named_metrics, self._weighted = [], set()
        for weighted, per_output in ((False, self._output_metric_specs),
                                     (True, self._output_weighted_specs)):
            for k, (y, output, specs) in enumerate(zip(ys, self._graph.outputs, per_output)):
                for spec in specs:
                    out_shape = (y.shape[0],) + tuple(output.shape[1:])
                    metric = metrics_module.get(spec, y.shape, out_shape)
                    name = metric.name
                    if weighted and name in [m.name for _, j, m in self._named_metrics if j == k]:
                        name = f"weighted_{name}"  # Keras's name beside the unweighted one
                    self._named_metrics.append(
                        (name if len(names) == 1 else f"{names[k]}_{name}", k, metric))
                    if weighted:
                        self._weighted.add(id(metric))
        self.metrics = [metric for _, _, metric in self._named_metrics]
        return self.metrics

    # ---- the step -----------------------------------------------------------------------------
    def train_step(self, x_batch, y_batch, sample_weight=None):
        """One gradient step on a batch (:func:`nnlib.core.training.train_step`); returns the
        logs (running loss and metrics).

        `x_batch` is the list of input arrays, `y_batch` the targets (a list, one array per
        output, for several outputs), both checked already (fit checks its data once). A batch
        whose loss is not finite updates nothing; its logs show the NaN, and ``fit`` stops or
        raises :class:`NonFiniteLossError`.
        """
        ys = y_batch if isinstance(y_batch, list) else [y_batch]
        model = _StepModel(self._graph)
        loss, y_pred = core.train_step(
            model, lambda y, y_hat: self._loss_and_gradient(model, y, y_hat, sample_weight),
            self.optimizer, x_batch, ys[0] if self._graph.output is not None else ys)
        y_preds = [y_pred] if self._graph.output is not None else y_pred
        # each output's own loss, as the loss function above computed it for this batch
        self._update_running_means(loss, ys, y_preds, self._batch_output_losses, sample_weight)
        return self._logs()

    def _output_loss_values(self, ys, y_preds, sample_weight, gradients):
        """Each output's loss (None where it has none) and, if `gradients`, where its backward
        starts: dL/dz through the output activation when the loss has that shortcut, else
        dL/d(y_pred), and whether it was dL/dz. The loss's math runs without its input checks:
        the data was checked once."""
        values, grads, from_z = [], [], []
        weights = data_adapter.per_output(sample_weight, len(ys))
        for loss, activation, y, y_pred, sample_weight in zip(
                self._output_losses, self._graph.output_activations, ys, y_preds, weights):
            through = None
            if loss is not None and gradients and activation is not None:
                through = loss.value_and_gradient_through(activation, y, y_pred, sample_weight)
            if loss is None:
                value, grad = None, None
            elif through is not None:
                value, grad = through
            elif not np.isfinite(y_pred).all():
                value, grad = math.nan, None  # the network's output itself overflowed
            elif gradients:
                value, grad = loss._value_and_gradient(y, y_pred, sample_weight)
            else:
                # lined up as in fit: (n,) targets against an (n, 1) output never broadcast
                value, grad = loss._value(y, y_pred, sample_weight), None
            values.append(value)
            grads.append(grad)
            from_z.append(through is not None)
        return values, grads, from_z

    def _weighted_total(self, values):
        r"""$L = \sum_k w_k L_k$ over the outputs that have a loss."""
        return sum(value if weight is None else value * weight
                   for value, weight in zip(values, self._loss_weights) if value is not None)

    def _loss_and_gradient(self, model, y, y_pred, sample_weight):
        """The batch loss (weighted over the outputs) and where backward starts at each output
        (``model.from_z``: whether that is dL/dz before the output activation)."""
        single = self._graph.output is not None
        ys, y_preds = ([y], [y_pred]) if single else (y, y_pred)
        values, grads, from_z = self._output_loss_values(ys, y_preds, sample_weight, True)
        self._batch_output_losses = values
        total = self._weighted_total(values)
        if not math.isfinite(total):
            return total, None
        grads = [g if g is None or w is None else g * w for g, w in zip(grads, self._loss_weights)]
        model.from_z = from_z[0] if single else from_z
        return total, grads[0] if single else grads

    def _update_running_means(self, loss, ys, y_preds, output_losses, sample_weight=None):
        """Add a batch to the running loss, each output's loss (`output_losses`, None for an
        output without one) and the metrics, weighted by the batch's rows, in float32, as
        Keras's trackers; the weighted metrics count each row by `sample_weight`."""
        size = ys[0].shape[0]
        self._loss_total += np.float32(loss) * np.float32(size)
        self._loss_count += size
        if not math.isfinite(loss):  # no metric can describe NaN predictions
            return
        if self._loss_names:  # several outputs with a loss each
            tracked = [value for value in output_losses if value is not None]
            for k, value in enumerate(tracked):
                self._output_loss_totals[k] += np.float32(value) * np.float32(size)
        # the predictions were made before this batch's update, as Keras's metrics see them
        self._update_metrics(ys, y_preds, sample_weight)

    def _update_metrics(self, ys, y_preds, sample_weight):
        """Add a batch to each metric; the weighted metrics count each row by its weight."""
        weights = data_adapter.per_output(sample_weight, len(ys))
        for _, k, metric in self._named_metrics:
            if id(metric) in self._weighted and weights[k] is not None:
                metric.update_state(ys[k], y_preds[k], sample_weight=weights[k])
            else:
                metric.update_state(ys[k], y_preds[k])

    def _logs(self):
        logs = {name: float(metric.result()) for name, _, metric in self._named_metrics}
        count = np.float32(max(self._loss_count, 1))
        logs["loss"] = float(self._loss_total / count)
        for name, total in zip(self._loss_names, self._output_loss_totals):
            logs[name] = float(total / count)
        return dict(sorted(logs.items()))

    def _reset_running_means(self):
        self._loss_total, self._loss_count = np.float32(0), 0
        self._output_loss_totals = [np.float32(0) for _ in self._loss_names]
        for metric in self.metrics:
            metric.reset_state()

    def _optimizer_weights(self, layer_order):
        """Each trainable weight of the layers in `layer_order`, the arrays the optimizer
        updates (see :meth:`nnlib.optimizers.Optimizer.keras_variables`)."""
        return [w for layer in layer_order for w in layer.trainable_weights]

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        r"""Train the model on ``x``, ``y`` for ``epochs`` passes over the data.

        Parameters
        ----------
        x : array of shape (n, features), or a list of arrays for a model with several inputs
        y : array of targets, one per row of ``x``
        batch_size : int
            Rows per gradient step (default 32). The last batch holds the rows left over.
        epochs : int
        verbose : "auto", 0, 1 or 2
            ``"auto"``/1: a progress bar; 2: one line per epoch; 0: silent.
        callbacks : list of Callback, optional
            Called at Keras's hooks (see :mod:`nnlib.callbacks`), e.g. ``EarlyStopping``.
        validation_split : float in [0, 1)
            Keep the *last* fraction of the rows (taken before shuffling) for validation.
        validation_data : tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), optional
        shuffle : bool
            Visit the training rows in a new random order every epoch, drawn as Keras (JAX
            backend) draws it: after ``utils.set_random_seed(s)`` both give the same orders.
        class_weight : dict, optional
            ``{class: weight}``: each row's loss is multiplied by the weight of its class (1 for
            classes not listed), to make rare classes count more.
        sample_weight : array of shape (n,), optional
            Each row's weight in the loss. Keras's weighted loss of a batch is
            $\frac1n \sum_i w_i \ell_i$; metrics are not weighted.
        initial_epoch : int
            The epoch to start from (counted from 0), to resume a training: the epochs run are
            ``initial_epoch`` to ``epochs - 1``, as Keras.
        steps_per_epoch, validation_steps : None
            Keras's batch counts for datasets and generators; nnlib takes arrays, and each
            epoch goes over all their rows, so only None is accepted.
        validation_batch_size : int, optional
            Rows per batch when validating (default: ``batch_size``), as Keras.
        validation_freq : int or list of int
            Validate after every ``validation_freq``-th epoch (default 1: each), or after the
            epochs listed (counted from 1), as Keras; the other epochs have no ``val_*`` logs.

        Returns
        -------
        History
            ``history.history["loss"]`` etc.: one value per epoch.

        Raises
        ------
        NonFiniteLossError
            When the loss becomes NaN or infinite (usually: the learning rate is too large),
            unless a callback such as ``TerminateOnNaN`` stops training instead.
        """
        self._check_compiled("fit")
        batch_size = check_positive_int(batch_size, "batch_size")
        epochs = check_non_negative_int(epochs, "epochs")
        verbose = check_verbose(verbose)
        shuffle = check_bool(shuffle, "shuffle")
        callbacks = self._check_callbacks(callbacks)
        validation_batch_size = (batch_size if validation_batch_size is None else
                                 check_positive_int(validation_batch_size, "validation_batch_size"))
        validates = _validation_epochs(validation_freq)
        initial_epoch = check_non_negative_int(initial_epoch, "initial_epoch")
        _refuse_steps("fit", steps_per_epoch=steps_per_epoch, validation_steps=validation_steps)
        if x is None or y is None:
            raise ValueError("fit: x and y are required.")

        xs = self._prepare_x(x)
        ys = self._prepare_y(y, xs[0].shape[0])
        sample_weight = data_adapter.prepare_sample_weights(sample_weight, ys,
                                                            self._output_names(), self._dtype)
        if class_weight is not None and sample_weight is not None:
            raise ValueError("fit: give sample_weight or class_weight, not both (Keras refuses "
                             "the combination too); fold the class weights into sample_weight.")
        if class_weight is not None and len(ys) > 1:
            raise ValueError(f"fit: class_weight is only supported for a model with one output, "
                             f"as in Keras; this one has {len(ys)} {self._output_names()}. Give "
                             "sample_weight (one weight per row) instead.")
        train, val = (xs, ys, sample_weight), None
        if validation_data is not None:
            val = self._prepare_validation_data(validation_data)  # Keras ignores the split then
        elif validation_split:
            train, val = data_adapter.split_validation(xs, ys, sample_weight, validation_split)
        xs, ys, sample_weight = train
        if class_weight is not None:  # as Keras: the training rows only, validation unweighted
            sample_weight = data_adapter.prepare_sample_weight(None, class_weight, ys[0],
                                                               self._dtype)
        n = xs[0].shape[0]
        if n == 0:
            raise ValueError("fit: x has no rows.")

        self._build_metrics(ys)
        steps = -(-n // batch_size)
        history = History()
        # History last, as Keras: it records what the other callbacks added to the logs
        callback_list = CallbackList([*callbacks, history], self,
                                     {"verbose": verbose, "epochs": epochs, "steps": steps})
        self.history = history
        self.stop_training = False
        # Shuffled as Keras's JAX backend shuffles: NumPy's global generator (which
        # utils.set_random_seed seeds), after one order drawn and left unused by the first fit
        # after compile (Keras's builds its step on a first batch). The same seed gives the
        # same batches in both libraries.
        if shuffle and not self._step_built:
            np.random.permutation(n)
        self._step_built = True
        # A diverging run overflows long before its loss is checked; the check below reports it
        # with the epoch and batch, so NumPy's own warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            callback_list.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch)
                if verbose and epochs > 1:
                    print(f"Epoch {epoch + 1}/{epochs}")
                bar = ProgressBar(steps, verbose) if verbose else None
                self._reset_running_means()
                order = np.random.permutation(n) if shuffle else None
                for step, rows in enumerate(core.batches(n, batch_size, order)):
                    callback_list.on_train_batch_begin(step)
                    logs = self.train_step([a[rows] for a in xs], [a[rows] for a in ys],
                                           data_adapter.take(sample_weight, rows))
                    callback_list.on_train_batch_end(step, logs)
                    if not math.isfinite(logs["loss"]):
                        if self.stop_training:
                            break
                        raise NonFiniteLossError(
                            f"fit: the loss became {logs['loss']} at epoch {epoch + 1}, batch "
                            f"{step + 1}: the weights diverged. Try a smaller learning rate (now "
                            f"{self.optimizer.learning_rate}), or standardise the inputs.")
                    if bar is not None and bar.live and step + 1 < steps:
                        bar.update(step + 1, logs)
                    if self.stop_training:
                        break
                logs = self._logs()
                if val is not None and validates(epoch + 1):
                    val_logs = self._evaluate_arrays(*val, validation_batch_size, callback_list)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                if bar is not None:
                    bar.update(steps, logs)  # the epoch's final line, validation included
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end(logs if epochs > initial_epoch else None)
        return history

    @staticmethod
    def _check_callbacks(callbacks):
        if callbacks is None:
            return []
        if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
            raise TypeError(f"callbacks must be a list such as [EarlyStopping()]; received "
                            f"{describe(callbacks)}.")
        for k, callback in enumerate(callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks[{k}] must be an nnlib.callbacks.Callback; received "
                                f"{describe(callback)}.")
        return list(callbacks)

    def _prepare_validation_data(self, validation_data):
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
                             f"sample_weight_val); received {describe(validation_data)}.")
        vxs = self._prepare_x(validation_data[0], "validation_data[0]")
        vys = self._prepare_y(validation_data[1], vxs[0].shape[0], "validation_data[1]")
        vw = None
        if len(validation_data) == 3:
            vw = data_adapter.prepare_sample_weights(validation_data[2], vys, self._output_names(),
                                                     self._dtype,
                                                    "validation_data[2]")
        return vxs, vys, vw

    # ---- evaluate, predict ----------------------------------------------------------------------
    def _evaluate_arrays(self, xs, ys, sample_weight, batch_size, callback_list):
        """The logs on ``(xs, ys)``, calling the ``on_test_*`` hooks of `callback_list`."""
        saved = self.metrics, self._named_metrics, self._weighted
        self._build_metrics(ys)  # fresh running means; fit's own metrics are put back after
        self._reset_running_means()
        n = xs[0].shape[0]
        penalty = core.regularization(self._graph.parameters())  # the weights do not change
        single = self._graph.output is not None
        callback_list.on_test_begin()
        for step, rows in enumerate(core.batches(n, batch_size, None)):
            callback_list.on_test_batch_begin(step)
            batch = [a[rows] for a in ys]
            y_pred = self._graph.forward([a[rows] for a in xs])
            y_preds = [y_pred] if single else y_pred
            weights = data_adapter.take(sample_weight, rows)
            with np.errstate(all="ignore"):
                values, _, _ = self._output_loss_values(batch, y_preds, weights, False)
            self._update_running_means(self._weighted_total(values) + penalty, batch, y_preds,
                                       values, weights)
            callback_list.on_test_batch_end(step, self._logs())
        logs = self._logs()
        self.metrics, self._named_metrics, self._weighted = saved
        callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=32, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on ``x``, ``y`` (weights unchanged): ``[loss, metric...]`` as Keras
        (a single float when there are no metrics; for several outputs, the loss, each output's
        loss, then the metrics by name), or a dict with ``return_dict=True``. `callbacks` get
        the ``on_test_*`` hooks."""
        self._check_compiled("evaluate")
        _refuse_steps("evaluate", steps=steps)
        batch_size = check_positive_int(batch_size, "batch_size")
        verbose = check_verbose(verbose)
        callbacks = self._check_callbacks(callbacks)
        xs = self._prepare_x(x)
        ys = self._prepare_y(y, xs[0].shape[0])
        weights = data_adapter.prepare_sample_weights(sample_weight, ys, self._output_names(),
                                                      self._dtype)
        steps = -(-xs[0].shape[0] // batch_size)
        self._step_built = True  # as Keras, whose evaluate builds the compiled step
        callback_list = CallbackList(callbacks, self,
                                     {"verbose": verbose, "epochs": 1, "steps": steps})
        logs = self._evaluate_arrays(xs, ys, weights, batch_size, callback_list)
        if verbose:
            ProgressBar(steps, verbose).update(steps, logs)
        return logs if return_dict else self._ordered(logs)

    def _ordered(self, logs):
        """The logs as the list Keras's evaluate and test_on_batch return."""
        return compile_utils.log_order(logs, [metric.name for metric in self.metrics],
                                       self._loss_names_listed)

    def predict(self, x, batch_size=32, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x``, computed in batches of ``batch_size`` rows (a list, or
        a dict by name, for a model with several outputs, as Keras). `callbacks` get the
        ``on_predict_*`` hooks."""
        _refuse_steps("predict", steps=steps)
        batch_size = check_positive_int(batch_size, "batch_size")
        verbose = check_verbose(verbose)
        callbacks = self._check_callbacks(callbacks)
        xs = self._prepare_x(x)
        n = xs[0].shape[0]
        single = self._graph.output is not None
        callback_list = CallbackList(callbacks, self, {"verbose": verbose, "epochs": 1,
                                                       "steps": -(-n // batch_size)})
        callback_list.on_predict_begin()
        batches = []
        for step, rows in enumerate(core.batches(n, batch_size, None)):
            callback_list.on_predict_batch_begin(step)
            y_pred = self._graph.forward([a[rows] for a in xs])
            batches.append([y_pred.copy()] if single else [a.copy() for a in y_pred])
            callback_list.on_predict_batch_end(step, {"outputs": self._as_given(batches[-1])})
        callback_list.on_predict_end()
        if verbose:
            steps = len(batches)
            ProgressBar(steps, verbose).update(steps, {})
        outputs = [np.concatenate(parts, axis=0) if parts else
                   np.zeros((0,) + tuple(t.shape[1:]), dtype=self._dtype)
                   for t, parts in zip(self._graph.outputs, zip(*batches) if batches else
                                       [[] for _ in self._graph.outputs])]
        return self._as_given(outputs)

    # ---- Keras's building blocks of a custom step ----------------------------------------------
    def _targets_and_predictions(self, y, y_pred, sample_weight, method):
        """``y`` and ``y_pred`` as lists (one array per output) and the sample weights, checked
        against the model's outputs."""
        self._check_compiled(method)
        first = y_pred
        while isinstance(first, (list, tuple, dict)) and first:
            first = next(iter(first.values())) if isinstance(first, dict) else first[0]
        n_rows = np.shape(first)[0] if np.ndim(first) else 0
        shapes, names = [t.shape for t in self._graph.outputs], self._output_names()
        y_preds = data_adapter.prepare_ys(y_pred, n_rows, [None] * len(names), shapes, names,
                                          self._dtype, "y_pred")
        ys = self._prepare_y(y, n_rows)
        weights = data_adapter.prepare_sample_weights(sample_weight, ys, names, self._dtype)
        return ys, y_preds, weights

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The loss of predictions `y_pred` for targets `y`, as Keras's ``compute_loss``: each
        output's loss (weighted by ``loss_weights``) plus the weight penalties (`x` and
        `training` are not needed, as in Keras)."""
        ys, y_preds, weights = self._targets_and_predictions(y, y_pred, sample_weight,
                                                             "compute_loss")
        values, _, _ = self._output_loss_values(ys, y_preds, weights, False)
        penalty = core.regularization(self._graph.parameters())
        return np.float32(self._weighted_total(values) + penalty)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Add the batch ``(y, y_pred)`` to the compiled metrics and return
        :meth:`get_metrics_result`, as Keras's ``compute_metrics`` (only the weighted metrics
        count `sample_weight`)."""
        ys, y_preds, weights = self._targets_and_predictions(y, y_pred, sample_weight,
                                                             "compute_metrics")
        if self._metric_specs and not self._named_metrics:
            self._build_metrics(ys)  # first use: "accuracy" is resolved from these shapes
        self._update_metrics(ys, y_preds, weights)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """The running loss and metrics, in Keras's order: ``loss``, the compiled metrics, each
        output's loss."""
        logs = self._logs()
        names = ["loss", *(name for name, _, _ in self._named_metrics), *self._loss_names_listed]
        return {name: logs[name] for name in names}

    def compute_loss_and_gradients(self, x, y):
        """The loss on (x, y) as one batch and the gradients aligned with ``trainable_weights``.

        The numbers backpropagation computes, without changing any weight; gradient checking
        (:mod:`nnlib.gradcheck`) compares them with finite differences. The weight penalties
        (``kernel_regularizer``...) are part of the loss, as in ``fit``.
        """
        self._check_compiled("compute_loss_and_gradients")
        xs = self._prepare_x(x)
        ys = self._prepare_y(y, xs[0].shape[0])
        single = self._graph.output is not None
        y_preds = [self._graph.forward(xs)] if single else self._graph.forward(xs)
        values, gradients = [], []
        for loss, y, y_pred in zip(self._output_losses, ys, y_preds):
            if loss is None:
                values.append(None)
                gradients.append(None)
                continue
            # (n,) targets against an (n, 1) output are lined up first, so a custom loss sees
            # them shaped alike (never broadcast to (n, n))
            aligned_y, aligned_pred = losses.squeeze_or_expand_to_same_rank(y, y_pred)
            values.append(float(loss(aligned_y, aligned_pred)))
            gradients.append(np.asarray(loss.gradient(aligned_y, aligned_pred)).reshape(
                y_pred.shape))
        gradients = [g if g is None or w is None else g * w
                     for g, w in zip(gradients, self._loss_weights)]
        self._graph.backward(gradients[0] if single else gradients,
                             False if single else [False] * len(gradients))
        parameters = self._graph.parameters()
        loss = float(self._weighted_total(values)) + float(core.regularization(parameters))
        grads = {id(w): g.copy() if reg is None else g + reg.gradient(w)
                 for w, g, reg in parameters}
        return loss, [grads[id(w)] for w in self.trainable_weights]
