"""What every Keras parity test shares: the tolerances, Keras's gradients by JAX autodiff, twin
models in both libraries, the comparison of two trainings (History and final weights) and of two
configs; the Functional API guide's model with two inputs and two outputs, built and compared
alike."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

RTOL, ATOL = 1e-5, 1e-6  # float32 arithmetic in a different order: a few units in the last place


def keras_loss_and_gradients(model, loss, x, y):
    """Keras's loss and d(loss)/d(weight) by JAX autodiff, keyed by path ("out/kernel")."""
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss_of(weights):
        y_pred, _ = model.stateless_call(weights, non_trainable, x)
        return loss(y, y_pred)

    value, grads = jax.value_and_grad(loss_of)(trainable)
    # Keras paths start with the model name ("sequential/out/kernel"); nnlib's are "out/kernel"
    paths = ["/".join(v.path.split("/")[-2:]) for v in model.trainable_variables]
    return float(value), {path: np.asarray(g) for path, g in zip(paths, grads)}


def assert_same_forward_and_backward(k_model, n_model, x, y):
    """Equal predictions, then equal mean squared error and gradients of every weight (nnlib's
    compute_loss_and_gradients against Keras's by JAX autodiff). Compiles ``n_model`` with it."""
    import keras  # noqa: PLC0415 (here, not above: each test module sets KERAS_BACKEND before Keras loads)
    np.testing.assert_allclose(n_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    k_loss, k_grads = keras_loss_and_gradients(k_model, keras.losses.MeanSquaredError(), x, y)
    n_model.compile(optimizer="sgd", loss="mse")
    n_loss, n_grads = n_model.compute_loss_and_gradients(x, y)
    assert n_loss == pytest.approx(k_loss, rel=1e-5)
    assert sorted(n_model.weight_paths) == sorted(k_grads)
    for path, n_grad in zip(n_model.weight_paths, n_grads):
        np.testing.assert_allclose(n_grad, k_grads[path], rtol=1e-4, atol=1e-6, err_msg=path)


def assert_same_fit(k_model, n_model, x, y, weights=True, **fit):
    """Fit both compiled models alike; their History (and, by default, final weights) must agree.

    Weights get a looser rtol: after several steps, float32 rounding differences compound.
    Returns both History dicts.
    """
    k_history = k_model.fit(x, y, **fit).history
    n_history = n_model.fit(x, y, **fit).history
    assert list(n_history) == list(k_history)
    for key in k_history:
        np.testing.assert_allclose(n_history[key], k_history[key], rtol=RTOL, atol=ATOL, err_msg=key)
    if weights:
        for n_w, k_w in zip(n_model.get_weights(), [np.asarray(w.value) for w in k_model.weights]):
            np.testing.assert_allclose(n_w, k_w, rtol=1e-4, atol=1e-6)
    return k_history, n_history


def twin_models(build, compile_settings):
    """The same model in Keras and in nnlib, compiled alike, nnlib's weights set to Keras's.

    ``build(lib)`` makes the model and ``compile_settings(lib)`` gives ``compile``'s keyword
    arguments, for ``lib`` the keras module, then nnlib. Returns (keras_model, nnlib_model).
    """
    import keras  # noqa: PLC0415 (imported once the caller has chosen the JAX backend)

    import nnlib  # noqa: PLC0415
    models = []
    for lib in (keras, nnlib):
        model = build(lib)
        model.compile(**compile_settings(lib))
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    return tuple(models)


def summary_text(model):
    """What ``model.summary()`` prints, as one string."""
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines).rstrip("\n")


def keras_gradient(k_loss, y, p):
    """d(Keras's batch loss)/d(y_pred) by JAX autodiff."""
    return np.asarray(jax.grad(lambda q: k_loss(jnp.asarray(y), q))(jnp.asarray(p)))


