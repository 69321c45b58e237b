"""Tests for nnlib.config: the default float type and how functions follow it."""

import numpy as np
import pytest

from nnlib import activations, config


def test_default_is_float32():
    assert config.floatx() == "float32"


def test_set_floatx_changes_what_functions_return():
    try:
        config.set_floatx("float64")
        assert config.floatx() == "float64"
        assert activations.relu([1, 2]).dtype == np.float64
    finally:
        config.set_floatx("float32")
    assert activations.relu([1, 2]).dtype == np.float32


@pytest.mark.parametrize("bad", ["float16", "Float32", np.float64, None])
def test_set_floatx_rejects_other_types(bad):
    with pytest.raises(ValueError, match=r"set_floatx: name must be one of \['float32', 'float64'\]; received"):
        config.set_floatx(bad)
    assert config.floatx() == "float32"


def test_scope_restores_previous_value_even_after_an_error():
    with pytest.raises(RuntimeError):
        with config.floatx_scope("float64"):
            assert config.floatx() == "float64"
            raise RuntimeError("boom")
    assert config.floatx() == "float32"


def test_scopes_nest():
    with config.floatx_scope("float64"):
        with config.floatx_scope("float32"):
            assert config.floatx() == "float32"
        assert config.floatx() == "float64"
    assert config.floatx() == "float32"


def test_scope_rejects_bad_name_without_changing_state():
    with pytest.raises(ValueError, match="received 'double'"):
        with config.floatx_scope("double"):
            pass
    assert config.floatx() == "float32"
