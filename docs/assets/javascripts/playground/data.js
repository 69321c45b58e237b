// Data sets, input features and the train/test split. Points live in the square [-3, 3]^2.
import { makeRng } from "./rng.js";

export const DOMAIN = 3;
export const DATASETS = {
  xor: "XOR (quadrants)",
  circles: "Circles",
  moons: "Two moons",
  spiral: "Spiral",
  blobs: "Gaussian blobs",
  regression: "1-D regression curve",
  csv: "Your own data (CSV)",
};
export const DATASET_NAMES = Object.keys(DATASETS);
/** The data sets that come in 2 to MAX_CLASSES classes; the others have two. */
export const MULTICLASS_DATASETS = ["blobs", "spiral"];
export const MAX_CLASSES = 5;

/** The target curve of the regression data set. */
export const curve = (x) => 1.5 * Math.sin(1.2 * x) + 0.3 * x;

/**
 * n labelled points {x1, x2, y} of data set `name`; `noise` (0..1) jitters each point with Gaussian
 * noise of that standard deviation (regression: of the target). Class labels are 0 to classes - 1
 * (blobs: one blob per class; spiral: one arm per class); the other data sets have two classes.
 */
export function makeDataset(name, n, noise, seed, classes = 2) {
  const rng = makeRng(seed);
  const points = [];
  const jitter = () => noise * rng.normal();
  for (let k = 0; k < n; k++) {
    const label = k % classes; // balanced classes
    let x1, x2, y = label;
    if (name === "xor") {
      x1 = rng.between(-DOMAIN, DOMAIN) * 0.9; x2 = rng.between(-DOMAIN, DOMAIN) * 0.9;
      y = x1 * x2 >= 0 ? 1 : 0;
      x1 += jitter(); x2 += jitter();
    } else if (name === "circles") {
      const r = label ? rng.between(0, 1.2) : rng.between(1.8, 2.8);
      const t = rng.between(0, 2 * Math.PI);
      x1 = r * Math.cos(t) + jitter(); x2 = r * Math.sin(t) + jitter();
    } else if (name === "moons") {
      const t = rng.between(0, Math.PI);
      if (label) { x1 = 1.5 * Math.cos(t) - 0.75; x2 = 1.5 * Math.sin(t) - 0.4; }
      else { x1 = 0.75 - 1.5 * Math.cos(t); x2 = 0.4 - 1.5 * Math.sin(t); }
      x1 += jitter(); x2 += jitter();
    } else if (name === "spiral") {
      const r = rng.between(0.15, 2.8);
      const t = 1.75 * r + (label * 2 * Math.PI) / classes;
      x1 = r * Math.cos(t) + jitter(); x2 = r * Math.sin(t) + jitter();
    } else if (name === "blobs" && classes === 2) {
      const c = label ? 1.3 : -1.3;
      x1 = c + 0.7 * rng.normal() + jitter(); x2 = c + 0.7 * rng.normal() + jitter();
    } else if (name === "blobs") { // centres evenly spaced on a circle of radius 1.8
      const angle = Math.PI / 4 + (label * 2 * Math.PI) / classes;
      x1 = 1.8 * Math.cos(angle) + 0.55 * rng.normal() + jitter(); x2 = 1.8 * Math.sin(angle) + 0.55 * rng.normal() + jitter();
    } else if (name === "regression") {
      x1 = rng.between(-DOMAIN, DOMAIN) * 0.95; x2 = 0;
      y = curve(x1) + jitter();
    } else {
      throw new Error(`dataset: unknown ${JSON.stringify(name)}; expected one of ${DATASET_NAMES}`);
    }
    points.push({ x1, x2, y });
  }
  return points;
}

/** The first round(ratio * n) rows of a seeded shuffle train, the rest test. */
export function split(points, ratio, seed) {
  const order = makeRng(seed + 7919).permutation(points.length);
  const nTrain = Math.round(ratio * points.length);
  return { train: order.slice(0, nTrain).map((i) => points[i]), test: order.slice(nTrain).map((i) => points[i]) };
}

// Input features computed from a point; the network sees only the ones switched on.
export const FEATURES = {
  x1: { label: "x1", f: (x1) => x1, py: "p[:, 0]", uses2: false },
  x2: { label: "x2", f: (x1, x2) => x2, py: "p[:, 1]", uses2: true },
  x1sq: { label: "x1²", f: (x1) => x1 * x1, py: "p[:, 0] ** 2", uses2: false },
  x2sq: { label: "x2²", f: (x1, x2) => x2 * x2, py: "p[:, 1] ** 2", uses2: true },
  x1x2: { label: "x1·x2", f: (x1, x2) => x1 * x2, py: "p[:, 0] * p[:, 1]", uses2: true },
  sinx1: { label: "sin(x1)", f: (x1) => Math.sin(x1), py: "np.sin(p[:, 0])", uses2: false },
  sinx2: { label: "sin(x2)", f: (x1, x2) => Math.sin(x2), py: "np.sin(p[:, 1])", uses2: true },
};
export const FEATURE_NAMES = Object.keys(FEATURES);

/** The feature matrix (n rows, one column per feature name) of n points given as [x1, x2] pairs. */
export function featureMatrix(pairs, names) {
  const d = names.length, out = new Float64Array(pairs.length * d);
  const fs = names.map((name) => FEATURES[name].f);
  pairs.forEach(([x1, x2], r) => { for (let c = 0; c < d; c++) out[r * d + c] = fs[c](x1, x2); });
  return out;
}
