"""History: Keras's record of training."""

from nnlib.callbacks import History


def test_history_records_each_epoch_with_sorted_keys():
    history = History()
    history.set_params({"verbose": 0, "epochs": 2, "steps": 3})
    history.on_epoch_end(0, {"loss": 0.9, "val_loss": 1.0, "accuracy": 0.5})
    history.on_epoch_end(1, {"loss": 0.7, "val_loss": 0.8, "accuracy": 0.75})
    assert list(history.history) == ["accuracy", "loss", "val_loss"]
    assert history.history["loss"] == [0.9, 0.7]
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert "epochs=2" in repr(history)


def test_history_values_are_plain_floats():
    import numpy as np

    history = History()
    history.on_epoch_end(0, {"loss": np.float32(0.25)})
    assert type(history.history["loss"][0]) is float
