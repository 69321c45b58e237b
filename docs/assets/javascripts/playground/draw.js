// Drawing on canvases: the decision surface with the points, each unit's own surface in the network
// diagram, and the loss curves. Colours: class 1 orange, class 0 blue (as in the chapters' figures).
import { DOMAIN, curve } from "./data.js";

const ORANGE = [230, 120, 30], BLUE = [40, 110, 200], WHITE = [255, 255, 255];
const mix = (c0, c1, t) => c0.map((c, k) => Math.round(c + (c1[k] - c) * t));

/** Colour of a value v in [-1, 1]: blue below 0, white at 0, orange above. */
export function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  return t >= 0 ? mix(WHITE, ORANGE, t) : mix(WHITE, BLUE, -t);
}

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

/** Paint `values` (size*size, each already in [-1, 1]) onto a rectangle of ctx. */
export function paintSurface(ctx, values, size, x, y, w, h) {
  const image = new ImageData(size, size);
  for (let k = 0; k < size * size; k++) {
    const [r, g, b] = diverging(values[k]);
    image.data.set([r, g, b, 255], 4 * k);
  }
  const tmp = new OffscreenCanvas(size, size);
  tmp.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, x, y, w, h);
}

const toPx = (v, size) => ((v + DOMAIN) / (2 * DOMAIN)) * size;

/** The main plot: classification surface p (size*size), or the regression curve, with the points. */
export function drawMain(canvas, { task, surface, size, curveValues, train, test }) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (task === "classification") {
    paintSurface(ctx, surface.map((p) => 2 * p - 1), size, 0, 0, W, H);
  } else {
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
  const dot = (p, hollow) => {
    const px = toPx(p.x1, W), py = H - toPx(task === "classification" ? p.x2 : p.y, H);
    ctx.beginPath(); ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    const colour = task === "classification" ? (p.y > 0.5 ? ORANGE : BLUE).map((c) => Math.round(c * 0.85)) : [60, 60, 60];
    ctx.fillStyle = hollow ? "#fff" : `rgb(${colour})`;
    ctx.strokeStyle = hollow ? `rgb(${colour})` : "#fff";
    ctx.lineWidth = hollow ? 2 : 1; ctx.fill(); ctx.stroke(); ctx.lineWidth = 1;
  };
  train.forEach((p) => dot(p, false));
  test.forEach((p) => dot(p, true));
  ctx.strokeStyle = "rgba(0,0,0,0.25)"; ctx.beginPath();
  ctx.moveTo(W / 2, 0); ctx.lineTo(W / 2, H); ctx.moveTo(0, H / 2); ctx.lineTo(W, H / 2); ctx.stroke();
}

/**
 * The network: one column per layer, each unit a small square showing its own surface (its output
 * over the input plane), edges with width proportional to |weight|, orange positive, blue negative.
 */
export function drawNetwork(canvas, { labels, sizes, layers, unitSurfaces, size }) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, box = 30;
  ctx.clearRect(0, 0, W, H);
  const cols = sizes.length;
  const pos = sizes.map((n, l) => Array.from({ length: n }, (_, j) => [
    20 + (l * (W - 40 - box)) / Math.max(1, cols - 1), 8 + ((j + 0.5) * (H - 16)) / n - box / 2]));
  let maxW = 1e-9;
  layers.forEach((L) => L.kernel.forEach((w) => { maxW = Math.max(maxW, Math.abs(w)); }));
  layers.forEach((L, l) => {
    for (let i = 0; i < L.nIn; i++) for (let j = 0; j < L.nOut; j++) {
      const w = L.kernel[i * L.nOut + j];
      const [x0, y0] = pos[l][i], [x1, y1] = pos[l + 1][j];
      ctx.strokeStyle = `rgba(${w >= 0 ? ORANGE : BLUE},0.8)`;
      ctx.lineWidth = 0.5 + 4 * (Math.abs(w) / maxW);
      ctx.beginPath(); ctx.moveTo(x0 + box, y0 + box / 2); ctx.lineTo(x1, y1 + box / 2); ctx.stroke();
    }
  });
  ctx.lineWidth = 1;
  pos.forEach((column, l) => column.forEach(([x, y], j) => {
    paintSurface(ctx, unitSurfaces[l][j], size, x, y, box, box);
    ctx.strokeStyle = "#555"; ctx.strokeRect(x, y, box, box);
    if (l === 0) { ctx.fillStyle = getComputedStyle(canvas).color; ctx.font = "11px sans-serif"; ctx.fillText(labels[j], 0, y + box + 10); }
  }));
}

/** Train (solid) and test (dashed) loss against step. */
export function drawLoss(canvas, history) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (history.length < 1) return;
  const values = history.flatMap((h) => [h.train, h.test]).filter(Number.isFinite);
  const top = Math.max(1e-9, ...values);
  const last = history[history.length - 1].step || 1;
  const line = (key, dash, colour) => {
    ctx.strokeStyle = colour; ctx.setLineDash(dash); ctx.lineWidth = 2; ctx.beginPath();
    history.forEach((h) => { if (Number.isFinite(h[key])) ctx.lineTo((h.step / last) * (W - 4) + 2, H - 2 - (Math.min(h[key], top) / top) * (H - 14)); });
    ctx.stroke(); ctx.setLineDash([]); ctx.lineWidth = 1;
  };
  line("train", [], "#1f5fa8"); line("test", [5, 4], "#b3470e");
  ctx.fillStyle = getComputedStyle(canvas).color; ctx.font = "11px sans-serif";
  ctx.fillText(`max ${top.toPrecision(3)}`, 4, 10);
}
