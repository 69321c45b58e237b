"""The capstone's fresh data cannot be regenerated (issue 16, case 4).

Graded on "fresh" rows, a model-free answer once scored 9/9: the rows were a permutation and
per-column affine map of ``load_loan_default(5000, seed=1)``, a public seeded data set, so undoing
the map by least squares and looking each row up gave every label. The hidden rows are now drawn
with a seed from the course's secret (``hidden_rng``), as the capstone's hidden test does. This test
runs the attack, widened to the first public seeds and both sizes, against such rows (a fixture of
the construction; the notebook's own test cell is graded in the exercises' tests), and against the
old construction, so that it can fail.
"""

import numpy as np

from nngrade.secret import hidden_rng
from nnlib.datasets import load_loan_default

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
