"""Answers to the ``activations`` assignment for the similarity tests: independent correct answers,
each written its own way (none copied from another or from the reference), and copies of one of
them disguised as copiers do (renamed variables, functions moved, comments and spacing changed).

Each answer maps an answer cell's grade_id to the cell's whole source.
"""

import re

# Written with masks and explicit formulas.
INDEPENDENT_MASKS = {
    "relu": '''def relu(x):
    """Rectified linear unit, element by element: max(x, 0)."""
    x = np.asarray(x, dtype=float)
    result = x.copy()
    result[result < 0] = 0.0
    return result''',
    "relu_derivative": '''def relu_derivative(x):
    """Derivative of relu with respect to x: 1 where x > 0, else 0 (0 at x = 0, as in Keras)."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    grad[x > 0] = 1.0
    return grad''',
    "sigmoid": '''def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), computed without overflow for any x."""
    x = np.asarray(x, dtype=float)
    # exp of a non-positive number never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))''',
    "sigmoid_derivative": '''def sigmoid_derivative(x, sigmoid=sigmoid):
    """d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)), element by element."""
    x = np.asarray(x, dtype=float)
    p = sigmoid(x)
    return p - p * p''',
    "tanh": '''def tanh(x, sigmoid=sigmoid):
    """Hyperbolic tangent, element by element, written with the sigmoid: 2 * sigmoid(2x) - 1."""
    x = np.asarray(x, dtype=float)
    doubled = sigmoid(x + x)
    return doubled + doubled - 1


def tanh_derivative(x, tanh=tanh):
    """d tanh(x) / dx = 1 - tanh(x)**2, element by element."""
    x = np.asarray(x, dtype=float)
    th = tanh(x)
    return 1 - th * th''',
    "hard_sigmoid": '''def hard_sigmoid(x):
    """Keras 3's hard sigmoid: relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1)."""
    x = np.asarray(x, dtype=float)
    return np.minimum(np.maximum(x + 3, 0), 6) / 6


def hard_sigmoid_derivative(x):
    """d hard_sigmoid(x) / dx: 1/6 where -3 < x < 3, else 0."""
    x = np.asarray(x, dtype=float)
    inside = (np.abs(x) < 3).astype(float)
    return inside / 6''',
    "silu": '''def silu(x, sigmoid=sigmoid):
    """SiLU (swish): x * sigmoid(x)."""
    x = np.asarray(x, dtype=float)
    gate = sigmoid(x)
    return gate * x


def silu_derivative(x, sigmoid=sigmoid):
    """d silu(x) / dx = sigmoid(x) * (1 + x * (1 - sigmoid(x)))."""
    x = np.asarray(x, dtype=float)
    gate = sigmoid(x)
    return gate + x * gate * (1 - gate)''',
    "softmax": '''def softmax(z):
    """Softmax over the last axis, stable for large logits."""
    z = np.asarray(z, dtype=float)
    top = z.max(axis=-1, keepdims=True)
    powers = np.exp(z - top)
    total = powers.sum(axis=-1, keepdims=True)
    return powers / total''',
    "softmax_backward": '''def softmax_backward(z, grad, softmax=softmax):
    """Vector-Jacobian product of softmax over the last axis: s * (grad - sum(grad * s))."""
    z = np.asarray(z, dtype=float)
    grad = np.asarray(grad, dtype=float)
    probs = softmax(z)
    dot = (grad * probs).sum(axis=-1, keepdims=True)
    return probs * grad - probs * dot''',
}

