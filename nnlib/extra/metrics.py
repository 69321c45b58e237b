r"""Keras's other metrics for dense outputs, in the core's plain style: per-sample functions
(one value per row, averaged over the batches by a running mean) and the formulas that turn
running counts or sums into a result. ``nnlib.metrics`` gives them Keras's names and state.
"""

import numpy as np

EPSILON = 1e-7


def in_top_k(labels, y_hat, k):
    r"""1 where the true class $c$ is among the $k$ highest scores of its row, else 0:
    $[\,|\{j : \hat y_j > \hat y_c\}| < k\,]$, as Keras ranks it: a tie counts as in, and a
    NaN true score as the lowest score."""
    true_score = y_hat[np.arange(len(y_hat)), labels]
    true_score = np.where(np.isnan(true_score), -np.inf, true_score)
    higher = (y_hat > true_score[:, None]).sum(axis=-1)
    return (higher < k).astype(np.float32)


def pearson_correlation(y, y_hat):
    r"""The correlation of each row's targets and predictions,

    $$r = \mathrm{mean}_j\, \frac{y_j - \bar y}{\sigma_y}\, \frac{\hat y_j - \bar{\hat y}}
      {\sigma_{\hat y}}$$

    with means and (population) standard deviations over the row: 1 when the predictions are a
    rising straight line of the targets, whatever its slope."""
    y_norm = y - y.mean(axis=-1, keepdims=True)
    p_norm = y_hat - y_hat.mean(axis=-1, keepdims=True)
    y_norm = y_norm / y_norm.std(axis=-1, keepdims=True)
    p_norm = p_norm / p_norm.std(axis=-1, keepdims=True)
    return (y_norm * p_norm).mean(axis=-1)


def concordance_correlation(y, y_hat):
    r"""Lin's concordance correlation of each row, which is 1 only when $\hat y = y$ (not merely
    correlated): $2\,\mathrm{cov} / (\sigma_y^2 + \sigma_{\hat y}^2 + (\bar y - \bar{\hat y})^2)$.

    As Keras 3 computes it: $\mathrm{mean}_j\, 2 (y_j - \bar{\hat y})(\hat y_j - \bar{\hat y}) /
    (\sigma_y^2 + \sigma_{\hat y}^2 + (\bar y - \bar{\hat y})^2 + \epsilon)$. Its covariance
    centres the targets on the predictions' mean $\bar{\hat y}$ rather than on $\bar y$, which
    differs from Lin's formula when the two means differ; nnlib keeps Keras's numbers.
    """
    y_mean, p_mean = y.mean(axis=-1, keepdims=True), y_hat.mean(axis=-1, keepdims=True)
    norm = y.var(axis=-1, keepdims=True) + y_hat.var(axis=-1, keepdims=True) + np.square(
        y_mean - p_mean)
    return (2 * (y - p_mean) * (y_hat - p_mean) / (norm + EPSILON)).mean(axis=-1)


def f_beta(true_positives, false_positives, false_negatives, beta):
    r"""$F_\beta = (1 + \beta^2) \dfrac{P R}{\beta^2 P + R}$ from the counts, with precision
    $P = \mathrm{TP}/(\mathrm{TP} + \mathrm{FP})$ and recall $R = \mathrm{TP}/(\mathrm{TP} +
    \mathrm{FN})$ (each denominator $+\epsilon$, as Keras): $\beta = 1$ is the harmonic mean
    of P and R, a larger $\beta$ weighs recall more."""
    precision = true_positives / (true_positives + false_positives + EPSILON)
    recall = true_positives / (true_positives + false_negatives + EPSILON)
    return precision * recall / (beta**2 * precision + recall + EPSILON) * (1 + beta**2)


def r2_score(total, squared_total, residual, count):
    r"""The coefficient of determination of each output column,
    $R^2 = 1 - \dfrac{\sum_i (y_i - \hat y_i)^2}{\sum_i (y_i - \bar y)^2}$, from running sums
    (weighted by the sample weights $w_i$): $\sum w y$, $\sum w y^2$, $\sum w (y - \hat y)^2$
    and $\sum w$, using $\sum_i w_i (y_i - \bar y)^2 = \sum w y^2 - \bar y \sum w y$. 1 is a
    perfect fit, 0 no better than predicting the mean; a column with constant targets gives 0
    (Keras replaces the infinite ratio by 0). Returns the scores and the denominators."""
    mean = total / count
    spread = squared_total - total * mean
    scores = 1 - residual / spread
    return np.where(np.isinf(scores), np.float32(0), scores).astype(np.float32), spread


def best_under_constraint(constrained, dependent, value):
    r"""$\max \{\,d_t : c_t \ge v\,\}$ over the thresholds $t$ (0 when none qualifies): e.g. the
    best precision among the thresholds whose recall is at least $v$."""
    return np.max(np.where(constrained >= value, dependent, np.float32(0)), initial=0)
