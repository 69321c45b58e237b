"""Realistic wrong answers, one answer cell each, and what they must cost.

Each case replaces one answer cell (by grade_id) of an assignment's solution notebook with ``source``;
graded, it must score 0 on exactly the test cells in ``lost`` and full marks on every other test cell,
and the feedback of each lost cell must contain ``message``.
"""

from __future__ import annotations

from typing import NamedTuple


class WrongAnswer(NamedTuple):
    grade_id: str
    source: str
    lost: tuple[str, ...]
    message: str


def variant(source: str, old: str, new: str) -> str:
    """``source`` with its one ``old`` replaced by ``new``: one bug planted in a correct answer."""
    assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times in the answer it should change"
    return source.replace(old, new)


# Correct answers that several wrong answers below change in one place each.
MINIBATCH_SGD = '''def minibatch_sgd(x, y, w0, learning_rate, epochs, batch_size, seed=0,
                  gradient=linear_mse_gradient):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w = np.array(w0, dtype=float)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            w = w - learning_rate * gradient(w, x[batch], y[batch])
    return w
'''
BACKWARD = '''def backward(x, y, W2, z1, h, p):
    dz2 = (p - y) / len(x)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}
'''
TANH_BACKWARD = '''def tanh_backward(x, y, W2, z1, h, p):
    n = len(x)
    dz2 = (p - y) / n
    dh = dz2 @ W2.T
    dz1 = dh * (1 - h ** 2)
    return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}
'''
NETWORK_FORWARD = '''def network_forward(params, X):
    A = np.asarray(X, dtype=float)
    cache = []
    for index, layer in enumerate(params):
        Z = A @ layer["W"] + layer["b"]
        cache.append((A, Z))
        if index < len(params) - 1:
            A = np.maximum(Z, 0.0)
    exp = np.exp(Z - Z.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True), cache
'''
NETWORK_BACKWARD = '''def network_backward(params, cache, P, y):
    n = len(y)
    dZ = np.array(P, dtype=float)
    dZ[np.arange(n), y] -= 1.0
    dZ /= n
    grads = [None] * len(params)
    for index in reversed(range(len(params))):
        A_prev, _ = cache[index]
        grads[index] = {"W": A_prev.T @ dZ, "b": dZ.sum(axis=0)}
        if index > 0:
            dZ = (dZ @ params[index]["W"].T) * (cache[index - 1][1] > 0)
    return grads
'''
MINIBATCH_FIT = '''def minibatch_fit(w0, x, y, learning_rate, epochs, batch_size, seed=0, gradient=logistic_gradient):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w = np.array(w0, dtype=float)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            w = w - learning_rate * gradient(w, x[batch], y[batch])
    return w
'''
FIT_WITH_EARLY_STOPPING = '''def fit_with_early_stopping(x, y, w0, learning_rate, epochs, batch_size, validation_split, patience,
                            seed=0, gradient=logistic_gradient, loss=logistic_loss,
                            split=split_validation, batches=epoch_batches, epoch=train_epoch):
    x_train, y_train, x_val, y_val = split(x, y, validation_split)
    schedule = batches(len(x_train), batch_size, epochs, seed)
    w = np.array(w0, dtype=float)
    best, best_w, best_epoch, wait = np.inf, w.copy(), 0, 0
    history = {"loss": [], "val_loss": []}
    for k in range(1, epochs + 1):
        w, train_loss = epoch(w, x_train, y_train, schedule[k - 1], learning_rate, gradient=gradient, loss=loss)
        val_loss = loss(w, x_val, y_val)
        history["loss"].append(train_loss)
        history["val_loss"].append(val_loss)
        if val_loss < best:
            best, best_w, best_epoch, wait = val_loss, w.copy(), k, 0
        else:
            wait += 1
            if wait >= patience:
                break
    return {"w": best_w, "loss": history["loss"], "val_loss": history["val_loss"], "best_epoch": best_epoch}
'''
BEST_THRESHOLD = '''def best_threshold(y_true, probabilities, balanced_accuracy=balanced_accuracy):
    y_true, probabilities = np.asarray(y_true).reshape(-1), np.asarray(probabilities, dtype=float).reshape(-1)
    candidates = np.linspace(0.05, 0.95, 91)
    scores = [balanced_accuracy(y_true, (probabilities > t).astype(int)) for t in candidates]
    return float(candidates[int(np.argmax(scores))])
'''


