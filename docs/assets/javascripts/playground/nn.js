// The network's math, in float64, with the formulas nnlib uses (nnlib/activations.py, losses.py,
// layers.py, regularizers.py, optimizers.py), which are Keras 3's. Forward and backward side by side.
// No DOM here: tests/js/ checks every function against numbers nnlib computed (tests/js/fixtures.json).
//
// Shapes: a batch of n rows with d columns is one Float64Array of length n*d, row after row.
// A Dense layer's kernel W is (inputs, units) as in Keras: W[i*units + j] joins input i to unit j.

export const EPSILON = 1e-7; // Keras's fuzz factor (keras.config.epsilon())

// ---------------------------------------------------------------- activations: a = f(z), dL/dz
// backward(z, a, g) returns dL/dz from the pre-activation z, the output a and g = dL/da.
function sigmoidOf(x) {
  // e^{-|x|} <= 1 never overflows: 1/(1+e) for x >= 0, e/(1+e) for x < 0 (nnlib.activations.sigmoid)
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

export const ACTIVATIONS = {
  relu: {
    f: (z) => Math.max(z, 0),
    d: (z) => (z > 0 ? 1 : 0), // 0 at the kink, as Keras on JAX
    backward: (z, a, g) => (z > 0 ? g : 0),
  },
  tanh: {
    f: Math.tanh,
    d: (z) => { const t = Math.tanh(z); return 1 - t * t; },
    backward: (z, a, g) => g * (1 - a * a),
  },
  sigmoid: {
    f: sigmoidOf,
    d: (z) => { const s = sigmoidOf(z); return s * (1 - s); },
    backward: (z, a, g) => g * a * (1 - a),
  },
  silu: {
    f: (z) => z * sigmoidOf(z),
    d: (z) => { const s = sigmoidOf(z); return s * (1 + z * (1 - s)); },
    backward: (z, a, g) => { const s = sigmoidOf(z); return g * (s * (1 + z * (1 - s))); },
  },
  linear: {
    f: (z) => z,
    d: () => 1,
    backward: (z, a, g) => g,
  },
};
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS);

/** softmax of each row of z (n rows of k), in place into a: e^{z_j - m} / sum_i e^{z_i - m}, m = max_i z_i. */
export function softmaxRows(z, a, n, k) {
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[r * k + j]);
    let s = 0;
    for (let j = 0; j < k; j++) { a[r * k + j] = Math.exp(z[r * k + j] - m); s += a[r * k + j]; }
    for (let j = 0; j < k; j++) a[r * k + j] /= s;
  }
}

// ---------------------------------------------------------------- losses
// Keras's reduction "sum_over_batch_size": the mean over the last axis, then the sum of the per-row
// losses divided by the number of rows. y holds one target per row: a 0/1 label, a value, or (for
// categorical cross-entropy) a class index.
export const LOSSES = {
  // sigmoid output + binary cross-entropy; p clipped to [eps, 1 - eps], no gradient where clipped
  binary_crossentropy: {
    value(y, p) {
      let total = 0;
      for (let i = 0; i < p.length; i++) {
        const q = Math.min(Math.max(p[i], EPSILON), 1 - EPSILON);
        total += -(y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q));
      }
      return total / p.length;
    },
    gradient(y, p) {
      const g = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) {
        const inside = p[i] >= EPSILON && p[i] <= 1 - EPSILON;
        const q = Math.min(Math.max(p[i], EPSILON), 1 - EPSILON);
        g[i] = (inside ? -y[i] / q + (1 - y[i]) / (1 - q) : 0) / p.length;
      }
      return g;
    },
  },
  // softmax output (k columns) + categorical cross-entropy of class labels: -log q_label, with
  // q = p / sum(p) clipped to [eps, 1 - eps] (nnlib's and Keras's sparse_categorical_crossentropy)
  categorical_crossentropy: {
    value(y, p) {
      const n = y.length, k = p.length / n;
      let total = 0;
      for (let r = 0; r < n; r++) total -= Math.log(Math.min(Math.max(labelShare(p, r, k, y[r]), EPSILON), 1 - EPSILON));
      return total / n;
    },
    // dL/dz through the softmax in one step: (p - onehot(y)) / n; a row whose label's share is
    // clipped gets 0 (the clipped loss is flat there). nnlib's fit takes this same shortcut.
    gradientThroughSoftmax(y, p) {
      const n = y.length, k = p.length / n;
      const dz = new Float64Array(p.length);
      for (let r = 0; r < n; r++) {
        const q = labelShare(p, r, k, y[r]);
        if (!(q >= EPSILON && q <= 1 - EPSILON)) continue;
        for (let j = 0; j < k; j++) dz[r * k + j] = (p[r * k + j] - (j === y[r] ? 1 : 0)) / n;
      }
      return dz;
    },
  },
  // linear output + mean squared error
  mse: {
    value(y, p) {
      let total = 0;
      for (let i = 0; i < p.length; i++) total += (y[i] - p[i]) * (y[i] - p[i]);
      return total / p.length;
    },
    gradient(y, p) {
      const g = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) g[i] = (2 * (p[i] - y[i])) / p.length;
      return g;
    },
  },
};

