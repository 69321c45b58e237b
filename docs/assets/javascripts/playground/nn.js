// The network's math, in float64, with the formulas nnlib uses (nnlib/activations.py, losses.py,
// layers.py, optimizers.py), which are Keras 3's. Forward and backward side by side.
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

// ---------------------------------------------------------------- losses (one output per row)
// Keras's reduction "sum_over_batch_size": the mean over the last axis (one output here), then the
// sum of the per-row losses divided by the number of rows.
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

// ---------------------------------------------------------------- the network
/**
 * A stack of Dense layers: sizes = [inputs, hidden..., 1]. Hidden layers use `activation`; the output
 * is sigmoid (task "classification", loss binary cross-entropy) or linear (task "regression", MSE),
 * as nnlib and Keras would be compiled for those tasks.
 */
export class Network {
  constructor(sizes, activation, task, rng) {
    if (!ACTIVATIONS[activation]) throw new Error(`activation: unknown ${JSON.stringify(activation)}; expected one of ${ACTIVATION_NAMES}`);
    this.sizes = sizes.slice();
    this.task = task;
    this.lossName = task === "regression" ? "mse" : "binary_crossentropy";
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
        activation: last ? (task === "regression" ? "linear" : "sigmoid") : activation,
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
   * Forward pass of n rows x: z = x W + b, a = f(z), layer after layer.
   * Returns {zs, as}: as[0] = x, as[l+1] = layer l's output; zs[l] its pre-activation.
   */
  forward(x, n) {
    const as = [x], zs = [];
    let input = x;
    for (const L of this.layers) {
      const { nIn, nOut, kernel, bias } = L;
      const f = ACTIVATIONS[L.activation].f;
      const z = new Float64Array(n * nOut), a = new Float64Array(n * nOut);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < nOut; j++) {
          let s = 0;
          for (let i = 0; i < nIn; i++) s += input[r * nIn + i] * kernel[i * nOut + j];
          s += bias[j];
          z[r * nOut + j] = s;
          a[r * nOut + j] = f(s);
        }
      }
      zs.push(z); as.push(a);
      input = a;
    }
    return { zs, as };
  }

  predict(x, n) {
    const { as } = this.forward(x, n);
    return as[as.length - 1];
  }

  loss(x, y, n) {
    return LOSSES[this.lossName].value(y, this.predict(x, n));
  }

  /**
   * Backward pass from a forward pass's {zs, as} and the targets y. Fills each layer's gradKernel =
   * x^T dz and gradBias = sum of dz over the rows (dz = dL/dz), passing dL/dx = dz W^T down.
   * Returns {loss, deltas}: deltas[l] = {da, dz} of layer l (for the step-through view).
   */
  backward(pass, y, n) {
    const { zs, as } = pass;
    const out = as[as.length - 1];
    const lossFns = LOSSES[this.lossName];
    const loss = lossFns.value(y, out);
    let grad = lossFns.gradient(y, out); // dL/da of the output layer
    const deltas = [];
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l];
      const { nIn, nOut, kernel } = L;
      const back = ACTIVATIONS[L.activation].backward;
      const z = zs[l], a = as[l + 1], x = as[l];
      const dz = new Float64Array(n * nOut);
      for (let k = 0; k < dz.length; k++) dz[k] = back(z[k], a[k], grad[k]);
      L.gradKernel.fill(0); L.gradBias.fill(0);
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < nIn; i++) {
          const xi = x[r * nIn + i];
          for (let j = 0; j < nOut; j++) L.gradKernel[i * nOut + j] += xi * dz[r * nOut + j];
        }
        for (let j = 0; j < nOut; j++) L.gradBias[j] += dz[r * nOut + j];
      }
      deltas[l] = { da: grad, dz };
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
