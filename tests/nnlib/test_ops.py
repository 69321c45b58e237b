"""nnlib.ops: Keras's op names for NumPy functions; what it lacks is refused with an explanation."""

import numpy as np
import pytest

from nnlib import ops
from nnlib._scope import OutOfScopeError


def test_ops_are_numpys_functions():
    x = np.array([[-1.0, 2.0]])
    assert ops.sum(ops.abs(x)) == 3.0
    np.testing.assert_array_equal(ops.relu(x), [[0.0, 2.0]])
    assert ops.convert_to_tensor([1.0]).dtype == np.float32


def test_an_op_nnlib_lacks_is_refused_at_first_use_not_with_an_attribute_error():
    with pytest.raises(OutOfScopeError, match=r"keras\.ops\.conv .*real Keras"):
        ops.conv  # noqa: B018


def test_a_loss_written_with_ops_is_refused_at_compile_with_the_reason():
    from nnlib import Input, Sequential, layers

    def custom_mean_squared_error(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    model = Sequential([Input((3,)), layers.Dense(1)])
    with pytest.raises(TypeError, match="no automatic differentiation.*gradient"):
        model.compile(optimizer="adam", loss=custom_mean_squared_error)
