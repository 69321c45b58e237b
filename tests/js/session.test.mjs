// session.js: what the page trains, without the page. Softmax on three or five classes, the
// regularisation preset closing the train/test gap, a divergence that stops and a reset that recovers,
// the two resets, and CSV data.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PLAYGROUND } from "./helpers.mjs";

const { Session } = await import(new URL("session.js", PLAYGROUND));
const { fromPreset, validate } = await import(new URL("state.js", PLAYGROUND));
const { parseCsv } = await import(new URL("csv.js", PLAYGROUND));

function sessionOf(preset, changes = {}) {
  const s = new Session();
  s.rebuild(validate(fromPreset(preset), changes));
  return s;
}

test("three blobs: a softmax output of three units learns them; each prediction is a row of probabilities", () => {
  const s = sessionOf("blobs-3-softmax");
  assert.equal(s.task, "multiclass");
  assert.deepEqual(s.net.sizes, [2, 4, 3]);
  assert.equal(s.net.layers[1].activation, "softmax");
  assert.deepEqual([...new Set(s.train.map((p) => p.y))].sort(), [0, 1, 2]);
  const before = s.record().trainLoss;
  s.trainSteps(300);
  const { right, total } = s.accuracy();
  assert.ok(right / total > 0.95 && s.record().trainLoss < 0.2 * before, `${right}/${total}`);
  const [row] = s.predictPairs([[0.5, 1]]);
  assert.equal(row.length, 3);
  assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-12);
});

test("five classes and a spiral of three arms have every class among their points", () => {
  for (const [preset, k] of [["blobs-5-classes", 5], ["spiral-3-arms", 3]]) {
    const s = sessionOf(preset);
    assert.equal(s.net.sizes.at(-1), k);
    assert.deepEqual([...new Set(s.train.concat(s.test).map((p) => p.y))].sort(), [...Array(k).keys()]);
  }
});

test("L2 regularisation closes the gap between training and test loss that the same network opens without it", () => {
  const gap = (s) => { s.trainSteps(1000); const r = s.record(); return { ...r, gap: r.testLoss - r.trainLoss, s }; };
  const plain = gap(sessionOf("moons-overfit")), regularised = gap(sessionOf("moons-overfit-l2"));
  assert.ok(plain.gap > 0.8, `without: gap ${plain.gap}`);
  assert.ok(regularised.gap < 0.3 * plain.gap, `with L2: gap ${regularised.gap}, without ${plain.gap}`);
  assert.ok(regularised.testLoss < plain.testLoss);
  // the regularisation term is recorded apart from the data loss
  assert.equal(plain.penalty, 0);
  const { net, xTrain, yTrain, train } = regularised.s;
  assert.ok(regularised.penalty > 0.05);
  assert.equal(regularised.penalty, net.penalty());
  assert.equal(regularised.trainLoss, net.loss(xTrain, yTrain, train.length), "the training loss shown is the data loss alone");
});

test("a learning rate that overflows the loss stops training, says at which step, and Reset recovers", () => {
  const s = sessionOf("regression-diverges");
  const start = s.record().trainLoss;
  const result = s.trainSteps(500);
  assert.ok(result.diverged && result.diverged.step < 500 && !Number.isFinite(result.diverged.loss));
  assert.equal(s.steps, result.diverged.step, "no step is counted after the loss stopped being finite");
  const steps = s.steps;
  s.trainSteps(10);
  assert.equal(s.steps, steps, "a diverged session trains no further until reset");
  s.restart();
  assert.equal(s.diverged, null);
  assert.equal(s.steps, 0);
  assert.equal(s.record().trainLoss, start);
  s.retune(validate(s.state, { learningRate: 0.01 }));
  assert.ok(s.trainSteps(100).trainLoss < start);
});

test("Reset keeps the initial weights; a new init draws others; the same init draws the same again", () => {
  const s = sessionOf("xor-4-tanh");
  const initial = JSON.stringify(s.net.getWeights());
  s.trainSteps(20);
  assert.notEqual(JSON.stringify(s.net.getWeights()), initial);
  s.restart();
  assert.equal(JSON.stringify(s.net.getWeights()), initial);
  s.rebuild(validate(s.state, { init: 1 }));
  assert.notEqual(JSON.stringify(s.net.getWeights()), initial);
  s.rebuild(validate(s.state, { init: 0 }));
  assert.equal(JSON.stringify(s.net.getWeights()), initial);
});

test("CSV data: its own split is kept, labels 0-3 make four softmax outputs; a CSV curve uses x1 only", () => {
  const s = new Session();
  s.csv = parseCsv("x1,x2,label,split\n0,0,0,train\n1,1,1,train\n-1,1,2,test\n1,-1,3,train\n");
  s.rebuild(validate(fromPreset("xor-4-tanh"), { dataset: "csv", classes: s.csv.classes }, s.csv.task));
  assert.equal(s.train.length, 3);
  assert.equal(s.test.length, 1);
  assert.deepEqual(s.net.sizes, [2, 4, 4]);
  s.csv = parseCsv("x1,target\n0,1\n1,2\n-1,0\n2,3\n");
  const state = validate(fromPreset("xor-4-tanh"), { dataset: "csv", features: ["x1", "x2", "x1x2"] }, s.csv.task);
  s.rebuild(state);
  assert.equal(s.task, "regression");
  assert.deepEqual(state.features, ["x1"]);
  assert.equal(s.train.length + s.test.length, 4);
});
