"""RMSprop, Adagrad and learning-rate schedules give real Keras 3's numbers (JAX backend).

Two levels, as in test_parity.py: the same gradients applied for several steps to the same start
by nnlib and by ``keras.optimizers.X`` on a ``keras.Variable``, then whole 5-epoch ``fit`` runs from
the same initial weights with shuffling off. Tolerance rtol 1e-5 (float32).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib.layers  # noqa: E402
import nnlib.models  # noqa: E402
import nnlib.optimizers  # noqa: E402
from parity import ATOL, RTOL, assert_same_config, assert_same_fit, assert_same_steps  # noqa: E402

assert keras.backend.backend() == "jax", "tests/conftest.py must set KERAS_BACKEND=jax first"



def decay(lib, **overrides):
    kwargs = {"initial_learning_rate": 0.05, "decay_steps": 3, "decay_rate": 0.5} | overrides
    return lib.optimizers.schedules.ExponentialDecay(**kwargs)


# (id, class name, keyword arguments: a function of the library, for schedules)
OPTIMIZERS = [
    ("rmsprop-defaults", "RMSprop", lambda lib: {}),
    ("rmsprop-momentum", "RMSprop", lambda lib: {"learning_rate": 0.01, "momentum": 0.9}),
    ("rmsprop-centered", "RMSprop", lambda lib: {"learning_rate": 0.01, "centered": True}),
    ("rmsprop-centered-momentum", "RMSprop",
     lambda lib: {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True}),
    ("adagrad-defaults", "Adagrad", lambda lib: {}),
    ("adagrad-custom", "Adagrad",
     lambda lib: {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-4}),
    ("sgd-decay", "SGD", lambda lib: {"learning_rate": decay(lib), "momentum": 0.9}),
    ("adam-decay-staircase", "Adam", lambda lib: {"learning_rate": decay(lib, staircase=True)}),
    ("rmsprop-decay", "RMSprop", lambda lib: {"learning_rate": decay(lib)}),
    ("adagrad-decay", "Adagrad", lambda lib: {"learning_rate": decay(lib, decay_rate=0.8)}),
]


def twin_optimizers(cls, kwargs):
    return (getattr(keras.optimizers, cls)(**kwargs(keras)),
            getattr(nnlib.optimizers, cls)(**kwargs(nnlib)))


def assert_learning_rates_equal(k_opt, n_opt):
    assert n_opt.learning_rate == pytest.approx(float(k_opt.learning_rate), rel=1e-6)


@pytest.mark.parametrize("case", OPTIMIZERS, ids=[c[0] for c in OPTIMIZERS])
def test_optimizer_steps_match_keras(case):
    """Seven steps (past two staircase boundaries) from the same weights and gradients."""
    _, cls, kwargs = case
    k_opt, n_opt = twin_optimizers(cls, kwargs)
    assert_same_steps(k_opt, n_opt, check=lambda: assert_learning_rates_equal(k_opt, n_opt))
    assert n_opt.iterations == int(k_opt.iterations.value) == 7


def test_schedule_values_match_keras():
    for staircase in (False, True):
        k_schedule, n_schedule = decay(keras, staircase=staircase), decay(nnlib,
                                                                          staircase=staircase)
        for step in range(12):
            assert float(n_schedule(step)) == pytest.approx(float(k_schedule(step)), rel=1e-6)


# (class name, arguments): every Keras schedule, with its options and edge cases
SCHEDULES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.7)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.5,
                              staircase=True)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=10)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=7, end_learning_rate=0.01,
                             power=2.0, cycle=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[3, 10], values=[0.1, 0.05, 0.01])),
    ("PiecewiseConstantDecay", dict(boundaries=[5], values=[1.0, 0.5])),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=20)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=20, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=15, warmup_target=0.2,
                         warmup_steps=6)),
    ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=10, alpha=0.2,
                         warmup_target=0.1, warmup_steps=4)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=5)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=4, t_mul=1.0,
                                 m_mul=0.5, alpha=0.1)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=3, t_mul=1.5,
                                 m_mul=0.8)),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}{k}" for n, k in SCHEDULES])
def test_every_schedule_gives_keras_rates_and_config(name, kwargs):
    k_schedule = getattr(keras.optimizers.schedules, name)(**kwargs)
    n_schedule = getattr(nnlib.optimizers.schedules, name)(**kwargs)
    for step in range(45):
        assert float(n_schedule(step)) == pytest.approx(float(k_schedule(step)), rel=1e-6,
                                                        abs=1e-9), step
    assert_same_config(n_schedule.get_config(), k_schedule.get_config())
    again = type(n_schedule).from_config(k_schedule.get_config())
    assert [float(again(t)) for t in range(45)] == [float(n_schedule(t)) for t in range(45)]


def test_an_optimizer_follows_each_schedule_as_keras():
    for name, kwargs in SCHEDULES:
        k_opt, n_opt = twin_optimizers("SGD", lambda lib: {
            "learning_rate": getattr(lib.optimizers.schedules, name)(**kwargs)})
        rng = np.random.default_rng(4)
        k_w, n_w = keras.Variable(np.ones(3, "float32")), np.ones(3, "float32")
        for _ in range(12):
            g = rng.normal(size=3).astype("float32")
            k_opt.apply_gradients([(g, k_w)])
            n_opt.apply_gradients([(g, n_w)])
        np.testing.assert_allclose(n_w, np.asarray(k_w.value), rtol=RTOL, atol=ATOL,
                                   err_msg=name)


def test_names_resolve_to_the_same_defaults_as_keras():
    for name in ["rmsprop", "adagrad", "sgd", "adam"]:
        k_config = keras.optimizers.get(name).get_config()
        n_config = nnlib.optimizers.get(name).get_config()
        assert {k: k_config[k] for k in n_config} == pytest.approx(n_config)


# ---- five epochs of fit ----------------------------------------------------------------------
def build(lib, layers):
    return lib.Sequential([
        lib.Input((4,)),
        layers.Dense(6, activation="relu", name="hidden"),
        layers.Dense(3, activation="softmax", name="out"),
    ])


FITS = [c for c in OPTIMIZERS if c[0] in ("rmsprop-defaults", "rmsprop-centered-momentum",
                                          "adagrad-custom", "rmsprop-decay", "adagrad-decay")]


@pytest.mark.parametrize("case", FITS, ids=[c[0] for c in FITS])
def test_five_epochs_of_fit_match_keras(case):
    _, cls, kwargs = case
    keras.utils.set_random_seed(0)
    k_model = build(keras, keras.layers)
    n_model = build(nnlib.models, nnlib.layers)
    n_model.set_weights([np.asarray(w.value) for w in k_model.weights])
    k_opt, n_opt = twin_optimizers(cls, kwargs)
    settings = dict(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    k_model.compile(optimizer=k_opt, **settings)
    n_model.compile(optimizer=n_opt, **settings)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 4)).astype("float32")
    y = rng.integers(0, 3, size=50).astype("int32")
    # 40 training rows in batches of 16, 16, 8: three optimizer steps per epoch, 15 in all
    fit = dict(batch_size=16, epochs=5, validation_split=0.2, shuffle=False, verbose=0)
    assert_same_fit(k_model, n_model, x, y, **fit)
    assert n_opt.iterations == int(k_opt.iterations.value) == 15


def test_compile_without_an_optimizer_trains_as_keras_does():
    """Keras's compile() default is RMSprop: nnlib's too, so code that omits it trains the same."""
    keras.utils.set_random_seed(0)
    k_model = build(keras, keras.layers)
    n_model = build(nnlib.models, nnlib.layers)
    n_model.set_weights([np.asarray(w.value) for w in k_model.weights])
    k_model.compile(loss="sparse_categorical_crossentropy")
    n_model.compile(loss="sparse_categorical_crossentropy")
    assert type(n_model.optimizer).__name__ == type(k_model.optimizer).__name__ == "RMSprop"
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, size=32)
    fit = dict(batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(n_model.fit(x, y, **fit).history["loss"],
                               k_model.fit(x, y, **fit).history["loss"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name, options", [
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(learning_rate=0.01, beta_1=0.8)),
    ("RMSprop", dict(rho=0.8, momentum=0.5, centered=True)),
])
def test_from_config_of_keras_config_steps_as_keras(name, options):
    k_opt = getattr(keras.optimizers, name)(**options)
    n_opt = getattr(nnlib.optimizers, name).from_config(k_opt.get_config())
    assert type(n_opt).from_config(n_opt.get_config()).get_config() == n_opt.get_config()
    assert_same_steps(k_opt, n_opt)
