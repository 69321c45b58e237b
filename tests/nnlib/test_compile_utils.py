"""compile's losses, loss_weights and metrics matched to a model's outputs, and the clear errors
a model with several outputs gives for compile arguments and data that do not fit it."""

import numpy as np
import pytest

import nnlib
from nnlib import compile_utils
from nnlib.layers import Concatenate, Dense, Input


@pytest.fixture
def two_outputs():
    a, b = Input((3,), name="a"), Input((2,), name="b")
    hidden = Dense(4, activation="relu", name="h")(Concatenate()([a, b]))
    return nnlib.Model([a, b], [Dense(1, activation="sigmoid", name="o1")(hidden),
                                Dense(3, activation="softmax", name="o2")(hidden)])


X = [np.ones((4, 3)), np.ones((4, 2))]
Y = [np.ones((4, 1)), np.eye(3)[[0, 1, 2, 0]]]


def test_losses_weights_and_metrics_are_resolved_per_output():
    names = ["o1", "o2"]
    assert [type(loss).__name__ for loss in compile_utils.resolve_losses(
        {"o2": "categorical_crossentropy", "o1": None}, names)[1:]] == ["CategoricalCrossentropy"]
    assert compile_utils.resolve_losses(["mse", None], names)[1] is None
    assert compile_utils.resolve_loss_weights([2, 0.5], names) == [2.0, 0.5]
    assert compile_utils.resolve_loss_weights(0.5, ["out"]) == [0.5]
    assert compile_utils.resolve_metrics([["mae"], "accuracy"], names) == [["mae"], ["accuracy"]]
    assert compile_utils.resolve_metrics(["mae", "accuracy"], ["out"]) == [["mae", "accuracy"]]


def test_evaluate_lists_the_loss_each_outputs_loss_then_the_metrics_by_name():
    logs = {"loss": 1, "o1_loss": 2, "o2_loss": 3, "o1_mae": 4, "o2_accuracy": 5}
    assert compile_utils.log_order(logs, ["mae", "accuracy"], ["o1_loss", "o2_loss"]) == \
        [1, 2, 3, 4, 5]
    assert compile_utils.log_order({"loss": 1, "mae": 2, "accuracy": 3}, ["mae", "accuracy"],
                                   []) == [1, 2, 3]
    assert compile_utils.log_order({"loss": 1}, [], []) == 1


@pytest.mark.parametrize(("arguments", "error", "message"), [
    (dict(loss=["mse"]), ValueError, r"loss must have one entry per output .*\['o1', 'o2'\].*1"),
    (dict(loss={"o1": "mse"}), ValueError, r"loss must name every output .*missing \['o2'\]"),
    (dict(loss={"o1": "mse", "o3": "mse"}), ValueError, r"loss: Unknown output 'o3'.*'o1', 'o2'"),
    (dict(loss=[None, None]), ValueError, r"no loss for any output"),
    (dict(loss="mse", loss_weights=[1.0]), ValueError, r"loss_weights must have one entry"),
    (dict(loss="mse", loss_weights=0.5), ValueError, r"loss_weights must be a list or dict .*2"),
    (dict(loss="mse", loss_weights={"o1": "x", "o2": 1}), TypeError,
     r"loss_weights for output 'o1' must be a number; received 'x'"),
    (dict(loss="mse", metrics=["mae"]), ValueError, r"2 outputs .* one entry per output"),
    (dict(loss="mse", metrics={"o3": "mae"}), ValueError, r"metrics: Unknown output 'o3'"),
    (dict(loss="mse", metrics={"o2": "maee"}), ValueError, r"Unknown metric 'maee'"),
    (dict(loss="mse", metrics="mae"), TypeError, r"metrics must be a list"),
])
def test_compile_arguments_that_do_not_fit_the_outputs_are_refused_clearly(
        two_outputs, arguments, error, message):
    with pytest.raises(error, match=message):
        two_outputs.compile("sgd", **arguments)


@pytest.mark.parametrize(("x", "y", "message"), [
    (X, Y[0], r"y: the model has 2 outputs \['o1', 'o2'\]; received an array of shape \(4, 1\)"),
    (X, {"o1": Y[0]}, r"y: the model's outputs are \['o1', 'o2'\]; .*no array for \['o2'\]"),
    (X, {"o1": Y[0], "o2": Y[1], "o4": Y[1]}, r"y: Unknown output 'o4'"),
    (X, [Y[0], Y[1][:, :2]], r"y\['o2'\]: .*\(4, 3\); received shape \(4, 2\)"),
    ({"a": X[0]}, Y, r"x: the model's inputs are \['a', 'b'\]; .*no array for \['b'\]"),
])
def test_data_that_does_not_fit_the_outputs_is_refused_clearly(two_outputs, x, y, message):
    two_outputs.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match=message):
        two_outputs.fit(x, y, verbose=0)


def test_class_weight_says_what_several_outputs_lack(two_outputs):
    two_outputs.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match=r"class_weight is only supported for a model with one "
                                         r"output.*sample_weight"):
        two_outputs.fit(X, Y, class_weight={0: 1.0}, verbose=0)


def test_outputs_must_be_distinct_tensors():
    a = Input((3,))
    out = Dense(1)(a)
    with pytest.raises(ValueError, match=r"outputs\[1\] .* is given twice"):
        nnlib.Model(a, [out, out])
    with pytest.raises(ValueError, match=r"outputs is empty"):
        nnlib.Model(a, [])
    with pytest.raises(TypeError, match=r"outputs\[1\] must be the tensor"):
        nnlib.Model(a, [out, "out"])


def test_one_sample_weight_weighs_every_outputs_loss(two_outputs):
    """With weights 2 for every row each output's loss doubles; with a row weighted 0 the loss is
    that of the others: as Keras, one sample_weight array applies to all outputs."""
    two_outputs.compile("sgd", loss=["mse", "categorical_crossentropy"], loss_weights=[1, 0.5])
    plain = two_outputs.evaluate(X, Y, verbose=0, return_dict=True)
    doubled = two_outputs.evaluate(X, Y, sample_weight=np.full(4, 2.0), verbose=0,
                                   return_dict=True)
    for key in ("loss", "o1_loss", "o2_loss"):
        assert doubled[key] == pytest.approx(2 * plain[key], rel=1e-6)
    assert plain["loss"] == pytest.approx(plain["o1_loss"] + 0.5 * plain["o2_loss"], rel=1e-6)


def test_a_one_output_loss_weight_scales_the_loss_and_is_saved(tmp_path):
    model = nnlib.Sequential([Input((3,)), Dense(1)])
    x, y = np.ones((4, 3)), np.arange(4.0)
    model.compile("sgd", loss="mse")
    plain = model.evaluate(x, y, verbose=0)
    model.compile("sgd", loss="mse", loss_weights=2.0)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(2 * plain, rel=1e-6)
    assert model.get_compile_config()["loss_weights"] == 2.0
    model.save(tmp_path / "model.keras")
    loaded = nnlib.models.load_model(tmp_path / "model.keras")
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(2 * plain, rel=1e-6)
