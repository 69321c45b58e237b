// Chapter 5: pick an activation, slide z, read g(z) and g'(z), and see where g' is nearly 0
// (saturation: almost no gradient passes back through the unit). Same formulas as nnlib.
import { ACTIVATIONS, ACTIVATION_NAMES } from "../playground/nn.js";

const SATURATED = 0.01;

export function mount(el) {
  el.insertAdjacentHTML("beforeend", `
<div class="nw-controls" role="group" aria-label="Activation explorer">
  <label>Activation <select data-w="name">${ACTIVATION_NAMES.map((n) => `<option value="${n}"${n === "sigmoid" ? " selected" : ""}>${n}</option>`).join("")}</select></label>
  <label>z <input type="range" min="-8" max="8" step="0.1" value="0" data-w="z"><output data-w="z-out"></output></label>
</div>
<canvas width="520" height="220" data-w="plot" role="img"></canvas>
<p class="nw-status" data-w="status" role="status" aria-live="polite"></p>`);
  const $ = (name) => el.querySelector(`[data-w="${name}"]`);

  function draw() {
    const name = $("name").value, z0 = Number($("z").value);
    const { f, d } = ACTIVATIONS[name];
    const c = $("plot"), ctx = c.getContext("2d"), W = c.width, H = c.height;
    $("z-out").textContent = z0.toFixed(1);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H); // drawn on white, like the chapters' figures
    const panels = [["g(z)", f, 0], ["g'(z)", d, W / 2]];
    for (const [title, fn, left] of panels) {
      const xs = Array.from({ length: 161 }, (_, k) => -8 + k * 0.1);
      const ys = xs.map(fn);
      const lo = Math.min(-0.1, ...ys), hi = Math.max(1.1, ...ys.map((v) => Math.min(v, 8)));
      const px = (x) => left + 10 + ((x + 8) / 16) * (W / 2 - 20), py = (y) => H - 20 - ((Math.min(y, hi) - lo) / (hi - lo)) * (H - 40);
      // saturated stretches of z, where |g'| < 0.01
      ctx.fillStyle = "rgba(200,60,60,0.12)";
      xs.forEach((x) => { if (Math.abs(d(x)) < SATURATED) ctx.fillRect(px(x) - 1.5, 15, 3.2, H - 35); });
      ctx.strokeStyle = "#888"; ctx.beginPath(); ctx.moveTo(px(-8), py(0)); ctx.lineTo(px(8), py(0)); ctx.moveTo(px(0), 15); ctx.lineTo(px(0), H - 20); ctx.stroke();
      ctx.strokeStyle = "#1f5fa8"; ctx.lineWidth = 2; ctx.beginPath(); xs.forEach((x, k) => ctx.lineTo(px(x), py(ys[k]))); ctx.stroke(); ctx.lineWidth = 1;
      ctx.fillStyle = "#b3470e"; ctx.beginPath(); ctx.arc(px(z0), py(fn(z0)), 5, 0, 2 * Math.PI); ctx.fill();
      ctx.fillStyle = "#000"; ctx.font = "12px sans-serif"; ctx.fillText(title, left + 14, 12);
    }
    const g = f(z0), slope = d(z0);
    const saturated = Math.abs(slope) < SATURATED;
    $("status").textContent = `${name}: g(${z0.toFixed(1)}) = ${g.toFixed(4)}, g'(${z0.toFixed(1)}) = ${slope.toFixed(4)}. ` +
      (saturated ? "Saturated: g' is almost 0, so almost no gradient flows back through this unit." :
        "Not saturated: the gradient passes back scaled by g'.") + " Shaded: where |g'| < 0.01.";
    c.setAttribute("aria-label", `Left, ${name} against z; right, its derivative. ${$("status").textContent}`);
  }
  $("name").addEventListener("change", draw);
  $("z").addEventListener("input", draw);
  draw();
}
