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

from nnlib import data_adapter, losses, optimizers, utils
from nnlib import metrics as metrics_module  # compile() has an argument called metrics
from nnlib._validation import (
    check_bool,
    check_non_negative_int,
    check_positive_int,
    check_verbose,
    describe,
)
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

    # ---- compile ------------------------------------------------------------------------------
    # "rmsprop" is Keras's default too, so that the same compile() call trains the same way
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to report.

        Parameters
        ----------
        optimizer : str or Optimizer, default "rmsprop"
            ``"rmsprop"`` (Keras's default), ``"sgd"``, ``"adam"``, ``"adagrad"`` (each with
            Keras's default settings) or an instance such as ``SGD(0.1)``.
        loss : str or Loss
            ``"mse"``, ``"binary_crossentropy"``, ... or an instance from :mod:`nnlib.losses`.
        metrics : list, optional
            Names (``"accuracy"``, resolved from the shapes of targets and outputs as Keras
            does; ``"mae"``, ``"auc"``...) or objects such as ``nnlib.metrics.AUC()``.
        """
        if loss is None:
            raise ValueError("compile: loss is required, for example loss='mse'; received None.")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if metrics is None:
            metrics = []
        if isinstance(metrics, (str, metrics_module.Metric)) or not isinstance(metrics,
                                                                               (list, tuple)):
            raise TypeError(f"compile: metrics must be a list such as ['accuracy']; received "
                            f"{describe(metrics)}.")
        for spec in metrics:
            # Resolving with example shapes checks the name now, not at the first fit.
            metrics_module.get(spec, (2, 2), (2, 2))
        self._metric_specs = list(metrics)
        self.metrics = []
        self.compiled = True

    def _check_compiled(self, method):
        if not self.compiled:
            raise ValueError(
                f"{method}: the model must be compiled first: call "
                "model.compile(optimizer=..., loss=...) before fit or evaluate.")

    def _build_metrics(self, y):
        """Fresh metric objects for targets like `y` ("accuracy" depends on the shapes)."""
        out_shape = (y.shape[0],) + tuple(self._graph.output.shape[1:])
        self.metrics = [metrics_module.get(spec, y.shape, out_shape)
                        for spec in self._metric_specs]
        return self.metrics

    # ---- the step -----------------------------------------------------------------------------
    def train_step(self, x_batch, y_batch, sample_weight=None):
        """One gradient step on a batch (:func:`nnlib.core.training.train_step`); returns the
        logs (running loss and metrics).

        `x_batch` is the list of input arrays, `y_batch` the targets, both checked already (fit
        checks its data once). A batch whose loss is not finite updates nothing; its logs show
        the NaN, and ``fit`` stops or raises :class:`NonFiniteLossError`.
        """
        model = _StepModel(self._graph)
        loss, y_pred = core.train_step(
            model, lambda y, y_hat: self._loss_and_gradient(model, y, y_hat, sample_weight),
            self.optimizer, x_batch, y_batch)
        size = y_batch.shape[0]
        self._loss_total += np.float32(loss) * np.float32(size)
        self._loss_count += size
        if math.isfinite(loss):  # no metric can describe NaN predictions
            # the predictions were made before this batch's update, as Keras's metrics see them
            for metric in self.metrics:
                metric.update_state(y_batch, y_pred)
        return self._logs()

    def _loss_and_gradient(self, model, y, y_pred, sample_weight):
        """The batch loss and where backward starts: dL/dz through the output activation if the
        loss has that shortcut (``model.from_z``), else dL/d(y_pred)."""
        activation = self._graph.output_activation
        if activation is not None:
            through = self.loss.value_and_gradient_through(activation, y, y_pred, sample_weight)
            model.from_z = through is not None
            if through is not None:
                return through
        if not np.isfinite(y_pred).all():
            return math.nan, None  # the network's output itself overflowed
        # the loss's math without its input checks: fit has checked y once
        return self.loss._value_and_gradient(y, y_pred, sample_weight)

    def _logs(self):
        logs = {metric.name: float(metric.result()) for metric in self.metrics}
        logs["loss"] = float(self._loss_total / np.float32(max(self._loss_count, 1)))
        return dict(sorted(logs.items()))

    def _reset_running_means(self):
        self._loss_total, self._loss_count = np.float32(0), 0
        for metric in self.metrics:
            metric.reset_state()

    def _optimizer_weights(self, layer_order):
        """Each trainable weight of the layers in `layer_order`, the arrays the optimizer
        updates (see :meth:`nnlib.optimizers.Optimizer.keras_variables`)."""
        return [w for layer in layer_order for w in layer.trainable_weights]

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None):
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
            Visit the training rows in a new random order every epoch.
        class_weight : dict, optional
            ``{class: weight}``: each row's loss is multiplied by the weight of its class (1 for
            classes not listed), to make rare classes count more.
        sample_weight : array of shape (n,), optional
            Each row's weight in the loss. Keras's weighted loss of a batch is
            $\frac1n \sum_i w_i \ell_i$; metrics are not weighted.

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
        if x is None or y is None:
            raise ValueError("fit: x and y are required.")

        xs = self._prepare_x(x)
        y = self._prepare_y(y, xs[0].shape[0])
        sample_weight = data_adapter.prepare_sample_weight(sample_weight, None, y, self._dtype)
        if class_weight is not None and sample_weight is not None:
            raise ValueError("fit: give sample_weight or class_weight, not both (Keras refuses "
                             "the combination too); fold the class weights into sample_weight.")
        train, val = (xs, y, sample_weight), None
        if validation_data is not None:
            val = self._prepare_validation_data(validation_data)  # Keras ignores the split then
        elif validation_split:
            train, val = data_adapter.split_validation(xs, y, sample_weight, validation_split)
        xs, y, sample_weight = train
        if class_weight is not None:  # as Keras: the training rows only, validation unweighted
            sample_weight = data_adapter.prepare_sample_weight(None, class_weight, y, self._dtype)
        n = xs[0].shape[0]
        if n == 0:
            raise ValueError("fit: x has no rows.")

        self._build_metrics(y)
        steps = -(-n // batch_size)
        history = History()
        # History last, as Keras: it records what the other callbacks added to the logs
        callback_list = CallbackList([*callbacks, history], self,
                                     {"verbose": verbose, "epochs": epochs, "steps": steps})
        self.history = history
        self.stop_training = False
        rng = utils.get_rng()
        # A diverging run overflows long before its loss is checked; the check below reports it
        # with the epoch and batch, so NumPy's own warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            callback_list.on_train_begin()
            for epoch in range(epochs):
                callback_list.on_epoch_begin(epoch)
                if verbose and epochs > 1:
                    print(f"Epoch {epoch + 1}/{epochs}")
                bar = ProgressBar(steps, verbose) if verbose else None
                self._reset_running_means()
                order = rng.permutation(n) if shuffle else None
                for step, rows in enumerate(core.batches(n, batch_size, order)):
                    callback_list.on_train_batch_begin(step)
                    logs = self.train_step([a[rows] for a in xs], y[rows],
                                           None if sample_weight is None else sample_weight[rows])
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
                if val is not None:
                    val_logs = self._evaluate_arrays(*val, batch_size)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                if bar is not None:
                    bar.update(steps, logs)  # the epoch's final line, validation included
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end(logs if epochs else None)
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
        vy = self._prepare_y(validation_data[1], vxs[0].shape[0], "validation_data[1]")
        vw = None
        if len(validation_data) == 3:
            vw = data_adapter.prepare_sample_weight(validation_data[2], None, vy, self._dtype,
                                                    "validation_data[2]")
        return vxs, vy, vw

    # ---- evaluate, predict ----------------------------------------------------------------------
    def _evaluate_arrays(self, xs, y, sample_weight, batch_size):
        metrics = [metrics_module.get(spec, y.shape,
                                      (y.shape[0],) + tuple(self._graph.output.shape[1:]))
                   if not isinstance(spec, metrics_module.Metric) else spec
                   for spec in self._metric_specs]
        saved = self.metrics
        self.metrics = metrics
        self._reset_running_means()
        n = xs[0].shape[0]
        penalty = core.regularization(self._graph.parameters())  # the weights do not change
        for rows in core.batches(n, batch_size, None):
            yb = y[rows]
            y_pred = self._graph.forward([a[rows] for a in xs])
            with np.errstate(all="ignore"):
                # lined up as in fit: (n,) targets against an (n, 1) output never broadcast
                loss = self.loss._value(
                    yb, y_pred, None if sample_weight is None else sample_weight[rows]) + penalty
            self._loss_total += np.float32(loss) * np.float32(yb.shape[0])
            self._loss_count += yb.shape[0]
            for metric in metrics:
                metric.update_state(yb, y_pred)
        logs = self._logs()
        self.metrics = saved
        return logs

    def evaluate(self, x=None, y=None, batch_size=32, verbose="auto", sample_weight=None,
                 return_dict=False):
        """Loss and metrics on ``x``, ``y`` (weights unchanged): ``[loss, metric...]`` as Keras
        (a single float when there are no metrics), or a dict with ``return_dict=True``."""
        self._check_compiled("evaluate")
        batch_size = check_positive_int(batch_size, "batch_size")
        verbose = check_verbose(verbose)
        xs = self._prepare_x(x)
        y = self._prepare_y(y, xs[0].shape[0])
        weights = data_adapter.prepare_sample_weight(sample_weight, None, y, self._dtype)
        logs = self._evaluate_arrays(xs, y, weights, batch_size)
        if verbose:
            steps = -(-xs[0].shape[0] // batch_size)
            ProgressBar(steps, verbose).update(steps, logs)
        if return_dict:
            return logs
        # as Keras: the loss, then the metrics in the order compile received them
        names = [m.name if isinstance(m, metrics_module.Metric) else getattr(m, "__name__", m)
                 for m in self._metric_specs]
        values = [logs["loss"]] + [logs[name] for name in names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=32, verbose="auto"):
        """The model's outputs for ``x``, computed in batches of ``batch_size`` rows."""
        batch_size = check_positive_int(batch_size, "batch_size")
        verbose = check_verbose(verbose)
        xs = self._prepare_x(x)
        n = xs[0].shape[0]
        outputs = [self._graph.forward([a[rows] for a in xs]).copy()
                   for rows in core.batches(n, batch_size, None)]
        if verbose:
            steps = len(outputs)
            ProgressBar(steps, verbose).update(steps, {})
        if not outputs:
            return np.zeros((0,) + tuple(self._graph.output.shape[1:]), dtype=self._dtype)
        return np.concatenate(outputs, axis=0)

    def compute_loss_and_gradients(self, x, y):
        """The loss on (x, y) as one batch and the gradients aligned with ``trainable_weights``.

        The numbers backpropagation computes, without changing any weight; gradient checking
        (:mod:`nnlib.gradcheck`) compares them with finite differences. The weight penalties
        (``kernel_regularizer``...) are part of the loss, as in ``fit``.
        """
        self._check_compiled("compute_loss_and_gradients")
        xs = self._prepare_x(x)
        y = self._prepare_y(y, xs[0].shape[0])
        y_pred = self._graph.forward(xs)
        # (n,) targets against an (n, 1) output are lined up first, so a custom loss sees them
        # shaped alike (never broadcast to (n, n))
        aligned_y, aligned_pred = losses.squeeze_or_expand_to_same_rank(y, y_pred)
        loss = float(self.loss(aligned_y, aligned_pred))
        gradient = np.asarray(self.loss.gradient(aligned_y, aligned_pred)).reshape(y_pred.shape)
        self._graph.backward(gradient)
        parameters = self._graph.parameters()
        loss += float(core.regularization(parameters))
        return loss, [g.copy() if reg is None else g + reg.gradient(w) for w, g, reg in parameters]
