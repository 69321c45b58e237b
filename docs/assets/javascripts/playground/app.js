// The playground: mounts the controls and views on an element and wires them to a session, plus the
// scripting interface (window.nnPlayground on the playground page, element.nnPlayground on an
// embedded one). Mounted by boot.js on <div id="nn-playground"> and on each <div class="nn-embed">.
//
// The parts, each a function below: configuration (apply), drawing, training (play, step, reset,
// divergence), the CSV loader, the read-outs of the loss curves and the network diagram, the export,
// and the scripting interface.
import { markup, hideParts, showState } from "./controls.js";
import { CsvError, MAX_BYTES, parseCsv } from "./csv.js";
import { dataCsv, pythonScript, weightsJson } from "./export.js";
import { Session } from "./session.js";
import { DEFAULTS, PRESETS, fromPreset, fromQuery, hiddenParts, toQuery, validate } from "./state.js";
import { renderStages } from "./stepper.js";
import { lossIndexAt, makeSelection, nextWeight, render, weightAt } from "./views.js";

/**
 * Mount a playground on `root`, configured by the query string `query` (state.js: settings, `preset=`,
 * `hide=`). `embedded`: a playground inside a chapter, which leaves the page's address alone.
 */
export function mount(root, { query = location.search, embedded = false } = {}) {
  root.innerHTML = markup();
  const pg = {
    root, embedded, session: new Session(), selection: makeSelection(), state: null, playing: false, stage: 0, hidden: [],
    $: (name) => root.querySelector(`[data-pg="${name}"]`),
  };
  pg.apply = (changes, options) => apply(pg, changes, options);
  pg.draw = () => draw(pg);
  wireTraining(pg);
  wireControls(pg);
  wireCsv(pg);
  wireReadouts(pg);
  wireExport(pg);
  start(pg, query);
  const api = scriptingInterface(pg);
  root.nnPlayground = api;
  if (!embedded) window.nnPlayground = api;
  return api;
}

// ------------------------------------------------------------ configuration
const REBUILD_KEYS = ["dataset", "classes", "noise", "ratio", "n", "seed", "features", "hidden", "activation", "init", "added"];

/**
 * Apply `changes`: data, features, architecture or `init` build a new network; training settings
 * (learning rate, batch size, optimizer, regularisation, dropout) keep the weights. `fresh` starts
 * from the defaults; `rebuild` forces new data and weights (newly loaded CSV data).
 */
function apply(pg, changes, { fresh = false, rebuild = false } = {}) {
  const { session } = pg;
  const next = validate(fresh ? DEFAULTS : pg.state, changes, session.csv && session.csv.task);
  const needsRebuild = !pg.state || fresh || rebuild || REBUILD_KEYS.some((k) => JSON.stringify(next[k]) !== JSON.stringify(pg.state[k]));
  if (needsRebuild) session.rebuild(next);
  else session.retune(next);
  pg.state = next;
  pg.selection.weight = null;
  if (!pg.embedded) { // the settings, and the parts the address hid (a reload keeps them hidden)
    const q = [toQuery(next), pg.hidden.length ? `hide=${pg.hidden.join(",")}` : ""].filter(Boolean).join("&");
    window.history.replaceState(null, "", `${location.pathname}${q ? "?" + q : ""}${location.hash}`);
  }
  showState(pg.root, next, session.task);
  pg.draw();
  return { ...next };
}

function start(pg, query) {
  let initial = DEFAULTS, problem = null;
  try {
    initial = fromQuery(query);
    pg.hidden = hiddenParts(query);
    hideParts(pg.root, pg.hidden);
    if (initial.dataset === "csv") {
      problem = "This address names data loaded from a CSV file, which an address cannot hold: the playground shows its default data instead. Load the file again under Data, Your own data (CSV).";
      initial = { ...initial, dataset: DEFAULTS.dataset, classes: 2 };
    }
  } catch (error) {
    problem = `The address's settings were not used: ${error.message}.`;
    initial = DEFAULTS;
  }
  pg.apply(initial, { fresh: true });
  if (problem) showAlert(pg, problem);
}

function draw(pg) {
  render(pg.root, pg.session, pg.selection);
  if (pg.$("stepper").open) pg.stage = renderStages(pg.root, pg.session, pg.stage);
  if (pg.session.diverged) showAlert(pg, divergenceMessage(pg));
  else if (pg.$("alert").dataset.kind === "diverged") showAlert(pg, null);
}

