"""Saving: .keras and .weights.h5 files written and read by nnlib itself, Keras's layout, errors.

Files written or read by real Keras are tested in tests/keras/test_saving.py.
"""

import io
import json
import zipfile

import h5py
import numpy as np
import pytest

from nnlib import layers, optimizers, saving, utils
from nnlib import metrics as nnlib_metrics
from nnlib.layers import Add, Concatenate, Dense, Input
from nnlib.losses import BinaryCrossentropy
from nnlib.models import Model, Sequential, model_from_json


def sequential(seed=0):
    utils.set_random_seed(seed)
    return Sequential([Input((4,)), Dense(5, activation="relu", name="hidden"),
                       Dense(3, activation="softmax", name="out")], name="seq")


def functional(seed=0):
    """a -> d1; b -> d2 -> d3; add(d1, d3) -> cat with a -> out.

    Keras lists this graph's layers farthest from the output first ([b, a, d2, d1, d3, ...]), not
    in the order nnlib builds it, and numbers the weight groups in that order.
    """
    utils.set_random_seed(seed)
    a, b = Input((4,), name="a"), Input((3,), name="b")
    d1 = Dense(6, activation="tanh", name="d1")(a)
    d3 = Dense(6, name="d3")(Dense(2, activation="sigmoid", name="d2")(b))
    joined = Concatenate(name="cat")([Add(name="add")([d1, d3]), a])
    return Model([a, b], Dense(1, activation="sigmoid", name="out")(joined), name="fn")


def x_for(model, n=7, seed=1):
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=(n,) + t.shape[1:]).astype("float32") for t in model.inputs]
    return xs if len(xs) > 1 else xs[0]


