"""Models: building, Keras's training semantics (batches, validation split, shuffling, running
means), History, evaluate/predict, summary, weights, verbosity and divergence."""

import numpy as np
import pytest

from nnlib import config, optimizers, utils
from nnlib.callbacks import History
from nnlib.layers import Add, Concatenate, Dense, Input
from nnlib.models import Model, NonFiniteLossError, Sequential


def small_model(seed=0, out_activation="sigmoid", units=1, hidden=4, n_in=3):
    utils.set_random_seed(seed)
    return Sequential([Input((n_in,)), Dense(hidden, activation="tanh"),
                       Dense(units, activation=out_activation)])


def data(n=10, n_in=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    return x, y


# ---- building -------------------------------------------------------------------------------
def test_sequential_builds_from_first_data_when_no_input_is_given():
    model = Sequential([Dense(4, activation="relu"), Dense(2)])
    assert not model.built and model.trainable_weights == []
    out = model.predict(np.ones((3, 5)), verbose=0)
    assert out.shape == (3, 2) and model.built
    assert [w.shape for w in model.get_weights()] == [(5, 4), (4,), (4, 2), (2,)]


def test_sequential_add_and_layers_exclude_the_input():
    model = Sequential()
    model.add(Input((3,)))
    model.add(Dense(2, name="hidden"))
    model.add(Dense(1, name="out"))
    assert [layer.name for layer in model.layers] == ["hidden", "out"]
    assert model.weight_paths == ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
    assert model.count_params() == 3 * 2 + 2 + 2 + 1


def test_functional_model_layers_in_topological_order_including_inputs():
    a, b = Input((3,)), Input((2,))
    h = Dense(2, name="h")(a)
    joined = Concatenate(name="cat")([h, b])
    out = Dense(1, name="out")(joined)
    model = Model([a, b], out)
    names = [layer.name for layer in model.layers]
    assert names[:2] == [a.layer.name, b.layer.name]
    assert names.index("h") < names.index("cat") < names.index("out")
    assert model.predict([np.ones((4, 3)), np.ones((4, 2))], verbose=0).shape == (4, 1)


def test_functional_residual_graph_equals_the_sum_by_hand():
    x = Input((3,))
    h = Dense(3, name="h", activation="relu")(x)
    out = Add(name="skip")([h, x])
    model = Model(x, out)
    data_x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    layer = model.layers[1]
    expected = np.maximum(data_x @ layer.kernel + layer.bias, 0) + data_x
    np.testing.assert_allclose(model(data_x), expected, rtol=1e-6)


def test_model_call_and_predict_in_batches_agree():
    model = small_model()
    x, _ = data(10)
    np.testing.assert_allclose(model.predict(x, batch_size=3, verbose=0), model(x), rtol=1e-6)


# ---- training semantics ---------------------------------------------------------------------
def test_last_partial_batch_is_kept():
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = data(10)
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert model.optimizer.iterations == 6


def test_epoch_loss_is_the_batch_size_weighted_mean_of_pre_update_losses():
    x, y = data(6)
    model = small_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)

    # the same run by hand: loss of batch 1 (4 rows) at the initial weights, one step, loss of
    # batch 2 (2 rows) at the updated weights
    replay = small_model()
    replay.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
    first = replay.evaluate(x[:4], y[:4], verbose=0)
    replay.fit(x[:4], y[:4], batch_size=4, epochs=1, shuffle=False, verbose=0)
    second = replay.evaluate(x[4:], y[4:], verbose=0)
    assert history.history["loss"][0] == pytest.approx((4 * first + 2 * second) / 6, rel=1e-6)
    for trained, replayed in zip(model.get_weights(), replay.get_weights()):
        assert not np.array_equal(trained, replayed)  # the epoch's last batch moved the weights


def test_validation_split_takes_the_last_rows_before_shuffling():
    x, y = data(10)
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=3, epochs=1, validation_split=0.3, shuffle=True,
                        verbose=0)
    # 7 rows train (3 steps), the last 3 validate, measured after the epoch
    assert history.params["steps"] == 3
    val = model.evaluate(x[7:], y[7:], verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(val["loss"], rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(val["accuracy"])


def test_validation_data_is_used_as_given():
    x, y = data(10)
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x[:8], y[:8], epochs=2, validation_data=(x[8:], y[8:]), verbose=0)
    assert list(history.history) == ["loss", "val_loss"]
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[8:], y[8:], verbose=0), rel=1e-6)


