"""The trainer: train_step, models sharing layers, frozen layers, sample and class weights,
and the message for a loss without a gradient."""

import numpy as np
import pytest

from nnlib import config, losses, optimizers, utils
from nnlib.gradcheck import check_gradients
from nnlib.layers import Dense, Input
from nnlib.models import Model, Sequential


def data(n=40, n_in=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("float32")


# ---- two models on the same layers ---------------------------------------------------------
def test_a_second_model_on_the_same_layers_leaves_the_first_one_learning():
    """Building Model(inputs, outputs) again on the same layers used to re-point the layers'
    weights into the new model's buffer: the first model's optimizer then moved arrays no layer
    used any more, and its loss stayed constant."""
    utils.set_random_seed(0)
    inputs = Input((3,))
    hidden = Dense(4, activation="tanh")
    out = Dense(1, activation="sigmoid")
    first = Model(inputs, out(hidden(inputs)))
    second = Model(inputs, first._graph.output)  # the same layers, a second model
    x, y = data()
    for model in (first, second):
        model.compile(optimizer="sgd", loss="binary_crossentropy")
    before = first.evaluate(x, y, verbose=0)
    losses_seen = first.fit(x, y, epochs=5, batch_size=8, verbose=0).history["loss"]
    assert losses_seen[-1] < losses_seen[0]
    assert first.evaluate(x, y, verbose=0) < before
    # both models see the same weights, whichever trained last
    second.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(first.predict(x, verbose=0), second.predict(x, verbose=0))
    after_second = first.evaluate(x, y, verbose=0)
    first.fit(x, y, epochs=2, verbose=0)
    assert first.evaluate(x, y, verbose=0) < after_second


# ---- frozen layers ---------------------------------------------------------------------------
def frozen_model():
    utils.set_random_seed(1)
    model = Sequential([Input((3,)), Dense(4, activation="relu", name="base"),
                        Dense(1, name="head")])
    model.get_layer("base").trainable = False
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_a_frozen_layer_does_not_move_and_the_others_still_learn():
    model = frozen_model()
    base, head = model.get_layer("base"), model.get_layer("head")
    base_before, head_before = base.get_weights(), head.get_weights()
    x, y = data()
    model.fit(x, y, epochs=3, verbose=0)
    for a, b in zip(base_before, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(head_before, head.get_weights()))


def test_frozen_weights_are_listed_as_non_trainable_and_gradients_still_flow_through():
    model = frozen_model()
    assert model.weight_paths == ["head/kernel", "head/bias"]
    assert [w.shape for w in model.non_trainable_weights] == [(3, 4), (4,)]
    assert len(model.weights) == 4 and len(model.get_weights()) == 4
    # unfreezing takes effect at the next fit, and the first layer then learns
    model.get_layer("base").trainable = True
    before = model.get_layer("base").get_weights()
    model.fit(*data(), epochs=1, verbose=0)
    assert not np.array_equal(before[0], model.get_layer("base").get_weights()[0])


def test_a_frozen_layer_between_trainable_ones_passes_gradients_back():
    with config.floatx_scope("float64"):
        utils.set_random_seed(2)
        model = Sequential([Input((3,)), Dense(4, activation="tanh", name="a"),
                            Dense(4, activation="tanh", name="frozen"),
                            Dense(2, name="c")])
        model.get_layer("frozen").trainable = False
        model.compile(optimizer="sgd", loss="mse")
        rng = np.random.default_rng(0)
        errors = check_gradients(model, rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))
    assert set(errors) == {"a/kernel", "a/bias", "c/kernel", "c/bias"}
    assert max(errors.values()) < 1e-7


def test_summary_counts_frozen_parameters_as_non_trainable():
    model = frozen_model()
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert " Total params: 21 (84.00 B)" in text
    assert " Trainable params: 5 (20.00 B)" in text
    assert " Non-trainable params: 16 (64.00 B)" in text


