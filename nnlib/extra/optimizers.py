r"""Keras's other optimizers for dense weights: the update rules in the core's plain style, then
the classes that give them Keras's names, defaults and state (``nnlib.optimizers`` lists them).

Each rule changes $w$ and its state arrays in place, at step $t = 1, 2, \dots$ with learning rate
$\eta$, in Keras 3's order of operations (so the float32 numbers agree with Keras's).
"""

import numpy as np

from nnlib import optimizers
from nnlib._validation import check_bool, check_number


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


def ftrl(w, g, n, z, learning_rate, learning_rate_power, l1, l2, l2_shrinkage, beta):
    r"""FTRL-proximal (McMahan et al., 2013), in Keras's form: the weight is not stepped but
    solved for from two sums, $n$ of squared gradients and $z$ of corrected gradients.

    With $p$ = ``learning_rate_power`` ($-\tfrac12$: a per-weight rate $\eta/\sqrt{n}$),
    $\lambda_2' = \lambda_2 + \beta / (2\eta)$ and $g' = g + 2\lambda_{\text{shrink}} w$:

    $$z \leftarrow z + g' - \frac{(n + g^2)^{-p} - n^{-p}}{\eta}\, w, \qquad
      n \leftarrow n + g^2, \qquad
      w \leftarrow \frac{\mathrm{clip}(z, -\lambda_1, \lambda_1) - z}{n^{-p}/\eta + 2\lambda_2'}$$

    so $w = 0$ wherever $|z| \le \lambda_1$: the L1 strength makes weights exactly zero.
    """
    l2 = l2 + beta / (2.0 * learning_rate)
    new_n = n + np.square(g)
    z += (g + 2 * l2_shrinkage * w) - (new_n ** -learning_rate_power
                                       - n ** -learning_rate_power) / learning_rate * w
    quadratic = new_n ** -learning_rate_power / learning_rate + 2 * l2
    w[...] = (np.clip(z, -l1, l1) - z) / quadratic
    n[...] = new_n


def _rms(x):
    return np.sqrt(np.mean(np.square(x)))


def adafactor(w, g, r, c, v, t, learning_rate, beta_2_decay, epsilon_1, epsilon_2,
              clip_threshold):
    r"""Adafactor (Shazeer & Stern, 2018): Adam's running mean of $g^2$ without storing it for a
    matrix, only its row means $r$ and column means $c$ (a rank-1 factorisation).

    With $G = g^2 + \epsilon_1$ and $\hat\beta_t = 1 - t^{\text{decay}}$ (so early steps keep
    little of the past), for a matrix

    $$r \leftarrow \hat\beta_t r + (1 - \hat\beta_t)\, \mathrm{mean}_{\text{cols}} G, \quad
      c \leftarrow \hat\beta_t c + (1 - \hat\beta_t)\, \mathrm{mean}_{\text{rows}} G, \quad
      v = \frac{r\, c^\top}{\mathrm{mean}(r)}$$

    ($v \leftarrow \hat\beta_t v + (1 - \hat\beta_t) G$ for a vector). Then the step is
    relative to the weight's own size, $\rho_t = \min(\eta, 1/\sqrt t)$ and
    $\alpha_t = \max(\epsilon_2, \mathrm{RMS}(w))\, \rho_t$, and clipped:

    $$u = g / \sqrt v, \qquad w \leftarrow w - \alpha_t\,
      \frac{u}{\max(1, \mathrm{RMS}(u) / d)}.$$
    """
    rho = min(learning_rate, 1 / np.sqrt(np.float32(t)))
    alpha = max(epsilon_2, _rms(w)) * rho
    squared = np.square(g) + epsilon_1
    beta = 1 - np.float32(t) ** beta_2_decay
    if w.ndim >= 2:
        r[...] = beta * r + (1 - beta) * squared.mean(axis=-1)
        c[...] = beta * c + (1 - beta) * squared.mean(axis=-2)
        v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
    else:
        v[...] = beta * v + (1 - beta) * squared
    u = g / np.sqrt(v)
    w -= alpha * (u / max(1.0, _rms(u) / clip_threshold))


