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
