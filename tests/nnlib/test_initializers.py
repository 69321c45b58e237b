"""nnlib.initializers: Keras's fans for every shape, seeds, names (parity: tests/keras)."""

import numpy as np
import pytest

from nnlib import initializers, utils


@pytest.mark.parametrize("name", ["he_uniform", "glorot_uniform", "he_normal", "lecun_normal"])
def test_a_vector_uses_its_length_as_both_fans_and_a_scalar_does_not_fail(name):
    init = initializers.get(name)
    assert np.abs(init((100,))).max() <= np.sqrt(6 / 100) * 2 / 0.8796  # not sqrt(6 / 1)
    assert init(()).shape == ()


def test_unseeded_initializers_follow_nnlibs_seed():
    utils.set_random_seed(0)
    first = initializers.GlorotNormal()((3, 2))
    utils.set_random_seed(0)
    np.testing.assert_array_equal(initializers.GlorotNormal()((3, 2)), first)


def test_bad_names_and_seeds_are_refused_clearly():
    with pytest.raises(ValueError, match="Unknown kernel_initializer 'glorot'.*'glorot_normal'"):
        initializers.get("glorot", "kernel_initializer")
    with pytest.raises(TypeError, match="seed must be an int"):
        initializers.HeNormal(seed=1.5)
