// The playground's controls: their markup, and showing a configuration in them. Each part a URL can
// hide (state.js HIDEABLE) is one element with data-pg-part.
import { DATASETS, FEATURES, FEATURE_NAMES, MAX_CLASSES, MULTICLASS_DATASETS } from "./data.js";
import { CLASS_NAMES } from "./draw.js";
import { ACTIVATION_NAMES } from "./nn.js";
import { BATCH_SIZES, DROPOUT_RATES, LEARNING_RATES, PENALTY_RATES, PRESETS } from "./state.js";

export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const options = (pairs, selected) => pairs.map(([v, t]) => `<option value="${v}"${String(v) === String(selected) ? " selected" : ""}>${t}</option>`).join("");
const classOptions = (k) => options(Array.from({ length: k }, (_, c) => [c, `${c} (${CLASS_NAMES[c]})`]), 1);

export function markup() {
  return `
<div class="pg-toolbar" role="group" aria-label="Training">
  <button type="button" class="nn-button nn-button--primary" data-pg="play" aria-pressed="false">Play</button>
  <button type="button" class="nn-button" data-pg="step">One step</button>
  <button type="button" class="nn-button" data-pg="reset" title="Back to step 0 with the same initial weights">Reset</button>
  <button type="button" class="nn-button" data-pg="new-weights" title="Back to step 0 with newly drawn initial weights">New weights</button>
  <label>Steps per frame <select data-pg="speed">${options([[1, 1], [5, 5], [20, 20], [100, 100]], 5)}</select></label>
  <label data-pg-part="presets">Preset <select data-pg="preset"><option value="">(choose a preset)</option>${options(Object.entries(PRESETS).map(([k, p]) => [k, esc(p.title)]), "")}</select></label>
</div>
<p class="pg-summary" data-pg="summary" role="status" aria-live="polite"></p>
<div class="pg-alert" data-pg="alert" role="alert" hidden></div>
<div class="pg-layout">
  <div class="pg-controls">
    <fieldset data-pg-part="data"><legend>Data</legend>
      <label>Data set <select data-pg="dataset">${options(Object.entries(DATASETS), "xor")}</select></label>
      <label>Classes <select data-pg="classes">${options(Array.from({ length: MAX_CLASSES - 1 }, (_, k) => [k + 2, k + 2]), 2)}</select></label>
      <label>Noise <input type="range" min="0" max="1" step="0.05" data-pg="noise"><output data-pg="noise-out"></output></label>
      <label>Training share <input type="range" min="0.1" max="0.9" step="0.1" data-pg="ratio"><output data-pg="ratio-out"></output></label>
      <label>Points <input type="number" min="10" max="1000" step="10" data-pg="n"></label>
      <label>Seed <input type="number" min="0" max="2147483647" step="1" data-pg="seed"></label>
      <div class="pg-add" role="group" aria-label="Add a training point (or click the plot)">
        <label>x1 <input type="number" step="0.1" min="-3" max="3" value="0" data-pg="add-x1"></label>
        <label>x2 or y <input type="number" step="0.1" min="-6" max="6" value="0" data-pg="add-x2"></label>
        <label>Class <select data-pg="add-class">${classOptions(2)}</select></label>
        <button type="button" class="nn-button" data-pg="add">Add point</button>
        <button type="button" class="nn-button" data-pg="clear-added">Remove added points</button>
      </div>
      <details class="pg-csv" data-pg="csv"><summary>Your own data (CSV)</summary>
        <p class="pg-note">A first line <code>x1,x2,label</code> (classes 0 to ${MAX_CLASSES - 1}) or <code>x1,target</code> (a curve),
          optionally <code>,split</code> (train or test); x1 and x2 in [-3, 3]; at most 1,000 rows.</p>
        <label>Load a CSV file <input type="file" accept=".csv,text/csv,text/plain" data-pg="csv-file"></label>
        <label class="pg-export-text">Or paste CSV text <textarea rows="4" data-pg="csv-text" spellcheck="false"></textarea></label>
        <button type="button" class="nn-button" data-pg="csv-load">Load pasted data</button>
        <p class="pg-note" data-pg="csv-message" role="status"></p>
      </details>
    </fieldset>
    <fieldset data-pg-part="features"><legend>Input features</legend>
      ${FEATURE_NAMES.map((f) => `<label class="pg-check"><input type="checkbox" data-pg-feature="${f}"> ${FEATURES[f].label}</label>`).join("")}
    </fieldset>
    <fieldset data-pg-part="network"><legend>Network</legend>
      <label>Hidden layers <input type="number" min="0" max="4" step="1" data-pg="layers"></label>
      <div data-pg="units"></div>
      <label>Activation <select data-pg="activation">${options(ACTIVATION_NAMES.map((a) => [a, a]), "tanh")}</select></label>
      <p class="pg-note" data-pg="output-note"></p>
    </fieldset>
    <fieldset data-pg-part="training"><legend>Training</legend>
      <label>Learning rate <select data-pg="learningRate">${options(LEARNING_RATES.map((v) => [v, v]), 0.03)}</select></label>
      <label>Batch size <select data-pg="batchSize">${options(BATCH_SIZES.map((v) => [v, v === "all" ? "all (full batch)" : v]), 10)}</select></label>
      <label>Optimizer <select data-pg="optimizer">${options([["sgd", "SGD"], ["momentum", "SGD with momentum 0.9"], ["adam", "Adam"]], "sgd")}</select></label>
    </fieldset>
    <fieldset data-pg-part="regularization"><legend>Regularisation</legend>
      <label>L1 rate <select data-pg="l1">${options(PENALTY_RATES.map((v) => [v, v]), 0)}</select></label>
      <label>L2 rate <select data-pg="l2">${options(PENALTY_RATES.map((v) => [v, v]), 0)}</select></label>
      <label>Dropout <select data-pg="dropout">${options(DROPOUT_RATES.map((v) => [v, v]), 0)}</select></label>
      <p class="pg-note">Added to the loss: L1 rate × Σ|w| + L2 rate × Σw² over every kernel (Keras's
        <code>kernel_regularizer</code>). Dropout switches off that share of each hidden layer's outputs
        at every training step, and scales the others up; predictions use every unit.</p>
    </fieldset>
  </div>
  <div class="pg-views">
    <figure>
      <canvas width="400" height="400" data-pg="main" tabindex="0" role="img"></canvas>
      <figcaption>Filled dots: training points; hollow dots: test points. Click (or press Enter on) the plot to add a training point at the cursor.</figcaption>
    </figure>
    <figure>
      <canvas width="400" height="120" data-pg="loss" tabindex="0" role="img" aria-label="Loss curves: training loss solid, test loss dashed, regularisation term dotted. Arrow keys read the values step by step."></canvas>
      <figcaption>Loss against step: training (solid), test (dashed), regularisation term (dotted). Point at the curves, or focus them and use the arrow keys, to read the values.</figcaption>
      <p class="pg-note" data-pg="loss-readout" aria-live="polite"></p>
    </figure>
  </div>
</div>
<figure class="pg-network" data-pg-part="diagram">
  <canvas width="700" height="300" data-pg="network" tabindex="0" role="img"></canvas>
  <figcaption>The network: each square is a unit, showing its output over the input plane (orange positive, blue negative); each line a weight, thicker for larger |w|, orange solid positive, blue dashed negative. Point at a line, or focus the diagram and use the arrow keys, to read a weight.</figcaption>
  <p class="pg-note" data-pg="weight-readout" aria-live="polite"></p>
</figure>
<details class="pg-stepper" data-pg="stepper" data-pg-part="stepper"><summary>Step through one example (forward values and gradients)</summary>
  <div role="group" aria-label="Step-through controls">
    <label>Training example <input type="number" min="0" step="1" value="0" data-pg="example"></label>
    <button type="button" class="nn-button" data-pg="stage-prev">Previous stage</button>
    <button type="button" class="nn-button" data-pg="stage-next">Next stage</button>
    <button type="button" class="nn-button" data-pg="stage-all">Show all</button>
  </div>
  <div data-pg="stages" aria-live="polite" tabindex="0" aria-label="Stages of the step-through"></div>
</details>
<div class="pg-export" role="group" aria-label="Export" data-pg-part="export">
  <button type="button" class="nn-button" data-pg-export="nnlib">nnlib code</button>
  <button type="button" class="nn-button" data-pg-export="keras">Keras code</button>
  <button type="button" class="nn-button" data-pg-export="json">Weights as JSON</button>
  <button type="button" class="nn-button" data-pg-export="csv">Data as CSV</button>
  <a class="nn-button" data-pg="download" hidden>Download</a>
  <label class="pg-export-text">Exported text <textarea readonly rows="10" data-pg="export-text"></textarea></label>
</div>`;
}

