"""Does a model that passes the visible check pass the hidden one? Measured with models *just* at the bar.

`keras_training` and `capstone` grade a trained model twice: visibly, in the learner's notebook, on
held-out data whose bar the notebook states; hidden, when grading, on data drawn from the course's
secret (``nngrade.secret.hidden_rng``), against a slightly lower bar. The promise the notebooks make
is that a model passing the visible check passes the hidden one. The reference answer and weak models
say little about that promise: the models that test it are the ones that pass the visible check by a
small margin.

This script sweeps model sizes, epochs and seeds, keeps the models that pass every visible check of
their cell by less than ``--margin``, and grades each of them on the hidden data of several course
secrets (random ones, drawn here, never the course's own). It prints, per check, how many such
borderline models there were and the share of (model, secret) pairs that pass the hidden bar, with
the lowest hidden score seen.

Everything a check uses comes from the notebook itself: the setup cell of the source notebook is run
here (its data, ``scrambled_split``, ``halves``), and the bars are read from the test cells, so the
measure cannot drift from what is graded. It takes several minutes on one core (about 150 trainings
for the default sweep): run it by hand, ``python benchmarks/visible_hidden_bars.py``, after changing a
bar or the hidden data of these assignments. ``--quick`` runs a small sweep.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def notebook_namespace(assignment: str) -> tuple[dict, dict]:
    """Run the source notebook's setup cell; return its namespace and the test cells' sources by grade_id."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    namespace: dict = {}
    stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        exec(setup.source, namespace)
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    return namespace, tests


def bars(source: str, pattern: str) -> list[float]:
    return [float(v) for v in re.findall(pattern, source)]


# Where each test cell states its bars: (visible pattern, hidden pattern), each capturing a number.
BAR_PATTERNS = {
    ("keras_training", "sequential_accuracy"): (r"assert_accuracy\([^)]*?, (0\.\d+), name",
                                                r'hidden_rng\("keras_training", "\w+"\), (0\.\d+)'),
    ("keras_training", "functional_accuracy"): (r"assert_accuracy\([^)]*?, (0\.\d+), name",
                                                r'hidden_rng\("keras_training", "\w+"\), (0\.\d+)'),
    ("capstone", "capstone_auc"): (r"assert auc >= (0\.\d+)", r"assert fresh_auc >= (0\.\d+)"),
}


def visible_and_hidden_bar(tests: dict, assignment: str, check: str) -> tuple[float, float]:
    """The visible and the hidden bar a test cell states (the lowest, if it states several)."""
    visible, hidden = BAR_PATTERNS[assignment, check]
    found = bars(tests[check], visible), bars(tests[check], hidden)
    if not all(found):
        raise ValueError(f"{assignment}/{check}: the test cell no longer states its bars as this script reads them")
    return min(found[0]), min(found[1])


def with_secret(secret: str, assignment: str, name: str):
    from nngrade.secret import ENV, hidden_rng

    os.environ[ENV] = secret
    return hidden_rng(assignment, name)


# -- keras_training ----------------------------------------------------------------------------------