class RowRecorder(Dense):
    """A Dense layer that notes which rows (feature 0 holds the row number) it sees in training."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def forward(self, x):
        self.seen.append(x[:, 0].astype(int).tolist())
        return super().forward(x)


def test_shuffle_draws_a_new_permutation_of_the_training_rows_every_epoch():
    x = np.column_stack([np.arange(12.0), np.ones(12)]).astype("float32")
    y = np.zeros(12, dtype="float32")
    utils.set_random_seed(0)
    recorder = RowRecorder(1)
    model = Sequential([Input((2,)), recorder])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=4, epochs=3, validation_split=0.25, verbose=0)
    # per epoch: 9 training rows in 3 batches, then the 3 validation rows (evaluate, in order)
    epochs = [sum(recorder.seen[k * 4:k * 4 + 3], []) for k in range(3)]
    validation = [recorder.seen[k * 4 + 3] for k in range(3)]
    assert all(sorted(rows) == list(range(9)) for rows in epochs)
    assert len({tuple(rows) for rows in epochs}) == 3  # a different order each epoch
    assert validation == [[9, 10, 11]] * 3


def test_shuffle_false_keeps_the_order():
    x = np.column_stack([np.arange(6.0), np.ones(6)]).astype("float32")
    recorder = RowRecorder(1)
    model = Sequential([Input((2,)), recorder])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros(6), batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert recorder.seen == [[0, 1, 2, 3], [4, 5]] * 2


def test_history_keys_epochs_and_model():
    x, y = data(10)
    model = small_model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", "mae"])
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert isinstance(history, History) and model.history is history
    assert list(history.history) == ["accuracy", "loss", "mae", "val_accuracy", "val_loss",
                                     "val_mae"]
    assert history.epoch == [0, 1, 2] and history.model is model
    assert all(len(v) == 3 and isinstance(v[0], float) for v in history.history.values())


def test_zero_epochs_trains_nothing():
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    history = model.fit(*data(4), epochs=0, verbose=0)
    assert history.history == {} and history.epoch == []
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_optimizer_updates_the_live_weight_arrays():
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    weights = model.trainable_weights
    before = [w.copy() for w in weights]
    model.fit(*data(4), epochs=1, verbose=0)
    assert all(a is b for a, b in zip(weights, model.trainable_weights))
    assert any(not np.array_equal(a, b) for a, b in zip(before, weights))


def test_float32_by_default_and_float64_when_set():
    x, y = data(6)
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x.astype("float64"), y, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x.astype("float64"), verbose=0).dtype == np.float32
    with config.floatx_scope("float64"):
        model64 = small_model()
        model64.compile(optimizer="sgd", loss="mse")
    model64.fit(x, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in model64.get_weights())
    assert model64.predict(x, verbose=0).dtype == np.float64


def test_evaluate_returns_keras_shapes():
    x, y = data(8)
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    loss, accuracy = model.evaluate(x, y, verbose=0)
    p = model.predict(x, verbose=0)[:, 0]
    assert accuracy == pytest.approx(np.mean((p > 0.5) == (y > 0.5)))
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"accuracy": accuracy,
                                                                 "loss": loss}


def test_evaluate_leaves_weights_alone():
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.evaluate(*data(5), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_get_and_set_weights_round_trip():
    a, b = small_model(seed=1), small_model(seed=2)
    x, _ = data(5)
    assert not np.allclose(a.predict(x, verbose=0), b.predict(x, verbose=0))
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))


def test_compute_loss_and_gradients_is_aligned_and_changes_nothing():
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    loss, grads = model.compute_loss_and_gradients(*data(5))
    assert isinstance(loss, float)
    assert [g.shape for g in grads] == [w.shape for w in model.trainable_weights]
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_divergence_raises_a_named_floating_point_error():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32") * 100
    y = x @ np.array([1.0, -2.0, 3.0], dtype="float32")
    utils.set_random_seed(0)
    model = Sequential([Input((3,)), Dense(8), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=10.0), loss="mse")
    with pytest.raises(NonFiniteLossError, match=r"epoch \d+, batch \d+.*smaller learning rate"):
        model.fit(x, y, epochs=5, verbose=0)
    assert issubclass(NonFiniteLossError, FloatingPointError)


# ---- output -----------------------------------------------------------------------------------
def test_verbose_1_prints_epoch_headers_and_one_final_bar_per_epoch(capsys):
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(*data(10), batch_size=4, epochs=2, validation_split=0.2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("2/2 ━━━━━━━━━━━━━━━━━━━━ ")
    assert "/step - accuracy: " in lines[1]
    assert lines[1].index("accuracy") < lines[1].index(" loss") < lines[1].index("val_accuracy")


def test_verbose_auto_is_1_and_one_epoch_has_no_header(capsys):
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(*data(8), batch_size=8, epochs=1)
    out = capsys.readouterr().out
    assert not out.startswith("Epoch") and out.startswith("1/1 ━")


def test_verbose_2_prints_one_line_per_epoch_and_0_nothing(capsys):
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(*data(8), batch_size=4, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[1].startswith("2/2 - ") and " - loss: " in lines[1]
    model.fit(*data(8), epochs=2, verbose=0)
    model.evaluate(*data(8), verbose=0)
    model.predict(data(8)[0], verbose=0)
    assert capsys.readouterr().out == ""


def test_summary_prints_keras_table(capsys):
    model = Sequential([Input((3,)), Dense(4, name="hidden"), Dense(1, name="out")],
                       name="demo")
    model.summary()
    out = capsys.readouterr().out
    assert out.startswith('Model: "demo"')
    assert "│ hidden (Dense)" in out and "(None, 4)" in out
    assert "Layer (type)" in out and "Output Shape" in out and "Param #" in out
    assert " Total params: 21 (84.00 B)" in out
    assert " Trainable params: 21 (84.00 B)" in out and " Non-trainable params: 0 (0.00 B)" in out


def test_functional_summary_has_connected_to_unless_the_layers_form_a_chain(capsys):
    a, b = Input((2,), name="a"), Input((2,), name="b")
    model = Model([a, b], Dense(1, name="out")(Add(name="add")([a, b])))
    model.summary()
    out = capsys.readouterr().out
    assert "Connected to" in out and "(InputLayer)" in out
    assert "│ add (Add)           │ (None, 2)         │          0 │ a[0][0], b[0][0]  │" in out
    Model(a, Dense(1, name="out2")(a)).summary()  # a chain: Keras leaves the column out
    assert "Connected to" not in capsys.readouterr().out


@pytest.mark.parametrize("kernel", ["glorot_uniform", "zeros"])
def test_fit_counts_accuracy_on_class_labels_as_the_metric_function_does(kernel):
    """fit counts sparse accuracy itself (the labels were checked once); the numbers must be the
    metric's, ties included: with a zero kernel every class is equally likely and argmax picks the
    first, so only the rows labelled 0 count as correct."""
    from nnlib import metrics

    utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    x, labels = rng.normal(size=(12, 4)).astype("float32"), rng.integers(0, 3, size=12)
    model = Sequential([Input((4,)), Dense(3, activation="softmax", kernel_initializer=kernel)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    expected = metrics.sparse_categorical_accuracy(labels, model.predict(x, verbose=0)).mean()
    # one batch: the accuracy is measured with the weights before the step
    history = model.fit(x, labels, batch_size=12, epochs=1, shuffle=False, verbose=0)
    assert history.history["accuracy"] == [pytest.approx(float(expected), abs=1e-7)]
    if kernel == "zeros":
        assert expected == pytest.approx(np.mean(labels == 0))


# ---- models inside models, shared layers, subclasses (issue 15's review) --------------------
def test_a_sequential_is_a_layer_of_another_sequential_and_trains_with_it():
    utils.set_random_seed(0)
    inner = Sequential([Dense(4, activation="relu"), Dense(2)], name="block")
    outer = Sequential([Input((3,)), inner, Dense(1)])
    assert [layer.name for layer in outer.layers][0] == "block"
    assert outer.count_params() == 16 + 10 + 3
    x, y = data(16)
    before = inner.get_weights()
    outer.compile(optimizer="sgd", loss="mse")
    outer.fit(x, y, epochs=2, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, inner.get_weights()))
    np.testing.assert_allclose(outer.predict(x, verbose=0),
                               outer.layers[1](inner.predict(x, verbose=0)), rtol=1e-6)


def test_a_functional_model_called_on_a_tensor_becomes_part_of_the_outer_model():
    inputs = Input((3,))
    encoder = Model(inputs, Dense(2, name="code")(inputs))
    x_in = Input((3,))
    model = Model(x_in, Dense(1, name="head")(encoder(x_in)))
    assert model.count_params() == 8 + 3
    x, _ = data(4)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.get_layer("head")(encoder.predict(x, verbose=0)), rtol=1e-6)


def test_freezing_a_nested_model_freezes_its_layers():
    inner = Sequential([Input((3,)), Dense(2)])
    outer = Sequential([Input((3,)), inner, Dense(1)])
    inner.trainable = False
    assert len(outer.trainable_weights) == 2 and len(outer.non_trainable_weights) == 2


def test_one_layer_used_twice_in_a_sequential_is_refused_clearly():
    shared = Dense(3, name="shared")
    with pytest.raises(ValueError, match="'shared' appears twice.*second Dense"):
        Sequential([Input((3,)), shared, shared, Dense(1)])


def test_a_model_subclass_that_passes_inputs_and_outputs_to_super_is_built():
    class TwoLayers(Model):
        def __init__(self):
            inputs = Input((3,))
            super().__init__(inputs, Dense(1)(Dense(2)(inputs)))

    model = TwoLayers()
    assert model.built and model.count_params() == 8 + 3
    model.compile(optimizer="sgd", loss="mse")
    model.fit(*data(8), epochs=1, verbose=0)


def test_a_model_subclass_computing_in_call_is_refused_at_construction():
    from nnlib._scope import OutOfScopeError

    class Custom(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(1)

        def call(self, x):
            return self.dense(x)

    with pytest.raises(OutOfScopeError, match="call\\(\\).*automatic differentiation.*real Keras"):
        Custom()


@pytest.mark.parametrize("made_by", ["list", "add", "build"])
def test_a_sequential_without_input_computes_when_called_on_data(made_by):
    """The first example of Keras's Sequential guide: layers without an Input, called on data
    (the model builds from it; it used to read its graph before building it), or built by
    model.build first."""
    model = Sequential([Dense(2, activation="relu"), Dense(3)]) if made_by != "add" else Sequential()
    if made_by == "add":
        model.add(Dense(2, activation="relu"))
        model.add(Dense(3))
    if made_by == "build":
        model.build((None, 3))
    y = model(np.ones((3, 3)))
    assert y.shape == (3, 3) and model.count_params() == 8 + 9


# ---- clone_model ---------------------------------------------------------------------------------
def functional_with_a_nested_model():
    x = Input((3,), name="x")
    inner = Model(x, Dense(2, name="i1")(x), name="inner")
    a = Input((3,), name="a")
    return Model(a, Dense(1, name="head")(inner(a)), name="outer")


def test_clone_model_keeps_an_unbuilt_sequential_unbuilt_and_a_frozen_model_frozen():
    from nnlib.models import clone_model
    lazy = clone_model(Sequential([Dense(4, name="d")]))
    assert not lazy.built and [layer.name for layer in lazy.layers] == ["d"]
    assert lazy(np.ones((2, 3))).shape == (2, 4)
    frozen = small_model()
    frozen.trainable = False
    assert clone_model(frozen).trainable_weights == []


def test_clone_model_recursive_clones_a_nested_model_layer_by_layer():
    from nnlib import saving
    from nnlib.models import clone_model
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return saving.clone_layer(layer)

    model = functional_with_a_nested_model()
    clone_model(model, clone_function=clone_function)
    assert seen == ["inner", "head"]  # the nested model handed over as one layer
    seen.clear()
    clone = clone_model(model, clone_function=clone_function, recursive=True)
    assert seen == ["i1", "head"]
    assert [layer.name for layer in clone.layers] == ["a", "inner", "head"]


def test_clone_model_refuses_what_it_cannot_do_naming_the_argument():
    from nnlib.layers import Layer
    from nnlib.models import clone_model
    model = small_model()
    with pytest.raises(TypeError, match="clone_model: model must be a Sequential.*received"):
        clone_model(Dense(2))
    with pytest.raises(TypeError, match="clone_model: clone_function must be a function"):
        clone_model(model, clone_function="copy")
    with pytest.raises(ValueError, match="call_function is for functional models only"):
        clone_model(model, call_function=lambda layer, x: layer(x))
    with pytest.raises(ValueError, match="input_tensors must hold 1 tensor.*received 2"):
        clone_model(model, input_tensors=[Input((3,)), Input((3,))])
    with pytest.raises(TypeError, match=r"input_tensors\[0\] must be a tensor made by .*Input"):
        clone_model(model, input_tensors=np.ones((2, 3)))
    with pytest.raises(TypeError, match="recursive must be"):
        clone_model(model, recursive="yes")
    functional = functional_with_a_nested_model()
    with pytest.raises(ValueError, match="clone_function returned layer 'head'.*return a new layer"):
        clone_model(functional, clone_function=lambda layer: layer)

    class Scale(Layer):
        def forward(self, x):
            return 2 * x

        def backward(self, grad):
            return 2 * grad

    inputs = Input((3,))
    custom = Model(inputs, Scale(name="scale")(inputs))
    with pytest.raises(ValueError, match="layer 'scale' is a Scale.*get_config.*clone_function"):
        clone_model(custom)


def test_a_nested_functional_model_is_one_layer_and_one_summary_row():
    model = functional_with_a_nested_model()
    assert [layer.name for layer in model.layers] == ["a", "inner", "head"]
    assert model.get_layer("inner").count_params() == 8
    lines = []
    model.summary(print_fn=lines.append)
    assert "│ inner (Functional)              │ (None, 2)              │             8 │" in lines[0]
    assert "i1" not in lines[0]


def test_clone_model_rebuilds_a_custom_layer_from_its_get_config(scale_layer):
    from nnlib.models import clone_model

    inputs = Input((3,))
    model = Model(inputs, Dense(1, name="out")(scale_layer(3.0, name="scale")(inputs)))
    clone = clone_model(model)
    scale = clone.get_layer("scale")
    assert scale is not model.get_layer("scale") and scale.factor == 3.0
