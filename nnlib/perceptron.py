r"""Rosenblatt's perceptron (1958): the first neuron that learned from examples.

It computes a weighted sum of its inputs and fires if the sum reaches a threshold:

$$\hat y = \mathrm{step}(w \cdot x + b), \qquad \mathrm{step}(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0. \end{cases}$$

It learns with the *perceptron rule*: after each example, move the weights by the error,

$$w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y),$$

which changes nothing when the prediction is right ($y - \hat y = 0$) and tilts the line towards a
misclassified point otherwise. If some line separates the two classes, this rule finds one after
finitely many mistakes (Novikoff's convergence theorem). If none does, as for XOR, it never settles;
that limit is what multi-layer networks, trained by gradient descent, overcome. The step function has
derivative 0 almost everywhere, which is why those networks use smooth activations instead.

**Why no line separates XOR.** XOR is 1 for $(0, 1)$ and $(1, 0)$ and 0 for $(0, 0)$ and $(1, 1)$.
A perceptron computing it would need

$$\begin{aligned}
(0,0) \mapsto 0:&\quad b < 0, &\qquad (1,0) \mapsto 1:&\quad w_1 + b \ge 0, \\
(1,1) \mapsto 0:&\quad w_1 + w_2 + b < 0, &\qquad (0,1) \mapsto 1:&\quad w_2 + b \ge 0.
\end{aligned}$$

Adding the two right-hand inequalities gives $w_1 + w_2 + 2b \ge 0$, so
$w_1 + w_2 + b \ge -b > 0$ by the first one, contradicting the third. No weights satisfy all four.

Examples
--------
>>> import numpy as np
>>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> model = Perceptron(n_inputs=2)
>>> model.fit(x, [0, 0, 0, 1])      # AND: mistakes per epoch, until an epoch has none
[2, 3, 3, 2, 1, 0]
>>> model.predict(x)
array([0, 0, 0, 1])
"""

import numpy as np

from nnlib import config
from nnlib._validation import (
    as_float_array,
    check_class_labels,
    check_ndim,
    check_number,
    check_positive_int,
    check_same_batch,
)


def step(z):
    r"""Heaviside step, $\mathrm{step}(z) = 1$ if $z \ge 0$ else $0$.

    We count $z = 0$ as firing (``>=``); some books use ``>``. The choice only matters for points
    exactly on the line, but it does matter: with zero initial weights, every first prediction is 1.

    Examples
    --------
    >>> step([-0.5, 0.0, 2.0])
    array([0., 1., 1.], dtype=float32)
    """
    z = as_float_array(z, "z")
    return (z >= 0).astype(z.dtype)


class Perceptron:
    r"""A single perceptron with weights $w$ (one per input) and bias $b$, both starting at 0.

    Parameters
    ----------
    n_inputs : int
        Number of inputs (features).
    learning_rate : float, default 1.0
        The step $\eta$ of the perceptron rule. Starting from zero weights it does not change which
        points are misclassified, only the scale of $w$ and $b$: every update is a multiple of $\eta$,
        and $\mathrm{step}(\eta z) = \mathrm{step}(z)$ for $\eta > 0$. That holds in exact arithmetic:
        with a rate that binary floating point cannot represent exactly (0.1, 0.01), a weighted sum
        that should be exactly 0 can round to a tiny nonzero number, and the run can differ.

    Attributes
    ----------
    weights : numpy.ndarray
        Shape ``(n_inputs,)``, dtype :func:`nnlib.config.floatx`.
    bias : float

    Examples
    --------
    >>> p = Perceptron(3, learning_rate=0.1)
    >>> p.weights, p.bias
    (array([0., 0., 0.], dtype=float32), 0.0)
    """

    def __init__(self, n_inputs, learning_rate=1.0):
        self.n_inputs = check_positive_int(n_inputs, "n_inputs")
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0, low_inclusive=False)
        self.weights = np.zeros(self.n_inputs, dtype=config.floatx())
        self.bias = 0.0

    def _check_x(self, x):
        x = as_float_array(x, "x")
        check_ndim(x, "x", 2)
        if x.shape[1] != self.n_inputs:
            raise ValueError(
                f"x must have {self.n_inputs} columns (n_inputs={self.n_inputs}); received x of "
                f"shape {x.shape}."
            )
        return x

    def predict(self, x):
        r"""Return $\mathrm{step}(x w + b)$ for each row of `x`, as 0/1 integers.

        Parameters
        ----------
        x : array_like
            Shape ``(n_samples, n_inputs)``.

        Returns
        -------
        numpy.ndarray of int
            Shape ``(n_samples,)``.

        Examples
        --------
        >>> p = Perceptron(2)
        >>> p.weights[:] = [1.0, 1.0]
        >>> p.bias = -1.5
        >>> p.predict([[1, 1], [1, 0]])
        array([1, 0])
        """
        x = self._check_x(x)
        return step(x @ self.weights + self.bias).astype(np.int64)

    def fit(self, x, y, epochs=100):
        """Apply the perceptron rule sample by sample, in order, for up to `epochs` passes.

        Training stops after the first epoch without a mistake: nothing would change any more.

        Parameters
        ----------
        x : array_like
            Shape ``(n_samples, n_inputs)``.
        y : array_like of {0, 1}
            Shape ``(n_samples,)``.
        epochs : int, default 100
            The most passes over the data.

        Returns
        -------
        list of int
            The number of misclassified samples in each epoch (counted as they were met, before
            each one's update).

        Examples
        --------
        >>> p = Perceptron(2)
        >>> xor = p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], epochs=5)
        >>> xor        # never 0: no line separates XOR
        [3, 3, 4, 4, 4]
        """
        x = self._check_x(x)
        labels = check_class_labels(y, "y", n_classes=2)
        check_ndim(labels, "y", 1)
        check_same_batch(x, labels)
        epochs = check_positive_int(epochs, "epochs")
        mistakes_per_epoch = []
        for _ in range(epochs):
            mistakes = 0
            for features, label in zip(x, labels):
                error = label - step(features @ self.weights + self.bias)
                if error != 0:
                    self.weights += self.learning_rate * error * features
                    self.bias += self.learning_rate * float(error)
                    mistakes += 1
            mistakes_per_epoch.append(mistakes)
            if mistakes == 0:
                break
        return mistakes_per_epoch
