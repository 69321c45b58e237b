// The step-through view: one training example's forward values, loss and gradients, stage by stage.
import { FEATURES } from "./data.js";
import { fmt } from "./views.js";

const row = (cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
const table = (caption, head, rows) => `<table><caption>${caption}</caption><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;

/** The stages (HTML tables) of training example `index`: input, each layer forward, loss, each layer backward. */
export function stagesFor(session, index) {
  const { net, state, train, xTrain } = session;
  const p = train[index];
  if (!p) return [];
  const d = state.features.length;
  const x = xTrain.slice(index * d, (index + 1) * d);
  const pass = net.forward(x, 1);
  const saved = net.layers.map((L) => [L.gradKernel.slice(), L.gradBias.slice()]);
  const { loss, deltas } = net.backward(pass, Float64Array.of(p.y), 1);
  const grads = net.layers.map((L) => [L.gradKernel.slice(), L.gradBias.slice()]);
  net.layers.forEach((L, l) => { L.gradKernel.set(saved[l][0]); L.gradBias.set(saved[l][1]); });
  const target = session.task === "multiclass" ? `class ${p.y}` : `y = ${fmt(p.y)}`;
  const out = [table(`Input: point (${fmt(p.x1)}, ${fmt(p.x2)}), target ${target}`, ["feature", "value"], state.features.map((f, k) => row([FEATURES[f].label, fmt(x[k])])))];
  net.layers.forEach((L, l) => {
    out.push(table(`Forward, layer ${l + 1} (${L.activation}): z = a_prev · W + b, a = ${L.activation}(z)`, ["unit", "z", "a"],
      Array.from({ length: L.nOut }, (_, j) => row([j + 1, fmt(pass.zs[l][j]), fmt(pass.as[l + 1][j])]))));
  });
  const penalty = net.penalty();
  out.push(`<p>Loss (${net.lossName}) of this example: <strong>${fmt(loss)}</strong>` +
    (penalty > 0 ? `; the regularisation term ${fmt(penalty)} is added, and its gradient (L1 rate · sign(w) + 2 · L2 rate · w) is in dL/dW` : "") + "</p>");
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const L = net.layers[l], { da, dz } = deltas[l];
    const rule = L.activation === "softmax" ? "dL/dz = (softmax(z) - one-hot target) / n, the shortcut through softmax" : `dL/dz = dL/da · ${L.activation}'(z)`;
    const rows = Array.from({ length: L.nOut }, (_, j) => row([j + 1, da ? fmt(da[j]) : "—", fmt(dz[j]), fmt(grads[l][1][j]),
      Array.from({ length: L.nIn }, (_, i) => fmt(grads[l][0][i * L.nOut + j])).join(", ")]));
    out.push(table(`Backward, layer ${l + 1}: ${rule}; dL/dW = a_prev dL/dz; dL/db = dL/dz`, ["unit", "dL/da", "dL/dz", "dL/db", "dL/dW (from each input)"], rows));
  }
  return out;
}

/** Show stages 0..stage of the example chosen in the view's number field; returns the stage shown. */
export function renderStages(root, session, stage) {
  const field = root.querySelector('[data-pg="example"]');
  const last = Math.max(0, session.train.length - 1);
  const index = Math.min(Math.max(0, Number(field.value) || 0), last);
  field.max = String(last);
  const all = stagesFor(session, index);
  const shown = Math.min(stage, all.length - 1);
  root.querySelector('[data-pg="stages"]').innerHTML = all.slice(0, shown + 1).join("") + `<p class="pg-note">Stage ${shown + 1} of ${all.length}.</p>`;
  return shown;
}