def assert_same_config(n_config, k_config):
    """nnlib's config has Keras's keys and values (numbers to float32 precision)."""
    assert sorted(n_config) == sorted(k_config)
    for key, value in k_config.items():
        if isinstance(value, float):
            assert n_config[key] == pytest.approx(value, rel=1e-7), key
        else:
            assert n_config[key] == value, key


def ticket_model(lib, as_dict, priority_activation="sigmoid", department_activation="softmax"):
    """The guide's ticket classifier with Dense layers: two inputs, two outputs."""
    title = lib.Input((6,), name="title")
    body = lib.Input((4,), name="body")
    features = lib.layers.Concatenate(name="features")([title, body])  # one name in both
    hidden = lib.layers.Dense(5, activation="relu", name="hidden")(features)
    priority = lib.layers.Dense(1, activation=priority_activation, name="priority")(hidden)
    department = lib.layers.Dense(3, activation=department_activation,
                                  name="department")(hidden)
    outputs = ({"priority": priority, "department": department} if as_dict
               else [priority, department])
    return lib.Model(inputs=[title, body], outputs=outputs)


def pair(build, **compile_args):
    """The same model in both libraries with Keras's initial weights, compiled alike (unless no
    compile argument is given)."""
    import keras  # noqa: PLC0415 (imported once the caller has chosen the JAX backend)

    import nnlib  # noqa: PLC0415
    k_model, n_model = build(keras), build(nnlib)
    for layer in k_model.layers:
        n_model.get_layer(layer.name).set_weights(layer.get_weights())
    for model in (k_model, n_model) if compile_args else ():
        model.compile(**compile_args)
    return k_model, n_model


def assert_logs_equal(n_logs, k_logs):
    assert list(n_logs) == list(k_logs)
    for key in k_logs:
        np.testing.assert_allclose(n_logs[key], k_logs[key], rtol=RTOL, atol=ATOL, err_msg=key)


def assert_same_weights(n_model, k_model):
    for layer in k_model.layers:
        for n_w, k_w in zip(n_model.get_layer(layer.name).get_weights(), layer.get_weights(),
                            strict=True):
            np.testing.assert_allclose(n_w, k_w, rtol=1e-4, atol=1e-6, err_msg=layer.name)


def load_in_keras(path):
    """keras.models.load_model, which must not warn: not about the optimizer's state either,
    which nnlib saves as Keras does."""
    import keras  # noqa: PLC0415

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.models.load_model(path)
    unexpected = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert unexpected == []
    return model


def save_and_load_across(direction, n_model, k_model, path):
    """Save one library's model to ``path`` (.keras) and load it in the other: ``direction`` is
    "nnlib_to_keras" or "keras_to_nnlib". Returns ``(n_model, k_model)`` with the loaded one replaced."""
    import nnlib  # noqa: PLC0415

    if direction == "nnlib_to_keras":
        n_model.save(path)
        return n_model, load_in_keras(path)
    k_model.save(path)
    return nnlib.models.load_model(path), k_model


def assert_same_steps(k_opt, n_opt, check=lambda: None, steps=7):
    """``steps`` updates of the same start weights (a (4, 3) kernel and a bias) by the same random
    gradients in both libraries; the weights must agree after each step (``check()`` runs before
    each). Returns nnlib's weights, for comparing the optimizers' state."""
    import keras  # noqa: PLC0415 (here, not above: each test module sets KERAS_BACKEND before Keras loads)

    rng = np.random.default_rng(3)
    start = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=3).astype("float32")]
    k_vars = [keras.Variable(w.copy()) for w in start]
    n_vars = [w.copy() for w in start]
    for _ in range(steps):
        grads = [rng.normal(size=w.shape).astype("float32") for w in start]
        check()
        k_opt.apply_gradients(list(zip(grads, k_vars)))
        n_opt.apply_gradients(list(zip(grads, n_vars)))
        for n_w, k_w in zip(n_vars, k_vars):
            np.testing.assert_allclose(n_w, np.asarray(k_w.value), rtol=RTOL, atol=ATOL)
    return n_vars
