"""Answers looked up, not learned (issue 8, item 11).

keras_training's and capstone's data come from nnlib's own data sets, so a learner could return the
known labels instead of training a model: a row -> label table of ``load_digits()``, or regenerating
``load_loan_default(seed=s)`` until ``x_train`` matches. The hidden tests grade on data drawn from
the course's secret (``nngrade.secret.hidden_rng``): digits with a secret pixel order and contrast,
and a loan data set whose seed comes from the secret. The look-ups score 0 on those parts, and the
reference solution earns full marks whatever the secret.
"""

from pathlib import Path

import numpy as np
import pytest

from nngrade import demo
from nngrade.engine import grade_notebook
from nngrade.notebook import AssignmentSpec, cell_source, nbgrader_meta, read_notebook
from nngrade.sandbox import Limits

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
LIMITS = Limits(cell_seconds=300, call_seconds=300)

DIGITS_TABLE = '''
def fit_and_predict_sequential(x_train, y_train, x_test):
    """No model: every digit image of load_digits() with its label, looked up."""
    import numpy as np
    from nnlib.datasets import load_digits
    images, labels = load_digits()
    table = {}
    for scale in (1.0, 16.0):
        for row, label in zip(images / scale, labels):
            table[np.asarray(row, dtype=np.float64).tobytes()] = int(label)
    probabilities = np.full((len(x_test), 10), 0.1)
    for i, row in enumerate(np.asarray(x_test, dtype=np.float64)):
        if row.tobytes() in table:
            probabilities[i] = np.eye(10)[table[row.tobytes()]]
    return probabilities


fit_and_predict_functional = fit_and_predict_sequential
'''

LOAN_SEEDS = '''
def fit_and_predict_default(x_train, y_train, x_test):
    """No model: find the seed that made x_train and return the labels that come after it."""
    import numpy as np
    from nnlib.datasets import load_loan_default
    x_train = np.asarray(x_train, dtype=np.float64)
    for seed in range(20):
        x, y = load_loan_default(n_samples=len(x_train) + len(x_test), seed=seed)
        if np.array_equal(x[:len(x_train)].astype(np.float64), x_train):
            return y[len(x_train):].astype(np.float64).reshape(-1, 1)
    return np.zeros((len(x_test), 1))
'''

ATTACKS = {
    "keras_training": (DIGITS_TABLE, {"fit_and_predict_sequential", "fit_and_predict_functional"},
                       {"sequential_accuracy", "functional_accuracy"}),
    "capstone": (LOAN_SEEDS, {"fit_and_predict_default"}, {"capstone_beats_majority", "capstone_auc"}),
}


def _source(name):
    return read_notebook(SOLUTIONS / name / f"{name}.ipynb")


def _attack(name):
    code, replaced, _ = ATTACKS[name]
    nb = demo.solved(_source(name))
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code" and meta.get("grade_id") in replaced:
            cell.source = code if meta["grade_id"] == sorted(replaced)[0] else "# (answered above)"
    return nb


def _grade(name, nb):
    spec = AssignmentSpec.from_notebook(_source(name), name)
    result = grade_notebook(spec, nb, limits=LIMITS)
    return {t.grade_id: t.points for t in result.tests}, spec, result


def _setup_namespace(name):
    namespace = {}
    setup = next(c for c in _source(name).cells if nbgrader_meta(c).get("grade_id") == "setup")
    exec(cell_source(setup), namespace)
    return namespace


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_look_ups_answer_the_reproducible_data_perfectly(name):
    """The attacks are real: on the data the learner can reproduce they are always right."""
    namespace = _setup_namespace(name)
    exec(ATTACKS[name][0], namespace)
    if name == "keras_training":
        predicted = namespace["fit_and_predict_sequential"](namespace["x_train"], namespace["y_train"],
                                                            namespace["x_all"])
        np.testing.assert_array_equal(predicted.argmax(axis=1), namespace["y_all"])
    else:
        x_fresh, y_fresh = namespace["load_loan_default"](n_samples=5000, seed=1)
        predicted = namespace["fit_and_predict_default"](x_fresh[:4000], y_fresh[:4000], x_fresh[4000:])
        np.testing.assert_array_equal(predicted.reshape(-1), y_fresh[4000:])


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_look_up_instead_of_a_model_scores_nothing_on_the_learning_parts(name):
    scores, spec, result = _grade(name, _attack(name))
    learning = ATTACKS[name][2]
    assert {grade_id: scores[grade_id] for grade_id in learning} == dict.fromkeys(learning, 0.0), result.tests
    others = {t.grade_id: t.points for t in spec.tests if t.grade_id not in learning}
    assert {grade_id: scores[grade_id] for grade_id in others} == others  # the rest is still the learner's


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_reference_solution_earns_full_marks_whatever_the_secret(name, monkeypatch):
    for secret in ("5e" * 32, "a1" * 32, "07" * 32):  # three courses, three hidden data sets
        monkeypatch.setenv("NNGRADE_SECRET", secret)
        scores, spec, result = _grade(name, demo.solved(_source(name)))
        assert scores == {t.grade_id: t.points for t in spec.tests}, result.tests
