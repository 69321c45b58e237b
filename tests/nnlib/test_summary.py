"""summary: the Optimizer params line counts what Keras's optimizers hold (checked against real
Keras in tests/keras/test_parity_layers.py)."""

import numpy as np
import pytest

from nnlib import optimizers, schedules
from nnlib.summary import optimizer_state

WEIGHTS = [np.zeros((4, 3), np.float32), np.zeros(3, np.float32)]  # 15 parameters


def stepped(optimizer):
    optimizer.iterations = 1
    return optimizer


@pytest.mark.parametrize("optimizer, count", [
    (optimizers.SGD(), 2),  # iteration and learning rate
    (optimizers.SGD(momentum=0.9), 15 + 2),
    (optimizers.Adam(), 2 * 15 + 2),
    (optimizers.Adagrad(), 15 + 2),
    (optimizers.RMSprop(), 15 + 2),
    (optimizers.RMSprop(momentum=0.5, centered=True), 3 * 15 + 2),
    (optimizers.Adam(schedules.ExponentialDecay(0.1, 2, 0.5)), 2 * 15 + 1),  # no rate variable
])
def test_optimizer_params_count_keras_s_variables(optimizer, count):
    assert optimizer_state(stepped(optimizer), WEIGHTS) == (count, 4 * count)


def test_no_optimizer_params_before_the_first_step():
    assert optimizer_state(optimizers.Adam(), WEIGHTS) is None
