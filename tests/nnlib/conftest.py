"""Shared fixtures for nnlib's tests."""

import numpy as np
import pytest
from hypothesis import settings

from nnlib.gradcheck import relative_error

# No wall-clock deadline for property-based tests: on a shared machine a slow example says
# nothing about nnlib (the project's rule: tests never assert times).
settings.register_profile("nnlib", deadline=None)
settings.load_profile("nnlib")


@pytest.fixture(scope="session")
def assert_matches_finite_differences():
    """Compare an analytic gradient with a float64 central-difference estimate.

    CS231n's criterion, relative error < 1e-7, for every entry of noticeable size. Rounding f
    (about 1e-16 |f|) divided by 2 eps leaves an absolute noise floor near 1e-10 in the estimate,
    so entries below 1e-2 (flat tails, near-zero slopes) are compared absolutely instead.
    """

    def check(analytic, numeric):
        analytic = np.asarray(analytic, dtype=np.float64)
        numeric = np.asarray(numeric, dtype=np.float64)
        assert analytic.shape == numeric.shape
        small = np.abs(analytic) < 1e-2
        assert np.all(np.abs(analytic - numeric)[small] < 1e-9), (analytic, numeric)
        assert relative_error(analytic[~small], numeric[~small]) < 1e-7, (analytic, numeric)

    return check


@pytest.fixture(scope="session")
def scale_layer():
    """A custom layer written as Keras's guides write one, config included: ``Scale(factor)``."""
    from nnlib.layers import Layer

    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

        def forward(self, x):
            return self.factor * x

        def backward(self, grad):
            return self.factor * grad

    return Scale
