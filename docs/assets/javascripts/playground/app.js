// The playground page: controls, training loop, drawing, step-through view, export, and the
// scripting interface window.nnPlayground. Mounted on <div id="nn-playground"> by boot.js.
import { DATASETS, FEATURES, FEATURE_NAMES, featureMatrix, makeDataset, split } from "./data.js";
import { diverging, drawLoss, drawMain, drawNetwork, grid } from "./draw.js";
import { dataCsv, pythonScript, weightsJson } from "./export.js";
import { ACTIVATIONS, ACTIVATION_NAMES, Network, makeOptimizer } from "./nn.js";
import { makeRng } from "./rng.js";
import { BATCH_SIZES, DEFAULTS, LEARNING_RATES, PRESETS, fromPreset, fromQuery, toQuery, validate } from "./state.js";

const SURFACE = 50, UNIT_SURFACE = 16;
const fmt = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3)) : String(v));
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function markup() {
  const options = (pairs, selected) => pairs.map(([v, t]) => `<option value="${v}"${String(v) === String(selected) ? " selected" : ""}>${t}</option>`).join("");
  return `
<div class="pg-toolbar" role="group" aria-label="Training">
  <button type="button" class="nn-button nn-button--primary" data-pg="play" aria-pressed="false">Play</button>
  <button type="button" class="nn-button" data-pg="step">One step</button>
  <button type="button" class="nn-button" data-pg="reset">Reset</button>
  <label>Steps per frame <select data-pg="speed">${options([[1, 1], [5, 5], [20, 20], [100, 100]], 5)}</select></label>
  <label>Preset <select data-pg="preset"><option value="">(choose a preset)</option>${options(Object.entries(PRESETS).map(([k, p]) => [k, esc(p.title)]), "")}</select></label>
</div>
<p class="pg-summary" data-pg="summary" role="status" aria-live="polite"></p>
<div class="pg-layout">
  <div class="pg-controls">
    <fieldset><legend>Data</legend>
      <label>Data set <select data-pg="dataset">${options(Object.entries(DATASETS), "xor")}</select></label>
      <label>Noise <input type="range" min="0" max="1" step="0.05" data-pg="noise"><output data-pg="noise-out"></output></label>
      <label>Training share <input type="range" min="0.1" max="0.9" step="0.1" data-pg="ratio"><output data-pg="ratio-out"></output></label>
      <label>Points <input type="number" min="10" max="1000" step="10" data-pg="n"></label>
      <label>Seed <input type="number" min="0" max="2147483647" step="1" data-pg="seed"></label>
      <div class="pg-add" role="group" aria-label="Add a training point (or click the plot)">
        <label>x1 <input type="number" step="0.1" min="-3" max="3" value="0" data-pg="add-x1"></label>
        <label>x2 or y <input type="number" step="0.1" min="-6" max="6" value="0" data-pg="add-x2"></label>
        <label>Class <select data-pg="add-class">${options([[1, "1 (orange)"], [0, "0 (blue)"]], 1)}</select></label>
        <button type="button" class="nn-button" data-pg="add">Add point</button>
        <button type="button" class="nn-button" data-pg="clear-added">Remove added points</button>
      </div>
    </fieldset>
    <fieldset><legend>Input features</legend>
      ${FEATURE_NAMES.map((f) => `<label class="pg-check"><input type="checkbox" data-pg-feature="${f}"> ${FEATURES[f].label}</label>`).join("")}
    </fieldset>
    <fieldset><legend>Network</legend>
      <label>Hidden layers <input type="number" min="0" max="4" step="1" data-pg="layers"></label>
      <div data-pg="units"></div>
      <label>Activation <select data-pg="activation">${options(ACTIVATION_NAMES.map((a) => [a, a]), "tanh")}</select></label>
      <p class="pg-note" data-pg="output-note"></p>
    </fieldset>
    <fieldset><legend>Training</legend>
      <label>Learning rate <select data-pg="learningRate">${options(LEARNING_RATES.map((v) => [v, v]), 0.03)}</select></label>
      <label>Batch size <select data-pg="batchSize">${options(BATCH_SIZES.map((v) => [v, v === "all" ? "all (full batch)" : v]), 10)}</select></label>
      <label>Optimizer <select data-pg="optimizer">${options([["sgd", "SGD"], ["momentum", "SGD with momentum 0.9"], ["adam", "Adam"]], "sgd")}</select></label>
    </fieldset>
  </div>
  <div class="pg-views">
    <figure>
      <canvas width="400" height="400" data-pg="main" tabindex="0" role="img"></canvas>
      <figcaption>Filled dots: training points; hollow dots: test points. Click (or press Enter on) the plot to add a training point at the cursor.</figcaption>
    </figure>
    <figure>
      <canvas width="400" height="120" data-pg="loss" role="img" aria-label="Loss curves: training loss solid, test loss dashed"></canvas>
      <figcaption>Loss against step: training (solid), test (dashed).</figcaption>
    </figure>
  </div>
</div>
<figure class="pg-network">
  <canvas width="700" height="300" data-pg="network" role="img"></canvas>
  <figcaption>The network: each square is a unit, showing its output over the input plane (orange positive, blue negative); each line a weight, thicker for larger |w|, orange positive, blue negative.</figcaption>
</figure>
<details class="pg-stepper" data-pg="stepper"><summary>Step through one example (forward values and gradients)</summary>
  <div role="group" aria-label="Step-through controls">
    <label>Training example <input type="number" min="0" step="1" value="0" data-pg="example"></label>
    <button type="button" class="nn-button" data-pg="stage-prev">Previous stage</button>
    <button type="button" class="nn-button" data-pg="stage-next">Next stage</button>
    <button type="button" class="nn-button" data-pg="stage-all">Show all</button>
  </div>
  <div data-pg="stages" aria-live="polite"></div>
</details>
<div class="pg-export" role="group" aria-label="Export">
  <button type="button" class="nn-button" data-pg-export="nnlib">nnlib code</button>
  <button type="button" class="nn-button" data-pg-export="keras">Keras code</button>
  <button type="button" class="nn-button" data-pg-export="json">Weights as JSON</button>
  <button type="button" class="nn-button" data-pg-export="csv">Data as CSV</button>
  <a class="nn-button" data-pg="download" hidden>Download</a>
  <label class="pg-export-text">Exported text <textarea readonly rows="10" data-pg="export-text"></textarea></label>
</div>`;
}

