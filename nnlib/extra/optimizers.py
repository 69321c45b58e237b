r"""Keras's other optimizers for dense weights: the update rules in the core's plain style, then
the classes that give them Keras's names, defaults and state (``nnlib.optimizers`` lists them).

Each rule changes $w$ and its state arrays in place, at step $t = 1, 2, \dots$ with learning rate
$\eta$, in Keras 3's order of operations (so the float32 numbers agree with Keras's).
"""

import numpy as np

from nnlib import optimizers
from nnlib._validation import check_number


def adamax(w, g, m, u, t, learning_rate, beta_1, beta_2, epsilon):
    r"""Adam with the infinity norm: $u$ is a decaying maximum of $|g|$ instead of a mean of $g^2$,

    $$m \leftarrow m + (1 - \beta_1)(g - m), \qquad u \leftarrow \max(\beta_2 u, |g|), \qquad
      w \leftarrow w - \frac{\eta\, m}{(1 - \beta_1^t)(u + \epsilon)}.$$
    """
    m += (1 - beta_1) * (g - m)
    u[...] = np.maximum(beta_2 * u, np.abs(g))
    w -= learning_rate * m / ((1 - beta_1**t) * (u + epsilon))


def nadam_momentum_factor(t, beta_1):
    r"""Nadam's momentum at step $t$, $\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^t)$ (a warm-up)."""
    return beta_1 * (1 - 0.5 * 0.96**t)


def nadam(w, g, m, v, t, product, learning_rate, beta_1, beta_2, epsilon):
    r"""Adam with Nesterov momentum (Dozat, 2016): with $\mu_t$ above and `product`
    $= \prod_{i \le t} \mu_i$,

    $$\hat m = \frac{\mu_{t+1}\, m}{1 - \prod_{i \le t+1} \mu_i}
       + \frac{(1 - \mu_t)\, g}{1 - \prod_{i \le t} \mu_i}, \qquad
      \hat v = \frac{v}{1 - \beta_2^t}, \qquad w \leftarrow w - \frac{\eta\,\hat m}{\sqrt{\hat v} + \epsilon}$$

    after $m$ and $v$ move as Adam's.
    """
    mu_t, mu_next = nadam_momentum_factor(t, beta_1), nadam_momentum_factor(t + 1, beta_1)
    m += (1 - beta_1) * (g - m)
    v += (1 - beta_2) * (g * g - v)
    m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
    v_hat = v / (1 - beta_2**t)
    w -= m_hat * learning_rate / (np.sqrt(v_hat) + epsilon)


def adadelta(w, g, a_g, a_dw, learning_rate, rho, epsilon):
    r"""Adadelta: steps scaled by the ratio of two running roots, of past steps and of past
    gradients, $\Delta = -\frac{\sqrt{a_{\Delta} + \epsilon}}{\sqrt{a_g + \epsilon}}\, g$:

    $$a_g \leftarrow \rho a_g + (1 - \rho) g^2, \qquad a_\Delta \leftarrow \rho a_\Delta +
      (1 - \rho) \Delta^2, \qquad w \leftarrow w + \eta \Delta.$$
    """
    a_g[...] = rho * a_g + (1 - rho) * np.square(g)
    delta = -(np.sqrt(a_dw + epsilon) * g) / np.sqrt(a_g + epsilon)
    a_dw[...] = rho * a_dw + (1 - rho) * np.square(delta)
    w += learning_rate * delta


def lion(w, g, m, learning_rate, beta_1, beta_2):
    r"""Lion (Chen et al., 2023): only the sign of an interpolated momentum moves $w$,

    $$w \leftarrow w - \eta\,\mathrm{sign}(\beta_1 m + (1 - \beta_1) g), \qquad
      m \leftarrow \beta_2 m + (1 - \beta_2) g.$$
    """
    w -= learning_rate * np.sign(m * beta_1 + g * (1 - beta_1))
    m[...] = m * beta_2 + g * (1 - beta_2)


def weight_decay(w, learning_rate, decay):
    r"""Decoupled weight decay (AdamW's), before the step: $w \leftarrow w - \eta\lambda w$."""
    w -= w * decay * learning_rate


