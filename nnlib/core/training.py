r"""The training step and the epoch loop (chapter 9).

An epoch visits every training row once, in mini-batches of $B$ rows ($\lceil n / B \rceil$ steps,
the last batch holding what is left), in a new random order each epoch. Each step moves every
weight $\theta$ against the gradient of the batch's loss,

$$L_{\mathcal{B}}(\theta) = \frac{1}{B} \sum_{i \in \mathcal{B}} \ell(y_i, \hat{y}_i) + \sum \Omega,
  \qquad \theta \leftarrow \theta - \eta\, \nabla L_{\mathcal{B}}(\theta)$$

($\Omega$: the weight penalties, :mod:`nnlib.core.regularizers`; the optimizer's rule may be more
than $-\eta \nabla L$, :mod:`nnlib.core.optimizers`).

What the step needs: a `model` with ``forward(x, training)``, ``backward(dy_hat)`` and
``parameters()`` (each trainable weight with its gradient and its regularizer or None), a `loss`
function returning the loss and $\partial L / \partial \hat y$, and an `optimizer` whose
``apply(grads, weights)`` updates the weights.
"""

import math


def batches(n, batch_size, order=None):
    """The rows of each mini-batch: ``order`` (a permutation of the n rows) cut in pieces of
    ``batch_size``, or consecutive slices when there is no order."""
    for start in range(0, n, batch_size):
        rows = slice(start, min(start + batch_size, n))
        yield rows if order is None else order[rows]


def regularization(parameters):
    r"""$\sum \Omega$: the penalties of the weights that have a regularizer."""
    return sum(regularizer(w) for w, _, regularizer in parameters if regularizer is not None)


def train_step(model, loss, optimizer, x, y):
    """One gradient step on the batch ``(x, y)``; returns the loss and the predictions (made
    before the update)."""
    y_hat = model.forward(x, training=True)  # 1. forward: the predictions
    L, dy_hat = loss(y, y_hat)  # 2. the loss, and dL/dy_hat where backward starts
    if not math.isfinite(L):  # diverged: a NaN gradient would ruin every weight
        return L, y_hat
    model.backward(dy_hat)  # 3. backward: each layer's weight gradients
    parameters = model.parameters()
    L = L + regularization(parameters)
    grads = [dw if reg is None else dw + reg.gradient(w) for w, dw, reg in parameters]
    optimizer.apply(grads, [w for w, _, _ in parameters])  # 4. move every weight
    return L, y_hat


def fit(model, loss, optimizer, x, y, epochs, batch_size, rng):
    """Train for `epochs` passes over ``(x, y)``, a new order of the rows from `rng` each epoch;
    returns each epoch's loss, the mean over its rows (each batch's loss weighs its size)."""
    history = []
    for _ in range(epochs):
        total = 0.0
        for rows in batches(len(x), batch_size, rng.permutation(len(x))):
            L, _ = train_step(model, loss, optimizer, x[rows], y[rows])
            total += L * len(rows)
        history.append(total / len(x))
    return history