# ---- train_step -----------------------------------------------------------------------------
def test_train_step_is_one_gradient_step_and_returns_the_running_logs():
    """train_step(x_batch, y_batch) -> logs: the loss of the predictions made before the update,
    then the weights move by -learning_rate * gradient."""
    with config.floatx_scope("float64"):
        utils.set_random_seed(3)
        model = Sequential([Input((3,)), Dense(2, activation="tanh"), Dense(1)])
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        x, y = (a.astype("float64") for a in data(8))
        expected_loss, grads = model.compute_loss_and_gradients(x, y)
        before = model.get_weights()
        model._build_metrics([y])
        model._reset_running_means()
        logs = model.train_step([x], y)
    assert set(logs) == {"loss", "mae"}
    assert logs["loss"] == pytest.approx(expected_loss, rel=1e-6)  # accumulated in float32
    for w0, w1, g in zip(before, model.get_weights(), grads):
        np.testing.assert_allclose(w0 - w1, 0.01 * g, rtol=1e-10, atol=1e-15)


# ---- a loss without a gradient ------------------------------------------------------------
def test_a_plain_function_as_loss_explains_that_nnlib_needs_the_gradient():
    model = Sequential([Input((3,)), Dense(1)])

    def my_loss(y_true, y_pred):  # what a Keras user writes with keras.ops
        return np.mean((y_true - y_pred) ** 2)

    with pytest.raises(TypeError) as error:
        model.compile(optimizer="sgd", loss=my_loss)
    message = str(error.value)
    assert "'my_loss'" in message and "no automatic differentiation" in message
    assert "class MeanSquaredLogError(nnlib.losses.Loss)" in message
    assert "def gradient(self, y_true, y_pred)" in message


def test_the_loss_subclass_the_message_shows_trains():
    """The recipe in the message works: __call__ and gradient are all a custom loss needs."""
    namespace = {"np": np, "nnlib": __import__("nnlib")}
    code = losses._HOW_TO_WRITE_A_LOSS.split("as a Loss subclass:")[1].split("model.compile")[0]
    exec(code.replace("\n    ", "\n"), namespace)  # noqa: S102 (our own message's code)
    loss = namespace["MeanSquaredLogError"]()
    utils.set_random_seed(0)
    model = Sequential([Input((3,)), Dense(1, activation="relu")])
    model.compile(optimizer="sgd", loss=loss)
    x, y = data()
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    with config.floatx_scope("float64"):
        utils.set_random_seed(0)
        model = Sequential([Input((3,)), Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss=loss)
        errors = check_gradients(model, x.astype("float64"), y.astype("float64"))
    assert max(errors.values()) < 1e-7


def test_a_loss_subclass_without_gradient_fails_with_the_recipe():
    class OnlyValue(losses.Loss):
        def __call__(self, y_true, y_pred):
            return np.mean((y_true - y_pred) ** 2)

    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer="sgd", loss=OnlyValue())
    with pytest.raises(NotImplementedError, match="(?s)OnlyValue has no gradient method.*no "
                                                  "automatic differentiation"):
        model.fit(*data(), epochs=1, verbose=0)


def test_compile_defaults_to_rmsprop_as_keras():
    model = Sequential([Input((2,)), Dense(1)])
    model.compile(loss="mse")
    assert isinstance(model.optimizer, optimizers.RMSprop)
    assert repr(model.optimizer) == repr(optimizers.RMSprop())


class _SquaredError(losses.Loss):
    """A user's loss as the losses module documents it: value and gradient, no alignment."""

    def __call__(self, y_true, y_pred):
        return np.mean((y_pred - y_true) ** 2)

    def gradient(self, y_true, y_pred):
        return 2 * (y_pred - y_true) / y_pred.size


def test_evaluate_and_val_loss_line_up_targets_as_fit_does_for_a_users_loss():
    """(n,) targets against an (n, 1) output are lined up, never broadcast to (n, n), in
    evaluate and val_loss as in fit: both shapes give the same loss (review defect D4)."""
    x, y = data()
    utils.set_random_seed(0)
    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=1e-9), loss=_SquaredError())
    column = model.evaluate(x, y.reshape(-1, 1), verbose=0)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(column, rel=1e-6)
    history = model.fit(x, y, batch_size=len(x), validation_data=(x, y), shuffle=False,
                        verbose=0)
    assert history.history["val_loss"] == [pytest.approx(column, rel=1e-5)]
    assert history.history["loss"] == [pytest.approx(column, rel=1e-5)]


