// Chapter 7: gradient descent (optionally with momentum, Keras's rule m <- mu m - lr g, w <- w + m) on a
// quadratic bowl L(w) = 1/2 (w - w*)^T H (w - w*) whose Hessian H has the curvatures given in
// data-curvatures. Plain descent converges only for lr < 2 / lambda_max; with momentum mu the limit
// is 2 (1 + mu) / lambda_max. The path converges, zig-zags across the valley, or flies off.
import { makeOptimizer } from "../playground/nn.js";

const STEPS = 40, ANGLE = Math.PI / 6, START = [-3.2, 2.2];

export function mount(el) {
  const [l1, l2] = (el.dataset.curvatures || "0.5,4.25").split(",").map(Number);
  const lmax = Math.max(l1, l2);
  const c = Math.cos(ANGLE), s = Math.sin(ANGLE);
  // H = R diag(l1, l2) R^T, R a rotation: the valley runs at 30 degrees
  const H = [[l1 * c * c + l2 * s * s, (l1 - l2) * c * s], [(l1 - l2) * c * s, l1 * s * s + l2 * c * c]];
  const loss = ([a, b]) => 0.5 * (a * (H[0][0] * a + H[0][1] * b) + b * (H[1][0] * a + H[1][1] * b));
  const grad = ([a, b]) => [H[0][0] * a + H[0][1] * b, H[1][0] * a + H[1][1] * b];
  const steep = ([a, b]) => -s * a + c * b; // coordinate along the steep direction (eigenvalue l2)

  el.insertAdjacentHTML("beforeend", `
<div class="nw-controls" role="group" aria-label="Gradient descent">
  <label>Learning rate <input type="range" min="0.01" max="0.6" step="0.01" value="0.2" data-w="lr"><output data-w="lr-out"></output></label>
  <label>Momentum <input type="range" min="0" max="0.95" step="0.05" value="0" data-w="mu"><output data-w="mu-out"></output></label>
</div>
<canvas width="420" height="300" data-w="plot" role="img"></canvas>
<p class="nw-status" data-w="status" role="status" aria-live="polite"></p>`);
  const $ = (name) => el.querySelector(`[data-w="${name}"]`);

  // the steps of the playground's own SGD (nn.js, Keras's rule), with this slider's momentum
  function path(lr, mu) {
    const opt = makeOptimizer("sgd", lr);
    opt.momentum = mu;
    const w = Float64Array.from(START), g = new Float64Array(2);
    const out = [Array.from(w)];
    for (let t = 0; t < STEPS; t++) {
      g.set(grad(w));
      opt.apply([[w, g]]);
      out.push(Array.from(w));
    }
    return out;
  }

  function draw() {
    const lr = Number($("lr").value), mu = Number($("mu").value);
    $("lr-out").textContent = lr.toFixed(2); $("mu-out").textContent = mu.toFixed(2);
    const cv = $("plot"), ctx = cv.getContext("2d"), W = cv.width, Hh = cv.height;
    const R = 4.5, px = (a) => W / 2 + (a / R) * (W / 2), py = (b) => Hh / 2 - (b / R) * (W / 2);
    ctx.clearRect(0, 0, W, Hh);
    const img = ctx.createImageData(W, Hh);
    for (let j = 0; j < Hh; j++) for (let i = 0; i < W; i++) {
      const a = ((i - W / 2) / (W / 2)) * R, b = ((Hh / 2 - j) / (W / 2)) * R;
      const level = Math.log1p(loss([a, b]));
      const band = Math.floor(level * 4) % 2 ? 235 : 250; // contour bands
      const shade = Math.max(120, band - 20 * level);
      img.data.set([shade, shade, 255 - (255 - shade) / 3, 255], 4 * (j * W + i));
    }
    ctx.putImageData(img, 0, 0);
    const p = path(lr, mu);
    ctx.strokeStyle = "#b3470e"; ctx.fillStyle = "#b3470e"; ctx.lineWidth = 1.5; ctx.beginPath();
    p.forEach(([a, b]) => ctx.lineTo(px(Math.max(-50, Math.min(50, a))), py(Math.max(-50, Math.min(50, b)))));
    ctx.stroke(); ctx.lineWidth = 1;
    p.forEach(([a, b]) => { ctx.beginPath(); ctx.arc(px(a), py(b), 2, 0, 2 * Math.PI); ctx.fill(); });
    ctx.fillStyle = "#000"; ctx.beginPath(); ctx.arc(px(0), py(0), 4, 0, 2 * Math.PI); ctx.fill();

    const limit = (2 * (1 + mu)) / lmax;
    const end = p[p.length - 1];
    const dist = Math.hypot(...end), dist0 = Math.hypot(...START);
    let flips = 0;
    for (let t = 1; t < p.length; t++) if (Math.sign(steep(p[t])) !== Math.sign(steep(p[t - 1]))) flips += 1;
    let verdict;
    if (!Number.isFinite(dist) || dist > dist0) verdict = "diverges: every step lands farther from the minimum";
    else if (flips > STEPS / 2) verdict = "zig-zags: each step jumps across the valley";
    else verdict = "converges";
    $("status").textContent = `Learning rate ${lr.toFixed(2)}, momentum ${mu.toFixed(2)}: the path ${verdict}` +
      ` (loss after ${STEPS} steps ${Number.isFinite(loss(end)) ? loss(end).toPrecision(3) : "overflowed"}, from ${loss(START).toPrecision(3)}).` +
      ` The limit is ${mu > 0 ? "2(1 + momentum)" : "2"}/λmax = ${limit.toFixed(3)} (λmax = ${lmax}): ${lr < limit ? "below it" : "above it"}.`;
    el.dataset.verdict = verdict.split(":")[0];
    cv.setAttribute("aria-label", `Contour map of a quadratic loss with the path of ${STEPS} steps. ${$("status").textContent}`);
  }
  $("lr").addEventListener("input", draw);
  $("mu").addEventListener("input", draw);
  draw();
}
