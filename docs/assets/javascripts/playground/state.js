// The playground's configuration: defaults, presets, checks, and the URL query string that holds it.
import { DATASET_NAMES, FEATURE_NAMES, MAX_CLASSES, MULTICLASS_DATASETS } from "./data.js";
import { ACTIVATION_NAMES, OPTIMIZER_NAMES } from "./nn.js";

export const LEARNING_RATES = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const BATCH_SIZES = [1, 4, 10, 32, 100, "all"];
export const PENALTY_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1];
export const DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.5];

export const DEFAULTS = {
  dataset: "xor", classes: 2, noise: 0.1, ratio: 0.5, n: 200, seed: 1,
  features: ["x1", "x2"], hidden: [4], activation: "tanh",
  learningRate: 0.03, batchSize: 10, optimizer: "sgd", l1: 0, l2: 0, dropout: 0, init: 0, added: [],
};

/** Parts of the page a URL can hide (`hide=data,features,...`), as TensorFlow Playground's _hide flags:
 * an embedded playground shows only what its chapter teaches. `chrome` hides the site around it. */
export const HIDEABLE = ["presets", "data", "features", "network", "training", "regularization", "diagram", "stepper", "export", "chrome"];

export const PRESETS = {
  "xor-no-hidden": { title: "XOR with no hidden layer cannot be learned", dataset: "xor", hidden: [], features: ["x1", "x2"], learningRate: 0.1 },
  "xor-4-tanh": { title: "XOR with one hidden layer of 4 tanh units", dataset: "xor", hidden: [4], activation: "tanh", features: ["x1", "x2"], learningRate: 0.1 },
  "xor-product-feature": { title: "XOR with no hidden layer but the feature x1·x2", dataset: "xor", hidden: [], features: ["x1", "x2", "x1x2"], learningRate: 0.1 },
  "spiral-deep-sigmoid": { title: "Spiral, three sigmoid layers: slow to learn", dataset: "spiral", hidden: [8, 8, 8], activation: "sigmoid", learningRate: 0.03, optimizer: "sgd" },
  "spiral-deep-relu": { title: "Spiral, three ReLU layers", dataset: "spiral", hidden: [8, 8, 8], activation: "relu", learningRate: 0.03, optimizer: "adam" },
  "circles-lr-too-large": { title: "Circles with a learning rate that is too large", dataset: "circles", hidden: [4], activation: "tanh", learningRate: 10, optimizer: "sgd" },
  "circles-momentum": { title: "Circles with momentum", dataset: "circles", hidden: [4], activation: "tanh", learningRate: 0.03, optimizer: "momentum" },
  "moons-overfit": { title: "Two noisy moons, few points, a wide network: train and test loss part", dataset: "moons", n: 60, noise: 0.5, ratio: 0.5, hidden: [8, 8], activation: "relu", learningRate: 0.03, optimizer: "adam", batchSize: 4 },
  "moons-overfit-l2": { title: "The same, with L2 regularisation: the gap closes", dataset: "moons", n: 60, noise: 0.5, ratio: 0.5, hidden: [8, 8], activation: "relu", learningRate: 0.03, optimizer: "adam", batchSize: 4, l2: 0.01 },
  "moons-overfit-dropout": { title: "The same, with dropout 0.3 on the hidden layers", dataset: "moons", n: 60, noise: 0.5, ratio: 0.5, hidden: [8, 8], activation: "relu", learningRate: 0.03, optimizer: "adam", batchSize: 4, dropout: 0.3 },
  "blobs-3-softmax": { title: "Three blobs: a softmax output with three units", dataset: "blobs", classes: 3, noise: 0.2, hidden: [4], activation: "tanh", learningRate: 0.1, optimizer: "sgd" },
  "spiral-3-arms": { title: "A spiral with three arms, three classes", dataset: "spiral", classes: 3, n: 300, noise: 0.1, hidden: [8, 8], activation: "relu", learningRate: 0.03, optimizer: "adam" },
  "blobs-5-classes": { title: "Five blobs, five classes", dataset: "blobs", classes: 5, n: 300, noise: 0.2, hidden: [8], activation: "tanh", learningRate: 0.03, optimizer: "adam" },
  "regression-tanh": { title: "A 1-D curve fitted with 8 tanh units", dataset: "regression", features: ["x1"], hidden: [8], activation: "tanh", learningRate: 0.03, optimizer: "adam", noise: 0.1 },
  "regression-diverges": { title: "A learning rate so large that the loss overflows", dataset: "regression", features: ["x1"], hidden: [8], activation: "relu", learningRate: 3, optimizer: "sgd", batchSize: "all" },
};