WRONG_ANSWERS: dict[str, list[WrongAnswer]] = {
    "activations": [
        WrongAnswer(
            "sigmoid",
            '''def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * (1.0 + np.tanh(x / 2.0))
''',
            ("sigmoid_stable",),
            "log(0) = -inf",
        ),
        WrongAnswer(
            "sigmoid",
            '''def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return 1.0 / (1.0 + np.exp(-x))
''',
            ("sigmoid_stable",),
            "overflow encountered in exp",
        ),
        WrongAnswer(
            "sigmoid_derivative",
            '''def sigmoid_derivative(x, sigmoid=sigmoid):
    s = sigmoid(np.asarray(x, dtype=float))
    return -s * (1.0 - s)
''',
            ("sigmoid_derivative_values",),
            "wrong sign",
        ),
        WrongAnswer(
            "hard_sigmoid",
            '''def hard_sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def hard_sigmoid_derivative(x):
    x = np.asarray(x, dtype=float)
    return np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0)
''',
            ("hard_sigmoid_values",),
            "Keras 2's hard_sigmoid",
        ),
        WrongAnswer(
            "softmax",
            '''def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
''',
            ("softmax_stable",),
            "subtract each row's maximum first",
        ),
        WrongAnswer(
            "relu_derivative",
            '''def relu_derivative(x):
    x = np.asarray(x, dtype=float)
    return (x >= 0).astype(float)
''',
            ("relu_derivative_values",),
            "1 at x = 0",
        ),
        WrongAnswer(
            "hard_silu_derivative",
            # the classmate's derivative, unchanged: only the second term of the product rule
            '''def hard_silu_derivative(x, hard_sigmoid=hard_sigmoid, hard_sigmoid_derivative=hard_sigmoid_derivative):
    x = np.asarray(x, dtype=float)
    return x * hard_sigmoid_derivative(x)
''',
            ("hard_silu_derivative_values",),
            "the product rule gives two terms",
        ),
    ],
    "losses": [
        WrongAnswer(
            "sse",
            '''def sse(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return 0.5 * float(np.sum((y_true - y_pred) ** 2))


def sse_gradient(y_true, y_pred):
    return 2.0 * (np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
''',
            ("sse_values",),
            "the 1/2 * SSE convention",
        ),
        WrongAnswer(
            "mse",
            '''def mse(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.mean((y_true - y_pred) ** 2))


def mse_gradient(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return 2.0 * (y_pred - y_true)
''',
            ("mse_gradient_values",),
            "the gradient of the sum: divide by N",
        ),
        WrongAnswer(
            "binary_crossentropy",
            '''def binary_crossentropy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    p = np.clip(y_pred, 1e-15, 1.0 - 1e-15)
    return float(np.mean(-(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))))


def binary_crossentropy_gradient(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    p = np.clip(y_pred, 1e-15, 1.0 - 1e-15)
    inside = (y_pred > 1e-15) & (y_pred < 1.0 - 1e-15)
    return np.where(inside, (p - y_true) / (p * (1.0 - p)), 0.0) / y_pred.size
''',
            ("binary_crossentropy_clip",),
            "a clip at 1e-15 (Keras clips at epsilon = 1e-7)",
        ),
        WrongAnswer(
            "categorical_crossentropy",
            '''def categorical_crossentropy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    p = np.clip(y_pred, 1e-7, 1.0 - 1e-7)
    return float(np.mean(-y_true * np.log(p)))


def categorical_crossentropy_gradient(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    p = np.clip(y_pred, 1e-7, 1.0 - 1e-7)
    inside = (y_pred > 1e-7) & (y_pred < 1.0 - 1e-7)
    return np.where(inside, -y_true / p, 0.0) / y_pred.shape[0]
''',
            ("categorical_crossentropy_values",),
            "the mean over all n * K elements",
        ),
        WrongAnswer(
            "initial_loss_predictions",
            '''def initial_loss_predictions(n_classes, epsilon):
    return np.log(2.0), np.log(n_classes) / n_classes, -np.log(epsilon)
''',
            ("initial_loss_predictions_values",),
            "only the true one is non-zero",
        ),
        WrongAnswer(
            "initial_loss_predictions",
            '''def initial_loss_predictions(n_classes, epsilon):
    return np.log(2.0), np.log(n_classes), np.inf
''',
            ("initial_loss_predictions_values",),
            "that is the loss without the clip",
        ),
    ],
    "dense_layer": [
        WrongAnswer(
            "dense_forward",
            '''def dense_forward(x, W, b):
    return np.asarray(x, dtype=float) @ np.asarray(W, dtype=float)
''',
            ("dense_forward_values",),
            "without the bias",
        ),
        WrongAnswer(
            "dense_forward",
            # the book layout W x with a loop over samples: right for a batch, wrong for one sample
            '''def dense_forward(x, W, b):
    x, W, b = np.asarray(x, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    return np.array([W.T @ row + b for row in np.atleast_2d(x)])
''',
            ("dense_forward_values",),
            "One sample gives one output per unit",
        ),
        WrongAnswer(
            "collapse_linear",
            '''def collapse_linear(W1, b1, W2, b2):
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return W1 @ W2, b2
''',
            ("collapse_linear_values",),
            "the first bias also passes through the second layer's weights",
        ),
        WrongAnswer(
            "collapse_linear",
            '''def collapse_linear(W1, b1, W2, b2):
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return W2.T @ W1.T, b1 @ W2 + b2
''',
            ("collapse_linear_values",),
            "Its transpose has the expected shape",
        ),
        WrongAnswer(
            "xor_network",
            '''def xor_network():
    return np.array([[1.0], [1.0]]), np.array([-0.5]), np.array([[1.0]]), np.array([-0.5])
''',
            ("xor_network_values",),
            "this network also fires for (1, 1)",
        ),
        WrongAnswer(
            "xor_network",
            # OR and NAND hidden units with an OR output: fires for every input
            '''def xor_network():
    return (np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-0.5, 1.5]),
            np.array([[1.0], [1.0]]), np.array([-0.5]))
''',
            ("xor_network_values",),
            "one column per unit",
        ),
    ],
    "gradient_descent": [
        WrongAnswer(
            "step_predictions",
            '''def step_predictions(a, m, w0, learning_rate):
    return w0 + learning_rate * 2 * a * (w0 - m), 1 / (2 * a), 1 / a
''',
            ("step_predictions_values",),
            "that step climbs the loss",
        ),
        WrongAnswer(
            "step_predictions",
            '''def step_predictions(a, m, w0, learning_rate):
    return w0 - learning_rate * 2 * a * (w0 - m), 1 / (2 * a), 1 / (2 * a)
''',
            ("step_predictions_values",),
            "steps overshoot but still shrink",
        ),
        WrongAnswer(
            "step_predictions",
            '''def step_predictions(a, m, w0, learning_rate):
    # right for the visible parabola (a = 1) only: the curvature is left out of the rates
    return w0 - learning_rate * 2 * a * (w0 - m), 0.5, 1.0
''',
            ("step_predictions_values",),
            "the learning rate that lands on the minimum for a = 4",
        ),
        WrongAnswer(
            "linear_mse_gradient",
            '''def linear_mse_gradient(w, x, y):
    w, x, y = np.asarray(w, dtype=float), np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x.T @ (x @ w - y) / len(x)
''',
            ("linear_mse_gradient_values",),
            "without the 2 of the square",
        ),
        WrongAnswer(
            "linear_mse_gradient",
            '''def linear_mse_gradient(w, x, y):
    w, x, y = np.asarray(w, dtype=float), np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return 2.0 / len(x) * x.T @ (y - x @ w)
''',
            ("linear_mse_gradient_values",),
            "sign flipped",
        ),
        WrongAnswer(
            "linear_mse_gradient",
            # the shapes are the difficulty: (x w - y) @ x is right, x @ (x w - y) is not even defined
            '''def linear_mse_gradient(w, x, y):
    w, x, y = np.asarray(w, dtype=float), np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return 2.0 / len(x) * np.sum((x @ w - y)) * np.ones_like(w)
''',
            ("linear_mse_gradient_values",),
            "differs from the expected value",
        ),
        WrongAnswer(
            "minibatch_sgd",
            variant(MINIBATCH_SGD, "rng.permutation(len(x))", "np.arange(len(x))"),
            ("minibatch_sgd_values",),
            "without shuffling",
        ),
        WrongAnswer(
            "minibatch_sgd",
            variant(MINIBATCH_SGD, "    for _ in range(epochs):\n", "    for _ in range(epochs):\n        rng = np.random.default_rng(seed)\n"),
            ("minibatch_sgd_values",),
            "reuses the same order every epoch",
        ),
        WrongAnswer(
            "gradient_descent",
            '''def gradient_descent(x, y, w0, learning_rate, epochs, gradient=linear_mse_gradient):
    w = np.array(w0, dtype=float)
    for _ in range(1, epochs):
        w = w - learning_rate * gradient(w, x, y)
    return w
''',
            ("gradient_descent_values",),
            "one step too few",
        ),
    ],
    "perceptron": [
        WrongAnswer(
            "step",
            '''def step(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
''',
            ("step_values",),
            "this course uses step(0) = 1",
        ),
        WrongAnswer(
            "nand_weights",
            # AND's weights: the opposite of NAND
            '''def nand_weights():
    return np.array([1.0, 1.0]), -1.5
''',
            ("nand_weights_values",),
            "the line must put (1, 1) alone",
        ),
        WrongAnswer(
            "nand_weights",
            # right on the four corners, but the line passes 0.05 from (1, 0) and (0, 1)
            '''def nand_weights():
    return np.array([-1.0, -1.0]), 1.05
''',
            ("nand_weights_values",),
            "passes too close to one of the points",
        ),
        WrongAnswer(
            "perceptron_update",
            '''def perceptron_update(w, b, x, y, learning_rate=1.0, step=step):
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    error = y - float(step(x @ w + b))
    return w + learning_rate * error * x, b
''',
            ("perceptron_update_bias",),
            "the bias learns too",
        ),
        WrongAnswer(
            "perceptron_update",
            '''def perceptron_update(w, b, x, y, learning_rate=1.0, step=step):
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    error = float(step(x @ w + b)) - y
    return w + learning_rate * error * x, b + learning_rate * error
''',
            ("perceptron_update_weights", "perceptron_update_bias"),
            "flipped",
        ),
        WrongAnswer(
            "train_perceptron",
            '''def train_perceptron(x, y, epochs=10, learning_rate=1.0, update=perceptron_update):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w, b = np.zeros(x.shape[1]), 0.0
    for x_i, y_i in zip(x, y):
        w, b = update(w, b, x_i, y_i, learning_rate)
    return w, b
''',
            ("train_perceptron_values",),
            "the weights after a single epoch",
        ),
    ],
    "backpropagation": [
        WrongAnswer(
            "dense_backward",
            '''def dense_backward(x, W, grad):
    x, W, grad = np.asarray(x, dtype=float), np.asarray(W, dtype=float), np.asarray(grad, dtype=float)
    return grad @ W.T, x.T @ grad, grad.mean(axis=0)
''',
            ("dense_backward_db",),
            "a mean where a sum belongs",
        ),
        WrongAnswer(
            "dense_backward",
            '''def dense_backward(x, W, grad):
    x, W, grad = np.asarray(x, dtype=float), np.asarray(W, dtype=float), np.asarray(grad, dtype=float)
    return grad @ W.T, grad.T @ x, grad.sum(axis=0)
''',
            ("dense_backward_dW",),
            "did you compute g.T @ x instead of x.T @ g?",
        ),
        WrongAnswer(
            "dense_backward",
            '''def dense_backward(x, W, grad):
    x, W, grad = np.asarray(x, dtype=float), np.asarray(W, dtype=float), np.asarray(grad, dtype=float)
    return grad @ W.T / len(x), x.T @ grad, grad.sum(axis=0)
''',
            ("dense_backward_dx",),
            "dx = g @ W.T",
        ),
        WrongAnswer(
            "forward",
            '''def forward(x, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    h = np.maximum(z1, 0.0)
    z2 = z1 @ W2 + b2
    return z1, h, z2, 1.0 / (1.0 + np.exp(-z2))
''',
            ("forward_values",),
            "the second layer must read the activations",
        ),
        WrongAnswer(
            "backward",
            variant(BACKWARD, " * (z1 > 0)", ""),
            ("backward_hidden",),
            "without the ReLU's derivative",
        ),
        WrongAnswer(
            "backward",
            variant(BACKWARD, "dz2.sum(axis=0)", "dz2.mean(axis=0)"),
            ("backward_output",),
            "a mean where a sum belongs",
        ),
        WrongAnswer(
            "numerical_gradient",
            '''def numerical_gradient(f, w, eps=1e-6):
    w = np.array(w, dtype=np.float64)
    grad = np.zeros_like(w)
    base = f(w)
    for index in np.ndindex(w.shape):
        bumped = w.copy()
        bumped[index] += eps
        grad[index] = (f(bumped) - base) / eps
    return grad
''',
            ("numerical_gradient_values",),
            "use the central difference",
        ),
        WrongAnswer(
            "numerical_gradient",
            '''def numerical_gradient(f, w, eps=1e-6):
    w = np.array(w)
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        original = w[index]
        w[index] = original + eps
        f_plus = f(w)
        w[index] = original - eps
        f_minus = f(w)
        w[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
            ("numerical_gradient_values",),
            "Work on a float64 copy of w",
        ),
        WrongAnswer(
            "tanh_backward",
            variant(TANH_BACKWARD, "(1 - h ** 2)", "(z1 > 0)"),
            ("tanh_backward_values",),
            "copied from the ReLU network",
        ),
        WrongAnswer(
            "tanh_backward",
            variant(TANH_BACKWARD, "(1 - h ** 2)", "(1 - z1 ** 2)"),
            ("tanh_backward_values",),
            "tanh(z1) is h",
        ),
    ],
    "network_from_scratch": [
        WrongAnswer(
            "network_backward",
            variant(NETWORK_BACKWARD, 'params[index]["W"].T', 'params[index]["W"]'),
            ("backward_hidden",),
            "a missing transpose",
        ),
        WrongAnswer(
            "network_backward",
            variant(NETWORK_BACKWARD, "dZ.sum(axis=0)", "dZ.mean(axis=0)"),
            ("backward_output", "backward_hidden"),
            "the bias gradient must be summed over the batch",
        ),
        WrongAnswer(
            "train_network",
            '''def train_network(params, X, y, learning_rate, epochs, batch_size, seed=0,
                  forward=network_forward, backward=network_backward, update=sgd_update):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    rng = np.random.default_rng(seed)
    state, history = None, []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            P, cache = forward(params, X[batch])
            total += cross_entropy(P, y[batch]) * len(batch)
            grads = backward(params, cache, P, y[batch])
            grads = [{key: learning_rate * grad[key] for key in grad} for grad in grads]
            params, state = update(params, grads, state, learning_rate)
        history.append(total / len(X))
    return params, history
''',
            ("train_network_steps",),
            "the learning rate applied twice",
        ),
        WrongAnswer(
            "network_forward",
            variant(NETWORK_FORWARD, "        if index < len(params) - 1:\n            A = np.maximum(Z, 0.0)\n    exp = np.exp(Z - Z.max(",
                    "        A = np.maximum(Z, 0.0)\n    exp = np.exp(A - A.max("),
            ("forward_values",),
            "relu applied to the output layer too",
        ),
        WrongAnswer(
            "network_forward",
            variant(NETWORK_FORWARD, "np.exp(Z - Z.max(axis=1, keepdims=True))", "np.exp(Z)"),
            ("forward_values",),
            "Subtract each row's largest pre-activation",
        ),
        WrongAnswer(
            "init_network",
            '''def init_network(layer_sizes, seed=0):
    params = []
    for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        rng = np.random.default_rng(seed)
        params.append({"W": rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, d_out)), "b": np.zeros(d_out)})
    return params
''',
            ("init_network_values",),
            "a generator created again for every layer",
        ),
        WrongAnswer(
            "gradient_check",
            '''def gradient_check(params, X, y, eps=1e-6, forward=network_forward, backward=network_backward):
    P, cache = forward(params, X)
    grads = backward(params, cache, P, y)
    errors = []
    for index, layer in enumerate(params):
        errors.append({})
        for key, value in layer.items():
            value = np.array(value, dtype=np.float64)
            numerical = np.zeros_like(value)
            for entry in np.ndindex(value.shape):
                original = value[entry]
                value[entry] = original + eps
                plus = cross_entropy(forward([dict(p, **({key: value} if i == index else {})) for i, p in enumerate(params)], X)[0], y)
                value[entry] = original - eps
                minus = cross_entropy(forward([dict(p, **({key: value} if i == index else {})) for i, p in enumerate(params)], X)[0], y)
                value[entry] = original
                numerical[entry] = (plus - minus) / (2 * eps)
            analytic = np.asarray(grads[index][key], dtype=np.float64)
            errors[index][key] = float(np.max(np.abs(analytic - numerical) / (np.abs(analytic) + np.abs(numerical))))
    return errors
''',
            ("gradient_check_values",),
            "where both gradients are 0",
        ),
        WrongAnswer(
            "sgd_update",
            '''def sgd_update(params, grads, state, learning_rate):
    return [{key: layer[key] + learning_rate * grad[key] for key in layer} for layer, grad in zip(params, grads)], state
''',
            ("sgd_update_values",),
            "step against the gradient",
        ),
        WrongAnswer(
            "fit_moons",
            '''def fit_moons(X, y, seed=0, init=init_network, train=train_network, update=sgd_update):
    params = init([2, 2], seed)
    return train(params, X, y, learning_rate=0.3, epochs=60, batch_size=16, seed=seed, update=update)
''',
            ("moons_accuracy",),
            "a network without a hidden layer",
        ),
        WrongAnswer(
            "momentum_update",
            '''def momentum_update(params, grads, velocity, learning_rate, momentum=0.9):
    if velocity is None:
        velocity = [{key: np.zeros_like(np.asarray(value, dtype=float)) for key, value in layer.items()} for layer in params]
    velocity = [{key: momentum * v[key] + grad[key] for key in v} for v, grad in zip(velocity, grads)]
    return [{key: layer[key] - learning_rate * v[key] for key in layer} for layer, v in zip(params, velocity)], velocity
''',
            ("momentum_update_values",),
            "PyTorch's form",
        ),
        WrongAnswer(
            "fit_digits",
            '''def fit_digits(X, y, seed=0, init=init_network, train=train_network, sgd=sgd_update, momentum=momentum_update):
    params = init([64, 16, 10], seed)
    return train(params, X, y, learning_rate=0.01, epochs=5, batch_size=32, seed=seed, update=sgd)
''',
            ("digits_accuracy",),
            "below the 0.93 required",
        ),
    ],
    "training_loop": [
        WrongAnswer(
            "split_validation",
            '''def split_validation(x, y, validation_split):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n_val = len(x) - int(np.floor(len(x) * (1.0 - validation_split)))
    return x[n_val:], y[n_val:], x[:n_val], y[:n_val]
''',
            ("split_validation_values",),
            "Keras validates on the last rows",
        ),
        WrongAnswer(
            "split_validation",
            '''def split_validation(x, y, validation_split):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    split_at = len(x) - int(len(x) * validation_split)
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]
''',
            ("split_validation_values",),
            "keep floor(n * (1 - s))",
        ),
        WrongAnswer(
            "epoch_batches",
            '''def epoch_batches(n, batch_size, epochs, seed=0):
    schedule = []
    for _ in range(epochs):
        order = np.random.default_rng(seed).permutation(n)
        schedule.append([order[start:start + batch_size] for start in range(0, n, batch_size)])
    return schedule