@pytest.mark.parametrize("make", [sequential, functional])
def test_save_then_load_gives_the_same_model(make, tmp_path):
    model = make()
    path = tmp_path / "model.keras"
    saving.save_model(model, path)
    again = saving.load_model(path)
    assert type(again) is type(model) and again.name == model.name
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    for before, after in zip(model.layers, again.layers):
        assert type(after) is type(before)
        if isinstance(before, Dense):
            assert (after.units, after.activation.name, after.use_bias) == (
                before.units, before.activation.name, before.use_bias)
    x = x_for(model)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_file_is_keras_s_zip_of_config_metadata_and_weights(tmp_path):
    path = tmp_path / "model.keras"
    saving.save_model(sequential(), path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
        assert json.loads(archive.read("metadata.json"))["keras_version"].startswith("3.")
    assert config["class_name"] == "Sequential"
    assert [item["class_name"] for item in config["config"]["layers"]] == [
        "InputLayer", "Dense", "Dense"]
    assert config["config"]["layers"][1]["config"]["units"] == 5
    assert config["config"]["layers"][1]["config"]["activation"] == "relu"
    assert config["compile_config"] is None  # never compiled


def test_weights_are_grouped_by_class_in_keras_s_layer_order(tmp_path):
    model = functional()
    path = tmp_path / "fn.weights.h5"
    saving.save_weights(model, path)
    with h5py.File(path) as h5:
        names = {group: h5[f"layers/{group}/vars"].attrs["name"] for group in h5["layers"]}
        assert names == {"input_layer": "b", "input_layer_1": "a", "dense": "d2", "dense_1": "d1",
                         "dense_2": "d3", "dense_3": "out", "add": "add", "concatenate": "cat"}
        np.testing.assert_array_equal(h5["layers/dense/vars/0"][()],
                                      next(lay for lay in model.layers if lay.name == "d2").kernel)
        assert h5["vars"].attrs["name"] == "fn"


@pytest.mark.parametrize("make", [sequential, functional])
def test_save_weights_then_load_weights_into_a_fresh_model(make, tmp_path):
    model, fresh = make(seed=0), make(seed=1)
    x = x_for(model)
    assert not np.allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    saving.save_weights(model, tmp_path / "w.weights.h5")
    saving.load_weights(fresh, tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


def test_load_weights_also_reads_a_keras_file(tmp_path):
    model, fresh = sequential(seed=0), sequential(seed=1)
    saving.save_model(model, tmp_path / "m.keras")
    saving.load_weights(fresh, tmp_path / "m.keras")
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_float64_models_keep_their_dtype(tmp_path):
    from nnlib import config
    with config.floatx_scope("float64"):
        model = sequential()
    saving.save_model(model, tmp_path / "m.keras")
    again = saving.load_model(tmp_path / "m.keras")
    assert again.get_weights()[0].dtype == np.float64


# ---- compile settings ------------------------------------------------------------------------
def test_compile_settings_come_back(tmp_path):
    model = sequential()
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=5, decay_rate=0.5,
                                                     staircase=True)
    model.compile(optimizer=optimizers.RMSprop(learning_rate=schedule, momentum=0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    saving.save_model(model, tmp_path / "m.keras")
    again = saving.load_model(tmp_path / "m.keras")
    assert repr(again.optimizer) == repr(model.optimizer)
    assert again.optimizer is not model.optimizer and again.optimizer.iterations == 0
    assert again.loss.name == "sparse_categorical_crossentropy"
    x, y = x_for(model, 12), np.arange(12) % 3
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    assert saving.load_model(tmp_path / "m.keras", compile=False).optimizer is None


RESUMABLE = {  # an optimizer with every kind of state nnlib saves
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
    "rmsprop": lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "sgd": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda: optimizers.Adagrad(learning_rate=0.1),
    "schedule": lambda: optimizers.Adam(optimizers.schedules.ExponentialDecay(0.01, 3, 0.5)),
}


def compiled(model, **settings):
    model.compile(**settings)
    return model


def through_a_file(model, how, folder, fresh):
    """``model`` saved and read back: the whole model (save_model, load_model), or its weights and
    optimizer state (save_weights) loaded into ``fresh()``, a new model compiled alike."""
    if how == "save_model":
        saving.save_model(model, folder / "m.keras")
        return saving.load_model(folder / "m.keras")
    saving.save_weights(model, folder / "m.weights.h5")
    resumed = fresh()
    saving.load_weights(resumed, folder / "m.weights.h5")
    return resumed


@pytest.mark.parametrize("name", sorted(RESUMABLE))
@pytest.mark.parametrize("how", ["save_model", "save_weights"])
def test_training_resumes_where_it_stopped(name, how, tmp_path):
    """Two epochs, save, two more epochs in the loaded copy: the same as four epochs at once."""
    x, y = x_for(sequential(), 24), np.arange(24) % 3
    fit = dict(batch_size=8, shuffle=False, verbose=0)
    straight = sequential()
    straight.compile(optimizer=RESUMABLE[name](), loss="sparse_categorical_crossentropy")
    straight.fit(x, y, epochs=2, **fit)
    resumed = through_a_file(straight, how, tmp_path, lambda: compiled(
        sequential(seed=5), optimizer=RESUMABLE[name](), loss="sparse_categorical_crossentropy"))
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 6
    expected = straight.fit(x, y, epochs=2, **fit).history["loss"]
    assert resumed.fit(x, y, epochs=2, **fit).history["loss"] == expected
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def two_outputs(as_dict, seed=0):
    """x -> hidden -> a class (softmax) and a number: several outputs, as a list or a dict."""
    utils.set_random_seed(seed)
    x = Input((4,), name="x")
    hidden = Dense(5, activation="relu", name="hidden")(x)
    kind = Dense(3, activation="softmax", name="kind")(hidden)
    size = Dense(1, name="size")(hidden)
    return Model(x, {"size": size, "kind": kind} if as_dict else [kind, size], name="two")


def two_outputs_data(as_dict, n=24):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(n, 4)).astype("float32")
    kind, size = np.arange(n) % 3, rng.normal(size=(n, 1)).astype("float32")
    return x, {"kind": kind, "size": size} if as_dict else [kind, size]


SEVERAL = {  # compile settings of a model with two outputs, each form Keras writes
    "lists": dict(loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], ["mae"]]),
    "dicts": dict(loss={"kind": "sparse_categorical_crossentropy", "size": "mse"},
                  loss_weights={"kind": 1.0, "size": 0.3}, metrics={"kind": ["accuracy"]}),
    "one loss for both": dict(loss="mse", metrics=[None, ["mae"]]),
    "no loss for one": dict(loss=[BinaryCrossentropy(from_logits=True), None],
                            metrics=[["accuracy"], None]),
}


