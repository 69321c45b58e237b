"""Callbacks: code that ``fit`` calls at fixed moments of training, with Keras's hook names.

``fit(callbacks=[...])`` calls, on every callback, in this order::

    on_train_begin
        on_epoch_begin(epoch)
            on_train_batch_begin(batch) ... on_train_batch_end(batch, logs)   (every batch)
            on_test_begin                  (with validation data, after the epoch's batches)
                on_test_batch_begin(batch) ... on_test_batch_end(batch, logs)
            on_test_end(logs)              logs: loss and metrics on the validation data
        on_epoch_end(epoch, logs)          logs: loss, metrics, val_* of the epoch
    on_train_end

``evaluate(callbacks=[...])`` calls the ``on_test_*`` hooks alone, and ``predict(callbacks=[...])``
``on_predict_begin``, ``on_predict_batch_begin(batch)``, ``on_predict_batch_end(batch,
{"outputs": predictions of the batch})`` and ``on_predict_end``, as Keras does.

A callback reads the model (``self.model``) and may stop training by setting
``self.model.stop_training = True``: fit finishes the current epoch's hooks and returns.
:class:`History` is always added: it is what ``fit`` returns. :class:`ModelCheckpoint` saves
the model during training (``.keras`` files real Keras opens), every epoch or only the best.

Examples
--------
>>> h = History()
>>> h.on_epoch_end(0, {"accuracy": 0.75, "loss": 0.5})
>>> h.history
{'accuracy': [0.75], 'loss': [0.5]}
>>> h.epoch
[0]
"""

import csv
import math
import os
import warnings

import numpy as np

from nnlib._validation import (
    check_bool,
    check_choice,
    check_non_negative_int,
    check_number,
    describe,
)

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint",
           "TerminateOnNaN", "LambdaCallback", "LearningRateScheduler", "ReduceLROnPlateau",
           "CSVLogger"]