function fail(name, value, expected) {
  throw new Error(`configure: ${name} must be ${expected}; received ${JSON.stringify(value)}`);
}

/** The task a configuration trains for: regression, or two classes, or more (softmax). */
export function taskOf(s, csvTask = null) {
  if (s.dataset === "regression" || (s.dataset === "csv" && csvTask === "regression")) return "regression";
  return s.classes > 2 ? "multiclass" : "classification";
}

/**
 * A complete, checked configuration from `base` updated with `changes` (errors name the key).
 * `csvTask` is the task of the loaded CSV data ("classification" or "regression"), if any.
 */
export function validate(base, changes, csvTask = null) {
  const known = Object.keys(DEFAULTS);
  for (const key of Object.keys(changes)) if (!known.includes(key)) fail("each key", key, `one of ${known.join(", ")}`);
  const s = { ...base, ...changes };
  const inRange = (name, lo, hi) => { if (typeof s[name] !== "number" || !(s[name] >= lo && s[name] <= hi)) fail(name, s[name], `a number in [${lo}, ${hi}]`); };
  if (!DATASET_NAMES.includes(s.dataset)) fail("dataset", s.dataset, `one of ${DATASET_NAMES.join(", ")}`);
  if (!Number.isInteger(s.classes) || s.classes < 2 || s.classes > MAX_CLASSES) fail("classes", s.classes, `an integer from 2 to ${MAX_CLASSES}`);
  if (!MULTICLASS_DATASETS.includes(s.dataset) && s.dataset !== "csv") s.classes = 2; // two-class data sets
  inRange("l1", 0, 1); inRange("l2", 0, 1); inRange("dropout", 0, 0.9);
  if (!Number.isInteger(s.init) || s.init < 0) fail("init", s.init, "a non-negative integer (which draw of initial weights)");
  inRange("noise", 0, 1); inRange("ratio", 0.1, 0.9); inRange("n", 10, 1000); inRange("seed", 0, 2 ** 31);
  s.n = Math.round(s.n); s.seed = Math.round(s.seed);
  if (!Array.isArray(s.features) || !s.features.length || s.features.some((f) => !FEATURE_NAMES.includes(f))) fail("features", s.features, `a non-empty list of ${FEATURE_NAMES.join(", ")}`);
  s.features = FEATURE_NAMES.filter((f) => s.features.includes(f)); // canonical order
  if (!Array.isArray(s.hidden) || s.hidden.length > 4 || s.hidden.some((u) => !Number.isInteger(u) || u < 1 || u > 8)) fail("hidden", s.hidden, "a list of 0 to 4 layer sizes, each 1 to 8 units");
  if (!ACTIVATION_NAMES.includes(s.activation)) fail("activation", s.activation, `one of ${ACTIVATION_NAMES.join(", ")}`);
  if (typeof s.learningRate !== "number" || !(s.learningRate > 0 && s.learningRate <= 10)) fail("learningRate", s.learningRate, "a number in (0, 10]");
  if (!(s.batchSize === "all" || (Number.isInteger(s.batchSize) && s.batchSize >= 1 && s.batchSize <= 1000))) fail("batchSize", s.batchSize, '"all" or an integer in [1, 1000]');
  if (!OPTIMIZER_NAMES.includes(s.optimizer)) fail("optimizer", s.optimizer, `one of ${OPTIMIZER_NAMES.join(", ")}`);
  if (!Array.isArray(s.added) || s.added.some((p) => !Array.isArray(p) || p.length !== 3 || p.some((v) => typeof v !== "number" || !Number.isFinite(v)))) fail("added", s.added, "a list of [x1, x2, y] points");
  if (taskOf(s, csvTask) !== "regression" && s.added.some(([, , y]) => !(Number.isInteger(y) && y >= 0 && y < s.classes))) {
    fail("added", s.added, `points [x1, x2, class] with a class from 0 to ${s.classes - 1}`);
  }
  if (taskOf(s, csvTask) === "regression" && s.features.some((f) => f.includes("2"))) s.features = s.features.filter((f) => !f.includes("2")).length ? s.features.filter((f) => !f.includes("2")) : ["x1"];
  return s;
}