def digits_model(units: int, epochs: int, seed: int, two_inputs: bool):
    """A learner's fit_and_predict_* with the given size, epochs and seed (Adam, batch 32)."""
    from nnlib.layers import Concatenate, Dense, Input
    from nnlib.models import Model, Sequential
    from nnlib.utils import set_random_seed

    def fit_and_predict(x_train, y_train, x_test):
        set_random_seed(seed)
        if two_inputs:
            top, bottom = Input((32,)), Input((32,))
            merged = Concatenate()([Dense(units, activation="relu")(top), Dense(units, activation="relu")(bottom)])
            model = Model(inputs=[top, bottom], outputs=Dense(10, activation="softmax")(merged))
            x_train, x_test = list(x_train), list(x_test)
        else:
            model = Sequential([Input((64,)), Dense(units, activation="relu"), Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        return model.predict(x_test, verbose=0)

    return fit_and_predict


def keras_training(configs, secrets_, margin):
    ns, tests = notebook_namespace("keras_training")
    accuracy = lambda p, y: float(np.mean(np.argmax(p, axis=1) == y))
    rows = []
    for check, two_inputs, name in [("sequential_accuracy", False, "sequential"),
                                    ("functional_accuracy", True, "functional")]:
        visible_bar, hidden_bar = visible_and_hidden_bar(tests, "keras_training", check)
        prepare = ns["halves"] if two_inputs else (lambda x: x)
        borderline = []
        for units, epochs, seed in configs[name]:
            model = digits_model(units, epochs, seed, two_inputs)
            plain = accuracy(model(prepare(ns["x_train"]), ns["y_train"], prepare(ns["x_test"])), ns["y_test"])
            x_fit, y_fit, x_held, y_held = ns["scrambled_split"](np.random.default_rng(2026))
            rehearsal = accuracy(model(prepare(x_fit), y_fit, prepare(x_held)), y_held)
            visible = min(plain, rehearsal)
            print(f"  {name} {units} units {epochs} epochs seed {seed}: plain {plain:.3f}, rehearsal {rehearsal:.3f}",
                  flush=True)
            if visible_bar <= visible < visible_bar + margin:
                borderline.append((units, epochs, seed, model, visible))
        hidden = []
        for units, epochs, seed, model, visible in borderline:
            for secret in secrets_:
                x_fit, y_fit, x_held, y_held = ns["scrambled_split"](with_secret(secret, "keras_training", name))
                score = accuracy(model(prepare(x_fit), y_fit, prepare(x_held)), y_held)
                hidden.append(score)
                print(f"    borderline {units}/{epochs}/{seed} (visible {visible:.3f}): hidden {score:.3f}", flush=True)
        rows.append((f"keras_training/{check}", visible_bar, hidden_bar, len(configs[name]), len(borderline),
                     hidden, [s >= hidden_bar for s in hidden]))
    return rows


# -- capstone ----------------------------------------------------------------------------------------

def loan_model(hidden: tuple[int, ...], epochs: int, seed: int):
    from nnlib.layers import Dense, Input
    from nnlib.models import Sequential
    from nnlib.utils import set_random_seed

    def fit_and_predict(x_train, y_train, x_test):
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        set_random_seed(seed)
        layers = [Input((x_train.shape[1],))] + [Dense(u, activation="relu") for u in hidden]
        model = Sequential(layers + [Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit((x_train - mean) / std, y_train, epochs=epochs, batch_size=32, verbose=0)
        return model.predict((x_test - mean) / std, verbose=0).reshape(-1)

    return fit_and_predict


def capstone(configs, secrets_, margin):
    ns, tests = notebook_namespace("capstone")
    roc_auc, load = ns["roc_auc"], ns["load_loan_default"]
    visible_bar, hidden_bar = visible_and_hidden_bar(tests, "capstone", "capstone_auc")

    def scores(p, y):
        return roc_auc(y, p), float(np.mean((p > 0.5) == y)) - float(1 - y.mean())

    borderline = []
    for hidden, epochs, seed in configs["capstone"]:
        model = loan_model(hidden, epochs, seed)
        auc, lead = scores(model(ns["x_train"], ns["y_train"], ns["x_test"]), ns["y_test"])
        print(f"  capstone {hidden} {epochs} epochs seed {seed}: AUC {auc:.3f}, accuracy - majority {lead:+.3f}", flush=True)
        if visible_bar <= auc < visible_bar + margin and lead > 0:
            borderline.append((hidden, epochs, seed, model, auc))
    aucs, passes = [], []
    for hidden, epochs, seed, model, visible in borderline:
        for secret in secrets_:
            fresh_seed = int(with_secret(secret, "capstone", "fresh loan data").integers(2 ** 62))
            x, y = load(n_samples=9000, seed=fresh_seed)
            x = x.astype(np.float64)
            auc, lead = scores(model(x[:4000], y[:4000], x[4000:]), y[4000:])
            aucs.append(auc)
            passes.append(auc >= hidden_bar and lead > 0)
            print(f"    borderline {hidden}/{epochs}/{seed} (visible AUC {visible:.3f}): hidden AUC {auc:.3f}, "
                  f"accuracy - majority {lead:+.3f}", flush=True)
    return [("capstone/capstone_auc + capstone_beats_majority", visible_bar, hidden_bar, len(configs["capstone"]),
             len(borderline), aucs, passes)]


SWEEPS = {
    "full": {
        "sequential": [(u, e, s) for u in (24, 32, 48, 64) for e in (10, 15, 20, 30) for s in (0, 1, 2)],
        "functional": [(u, e, s) for u in (12, 16, 24, 32) for e in (10, 15, 20, 30) for s in (0, 1)],
        "capstone": [(h, e, s) for h in ((4,), (8,), (16,), (32,), (64,), (64, 64)) for e in (5, 15, 30, 60, 100)
                     for s in (0, 1)],
    },
    "quick": {
        "sequential": [(24, 12, 0), (32, 10, 0)],
        "functional": [(12, 15, 0)],
        "capstone": [((64, 64), 30, 0), ((64,), 60, 0)],
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small sweep (a minute or two)")
    parser.add_argument("--secrets", type=int, default=5, help="random course secrets to grade each model with")
    parser.add_argument("--margin", type=float, default=0.015, help="how far above the visible bar counts as borderline")
    parser.add_argument("--only", choices=["keras_training", "capstone"], help="measure one assignment")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    configs = SWEEPS["quick" if args.quick else "full"]
    course_secrets = [secrets.token_hex(32) for _ in range(args.secrets)]
    start, rows = time.perf_counter(), []
    if args.only in (None, "keras_training"):
        rows += keras_training(configs, course_secrets, args.margin)
    if args.only in (None, "capstone"):
        rows += capstone(configs, course_secrets, args.margin)
    print(f"\n{args.secrets} random secrets, borderline = within {args.margin} above the visible bar "
          f"({time.perf_counter() - start:.0f} s)")
    print("| check | visible bar | hidden bar | models tried | borderline | hidden passes | lowest hidden score |")
    print("|---|---|---|---|---|---|---|")
    for check, visible_bar, hidden_bar, tried, n_borderline, hidden, passed in rows:
        rate = f"{sum(passed)}/{len(passed)}" if passed else "-"
        lowest = f"{min(hidden):.3f}" if hidden else "-"
        print(f"| {check} | {visible_bar} | {hidden_bar} | {tried} | {n_borderline} | {rate} | {lowest} |")


if __name__ == "__main__":
    main()