def test_freezing_and_unfreezing_keeps_a_layers_optimizer_state():
    """Adam's moments belong to each weight, as Keras keys them by the variable: a layer frozen
    for one fit and unfrozen again resumes with its moments, not zeros (review defect D11)."""
    x, y = data()
    utils.set_random_seed(0)
    model = Sequential([Input((3,)), Dense(4, activation="relu"), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    kernel = model.layers[0].kernel

    def moments():  # m and v of the first kernel
        state = model.optimizer.keras_variables([kernel])
        return [s.copy() for s in state[2:]]

    before = moments()
    assert all(np.any(s != 0) for s in before)
    model.layers[0].trainable = False
    model.fit(x, y, epochs=1, verbose=0)
    model.layers[0].trainable = True
    for after, expected in zip(moments(), before):
        np.testing.assert_array_equal(after, expected)
    assert model.layers[0].kernel is kernel  # fit never re-points a layer's weights


@pytest.mark.parametrize("options, error, message", [
    (dict(validation_freq="2"), TypeError, "validation_freq must be a positive integer.*or a list"),
    (dict(validation_freq=0), ValueError, "validation_freq must be a positive integer"),
    (dict(validation_freq=[1, 0]), ValueError, r"validation_freq\[1\] must be a positive"),
    (dict(validation_batch_size=0), ValueError, "validation_batch_size must be a positive"),
])
def test_fit_refuses_a_bad_validation_freq_or_batch_size_by_name(options, error, message):
    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = data()
    with pytest.raises(error, match=message):
        model.fit(x, y, validation_split=0.2, verbose=0, **options)


def test_weighted_metrics_are_checked_at_compile_naming_the_argument():
    model = Sequential([Input((3,)), Dense(1)])
    with pytest.raises(TypeError, match="compile: weighted_metrics must be a list"):
        model.compile(optimizer="sgd", loss="mse", weighted_metrics="mae")
    with pytest.raises(ValueError, match="Unknown metric 'maee'.*Did you mean 'mae'"):
        model.compile(optimizer="sgd", loss="mse", weighted_metrics=["maee"])


def test_a_weighted_metric_counts_the_weights_and_its_twin_does_not():
    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae"])
    x, y = data(4)
    w = np.array([1.0, 0.0, 0.0, 0.0])
    logs = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    errors = np.abs(model.predict(x, verbose=0)[:, 0] - y)
    assert logs["mae"] == pytest.approx(errors.mean(), rel=1e-5)
    assert logs["weighted_mae"] == pytest.approx(errors[0], rel=1e-5)


def test_batch_counts_for_datasets_are_refused_by_name_and_none_is_accepted():
    from nnlib._scope import OutOfScopeError
    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = data()
    with pytest.raises(OutOfScopeError, match=r"fit\(steps_per_epoch=2\).*dataset or generator"):
        model.fit(x, y, steps_per_epoch=2, verbose=0)
    with pytest.raises(OutOfScopeError, match=r"fit\(validation_steps=1\)"):
        model.fit(x, y, validation_split=0.2, validation_steps=1, verbose=0)
    with pytest.raises(OutOfScopeError, match=r"evaluate\(steps=1\)"):
        model.evaluate(x, y, steps=1, verbose=0)
    with pytest.raises(OutOfScopeError, match=r"predict\(steps=1\)"):
        model.predict(x, steps=1, verbose=0)
    assert model.predict(x, steps=None, verbose=0).shape == (len(x), 1)
    assert model.fit(x, y, epochs=2, initial_epoch=2, verbose=0).epoch == []
    with pytest.raises(ValueError, match="initial_epoch must be"):
        model.fit(x, y, initial_epoch=-1, verbose=0)
