"""Files cross between nnlib and real Keras 3 (JAX backend) in both directions.

nnlib -> Keras: ``nnlib.saving.save_model`` / ``save_weights``, then ``keras.models.load_model`` /
``keras_model.load_weights``; Keras -> nnlib: ``keras_model.save`` / ``save_weights``, then
``nnlib.saving.load_model`` / ``load_weights``. Each direction must give the same predictions
(rtol 1e-5) and, for whole models, the same compile settings.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib.layers  # noqa: E402
import nnlib.models  # noqa: E402
import nnlib.optimizers  # noqa: E402
from nnlib import saving  # noqa: E402
from parity import (ATOL, RTOL, assert_same_config, assert_same_fit, load_in_keras,  # noqa: E402
                    save_and_load_across, twin_models)

assert keras.backend.backend() == "jax", "tests/conftest.py must set KERAS_BACKEND=jax first"



def build(lib, kind):
    """The same architecture from either library (``lib`` is the keras module or a stand-in)."""
    L = lib.layers
    if kind == "sequential":
        return lib.Sequential([lib.Input((4,)), L.Dense(5, activation="relu", name="hidden"),
                               L.Dense(3, activation="softmax", name="out")], name="seq")
    # Keras orders these layers [b, a, d2, d1, d3, add, cat, out] (farthest from the output
    # first) and numbers the weight groups so: a file only loads right if nnlib agrees
    a, b = lib.Input((4,), name="a"), lib.Input((3,), name="b")
    d1 = L.Dense(6, activation="tanh", name="d1")(a)
    d3 = L.Dense(6, name="d3")(L.Dense(2, activation="sigmoid", name="d2")(b))
    joined = L.Concatenate(name="cat")([L.Add(name="add")([d1, d3]), a])
    return lib.Model([a, b], L.Dense(1, activation="sigmoid", name="out")(joined), name="fn")


class _Nnlib:
    layers, Sequential, Model, Input = (nnlib.layers, nnlib.models.Sequential, nnlib.models.Model,
                                        nnlib.layers.Input)


def inputs(kind, n=9):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x if kind == "sequential" else [x, rng.normal(size=(n, 3)).astype("float32")]


def assert_same_predictions(n_model, k_model, kind):
    x = inputs(kind)
    np.testing.assert_allclose(n_model.predict(x, verbose=0), np.asarray(k_model.predict(
        x, verbose=0)), rtol=RTOL, atol=ATOL)


def test_nnlib_orders_a_functional_graph_as_keras_does():
    keras.utils.set_random_seed(0)
    k_model = build(keras, "functional")
    n_model = build(_Nnlib, "functional")
    assert [layer.name for layer in saving._ordered_layers(n_model)] == [
        layer.name for layer in k_model.layers]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_keras_opens_a_model_saved_by_nnlib(kind, tmp_path):
    nnlib.utils.set_random_seed(0)
    n_model = build(_Nnlib, kind)
    path = tmp_path / "nnlib.keras"
    saving.save_model(n_model, path)
    k_model = load_in_keras(path)
    assert sorted(layer.name for layer in k_model.layers) == sorted(
        layer.name for layer in n_model.layers
        if kind == "functional" or not isinstance(layer, nnlib.layers.InputLayer))
    assert_same_predictions(n_model, k_model, kind)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_nnlib_opens_a_model_saved_by_keras(kind, tmp_path):
    keras.utils.set_random_seed(0)
    k_model = build(keras, kind)
    path = tmp_path / "keras.keras"
    k_model.save(path)
    n_model = saving.load_model(path)
    assert type(n_model) is (nnlib.models.Sequential if kind == "sequential"
                             else nnlib.models.Model)
    assert n_model.name == k_model.name
    assert_same_predictions(n_model, k_model, kind)


def test_nnlib_opens_a_keras_sequential_built_by_fit_without_an_input(tmp_path):
    keras.utils.set_random_seed(0)
    k_model = keras.Sequential([keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)])
    k_model.compile(optimizer="sgd", loss="mse")
    x = inputs("sequential")
    k_model.fit(x, x[:, :1], epochs=1, verbose=0)
    k_model.save(tmp_path / "built_by_fit.keras")
    n_model = saving.load_model(tmp_path / "built_by_fit.keras")
    assert_same_predictions(n_model, k_model, "sequential")


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_weights_files_cross_both_ways(kind, tmp_path):
    keras.utils.set_random_seed(0)
    k_model = build(keras, kind)
    nnlib.utils.set_random_seed(5)
    n_model = build(_Nnlib, kind)
    k_model.save_weights(tmp_path / "keras.weights.h5")
    saving.load_weights(n_model, tmp_path / "keras.weights.h5")
    assert_same_predictions(n_model, k_model, kind)

    nnlib.utils.set_random_seed(6)
    n_other = build(_Nnlib, kind)
    saving.save_weights(n_other, tmp_path / "nnlib.weights.h5")
    k_model.load_weights(tmp_path / "nnlib.weights.h5")
    assert_same_predictions(n_other, k_model, kind)


def test_compile_settings_cross_to_keras(tmp_path):
    nnlib.utils.set_random_seed(0)
    n_model = build(_Nnlib, "sequential")
    schedule = nnlib.optimizers.schedules.ExponentialDecay(0.05, 10, 0.9, staircase=True)
    n_model.compile(optimizer=nnlib.optimizers.RMSprop(learning_rate=schedule, centered=True),
                    loss=nnlib.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    saving.save_model(n_model, tmp_path / "m.keras")
    k_model = load_in_keras(tmp_path / "m.keras")
    optimizer = k_model.optimizer
    assert isinstance(optimizer, keras.optimizers.RMSprop) and optimizer.centered
    assert isinstance(optimizer._learning_rate, keras.optimizers.schedules.ExponentialDecay)
    assert optimizer._learning_rate.get_config() == schedule.get_config()
    assert isinstance(k_model.loss, keras.losses.SparseCategoricalCrossentropy)
    assert k_model.loss.get_config()["from_logits"] is True
    assert k_model.get_compile_config()["metrics"] == ["accuracy"]


def test_metric_objects_cross_to_keras(tmp_path):
    n_model = build(_Nnlib, "sequential")
    n_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                    metrics=[nnlib.metrics.SparseCategoricalAccuracy(), "accuracy"])
    saving.save_model(n_model, tmp_path / "m.keras")
    k_model = load_in_keras(tmp_path / "m.keras")
    x, y = inputs("sequential", 12), np.arange(12) % 3
    k_model.evaluate(x, y, verbose=0)  # builds the metrics from the saved compile settings
    assert k_model.get_compile_config()["metrics"] == ["SparseCategoricalAccuracy", "accuracy"]
    assert [type(m).__name__ for m in k_model.metrics[1].metrics] == [
        "SparseCategoricalAccuracy", "SparseCategoricalAccuracy"]


def test_compile_settings_cross_to_nnlib_and_train_the_same(tmp_path):
    """A compiled Keras model, loaded by nnlib, trains for 3 epochs as Keras trains its copy."""
    keras.utils.set_random_seed(0)
    k_model = build(keras, "sequential")
    k_model.compile(optimizer=keras.optimizers.Adagrad(learning_rate=0.1),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    k_model.save(tmp_path / "m.keras")
    n_model = saving.load_model(tmp_path / "m.keras")
    assert repr(n_model.optimizer) == ("Adagrad(learning_rate=0.10000000149011612, "
                                       "initial_accumulator_value=0.1, epsilon=1e-07)")
    x = inputs("sequential", 40)
    y = np.random.default_rng(2).integers(0, 3, size=40).astype("int32")
    fit = dict(batch_size=16, epochs=3, shuffle=False, verbose=0)
    k_history = k_model.fit(x, y, **fit).history
    n_history = n_model.fit(x, y, **fit).history
    for key in k_history:
        np.testing.assert_allclose(n_history[key], k_history[key], rtol=RTOL, atol=ATOL)


RESUMABLE = {  # every kind of optimizer state, as (class name, settings)
    "adam": ("Adam", dict(learning_rate=0.01)),
    "rmsprop": ("RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)),
    "sgd": ("SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
    "adagrad": ("Adagrad", dict(learning_rate=0.1)),
    "schedule": ("Adam", dict(learning_rate="decay")),
    "nadam": ("Nadam", dict(learning_rate=0.01)),
    "adamax": ("Adamax", dict(learning_rate=0.01)),
    "adamw": ("AdamW", dict(learning_rate=0.01, weight_decay=0.05)),
    "adadelta": ("Adadelta", dict(learning_rate=1.0)),
    "lion": ("Lion", dict(learning_rate=0.001)),
    "ftrl": ("Ftrl", dict(learning_rate=0.1, l1_regularization_strength=0.01, beta=0.1)),
    "adafactor": ("Adafactor", dict(learning_rate=0.05)),  # row/column state of a matrix
    "lamb": ("Lamb", dict(learning_rate=0.01)),
}


def resumable(lib, name):
    class_name, settings = RESUMABLE[name]
    if settings.get("learning_rate") == "decay":
        settings = dict(learning_rate=lib.optimizers.schedules.ExponentialDecay(0.01, 3, 0.5))
    return getattr(lib.optimizers, class_name)(**settings)


@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("name", sorted(RESUMABLE))
def test_training_resumes_in_the_other_library_where_it_stopped(name, kind, direction, tmp_path):
    """Two epochs in both libraries from the same weights; one saves, the other library opens
    the file and trains on: the same History and weights as the saver training on."""
    keras.utils.set_random_seed(0)
    k_model, n_model = build(keras, kind), build(_Nnlib, kind)
    k_model.save_weights(tmp_path / "start.weights.h5")  # by layer, whatever the layers' order
    saving.load_weights(n_model, tmp_path / "start.weights.h5")
    loss = "sparse_categorical_crossentropy" if kind == "sequential" else "binary_crossentropy"
    for lib, model in [(keras, k_model), (nnlib, n_model)]:
        model.compile(optimizer=resumable(lib, name), loss=loss)
    x = inputs(kind, 24)
    y = np.arange(24) % (3 if kind == "sequential" else 2)
    # weights compared by position only where both libraries order layers alike
    fit = dict(batch_size=8, epochs=2, shuffle=False, verbose=0, weights=kind == "sequential")
    assert_same_fit(k_model, n_model, x, y, **fit)
    n_model, k_model = save_and_load_across(direction, n_model, k_model, tmp_path / "m.keras")
    assert int(k_model.optimizer.iterations) == n_model.optimizer.iterations == 6
    assert_same_fit(k_model, n_model, x, y, **fit)
    assert_same_predictions(n_model, k_model, kind)


SCHEDULES = {  # every schedule class, as Keras writes it into a file
    "ExponentialDecay": dict(initial_learning_rate=0.05, decay_steps=3, decay_rate=0.5),
    "InverseTimeDecay": dict(initial_learning_rate=0.05, decay_steps=3, decay_rate=0.5,
                             staircase=True),
    "PolynomialDecay": dict(initial_learning_rate=0.05, decay_steps=7, power=2.0, cycle=True),
    "PiecewiseConstantDecay": dict(boundaries=[2, 5], values=[0.05, 0.02, 0.01]),
    "CosineDecay": dict(initial_learning_rate=0.01, decay_steps=8, alpha=0.1,
                        warmup_target=0.05, warmup_steps=3),
    "CosineDecayRestarts": dict(initial_learning_rate=0.05, first_decay_steps=3, m_mul=0.7),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_every_schedule_crosses_both_ways_and_trains_on_alike(name, tmp_path):
    """nnlib's file opens in Keras and Keras's in nnlib, each with the schedule, its settings
    and its place (the step counter), and both train on alike."""
    keras.utils.set_random_seed(0)
    k_model, n_model = build(keras, "sequential"), build(_Nnlib, "sequential")
    n_model.set_weights(k_model.get_weights())
    for lib, model in [(keras, k_model), (nnlib, n_model)]:
        schedule = getattr(lib.optimizers.schedules, name)(**SCHEDULES[name])
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=schedule),
                      loss="sparse_categorical_crossentropy")
    x, y = inputs("sequential", 24), np.arange(24) % 3
    fit = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert_same_fit(k_model, n_model, x, y, **fit)
    saving.save_model(n_model, tmp_path / "nnlib.keras")
    k_model.save(tmp_path / "keras.keras")
    k_loaded = load_in_keras(tmp_path / "nnlib.keras")
    n_loaded = saving.load_model(tmp_path / "keras.keras")
    for k_side, n_side in [(k_loaded, n_model), (k_model, n_loaded)]:
        k_schedule, n_schedule = k_side.optimizer._learning_rate, n_side.optimizer._learning_rate
        assert type(k_schedule).__name__ == type(n_schedule).__name__ == name
        assert_same_config(n_schedule.get_config(), k_schedule.get_config())
    assert_same_fit(k_loaded, n_loaded, x, y, **fit)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_every_optimizer_keras_compiles_with_by_name_comes_back_with_its_settings(name, tmp_path):
    k_model = build(keras, "sequential")
    k_model.compile(optimizer=name, loss="mse")
    k_model.save(tmp_path / "m.keras")
    optimizer = saving.load_model(tmp_path / "m.keras").optimizer
    assert type(optimizer) is type(nnlib.optimizers.get(name))
    k_config = k_model.optimizer.get_config()
    assert optimizer.get_config() == pytest.approx({key: k_config[key]
                                                    for key in optimizer.get_config()})


def test_a_keras_layer_nnlib_does_not_have_is_named(tmp_path):
    k_model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, name="conv"),
                                keras.layers.Flatten(), keras.layers.Dense(1)])
    k_model.save(tmp_path / "conv.keras")
    with pytest.raises(ValueError, match=r"layer 'conv' is a Keras Conv2D, which nnlib does not "
                                         r"have\. nnlib can load: InputLayer, Dense"):
        saving.load_model(tmp_path / "conv.keras")


def test_the_model_methods_cross_both_ways(tmp_path):
    """model.save / load_weights / nnlib.models.load_model, the spellings a learner writes."""
    nnlib.utils.set_random_seed(0)
    n_model = build(_Nnlib, "functional")
    n_model.save(tmp_path / "nnlib.keras")
    assert_same_predictions(n_model, load_in_keras(tmp_path / "nnlib.keras"), "functional")

    keras.utils.set_random_seed(1)
    k_model = build(keras, "functional")
    k_model.save(tmp_path / "keras.keras")
    k_model.save_weights(tmp_path / "keras.weights.h5")
    assert_same_predictions(nnlib.models.load_model(tmp_path / "keras.keras"), k_model,
                            "functional")
    n_model.load_weights(tmp_path / "keras.weights.h5")
    assert_same_predictions(n_model, k_model, "functional")
    n_model.save_weights(tmp_path / "nnlib.weights.h5")
    keras.utils.set_random_seed(2)
    k_other = build(keras, "functional")
    k_other.load_weights(tmp_path / "nnlib.weights.h5")
    assert_same_predictions(n_model, k_other, "functional")


def build_preprocessing(lib, given):
    """Flatten, Normalization, Dropout, Activation, Softmax around two Dense layers."""
    L = lib.layers
    statistics = dict(mean=np.arange(6, dtype="float32"),
                      variance=np.arange(1, 7, dtype="float32")) if given else {}
    norm = L.Normalization(name="norm", **statistics)
    model = lib.Sequential([lib.Input((2, 3)), L.Flatten(name="flat"), norm,
                            L.Dense(4, name="hidden"), L.Dropout(0.25, seed=3, name="drop"),
                            L.Activation("tanh", name="act"), L.Dense(3, name="scores"),
                            L.Softmax(name="probs")], name="pre")
    if not given:
        norm.adapt(np.random.default_rng(0).normal(3.0, 2.0, size=(20, 2, 3)).astype("float32")
                   .reshape(20, 6))
    return model


def preprocessing_inputs():
    return np.random.default_rng(1).normal(3.0, 2.0, size=(9, 2, 3)).astype("float32")


@pytest.mark.parametrize("given", [False, True], ids=["adapted", "given"])
def test_every_layer_kind_crosses_to_keras(given, tmp_path):
    nnlib.utils.set_random_seed(0)
    n_model = build_preprocessing(_Nnlib, given)
    n_model.save(tmp_path / "m.keras")
    k_model = load_in_keras(tmp_path / "m.keras")
    keras.utils.set_random_seed(0)
    k_fresh = build_preprocessing(keras, given)
    for loaded, fresh in zip(k_model.layers, k_fresh.layers):
        assert type(loaded) is type(fresh)
        assert ({**loaded.get_config(), "name": None} == {**fresh.get_config(), "name": None})
    x = preprocessing_inputs()
    np.testing.assert_allclose(n_model.predict(x, verbose=0), np.asarray(k_model.predict(
        x, verbose=0)), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("given", [False, True], ids=["adapted", "given"])
def test_every_layer_kind_crosses_to_nnlib(given, tmp_path):
    keras.utils.set_random_seed(0)
    k_model = build_preprocessing(keras, given)
    k_model.save(tmp_path / "m.keras")
    n_model = nnlib.models.load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in n_model.layers] == [
        type(layer).__name__ for layer in k_model.layers]
    drop = n_model.get_layer("drop")
    assert (drop.rate, drop.seed, n_model.get_layer("act").activation.name) == (0.25, 3, "tanh")
    x = preprocessing_inputs()
    np.testing.assert_allclose(n_model.predict(x, verbose=0), np.asarray(k_model.predict(
        x, verbose=0)), rtol=RTOL, atol=ATOL)
    # and the weights file alone, with the Normalization's mean, variance and count
    k_model.save_weights(tmp_path / "m.weights.h5")
    nnlib.utils.set_random_seed(7)
    n_other = build_preprocessing(_Nnlib, given)
    n_other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(n_other.predict(x, verbose=0), np.asarray(k_model.predict(
        x, verbose=0)), rtol=RTOL, atol=ATOL)


def build_nested(lib, kind):
    """A model used as a layer of another: a Sequential inside a Sequential, or a functional
    model called on the Input of another functional model."""
    L = lib.layers
    if kind == "sequential":
        inner = lib.Sequential([lib.Input((4,)), L.Dense(5, activation="relu", name="i1"),
                                L.Dense(3, activation="tanh", name="i2")], name="inner")
        return lib.Sequential([lib.Input((4,)), inner, L.Dense(2, activation="softmax",
                                                                 name="head")], name="outer")
    x = lib.Input((4,), name="x")
    inner = lib.Model(x, L.Dense(3, activation="tanh", name="i1")(x), name="inner")
    a = lib.Input((4,), name="a")
    hidden = L.Dense(5, activation="relu", name="pre")(a)
    joined = L.Concatenate(name="cat")([inner(a), hidden])
    return lib.Model(a, L.Dense(2, activation="softmax", name="head")(joined), name="outer")


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_nested_models_cross_both_ways(kind, direction, tmp_path):
    x = inputs("sequential")
    y = np.eye(2, dtype="float32")[np.arange(len(x)) % 2]
    source = build_nested(_Nnlib if direction == "nnlib_to_keras" else keras, kind)
    source.compile(optimizer="adam", loss="categorical_crossentropy")
    source.fit(x, y, epochs=2, batch_size=4, verbose=0)  # trained weights and optimizer state
    path = tmp_path / "nested.keras"
    source.save(path)
    loaded = load_in_keras(path) if direction == "nnlib_to_keras" else saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               np.asarray(source.predict(x, verbose=0)), rtol=RTOL, atol=ATOL)
    if kind == "sequential":  # the inner model stays one layer of the outer, as in Keras
        assert [layer.name for layer in loaded.layers] == ["inner", "head"]
    # training goes on from the same optimizer state in both
    np.testing.assert_allclose(np.asarray(loaded.train_on_batch(x, y)),
                               np.asarray(source.train_on_batch(x, y)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               np.asarray(source.predict(x, verbose=0)), rtol=1e-4, atol=1e-6)


def weighted_model(lib, outputs):
    a = lib.Input((4,), name="a")
    hidden = lib.layers.Dense(5, activation="relu", name="hidden")(a)
    p = lib.layers.Dense(1, activation="sigmoid", name="p")(hidden)
    return lib.Model(a, p if outputs == 1 else [p, lib.layers.Dense(2, name="q")(hidden)])


def weighted_compile(outputs):
    if outputs == 1:
        return dict(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"],
                    weighted_metrics=["accuracy", "mae"])
    return dict(optimizer="sgd", loss=["binary_crossentropy", "mse"],
                weighted_metrics=[["accuracy"], ["mae"]])


@pytest.mark.parametrize("outputs", [1, 2])
@pytest.mark.parametrize("direction", ["nnlib_to_keras", "keras_to_nnlib"])
def test_weighted_metrics_cross_in_the_compile_config_both_ways(outputs, direction, tmp_path):
    k_model, n_model = twin_models(lambda lib: weighted_model(lib, outputs),
                                   lambda lib: weighted_compile(outputs))
    expected = k_model.get_compile_config()["weighted_metrics"]
    assert expected is not None
    n_model, k_model = save_and_load_across(direction, n_model, k_model, tmp_path / "w.keras")
    assert n_model.get_compile_config()["weighted_metrics"] == expected
    assert k_model.get_compile_config()["weighted_metrics"] == expected
    x = inputs("sequential")
    rng = np.random.default_rng(2)
    y = (x[:, :1] > 0).astype("float32")
    ys = y if outputs == 1 else [y, rng.normal(size=(len(x), 2)).astype("float32")]
    w = rng.random(len(x)).astype("float32")
    n_logs = n_model.evaluate(x, ys, sample_weight=w, verbose=0, return_dict=True)
    k_logs = k_model.evaluate(x, ys, sample_weight=w, verbose=0, return_dict=True)
    assert sorted(n_logs) == sorted(k_logs)
    for key in k_logs:
        np.testing.assert_allclose(n_logs[key], k_logs[key], rtol=RTOL, atol=ATOL, err_msg=key)