def outputs_equal(a, b):
    assert type(a) is type(b)
    for key in (sorted(a) if isinstance(a, dict) else range(len(a))):
        np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("settings", sorted(SEVERAL))
@pytest.mark.parametrize("how", ["save_model", "save_weights"])
def test_a_model_with_several_outputs_resumes_where_it_stopped(settings, how, tmp_path):
    """Predictions, compile settings, evaluate's numbers and the optimizer's state come back:
    training on in the loaded copy is training on in the original."""
    as_dict = settings == "dicts"
    x, y = two_outputs_data(as_dict)
    if settings in ("one loss for both", "no loss for one"):  # these losses take one-hot rows
        y = [np.eye(3, dtype="float32")[y[0]], y[1]]
    fit = dict(batch_size=8, shuffle=False, verbose=0)
    straight = two_outputs(as_dict)
    straight.compile(optimizer=optimizers.Adam(0.01), **SEVERAL[settings])
    straight.fit(x, y, epochs=2, **fit)
    resumed = through_a_file(straight, how, tmp_path, lambda: compiled(
        two_outputs(as_dict, seed=5), optimizer=optimizers.Adam(0.01), **SEVERAL[settings]))
    assert resumed.get_compile_config() == straight.get_compile_config()
    outputs_equal(resumed.predict(x, verbose=0), straight.predict(x, verbose=0))
    assert (resumed.evaluate(x, y, verbose=0, return_dict=True)
            == straight.evaluate(x, y, verbose=0, return_dict=True))
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 6
    assert resumed.fit(x, y, epochs=2, **fit).history == straight.fit(x, y, epochs=2,
                                                                     **fit).history
    for a, b in zip(resumed.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_compile_config_of_several_outputs_is_keras_s_list_or_dict():
    model = two_outputs(as_dict=False)
    model.compile("sgd", **SEVERAL["lists"])
    config = model.get_compile_config()
    assert config["loss"] == ["sparse_categorical_crossentropy", "mean_squared_error"]
    assert config["loss_weights"] == [1.0, 0.5] and config["metrics"] == [["accuracy"], ["mae"]]
    model = two_outputs(as_dict=True)
    model.compile("sgd", **SEVERAL["dicts"])
    config = model.get_compile_config()
    assert config["loss"] == {"kind": "sparse_categorical_crossentropy",
                              "size": "mean_squared_error"}
    assert config["loss_weights"] == {"kind": 1.0, "size": 0.3}
    assert config["metrics"] == {"kind": ["accuracy"]}
    model.compile("sgd", loss="mse")
    assert model.get_compile_config()["loss_weights"] is None
    assert model.get_compile_config()["metrics"] is None


@pytest.mark.parametrize("as_dict", [False, True], ids=["list", "dict"])
def test_the_architecture_of_several_outputs_round_trips(as_dict):
    """to_json / model_from_json and get_config / from_config keep the outputs, their order and
    their names: the copy, given the weights, predicts the same list or dict."""
    model = two_outputs(as_dict)
    x, _ = two_outputs_data(as_dict)
    config = model.get_config()
    assert config["output_layers"] == ({"kind": ["kind", 0, 0], "size": ["size", 0, 0]}
                                       if as_dict else [["kind", 0, 0], ["size", 0, 0]])
    for copy in (model_from_json(model.to_json()), Model.from_config(config)):
        assert copy.get_config() == config
        copy.set_weights(model.get_weights())
        outputs_equal(copy.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_optimizer_state_is_saved_in_keras_s_order(tmp_path):
    """Keras lists the step counter, the learning rate, then Adam's m and v weight by weight."""
    model = sequential()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_for(model, 8), np.arange(8) % 3, batch_size=4, verbose=0)
    saving.save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")))
    group = h5["optimizer/vars"]
    assert group.attrs["name"] == "adam"
    assert [group[str(k)].shape for k in range(len(group))] == [
        (), (), (4, 5), (4, 5), (5,), (5,), (5, 3), (5, 3), (3,), (3,)]
    assert group["0"][()] == 2 and group["1"][()] == np.float32(0.001)
    m_kernel = model.optimizer.keras_variables(model._optimizer_weights(model.layers))[2]
    np.testing.assert_array_equal(group["2"][()], m_kernel)
    assert np.any(m_kernel != 0)


def test_a_file_without_fitting_optimizer_state_loads_with_a_warning(tmp_path):
    """As Keras: another optimizer's state (or none) is skipped with a warning, never half-set."""
    model = sequential()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_for(model, 8), np.arange(8) % 3, batch_size=4, verbose=0)
    saving.save_weights(model, tmp_path / "adam.weights.h5")
    other = sequential()
    other.compile(optimizer=optimizers.SGD(momentum=0.9), loss="sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer SGD, because "
                                         "it has 6 variables whereas the saved optimizer has 10"):
        saving.load_weights(other, tmp_path / "adam.weights.h5")
    assert other.optimizer.iterations == 0
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])


