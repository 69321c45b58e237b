"""Callback hooks against real Keras 3: a callback that records every hook it receives (its
argument and its logs) sees the same calls, in the same order, with the same logs, in fit (the
validation after each epoch included), evaluate and predict."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]
X = np.random.default_rng(0).normal(size=(7, 3)).astype("float32")
Y = X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")


def recorder(lib):
    """A callback of `lib` recording (hook, batch or epoch, logs) for every hook."""

    def hook(name):
        if "batch" in name or "epoch" in name:
            def record(self, index, logs=None):
                self.calls.append((name, index, None if logs is None else dict(logs)))
        else:
            def record(self, logs=None):
                self.calls.append((name, None, None if logs is None else dict(logs)))
        return record

    class Recorder(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

    for name in HOOKS:
        setattr(Recorder, name, hook(name))
    return Recorder()


def models():
    pair = [lib.Sequential([lib.Input((3,)), lib.layers.Dense(2, activation="tanh", name="h"),
                            lib.layers.Dense(1, name="out")]) for lib in (real_keras, nnlib)]
    pair[1].set_weights(pair[0].get_weights())
    for model in pair:
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return pair


def assert_same_calls(n_calls, k_calls):
    assert [(name, index) for name, index, _ in n_calls] == \
        [(name, index) for name, index, _ in k_calls]
    for (name, index, n_logs), (_, _, k_logs) in zip(n_calls, k_calls):
        assert (n_logs is None) == (k_logs is None), name
        if k_logs is None:
            continue
        assert sorted(n_logs) == sorted(k_logs), (name, index)
        for key in k_logs:
            np.testing.assert_allclose(np.asarray(n_logs[key]), np.asarray(k_logs[key]),
                                       rtol=RTOL, atol=ATOL, err_msg=f"{name}{index} {key}")


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_a_recording_callback_sees_the_hooks_and_logs_keras_passes(method):
    calls = []
    for lib, model in zip((real_keras, nnlib), models()):
        callback = recorder(lib)
        if method == "fit":
            model.fit(X, Y, epochs=2, batch_size=3, validation_data=(X[:5], Y[:5]),
                      shuffle=False, verbose=0, callbacks=[callback])
        elif method == "evaluate":
            model.evaluate(X, Y, batch_size=3, verbose=0, callbacks=[callback])
        else:
            model.predict(X, batch_size=3, verbose=0, callbacks=[callback])
        calls.append(callback.calls)
        assert callback.params["steps"] == 3
    k_calls, n_calls = calls
    assert {name for name, _, _ in n_calls} >= ({"on_test_batch_end"} if method != "predict"
                                                else {"on_predict_batch_end"})
    assert_same_calls(n_calls, k_calls)


def test_evaluate_and_predict_refuse_callbacks_that_are_not_a_list():
    _, model = models()
    with pytest.raises(TypeError, match=r"callbacks must be a list"):
        model.evaluate(X, Y, verbose=0, callbacks=nnlib.callbacks.History())
    with pytest.raises(TypeError, match=r"callbacks\[0\] must be an nnlib.callbacks.Callback"):
        model.predict(X, verbose=0, callbacks=[print])
