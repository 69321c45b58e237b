// What the playground shows of a session: the main plot, the loss curves and the network diagram
// (with their hover and keyboard read-outs), and the one-line summary.
import { DATASETS, FEATURES, featureMatrix } from "./data.js";
import { drawLoss, drawMain, drawNetwork, edgeAt, grid, lossX, networkLayout } from "./draw.js";

const SURFACE = 50, UNIT_SURFACE = 16;
const gridPairs = grid(SURFACE), unitPairs = grid(UNIT_SURFACE);
const gridMatrices = new Map(); // the grids' feature matrices, computed once per choice of features
const gridMatrix = (features, pairs = gridPairs) => {
  const key = `${pairs.length}:${features}`;
  if (!gridMatrices.has(key)) gridMatrices.set(key, featureMatrix(pairs, features));
  return gridMatrices.get(key);
};
const LOSS_NAMES = { mse: "mean squared error", binary_crossentropy: "binary cross-entropy", categorical_crossentropy: "categorical cross-entropy" };

export const fmt = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3)) : String(v));

/** What the reader picked on the loss curves (a history index) and in the diagram (a weight). */
export function makeSelection() {
  return { lossIndex: null, weight: null };
}

export function render(root, session, selection) {
  const $ = (name) => root.querySelector(`[data-pg="${name}"]`);
  const { state, net, task, train, test } = session;
  const main = $("main");
  if (task === "regression") {
    const xs = Array.from({ length: 101 }, (_, c) => -3 + (c / 100) * 6);
    const ys = session.predictPairs(xs.map((x) => [x, 0]));
    drawMain(main, { task, curveValues: xs.map((x, k) => [x, ys[k]]), train, test });
  } else {
    const surface = net.predict(gridMatrix(state.features), gridPairs.length);
    drawMain(main, { task, surface, classes: state.classes, size: SURFACE, train, test });
  }
  renderLoss(root, session, selection);
  renderNetwork(root, session, selection);
  const text = summary(session);
  $("summary").textContent = text;
  main.setAttribute("aria-label", `${task === "regression" ? "Fitted curve" : "Decision regions"} of ${DATASETS[state.dataset]}, ${train.length} training and ${test.length} test points. ${text}`);
  $("network").setAttribute("aria-label", `Network ${net.sizes.join("-")}, hidden activation ${state.activation}, output ${net.layers[net.layers.length - 1].activation}. Arrow keys read the weights one by one.`);
}

function summary(session) {
  const last = session.history[session.history.length - 1];
  const acc = session.accuracy();
  const reg = last.penalty > 0 ? ` plus regularisation term ${fmt(last.penalty)}` : "";
  return `Step ${session.steps}: training loss ${fmt(last.train)}${reg}, test loss ${fmt(last.test)}` +
    (acc ? `, test accuracy ${((100 * acc.right) / acc.total).toFixed(1)}% (${acc.right} of ${acc.total} test points right)` : "") +
    ` (${LOSS_NAMES[session.net.lossName]}).`;
}

// ------------------------------------------------------------ loss curves and their read-out
function renderLoss(root, session, selection) {
  const history = session.history;
  if (selection.lossIndex !== null) selection.lossIndex = Math.min(selection.lossIndex, history.length - 1);
  drawLoss(root.querySelector('[data-pg="loss"]'), history, selection.lossIndex);
  const h = history[selection.lossIndex];
  root.querySelector('[data-pg="loss-readout"]').textContent = h
    ? `Step ${h.step}: training loss ${fmt(h.train)}, test loss ${fmt(h.test)}` + (h.penalty > 0 ? `, regularisation term ${fmt(h.penalty)}.` : ".")
    : "";
}

/** The history index nearest to pixel column x of the loss canvas. */
export function lossIndexAt(canvas, history, x) {
  let best = 0;
  history.forEach((h, k) => { if (Math.abs(lossX(history, h, canvas.width) - x) < Math.abs(lossX(history, history[best], canvas.width) - x)) best = k; });
  return best;
}

// ------------------------------------------------------------ network diagram and its read-out
function renderNetwork(root, session, selection) {
  const { state, net, task } = session;
  // each unit's output over the input plane, scaled by its largest |value| (probabilities p: 2p - 1)
  const n = unitPairs.length;
  const { as } = net.forward(gridMatrix(state.features, unitPairs), n);
  const unitSurfaces = as.map((a, l) => {
    const units = l === 0 ? state.features.length : net.sizes[l];
    const probabilities = l === as.length - 1 && task !== "regression";
    return Array.from({ length: units }, (_, j) => {
      const v = new Float64Array(n);
      let top = 1e-9;
      for (let r = 0; r < n; r++) { v[r] = a[r * units + j]; top = Math.max(top, Math.abs(v[r])); }
      for (let r = 0; r < n; r++) v[r] = probabilities ? 2 * v[r] - 1 : v[r] / top;
      return v;
    });
  });
  const labels = state.features.map((f) => FEATURES[f].label);
  drawNetwork(root.querySelector('[data-pg="network"]'), { labels, sizes: net.sizes, layers: net.layers, unitSurfaces, size: UNIT_SURFACE, selected: selection.weight });
  root.querySelector('[data-pg="weight-readout"]').textContent = selection.weight ? describeWeight(session, selection.weight) : "";
}

/** "Weight from x1 to unit 2 of hidden layer 1: +0.7342 (positive)", read live from the network. */
export function describeWeight(session, { layer, i, j }) {
  const { net, state } = session;
  const L = net.layers[layer];
  const w = L.kernel[i * L.nOut + j];
  const from = layer === 0 ? FEATURES[state.features[i]].label : `unit ${i + 1} of hidden layer ${layer}`;
  const to = layer === net.layers.length - 1 ? `output unit ${j + 1}` : `unit ${j + 1} of hidden layer ${layer + 1}`;
  return `Weight from ${from} to ${to}: ${w >= 0 ? "+" : ""}${fmt(w)} (${w >= 0 ? "positive" : "negative"}).`;
}

/** The weight under pixel (x, y) of the network canvas, or null. */
export function weightAt(canvas, session, x, y) {
  const e = edgeAt(networkLayout(canvas, session.net.sizes).edges, x, y);
  return e && { layer: e.layer, i: e.i, j: e.j };
}

/** The weight `delta` places after `current` in the kernels' order (wrapping round). */
export function nextWeight(session, current, delta) {
  const { edges } = networkLayout({ width: 1, height: 1 }, session.net.sizes);
  if (!edges.length) return null;
  const k = current ? edges.findIndex((e) => e.layer === current.layer && e.i === current.i && e.j === current.j) : -1;
  const e = edges[(((k < 0 ? (delta > 0 ? -1 : 0) : k) + delta) % edges.length + edges.length) % edges.length];
  return { layer: e.layer, i: e.i, j: e.j };
}