''',
            ("epoch_batches_values",),
            "the same order in every epoch",
        ),
        WrongAnswer(
            "train_epoch",
            '''def train_epoch(w, x, y, batches, learning_rate, gradient=logistic_gradient, loss=logistic_loss):
    w = np.array(w, dtype=float)
    total, seen = 0.0, 0
    for batch in batches:
        w = w - learning_rate * gradient(w, x[batch], y[batch])
        total += loss(w, x[batch], y[batch]) * len(batch)
        seen += len(batch)
    return w, total / seen
''',
            ("train_epoch_values",),
            "measure each batch's loss before its step",
        ),
        WrongAnswer(
            "fit_with_early_stopping",
            variant(FIT_WITH_EARLY_STOPPING, '{"w": best_w,', '{"w": w,'),
            ("fit_early_stopping",),
            "the weights of the last epoch",
        ),
        WrongAnswer(
            "fit_with_early_stopping",
            variant(FIT_WITH_EARLY_STOPPING, "wait >= patience", "wait > patience"),
            ("fit_early_stopping",),
            "stops one epoch late",
        ),
        WrongAnswer(
            "minibatch_fit",
            # one of the colleague's two bugs fixed, the other kept
            variant(MINIBATCH_FIT, "    rng = np.random.default_rng(seed)\n    for epoch in range(epochs):\n",
                    "    for epoch in range(epochs):\n        rng = np.random.default_rng(seed)\n"),
            ("minibatch_fit_values",),
            "visits the rows in the same order every epoch",
        ),
        WrongAnswer(
            "minibatch_fit",
            variant(MINIBATCH_FIT, "w = w - learning_rate * gradient(w, x[batch], y[batch])",
                    "step = learning_rate * gradient(w, x[batch], y[batch])\n            w = w - learning_rate * step"),
            ("minibatch_fit_values",),
            "applies the learning rate twice",
        ),
    ],
    "keras_training": [
        WrongAnswer(
            "fit_and_predict_sequential",
            '''def fit_and_predict_sequential(x_train, y_train, x_test):
    set_random_seed(0)
    model = Sequential([Input((64,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=30, verbose=0)
    return np.argmax(model.predict(x_test, verbose=0), axis=1)
''',
            ("sequential_accuracy",),
            "not the predicted labels",
        ),
        WrongAnswer(
            "fit_and_predict_sequential",
            '''def fit_and_predict_sequential(x_train, y_train, x_test):
    set_random_seed(0)
    model = Sequential([Input((64,)), Dense(64, activation="relu"), Dense(10, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x_train, np.eye(10)[y_train], epochs=5, verbose=0)
    return model.predict(x_test, verbose=0)
''',
            ("sequential_accuracy",),
            "do not sum to 1",
        ),
        WrongAnswer(
            "fit_and_predict_functional",
            '''def fit_and_predict_functional(x_train, y_train, x_test):
    set_random_seed(0)
    top, bottom = Input((32,)), Input((32,))
    merged = Concatenate()([Dense(32, activation="relu")(top), Dense(32, activation="relu")(bottom)])
    model = Model(inputs=[top, bottom], outputs=Dense(10, activation="softmax")(merged))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(list(x_train), y_train, epochs=2, verbose=0)
    return model.predict(list(x_test), verbose=0)
''',
            ("functional_accuracy",),
            "below the target of 0.93",
        ),
        WrongAnswer(
            "fit_and_predict_sequential",
            # passes the plain split (0.945) but not the rehearsal of grading (0.922): caught before submitting
            '''def fit_and_predict_sequential(x_train, y_train, x_test):
    set_random_seed(0)
    model = Sequential([Input((64,)), Dense(32, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    return model.predict(x_test, verbose=0)
''',
            ("sequential_accuracy",),
            "on the rehearsal split",
        ),
        WrongAnswer(
            "skip_model_predictions",
            '''def skip_model_predictions(n_inputs, units, n_classes):
    width = n_inputs + 2 * units
    return width, (width + 1) * n_classes, (n_inputs + 1) * units + (units + 1) * units + (width + 1) * n_classes
''',
            ("skip_model_predictions_values",),
            "Add treated as Concatenate",
        ),
    ],
    "capstone": [
        WrongAnswer(
            "standardize",
            '''def standardize(x_train, x_test):
    x_train, x_test = np.asarray(x_train, dtype=float), np.asarray(x_test, dtype=float)
    def scale(x):
        std = x.std(axis=0)
        return (x - x.mean(axis=0)) / np.where(std == 0, 1.0, std)
    return scale(x_train), scale(x_test)
''',
            ("standardize_values",),
            "scaled with its own statistics",
        ),
        WrongAnswer(
            "fit_and_predict_default",
            '''def fit_and_predict_default(x_train, y_train, x_test):
    train_scaled, test_scaled = standardize(x_train, x_test)
    set_random_seed(0)
    model = Sequential([Input((7,)), Dense(16, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(train_scaled, y_train, epochs=30, verbose=0)
    return (model.predict(test_scaled, verbose=0) > 0.5).astype(float)
''',
            ("capstone_auc",),
            "below the target of 0.78",
        ),
        WrongAnswer(
            "balanced_accuracy",
            '''def balanced_accuracy(y_true, y_pred):
    return float(np.mean(np.asarray(y_true).reshape(-1) == np.asarray(y_pred).reshape(-1)))
''',
            ("balanced_accuracy_values",),
            "the plain accuracy",
        ),
        WrongAnswer(
            "best_threshold",
            variant(BEST_THRESHOLD, "balanced_accuracy(y_true, (probabilities > t).astype(int))", "np.mean((probabilities > t) == y_true)"),
            ("best_threshold_values",),
            "the best plain accuracy",
        ),
        WrongAnswer(
            "best_threshold",
            variant(BEST_THRESHOLD, "probabilities > t", "probabilities >= t"),
            ("best_threshold_values",),
            "this course flags p > t",
        ),
        WrongAnswer(
            "balanced_accuracy",
            # a wrong balanced_accuracy costs its own part only: best_threshold is checked with it on both sides
            '''def balanced_accuracy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    return float(np.mean(y_pred[y_true == 1] == 1))
''',
            ("balanced_accuracy_values",),
            "the recall of class 1 only",
        ),
        WrongAnswer(
            "threshold_for_requirement",
            # the highest threshold that catches enough defaulters, whatever it costs
            '''def threshold_for_requirement(y_val, p_val, min_recall, cost_fn, cost_fp):
    y_val, p_val = np.asarray(y_val).reshape(-1), np.asarray(p_val, dtype=float).reshape(-1)
    meeting = [t for t in np.linspace(0.05, 0.95, 91) if np.mean(p_val[y_val == 1] > t) >= min_recall]
    return float(meeting[-1]) if meeting else None
''',
            ("threshold_for_requirement_values",),
            "the highest threshold that meets the recall requirement",
        ),
    ],
}