export function mount(root) {
  root.innerHTML = markup();
  const $ = (name) => root.querySelector(`[data-pg="${name}"]`);
  const gridPairs = grid(SURFACE), unitPairs = grid(UNIT_SURFACE);

  let state, points, train, test, net, opt, xTrain, yTrain, xTest, yTest, steps, lossHistory, order, cursor, epoch;
  let playing = false, stage = 0;

  // ------------------------------------------------------------ model and data from the state
  function rebuild() {
    const task = state.dataset === "regression" ? "regression" : "classification";
    points = makeDataset(state.dataset, state.n, state.noise, state.seed);
    ({ train, test } = split(points, state.ratio, state.seed));
    train = train.concat(state.added.map(([x1, x2, y]) => ({ x1, x2, y })));
    xTrain = featureMatrix(train.map((p) => [p.x1, p.x2]), state.features);
    yTrain = Float64Array.from(train, (p) => p.y);
    xTest = featureMatrix(test.map((p) => [p.x1, p.x2]), state.features);
    yTest = Float64Array.from(test, (p) => p.y);
    net = new Network([state.features.length, ...state.hidden, 1], state.activation, task, makeRng(state.seed * 7 + 3));
    opt = makeOptimizer(state.optimizer, state.learningRate);
    steps = 0; epoch = 0; cursor = 0; order = null; lossHistory = [];
    record();
  }

  function record() {
    const trainLoss = train.length ? net.loss(xTrain, yTrain, train.length) : NaN;
    const testLoss = test.length ? net.loss(xTest, yTest, test.length) : NaN;
    if (!lossHistory.length || lossHistory[lossHistory.length - 1].step !== steps) lossHistory.push({ step: steps, train: trainLoss, test: testLoss });
    if (lossHistory.length > 2000) lossHistory = lossHistory.filter((_, k) => k % 2 === 0 || k === lossHistory.length - 1);
    return { trainLoss, testLoss };
  }

  /** One optimizer update on the next mini-batch (full batch: all training rows, in order). */
  function step() {
    const n = train.length, d = state.features.length;
    if (!n) return;
    const size = state.batchSize === "all" ? n : Math.min(state.batchSize, n);
    let rows;
    if (size === n) rows = null;
    else {
      if (!order || cursor >= n) { order = makeRng(state.seed * 131 + epoch).permutation(n); cursor = 0; epoch += 1; }
      rows = order.slice(cursor, cursor + size); cursor += size;
    }
    let xb = xTrain, yb = yTrain, m = n;
    if (rows) {
      m = rows.length; xb = new Float64Array(m * d); yb = new Float64Array(m);
      rows.forEach((r, k) => { for (let c = 0; c < d; c++) xb[k * d + c] = xTrain[r * d + c]; yb[k] = yTrain[r]; });
    }
    net.backward(net.forward(xb, m), yb, m);
    opt.apply(net.pairs());
    steps += 1;
  }

  function trainSteps(count) {
    const every = Math.max(1, Math.ceil(count / 20)); // about 20 points of the loss curves per call
    for (let k = 1; k <= count; k++) {
      step();
      if (k % every === 0 && k < count) record();
    }
    return record();
  }

  function predictPairs(pairs) {
    return Array.from(net.predict(featureMatrix(pairs, state.features), pairs.length));
  }

  function accuracy() {
    if (net.task !== "classification" || !test.length) return null;
    const p = net.predict(xTest, test.length);
    let right = 0;
    for (let k = 0; k < p.length; k++) right += (p[k] > 0.5 ? 1 : 0) === yTest[k] ? 1 : 0;
    return { right, total: test.length };
  }

  // ------------------------------------------------------------ drawing
  function render() {
    const main = $("main");
    const last = lossHistory[lossHistory.length - 1] || record();
    if (net.task === "classification") {
      drawMain(main, { task: net.task, surface: predictPairs(gridPairs), size: SURFACE, train, test });
    } else {
      const xs = Array.from({ length: 101 }, (_, c) => -3 + (c / 100) * 6);
      const ys = predictPairs(xs.map((x) => [x, 0]));
      drawMain(main, { task: net.task, curveValues: xs.map((x, k) => [x, ys[k]]), train, test });
    }
    drawLoss($("loss"), lossHistory);
    // each unit's output over the input plane, scaled by its largest |value|
    const { as } = net.forward(featureMatrix(unitPairs, state.features), unitPairs.length);
    const unitSurfaces = as.map((a, l) => {
      const units = l === 0 ? state.features.length : net.sizes[l];
      return Array.from({ length: units }, (_, j) => {
        const v = Array.from({ length: unitPairs.length }, (_, r) => a[r * units + j]);
        if (l === as.length - 1 && net.task === "classification") return v.map((p) => 2 * p - 1);
        const top = Math.max(1e-9, ...v.map(Math.abs));
        return v.map((x) => x / top);
      });
    });
    drawNetwork($("network"), { labels: state.features.map((f) => FEATURES[f].label), sizes: net.sizes, layers: net.layers, unitSurfaces, size: UNIT_SURFACE });
    const acc = accuracy();
    const text = `Step ${steps}: training loss ${fmt(last.train)}, test loss ${fmt(last.test)}` +
      (acc ? `, test accuracy ${((100 * acc.right) / acc.total).toFixed(1)}% (${acc.right} of ${acc.total} test points right)` : "") +
      ` (${net.lossName === "mse" ? "mean squared error" : "binary cross-entropy"}).`;
    $("summary").textContent = text;
    main.setAttribute("aria-label", `${net.task === "classification" ? "Decision surface" : "Fitted curve"} of ${DATASETS[state.dataset]}, ${train.length} training and ${test.length} test points. ${text}`);
    $("network").setAttribute("aria-label", `Network ${net.sizes.join("-")}, hidden activation ${state.activation}, output ${net.layers[net.layers.length - 1].activation}.`);
    if ($("stepper").open) renderStages();
  }

  // ------------------------------------------------------------ step-through of one example
  function stagesFor(index) {
    const p = train[index];
    if (!p) return [];
    const d = state.features.length;
    const x = xTrain.slice(index * d, (index + 1) * d);
    const pass = net.forward(x, 1);
    const saved = net.layers.map((L) => [L.gradKernel.slice(), L.gradBias.slice()]);
    const { loss, deltas } = net.backward(pass, Float64Array.of(p.y), 1);
    const grads = net.layers.map((L) => [L.gradKernel.slice(), L.gradBias.slice()]);
    net.layers.forEach((L, l) => { L.gradKernel.set(saved[l][0]); L.gradBias.set(saved[l][1]); });
    const row = (cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
    const table = (caption, head, rows) => `<table><caption>${caption}</caption><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
    const out = [table(`Input: point (${fmt(p.x1)}, ${fmt(p.x2)}), target y = ${fmt(p.y)}`, ["feature", "value"], state.features.map((f, k) => row([FEATURES[f].label, fmt(x[k])])))];
    net.layers.forEach((L, l) => {
      out.push(table(`Forward, layer ${l + 1} (${L.activation}): z = a_prev · W + b, a = ${L.activation}(z)`, ["unit", "z", "a"],
        Array.from({ length: L.nOut }, (_, j) => row([j + 1, fmt(pass.zs[l][j]), fmt(pass.as[l + 1][j])]))));
    });
    out.push(`<p>Loss (${net.lossName}) of this example: <strong>${fmt(loss)}</strong></p>`);
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const L = net.layers[l];
      const rows = [];
      for (let j = 0; j < L.nOut; j++) {
        rows.push(row([j + 1, fmt(deltas[l].da[j]), fmt(deltas[l].dz[j]), fmt(grads[l][1][j]),
          Array.from({ length: L.nIn }, (_, i) => fmt(grads[l][0][i * L.nOut + j])).join(", ")]));
      }
      out.push(table(`Backward, layer ${l + 1}: dL/dz = dL/da · ${L.activation}'(z); dL/dW = a_prev dL/dz; dL/db = dL/dz`, ["unit", "dL/da", "dL/dz", "dL/db", "dL/dW (from each input)"], rows));
    }
    return out;
  }

  function renderStages() {
    const index = Math.min(Math.max(0, Number($("example").value) || 0), Math.max(0, train.length - 1));
    $("example").max = String(Math.max(0, train.length - 1));
    const all = stagesFor(index);
    stage = Math.min(stage, all.length - 1);
    $("stages").innerHTML = all.slice(0, stage + 1).join("") + `<p class="pg-note">Stage ${stage + 1} of ${all.length}.</p>`;
  }

  // ------------------------------------------------------------ controls <-> state
  function showState() {
    $("dataset").value = state.dataset;
    $("noise").value = state.noise; $("noise-out").textContent = state.noise;
    $("ratio").value = state.ratio; $("ratio-out").textContent = `${Math.round(state.ratio * 100)}%`;
    $("n").value = state.n; $("seed").value = state.seed;
    root.querySelectorAll("[data-pg-feature]").forEach((box) => {
      box.checked = state.features.includes(box.dataset.pgFeature);
      box.disabled = state.dataset === "regression" && FEATURES[box.dataset.pgFeature].uses2;
    });
    $("layers").value = state.hidden.length;
    // rebuilt only when the number of layers changes, so that a focused field is never replaced
    const units = $("units");
    if (units.children.length !== state.hidden.length) {
      units.innerHTML = state.hidden.map((u, l) => `<label>Units in hidden layer ${l + 1} <input type="number" min="1" max="8" step="1" value="${u}" data-pg-units="${l}"></label>`).join("");
    }
    units.querySelectorAll("input").forEach((input, l) => { if (input.value !== String(state.hidden[l])) input.value = state.hidden[l]; });
    $("activation").value = state.activation;
    $("learningRate").value = String(state.learningRate);
    if (!LEARNING_RATES.includes(state.learningRate)) $("learningRate").add(new Option(state.learningRate, state.learningRate, true, true));
    $("batchSize").value = String(state.batchSize);
    if ($("batchSize").value !== String(state.batchSize)) $("batchSize").add(new Option(state.batchSize, state.batchSize, true, true));
    $("optimizer").value = state.optimizer;
    $("output-note").textContent = state.dataset === "regression"
      ? "Output: one linear unit, loss mean squared error (as nnlib and Keras for regression)."
      : "Output: one sigmoid unit, loss binary cross-entropy (as nnlib and Keras for two classes).";
    $("add-class").disabled = state.dataset === "regression";
  }

  /** Apply changes: data, features or architecture rebuild the model; training settings keep the weights. */
  function apply(changes, { fresh = false } = {}) {
    const next = validate(fresh ? DEFAULTS : state, changes);
    const rebuildKeys = ["dataset", "noise", "ratio", "n", "seed", "features", "hidden", "activation", "added"];
    const needsRebuild = !state || fresh || rebuildKeys.some((k) => JSON.stringify(next[k]) !== JSON.stringify(state[k]));
    const optimizerChanged = state && next.optimizer !== state.optimizer;
    state = next;
    if (needsRebuild) rebuild();
    else {
      if (optimizerChanged) opt = makeOptimizer(state.optimizer, state.learningRate);
      opt.learningRate = state.learningRate;
      order = null; // a new batch size starts a new epoch
    }
    window.history.replaceState(null, "", `${location.pathname}${toQuery(state) ? "?" + toQuery(state) : ""}${location.hash}`);
    showState();
    render();
    return { ...state };
  }

  function setPlaying(on) {
    playing = on;
    $("play").textContent = on ? "Pause" : "Play";
    $("play").setAttribute("aria-pressed", String(on));
    // while playing the summary changes every frame: announce it only once paused
    $("summary").setAttribute("aria-live", on ? "off" : "polite");
    if (on) requestAnimationFrame(frame);
  }
  function frame() {
    if (!playing || !root.isConnected) { playing = false; return; }
    trainSteps(Number($("speed").value));
    render();
    if (!Number.isFinite(lossHistory[lossHistory.length - 1].train)) { setPlaying(false); $("summary").textContent += " Training diverged: the loss is no longer a number; lower the learning rate and reset."; return; }
    requestAnimationFrame(frame);
  }

  function addPoint(x1, x2orY, cls) {
    const y = state.dataset === "regression" ? x2orY : cls;
    const x2 = state.dataset === "regression" ? 0 : x2orY;
    apply({ added: state.added.concat([[Number(x1.toFixed(3)), Number(x2.toFixed(3)), Number(y.toFixed(3))]]) });
  }

  root.addEventListener("change", (event) => {
    const el = event.target;
    const key = el.dataset.pg;
    if (el.dataset.pgFeature) {
      const chosen = [...root.querySelectorAll("[data-pg-feature]")].filter((b) => b.checked).map((b) => b.dataset.pgFeature);
      if (!chosen.length) { el.checked = true; return; } // the network needs at least one input
      apply({ features: chosen });
    } else if (el.dataset.pgUnits) {
      const hidden = state.hidden.slice();
      hidden[Number(el.dataset.pgUnits)] = Math.min(8, Math.max(1, Math.round(Number(el.value)) || 1));
      apply({ hidden });
    } else if (key === "layers") {
      const count = Math.min(4, Math.max(0, Math.round(Number(el.value)) || 0));
      apply({ hidden: Array.from({ length: count }, (_, l) => state.hidden[l] || 4) });
    } else if (["dataset", "activation", "optimizer"].includes(key)) apply({ [key]: el.value });
    else if (["noise", "ratio", "n", "seed", "learningRate"].includes(key)) {
      const v = Number(el.value);
      try { apply({ [key]: v }); } catch (error) { showState(); $("summary").textContent = error.message; }
    } else if (key === "batchSize") apply({ batchSize: el.value === "all" ? "all" : Number(el.value) });
    else if (key === "preset" && el.value) { apply(fromPreset(el.value), { fresh: true }); el.value = ""; }
    else if (key === "example") { stage = 0; renderStages(); }
  });
  root.addEventListener("input", (event) => {
    if (event.target.dataset.pg === "noise") $("noise-out").textContent = event.target.value;
    if (event.target.dataset.pg === "ratio") $("ratio-out").textContent = `${Math.round(event.target.value * 100)}%`;
  });
  root.addEventListener("click", (event) => {
    const el = event.target.closest("button");
    if (!el) return;
    const key = el.dataset.pg;
    if (key === "play") setPlaying(!playing);
    else if (key === "step") { setPlaying(false); trainSteps(1); render(); }
    else if (key === "reset") { setPlaying(false); rebuild(); render(); }
    else if (key === "add") addPoint(Number($("add-x1").value), Number($("add-x2").value), Number($("add-class").value));
    else if (key === "clear-added") apply({ added: [] });
    else if (key === "stage-next") { stage += 1; renderStages(); }
    else if (key === "stage-prev") { stage = Math.max(0, stage - 1); renderStages(); }
    else if (key === "stage-all") { stage = 1e9; renderStages(); }
    else if (el.dataset.pgExport) showExport(el.dataset.pgExport);
  });
  $("stepper").addEventListener("toggle", () => { if ($("stepper").open) renderStages(); });
  const fromCanvas = (event) => {
    const box = $("main").getBoundingClientRect();
    return [-3 + ((event.clientX - box.left) / box.width) * 6, 3 - ((event.clientY - box.top) / box.height) * 6];
  };
  $("main").addEventListener("click", (event) => { const [x1, x2] = fromCanvas(event); addPoint(x1, x2, Number($("add-class").value)); });
  $("main").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); addPoint(Number($("add-x1").value), Number($("add-x2").value), Number($("add-class").value)); }
  });

  function exportText(kind) {
    const data = { state, net, train, test };
    if (kind === "json") return weightsJson(data);
    if (kind === "csv") return dataCsv(data);
    return pythonScript(kind, data);
  }
  function showExport(kind) {
    const text = exportText(kind);
    $("export-text").value = text;
    const link = $("download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    link.download = { nnlib: "playground_nnlib.py", keras: "playground_keras.py", json: "playground_weights.json", csv: "playground_data.csv" }[kind];
    link.textContent = `Download ${link.download}`;
    link.hidden = false;
  }

  // ------------------------------------------------------------ start, and the scripting interface
  let initial;
  try { initial = fromQuery(location.search); } catch (error) { initial = DEFAULTS; }
  apply(initial, { fresh: true });

  const api = {
    load: async (preset) => { setPlaying(false); return apply(fromPreset(preset), { fresh: true }); },
    configure: async (changes) => { setPlaying(false); return apply(changes || {}); },
    train: async (count = 1) => {
      if (!Number.isInteger(count) || count < 0) throw new Error(`train: steps must be a non-negative integer; received ${JSON.stringify(count)}`);
      setPlaying(false);
      const losses = trainSteps(count);
      render();
      return { ...losses, steps };
    },
    predict: async (pairs) => {
      if (!Array.isArray(pairs) || pairs.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => typeof v !== "number"))) throw new Error("predict: points must be a list of [x1, x2] pairs");
      return predictPairs(pairs);
    },
    exportCode: async (kind) => exportText(kind),
    exportWeights: async () => JSON.parse(weightsJson({ state, net })),
    exportData: async () => dataCsv({ train, test }),
    state: async () => ({ ...state, steps }),
    lossHistory: async () => lossHistory.map((h) => ({ ...h })),
    reset: async () => { setPlaying(false); rebuild(); render(); return { ...state }; },
    presets: Object.fromEntries(Object.entries(PRESETS).map(([k, p]) => [k, p.title])),
  };
  window.nnPlayground = api;
  return api;
}