export function fromPreset(name) {
  if (!PRESETS[name]) throw new Error(`load: unknown preset ${JSON.stringify(name)}; expected one of ${Object.keys(PRESETS).join(", ")}`);
  const { title, ...changes } = PRESETS[name];
  return validate(DEFAULTS, changes);
}

const round = (v) => Number(v.toFixed(3));

/** The query string of a configuration (only what differs from the defaults). */
export function toQuery(s) {
  const q = new URLSearchParams();
  const put = (key, value, dflt) => { if (value !== dflt) q.set(key, value); };
  put("data", s.dataset, DEFAULTS.dataset); put("noise", String(s.noise), String(DEFAULTS.noise));
  put("ratio", String(s.ratio), String(DEFAULTS.ratio)); put("n", String(s.n), String(DEFAULTS.n));
  put("seed", String(s.seed), String(DEFAULTS.seed));
  put("features", s.features.join(","), DEFAULTS.features.join(","));
  put("hidden", s.hidden.join(","), DEFAULTS.hidden.join(","));
  put("act", s.activation, DEFAULTS.activation); put("lr", String(s.learningRate), String(DEFAULTS.learningRate));
  put("batch", String(s.batchSize), String(DEFAULTS.batchSize)); put("opt", s.optimizer, DEFAULTS.optimizer);
  put("classes", String(s.classes), String(DEFAULTS.classes)); put("l1", String(s.l1), String(DEFAULTS.l1));
  put("l2", String(s.l2), String(DEFAULTS.l2)); put("dropout", String(s.dropout), String(DEFAULTS.dropout));
  put("init", String(s.init), String(DEFAULTS.init));
  if (s.added.length) q.set("points", s.added.map((p) => p.map(round).join(":")).join(";"));
  return q.toString();
}

/** A configuration from a query string (`preset=` first, then any explicit keys over it). */
export function fromQuery(text) {
  const q = new URLSearchParams(text);
  let base = q.has("preset") ? fromPreset(q.get("preset")) : DEFAULTS;
  const changes = {};
  const num = (key, name) => { if (q.has(key)) changes[name] = Number(q.get(key)); };
  if (q.has("data")) changes.dataset = q.get("data");
  num("noise", "noise"); num("ratio", "ratio"); num("n", "n"); num("seed", "seed"); num("lr", "learningRate");
  num("classes", "classes"); num("l1", "l1"); num("l2", "l2"); num("dropout", "dropout"); num("init", "init");
  if (q.has("features")) changes.features = q.get("features").split(",").filter(Boolean);
  if (q.has("hidden")) changes.hidden = q.get("hidden").split(",").filter(Boolean).map(Number);
  if (q.has("act")) changes.activation = q.get("act");
  if (q.has("batch")) changes.batchSize = q.get("batch") === "all" ? "all" : Number(q.get("batch"));
  if (q.has("opt")) changes.optimizer = q.get("opt");
  if (q.has("points")) changes.added = q.get("points").split(";").filter(Boolean).map((p) => p.split(":").map(Number));
  return validate(base, changes);
}

/** The parts a query string hides (`hide=a,b`), each checked against HIDEABLE. */
export function hiddenParts(text) {
  const q = new URLSearchParams(text);
  const parts = (q.get("hide") || "").split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of parts) if (!HIDEABLE.includes(p)) fail("hide", p, `one of ${HIDEABLE.join(", ")}`);
  return parts;
}