# Written with np.where / np.clip and loops where a learner might.
INDEPENDENT_LOOPS = {
    "relu": '''def relu(x):
    """Rectified linear unit, element by element: max(x, 0)."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, 0.0)''',
    "relu_derivative": '''def relu_derivative(x):
    """Derivative of relu with respect to x: 1 where x > 0, else 0 (0 at x = 0, as in Keras)."""
    x = np.asarray(x, dtype=float)
    return np.heaviside(x, 0.0)''',
    "sigmoid": '''import math


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), computed without overflow for any x."""
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    values = []
    for value in flat:
        if value < 0:
            t = math.exp(value)
            values.append(t / (t + 1.0))
        else:
            values.append(1.0 / (math.exp(-value) + 1.0))
    return np.array(values).reshape(x.shape)''',
    "sigmoid_derivative": '''def sigmoid_derivative(x, sigmoid=sigmoid):
    """d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)), element by element."""
    x = np.asarray(x, dtype=float)
    return sigmoid(x) * sigmoid(-x)''',
    "tanh": '''def tanh(x, sigmoid=sigmoid):
    """Hyperbolic tangent, element by element, written with the sigmoid: 2 * sigmoid(2x) - 1."""
    x = np.asarray(x, dtype=float)
    return sigmoid(2 * x) - sigmoid(-2 * x)


def tanh_derivative(x, tanh=tanh):
    """d tanh(x) / dx = 1 - tanh(x)**2, element by element."""
    x = np.asarray(x, dtype=float)
    return (1 - tanh(x)) * (1 + tanh(x))''',
    "hard_sigmoid": '''def hard_sigmoid(x):
    """Keras 3's hard sigmoid: relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1)."""
    x = np.asarray(x, dtype=float)
    y = (x + 3.0) / 6.0
    y[y > 1] = 1.0
    y[y < 0] = 0.0
    return y


def hard_sigmoid_derivative(x):
    """d hard_sigmoid(x) / dx: 1/6 where -3 < x < 3, else 0."""
    x = np.asarray(x, dtype=float)
    d = np.full(x.shape, 1 / 6)
    d[(x <= -3) | (x >= 3)] = 0
    return d''',
    "silu": '''def silu(x, sigmoid=sigmoid):
    """SiLU (swish): x * sigmoid(x)."""
    x = np.asarray(x, dtype=float)
    return x / (1 + np.exp(-x)) if np.all(x > -50) else x * sigmoid(x)


def silu_derivative(x, sigmoid=sigmoid):
    """d silu(x) / dx = sigmoid(x) * (1 + x * (1 - sigmoid(x)))."""
    x = np.asarray(x, dtype=float)
    s = sigmoid(x)
    return s * (1 + x - x * s)''',
    "softmax": '''def softmax(z):
    """Softmax over the last axis, stable for large logits."""
    z = np.asarray(z, dtype=float)
    out = np.exp(z - np.amax(z, axis=-1)[..., None])
    out /= np.sum(out, -1)[..., None]
    return out''',
    "softmax_backward": '''def softmax_backward(z, grad, softmax=softmax):
    """Vector-Jacobian product of softmax over the last axis: s * (grad - sum(grad * s))."""
    z = np.asarray(z, dtype=float)
    grad = np.asarray(grad, dtype=float)
    s = softmax(z)
    inner = np.einsum("...i,...i->...", grad, s)[..., None]
    return s * (grad - inner)''',
}


def disguised_copy_of_masks():
    """INDEPENDENT_MASKS as a copier hands it in: every local name changed, comments and blank lines
    added or removed, spacing changed, and the two functions of each two-function cell swapped."""
    renames = {"result": "out_arr", "grad": "dx", "e": "ee", "p": "sig_val", "doubled": "s2", "th": "tt",
               "inside": "mask_in", "gate": "g_", "top": "mx", "powers": "ex", "total": "denominator",
               "probs": "soft", "dot": "weighted"}
    copy = {}
    for grade_id, source in INDEPENDENT_MASKS.items():
        for old, new in renames.items():
            source = re.sub(rf"\b{old}\b", new, source)
        source = source.replace("# exp of a non-positive number never overflows", "# avoid overflow!!")
        source = source.replace(" = ", "=").replace(", ", ",")
        functions = source.split("\n\n\n")
        if len(functions) == 2:
            functions.reverse()
        copy[grade_id] = "\n\n".join(f + "\n# done" for f in functions)
    return copy