def lamb(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    r"""LAMB (You et al., 2019): Adam's direction, with each weight array's step scaled to the
    size of the array (a "trust ratio"), so every layer moves by the same fraction of itself:

    $$d = \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}, \qquad
      w \leftarrow w - \eta\, \frac{\|w\|}{\|d\|}\, d$$

    after $m$ and $v$ move as Adam's (the ratio is 1 when either norm is 0).
    """
    m += (g - m) * (1 - beta_1)
    v += (np.square(g) - v) * (1 - beta_2)
    direction = (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
    w_norm, d_norm = np.sqrt(np.sum(w**2)), np.sqrt(np.sum(direction**2))
    ratio = w_norm / d_norm if w_norm > 0 and d_norm > 0 else 1.0
    w -= ratio * learning_rate * direction


def weight_decay(w, learning_rate, decay):
    r"""Decoupled weight decay (AdamW's), before the step: $w \leftarrow w - \eta\lambda w$."""
    w -= w * decay * learning_rate


class Adamax(optimizers.Optimizer):
    """``keras.optimizers.Adamax`` with Keras's defaults."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        name = type(self).__name__  # Nadam and Lamb share these settings
        self.beta_1 = check_number(beta_1, f"{name}: beta_1", low=0, high=1, high_inclusive=False)
        self.beta_2 = check_number(beta_2, f"{name}: beta_2", low=0, high=1, high_inclusive=False)
        self.epsilon = check_number(epsilon, f"{name}: epsilon", low=0, low_inclusive=False)

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


class Ftrl(optimizers.Optimizer):
    """``keras.optimizers.Ftrl`` with Keras's defaults (made for wide, sparse linear models)."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0):
        super().__init__(learning_rate)
        self.learning_rate_power = check_number(learning_rate_power, "Ftrl: learning_rate_power",
                                                high=0)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "Ftrl: initial_accumulator_value", low=0)
        self.l1_regularization_strength = check_number(
            l1_regularization_strength, "Ftrl: l1_regularization_strength", low=0)
        self.l2_regularization_strength = check_number(
            l2_regularization_strength, "Ftrl: l2_regularization_strength", low=0)
        self.l2_shrinkage_regularization_strength = check_number(
            l2_shrinkage_regularization_strength, "Ftrl: l2_shrinkage_regularization_strength",
            low=0)
        self.beta = check_number(beta, "Ftrl: beta", low=0)

    def _update(self, w, g, state, learning_rate):
        ftrl(w, g, state["accumulator"], state["linear"], learning_rate,
             self.learning_rate_power, self.l1_regularization_strength,
             self.l2_regularization_strength, self.l2_shrinkage_regularization_strength,
             self.beta)

    def state_spec(self):
        return {"accumulator": self.initial_accumulator_value, "linear": 0.0}

    def get_config(self):
        return {"learning_rate": self._learning_rate,
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Adafactor(optimizers.Optimizer):
    r"""``keras.optimizers.Adafactor`` with Keras's defaults. Its state is smaller than the weight
    for a matrix (row and column means); a vector keeps a full ``velocity`` and two unused
    zeros, as Keras does. (``relative_step`` changes nothing in Keras's rule, which always caps
    the rate at $1/\sqrt t$; it is kept for the config.)"""

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True):
        super().__init__(learning_rate)
        self.beta_2_decay = check_number(beta_2_decay, "Adafactor: beta_2_decay", high=0)
        self.epsilon_1 = check_number(epsilon_1, "Adafactor: epsilon_1", low=0,
                                      low_inclusive=False)
        self.epsilon_2 = check_number(epsilon_2, "Adafactor: epsilon_2", low=0)
        self.clip_threshold = check_number(clip_threshold, "Adafactor: clip_threshold", low=0,
                                           low_inclusive=False)
        self.relative_step = check_bool(relative_step, "Adafactor: relative_step")

    def _update(self, w, g, state, learning_rate):
        adafactor(w, g, state["r"], state["c"], state["velocity"], self.iterations + 1,
                  learning_rate, self.beta_2_decay, self.epsilon_1, self.epsilon_2,
                  self.clip_threshold)

    def state_spec(self):
        return {"r": 0.0, "c": 0.0, "velocity": 0.0}

    def _state(self, w):
        entry = self._slots.get(id(w))
        if entry is None or entry[0] is not w:
            factored = w.ndim >= 2  # rows' and columns' means of a matrix; else placeholders
            state = {"r": np.zeros(w.shape[:-1] if factored else (), w.dtype),
                     "c": np.zeros(w.shape[:-2] + w.shape[-1:] if factored else (), w.dtype),
                     "velocity": np.zeros_like(w)}
            entry = self._slots[id(w)] = (w, state)
        return entry[1]

    def get_config(self):
        return {"learning_rate": self._learning_rate, "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


class Lamb(Adamax):
    """``keras.optimizers.Lamb`` with Keras's defaults."""

    def _update(self, w, g, state, learning_rate):
        lamb(w, g, state["momentum"], state["velocity"], self.iterations + 1, learning_rate,
             self.beta_1, self.beta_2, self.epsilon)

    def state_spec(self):
        return {"momentum": 0.0, "velocity": 0.0}


__all__ = ["Adamax", "Nadam", "AdamW", "Adadelta", "Lion", "Ftrl", "Adafactor", "Lamb"]
