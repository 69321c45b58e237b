// state.js: the configuration's checks and its address form, hide= included.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PLAYGROUND } from "./helpers.mjs";

const { DEFAULTS, HIDEABLE, PRESETS, fromPreset, fromQuery, hiddenParts, taskOf, toQuery, validate } = await import(new URL("state.js", PLAYGROUND));

test("every preset is a valid configuration, and round-trips through the address", () => {
  for (const name of Object.keys(PRESETS)) {
    const state = fromPreset(name);
    assert.deepEqual(fromQuery(toQuery(state)), state, name);
  }
});

test("the second round's settings round-trip: classes, l1, l2, dropout, init", () => {
  const state = validate(DEFAULTS, { dataset: "spiral", classes: 4, l1: 0.001, l2: 0.03, dropout: 0.3, init: 5, added: [[1, 1, 3]] });
  assert.equal(toQuery(state), "data=spiral&classes=4&l1=0.001&l2=0.03&dropout=0.3&init=5&points=1%3A1%3A3");
  assert.deepEqual(fromQuery(toQuery(state)), state);
  assert.equal(taskOf(state), "multiclass");
});

test("two-class data sets keep two classes; a regression drops the features of x2", () => {
  assert.equal(validate(DEFAULTS, { dataset: "moons", classes: 4 }).classes, 2);
  assert.deepEqual(validate(DEFAULTS, { dataset: "regression", features: ["x1", "x2", "x1sq"] }).features, ["x1", "x1sq"]);
  assert.equal(taskOf(validate(DEFAULTS, { dataset: "csv" }), "regression"), "regression");
});

test("bad values are refused, naming the key, the value and what is expected", () => {
  const refused = [
    [{ classes: 6 }, /classes must be an integer from 2 to 5; received 6/],
    [{ l2: -1 }, /l2 must be a number in \[0, 1\]; received -1/],
    [{ dropout: 0.95 }, /dropout must be a number in \[0, 0.9\]; received 0.95/],
    [{ init: 1.5 }, /init must be a non-negative integer/],
    [{ dataset: "blobs", classes: 3, added: [[0, 0, 3]] }, /added must be points \[x1, x2, class\] with a class from 0 to 2/],
    [{ regularisation: 1 }, /each key must be one of dataset, classes/],
  ];
  for (const [changes, message] of refused) assert.throws(() => validate(DEFAULTS, changes), message);
});

test("hide= lists parts of the page; an unknown part is refused with the valid ones", () => {
  assert.deepEqual(hiddenParts("preset=xor-4-tanh&hide=data,features,chrome"), ["data", "features", "chrome"]);
  assert.deepEqual(hiddenParts("preset=xor-4-tanh"), []);
  assert.throws(() => hiddenParts("hide=data,toolbar"), new RegExp(`hide must be one of ${HIDEABLE.join(", ")}; received "toolbar"`));
});
