"""fit's callbacks, sample and class weights, and metric objects against real Keras 3 (JAX).

Same initial weights in both libraries (copied from Keras), shuffle off, rtol 1e-5 on History,
1e-4 on final weights, as in test_parity.py.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402



def twins(out_units=1, out_activation="sigmoid", seed=0, hidden=16):
    def build(lib):
        return lib.Sequential([lib.Input((4,)),
                               lib.layers.Dense(hidden, activation="relu", name="hidden"),
                               lib.layers.Dense(out_units, activation=out_activation, name="out")])

    keras.utils.set_random_seed(seed)
    k_model, n_model = build(keras), build(nnlib)
    n_model.set_weights(k_model.get_weights())
    return k_model, n_model


def binary_data(n=60, seed=1, positive_rate=0.2):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (rng.random(n) < positive_rate).astype("float32")  # imbalanced, and noisy: overfits
    return x, y


def compile_both(k_model, n_model, loss="binary_crossentropy", metrics=("accuracy",),
                 optimizer=("Adam", {"learning_rate": 0.05})):
    name, kwargs = optimizer
    k_model.compile(optimizer=getattr(keras.optimizers, name)(**kwargs), loss=loss,
                    metrics=[m() if callable(m) else m for m in metrics_for(keras, metrics)])
    n_model.compile(optimizer=getattr(nnlib.optimizers, name)(**kwargs), loss=loss,
                    metrics=[m() if callable(m) else m for m in metrics_for(nnlib, metrics)])


def metrics_for(lib, metrics):
    """Names stay names; ("AUC", {...}) becomes lib.metrics.AUC(...)."""
    return [m if isinstance(m, str) else (lambda m=m: getattr(lib.metrics, m[0])(**m[1]))
            for m in metrics]


def assert_same_history(k_history, n_history):
    assert list(n_history.history) == list(k_history.history)
    assert n_history.epoch == k_history.epoch
    for key in k_history.history:
        np.testing.assert_allclose(n_history.history[key], k_history.history[key], rtol=RTOL,
                                   atol=ATOL, err_msg=key)


def assert_same_weights(k_model, n_model):
    for n_w, k_w in zip(n_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(n_w, k_w, rtol=1e-4, atol=1e-6)


FIT = dict(batch_size=16, validation_split=0.25, shuffle=False, verbose=0)


# ---- EarlyStopping ------------------------------------------------------------------------------
@pytest.mark.parametrize("monitor, patience, restore", [
    ("val_loss", 3, True), ("val_loss", 0, False), ("val_accuracy", 2, True),
])
def test_early_stopping_stops_at_the_same_epoch_and_restores_the_same_weights(monitor, patience,
                                                                               restore):
    k_model, n_model = twins()
    compile_both(k_model, n_model)
    x, y = binary_data()
    stoppers = {}
    histories = {}
    for lib, model in (("keras", k_model), ("nnlib", n_model)):
        module = keras if lib == "keras" else nnlib
        stoppers[lib] = module.callbacks.EarlyStopping(monitor=monitor, patience=patience,
                                                       restore_best_weights=restore)
        histories[lib] = model.fit(x, y, epochs=40, callbacks=[stoppers[lib]], **FIT)
    assert len(histories["keras"].epoch) < 40  # it did stop early
    assert_same_history(histories["keras"], histories["nnlib"])
    assert stoppers["nnlib"].stopped_epoch == stoppers["keras"].stopped_epoch
    assert stoppers["nnlib"].best_epoch == stoppers["keras"].best_epoch
    assert_same_weights(k_model, n_model)  # restored (or final) weights


# ---- ModelCheckpoint ----------------------------------------------------------------------------
@pytest.mark.parametrize("monitor, weights_only, mode", [("val_loss", False, "auto"),
                                                         ("val_accuracy", True, "max")])
def test_model_checkpoint_saves_the_same_epochs_as_keras_and_keras_opens_them(
        monitor, weights_only, mode, tmp_path):
    k_model, n_model = twins()
    compile_both(k_model, n_model, optimizer=("Adam", {"learning_rate": 0.05}))
    rng = np.random.default_rng(3)  # a learnable rule, so that the validation scores improve
    x = rng.normal(size=(80, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] + 0.5 * rng.normal(size=80) > 0).astype("float32")
    suffix = ".weights.h5" if weights_only else ".keras"
    for lib, model in (("keras", k_model), ("nnlib", n_model)):
        module = keras if lib == "keras" else nnlib
        (tmp_path / lib).mkdir()
        per_epoch = module.callbacks.ModelCheckpoint(
            str(tmp_path / lib / ("e{epoch:02d}-{%s:.3f}%s" % (monitor, suffix))),
            monitor=monitor, save_best_only=True, save_weights_only=weights_only, mode=mode)
        best = module.callbacks.ModelCheckpoint(
            tmp_path / lib / f"best{suffix}", monitor=monitor, save_best_only=True,
            save_weights_only=weights_only, mode=mode)
        model.fit(x, y, epochs=12, callbacks=[per_epoch, best], **FIT)
    names = sorted(p.name for p in (tmp_path / "keras").iterdir())
    assert 2 < len(names) < 13  # some epochs improved, some did not
    assert sorted(p.name for p in (tmp_path / "nnlib").iterdir()) == names

    # nnlib's file of the best epoch opens in real Keras and predicts what nnlib's model did
    # then, and what Keras's own file of that epoch predicts
    best_epoch = sorted(n for n in names if n.startswith("e"))[-1]
    n_best = open_checkpoint(nnlib, tmp_path / "nnlib" / best_epoch, weights_only)
    k_from_nnlib = open_checkpoint(keras, tmp_path / "nnlib" / f"best{suffix}", weights_only)
    k_own = open_checkpoint(keras, tmp_path / "keras" / best_epoch, weights_only)
    np.testing.assert_allclose(np.asarray(k_from_nnlib.predict(x, verbose=0)),
                               n_best.predict(x, verbose=0), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.asarray(k_own.predict(x, verbose=0)),
                               n_best.predict(x, verbose=0), rtol=1e-4, atol=1e-6)


def open_checkpoint(lib, path, weights_only):
    if not weights_only:
        return lib.models.load_model(path)
    model = twins(seed=9)[0 if lib is keras else 1]
    model.load_weights(path)
    return model


# ---- sample_weight and class_weight -------------------------------------------------------------
def test_class_weight_matches_keras():
    k_model, n_model = twins()
    compile_both(k_model, n_model)
    x, y = binary_data()
    fit = dict(FIT, epochs=5, class_weight={0: 1.0, 1: 4.0})
    assert_same_history(k_model.fit(x, y, **fit), n_model.fit(x, y, **fit))
    assert_same_weights(k_model, n_model)


def test_class_weight_with_class_labels_matches_keras():
    k_model, n_model = twins(out_units=3, out_activation="softmax")
    compile_both(k_model, n_model, loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, 4)).astype("float32")
    y = rng.choice(3, size=60, p=[0.7, 0.2, 0.1]).astype("int32")
    fit = dict(FIT, epochs=5, class_weight={1: 3.0, 2: 7.0})  # class 0 unlisted: weight 1
    assert_same_history(k_model.fit(x, y, **fit), n_model.fit(x, y, **fit))
    assert_same_weights(k_model, n_model)


@pytest.mark.parametrize("loss, units, activation", [
    ("binary_crossentropy", 1, "sigmoid"), ("mse", 1, None),
    ("categorical_crossentropy", 3, "softmax"),
])
def test_sample_weight_matches_keras(loss, units, activation):
    k_model, n_model = twins(out_units=units, out_activation=activation)
    # SGD: Adam divides by the running size of each gradient, which magnifies the last-digit
    # float32 differences of near-zero gradients in the final weights beyond 1e-4
    compile_both(k_model, n_model, loss=loss, metrics=("mae",),
                 optimizer=("SGD", {"learning_rate": 0.1, "momentum": 0.9}))
    x, y = binary_data()
    if units == 3:
        y = np.eye(3, dtype="float32")[np.random.default_rng(5).integers(0, 3, size=len(x))]
    weights = np.random.default_rng(6).uniform(0, 3, size=len(x)).astype("float32")
    fit = dict(FIT, epochs=5, sample_weight=weights)
    assert_same_history(k_model.fit(x, y, **fit), n_model.fit(x, y, **fit))
    assert_same_weights(k_model, n_model)
    k_eval = k_model.evaluate(x, y, sample_weight=weights, verbose=0)
    n_eval = n_model.evaluate(x, y, sample_weight=weights, verbose=0)
    np.testing.assert_allclose(n_eval, k_eval, rtol=RTOL)


# ---- metric objects -----------------------------------------------------------------------------
# explicit names: Keras numbers the default ones per session (auc, auc_1, ...), and so does nnlib,
# so unnamed metrics would depend on what other tests ran before in the same process
METRICS = [("BinaryAccuracy", {}), ("AUC", {"name": "auc"}), ("Precision", {"name": "precision"}),
           ("Recall", {"name": "recall"}),
           ("AUC", {"num_thresholds": 7}), ("Precision", {"thresholds": 0.3})]


def test_metric_objects_in_compile_match_keras():
    k_model, n_model = twins()
    metrics = tuple(METRICS[:4])
    compile_both(k_model, n_model, metrics=metrics)
    x, y = binary_data(n=80, positive_rate=0.4)
    fit = dict(FIT, epochs=4)
    assert_same_history(k_model.fit(x, y, **fit), n_model.fit(x, y, **fit))
    np.testing.assert_allclose(n_model.evaluate(x, y, verbose=0),
                               k_model.evaluate(x, y, verbose=0), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("metric", METRICS, ids=[f"{m[0]}{m[1]}" for m in METRICS])
def test_metric_objects_are_stateful_like_keras(metric):
    name, kwargs = metric
    k_metric = getattr(keras.metrics, name)(**kwargs)
    n_metric = getattr(nnlib.metrics, name)(**kwargs)
    rng = np.random.default_rng(7)
    for _ in range(3):  # three batches accumulate
        y_true = rng.integers(0, 2, size=(10, 1)).astype("float32")
        y_pred = rng.random((10, 1)).astype("float32")
        k_metric.update_state(y_true, y_pred)
        n_metric.update_state(y_true, y_pred)
        assert float(n_metric.result()) == pytest.approx(float(k_metric.result()), rel=RTOL,
                                                         abs=ATOL)
    k_metric.reset_state()
    n_metric.reset_state()
    assert float(n_metric.result()) == float(k_metric.result()) == 0.0


# ---- shuffling ----------------------------------------------------------------------------------
def test_shuffled_fits_match_keras_under_the_same_seed():
    """With shuffle=True (the default), utils.set_random_seed(s) before fit gives Keras's batches:
    NumPy's global generator, one order drawn unused by the first fit after compile, none by
    evaluate; a second fit goes on from the generator's state, as Keras's."""
    k_model, n_model = twins()
    compile_both(k_model, n_model, optimizer=("SGD", {"learning_rate": 0.1}))
    x, y = binary_data()
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        lib.utils.set_random_seed(5)
        model.evaluate(x, y, verbose=0)
        histories = [model.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, verbose=0)
                     for _ in range(2)]
        model.histories = histories
    for k_history, n_history in zip(k_model.histories, n_model.histories):
        assert_same_history(k_history, n_history)
    assert_same_weights(k_model, n_model)
    # a different seed gives other batches (so the agreement above is not by chance)
    k_model.compile(optimizer="sgd", loss="binary_crossentropy")
    n_model.compile(optimizer="sgd", loss="binary_crossentropy")
    n_model.set_weights(k_model.get_weights())
    keras.utils.set_random_seed(5)
    nnlib.utils.set_random_seed(6)
    k_loss = k_model.fit(x, y, batch_size=8, verbose=0).history["loss"]
    n_loss = n_model.fit(x, y, batch_size=8, verbose=0).history["loss"]
    assert not np.allclose(n_loss, k_loss, rtol=1e-7, atol=0)


# ---- validation_batch_size, validation_freq -----------------------------------------------
@pytest.mark.parametrize("validation_freq", [2, [1, 4]])
def test_validation_batch_size_and_freq_validate_as_keras(validation_freq):
    k_model, n_model = twins()
    compile_both(k_model, n_model)
    x, y = binary_data()
    histories, test_batches = [], []
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        batches = []

        class Counter(lib.callbacks.Callback):
            def on_test_batch_end(self, batch, logs=None, seen=batches):
                seen.append(batch)

        counter = Counter()
        histories.append(model.fit(x, y, epochs=4, callbacks=[counter],
                                   **{**FIT, "validation_batch_size": 4,
                                      "validation_freq": validation_freq}))
        test_batches.append(batches)
    assert_same_history(*histories)
    assert len(histories[1].history["val_loss"]) == 2
    assert test_batches[1] == test_batches[0] == [0, 1, 2, 3] * 2  # 15 rows in batches of 4
    assert_same_weights(k_model, n_model)


# ---- weighted_metrics ---------------------------------------------------------------------
@pytest.mark.parametrize("metrics, weighted", [
    (["accuracy"], ["accuracy"]),  # Keras logs the second as weighted_accuracy
    ([], ["mae", "accuracy"]),
])
def test_weighted_metrics_count_each_row_by_its_weight_as_keras(metrics, weighted):
    k_model, n_model = twins()
    for lib, model in ((keras, k_model), (nnlib, n_model)):
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="binary_crossentropy",
                      metrics=metrics, weighted_metrics=weighted)
    x, y = binary_data()
    w = np.random.default_rng(5).random(len(y)).astype("float32")
    histories = [model.fit(x, y, sample_weight=w, epochs=3, **FIT)
                 for model in (k_model, n_model)]
    assert_same_history(*histories)
    assert any(key.startswith("val_") for key in histories[1].history)
    np.testing.assert_allclose(n_model.evaluate(x, y, sample_weight=w, verbose=0),
                               k_model.evaluate(x, y, sample_weight=w, verbose=0),
                               rtol=RTOL, atol=ATOL)
    assert n_model.get_compile_config()["weighted_metrics"] == \
        k_model.get_compile_config()["weighted_metrics"]


def test_initial_epoch_resumes_the_epoch_count_as_keras():
    k_model, n_model = twins()
    # SGD: Adam magnifies last-digit differences of near-zero gradients (see the sample_weight test)
    compile_both(k_model, n_model, optimizer=("SGD", {"learning_rate": 0.05}))
    x, y = binary_data()
    histories = [model.fit(x, y, epochs=5, initial_epoch=2, **FIT) for model in (k_model, n_model)]
    assert histories[1].epoch == histories[0].epoch == [2, 3, 4]
    assert_same_history(*histories)
    assert_same_weights(k_model, n_model)