function showAlert(pg, text, kind = text && text.startsWith("Training stopped") ? "diverged" : "notice") {
  const alert = pg.$("alert");
  alert.hidden = !text;
  alert.textContent = text || "";
  alert.dataset.kind = text ? kind : "";
}

// ------------------------------------------------------------ training: play, step, reset, divergence
function wireTraining(pg) {
  const frame = () => {
    if (!pg.playing || !pg.root.isConnected) { pg.playing = false; return; }
    const { diverged } = pg.session.trainSteps(Number(pg.$("speed").value));
    pg.draw();
    if (diverged) setPlaying(pg, false);
    else requestAnimationFrame(frame);
  };
  pg.frame = frame;
  pg.root.addEventListener("click", (event) => {
    const key = event.target.closest("button") && event.target.closest("button").dataset.pg;
    if (key === "play") setPlaying(pg, !pg.playing);
    else if (key === "step") { setPlaying(pg, false); pg.session.trainSteps(1); pg.draw(); }
    else if (key === "reset") { setPlaying(pg, false); pg.session.restart(); pg.draw(); }
    else if (key === "new-weights") { setPlaying(pg, false); pg.apply({ init: pg.state.init + 1 }); }
  });
}

function setPlaying(pg, on) {
  pg.playing = on && !pg.session.diverged;
  pg.$("play").textContent = pg.playing ? "Pause" : "Play";
  pg.$("play").setAttribute("aria-pressed", String(pg.playing));
  // while playing the summary changes every frame: announce it only once paused
  pg.$("summary").setAttribute("aria-live", pg.playing ? "off" : "polite");
  if (pg.playing) requestAnimationFrame(pg.frame);
  else if (on) pg.draw(); // asked to play a network that has diverged: say so again
}

/** Why training stopped, and what to try. */
function divergenceMessage(pg) {
  const { step, loss } = pg.session.diverged;
  const { learningRate, optimizer } = pg.state;
  const what = Number.isNaN(loss) ? "NaN (not a number)" : "infinite";
  const smaller = [0.3, 0.1, 0.03, 0.01, 0.003].find((v) => v < learningRate) || learningRate / 10;
  return `Training stopped at step ${step}: the loss became ${what}. Each step made the weights larger until the ` +
    `arithmetic overflowed: the learning rate ${learningRate} is too large for this network and data. ` +
    `Try a smaller learning rate (${smaller} or less)` + (optimizer === "adam" ? "" : ", or Adam, whose steps stay small") +
    `, then press Reset (the same initial weights) or New weights.`;
}