function labelShare(p, r, k, label) {
  let s = 0;
  for (let j = 0; j < k; j++) s += p[r * k + j];
  return p[r * k + label] / s;
}

// ---------------------------------------------------------------- regularisers (Keras's L1, L2)
// Added to the loss once per step, not divided by the batch size:
//   penalty = l1 sum |w| + l2 sum w^2 over every kernel (biases are not regularised);
//   its gradient l1 sign(w) + 2 l2 w is added to each kernel's gradient.
export function penalty(kernel, { l1 = 0, l2 = 0 }) {
  let s1 = 0, s2 = 0;
  for (let k = 0; k < kernel.length; k++) { s1 += Math.abs(kernel[k]); s2 += kernel[k] * kernel[k]; }
  return l1 * s1 + l2 * s2;
}

export function addPenaltyGradient(kernel, grad, { l1 = 0, l2 = 0 }) {
  for (let k = 0; k < kernel.length; k++) grad[k] += l1 * Math.sign(kernel[k]) + 2 * l2 * kernel[k];
}

// ---------------------------------------------------------------- the network
export const TASKS = {
  classification: { output: "sigmoid", loss: "binary_crossentropy" }, // two classes, one output
  multiclass: { output: "softmax", loss: "categorical_crossentropy" }, // k classes, k outputs
  regression: { output: "linear", loss: "mse" },
};

/**
 * A stack of Dense layers: sizes = [inputs, hidden..., outputs]. Hidden layers use `activation`; the
 * output and the loss follow the task (TASKS), as nnlib and Keras would be compiled for it.
 * `regularization` = {l1, l2} on every kernel (Keras's kernel_regularizer); `dropout` is the rate of a
 * Dropout layer after each hidden layer (inverted dropout: kept outputs scaled by 1/(1 - rate) while
 * training, nothing changed at inference).
 */
