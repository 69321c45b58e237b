// Drawing on canvases: the decision regions with the points, each unit's own surface in the network
// diagram, and the loss curves. Colours: class 0 blue, class 1 orange (as in the chapters' figures),
// then green, purple and red for classes 2-4.
import { DOMAIN, curve } from "./data.js";

export const CLASS_COLOURS = [[40, 110, 200], [230, 120, 30], [40, 150, 70], [140, 80, 180], [200, 50, 60]];
export const CLASS_NAMES = ["blue", "orange", "green", "purple", "red"];
const [BLUE, ORANGE] = CLASS_COLOURS;

/** The grid of points (x1, x2) at which surfaces are evaluated, `size` by `size`, row 0 at the top. */
export function grid(size) {
  const pairs = [];
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      pairs.push([-DOMAIN + ((c + 0.5) * 2 * DOMAIN) / size, DOMAIN - ((r + 0.5) * 2 * DOMAIN) / size]);
    }
  }
  return pairs;
}

// One small off-screen canvas per surface size, reused: a new canvas and context for each of the
// diagram's squares at every step took a fifth of a step's time. The colours are written straight into
// its pixels (no array per pixel: the page redraws every step).
const scratch = new Map();

/** Paint a size*size grid onto a rectangle of ctx; colourAt(k, out) writes cell k's [r, g, b] into out. */
function paint(ctx, size, x, y, w, h, colourAt) {
  if (!scratch.has(size)) {
    const canvas = new OffscreenCanvas(size, size);
    scratch.set(size, { context: canvas.getContext("2d"), image: new ImageData(size, size) });
  }
  const { context, image } = scratch.get(size);
  const data = image.data, rgb = [0, 0, 0];
  for (let k = 0; k < size * size; k++) {
    colourAt(k, rgb);
    data[4 * k] = rgb[0]; data[4 * k + 1] = rgb[1]; data[4 * k + 2] = rgb[2]; data[4 * k + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(context.canvas, x, y, w, h);
}

/** out = the colour a fraction t of the way from white to colour c. */
function towards(c, t, out) {
  for (let i = 0; i < 3; i++) out[i] = Math.round(255 + (c[i] - 255) * t);
}

/** Paint `values` (size*size, each already in [-1, 1]) onto a rectangle of ctx: blue below 0, white at 0, orange above. */
export function paintSurface(ctx, values, size, x, y, w, h) {
  paint(ctx, size, x, y, w, h, (k, out) => {
    const t = Math.max(-1, Math.min(1, values[k]));
    towards(t >= 0 ? ORANGE : BLUE, Math.abs(t), out);
  });
}

/**
 * Paint class probabilities (size*size rows of k, flat) onto a rectangle of ctx: each cell in the
 * colour of its most probable class, deeper the surer (white at 1/k, full at 1).
 */
function paintClasses(ctx, probabilities, k, size, x, y, w, h) {
  paint(ctx, size, x, y, w, h, (cell, out) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[cell * k + j] > probabilities[cell * k + best]) best = j;
    towards(CLASS_COLOURS[best], Math.max(0, (probabilities[cell * k + best] - 1 / k) / (1 - 1 / k)), out);
  });
}

const toPx = (v, size) => ((v + DOMAIN) / (2 * DOMAIN)) * size;

/**
 * The main plot with the points: the decision surface p (two classes, size*size), the decision
 * regions (multiclass: `classes` probabilities per cell, flat), or the regression curve.
 */
export function drawMain(canvas, { task, surface, classes, size, curveValues, train, test }) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (task === "classification") paintSurface(ctx, surface.map((p) => 2 * p - 1), size, 0, 0, W, H);
  else if (task === "multiclass") paintClasses(ctx, surface, classes, size, 0, 0, W, H);
  else {
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    ctx.strokeStyle = "#999"; ctx.setLineDash([4, 4]); ctx.beginPath();
    for (let c = 0; c <= 100; c++) {
      const x = -DOMAIN + (c / 100) * 2 * DOMAIN;
      ctx.lineTo(toPx(x, W), H - toPx(curve(x), H));
    }
    ctx.stroke(); ctx.setLineDash([]);
    ctx.strokeStyle = "#c0392b"; ctx.lineWidth = 2; ctx.beginPath();
    curveValues.forEach(([x, y]) => ctx.lineTo(toPx(x, W), H - toPx(Math.max(-2 * DOMAIN, Math.min(2 * DOMAIN, y)), H)));
    ctx.stroke(); ctx.lineWidth = 1;
  }
  const regression = task === "regression";
  const dot = (p, hollow) => {
    const px = toPx(p.x1, W), py = H - toPx(regression ? p.y : p.x2, H);
    ctx.beginPath(); ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    const colour = regression ? [60, 60, 60] : CLASS_COLOURS[p.y].map((c) => Math.round(c * 0.85));
    ctx.fillStyle = hollow ? "#fff" : `rgb(${colour})`;
    ctx.strokeStyle = hollow ? `rgb(${colour})` : "#fff";
    ctx.lineWidth = hollow ? 2 : 1; ctx.fill(); ctx.stroke(); ctx.lineWidth = 1;
  };
  train.forEach((p) => dot(p, false));
  test.forEach((p) => dot(p, true));
  ctx.strokeStyle = "rgba(0,0,0,0.25)"; ctx.beginPath();
  ctx.moveTo(W / 2, 0); ctx.lineTo(W / 2, H); ctx.moveTo(0, H / 2); ctx.lineTo(W, H / 2); ctx.stroke();
}

