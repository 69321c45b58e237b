"""The progress bar: Keras's format, live redraws on a terminal, final lines elsewhere."""

import io

import pytest

from nnlib.progress import ProgressBar, format_step_time, format_value


@pytest.mark.parametrize("value, text", [(0.5, "0.5000"), (12.3456789, "12.3457"),
                                         (0.0005, "5.0000e-04"), (0.0, "0.0000e+00")])
def test_values_have_four_decimals_or_scientific_notation(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("seconds, text", [(2.4, "2s/step"), (0.0123, "12ms/step"),
                                           (0.000456, "456us/step"), (0, "0s/step")])
def test_step_time_units(seconds, text):
    assert format_step_time(seconds) == text


def test_non_terminal_prints_only_the_final_line():
    out = io.StringIO()
    bar = ProgressBar(target=10, verbose=1, stream=out)
    for step in range(1, 10):
        bar.update(step, {"loss": 1.0}, now=bar.start + 0.01 * step)
    assert out.getvalue() == ""
    bar.update(10, {"accuracy": 0.9, "loss": 0.3}, now=bar.start + 0.1)
    assert out.getvalue() == ("10/10 ━━━━━━━━━━━━━━━━━━━━ 0s 10ms/step - accuracy: 0.9000 "
                              "- loss: 0.3000\n")


def test_terminal_redraws_in_place_with_a_growing_bar():
    out = io.StringIO()
    bar = ProgressBar(target=4, verbose=1, stream=out, live=True)
    bar.update(1, {"loss": 1.0}, now=bar.start + 0.1)
    bar.update(2, {"loss": 0.5}, now=bar.start + 0.2)
    bar.update(4, {"loss": 0.25}, now=bar.start + 0.4)
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 3
    assert "1/4" in frames[0] and frames[0].count("━") == 20
    assert "\x1b[32m" + "━" * 5 + "\x1b[0m" in frames[0]  # a quarter of the bar is green
    assert "\x1b[32m" + "━" * 10 + "\x1b[0m" in frames[1]
    assert frames[2].startswith("4/4") and frames[2].endswith("loss: 0.2500\n")
    assert "\n" not in frames[0] + frames[1]


def test_terminal_frames_are_throttled():
    out = io.StringIO()
    bar = ProgressBar(target=100, verbose=1, stream=out, live=True)
    for step in range(1, 100):
        bar.update(step, {"loss": 1.0}, now=bar.start + 0.0001 * step)
    assert out.getvalue().count("\r") == 1


def test_verbose_2_is_one_line_without_a_bar():
    out = io.StringIO()
    bar = ProgressBar(target=3, verbose=2, stream=out, live=True)
    bar.update(2, {"loss": 1.0}, now=bar.start + 0.02)
    bar.update(3, {"loss": 0.5}, now=bar.start + 0.03)
    assert out.getvalue() == "3/3 - 0s - 10ms/step - loss: 0.5000\n"


def test_verbose_0_prints_nothing():
    out = io.StringIO()
    ProgressBar(target=1, verbose=0, stream=out).update(1, {"loss": 1.0})
    assert out.getvalue() == ""