// ------------------------------------------------------------ controls -> configuration
function wireControls(pg) {
  const { root, $ } = pg;
  // A new data set or number of classes drops added points that no longer fit (a class out of range,
  // a regression target); any other refused value leaves the configuration as it was and says why.
  const tryApply = (changes) => {
    try { pg.apply(changes); } catch (error) {
      if ((changes.dataset || changes.classes) && pg.state.added.length) return tryApply({ ...changes, added: [] });
      showState(root, pg.state, pg.session.task);
      $("summary").textContent = error.message;
    }
  };
  root.addEventListener("change", (event) => {
    const el = event.target;
    const key = el.dataset.pg;
    if (el.dataset.pgFeature) {
      const chosen = [...root.querySelectorAll("[data-pg-feature]")].filter((b) => b.checked).map((b) => b.dataset.pgFeature);
      if (!chosen.length) { el.checked = true; return; } // the network needs at least one input
      pg.apply({ features: chosen });
    } else if (el.dataset.pgUnits) {
      const hidden = pg.state.hidden.slice();
      hidden[Number(el.dataset.pgUnits)] = Math.min(8, Math.max(1, Math.round(Number(el.value)) || 1));
      pg.apply({ hidden });
    } else if (key === "layers") {
      const count = Math.min(4, Math.max(0, Math.round(Number(el.value)) || 0));
      pg.apply({ hidden: Array.from({ length: count }, (_, l) => pg.state.hidden[l] || 4) });
    } else if (key === "dataset" && el.value === "csv" && !pg.session.csv) {
      el.value = pg.state.dataset;
      $("csv").open = true;
      $("csv-message").textContent = "Load a CSV file or paste CSV text first.";
    } else if (["dataset", "activation", "optimizer"].includes(key)) tryApply({ [key]: el.value });
    else if (["classes", "noise", "ratio", "n", "seed", "learningRate", "l1", "l2", "dropout"].includes(key)) tryApply({ [key]: Number(el.value) });
    else if (key === "batchSize") pg.apply({ batchSize: el.value === "all" ? "all" : Number(el.value) });
    else if (key === "preset" && el.value) { pg.apply(fromPreset(el.value), { fresh: true }); el.value = ""; }
    else if (key === "example") { pg.stage = 0; pg.draw(); }
  });
  root.addEventListener("input", (event) => {
    if (event.target.dataset.pg === "noise") $("noise-out").textContent = event.target.value;
    if (event.target.dataset.pg === "ratio") $("ratio-out").textContent = `${Math.round(event.target.value * 100)}%`;
  });
  root.addEventListener("click", (event) => {
    const key = event.target.closest("button") && event.target.closest("button").dataset.pg;
    if (key === "add") addPoint(pg, Number($("add-x1").value), Number($("add-x2").value));
    else if (key === "clear-added") pg.apply({ added: [] });
    else if (key === "stage-next") { pg.stage += 1; pg.draw(); }
    else if (key === "stage-prev") { pg.stage = Math.max(0, pg.stage - 1); pg.draw(); }
    else if (key === "stage-all") { pg.stage = 1e9; pg.draw(); }
  });
  $("stepper").addEventListener("toggle", () => pg.draw());
  const fromCanvas = (event) => {
    const box = $("main").getBoundingClientRect();
    return [-3 + ((event.clientX - box.left) / box.width) * 6, 3 - ((event.clientY - box.top) / box.height) * 6];
  };
  $("main").addEventListener("click", (event) => addPoint(pg, ...fromCanvas(event)));
  $("main").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); addPoint(pg, Number($("add-x1").value), Number($("add-x2").value)); }
  });
}

/** A training point at (x1, x2) of the class chosen, or (regression) at x1 with target x2. */
function addPoint(pg, x1, x2orY) {
  const regression = pg.session.task === "regression";
  const y = regression ? x2orY : Number(pg.$("add-class").value);
  const x2 = regression ? 0 : x2orY;
  pg.apply({ added: pg.state.added.concat([[Number(x1.toFixed(3)), Number(x2.toFixed(3)), Number(y.toFixed(3))]]) });
}

// ------------------------------------------------------------ the CSV loader
/**
 * Load CSV text: on success the playground trains on it (dataset "csv"); a bad file changes nothing
 * and the message names the line and the problem. Returns the message.
 */
function loadCsv(pg, text) {
  const { session, $ } = pg;
  let data;
  try {
    data = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    $("csv-message").textContent = `Not loaded: ${error.message} The playground keeps its previous data.`;
    return $("csv-message").textContent;
  }
  const previous = session.csv;
  session.csv = data;
  try {
    pg.apply({ dataset: "csv", classes: Math.max(2, data.classes), added: [] }, { rebuild: true });
  } catch (error) {
    session.csv = previous;
    $("csv-message").textContent = `Not loaded: ${error.message}. The playground keeps its previous data.`;
    return $("csv-message").textContent;
  }
  const kind = data.task === "regression" ? "a curve (target values)" : `${Math.max(2, data.classes)} classes`;
  $("csv-message").textContent = `Loaded ${data.points.length} points, ${kind}: ${session.train.length} for training, ${session.test.length} for testing.`;
  return $("csv-message").textContent;
}

function wireCsv(pg) {
  const { $ } = pg;
  pg.loadCsv = (text) => loadCsv(pg, text);
  $("csv-load").addEventListener("click", () => loadCsv(pg, $("csv-text").value));
  $("csv-file").addEventListener("change", async () => {
    const file = $("csv-file").files[0];
    if (!file) return;
    if (file.size > MAX_BYTES) {
      $("csv-message").textContent = `Not loaded: ${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the playground reads CSV files up to ${MAX_BYTES / 1000} kB (1,000 rows). The playground keeps its previous data.`;
      return;
    }
    loadCsv(pg, await file.text());
  });
}