export class Network {
  constructor(sizes, activation, task, rng, { regularization = { l1: 0, l2: 0 }, dropout = 0 } = {}) {
    if (!ACTIVATIONS[activation]) throw new Error(`activation: unknown ${JSON.stringify(activation)}; expected one of ${ACTIVATION_NAMES}`);
    if (!TASKS[task]) throw new Error(`task: unknown ${JSON.stringify(task)}; expected one of ${Object.keys(TASKS)}`);
    this.sizes = sizes.slice();
    this.task = task;
    this.lossName = TASKS[task].loss;
    this.regularization = { l1: regularization.l1 || 0, l2: regularization.l2 || 0 };
    this.dropout = dropout;
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1];
      // glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)); bias zeros
      const limit = Math.sqrt(6 / (nIn + nOut));
      const kernel = new Float64Array(nIn * nOut);
      for (let k = 0; k < kernel.length; k++) kernel[k] = rng.between(-limit, limit);
      const last = l + 2 === sizes.length;
      this.layers.push({
        nIn, nOut, kernel, bias: new Float64Array(nOut),
        activation: last ? TASKS[task].output : activation,
        gradKernel: new Float64Array(nIn * nOut), gradBias: new Float64Array(nOut),
      });
    }
  }

  /** The weights in Keras's order: [kernel0, bias0, kernel1, bias1, ...] as nested arrays. */
  getWeights() {
    const out = [];
    for (const L of this.layers) {
      const k = [];
      for (let i = 0; i < L.nIn; i++) k.push(Array.from(L.kernel.subarray(i * L.nOut, (i + 1) * L.nOut)));
      out.push(k, Array.from(L.bias));
    }
    return out;
  }

  setWeights(weights) {
    if (weights.length !== 2 * this.layers.length) throw new Error(`setWeights: expected ${2 * this.layers.length} arrays, received ${weights.length}`);
    this.layers.forEach((L, l) => {
      const k = weights[2 * l], b = weights[2 * l + 1];
      if (k.length !== L.nIn || k[0].length !== L.nOut || b.length !== L.nOut) throw new Error(`setWeights: layer ${l} expects a (${L.nIn}, ${L.nOut}) kernel and ${L.nOut} biases`);
      for (let i = 0; i < L.nIn; i++) for (let j = 0; j < L.nOut; j++) L.kernel[i * L.nOut + j] = k[i][j];
      for (let j = 0; j < L.nOut; j++) L.bias[j] = b[j];
    });
  }

  /**
   * Forward pass of n rows x: z = x W + b, a = f(z), layer after layer. `masks` (training only) holds
   * one dropout mask per hidden layer, 0 or 1/(1 - rate) per output: that layer passes a * mask on.
   * Returns {zs, hs, as}: as[0] = x, as[l+1] = what layer l passes on, hs[l] = f(z) before dropout.
   */
  forward(x, n, masks = null) {
    const as = [x], zs = [], hs = [];
    let input = x;
    this.layers.forEach((L, l) => {
      const { nIn, nOut, kernel, bias } = L;
      const z = new Float64Array(n * nOut), a = new Float64Array(n * nOut);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < nOut; j++) {
          let s = 0;
          for (let i = 0; i < nIn; i++) s += input[r * nIn + i] * kernel[i * nOut + j];
          z[r * nOut + j] = s + bias[j];
        }
      }
      if (L.activation === "softmax") softmaxRows(z, a, n, nOut);
      else { const f = ACTIVATIONS[L.activation].f; for (let k = 0; k < z.length; k++) a[k] = f(z[k]); }
      hs.push(a);
      let out = a;
      if (masks && masks[l]) { out = new Float64Array(a.length); for (let k = 0; k < a.length; k++) out[k] = a[k] * masks[l][k]; }
      zs.push(z); as.push(out);
      input = out;
    });
    return { zs, hs, as };
  }

  predict(x, n) {
    const { as } = this.forward(x, n);
    return as[as.length - 1];
  }

  /** The data loss of predictions p against targets y (no regularisation). */
  dataLoss(y, p) {
    return LOSSES[this.lossName].value(y, p);
  }

  loss(x, y, n) {
    return this.dataLoss(y, this.predict(x, n));
  }

  /** The regularisation term: the sum of each kernel's penalty. */
  penalty() {
    return this.layers.reduce((s, L) => s + penalty(L.kernel, this.regularization), 0);
  }

  /**
   * Backward pass from a forward pass's {zs, hs, as} (and its dropout masks) and the targets y. Fills
   * each layer's gradKernel = x^T dz (+ the regulariser's gradient) and gradBias = sum of dz over the
   * rows (dz = dL/dz), passing dL/dx = dz W^T down.
   * Returns {loss, deltas}: loss the data loss of this batch; deltas[l] = {da, dz} of layer l.
   */
  backward(pass, y, n, masks = null) {
    const { zs, hs, as } = pass;
    const out = as[as.length - 1];
    const lossFns = LOSSES[this.lossName];
    const loss = lossFns.value(y, out);
    const deltas = [];
    let grad = null; // dL/d(what layer l passes on)
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l];
      const { nIn, nOut, kernel } = L;
      const z = zs[l], a = hs[l], x = as[l];
      let da, dz;
      if (L.activation === "softmax") { // the output layer: the loss's shortcut through softmax
        da = null; dz = lossFns.gradientThroughSoftmax(y, out);
      } else {
        da = grad || lossFns.gradient(y, out);
        if (masks && masks[l]) { const m = masks[l]; da = da.map((g, k) => g * m[k]); }
        const back = ACTIVATIONS[L.activation].backward;
        dz = new Float64Array(n * nOut);
        for (let k = 0; k < dz.length; k++) dz[k] = back(z[k], a[k], da[k]);
      }
      L.gradKernel.fill(0); L.gradBias.fill(0);
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < nIn; i++) {
          const xi = x[r * nIn + i];
          for (let j = 0; j < nOut; j++) L.gradKernel[i * nOut + j] += xi * dz[r * nOut + j];
        }
        for (let j = 0; j < nOut; j++) L.gradBias[j] += dz[r * nOut + j];
      }
      addPenaltyGradient(kernel, L.gradKernel, this.regularization);
      deltas[l] = { da, dz };
      if (l > 0) {
        const dx = new Float64Array(n * nIn);
        for (let r = 0; r < n; r++) {
          for (let i = 0; i < nIn; i++) {
            let s = 0;
            for (let j = 0; j < nOut; j++) s += dz[r * nOut + j] * kernel[i * nOut + j];
            dx[r * nIn + i] = s;
          }
        }
        grad = dx;
      }
    }
    return { loss, deltas };
  }

  /** [[weight, gradient], ...] in Keras's order, for an optimizer. */
  pairs() {
    const p = [];
    for (const L of this.layers) p.push([L.kernel, L.gradKernel], [L.bias, L.gradBias]);
    return p;
  }
}

