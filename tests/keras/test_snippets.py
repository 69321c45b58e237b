"""Real Keras code, as Keras's guides and beginner tutorials write it, runs unchanged in nnlib.

Each snippet is a function of the library (``keras``) written exactly as the source writes it, and
runs twice: with real Keras 3 (JAX) and with ``import nnlib as keras``. ``share(model)`` marks the
place where a model is complete: in Keras's run it records the initial weights, in nnlib's run it
copies them in, so the two runs start from the same numbers. The snippet returns what it computed;
numbers that do not depend on random shuffling are compared with Keras's, the rest by their shape
(the same History keys, the same epochs). Sources: keras.io guides "The Sequential model", "The
Functional API", "Training & evaluation with the built-in methods", "Writing your own callbacks",
"Save, serialize, and export models", and the issue's blog-post walkthrough.
"""

import io
import os
from contextlib import redirect_stdout

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(200, 8)).astype("float32")
Y_BINARY = (X[:, 0] + X[:, 1] > 0).astype("float32")
Y_CLASS = (X[:, :3].argmax(axis=1)).astype("int32")
Y_REAL = (X @ RNG.normal(size=(8, 1))).astype("float32")[:, 0]

SNIPPETS = {}


def snippet(function):
    SNIPPETS[function.__name__] = function
    return function