const OUTPUT_NOTES = {
  regression: "Output: one linear unit, loss mean squared error (as nnlib and Keras for regression).",
  classification: "Output: one sigmoid unit, loss binary cross-entropy (as nnlib and Keras for two classes).",
  multiclass: "Output: one softmax unit per class, loss categorical cross-entropy of the class labels (sparse_categorical_crossentropy in nnlib and Keras).",
};

/** Show configuration `state` (of a session with task `task`) in the controls under `root`. */
export function showState(root, state, task) {
  const $ = (name) => root.querySelector(`[data-pg="${name}"]`);
  $("dataset").value = state.dataset;
  $("classes").value = state.classes;
  $("classes").disabled = !MULTICLASS_DATASETS.includes(state.dataset);
  $("noise").value = state.noise; $("noise-out").textContent = state.noise;
  $("ratio").value = state.ratio; $("ratio-out").textContent = `${Math.round(state.ratio * 100)}%`;
  $("n").value = state.n; $("seed").value = state.seed;
  root.querySelectorAll("[data-pg-feature]").forEach((box) => {
    box.checked = state.features.includes(box.dataset.pgFeature);
    box.disabled = task === "regression" && FEATURES[box.dataset.pgFeature].uses2;
  });
  $("layers").value = state.hidden.length;
  // rebuilt only when the number of layers changes, so that a focused field is never replaced
  const units = $("units");
  if (units.children.length !== state.hidden.length) {
    units.innerHTML = state.hidden.map((u, l) => `<label>Units in hidden layer ${l + 1} <input type="number" min="1" max="8" step="1" value="${u}" data-pg-units="${l}"></label>`).join("");
  }
  units.querySelectorAll("input").forEach((input, l) => { if (input.value !== String(state.hidden[l])) input.value = state.hidden[l]; });
  $("activation").value = state.activation;
  for (const [key, value] of [["learningRate", state.learningRate], ["batchSize", state.batchSize], ["l1", state.l1], ["l2", state.l2], ["dropout", state.dropout]]) {
    $(key).value = String(value);
    if ($(key).value !== String(value)) $(key).add(new Option(value, value, true, true)); // a value set from the URL or API
  }
  $("optimizer").value = state.optimizer;
  $("output-note").textContent = OUTPUT_NOTES[task];
  const addClass = $("add-class"), k = task === "multiclass" ? state.classes : 2;
  if (addClass.options.length !== k) addClass.innerHTML = classOptions(k);
  addClass.disabled = task === "regression";
}

/** Hide the parts named in `parts` (data-pg-part); `chrome` hides the site around the playground. */
export function hideParts(root, parts) {
  root.querySelectorAll("[data-pg-part]").forEach((el) => { el.hidden = parts.includes(el.dataset.pgPart); });
  if (parts.includes("chrome")) document.body.classList.add("nn-chrome-hidden");
}