@pytest.mark.parametrize("key, value", [("0", "not a number"), ("0", -3), ("1", np.nan),
                                        ("1", 0.0)])
def test_a_damaged_optimizer_state_is_skipped_with_the_warning(key, value, tmp_path):
    """A step counter or learning rate no optimizer can have (a damaged or hand-made file)
    changes nothing."""
    model = sequential()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    saving.save_weights(model, tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5", "a") as h5:
        del h5[f"optimizer/vars/{key}"]
        h5[f"optimizer/vars/{key}"] = value
    again = sequential()
    again.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer Adam"):
        saving.load_weights(again, tmp_path / "m.weights.h5")
    assert again.optimizer.iterations == 0 and again.optimizer.learning_rate == 0.001


def test_a_loss_on_logits_is_saved_as_an_object(tmp_path):
    model = functional()
    model.compile(optimizer="adagrad", loss=BinaryCrossentropy(from_logits=True))
    saving.save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        loss = json.loads(archive.read("config.json"))["compile_config"]["loss"]
    assert loss["class_name"] == "BinaryCrossentropy" and loss["config"]["from_logits"] is True
    again = saving.load_model(tmp_path / "m.keras")
    assert isinstance(again.loss, BinaryCrossentropy) and again.loss.from_logits
    assert type(again.optimizer) is optimizers.Adagrad


# ---- errors ----------------------------------------------------------------------------------
def rewrite_config(path, change):
    """Copy the .keras file at ``path`` with its config.json changed by ``change(config)``."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    change(config)
    members["config.json"] = json.dumps(config)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("function, name, message", [
    (saving.save_model, "m.h5", r"save_model: filepath must end in '\.keras'.*received '.*m\.h5'"
                                r"\. To save only the weights use save_weights"),
    (saving.save_weights, "m.h5", r"save_weights: filepath must end in '\.weights\.h5'"),
    (saving.load_weights, "m.h5", r"load_weights: filepath must end in '\.weights\.h5'"),
])
def test_wrong_extension(function, name, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        function(sequential(), tmp_path / name)


def test_load_model_wrong_extension(tmp_path):
    with pytest.raises(ValueError, match=r"load_model: filepath must end in '\.keras'"):
        saving.load_model(tmp_path / "m.weights.h5")


def test_a_keras_layer_nnlib_does_not_have_is_named(tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(sequential(), path)

    def to_conv(config):
        config["config"]["layers"][1]["class_name"] = "Conv2D"

    rewrite_config(path, to_conv)
    with pytest.raises(ValueError, match=r"layer 'hidden' is a Keras Conv2D, which nnlib does not "
                                         r"have\. nnlib can load: InputLayer, Dense, Concatenate, "
                                         r"Add, Flatten, Dropout, Activation, Softmax, "
                                         r"Normalization, BatchNormalization, .*GaussianDropout, AlphaDropout, .*Dot, Rescaling\."):
        saving.load_model(path)


def test_keras_options_nnlib_does_not_implement_are_refused(tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(sequential(), path)

    def constrain(config):
        config["config"]["layers"][2]["config"]["kernel_constraint"] = {"class_name": "MaxNorm"}

    rewrite_config(path, constrain)
    with pytest.raises(ValueError, match=r"layer 'out' \(Dense\) uses kernel_constraint"):
        saving.load_model(path)


def test_unsupported_compile_settings_point_to_compile_false(tmp_path):
    path = tmp_path / "m.keras"
    model = sequential()
    model.compile(optimizer="adam", loss="mse")
    saving.save_model(model, path)

    def clip(config):
        config["compile_config"]["optimizer"]["config"]["clipnorm"] = 1.0

    rewrite_config(path, clip)
    with pytest.raises(ValueError, match=r"optimizer Adam uses clipnorm.*compile=False"):
        saving.load_model(path)
    assert saving.load_model(path, compile=False).optimizer is None

    def muon(config):  # a Keras optimizer nnlib does not have
        config["compile_config"]["optimizer"]["class_name"] = "Muon"

    rewrite_config(path, muon)
    with pytest.raises(ValueError, match=r"compiled with Keras's Muon, which nnlib does not have; "
                                         r"nnlib's optimizers: SGD, Adam, RMSprop, Adagrad, "):
        saving.load_model(path)


def test_an_unknown_activation_lists_the_valid_ones(tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(sequential(), path)

    def glu(config):  # an activation Keras has and nnlib does not (it halves the features)
        config["config"]["layers"][1]["config"]["activation"] = "glu"

    rewrite_config(path, glu)
    with pytest.raises(ValueError, match=r"Unknown activation 'glu'\. Valid names: .*'relu'"):
        saving.load_model(path)


def test_a_frozen_layer_stays_frozen(tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(sequential(), path)

    def freeze(config):
        config["config"]["layers"][1]["config"]["trainable"] = False

    rewrite_config(path, freeze)
    hidden, out = saving.load_model(path).layers
    assert hidden.trainable is False and getattr(out, "trainable", True) is True


def test_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"not a zip archive at all")
    with pytest.raises(ValueError, match=r"is not a \.keras file \(Keras 3 writes a zip archive\)"):
        saving.load_model(path)


def test_a_zip_without_the_weights(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ValueError, match=r"lacks model\.weights\.h5; a \.keras file holds"):
        saving.load_model(path)


def test_damaged_members(tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(sequential(), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for name, message in [("config.json", r"has a damaged config\.json"),
                          ("model.weights.h5", r"model\.weights\.h5 inside .* is not a readable "
                                               r"HDF5 weights file")]:
        damaged = dict(members, **{name: members[name][:40]})
        with zipfile.ZipFile(path, "w") as archive:
            for member, data in damaged.items():
                archive.writestr(member, data)
        with pytest.raises(ValueError, match=message):
            saving.load_model(path)


def test_a_config_that_is_not_a_model(tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(functional(), path)
    rewrite_config(path, lambda config: config["config"].pop("output_layers"))
    with pytest.raises(ValueError, match=r"config\.json does not describe a Keras model.*"
                                         r"'output_layers'"):
        saving.load_model(path)


def test_weights_of_another_architecture_are_refused_before_any_change(tmp_path):
    saving.save_weights(sequential(), tmp_path / "w.weights.h5")
    utils.set_random_seed(0)
    other = Sequential([Input((4,)), Dense(5, name="hidden"), Dense(2, name="out")])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"layer 'out' expects weights of shapes \[\(5, 2\), "
                                         r"\(2,\)\]; the file has \[\(5, 3\), \(3,\)\]"):
        saving.load_weights(other, tmp_path / "w.weights.h5")
    for a, b in zip(other.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_a_model_must_be_built_to_be_saved(tmp_path):
    with pytest.raises(ValueError, match=r"is not built yet.*start it with Input"):
        saving.save_model(Sequential([Dense(2)]), tmp_path / "m.keras")
    with pytest.raises(TypeError, match="expected an nnlib model"):
        saving.save_weights("model", tmp_path / "m.weights.h5")


def test_a_layer_without_a_keras_format_is_named(tmp_path):
    class Double(layers.Layer):
        def forward(self, x):
            return 2 * x

        def backward(self, grad, input_gradient=True):
            return 2 * grad

    inputs = Input((2,))
    model = Model(inputs, Dense(1)(Double(name="double")(inputs)))
    with pytest.raises(ValueError, match=r"layer 'double' is a Double, which has no Keras format "
                                         r"in nnlib\.saving; layers that can be saved: Dense, "
                                         r"Concatenate, Add"):
        saving.save_model(model, tmp_path / "m.keras")


def test_metric_objects_are_saved_by_class_name(tmp_path):
    model = sequential()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=[nnlib_metrics.SparseCategoricalAccuracy(), "accuracy"])
    saving.save_model(model, tmp_path / "m.keras")
    again = saving.load_model(tmp_path / "m.keras")
    x, y = x_for(model, 12), np.arange(12) % 3
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_a_metric_object_with_other_settings_is_refused(tmp_path):
    model = sequential()
    model.compile(optimizer="adam", loss="mse",
                  metrics=[nnlib_metrics.BinaryAccuracy(threshold=0.3)])
    with pytest.raises(ValueError, match=r"metric 'binary_accuracy' \(BinaryAccuracy\) has "
                                         r"settings other than its defaults"):
        saving.save_model(model, tmp_path / "m.keras")


def preprocessing_model(seed=0, given=False):
    """Every layer kind beyond Dense: Flatten, Normalization, Dropout, Activation, Softmax."""
    utils.set_random_seed(seed)
    norm = (layers.Normalization(mean=np.arange(6, dtype="float32"),
                                 variance=np.arange(1, 7, dtype="float32"), name="norm")
            if given else layers.Normalization(name="norm"))
    model = Sequential([Input((2, 3)), layers.Flatten(name="flat"), norm,
                        Dense(4, name="hidden"), layers.Dropout(0.25, seed=3, name="drop"),
                        layers.Activation("tanh", name="act"), Dense(3, name="scores"),
                        layers.Softmax(name="probs")], name="pre")
    if not given:
        norm.adapt(np.random.default_rng(seed).normal(3.0, 2.0, size=(20, 6)))
    return model


@pytest.mark.parametrize("given", [False, True], ids=["adapted", "given"])
def test_every_layer_kind_comes_back_with_its_settings(given, tmp_path):
    model = preprocessing_model(given=given)
    model.save(tmp_path / "m.keras")
    again = saving.load_model(tmp_path / "m.keras")
    assert [type(layer) for layer in again.layers] == [type(layer) for layer in model.layers]
    drop, act, norm = again.get_layer("drop"), again.get_layer("act"), again.get_layer("norm")
    assert (drop.rate, drop.seed, act.activation.name, norm.axis) == (0.25, 3, "tanh", -1)
    np.testing.assert_array_equal(norm._statistics()[0], model.get_layer("norm")._statistics()[0])
    x = np.random.default_rng(1).normal(size=(5, 2, 3)).astype("float32")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_one_normalization_for_all_entries_is_axis_none(tmp_path):
    utils.set_random_seed(0)
    norm = layers.Normalization(axis=None)
    model = Sequential([Input((3,)), norm, Dense(1)])
    norm.adapt(np.arange(12.0).reshape(4, 3))
    model.save(tmp_path / "m.keras")
    again = saving.load_model(tmp_path / "m.keras").layers[0]
    assert again.axis is None and float(again.mean) == pytest.approx(5.5)


@pytest.mark.parametrize("index, key, value, message", [
    (1, "data_format", "channels_first",
     r"layer 'flat' \(Flatten\) has data_format='channels_first'; nnlib computes "
     r"data_format='channels_last' only"),
    (2, "invert", True, r"layer 'norm' \(Normalization\) has invert=True"),
    (2, "axis", [1], r"layer 'norm' \(Normalization\) normalises over axis=\[1\]"),
    (4, "noise_shape", [None, 1], r"layer 'drop' \(Dropout\) uses noise_shape"),
])
def test_layer_options_nnlib_does_not_compute_are_refused(index, key, value, message, tmp_path):
    path = tmp_path / "m.keras"
    saving.save_model(preprocessing_model(), path)

    def change(config):
        config["config"]["layers"][index]["config"][key] = value

    rewrite_config(path, change)
    with pytest.raises(ValueError, match=message):
        saving.load_model(path)
