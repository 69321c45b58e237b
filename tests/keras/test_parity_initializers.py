"""Every Keras initializer, by name and class, against real Keras 3: the same configuration, the
same fans and limits, the same distribution (NumPy's random numbers are not JAX's, so values are
compared by their statistics), the same behaviour of seeds."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras as real_keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import initializers  # noqa: E402

RANDOM = ["GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal",
          "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "Orthogonal"]
FIXED = ["Zeros", "Ones", "Constant", "Identity"]
SHAPES = [(300, 200), (200,), ()]


def both(name, **options):
    return getattr(initializers, name)(**options), getattr(real_keras.initializers, name)(**options)


@pytest.mark.parametrize("name", RANDOM + FIXED)
def test_configs_and_names_are_keras(name):
    options = {} if name in FIXED else {"seed": 3}
    n_init, k_init = both(name, **options)
    assert n_init.get_config() == k_init.get_config()
    snake = real_keras.src.utils.naming.to_snake_case(name)
    assert type(initializers.get(snake)) is type(n_init)
    if name != "Constant":  # Keras's get("constant") fails: its from_config needs a value
        assert type(real_keras.initializers.get(snake)).__name__ == name


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", [n for n in RANDOM if n != "Orthogonal"])
def test_random_initializers_draw_from_keras_distribution(name, shape):
    n_init, k_init = both(name, seed=1)
    n_values, k_values = n_init(shape), np.asarray(k_init(shape))
    assert n_values.shape == k_values.shape == shape and n_values.dtype == k_values.dtype
    if shape == ():
        return  # a scalar (fans 1, 1) draws without error in both
    # the same support: uniform limits and normal cuts at 2 standard deviations agree
    bound = max(np.abs(k_values).max(), np.abs(n_values).max())
    assert np.abs(n_values).max() <= bound * 1.0001 and np.abs(k_values).max() <= bound * 1.0001
    assert np.abs(n_values).max() > 0.85 * np.abs(k_values).max()
    # the same mean and spread (tolerances from the sampling error of 200 or 60,000 values)
    tolerance = 4 / np.sqrt(n_values.size)
    assert abs(n_values.mean() - k_values.mean()) < tolerance * (k_values.std() + 1e-12) * 2
    assert abs(n_values.std() / k_values.std() - 1) < 3 * tolerance + 0.02


@pytest.mark.parametrize("name", RANDOM)
def test_an_int_seed_repeats_its_values_as_in_keras(name):
    n_init, k_init = both(name, seed=7)
    np.testing.assert_array_equal(n_init((5, 4)), n_init((5, 4)))
    np.testing.assert_array_equal(np.asarray(k_init((5, 4))), np.asarray(k_init((5, 4))))
    assert not np.array_equal(n_init((5, 4)), getattr(initializers, name)(seed=8)((5, 4)))


def test_he_and_glorot_of_a_vector_use_keras_fans():
    # fan_in = fan_out = n for a 1-D weight: limit sqrt(6 / 100), not sqrt(6 / 1)
    for name, limit in [("HeUniform", np.sqrt(6 / 100)), ("GlorotUniform", np.sqrt(6 / 200))]:
        n_init, k_init = both(name, seed=0)
        assert np.abs(n_init((100,))).max() <= limit
        assert np.abs(np.asarray(k_init((100,)))).max() <= limit
    assert initializers.compute_fans((100,)) == real_keras.src.initializers.random_initializers \
        .compute_fans((100,))


def test_orthogonal_gives_orthonormal_columns_like_keras():
    for shape in [(6, 4), (4, 6)]:
        n_init, k_init = both("Orthogonal", seed=0, gain=2.0)
        for values in (n_init(shape), np.asarray(k_init(shape))):
            small = min(shape)
            gram = values.T @ values if shape[0] >= shape[1] else values @ values.T
            np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)


@pytest.mark.parametrize("name,options", [("Zeros", {}), ("Ones", {}), ("Constant", {"value": 2.5}),
                                          ("Identity", {"gain": 3.0})])
def test_fixed_initializers_equal_keras(name, options):
    n_init, k_init = both(name, **options)
    np.testing.assert_array_equal(n_init((3, 3)), np.asarray(k_init((3, 3))))


def test_a_dense_layer_takes_every_spelling_keras_takes():
    from nnlib.layers import Dense
    for spelling in ["he_normal", "HeNormal", initializers.HeNormal(seed=1),
                     {"class_name": "HeNormal", "config": {"seed": 1}}]:
        layer = Dense(3, kernel_initializer=spelling)
        layer.build((None, 4))
        assert layer.kernel.shape == (4, 3)
        k_layer = real_keras.layers.Dense(3, kernel_initializer=spelling if not isinstance(
            spelling, initializers.Initializer) else real_keras.initializers.HeNormal(seed=1))
        k_layer.build((None, 4))
