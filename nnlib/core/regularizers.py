r"""Weight penalties (chapter 9): a term added to the loss that grows with the weights, so that
training prefers small weights, which overfit less. With factor $\alpha$:

$$\Omega_{L1}(w) = \alpha \sum_j |w_j|, \qquad \Omega_{L2}(w) = \alpha \sum_j w_j^2,$$

added to the batch loss, $L + \sum \Omega$ (Keras's ``kernel_regularizer``). Their gradients join
the weight's own: $\partial \Omega_{L1} / \partial w = \alpha \operatorname{sign}(w)$ and
$\partial \Omega_{L2} / \partial w = 2 \alpha w$ ("weight decay": every step shrinks $w$).

At $w = 0$, $|w|$ has no slope: any value in $[-\alpha, \alpha]$ will do, and we take 0, as Keras on
TensorFlow does (Keras on JAX takes $+\alpha$, so a weight at exactly 0, such as a new bias, moves
differently there).
"""

import numpy as np


def l1(w, factor):
    r"""$\alpha \sum_j |w_j|$."""
    return factor * np.sum(np.abs(w))


def l1_gradient(w, factor):
    r"""$\alpha \operatorname{sign}(w)$."""
    return factor * np.sign(w)


def l2(w, factor):
    r"""$\alpha \sum_j w_j^2$."""
    return factor * np.sum(np.square(w))


def l2_gradient(w, factor):
    r"""$2 \alpha w$."""
    return 2 * factor * w