/** Where the network diagram puts each unit: [x, y] of its square's top-left corner, per layer. */
export function networkLayout(canvas, sizes) {
  const W = canvas.width, H = canvas.height, box = 30, cols = sizes.length;
  const pos = sizes.map((n, l) => Array.from({ length: n }, (_, j) => [
    20 + (l * (W - 40 - box)) / Math.max(1, cols - 1), 8 + ((j + 0.5) * (H - 16)) / n - box / 2]));
  const edges = []; // one per weight, in the order of the kernels: layer, input i, unit j, endpoints
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) {
      const [x0, y0] = pos[l][i], [x1, y1] = pos[l + 1][j];
      edges.push({ layer: l, i, j, from: [x0 + box, y0 + box / 2], to: [x1, y1 + box / 2] });
    }
  }
  return { pos, edges, box };
}

/** The edge nearest to (x, y) in canvas pixels, if within `reach` pixels of it; else null. */
export function edgeAt(edges, x, y, reach = 6) {
  let best = null, bestD = reach;
  for (const e of edges) {
    const [ax, ay] = e.from, [bx, by] = e.to;
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2 || 1)));
    const d = Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
    if (d < bestD) { bestD = d; best = e; }
  }
  return best;
}

/**
 * The network: one column per layer, each unit a small square showing its own surface (its output
 * over the input plane), edges with width proportional to |weight|, orange solid positive, blue dashed
 * negative; the `selected` edge drawn on top with a dark outline.
 */
export function drawNetwork(canvas, { labels, sizes, layers, unitSurfaces, size, selected = null }) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const { pos, edges, box } = networkLayout(canvas, sizes);
  let maxW = 1e-9;
  layers.forEach((L) => L.kernel.forEach((w) => { maxW = Math.max(maxW, Math.abs(w)); }));
  const weightOf = (e) => layers[e.layer].kernel[e.i * layers[e.layer].nOut + e.j];
  const stroke = (e, outline) => {
    const w = weightOf(e), width = 0.5 + 4 * (Math.abs(w) / maxW);
    ctx.setLineDash(w >= 0 ? [] : [5, 3]);
    if (outline) { ctx.strokeStyle = getComputedStyle(canvas).color; ctx.lineWidth = width + 3; line(e); }
    ctx.strokeStyle = `rgba(${w >= 0 ? ORANGE : BLUE},0.8)`;
    ctx.lineWidth = width;
    line(e);
  };
  const line = (e) => { ctx.beginPath(); ctx.moveTo(...e.from); ctx.lineTo(...e.to); ctx.stroke(); };
  edges.forEach((e) => stroke(e, false));
  const chosen = selected && edges.find((e) => e.layer === selected.layer && e.i === selected.i && e.j === selected.j);
  if (chosen) stroke(chosen, true);
  ctx.setLineDash([]); ctx.lineWidth = 1;
  pos.forEach((column, l) => column.forEach(([x, y], j) => {
    paintSurface(ctx, unitSurfaces[l][j], size, x, y, box, box);
    ctx.strokeStyle = "#555"; ctx.strokeRect(x, y, box, box);
    if (l === 0) { ctx.fillStyle = getComputedStyle(canvas).color; ctx.font = "11px sans-serif"; ctx.fillText(labels[j], 0, y + box + 10); }
  }));
}

/** The x pixel of history entry h on a loss canvas of width W. */
export function lossX(history, h, W) {
  const last = history[history.length - 1].step || 1;
  return (h.step / last) * (W - 4) + 2;
}

/**
 * Train (solid) and test (dashed) data loss against step, the regularisation term (dotted) when
 * there is one, and a marker at history entry `selected`.
 */
export function drawLoss(canvas, history, selected = null) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (history.length < 1) return;
  const values = history.flatMap((h) => [h.train, h.test, h.penalty]).filter(Number.isFinite);
  const top = Math.max(1e-9, ...values);
  const line = (key, dash, colour) => {
    ctx.strokeStyle = colour; ctx.setLineDash(dash); ctx.lineWidth = 2; ctx.beginPath();
    history.forEach((h) => { if (Number.isFinite(h[key])) ctx.lineTo(lossX(history, h, W), H - 2 - (Math.min(h[key], top) / top) * (H - 14)); });
    ctx.stroke(); ctx.setLineDash([]); ctx.lineWidth = 1;
  };
  line("train", [], "#1f5fa8"); line("test", [5, 4], "#b3470e");
  if (history.some((h) => h.penalty > 0)) line("penalty", [1, 3], "#2e7d32");
  ctx.fillStyle = getComputedStyle(canvas).color; ctx.font = "11px sans-serif";
  ctx.fillText(`max ${top.toPrecision(3)}`, 4, 10);
  if (selected !== null && history[selected]) {
    const x = lossX(history, history[selected], W);
    ctx.strokeStyle = getComputedStyle(canvas).color; ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, H); ctx.stroke();
  }
}