class Adamax(optimizers.Optimizer):
    """``keras.optimizers.Adamax`` with Keras's defaults."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = check_number(beta_1, "Adamax: beta_1", low=0, high=1, high_inclusive=False)
        self.beta_2 = check_number(beta_2, "Adamax: beta_2", low=0, high=1, high_inclusive=False)
        self.epsilon = check_number(epsilon, "Adamax: epsilon", low=0, low_inclusive=False)

    def _update(self, w, g, state, learning_rate):
        adamax(w, g, state["momentum"], state["norm"], self.iterations + 1, learning_rate,
               self.beta_1, self.beta_2, self.epsilon)

    def state_spec(self):
        return {"momentum": 0.0, "norm": 0.0}

    def get_config(self):
        return {"learning_rate": self._learning_rate, "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}


class Nadam(Adamax):
    """``keras.optimizers.Nadam`` with Keras's defaults (its running product of momentum factors
    is one more number of state, as Keras's ``u_product``)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate, beta_1, beta_2, epsilon)
        self.u_product = 1.0

    def apply(self, grads, weights):
        # Keras updates the product once per step, before the weights
        self.u_product *= nadam_momentum_factor(self.iterations + 1, self.beta_1)
        super().apply(grads, weights)

    def _update(self, w, g, state, learning_rate):
        nadam(w, g, state["momentum"], state["velocity"], self.iterations + 1, self.u_product,
              learning_rate, self.beta_1, self.beta_2, self.epsilon)

    def keras_variables(self, weights):
        # Keras's Nadam keeps the product as its last variable
        return super().keras_variables(weights) + [np.array(self.u_product, dtype=np.float32)]

    def set_keras_variables(self, weights, values):
        values = list(values)
        if not super().set_keras_variables(weights, values):
            return False
        self.u_product = float(np.asarray(values[-1]))
        return True

    def state_spec(self):
        return {"momentum": 0.0, "velocity": 0.0}


class AdamW(optimizers.Adam):
    """``keras.optimizers.AdamW``: Adam, with each weight shrunk by ``learning_rate *
    weight_decay`` of itself before every step (decoupled weight decay), Keras's defaults."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7):
        super().__init__(learning_rate, beta_1, beta_2, epsilon)
        self.weight_decay = check_number(weight_decay, "AdamW: weight_decay", low=0)

    def _update(self, w, g, state, learning_rate):
        weight_decay(w, learning_rate, self.weight_decay)
        super()._update(w, g, state, learning_rate)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


class Adadelta(optimizers.Optimizer):
    """``keras.optimizers.Adadelta`` with Keras's defaults."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7):
        super().__init__(learning_rate)
        self.rho = check_number(rho, "Adadelta: rho", low=0, high=1)
        self.epsilon = check_number(epsilon, "Adadelta: epsilon", low=0, low_inclusive=False)

    def _update(self, w, g, state, learning_rate):
        adadelta(w, g, state["accumulated_grad"], state["accumulated_delta_var"], learning_rate,
                 self.rho, self.epsilon)

    def state_spec(self):
        return {"accumulated_grad": 0.0, "accumulated_delta_var": 0.0}

    def get_config(self):
        return {"learning_rate": self._learning_rate, "rho": self.rho, "epsilon": self.epsilon}


class Lion(optimizers.Optimizer):
    """``keras.optimizers.Lion`` with Keras's defaults (use a learning rate 3-10x smaller than
    Adam's, as its authors advise)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99):
        super().__init__(learning_rate)
        self.beta_1 = check_number(beta_1, "Lion: beta_1", low=0, high=1)
        self.beta_2 = check_number(beta_2, "Lion: beta_2", low=0, high=1)

    def _update(self, w, g, state, learning_rate):
        lion(w, g, state["momentum"], learning_rate, self.beta_1, self.beta_2)

    def state_spec(self):
        return {"momentum": 0.0}

    def get_config(self):
        return {"learning_rate": self._learning_rate, "beta_1": self.beta_1,
                "beta_2": self.beta_2}


__all__ = ["Adamax", "Nadam", "AdamW", "Adadelta", "Lion"]
