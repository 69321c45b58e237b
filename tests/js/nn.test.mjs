// nn.js against nnlib (float64): activations, losses, regularisers, and whole networks: forward
// values, data loss, gradients. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";
import { FIXTURES, PLAYGROUND, assertClose, flat, networkFor } from "./helpers.mjs";

const { LOSSES, Network, addPenaltyGradient, penalty, softmaxRows } = await import(new URL("nn.js", PLAYGROUND));
const { makeRng } = await import(new URL("rng.js", PLAYGROUND));
const F = FIXTURES.functions;

test("softmax of each row equals nnlib's, also for scores of +-1000", () => {
  const a = new Float64Array(F.softmax.z.length);
  softmaxRows(Float64Array.from(F.softmax.z), a, F.softmax.z.length / F.softmax.k, F.softmax.k);
  assertClose(a, F.softmax.a, 1e-15, "softmax");
});

test("categorical cross-entropy and its shortcut through softmax equal nnlib's, clipped rows included", () => {
  const c = F.categorical_crossentropy, y = Float64Array.from(c.y), p = Float64Array.from(c.p);
  assertClose([LOSSES.categorical_crossentropy.value(y, p)], [c.loss], 1e-12, "loss");
  assertClose(LOSSES.categorical_crossentropy.gradientThroughSoftmax(y, p), c.dz, 1e-15, "dL/dz");
  assert.ok(c.dz.slice(3, 6).every((v) => v === 0), "the row whose label's probability is clipped has no gradient");
});

test("binary cross-entropy and mean squared error: values and gradients equal nnlib's", () => {
  for (const name of ["binary_crossentropy", "mse"]) {
    const c = F[name], y = Float64Array.from(c.y), p = Float64Array.from(c.p);
    assertClose([LOSSES[name].value(y, p)], [c.loss], 1e-12, `${name} value`);
    assertClose(LOSSES[name].gradient(y, p), c.gradient, 1e-9, `${name} gradient`);
  }
});

test("the L1 + L2 penalty and its gradient equal nnlib's regulariser, a zero weight included", () => {
  const c = F.regularizer, kernel = Float64Array.from(c.kernel);
  assertClose([penalty(kernel, c)], [c.penalty], 1e-15, "penalty");
  const grad = new Float64Array(kernel.length);
  addPenaltyGradient(kernel, grad, c);
  assertClose(grad, c.gradient, 1e-15, "penalty gradient");
});

for (const c of FIXTURES.networks) {
  test(`${c.name}: forward values (inference: no dropout) equal nnlib's predict`, () => {
    const net = networkFor(c);
    assertClose(net.predict(flat(c.x), c.x.length), c.forward, 1e-12, "forward");
    assertClose([net.penalty()], [c.penalty], 1e-12, "regularisation term");
  });
  if (c.gradients) {
    test(`${c.name}: data loss and gradients equal nnlib's`, () => {
      const net = networkFor(c), x = flat(c.x), n = c.x.length;
      const { loss } = net.backward(net.forward(x, n), Float64Array.from(c.y), n);
      assertClose([loss], [c.loss], 1e-12, "loss");
      assertClose(net.layers.flatMap((L) => [Array.from(L.gradKernel), Array.from(L.gradBias)]), c.gradients, 1e-12, "gradients");
    });
  }
}

test("a network refuses an unknown activation or task, naming the valid ones", () => {
  assert.throws(() => new Network([2, 1], "gelu", "classification", makeRng(1)), /activation: unknown "gelu"; expected one of relu/);
  assert.throws(() => new Network([2, 1], "tanh", "ranking", makeRng(1)), /task: unknown "ranking"; expected one of classification,multiclass,regression/);
});
