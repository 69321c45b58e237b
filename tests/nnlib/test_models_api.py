"""Keras's model API in nnlib: pop, get_layer, input_shape, and the lazy saving delegates."""

import numpy as np
import pytest

import nnlib
from nnlib.layers import Dense, Input
from nnlib.models import Sequential


def test_pop_removes_the_last_layer_and_rebuilds():
    model = Sequential([Input((3,)), Dense(4, name="a"), Dense(2, name="b")])
    removed = model.pop()
    assert removed.name == "b" and [layer.name for layer in model.layers] == ["a"]
    assert model.predict(np.ones((1, 3)), verbose=0).shape == (1, 4)
    model.add(Dense(1, name="c"))
    assert model.predict(np.ones((1, 3)), verbose=0).shape == (1, 1)
    empty = Sequential()
    with pytest.raises(ValueError, match="Sequential.pop: the model has no layers"):
        empty.pop()


def test_get_layer_by_name_or_index_suggests_the_closest_name():
    model = Sequential([Input((3,)), Dense(4, name="hidden"), Dense(1, name="out")])
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(index=-1).name == "out"
    with pytest.raises(ValueError, match="Unknown layer 'hiden'.*Did you mean 'hidden'"):
        model.get_layer("hiden")
    with pytest.raises(ValueError, match="index 5 is out of range; the model has 2 layers"):
        model.get_layer(index=5)


def test_import_nnlib_as_keras():
    import nnlib as keras

    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    assert isinstance(model, keras.models.Sequential) and model.count_params() == 8
    assert keras.Input is nnlib.layers.Input and keras.Model is nnlib.models.Model
    assert keras.saving is nnlib.saving and keras.optimizers.schedules is nnlib.schedules
    assert keras.saving.load_model is nnlib.saving.load_model


def _trained(seed=0):
    nnlib.utils.set_random_seed(seed)
    model = Sequential([Input((3,)), Dense(4, activation="relu"), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(seed).normal(size=(16, 3)).astype("float32")
    model.fit(x, x[:, :1], epochs=2, verbose=0)
    return model, x


def test_model_save_and_models_load_model(tmp_path):
    model, x = _trained()
    model.save(tmp_path / "m.keras")
    again = nnlib.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert repr(again.optimizer) == repr(model.optimizer)
    assert nnlib.models.load_model(tmp_path / "m.keras", compile=False).optimizer is None


def test_model_save_weights_and_load_weights(tmp_path):
    model, x = _trained(0)
    model.save_weights(tmp_path / "m.weights.h5")
    other, _ = _trained(1)
    assert not np.array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"save_weights: filepath must end in '\.weights\.h5'"):
        model.save_weights(tmp_path / "m.h5")