# ---- The Sequential model --------------------------------------------------------------------
@snippet
def sequential_add_pop_and_build(keras, share, tmp_path):
    layers = keras.layers
    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    model.add(layers.Dense(3, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    before = len(model.weights)
    model.pop()
    model.build((None, 8))
    share(model)
    return {"exact": {"predict": model.predict(X[:5], verbose=0)},
            "same": {"weights_before_build": before, "layers": len(model.layers),
                     "weights": len(model.weights), "params": model.count_params()}}


@snippet
def sequential_with_input_and_summary(keras, share, tmp_path):
    model = keras.Sequential()
    model.add(keras.Input(shape=(8,)))
    model.add(keras.layers.Dense(2, activation="relu"))
    share(model)
    out = io.StringIO()
    with redirect_stdout(out):
        model.summary()
    return {"same": {"params_line": [line for line in out.getvalue().splitlines()
                                     if "Total params" in line][0].strip()}}


@snippet
def transfer_learning_freezes_all_but_the_last_layer(keras, share, tmp_path):
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    for layer in model.layers[:-1]:
        layer.trainable = False
    model.compile(optimizer="adam", loss="mse")
    share(model)
    frozen = [w.copy() for w in model.get_weights()[:4]]
    model.fit(X, Y_REAL, epochs=2, batch_size=32, verbose=0)
    return {"same": {"frozen_unchanged": all(np.array_equal(a, b) for a, b in
                                             zip(frozen, model.get_weights()[:4])),
                     "trainable": len(model.trainable_weights)}}


# ---- The Functional API ----------------------------------------------------------------------
@snippet
def functional_mnist_style(keras, share, tmp_path):
    layers = keras.layers
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(3)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
    share(model)
    before = model.evaluate(X, Y_CLASS, verbose=0)
    history = model.fit(X, Y_CLASS, batch_size=64, epochs=2, validation_split=0.2)
    test_scores = model.evaluate(X, Y_CLASS, verbose=2)
    return {"exact": {"evaluate_before": before},
            "same": {"keys": sorted(history.history), "epochs": len(history.epoch),
                     "scores": len(test_scores)}}


@snippet
def models_are_callable_like_layers(keras, share, tmp_path):
    layers = keras.layers
    encoder_input = keras.Input(shape=(8,), name="original")
    x = layers.Dense(6, activation="relu")(encoder_input)
    encoder_output = layers.Dense(2)(x)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_input = keras.Input(shape=(2,), name="encoded")
    x = layers.Dense(6, activation="relu")(decoder_input)
    decoder_output = layers.Dense(8)(x)
    decoder = keras.Model(decoder_input, decoder_output, name="decoder")
    autoencoder_input = keras.Input(shape=(8,), name="input")
    encoded = encoder(autoencoder_input)
    decoded = decoder(encoded)
    autoencoder = keras.Model(autoencoder_input, decoded, name="autoencoder")
    share(autoencoder)
    autoencoder.compile(optimizer="sgd", loss="mse")
    history = autoencoder.fit(X, X, batch_size=50, epochs=3, shuffle=False, verbose=0)
    return {"exact": {"predict": autoencoder.predict(X[:4], verbose=0),
                      "loss": history.history["loss"],
                      "encoder_after": encoder.predict(X[:4], verbose=0)},
            "same": {"params": autoencoder.count_params()}}


@snippet
def nested_sequential(keras, share, tmp_path):
    block = keras.Sequential([keras.layers.Dense(6, activation="tanh"), keras.layers.Dense(3)])
    model = keras.Sequential([keras.Input(shape=(8,)), block, keras.layers.Dense(1)])
    share(model)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(X, Y_REAL, batch_size=40, epochs=3, shuffle=False, verbose=0)
    return {"exact": {"loss": history.history["loss"], "predict": model.predict(X[:3], verbose=0)},
            "same": {"params": model.count_params(), "weights": len(model.weights)}}


@snippet
def ensemble_of_models_on_one_input(keras, share, tmp_path):
    def get_model():
        inputs = keras.Input(shape=(8,))
        outputs = keras.layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1 = get_model()
    model2 = get_model()
    model3 = get_model()
    inputs = keras.Input(shape=(8,))
    y1 = model1(inputs)
    y2 = model2(inputs)
    y3 = model3(inputs)
    outputs = keras.layers.average([y1, y2, y3])
    ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
    share(ensemble_model)
    return {"exact": {"predict": ensemble_model.predict(X[:4], verbose=0)},
            "same": {"layers": [len(getattr(layer, "layers", [])) for layer in
                                ensemble_model.layers], "params": ensemble_model.count_params()}}


@snippet
def features_of_every_layer(keras, share, tmp_path):
    inputs = keras.Input(shape=(8,))
    x = keras.layers.Dense(6, activation="relu")(inputs)
    outputs = keras.layers.Dense(2)(x)
    model = keras.Model(inputs, outputs)
    features_list = [layer.output for layer in model.layers]
    feat_extraction_model = keras.Model(inputs=model.input, outputs=features_list)
    share(feat_extraction_model)
    return {"exact": {"features": feat_extraction_model(X[:4])}}


# ---- Training & evaluation with the built-in methods ----------------------------------------
@snippet
def training_guide_end_to_end(keras, share, tmp_path):
    layers = keras.layers
    inputs = keras.Input(shape=(8,), name="digits")
    x = layers.Dense(16, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(16, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(3, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    share(model)
    x_train, y_train, x_val, y_val = X[:150], Y_CLASS[:150], X[150:], Y_CLASS[150:]
    history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val),
                        shuffle=False, verbose=0)
    results = model.evaluate(x_val, y_val, batch_size=128, verbose=0)
    predictions = model.predict(x_val[:3], verbose=0)
    return {"exact": {"history": history.history, "results": results, "predictions": predictions},
            "same": {"keys": list(history.history)}}


@snippet
def custom_metric_function_with_ops(keras, share, tmp_path):
    ops = keras.ops

    def mean_squared_difference(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mean_squared_error",
                  metrics=[mean_squared_difference])
    share(model)
    return {"exact": {"evaluate": model.evaluate(X, Y_REAL, verbose=0)}}


@snippet
def custom_metric_class_with_variables(keras, share, tmp_path):
    ops = keras.ops

    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(
                shape=(), name="ctp", initializer="zeros"
            )

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            values = ops.cast(values, "float32")
            if sample_weight is not None:
                sample_weight = ops.cast(sample_weight, "float32")
                values = ops.multiply(values, sample_weight)
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            # the guide returns the variable itself, which Keras 3.15 with this JAX refuses
            # ("Triggering __jax_array__() during abstractification"); its value works in both
            return self.true_positives.value

        def reset_state(self):
            self.true_positives.assign(0.0)

    inputs = keras.Input(shape=(8,))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(6)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[CategoricalTruePositives()])
    share(model)
    history = model.fit(X, Y_CLASS[:, None], batch_size=64, epochs=3, shuffle=False, verbose=0)
    return {"exact": {"history": history.history}}


# ---- Writing your own callbacks --------------------------------------------------------------
def get_model(keras):
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


@snippet
def callbacks_receive_logs_as_keras_passes_them(keras, share, tmp_path):
    seen = []

    class CustomCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append(("train_begin", sorted(logs.keys())))

        def on_epoch_begin(self, epoch, logs=None):
            seen.append(("epoch_begin", sorted(logs.keys())))

        def on_epoch_end(self, epoch, logs=None):
            seen.append(("epoch_end", sorted(logs.keys())))

        def on_train_batch_begin(self, batch, logs=None):
            seen.append(("batch_begin", sorted(logs.keys())))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("batch_end", sorted(logs.keys())))

        def on_train_end(self, logs=None):
            seen.append(("train_end", sorted(logs.keys())))

    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(f"The average loss for epoch {epoch} is {logs['loss']:7.2f} "
                  f"and mean absolute error is {logs['mean_absolute_error']:7.2f}.")

    model = get_model(keras)
    model.build((None, 8))
    share(model)
    out = io.StringIO()
    with redirect_stdout(out):
        model.fit(X, Y_REAL, batch_size=128, epochs=2, verbose=0, shuffle=False,
                  callbacks=[CustomCallback(), LossAndErrorPrintingCallback()])
    return {"same": {"hooks": seen, "printed": out.getvalue()}}


@snippet
def early_stopping_at_min_loss(keras, share, tmp_path):
    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs=None):
            self.wait = 0
            self.stopped_epoch = 0
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    self.model.set_weights(self.best_weights)

    model = get_model(keras)
    model.build((None, 8))
    share(model)
    stopper = EarlyStoppingAtMinLoss()
    history = model.fit(X, Y_REAL * 50, batch_size=64, epochs=30, verbose=0, shuffle=False,
                        callbacks=[stopper])
    return {"exact": {"loss": history.history["loss"], "weights": model.get_weights()},
            "same": {"stopped": stopper.stopped_epoch}}


