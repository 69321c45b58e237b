// train.js and the optimizers against nnlib's fit (float64): one step of every row, several steps of
// each optimizer, regularisers, dropout with nnlib's masks, and mini-batches in the page's shuffled order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FIXTURES, PLAYGROUND, assertClose, flat, networkFor } from "./helpers.mjs";

const { makeOptimizer } = await import(new URL("nn.js", PLAYGROUND));
const { makeTrainer } = await import(new URL("train.js", PLAYGROUND));
const { makeRng } = await import(new URL("rng.js", PLAYGROUND));

function trainerFor(c) {
  const net = networkFor(c);
  const opt = makeOptimizer(c.optimizer, c.learningRate);
  const data = { x: flat(c.x), y: Float64Array.from(c.y), n: c.x.length, d: c.sizes[0] };
  return { net, trainer: makeTrainer(net, opt, data, { batchSize: c.batchSize, seed: c.seed }) };
}

for (const c of FIXTURES.networks) {
  test(`${c.name}: ${c.steps} step(s) of ${c.optimizer} equal nnlib's fit within 1e-9`, () => {
    const { net, trainer } = trainerFor(c);
    for (let s = 0; s < c.steps; s++) {
      const loss = trainer.step(c.masks ? c.masks[s].map((m) => Float64Array.from(m)) : undefined);
      assert.ok(Number.isFinite(loss));
    }
    assertClose(net.getWeights(), c.after, 1e-9, "weights after the steps");
    const moved = Math.max(...net.getWeights().flat(Infinity).map((w, k) => Math.abs(w - c.weights.flat(Infinity)[k])));
    assert.ok(moved > 1e-4, "the steps must move the weights for the comparison to mean anything");
  });
}

test("the page's shuffle is the permutation the fixtures replayed in nnlib (rng.js = its Python port)", () => {
  const { seed, n, order } = FIXTURES.functions.permutation;
  assert.deepEqual(makeRng(seed).permutation(n), order);
});

test("dropout: kept outputs scaled by 1/(1 - rate), about a fraction rate dropped, new masks every step", () => {
  const c = FIXTURES.networks.find((k) => k.dropout > 0), keep = 1 - c.dropout;
  const { net } = trainerFor(c);
  const seen = [];
  const spy = net.forward.bind(net);
  net.forward = (x, n, masks) => { seen.push(masks); return spy(x, n, masks); };
  const opt = makeOptimizer("sgd", 0.01);
  const data = { x: flat(c.x), y: Float64Array.from(c.y), n: c.x.length, d: c.sizes[0] };
  const trainer = makeTrainer(net, opt, data, { batchSize: "all", seed: 3 });
  for (let s = 0; s < 40; s++) trainer.step();
  const values = seen.flatMap((m) => Array.from(m[0]));
  assert.deepEqual([...new Set(values)].sort(), [0, 1 / keep]);
  const dropped = values.filter((v) => v === 0).length / values.length;
  assert.ok(Math.abs(dropped - c.dropout) < 0.05, `dropped ${dropped}, rate ${c.dropout}`);
  assert.notDeepEqual(Array.from(seen[0][0]), Array.from(seen[1][0]));
});

test("a step whose loss is not finite changes no weight", () => {
  const c = FIXTURES.networks[0];
  const { net, trainer } = trainerFor({ ...c, x: c.x.map((r) => r.map(() => NaN)) });
  const before = JSON.stringify(net.getWeights());
  assert.ok(Number.isNaN(trainer.step()));
  assert.equal(JSON.stringify(net.getWeights()), before);
});
