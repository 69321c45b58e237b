"""The numbers the playground's math (docs/assets/javascripts/playground/nn.js, train.js) must reproduce,
computed by nnlib in float64: tests/js/fixtures.json, read by the Node tests in tests/js/.

    .venv/bin/python tests/js/make_fixtures.py            # rewrite fixtures.json
    .venv/bin/python tests/js/make_fixtures.py --check    # exit 1 if fixtures.json is stale

test_fixtures.py runs the check, so the committed file cannot drift from nnlib.

Each network case is a small model with seeded weights and data: nnlib's forward values, loss and
gradients, and its weights after `fit` (one batch of every row, shuffle=False: exactly the page's step).
Mini-batch cases give nnlib the rows in the order the page's seeded shuffle takes them (mulberry32 and
Fisher-Yates, ported below from rng.js). Dropout cases record the masks nnlib drew, which the Node test
hands to the page's step.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from nnlib import activations, layers, losses, optimizers, regularizers  # noqa: E402
from nnlib.config import set_floatx  # noqa: E402
from nnlib.models import Sequential  # noqa: E402

FIXTURES = Path(__file__).with_name("fixtures.json")
TASKS = {"classification": ("sigmoid", "binary_crossentropy"), "multiclass": ("softmax", "sparse_categorical_crossentropy"),
         "regression": ("linear", "mse")}


# ---------------------------------------------------------------- rng.js, in Python
def mulberry32(seed: int):
    state = (seed & 0xFFFFFFFF) or 1

    def imul(a: int, b: int) -> int:
        return (a * b) & 0xFFFFFFFF

    def uniform() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return uniform


def permutation(seed: int, n: int) -> list[int]:
    uniform = mulberry32(seed)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(uniform() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


# ---------------------------------------------------------------- network cases
CASES = [
    # name, sizes, hidden activation, task, optimizer, learning rate, steps, batch, l1, l2, dropout
    ("tanh-binary-sgd", [2, 4, 1], "tanh", "classification", "sgd", 0.5, 1, "all", 0, 0, 0),
    ("relu-binary-momentum", [3, 5, 3, 1], "relu", "classification", "momentum", 0.3, 3, "all", 0, 0, 0),
    ("silu-binary-adam", [2, 4, 4, 1], "silu", "classification", "adam", 0.1, 3, "all", 0, 0, 0),
    ("sigmoid-regression-sgd", [1, 6, 1], "sigmoid", "regression", "sgd", 0.1, 2, "all", 0, 0, 0),
    ("linear-binary-no-hidden", [2, 1], "linear", "classification", "sgd", 1.0, 1, "all", 0, 0, 0),
    ("softmax-3-classes-sgd", [2, 5, 3], "tanh", "multiclass", "sgd", 0.5, 2, "all", 0, 0, 0),
    ("softmax-5-classes-adam", [2, 8, 8, 5], "relu", "multiclass", "adam", 0.03, 3, "all", 0, 0, 0),
    ("l1-binary-sgd", [2, 4, 1], "tanh", "classification", "sgd", 0.3, 2, "all", 0.01, 0, 0),
    ("l2-multiclass-momentum", [2, 6, 4], "tanh", "multiclass", "momentum", 0.1, 2, "all", 0, 0.02, 0),
    ("l1-l2-regression-adam", [1, 5, 1], "tanh", "regression", "adam", 0.05, 2, "all", 0.003, 0.01, 0),
    ("dropout-binary-sgd", [2, 6, 5, 1], "relu", "classification", "sgd", 0.3, 1, "all", 0, 0, 0.3),
    ("dropout-l2-multiclass-adam", [2, 6, 3], "tanh", "multiclass", "adam", 0.05, 1, "all", 0, 0.01, 0.5),
    ("minibatch-shuffled-sgd", [2, 4, 1], "tanh", "classification", "sgd", 0.3, 6, 4, 0, 0, 0),
    ("minibatch-shuffled-multiclass-adam", [2, 5, 3], "relu", "multiclass", "adam", 0.05, 5, 3, 0, 0.01, 0),
]
N_ROWS = 10
SEED = 7


def make_model(sizes, activation, task, l1, l2, dropout):
    output, _ = TASKS[task]
    stack = [layers.Input((sizes[0],))]
    for l, units in enumerate(sizes[1:]):
        last = l + 2 == len(sizes)
        options = {"kernel_regularizer": regularizers.L1L2(l1=l1, l2=l2)} if (l1 or l2) else {}
        stack.append(layers.Dense(units, activation=output if last else activation, **options))
        if dropout and not last:
            stack.append(layers.Dropout(dropout, seed=SEED + l))
    return Sequential(stack)


def make_optimizer(name, learning_rate):
    if name == "adam":
        return optimizers.Adam(learning_rate=learning_rate)
    return optimizers.SGD(learning_rate=learning_rate, momentum=0.9 if name == "momentum" else 0.0)


def network_case(name, sizes, activation, task, optimizer, lr, steps, batch, l1, l2, dropout):
    rng = np.random.default_rng(sum(map(ord, name)))  # a seed per case, stable across runs
    x = rng.normal(size=(N_ROWS, sizes[0]))
    k = sizes[-1]
    y = rng.integers(0, k, N_ROWS).astype(float) if task == "multiclass" else (
        rng.integers(0, 2, N_ROWS).astype(float) if task == "classification" else rng.normal(size=N_ROWS))
    model = make_model(sizes, activation, task, l1, l2, dropout)
    weights = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights += [rng.uniform(-1, 1, (n_in, n_out)), rng.uniform(-0.2, 0.2, n_out)]
    model.set_weights(weights)
    model.compile(optimizer=make_optimizer(optimizer, lr), loss=TASKS[task][1])
    y_col = y.reshape(-1, 1)
    forward = model.predict(x, verbose=0)
    loss, gradients = model.compute_loss_and_gradients(x, y_col)
    penalty = sum(float(regularizers.L1L2(l1=l1, l2=l2)(w)) for w in weights[::2]) if (l1 or l2) else 0.0
    case = {
        "name": name, "sizes": sizes, "activation": activation, "task": task, "optimizer": optimizer,
        "learningRate": lr, "steps": steps, "batchSize": batch, "l1": l1, "l2": l2, "dropout": dropout,
        "seed": SEED, "x": x.tolist(), "y": y.tolist(), "weights": [w.tolist() for w in weights],
        "forward": forward.ravel().tolist(), "penalty": penalty,
    }
    if not (dropout or l1 or l2):  # the data loss and its gradients, the network run as in inference
        case["loss"] = float(loss)
        case["gradients"] = [np.asarray(g).tolist() for g in gradients]
    masks = []
    if batch == "all":
        for _ in range(steps):
            model.fit(x, y_col, batch_size=N_ROWS, epochs=1, shuffle=False, verbose=0)
            masks.append([np.asarray(layer.mask).ravel().tolist() for layer in model.layers if isinstance(layer, layers.Dropout)])
    else:  # the page's batches: epoch e takes the rows of permutation(seed * 131 + e), `batch` at a time
        done, epoch = 0, 0
        while done < steps:
            order = permutation(SEED * 131 + epoch, N_ROWS)
            epoch += 1
            for start in range(0, N_ROWS, batch):
                if done == steps:
                    break
                rows = order[start:start + batch]
                model.fit(x[rows], y_col[rows], batch_size=len(rows), epochs=1, shuffle=False, verbose=0)
                done += 1
    if dropout:
        case["masks"] = masks
    case["after"] = [np.asarray(w).tolist() for w in model.get_weights()]
    return case


# ---------------------------------------------------------------- single functions
def function_cases():
    p = np.array([[0.7, 0.2, 0.1], [1e-9, 0.5, 0.5 - 1e-9], [0.2, 0.3, 0.5], [1 - 1e-12, 5e-13, 5e-13]])
    labels = np.array([0, 0, 2, 0])
    through = losses.SparseCategoricalCrossentropy().value_and_gradient_through(
        activations.get("softmax"), labels.astype(float).reshape(-1, 1), p)
    z = np.array([[1.0, 2.0, 3.0], [-1000.0, 0.0, 1000.0], [0.5, 0.5, 0.5]])
    bp = np.array([0.2, 0.9, 1e-9, 1.0, 0.5])
    by = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
    w = np.array([[0.5, -1.5], [0.0, 2.0]])
    regularizer = regularizers.L1L2(l1=0.03, l2=0.2)
    return {
        "softmax": {"z": z.ravel().tolist(), "k": 3, "a": activations.softmax(z).ravel().tolist()},
        "categorical_crossentropy": {"p": p.ravel().tolist(), "y": labels.tolist(), "loss": float(through[0]),
                                     "dz": np.asarray(through[1]).ravel().tolist()},
        "binary_crossentropy": {"p": bp.tolist(), "y": by.tolist(), "loss": float(losses.binary_crossentropy(by, bp)),
                                "gradient": losses.binary_crossentropy_gradient(by, bp).tolist()},
        "mse": {"p": bp.tolist(), "y": by.tolist(), "loss": float(losses.mse(by, bp)),
                "gradient": losses.mse_gradient(by, bp).tolist()},
        "regularizer": {"kernel": w.ravel().tolist(), "l1": 0.03, "l2": 0.2, "penalty": float(regularizer(w)),
                        "gradient": np.asarray(regularizer.gradient(w)).ravel().tolist()},
        "permutation": {"seed": 918, "n": 12, "order": permutation(918, 12)},
    }


def fixtures() -> dict:
    set_floatx("float64")
    return {"functions": function_cases(), "networks": [network_case(*case) for case in CASES]}


def main(argv: list[str]) -> int:
    text = json.dumps(fixtures(), indent=1) + "\n"
    if "--check" in argv:
        if not FIXTURES.is_file() or FIXTURES.read_text() != text:
            print(f"{FIXTURES} is stale: run `python {Path(__file__).relative_to(PROJECT)}`", file=sys.stderr)
            return 1
        return 0
    FIXTURES.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
