"""keras.utils' Progbar and normalize against real Keras 3: the values a progress bar shows
(averaged over steps as Keras averages them) in the same lines, and normalized arrays."""

import io
import os
import re
from contextlib import redirect_stdout

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from parity import ATOL, RTOL  # noqa: E402


def shown_lines(output):
    """The lines a terminal ends up showing, without colours and with every time as T."""
    text = re.sub(r"\x1b\[[0-9;]*m|\x08", "", output)
    lines = [line.rstrip() for line in re.split(r"[\r\n]", text)]
    return [re.sub(r"\b\d+(ms|us|s)\b", "T", line) for line in lines if line.strip()]


def run(lib, calls, **options):
    out = io.StringIO()
    with redirect_stdout(out):
        bar = lib.utils.Progbar(6, interval=0.0, **options)
        for method, args in calls:
            getattr(bar, method)(*args)
    return shown_lines(out.getvalue())


CALLS = [("update", (1, [("loss", 1.0), ("acc", 0.5)])),
         ("update", (3, [("loss", 0.5), ("acc", 0.75)])),   # covers 2 steps: weighs twice
         ("add", (2, [("loss", 0.002), ("acc", 0.8)])),
         ("update", (6, [("loss", 0.0001), ("acc", 0.9)]))]  # finishing: shown as given


@pytest.mark.parametrize("options", [{}, {"stateful_metrics": ["acc"]},
                                     {"stateless_metrics": ["loss"]},
                                     {"verbose": 2}, {"width": 10, "unit_name": "batch"}],
                         ids=["averaged", "stateful", "stateless", "verbose2", "width-unit"])
def test_progbar_shows_keras_values_in_keras_lines(options):
    k_lines, n_lines = run(keras, CALLS, **options), run(nnlib, CALLS, **options)
    assert n_lines == k_lines
    assert len(n_lines) == (1 if options.get("verbose") == 2 else len(CALLS))


def test_progbar_finalize_ends_the_line_early_as_keras():
    calls = [("update", (2, [("loss", 0.3)])), ("update", (3, [("loss", 0.1)], True))]
    assert run(nnlib, calls) == run(keras, calls)


def test_progbar_refuses_an_unknown_length_by_name():
    with pytest.raises(ValueError, match="Progbar: target must be the number of steps"):
        nnlib.utils.Progbar(None)


@pytest.mark.parametrize("axis,order", [(-1, 2), (1, 1), (-1, 3)])  # Keras reads axis=0 as -1
def test_normalize_matches_keras(axis, order):
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    x[2] = 0  # a zero vector stays zero
    np.testing.assert_allclose(nnlib.utils.normalize(x, axis, order),
                               keras.utils.normalize(x, axis, order), rtol=RTOL, atol=ATOL)
