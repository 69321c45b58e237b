"""Every public name of real Keras 3's dense-network modules is either provided by nnlib, with a
parity test against Keras, or refused at first use with a message that names it, says nnlib is a
dense-network teaching library and points to real Keras. The page listing them
(docs/keras-surface.json and its fragment) is regenerated from the same data and must be current.
"""

import ast
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import _keras_surface  # noqa: E402
from nnlib._scope import OutOfScopeError  # noqa: E402
from surface_parity import PARITY  # noqa: E402

HERE = Path(__file__).parent
TABLE = _keras_surface.table(real_keras)
ROWS = [(module, name, verdict) for module, row in TABLE["modules"].items()
        for verdict in ("supported", "refused") for name in row[verdict]]


@pytest.mark.parametrize("module", list(TABLE["modules"]))
def test_every_keras_name_is_supported_or_refused(module):
    assert TABLE["modules"][module]["unclassified"] == []


def _test_names(file_name):
    tree = ast.parse((HERE / file_name).read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("module", list(TABLE["modules"]))
def test_every_supported_name_has_a_parity_test(module):
    missing = [n for n in TABLE["modules"][module]["supported"] if n not in PARITY[module]]
    assert missing == [], f"keras.{module}: no parity test listed in surface_parity.py"
    for name in TABLE["modules"][module]["supported"]:
        file_name, test = PARITY[module][name].split("::")
        assert test in _test_names(file_name), f"{module}.{name}: {PARITY[module][name]} missing"


def _nnlib_module(module):
    if module == "keras":
        return nnlib
    path = _keras_surface.MODULES[module].removeprefix("nnlib.")
    return getattr(nnlib, path)


@pytest.mark.parametrize("module", [m for m in TABLE["modules"] if m != "Model"])
def test_every_refused_name_says_what_and_where_to_go(module):
    for name in TABLE["modules"][module]["refused"]:
        with pytest.raises(OutOfScopeError) as error:
            getattr(_nnlib_module(module), name)
        message = str(error.value)
        assert f"keras.{module}" in message or "keras.regularizers" in message
        assert name in message or module == "regularizers"
        assert "teaching library for dense networks" in message and "real Keras" in message


def test_refused_model_methods_are_refused_on_a_model():
    model = nnlib.Sequential([nnlib.Input((2,)), nnlib.layers.Dense(1)])
    for name in TABLE["modules"]["Model"]["refused"]:
        with pytest.raises(OutOfScopeError, match=f"keras.Model.{name} .*real Keras"):
            getattr(model, name)


def test_from_import_of_a_refused_name_explains_instead_of_import_error():
    with pytest.raises(OutOfScopeError, match="keras.layers.Conv2D .a convolutional layer."):
        from nnlib.layers import Conv2D  # noqa: F401
    with pytest.raises(AttributeError):  # a typo is still a typo
        nnlib.layers.Dnese  # noqa: B018


def test_the_surface_page_is_up_to_date():
    import sys
    sys.path.insert(0, str(HERE.parent.parent / "tools"))
    import keras_surface
    assert keras_surface.main(["--check"]) == 0, "run: python tools/keras_surface.py"
