// Shared by the Node tests: the fixtures nnlib computed (make_fixtures.py) and closeness checks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

export const FIXTURES = JSON.parse(readFileSync(new URL("./fixtures.json", import.meta.url), "utf8"));
export const PLAYGROUND = new URL("../../docs/assets/javascripts/playground/", import.meta.url);

/** Every entry of `actual` within `atol` of `expected` (flattened nested arrays), with the worst named. */
export function assertClose(actual, expected, atol, what) {
  const a = Array.from(actual).flat(Infinity), e = Array.from(expected).flat(Infinity);
  assert.equal(a.length, e.length, `${what}: ${a.length} numbers, expected ${e.length}`);
  let worst = 0, at = -1;
  a.forEach((v, k) => { const d = Math.abs(v - e[k]); if (!(d <= worst)) { worst = d; at = k; } });
  assert.ok(worst <= atol, `${what}: entry ${at} is ${a[at]}, nnlib ${e[at]} (difference ${worst} > ${atol})`);
}

/** A Float64Array of the rows of a nested array. */
export const flat = (rows) => Float64Array.from(rows.flat(Infinity));

const { Network } = await import(new URL("nn.js", PLAYGROUND));
const { makeRng } = await import(new URL("rng.js", PLAYGROUND));

/** The page's Network for a fixture case, with nnlib's weights. */
export function networkFor(c) {
  const net = new Network(c.sizes, c.activation, c.task, makeRng(1), { regularization: { l1: c.l1, l2: c.l2 }, dropout: c.dropout });
  net.setWeights(c.weights);
  return net;
}