class Callback:
    """Base class: every hook does nothing; subclasses override the ones they need.

    Attributes
    ----------
    model : Model
        The model being trained (set by ``fit``).
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}`` of the ``fit`` call.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = dict(params)

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        """Called once, before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once, after the last epoch (or after a callback stopped training)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called before epoch `epoch` (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after epoch `epoch` with its logs (loss, metrics, val_*)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training on batch `batch` (0-based within the epoch)."""

    def on_train_batch_end(self, batch, logs=None):
        """Called after the update of batch `batch`; logs hold the running means so far."""

    def on_test_begin(self, logs=None):
        """Called when evaluate (or fit's validation after an epoch) starts."""

    def on_test_end(self, logs=None):
        """Called when evaluation ends, with its logs (loss and metrics, not ``val_``-named)."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before evaluating batch `batch`."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after evaluating batch `batch`; logs hold the running means so far."""

    def on_predict_begin(self, logs=None):
        """Called when predict starts."""

    def on_predict_end(self, logs=None):
        """Called when predict ends."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before predicting batch `batch`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after predicting batch `batch`; ``logs["outputs"]`` holds its predictions."""


class CallbackList:
    """Calls a hook on every callback in turn (what ``fit`` talks to).

    Only the callbacks that override a hook are called for it, so that the per-batch hooks cost
    nothing when no callback uses them (fit calls them twice per batch).
    """

    HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
             "on_predict_batch_begin", "on_predict_batch_end")

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        for hook in self.HOOKS:
            methods = [getattr(c, hook) for c in self.callbacks if _overrides(c, hook)]
            setattr(self, hook, _call_all(methods, numbered="epoch" in hook or "batch" in hook))


def _overrides(callback, hook):
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


def _nothing(*args):
    pass


def _call_all(methods, numbered):
    """Call each method as Keras does: ``(epoch or batch, logs)`` or ``(logs)``, with `logs`
    always a dict, sorted by key (empty when fit has nothing to say), that every callback shares,
    so that one may add to it (LearningRateScheduler's "learning_rate") and the last, History,
    records it. With no method to call, a hook does nothing at all (no logs are copied)."""
    if not methods:
        return _nothing

    def call_all(*args):
        index, logs = (args[0], args[1] if len(args) > 1 else None) if numbered else (
            None, args[0] if args else None)
        logs = dict(sorted((logs or {}).items()))  # Keras sorts fit's logs for the callbacks
        for method in methods:
            if numbered:
                method(index, logs)
            else:
                method(logs)

    return call_all


class History(Callback):
    """Records the logs of every epoch; ``fit`` returns it.

    ``history.history`` maps each name to one value per epoch: ``loss`` and the compiled metrics
    (for example ``accuracy``) measured on the training batches during the epoch, and
    ``val_loss``, ``val_accuracy`` measured on the validation data after the epoch. Keys are
    sorted as in Keras 3, followed by what callbacks add (``learning_rate``).

    Attributes
    ----------
    history : dict of str -> list of float
    epoch : list of int
        The epoch indices recorded (0-based, as Keras).
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []  # Keras keeps the dict across fits of one History, but not the epochs

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key in logs or {}:  # fit's logs arrive sorted; then what callbacks added
            self.history.setdefault(key, []).append(float(logs[key]))

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


def _lower_is_better(callback, monitor, mode):
    """Whether a smaller `monitor` is better: ``mode`` "min"/"max", or for "auto" the loss goes
    down and a compiled metric says its own direction (accuracy up, error down), as Keras's
    ``MonitorCallback``."""
    if mode != "auto":
        return mode == "min"
    name = monitor.removeprefix("val_")
    if name == "loss":
        return True
    for metric in getattr(callback.model, "metrics", []):
        if getattr(metric, "name", None) == name and hasattr(metric, "direction"):
            return metric.direction == "down"
    raise ValueError(
        f"{type(callback).__name__}: cannot tell whether {monitor!r} should go up or down; pass "
        "mode='max' (higher is better) or mode='min' (lower is better).")


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving, as Keras's.

    After each epoch (from `start_from_epoch` on) the monitored value is compared with the best
    so far; it improves when it is lower by more than `min_delta` (``mode="min"``), or higher by
    more than `min_delta` (``mode="max"``). ``mode="auto"`` picks "max" for accuracies and AUC,
    "min" for losses and errors. Keras's counting: every epoch without improvement adds 1 to
    ``wait`` (an improvement resets it to 0), and training stops at the end of the epoch where
    ``wait >= patience`` (never after the first epoch). With ``patience=2``, two epochs without
    improvement stop it.

    Parameters
    ----------
    monitor : str, default "val_loss"
    min_delta : float, default 0
    patience : int, default 0
    verbose : int, default 0
        1 prints the epoch that stopped training and the epoch whose weights were restored.
    mode : "auto", "min" or "max"
    baseline : float, optional
        ``wait`` resets only for values better than this too.
    restore_best_weights : bool, default False
        At the end of training, put back the weights of the best epoch (Keras restores them
        whether or not training stopped early).
    start_from_epoch : int, default 0
        Epochs to ignore at the start (a warm-up).

    Attributes
    ----------
    stopped_epoch : int
        The epoch (0-based) at which training stopped; 0 if it did not stop early.
    best, best_epoch : float, int
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: monitor must be a name such as 'val_loss'; "
                            f"received {describe(monitor)}.")
        self.monitor = monitor
        self.min_delta = abs(check_number(min_delta, "min_delta"))
        self.patience = check_non_negative_int(patience, "patience")
        self.verbose = verbose
        self.mode = check_choice(mode, "mode", ["auto", "min", "max"])
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_non_negative_int(start_from_epoch, "start_from_epoch")
        self._lower_is_better = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self._lower_is_better:
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:  # Keras's warning, word for word; the epoch counts for nothing
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=2)
            return
        if self._lower_is_better is None:
            self._lower_is_better = _lower_is_better(self, self.monitor, self.mode)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) during training, as ``keras.callbacks.ModelCheckpoint``.

    After every epoch (``save_freq="epoch"``) or every `save_freq` batches, the model is written
    with ``model.save`` (a ``.keras`` file real Keras opens) or, with ``save_weights_only=True``,
    ``model.save_weights`` (``.weights.h5``). `filepath` may hold fields filled from the epoch
    (counted from 1, as Keras prints it) and the logs: ``"ckpt-{epoch:02d}-{val_loss:.3f}.keras"``
    keeps one file per epoch; a fixed name is overwritten each time.

    With ``save_best_only=True`` a file is written only when `monitor` improves on the best value
    so far (lower for ``mode="min"``, higher for ``"max"``; ``"auto"`` decides as
    :class:`EarlyStopping`), so a fixed `filepath` ends up holding the best epoch's model.

    Parameters
    ----------
    filepath : str or path
        Ends in ``.keras`` (or ``.weights.h5`` with ``save_weights_only=True``).
    monitor : str, default "val_loss"
    verbose : int, default 0
        1 prints each decision, with Keras's wording.
    save_best_only : bool, default False
    save_weights_only : bool, default False
    mode : "auto", "min" or "max"
    save_freq : "epoch" or int
        An int saves after that many batches (the monitored value is then the running mean of
        the epoch so far).
    initial_value_threshold : float, optional
        With `save_best_only`, the value to beat before the first save.

    Attributes
    ----------
    best : float or None
        The best monitored value so far.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a path such as "
                            f"'best.keras'; received {describe(filepath)}.")
        self.filepath = os.fspath(filepath)
        suffix = ".weights.h5" if save_weights_only else ".keras"
        if not self.filepath.endswith(suffix):
            what = "save_weights_only=True" if save_weights_only else "saving the whole model"
            raise ValueError(f"ModelCheckpoint: filepath must end in {suffix!r} when "
                             f"{what} (Keras 3's format); received {self.filepath!r}.")
        if not isinstance(monitor, str):
            raise TypeError(f"ModelCheckpoint: monitor must be a name such as 'val_loss'; "
                            f"received {describe(monitor)}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a number of "
                             f"batches >= 1; received {save_freq!r}.")
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = check_bool(save_best_only, "save_best_only")
        self.save_weights_only = check_bool(save_weights_only, "save_weights_only")
        self.mode = check_choice(mode, "mode", ["auto", "min", "max"])
        self.save_freq = save_freq
        self.best = (None if initial_value_threshold is None else
                     check_number(initial_value_threshold, "initial_value_threshold"))
        self._lower_is_better = None
        self._epoch, self._batches_since_save = 0, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _filepath(self, epoch, batch, logs):
        fields = dict(logs or {}, epoch=epoch + 1)
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} names {error}, which "
                           f"is not in the logs; available: {', '.join(fields)}.") from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint can save the best model only with {self.monitor!r} "
                          f"in the logs; available: {', '.join(logs or {})}. Saving anyway.",
                          stacklevel=3)
            return True
        if self._lower_is_better is None:
            self._lower_is_better = _lower_is_better(self, self.monitor, self.mode)
        best = "None" if self.best is None else f"{self.best:.5f}"
        improved = self.best is None or (current < self.best if self._lower_is_better
                                         else current > self.best)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                  f"saving model to {path}" if improved else
                  f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        if improved:
            self.best = float(current)
        return improved

    def _save(self, epoch, batch, logs):
        path = self._filepath(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss is NaN or infinite (instead of the error nnlib raises
    otherwise): prints ``Batch k: Invalid loss, terminating training``, as Keras.

    One difference from Keras, on purpose: the batch whose loss is not finite updates no weight
    (nnlib never takes a step from a loss it could not compute), so the model keeps the weights it
    had before that batch. Keras applies the batch's step before the callback runs, and its
    gradients are often NaN or infinite by then. The History is the same.
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of plain functions, as Keras's: ``LambdaCallback(on_epoch_end=lambda
    epoch, logs: print(epoch, logs["loss"]))``. Each argument replaces the hook of that name."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for hook, function in given.items():
            if function is not None:
                if not callable(function):
                    raise TypeError(f"LambdaCallback: {hook} must be a function; received "
                                    f"{function!r}.")
                setattr(self, hook, function)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch, as Keras's:
    ``schedule(epoch, learning_rate)`` (or ``schedule(epoch)``) returns the new rate, a float.

    After each epoch the rate in use is added to the logs as ``"learning_rate"``, so it appears
    in the History, as in Keras.

    Examples
    --------
    >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be a function (epoch, lr) -> "
                            f"lr; received {describe(schedule)}.")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # Keras's older form, schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.floating)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: "
                             f"{learning_rate}")
        optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        logs["learning_rate"] = float(np.float32(self.model.optimizer.learning_rate))


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved for `patience`
    epochs, as Keras's (with its `min_delta`, `cooldown` epochs after a reduction, and floor
    `min_lr`). The rate in use is added to every epoch's logs as ``"learning_rate"``.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        self.factor = check_number(factor, "ReduceLROnPlateau: factor", low=0, high=1,
                                   high_inclusive=False)
        self.monitor = monitor
        self.patience = check_non_negative_int(patience, "patience")
        self.verbose = verbose
        self.mode = check_choice(mode, "mode", ["auto", "min", "max"])
        self.min_delta = abs(check_number(min_delta, "min_delta"))
        self.cooldown = check_non_negative_int(cooldown, "cooldown")
        self.min_lr = check_number(min_lr, "min_lr", low=0)
        self._lower_is_better = None

    def on_train_begin(self, logs=None):
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    def _is_improvement(self, value):
        if self.best is None:
            return True
        if self._lower_is_better:
            return value + self.min_delta < self.best
        return value - self.min_delta > self.best

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(np.float32(optimizer.learning_rate))
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self._lower_is_better is None:
            self._lower_is_better = _lower_is_better(self, self.monitor, self.mode)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:  # Keras looks again after counting down
            self.wait += 1
            old = float(np.float32(optimizer.learning_rate))
            if self.wait >= self.patience and old > np.float32(self.min_lr):
                new = max(old * self.factor, self.min_lr)
                optimizer.learning_rate = new
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                          f"{new}.")
                self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Write every epoch's logs to a CSV file, as Keras's: a header ``epoch,<sorted keys>``
    (``val_*`` columns added when fit has no validation data yet, filled with ``NA``), then one
    row per epoch; ``append=True`` continues an existing file."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = check_bool(append, "append")
        self._file = None

    def on_train_begin(self, logs=None):
        header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as existing:
                header = not existing.readline()
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer, self._keys, self._header = None, None, header

    def on_epoch_end(self, epoch, logs=None):
        if self._keys is None:
            self._keys = sorted(logs)
            if self._keys and not any(k.startswith("val_") for k in self._keys):
                self._keys += [f"val_{k}" for k in self._keys]
        if self._writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self._keys],
                                          dialect=dialect)
            if self._header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}})
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
        self._writer = None

