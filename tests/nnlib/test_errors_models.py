"""Bad input to models gets an error naming the argument, what was received and what was expected.
One test per mistake a learner is likely to make."""

import numpy as np
import pytest

from nnlib import optimizers, utils
from nnlib.layers import Add, Dense, Input
from nnlib.models import Model, Sequential


@pytest.fixture
def model():
    utils.set_random_seed(0)
    m = Sequential([Input((3,)), Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return m


X = np.ones((6, 3), dtype="float32")
Y = np.array([0, 1, 0, 1, 0, 1], dtype="float32")


def test_x_with_the_wrong_number_of_features(model):
    with pytest.raises(ValueError, match=r"x: the model expects input of shape \(batch_size, 3\) "
                                         r"\(3 features\); received shape \(6, 5\)"):
        model.fit(np.ones((6, 5)), Y, verbose=0)


def test_a_single_example_without_batch_dimension_gets_a_reshape_hint(model):
    with pytest.raises(ValueError, match=r"received shape \(3,\).*x.reshape\(1, -1\)"):
        model.predict(np.ones(3), verbose=0)


def test_y_with_another_number_of_rows(model):
    with pytest.raises(ValueError, match=r"y: expected 6 rows, one target per row of x; "
                                         r"received shape \(5,\)"):
        model.fit(X, Y[:5], verbose=0)


def test_y_shaped_unlike_the_output(model):
    with pytest.raises(ValueError, match=r"y: loss 'binary_crossentropy' needs targets shaped "
                                         r"like the model's output \(6, 1\); received shape \(6, 2\)"):
        model.fit(X, np.ones((6, 2)), verbose=0)


def test_class_labels_with_categorical_crossentropy_suggest_one_hot():
    m = Sequential([Input((3,)), Dense(4, activation="softmax")])
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="to_categorical.*sparse_categorical_crossentropy"):
        m.fit(X, np.array([0, 1, 2, 3, 0, 1]), verbose=0)


def test_sparse_labels_out_of_range():
    m = Sequential([Input((3,)), Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"integer class labels in \[0, 3\).*from 0 to 5"):
        m.fit(X, np.array([0, 1, 2, 3, 4, 5]), verbose=0)


def test_fit_before_compile():
    m = Sequential([Input((3,)), Dense(1)])
    with pytest.raises(ValueError, match=r"fit: the model must be compiled first.*compile\("):
        m.fit(X, Y, verbose=0)


def test_evaluate_before_compile():
    m = Sequential([Input((3,)), Dense(1)])
    with pytest.raises(ValueError, match="evaluate: the model must be compiled first"):
        m.evaluate(X, Y, verbose=0)


def test_non_numeric_x(model):
    with pytest.raises(TypeError, match="x must be numeric"):
        model.fit([["a", "b", "c"]] * 6, Y, verbose=0)


def test_nan_in_x(model):
    x = X.copy()
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"x contains 1 non-finite value.*index \(2, 1\)"):
        model.fit(x, Y, verbose=0)


def test_nan_in_y(model):
    y = Y.copy()
    y[0] = np.nan
    with pytest.raises(ValueError, match="y contains 1 non-finite value"):
        model.fit(X, y, verbose=0)


@pytest.mark.parametrize("batch_size", [0, -4])
def test_batch_size_must_be_positive(model, batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer; received "
                                         f"{batch_size}"):
        model.fit(X, Y, batch_size=batch_size, verbose=0)


def test_batch_size_must_be_an_integer(model):
    with pytest.raises(TypeError, match="batch_size must be a positive integer; received 2.5"):
        model.fit(X, Y, batch_size=2.5, verbose=0)


def test_negative_epochs(model):
    with pytest.raises(ValueError, match="epochs must be a non-negative integer; received -1"):
        model.fit(X, Y, epochs=-1, verbose=0)


@pytest.mark.parametrize("epochs", [2.0, "3", None])
def test_non_integer_epochs(model, epochs):
    with pytest.raises(TypeError, match="epochs must be a non-negative integer; received"):
        model.fit(X, Y, epochs=epochs, verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_outside_0_1(model, split):
    with pytest.raises(ValueError, match=rf"validation_split must be a number >= 0 and < 1; "
                                         rf"received {split}"):
        model.fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_of_the_wrong_kind_is_a_type_error(model):
    with pytest.raises(TypeError, match=r"validation_split must be a number >= 0 and < 1; "
                                        r"received '0.2' \(str\)"):
        model.fit(X, Y, validation_split="0.2", verbose=0)


def test_validation_split_leaving_no_training_rows(model):
    with pytest.raises(ValueError, match="leaves 0 of 1 rows for training"):
        model.fit(X[:1], Y[:1], validation_split=0.5, verbose=0)


@pytest.mark.parametrize("verbose", [3, "yes"])
def test_verbose_values(model, verbose):
    with pytest.raises(ValueError, match="verbose must be 'auto', 0, 1 or 2"):
        model.fit(X, Y, verbose=verbose)


def test_verbose_false_is_silent_and_a_float_is_refused_as_keras_tutorials_write_it(model, capsys):
    model.fit(X, Y, verbose=False)
    assert capsys.readouterr().out == ""
    with pytest.raises(TypeError, match="verbose must be"):
        model.fit(X, Y, verbose=1.0)


def test_unknown_optimizer_lists_the_valid_ones_and_suggests_the_closest(model):
    message = ("Unknown optimizer 'adamm'. Valid names: 'adadelta', 'adafactor', 'adagrad', "
               "'adam', 'adamax', 'adamw', 'ftrl', 'lion', 'nadam', 'rmsprop', 'sgd'. Did you mean "
               "'adam'?")
    with pytest.raises(ValueError) as raised:
        model.compile(optimizer="adamm", loss="mse")
    assert str(raised.value) == message
    with pytest.raises(ValueError) as raised:  # one rule, in one place: optimizers.get
        optimizers.get("adamm")
    assert str(raised.value) == message


def test_unknown_loss_lists_the_valid_ones(model):
    with pytest.raises(ValueError, match="Unknown loss 'mean_square_error'.*mean_squared_error"):
        model.compile(optimizer="sgd", loss="mean_square_error")


def test_missing_loss(model):
    with pytest.raises(ValueError, match="compile: loss is required"):
        model.compile(optimizer="sgd")


def test_unknown_metric_lists_the_valid_ones(model):
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'.*accuracy"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


def test_metrics_must_be_a_list(model):
    with pytest.raises(TypeError, match=r"metrics must be a list such as \['accuracy'\]"):
        model.compile(optimizer="sgd", loss="mse", metrics="accuracy")


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown activation 'sigmod'.*'sigmoid'"):
        Dense(3, activation="sigmod")


def test_disconnected_graph_names_the_layer_and_the_missing_input():
    a, b = Input((2,)), Input((2,))
    joined = Add(name="join")([a, b])
    out = Dense(1, name="out")(joined)
    with pytest.raises(ValueError, match=r"disconnected: layer 'join' needs input "
                                         rf"'{b.layer.name}', which is not in `inputs`"):
        Model(a, out)


def test_an_input_that_does_not_reach_the_output_is_named():
    a, b = Input((2,)), Input((2,))
    out = Dense(1)(a)
    with pytest.raises(ValueError, match=rf"input '{b.layer.name}' is not used to compute the "
                                         "output"):
        Model([a, b], out)


def test_model_outputs_must_come_from_layers():
    with pytest.raises(TypeError, match="outputs must be the tensor returned by calling a layer"):
        Model(Input((2,)), np.ones(2))


def test_model_inputs_must_come_from_input():
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a tensor returned by "
                                        "nnlib.layers.Input"):
        Model(np.ones(2), Dense(1)(Input((2,))))


def test_a_model_with_two_inputs_needs_two_arrays():
    a, b = Input((2,)), Input((3,))
    m = Model([a, b], Dense(1)(Add()([Dense(2)(b), a])))
    with pytest.raises(ValueError, match="the model has 2 inputs.*Pass a list with one array "
                                         "per input"):
        m.predict(np.ones((4, 2)), verbose=0)


def test_set_weights_with_wrong_shapes(model):
    weights = model.get_weights()
    weights[2] = weights[2].T
    with pytest.raises(ValueError, match=r"set_weights: dense_\d+/kernel must have shape "
                                         r"\(4, 1\); received shape \(1, 4\)"):
        model.set_weights(weights)


def test_set_weights_with_wrong_count(model):
    with pytest.raises(ValueError, match="the model has 4 weight arrays.*received 3 arrays"):
        model.set_weights(model.get_weights()[:3])


def test_sequential_rejects_things_that_are_not_layers():
    with pytest.raises(TypeError, match="expected a layer such as Dense"):
        Sequential([Input((2,)), "dense"])


def test_sequential_rejects_merge_layers():
    with pytest.raises(TypeError, match="Add merges several inputs; use the functional Model"):
        Sequential([Input((2,)), Add()])


@pytest.mark.parametrize("value", [0, -0.1, float("nan")])
def test_optimizer_learning_rate_must_be_positive(value):
    with pytest.raises(ValueError, match=r"SGD: learning_rate must be a number > 0; received "):
        optimizers.SGD(learning_rate=value)


def test_optimizer_learning_rate_of_the_wrong_kind_is_a_type_error():
    with pytest.raises(TypeError, match=r"SGD: learning_rate must be a number > 0; received "
                                        r"'fast' \(str\)"):
        optimizers.SGD(learning_rate="fast")
