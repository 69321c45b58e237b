"""Learning-rate schedules: the formula, staircase, the float type and argument checks."""

import numpy as np
import pytest

from nnlib import config
from nnlib.schedules import ExponentialDecay, LearningRateSchedule


def test_exponential_decay_is_initial_times_rate_to_the_step_over_decay_steps():
    schedule = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    for step in [0, 1, 2, 4, 10]:
        assert schedule(step) == pytest.approx(0.1 * 0.5 ** (step / 4), rel=1e-6)


def test_staircase_holds_the_rate_between_multiples_of_decay_steps():
    schedule = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    rates = [float(schedule(step)) for step in range(9)]
    assert rates == pytest.approx([0.1] * 4 + [0.05] * 4 + [0.025], rel=1e-6)


def test_rate_is_computed_in_floatx_like_keras():
    schedule = ExponentialDecay(0.1, decay_steps=3, decay_rate=0.9)
    assert schedule(5).dtype == np.float32
    with config.floatx_scope("float64"):
        assert schedule(5).dtype == np.float64


def test_config_round_trip():
    schedule = ExponentialDecay(0.01, 1000, 0.96, staircase=True, name="decay")
    again = ExponentialDecay.from_config(schedule.get_config())
    assert again.get_config() == schedule.get_config() == {
        "initial_learning_rate": 0.01, "decay_steps": 1000, "decay_rate": 0.96,
        "staircase": True, "name": "decay"}


@pytest.mark.parametrize("kwargs, error, message", [
    ({"decay_steps": 0}, ValueError, r"decay_steps must be a number > 0; received 0"),
    ({"decay_steps": "10"}, TypeError, r"decay_steps must be a number > 0; received '10'"),
    ({"decay_rate": -0.5}, ValueError, r"decay_rate must be a number > 0"),
    ({"initial_learning_rate": 0.0}, ValueError, r"initial_learning_rate must be a number > 0"),
    ({"staircase": "no"}, TypeError, r"staircase must be True or False"),
])
def test_arguments_are_checked(kwargs, error, message):
    args = {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9} | kwargs
    with pytest.raises(error, match="ExponentialDecay: " + message):
        ExponentialDecay(**args)


def test_a_custom_schedule_must_define_call():
    class Unfinished(LearningRateSchedule):
        pass

    with pytest.raises(NotImplementedError, match=r"Unfinished must define __call__"):
        Unfinished()(0)
