"""Learning-rate schedules: the formulas, staircase, the float type and argument checks."""

import numpy as np
import pytest

from nnlib import config
from nnlib import schedules
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


def test_each_schedule_at_the_points_its_formula_names():
    assert float(schedules.InverseTimeDecay(0.1, 2, 0.5)(4)) == pytest.approx(0.1 / 2)
    polynomial = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0, power=2.0)
    assert [float(polynomial(t)) for t in (0, 5, 10, 20)] == pytest.approx([0.1, 0.025, 0, 0])
    cycling = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0, cycle=True)
    assert float(cycling(15)) == pytest.approx(0.1 * (1 - 15 / 20))  # the span doubled
    piecewise = schedules.PiecewiseConstantDecay([2, 5], [0.3, 0.2, 0.1])
    assert [float(piecewise(t)) for t in range(7)] == pytest.approx([0.3] * 3 + [0.2] * 3 + [0.1])
    cosine = schedules.CosineDecay(0.1, 10, alpha=0.2)
    assert [float(cosine(t)) for t in (0, 5, 10, 30)] == pytest.approx([0.1, 0.06, 0.02, 0.02])
    warm = schedules.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4)
    assert [float(warm(t)) for t in (0, 2, 4, 9)] == pytest.approx([0, 0.1, 0.2, 0.1])
    restarts = schedules.CosineDecayRestarts(0.1, 4, t_mul=2.0, m_mul=0.5)
    assert [float(restarts(t)) for t in (0, 2, 4, 8, 12)] == pytest.approx(
        [0.1, 0.05, 0.05, 0.025, 0.025], abs=1e-7)  # runs of 4, then 8 steps, each half as high


@pytest.mark.parametrize("name", sorted(schedules.SCHEDULES))
def test_every_schedule_is_rebuilt_from_its_config(name):
    arguments = {"PiecewiseConstantDecay": dict(boundaries=[3], values=[0.1, 0.01]),
                 "CosineDecayRestarts": dict(initial_learning_rate=0.1, first_decay_steps=3)}
    schedule = schedules.SCHEDULES[name](**arguments.get(name, dict(
        initial_learning_rate=0.1, decay_steps=3, **({"decay_rate": 0.5} if name in (
            "ExponentialDecay", "InverseTimeDecay") else {}))))
    again = type(schedule).from_config(schedule.get_config())
    assert [float(again(t)) for t in range(8)] == [float(schedule(t)) for t in range(8)]


def test_schedules_refuse_bad_settings_by_name():
    with pytest.raises(ValueError, match="CosineDecay: decay_steps must be a number > 0"):
        schedules.CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match="one more entry than boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="boundaries must increase"):
        schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3])
    with pytest.raises(TypeError, match="PolynomialDecay: cycle must be True or False"):
        schedules.PolynomialDecay(0.1, 5, cycle="yes")
    with pytest.raises(ValueError, match="CosineDecayRestarts: t_mul must be a number > 0"):
        schedules.CosineDecayRestarts(0.1, 5, t_mul=0)