@snippet
def learning_rate_scheduler_and_plateau(keras, share, tmp_path):
    def scheduler(epoch, lr):
        if epoch < 2:
            return lr
        return float(lr * np.exp(-0.1))

    model = get_model(keras)
    model.build((None, 8))
    share(model)
    callbacks = [keras.callbacks.LearningRateScheduler(scheduler),
                 keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                                   min_delta=10.0),
                 keras.callbacks.CSVLogger(str(tmp_path / f"{keras.__name__}.csv"))]
    history = model.fit(X, Y_REAL, batch_size=64, epochs=5, verbose=0, shuffle=False,
                        callbacks=callbacks)
    csv_lines = (tmp_path / f"{keras.__name__}.csv").read_text().splitlines()
    return {"exact": {"history": history.history,
                      "csv": [[float(v) for v in line.split(",") if v != "NA"]
                              for line in csv_lines[1:]]},
            "same": {"csv_header": csv_lines[0]}}


# ---- Save, serialize, and export models ------------------------------------------------------
@snippet
def save_and_load_keras_file(keras, share, tmp_path):
    def get_model():
        inputs = keras.Input(shape=(8,))
        outputs = keras.layers.Dense(1)(inputs)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam(), loss="mean_squared_error")
        return model

    model = get_model()
    share(model)
    model.fit(X, Y_REAL, verbose=0, shuffle=False)
    model.save(tmp_path / "my_model.keras")
    reconstructed_model = keras.models.load_model(tmp_path / "my_model.keras")
    np.testing.assert_allclose(model.predict(X, verbose=0),
                               reconstructed_model.predict(X, verbose=0))
    reconstructed_model.fit(X, Y_REAL, verbose=0, shuffle=False)
    other = get_model()
    other.set_weights(reconstructed_model.get_weights())
    return {"exact": {"predict": other.predict(X[:4], verbose=0)}}


@snippet
def layer_and_model_configs_and_clone(keras, share, tmp_path):
    layer = keras.layers.Dense(3, activation="relu")
    layer_config = layer.get_config()
    new_layer = keras.layers.Dense.from_config(layer_config)
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(1)])
    config = model.get_config()
    new_model = keras.Sequential.from_config(config)
    inputs = keras.Input((32,))
    outputs = keras.layers.Dense(1)(inputs)
    functional = keras.Model(inputs, outputs)
    from_config = keras.Model.from_config(functional.get_config(), custom_objects={})
    new_model_2 = keras.models.clone_model(model)
    new_layer.build((None, 4))
    return {"same": {"layer_config": {key: value for key, value in layer_config.items()
                                      if key != "name"},
                     "new_layer": (new_layer.units, len(new_layer.weights)),
                     "params": [m.count_params() for m in (new_model, from_config, new_model_2)],
                     "fresh": [not np.array_equal(a, b) for a, b in zip(
                         model.get_weights()[:1], new_model_2.get_weights()[:1])]}}


def _run(name, tmp_path):
    recorded = []

    def record(model):
        recorded.append([np.asarray(w) for w in model.get_weights()])
        return model

    def apply(model):
        model.set_weights(recorded.pop(0))
        return model

    real_keras.utils.set_random_seed(0)
    k_out = SNIPPETS[name](real_keras, record, tmp_path)
    nnlib.utils.set_random_seed(0)
    n_out = SNIPPETS[name](nnlib, apply, tmp_path)
    return k_out, n_out


