"""The capstone's fresh data cannot be regenerated (issue 16, case 4).

Graded on "fresh" rows, a model-free answer once scored 9/9: the rows were a permutation and
per-column affine map of ``load_loan_default(5000, seed=1)``, a public seeded data set, so undoing
the map by least squares and looking each row up gave every label. The hidden rows are now drawn
with a seed from the course's secret (``hidden_rng``), as the capstone's hidden test does. This test
runs the attack, widened to the first public seeds and both sizes, against such rows and against
the old construction (so that it can fail), then grades the capstone with the red team's answer.
"""

from pathlib import Path

import numpy as np

from nngrade import demo
from nngrade.engine import grade_notebook
from nngrade.notebook import AssignmentSpec, nbgrader_meta, read_notebook
from nngrade.sandbox import Limits
from nngrade.secret import hidden_rng
from nnlib.datasets import load_loan_default

CAPSTONE = Path(__file__).resolve().parents[2] / "solutions" / "capstone" / "capstone.ipynb"
# The red team's answer (grader-red-team.md, case 4), as submitted: no model, a look-up.
LOOKUP = """
def fit_and_predict_default(x_train, y_train, x_test):
    x_train, x_test = np.asarray(x_train, dtype=float), np.asarray(x_test, dtype=float)
    both = np.vstack([x_train, x_test])
    for seed in (0, 1):
        X, Y = load_loan_default(n_samples=5000, seed=seed)
        X = X.astype(np.float64)
        if X.shape != both.shape:
            continue
        original = np.sort(X, axis=0)
        undone = np.empty_like(both)
        for j in range(both.shape[1]):
            t = np.sort(both[:, j])
            fits = []
            for k in range(X.shape[1]):
                A = np.column_stack([original[:, k], np.ones(len(t))])
                coef = np.linalg.lstsq(A, t, rcond=None)[0]
                fits.append((np.max(np.abs(A @ coef - t)), k, coef))
            error, k, (a, b) = min(fits, key=lambda f: f[0])
            if error > 1e-6 * np.abs(t).max():
                break
            undone[:, k] = (both[:, j] - b) / a
        else:
            rows = undone[len(x_train):]
            pool = X[len(x_train):]
            scale = X.std(axis=0)
            index = [int(np.argmin((((pool - r) / scale) ** 2).sum(axis=1))) for r in rows]
            return Y[len(x_train):][index].astype(float).reshape(-1, 1)
    raise RuntimeError("not a data set I know")
"""

PUBLIC_SEEDS = range(8)


def _undo_affine(known, given):
    """``given``'s columns mapped back onto ``known``'s, if each is an affine image of one; else None."""
    original, undone = np.sort(known, axis=0), np.empty_like(given)
    for j in range(given.shape[1]):
        t = np.sort(given[:, j])
        fits = []
        for k in range(known.shape[1]):
            design = np.column_stack([original[:, k], np.ones(len(t))])
            coef = np.linalg.lstsq(design, t, rcond=None)[0]
            fits.append((np.max(np.abs(design @ coef - t)), k, coef))
        error, k, (a, b) = min(fits, key=lambda f: f[0])
        if error > 1e-6 * max(np.abs(t).max(), 1.0) or a == 0:
            return None
        undone[:, k] = (given[:, j] - b) / a
    return undone


def lookup(x_fresh):
    """The attack: the labels of ``x_fresh`` found in a regenerated public data set, or None."""
    for seed in PUBLIC_SEEDS:
        for size in (5000, len(x_fresh)):
            known, labels = load_loan_default(n_samples=size, seed=seed)
            known = known.astype(np.float64)
            if known.shape != x_fresh.shape:
                continue
            undone = _undo_affine(known, x_fresh)
            if undone is not None:
                scale = known.std(axis=0)
                return np.array([labels[int(np.argmin((((known - row) / scale) ** 2).sum(axis=1)))]
                                 for row in undone[:200]])
    return None


def test_rows_drawn_from_the_course_secret_are_not_in_any_public_data_set():
    seed = int(hidden_rng("capstone", "fresh loan data").integers(2 ** 62))
    x_fresh, _ = load_loan_default(n_samples=9000, seed=seed)
    assert lookup(x_fresh.astype(np.float64)) is None


def test_the_old_construction_is_found_by_the_same_attack():
    x, y = load_loan_default(n_samples=5000, seed=1)
    rng = np.random.default_rng(123)
    order, columns = rng.permutation(len(x)), rng.permutation(x.shape[1])
    scrambled = x.astype(np.float64)[order][:, columns] * rng.uniform(0.5, 2, x.shape[1]) + rng.normal(size=x.shape[1])
    found = lookup(scrambled)
    assert found is not None and np.array_equal(found, y[order][:200])


def test_the_red_team_s_look_up_earns_nothing_on_the_fresh_data():
    source = read_notebook(CAPSTONE)
    nb = demo.solved(source)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == "fit_and_predict_default":
            cell.source = LOOKUP
    spec = AssignmentSpec.from_notebook(source, "capstone")
    result = grade_notebook(spec, nb, limits=Limits(cell_seconds=300, call_seconds=300))
    scores = {t.grade_id: t.points for t in result.tests}
    assert scores["capstone_beats_majority"] == 0 and scores["capstone_auc"] == 0, result.tests
    beats = next(t for t in result.tests if t.grade_id == "capstone_beats_majority")
    assert beats.message == "a hidden test failed (RuntimeError)"
