r"""Update rules: how a weight $w$ moves once its gradient $g = \partial L / \partial w$ is known
(chapter 7), in Keras 3's form so that the numbers agree with Keras.

Each function changes $w$ and the rule's state arrays (momentum $m$, velocity $v$, ...) in place:
the layers and the optimizer keep holding the same arrays. The state starts at zero (Adagrad's
accumulator at its initial value), and $\eta$ is the learning rate.
"""

import math

import numpy as np


def sgd(w, g, learning_rate):
    r"""Gradient descent, $w \leftarrow w - \eta\, g$."""
    w -= learning_rate * g


def sgd_momentum(w, g, m, learning_rate, momentum, nesterov=False):
    r"""Momentum $\mu$: the velocity $m$ remembers past steps,

    $$m \leftarrow \mu m - \eta g, \qquad w \leftarrow w + m
    \qquad(\text{Nesterov: } w \leftarrow w + \mu m - \eta g,\ \text{a look ahead}).$$
    """
    m[...] = momentum * m - learning_rate * g
    if nesterov:
        w += momentum * m - learning_rate * g
    else:
        w += m


def adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    r"""Adam at step $t = 1, 2, \dots$: a running mean $m$ of the gradient divided by the root of a
    running mean $v$ of its square, each weight's step about $\eta$ whatever its gradient's scale:

    $$m \leftarrow m + (1 - \beta_1)(g - m), \qquad v \leftarrow v + (1 - \beta_2)(g^2 - v),$$
    $$\alpha = \eta\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
      w \leftarrow w - \alpha\,\frac{m}{\sqrt{v} + \epsilon}.$$

    $m + (1 - \beta_1)(g - m)$ is $\beta_1 m + (1 - \beta_1) g$; the bias corrections
    $\hat m = m / (1 - \beta_1^t)$ and $\hat v = v / (1 - \beta_2^t)$ are folded into $\alpha$.
    """
    m += (1 - beta_1) * (g - m)
    v += (1 - beta_2) * (g * g - v)
    alpha = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w -= alpha * m / (np.sqrt(v) + epsilon)


def rmsprop(w, g, v, learning_rate, rho, epsilon, m=None, momentum=0.0, g_mean=None):
    r"""RMSprop: divide each step by the root of a running mean $v$ of $g^2$ (decay $\rho$),

    $$v \leftarrow \rho v + (1 - \rho) g^2, \qquad \Delta = \frac{\eta\, g}{\sqrt{v + \epsilon}},
      \qquad w \leftarrow w - \Delta.$$

    Centered (`g_mean` given): also a running mean $\bar g \leftarrow \rho \bar g + (1 - \rho) g$,
    and $\sqrt{v - \bar g^2 + \epsilon}$ below (the gradient's running variance). With momentum
    (`m` given): $m \leftarrow \mu m + \Delta$ and $w \leftarrow w - m$.
    """
    v[...] = rho * v + (1 - rho) * np.square(g)
    if g_mean is None:
        step = learning_rate * g / np.sqrt(v + epsilon)
    else:
        g_mean[...] = rho * g_mean + (1 - rho) * g
        step = learning_rate * g / np.sqrt(v - np.square(g_mean) + epsilon)
    if m is None:
        w -= step
    else:
        m[...] = momentum * m + step
        w -= m


def adagrad(w, g, a, learning_rate, epsilon):
    r"""Adagrad: the accumulator $a$ sums every past $g^2$, so steps keep shrinking,

    $$a \leftarrow a + g^2, \qquad w \leftarrow w - \frac{\eta\, g}{\sqrt{a + \epsilon}}.$$
    """
    a += np.square(g)
    w -= learning_rate * g / np.sqrt(a + epsilon)