def _assert_close(n_value, k_value, where):
    if isinstance(k_value, dict):
        assert list(n_value) == list(k_value), where
        for key in k_value:
            _assert_close(n_value[key], k_value[key], f"{where}.{key}")
    elif isinstance(k_value, (list, tuple)) and k_value and not np.isscalar(k_value[0]):
        assert len(n_value) == len(k_value), where
        for k, (a, b) in enumerate(zip(n_value, k_value)):
            _assert_close(a, b, f"{where}[{k}]")
    else:
        np.testing.assert_allclose(np.asarray(n_value, dtype=float),
                                   np.asarray(k_value, dtype=float), rtol=RTOL * 10,
                                   atol=ATOL * 10, err_msg=where)


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_runs_in_both_libraries(name, tmp_path):
    k_out, n_out = _run(name, tmp_path)
    assert n_out.get("same") == k_out.get("same")
    _assert_close(n_out.get("exact", {}), k_out.get("exact", {}), name)


# ---- the source material's walkthrough (issue 20) -------------------------------------------
def walkthrough(keras, X_train, y_train, X_val, y_val):
    """Exactly as the blog posts write it (Keras 2 spellings included)."""
    from_models, from_layers = keras.models, keras.layers
    Sequential, Dense = from_models.Sequential, from_layers.Dense
    model = Sequential()
    model.add(Dense(12, input_dim=8, activation='relu'))
    model.add(Dense(8, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(X_train, y_train, validation_data=(X_val, y_val), batch_size=100, epochs=20)
    return model


def test_the_walkthrough_runs_unchanged_in_both_libraries():
    data = X[:150], Y_BINARY[:150], X[150:], Y_BINARY[150:]
    results = {}
    for keras in (real_keras, nnlib):
        keras.utils.set_random_seed(0)
        with redirect_stdout(io.StringIO()) as out:
            model = walkthrough(keras, *data)
        history = model.history.history
        results[keras.__name__] = history
        assert "Epoch 20/20" in out.getvalue()
        assert history["val_loss"][-1] < history["val_loss"][0]  # both learn
    assert list(results["nnlib"]) == list(results["keras"])
    assert all(len(v) == 20 for v in results["nnlib"].values())


def test_the_walkthroughs_model_trains_with_keras_numbers():
    """The same model, Keras's initial weights copied, without shuffling: the same History."""
    histories = []
    weights = None
    for keras in (real_keras, nnlib):
        model = keras.models.Sequential()
        model.add(keras.layers.Dense(12, input_dim=8, activation="relu"))
        model.add(keras.layers.Dense(8, activation="relu"))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
        weights = weights or model.get_weights()
        model.set_weights(weights)
        histories.append(model.fit(X[:150], Y_BINARY[:150], validation_data=(X[150:], Y_BINARY[150:]),
                                   batch_size=100, epochs=20, shuffle=False, verbose=0).history)
    _assert_close(histories[1], histories[0], "walkthrough")


# ---- pieces the table points to ----------------------------------------------------------------
def test_to_categorical_matches_keras():
    labels = np.array([0, 2, 1, 2])
    np.testing.assert_array_equal(nnlib.utils.to_categorical(labels),
                                  real_keras.utils.to_categorical(labels))
    np.testing.assert_array_equal(nnlib.utils.to_categorical(labels, num_classes=4),
                                  real_keras.utils.to_categorical(labels, num_classes=4))


def test_a_custom_layer_trains_like_keras():
    """nnlib's custom layer writes forward and backward; Keras's writes call (autodiff): the same
    layer, y = x * s, trains to the same numbers."""
    class NnlibScale(nnlib.layers.Layer):
        def build(self, input_shape):
            self.add_weight("scale", (input_shape[-1],), initializer="ones")
            super().build(input_shape)

        def forward(self, x):
            self._x = x
            return x * self.scale

        def backward(self, grad):
            self.grads[0][...] = (grad * self._x).sum(axis=0)
            return grad * self.scale

    class KerasScale(real_keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.scale

    histories, weights = [], None
    for keras, scale in ((real_keras, KerasScale), (nnlib, NnlibScale)):
        model = keras.Sequential([keras.Input((8,)), scale(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        weights = weights or model.get_weights()
        model.set_weights(weights)
        histories.append(model.fit(X, Y_REAL, batch_size=50, epochs=3, shuffle=False,
                                   verbose=0).history)
    _assert_close(histories[1], histories[0], "custom layer")