// ------------------------------------------------------------ read-outs: loss curves and weights
function wireReadouts(pg) {
  const { $, selection } = pg;
  const loss = $("loss"), network = $("network");
  const canvasXY = (canvas, event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * canvas.width) / box.width, ((event.clientY - box.top) * canvas.height) / box.height];
  };
  loss.addEventListener("mousemove", (event) => { selection.lossIndex = lossIndexAt(loss, pg.session.history, canvasXY(loss, event)[0]); pg.draw(); });
  loss.addEventListener("mouseleave", () => { if (document.activeElement !== loss) { selection.lossIndex = null; pg.draw(); } });
  loss.addEventListener("focus", () => { if (selection.lossIndex === null) selection.lossIndex = pg.session.history.length - 1; pg.draw(); });
  loss.addEventListener("blur", () => { selection.lossIndex = null; pg.draw(); });
  loss.addEventListener("keydown", (event) => {
    const last = pg.session.history.length - 1, at = selection.lossIndex ?? last;
    const moves = { ArrowLeft: at - 1, ArrowDown: at - 1, ArrowRight: at + 1, ArrowUp: at + 1, Home: 0, End: last };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selection.lossIndex = Math.max(0, Math.min(last, moves[event.key]));
    pg.draw();
  });
  network.addEventListener("mousemove", (event) => {
    const found = weightAt(network, pg.session, ...canvasXY(network, event));
    if (JSON.stringify(found) !== JSON.stringify(selection.weight) && (found || document.activeElement !== network)) { selection.weight = found; pg.draw(); }
  });
  network.addEventListener("focus", () => { if (!selection.weight) selection.weight = nextWeight(pg.session, null, 1); pg.draw(); });
  network.addEventListener("blur", () => { selection.weight = null; pg.draw(); });
  network.addEventListener("keydown", (event) => {
    const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!delta) return;
    event.preventDefault();
    selection.weight = nextWeight(pg.session, selection.weight, delta);
    pg.draw();
  });
}

// ------------------------------------------------------------ export
function exportText(pg, kind) {
  const { session } = pg;
  const data = { state: pg.state, net: session.net, task: session.task, train: session.train, test: session.test };
  if (kind === "json") return weightsJson(data);
  if (kind === "csv") return dataCsv(data);
  return pythonScript(kind, data);
}

function wireExport(pg) {
  pg.root.addEventListener("click", (event) => {
    const kind = event.target.closest("button") && event.target.closest("button").dataset.pgExport;
    if (!kind) return;
    const text = exportText(pg, kind);
    pg.$("export-text").value = text;
    const link = pg.$("download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    link.download = { nnlib: "playground_nnlib.py", keras: "playground_keras.py", json: "playground_weights.json", csv: "playground_data.csv" }[kind];
    link.textContent = `Download ${link.download}`;
    link.hidden = false;
  });
}

// ------------------------------------------------------------ the scripting interface
function scriptingInterface(pg) {
  const { session } = pg;
  const paused = (f) => async (...args) => { setPlaying(pg, false); return f(...args); };
  return {
    load: paused((preset) => pg.apply(fromPreset(preset), { fresh: true })),
    configure: paused((changes) => pg.apply(changes || {})),
    train: paused((count = 1) => {
      if (!Number.isInteger(count) || count < 0) throw new Error(`train: steps must be a non-negative integer; received ${JSON.stringify(count)}`);
      const result = session.trainSteps(count);
      pg.draw();
      return result;
    }),
    predict: async (pairs) => {
      if (!Array.isArray(pairs) || pairs.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => typeof v !== "number"))) throw new Error("predict: points must be a list of [x1, x2] pairs");
      return session.predictPairs(pairs);
    },
    loadCsv: paused((text) => pg.loadCsv(String(text))),
    exportCode: async (kind) => exportText(pg, kind),
    exportWeights: async () => JSON.parse(weightsJson({ state: pg.state, net: session.net })),
    exportData: async () => exportText(pg, "csv"),
    state: async () => ({ ...pg.state, steps: session.steps }),
    lossHistory: async () => session.history.map((h) => ({ ...h })),
    reset: paused(() => { session.restart(); pg.draw(); return { ...pg.state }; }),
    newWeights: paused(() => pg.apply({ init: pg.state.init + 1 })),
    presets: Object.fromEntries(Object.entries(PRESETS).map(([k, p]) => [k, p.title])),
  };
}
