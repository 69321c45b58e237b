"""History: Keras's record of training."""

from nnlib.callbacks import History


def test_history_records_each_epoch_in_the_order_of_the_logs():
    # as Keras's History; fit hands the callbacks its logs sorted (test_models: History keys)
    history = History()
    history.set_params({"verbose": 0, "epochs": 2, "steps": 3})
    history.on_epoch_end(0, {"loss": 0.9, "val_loss": 1.0, "accuracy": 0.5})
    history.on_epoch_end(1, {"loss": 0.7, "val_loss": 0.8, "accuracy": 0.75})
    assert list(history.history) == ["loss", "val_loss", "accuracy"]
    assert history.history["loss"] == [0.9, 0.7]
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert "epochs=2" in repr(history)


def test_history_values_are_plain_floats():
    import numpy as np

    history = History()
    history.on_epoch_end(0, {"loss": np.float32(0.25)})
    assert type(history.history["loss"][0]) is float


# ---- fit(callbacks=[...]) --------------------------------------------------------------------
import math  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import optimizers, utils  # noqa: E402
from nnlib.callbacks import Callback, EarlyStopping, LambdaCallback, TerminateOnNaN  # noqa: E402
from nnlib.layers import Dense, Input  # noqa: E402
from nnlib.models import NonFiniteLossError, Sequential  # noqa: E402


def regression(seed=0, lr=0.01):
    utils.set_random_seed(seed)
    model = Sequential([Input((3,)), Dense(8, activation="tanh"), Dense(1)])
    model.compile(optimizer=optimizers.SGD(lr), loss="mse", metrics=["mae"])
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3)).astype("float32")
    return model, x, (x @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=40)).astype("float32")


def test_hooks_are_called_in_keras_order_with_the_logs():
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            calls.append(("train_begin", self.params["epochs"], self.params["steps"]))

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(("epoch_begin", epoch))

        def on_train_batch_begin(self, batch, logs=None):
            calls.append(("batch_begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            calls.append(("batch_end", batch, sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch_end", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            calls.append(("train_end",))

    model, x, y = regression()
    recorder = Recorder()
    model.fit(x, y, batch_size=20, epochs=2, validation_split=0.5, verbose=0,
              callbacks=[recorder])
    assert recorder.model is model
    epoch = [("batch_begin", 0), ("batch_end", 0, ["loss", "mae"])]
    assert calls == [("train_begin", 2, 1),
                     ("epoch_begin", 0), *epoch,
                     ("epoch_end", 0, ["loss", "mae", "val_loss", "val_mae"]),
                     ("epoch_begin", 1), *epoch,
                     ("epoch_end", 1, ["loss", "mae", "val_loss", "val_mae"]),
                     ("train_end",)]


def test_lambda_callback_replaces_the_hooks_it_is_given():
    seen = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])))
    model, x, y = regression()
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[callback])
    assert seen == list(enumerate(history.history["loss"]))
    with pytest.raises(TypeError, match="LambdaCallback: on_epoch_end must be a function"):
        LambdaCallback(on_epoch_end=3)


def test_callbacks_must_be_a_list_of_callbacks():
    model, x, y = regression()
    with pytest.raises(TypeError, match=r"callbacks must be a list such as \[EarlyStopping\(\)\]"):
        model.fit(x, y, verbose=0, callbacks=EarlyStopping())
    with pytest.raises(TypeError, match=r"callbacks\[0\] must be an nnlib.callbacks.Callback"):
        model.fit(x, y, verbose=0, callbacks=[print])


