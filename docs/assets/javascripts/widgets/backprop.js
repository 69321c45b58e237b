// Chapter 8: the chapter's tiny network (2 inputs, 2 sigmoid hidden units, 1 sigmoid output,
// binary cross-entropy) stepped forward and backward, one quantity at a time, with every number.
// The inputs and weights come from the cell's data attributes; the math is the playground's (nnlib's).
import { Network } from "../playground/nn.js";

export function mount(el) {
  const num = (key) => {
    const values = (el.dataset[key] || "").split(",").map(Number);
    if (!el.dataset[key] || values.some((v) => !Number.isFinite(v))) throw new Error(`backprop widget: data-${key} must be a comma-separated list of numbers; received ${JSON.stringify(el.dataset[key])}`);
    return values;
  };
  const [x1, x2] = num("x"), [y] = num("y");
  const [w11, w12, w21, w22] = num("w"), [b1, b2] = num("b"), [v1, v2] = num("v"), [c] = num("c");
  // the initial weights do not matter (zeros from this stand-in generator): the chapter's replace them
  const net = new Network([2, 2, 1], "sigmoid", "classification", { between: () => 0 });
  net.setWeights([[[w11, w12], [w21, w22]], [b1, b2], [[v1], [v2]], [c]]);
  const pass = net.forward(Float64Array.of(x1, x2), 1);
  const { loss, deltas } = net.backward(pass, Float64Array.of(y), 1);
  const [L1, L2] = net.layers;
  const h = pass.as[1], z = pass.zs[0], p = pass.as[2][0];
  // (key, what, formula, value): the chapter's forward table, then its backward table
  const rows = [
    ["z1", "z₁", `x₁w₁₁ + x₂w₂₁ + b₁`, z[0]],
    ["z2", "z₂", `x₁w₁₂ + x₂w₂₂ + b₂`, z[1]],
    ["h1", "h₁", "σ(z₁)", h[0]],
    ["h2", "h₂", "σ(z₂)", h[1]],
    ["zo", "z_o", "v₁h₁ + v₂h₂ + c", pass.zs[1][0]],
    ["yhat", "ŷ", "σ(z_o)", p],
    ["L", "L", "−(y log ŷ + (1−y) log(1−ŷ))", loss],
    ["dyhat", "∂L/∂ŷ", "−y/ŷ + (1−y)/(1−ŷ)", deltas[1].da[0]],
    ["dzo", "∂L/∂z_o", "∂L/∂ŷ · ŷ(1−ŷ)", deltas[1].dz[0]],
    ["dv1", "∂L/∂v₁", "∂L/∂z_o · h₁", L2.gradKernel[0]],
    ["dv2", "∂L/∂v₂", "∂L/∂z_o · h₂", L2.gradKernel[1]],
    ["dc", "∂L/∂c", "∂L/∂z_o", L2.gradBias[0]],
    ["dh1", "∂L/∂h₁", "∂L/∂z_o · v₁", deltas[0].da[0]],
    ["dh2", "∂L/∂h₂", "∂L/∂z_o · v₂", deltas[0].da[1]],
    ["dz1", "∂L/∂z₁", "∂L/∂h₁ · h₁(1−h₁)", deltas[0].dz[0]],
    ["dz2", "∂L/∂z₂", "∂L/∂h₂ · h₂(1−h₂)", deltas[0].dz[1]],
    ["dw11", "∂L/∂w₁₁", "∂L/∂z₁ · x₁", L1.gradKernel[0]],
    ["dw21", "∂L/∂w₂₁", "∂L/∂z₁ · x₂", L1.gradKernel[2]],
    ["dw12", "∂L/∂w₁₂", "∂L/∂z₂ · x₁", L1.gradKernel[1]],
    ["dw22", "∂L/∂w₂₂", "∂L/∂z₂ · x₂", L1.gradKernel[3]],
    ["db1", "∂L/∂b₁", "∂L/∂z₁", L1.gradBias[0]],
    ["db2", "∂L/∂b₂", "∂L/∂z₂", L1.gradBias[1]],
  ];
  const FORWARD = 7;
  el.insertAdjacentHTML("beforeend", `
<div class="nw-controls" role="group" aria-label="Backpropagation, step by step">
  <button type="button" class="nn-button" data-w="back">Previous</button>
  <button type="button" class="nn-button nn-button--primary" data-w="next">Next</button>
  <button type="button" class="nn-button" data-w="all">Show all</button>
  <button type="button" class="nn-button" data-w="reset">Start again</button>
</div>
<p class="nw-status" data-w="status" role="status" aria-live="polite"></p>
<table><thead><tr><th scope="col">pass</th><th scope="col">quantity</th><th scope="col">computation</th><th scope="col">value</th></tr></thead>
<tbody>${rows.map(([key, what, how, value], k) => `<tr data-key="${key}" hidden><td>${k < FORWARD ? "forward" : "backward"}</td><td>${what}</td><td>${how}</td><td data-value="${value}">${value.toFixed(4)}</td></tr>`).join("")}</tbody></table>`);
  const $ = (name) => el.querySelector(`[data-w="${name}"]`);
  let shown = 0;
  function show() {
    el.querySelectorAll("tbody tr").forEach((tr, k) => { tr.hidden = k >= shown; });
    const [, what, how, value] = rows[Math.max(0, shown - 1)];
    $("status").textContent = shown === 0 ? `Example x = (${x1}, ${x2}), y = ${y}. Press Next to start the forward pass.`
      : `${shown <= FORWARD ? "Forward" : "Backward"} ${shown} of ${rows.length}: ${what} = ${how} = ${value.toFixed(4)}`;
  }
  $("next").addEventListener("click", () => { shown = Math.min(rows.length, shown + 1); show(); });
  $("back").addEventListener("click", () => { shown = Math.max(0, shown - 1); show(); });
  $("all").addEventListener("click", () => { shown = rows.length; show(); });
  $("reset").addEventListener("click", () => { shown = 0; show(); });
  show();
}