// ---------------------------------------------------------------- optimizers (nnlib/optimizers.py)
/**
 * SGD: m <- mu m - lr g, w <- w + m (mu = 0: w <- w - lr g).
 * Adam (t = 1, 2, ...): m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2),
 *   w -= m alpha / (sqrt(v) + eps), alpha = lr sqrt(1 - b2^t) / (1 - b1^t).
 * Keras's defaults: momentum 0.9 for "momentum", b1 0.9, b2 0.999, eps 1e-7.
 */
export const OPTIMIZER_NAMES = ["sgd", "momentum", "adam"];

export function makeOptimizer(name, learningRate) {
  if (!OPTIMIZER_NAMES.includes(name)) throw new Error(`optimizer: unknown ${JSON.stringify(name)}; expected one of ${OPTIMIZER_NAMES}`);
  const slots = new Map(); // weight array -> its state arrays
  const slotsFor = (w, count) => {
    if (!slots.has(w)) slots.set(w, Array.from({ length: count }, () => new Float64Array(w.length)));
    return slots.get(w);
  };
  const opt = {
    name, learningRate, iterations: 0,
    momentum: name === "momentum" ? 0.9 : 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-7,
    apply(pairs) {
      const lr = opt.learningRate;
      if (name === "adam") {
        const t = opt.iterations + 1;
        const b1 = opt.beta1, b2 = opt.beta2;
        const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        for (const [w, g] of pairs) {
          const [m, v] = slotsFor(w, 2);
          for (let k = 0; k < w.length; k++) {
            m[k] += (g[k] - m[k]) * (1 - b1);
            v[k] += (g[k] * g[k] - v[k]) * (1 - b2);
            w[k] -= (m[k] * alpha) / (Math.sqrt(v[k]) + opt.epsilon);
          }
        }
      } else if (opt.momentum === 0) {
        for (const [w, g] of pairs) for (let k = 0; k < w.length; k++) w[k] -= g[k] * lr;
      } else {
        const mu = opt.momentum;
        for (const [w, g] of pairs) {
          const [m] = slotsFor(w, 1);
          for (let k = 0; k < w.length; k++) {
            m[k] = m[k] * mu - g[k] * lr;
            w[k] += m[k];
          }
        }
      }
      opt.iterations += 1;
    },
  };
  return opt;
}