class ScriptedLoss(Callback):
    """Replaces val_loss with scripted values, to check EarlyStopping's counting exactly."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


@pytest.mark.parametrize("values, patience, min_delta, stops_after", [
    ([5, 4, 4, 4, 4, 4], 0, 0, 3),   # patience 0: the first epoch without improvement stops
    ([5, 4, 4.5, 4.2, 4.1, 3], 2, 0, 4),  # two epochs without improvement after the best (4)
    ([5, 4, 3.5, 3.2, 3.1, 3.0, 1], 2, 0.5, 6),  # improvements below min_delta do not count
    ([5, 6, 7, 8, 9, 10], 3, 0, 4),
])
def test_early_stopping_counts_patience_as_keras(values, patience, min_delta, stops_after):
    model, x, y = regression()
    stopper = EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta)
    history = model.fit(x, y, epochs=len(values), verbose=0,
                        callbacks=[ScriptedLoss(values), stopper])
    assert len(history.epoch) == stops_after
    assert stopper.stopped_epoch == (stops_after - 1 if stops_after < len(values) else 0)


def test_early_stopping_restores_the_best_weights():
    model, x, y = regression()
    snapshots = []
    keep = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stopper = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    model.fit(x, y, epochs=6, verbose=0,
              callbacks=[keep, ScriptedLoss([3, 1, 2, 2, 2, 2]), stopper])
    assert stopper.best_epoch == 1 and stopper.stopped_epoch == 3
    for restored, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_mode_auto_follows_the_metric():
    model, x, y = regression()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    stopper = EarlyStopping(monitor="mae", patience=0)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[stopper])
    assert stopper._lower_is_better is True
    utils.set_random_seed(0)
    classifier = Sequential([Input((3,)), Dense(1, activation="sigmoid")])
    classifier.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    stopper = EarlyStopping(monitor="accuracy")
    classifier.fit(x, (y > 0).astype("float32"), epochs=2, verbose=0, callbacks=[stopper])
    assert stopper._lower_is_better is False
    with pytest.raises(ValueError, match="Unknown mode 'minimum'.*Did you mean 'min'"):
        EarlyStopping(mode="minimum")


def test_without_terminate_on_nan_a_diverging_fit_raises():
    model, x, y = regression(lr=1e6)
    with pytest.raises(NonFiniteLossError, match="the weights diverged"):
        model.fit(x * 1e3, y, epochs=5, verbose=0)


def test_terminate_on_nan_stops_training_instead(capsys):
    model, x, y = regression(lr=1e6)
    model.compile(optimizer=optimizers.SGD(1e6), loss="mse", metrics=["mae", "mse"])
    history = model.fit(x * 1e3, y, batch_size=8, epochs=5, verbose=0,
                        callbacks=[TerminateOnNaN()])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert len(history.epoch) == 1 and not math.isfinite(history.history["loss"][-1])
    assert all(np.isfinite(w).all() for w in model.get_weights())  # the bad step was not applied


def test_terminate_on_nan_stops_cleanly_when_the_outputs_overflow(capsys):
    """Infinite predictions: no metric is updated with them (their checks would refuse them)."""
    utils.set_random_seed(0)
    model = Sequential([Input((3,)), Dense(1, name="out")])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.get_layer("out").set_weights([np.full((3, 1), 1e30), np.zeros(1)])
    x = np.full((4, 3), 1e10, dtype="float32")
    history = model.fit(x, np.zeros(4), epochs=2, verbose=0, callbacks=[TerminateOnNaN()])
    assert "Invalid loss" in capsys.readouterr().out and len(history.epoch) == 1
    with pytest.raises(NonFiniteLossError):
        model.fit(x, np.zeros(4), epochs=1, verbose=0)


# ---- ModelCheckpoint ----------------------------------------------------------------------------
from nnlib import models  # noqa: E402
from nnlib.callbacks import ModelCheckpoint  # noqa: E402


def test_model_checkpoint_every_epoch_names_the_files_from_the_logs(tmp_path):
    model, x, y = regression()
    pattern = str(tmp_path / "ckpt" / "e{epoch:02d}-{loss:.4f}.keras")  # the folder is made
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[ModelCheckpoint(pattern)])
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == [f"e{k + 1:02d}-{loss:.4f}.keras" for k, loss in
                     enumerate(history.history["loss"])]
    last = models.load_model(tmp_path / "ckpt" / names[-1])
    np.testing.assert_array_equal(last.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_checkpoint_best_only_keeps_the_best_epoch(tmp_path, capsys):
    model, x, y = regression(lr=0.05)
    checkpoint = ModelCheckpoint(tmp_path / "best.weights.h5", monitor="val_mae",
                                 save_best_only=True, save_weights_only=True, verbose=1)
    saved = []
    keep = LambdaCallback(on_epoch_end=lambda epoch, logs: saved.append(model.get_weights())
                          if checkpoint.best == logs["val_mae"] else None)
    history = model.fit(x, y, epochs=6, validation_split=0.25, verbose=0,
                        callbacks=[checkpoint, keep])
    assert checkpoint.best == pytest.approx(min(history.history["val_mae"]))
    model.load_weights(tmp_path / "best.weights.h5")
    for got, expected in zip(model.get_weights(), saved[-1]):
        np.testing.assert_array_equal(got, expected)
    out = capsys.readouterr().out
    assert "Epoch 1: val_mae improved from None to " in out and "saving model to" in out


def test_model_checkpoint_initial_value_threshold_and_mode(tmp_path, capsys):
    model, x, y = regression()
    checkpoint = ModelCheckpoint(tmp_path / "m.keras", monitor="loss", mode="max",
                                 save_best_only=True, initial_value_threshold=1e9, verbose=1)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
    assert not (tmp_path / "m.keras").exists()
    assert "Epoch 2: loss did not improve from 1000000000.00000" in capsys.readouterr().out


def test_model_checkpoint_every_n_batches(tmp_path):
    model, x, y = regression()  # 40 rows, batch 16: 3 batches an epoch
    saves = []
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.keras"), save_freq=2)
    checkpoint._save = lambda epoch, batch, logs: saves.append((epoch, batch))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[checkpoint])
    assert saves == [(0, 1), (1, 0), (1, 2)]  # every second batch, across epochs as Keras


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(filepath="m.h5"), ValueError, r"filepath must end in '\.keras' when saving the whole"),
    (dict(filepath="m.keras", save_weights_only=True), ValueError,
     r"filepath must end in '\.weights\.h5' when save_weights_only=True"),
    (dict(filepath=3), TypeError, "filepath must be a path such as 'best.keras'"),
    (dict(filepath="m.keras", save_freq=0), ValueError, "save_freq must be 'epoch' or a number"),
    (dict(filepath="m.keras", mode="maximum"), ValueError, "Unknown mode 'maximum'"),
    (dict(filepath="m.keras", save_best_only="yes"), TypeError, "save_best_only must be True"),
])
def test_model_checkpoint_checks_its_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        ModelCheckpoint(**kwargs)


def test_model_checkpoint_a_field_not_in_the_logs_is_named(tmp_path):
    model, x, y = regression()
    checkpoint = ModelCheckpoint(str(tmp_path / "{val_loss:.2f}.keras"))
    with pytest.raises(KeyError, match=r"names 'val_loss', which is not in the logs; available: "
                                       r"loss, mae, epoch"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])


def test_model_checkpoint_best_only_without_the_monitored_value_warns_and_saves(tmp_path):
    model, x, y = regression()
    checkpoint = ModelCheckpoint(tmp_path / "m.keras", monitor="score", save_best_only=True)
    with pytest.warns(UserWarning, match="'score' in the logs"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])
    assert (tmp_path / "m.keras").exists()  # saved anyway, as Keras


@pytest.mark.parametrize("make", [lambda path: ModelCheckpoint(path, monitor="score",
                                                               save_best_only=True),
                                  lambda path: EarlyStopping(monitor="score")])
def test_auto_mode_asks_for_a_direction_it_cannot_tell(make, tmp_path):
    model, _, _ = regression()
    callback = make(tmp_path / "m.keras")
    callback.set_model(model)
    name = type(callback).__name__
    with pytest.raises(ValueError, match=rf"{name}: cannot tell whether 'score' should go up or "
                                         r"down; pass mode='max'"):
        callback.on_epoch_end(0, {"loss": 1.0, "score": 0.5})


def test_early_stopping_on_a_metric_missing_from_the_logs_warns_as_keras():
    # val_auc without validation data: Keras warns every epoch and never stops
    utils.set_random_seed(0)
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["auc"])
    x = np.array([[0.0, 1.0], [1.0, 0.0]] * 4)
    y = np.array([0.0, 1.0] * 4)
    stop = EarlyStopping(monitor="val_auc", patience=0)
    with pytest.warns(UserWarning, match="conditioned on metric `val_auc` which is not available"):
        history = model.fit(x, y, epochs=3, verbose=0, callbacks=[stop])
    assert len(history.epoch) == 3 and "auc" in history.history
