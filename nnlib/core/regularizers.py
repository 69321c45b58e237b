r"""Weight penalties (chapter 9): a term added to the loss that grows with the weights, so that
training prefers small weights, which overfit less. With factor $\lambda$:

$$\Omega_{L1}(w) = \lambda \sum_j |w_j|, \qquad \Omega_{L2}(w) = \lambda \sum_j w_j^2,$$

added to the batch loss, $L + \sum \Omega$ (Keras's ``kernel_regularizer``). Their gradients join
the weight's own: $\partial \Omega_{L1} / \partial w = \lambda \operatorname{sign}(w)$ (0 at $w = 0$)
and $\partial \Omega_{L2} / \partial w = 2 \lambda w$ ("weight decay": every step shrinks $w$).
"""

import numpy as np


def l1(w, factor):
    r"""$\lambda \sum_j |w_j|$."""
    return factor * np.sum(np.abs(w))


def l1_gradient(w, factor):
    r"""$\lambda \operatorname{sign}(w)$."""
    return factor * np.sign(w)


def l2(w, factor):
    r"""$\lambda \sum_j w_j^2$."""
    return factor * np.sum(np.square(w))


def l2_gradient(w, factor):
    r"""$2 \lambda w$."""
    return 2 * factor * w
