// The training loop: mini-batches in a shuffled order, dropout masks, one optimizer update per batch.
// No DOM: app.js calls step(), tests/js/train.test.mjs checks it against nnlib's fit.
import { makeRng } from "./rng.js";

/**
 * A trainer for `net` with optimizer `opt` on the training rows {x (n*d), y (n), n, d}.
 * Batches: all rows in order when batchSize is "all" or >= n (what nnlib's fit does with
 * shuffle=False); otherwise consecutive slices of a new seeded permutation each epoch, the last
 * slice of an epoch possibly shorter (as Keras keeps the last partial batch).
 * Dropout: each hidden output is kept with probability q = 1 - rate, drawn anew every batch from a
 * seeded generator, and scaled by 1/q (inverted dropout, nnlib's and Keras's Dropout).
 */
export function makeTrainer(net, opt, data, { batchSize, seed }) {
  const { x, y, n, d } = data;
  const dropoutRng = makeRng(seed * 977 + 5);
  let order = null, cursor = 0, epoch = 0;

  function nextRows() {
    const size = batchSize === "all" ? n : Math.min(batchSize, n);
    if (size === n) return null;
    if (!order || cursor >= n) { order = makeRng(seed * 131 + epoch).permutation(n); cursor = 0; epoch += 1; }
    const rows = order.slice(cursor, cursor + size);
    cursor += size;
    return rows;
  }

  function masksFor(m) {
    if (!(net.dropout > 0)) return null;
    const keep = 1 - net.dropout;
    return net.layers.slice(0, -1).map((L) => {
      const mask = new Float64Array(m * L.nOut);
      for (let k = 0; k < mask.length; k++) mask[k] = dropoutRng.uniform() < keep ? 1 / keep : 0;
      return mask;
    });
  }

  /**
   * One optimizer update on the next batch; `masks` replaces the drawn dropout masks (tests).
   * Returns the batch's data loss. A batch whose loss is not finite changes no weight (as nnlib's
   * fit): the caller stops and says why.
   */
  function step(masks = undefined) {
    if (!n) return NaN;
    const rows = nextRows();
    let xb = x, yb = y, m = n;
    if (rows) {
      m = rows.length; xb = new Float64Array(m * d); yb = new Float64Array(m);
      rows.forEach((r, k) => { for (let c = 0; c < d; c++) xb[k * d + c] = x[r * d + c]; yb[k] = y[r]; });
    }
    const drop = masks === undefined ? masksFor(m) : masks;
    const { loss } = net.backward(net.forward(xb, m, drop), yb, m, drop);
    if (!Number.isFinite(loss)) return loss;
    opt.apply(net.pairs());
    return loss;
  }

  return { step, get epoch() { return epoch; } };
}
