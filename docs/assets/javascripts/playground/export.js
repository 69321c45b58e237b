// Export: a Python script (nnlib or Keras) that rebuilds the page's model with its current weights and
// its data, weights as JSON, data as CSV. Numbers are written with JavaScript's shortest round-trip
// form, which Python reads back to the same float64.
import { FEATURES } from "./data.js";

const json = (v) => JSON.stringify(v);
const pyRows = (rows) => "[\n" + rows.map((r) => "    " + json(r) + ",").join("\n") + "\n]";

function optimizerCode(state, prefix) {
  const lr = json(state.learningRate);
  if (state.optimizer === "adam") return `${prefix}Adam(learning_rate=${lr})`;
  if (state.optimizer === "momentum") return `${prefix}SGD(learning_rate=${lr}, momentum=0.9)`;
  return `${prefix}SGD(learning_rate=${lr})`;
}

/** The script for `kind` "nnlib" (float64) or "keras" (Keras 3, float32). */
export function pythonScript(kind, { state, net, train, test }) {
  if (kind !== "nnlib" && kind !== "keras") throw new Error(`exportCode: kind must be "nnlib" or "keras"; received ${json(kind)}`);
  const loss = net.lossName;
  const sizes = net.sizes;
  const acts = net.layers.map((L) => L.activation);
  const denseKw = kind === "nnlib" ? "Dense" : "keras.layers.Dense";
  const layers = [kind === "nnlib" ? `Input((${sizes[0]},))` : `keras.Input((${sizes[0]},))`]
    .concat(acts.map((a, l) => `${denseKw}(${sizes[l + 1]}, activation=${json(a)})`));
  const header = kind === "nnlib"
    ? [
        "import numpy as np",
        "from nnlib.config import set_floatx",
        "from nnlib.layers import Dense, Input",
        "from nnlib.models import Sequential",
        "from nnlib.optimizers import SGD, Adam",
        "",
        'set_floatx("float64")  # the playground computes in float64',
      ]
    : ["import numpy as np", "import keras", "", "# Keras computes in float32: predictions agree with the page to about 1e-6."];
  const batch = state.batchSize === "all" ? "len(x_train)" : String(state.batchSize);
  const lines = [
    `"""Exported from the playground of How Neural Networks Work (${kind}).`,
    "",
    `Data set ${state.dataset}, noise ${state.noise}, seed ${state.seed}; features ${state.features.join(", ")};`,
    `hidden layers ${json(state.hidden)} (${state.activation}); ${state.optimizer}, learning rate ${state.learningRate}, batch size ${state.batchSize}.`,
    '"""',
    ...header,
    "",
    "",
    "def features(p):",
    '    """The input features the network sees, from points (x1, x2)."""',
    `    return np.stack([${state.features.map((f) => FEATURES[f].py).join(", ")}], axis=1)`,
    "",
    "",
    "# points (x1, x2) and targets" + (loss === "mse" ? " (values)" : " (class 0 or 1)"),
    `points_train = np.array(${pyRows(train.map((p) => [p.x1, p.x2]))}, dtype="float64")`,
    `y_train = np.array(${json(train.map((p) => [p.y]))}, dtype="float64")`,
    `points_test = np.array(${pyRows(test.map((p) => [p.x1, p.x2]))}, dtype="float64").reshape(-1, 2)`,
    `y_test = np.array(${json(test.map((p) => [p.y]))}, dtype="float64").reshape(-1, 1)`,
    "x_train, x_test = features(points_train), features(points_test)",
    "",
    `model = ${kind === "nnlib" ? "Sequential" : "keras.Sequential"}([`,
    ...layers.map((l) => `    ${l},`),
    "])",
    "# [kernel (inputs, units), bias] of each Dense layer, as trained in the page",
    "model.set_weights([",
    ...net.getWeights().map((w) => `    np.array(${json(w)}),`),
    "])",
    `model.compile(optimizer=${optimizerCode(state, kind === "nnlib" ? "" : "keras.optimizers.")}, loss=${json(loss)}` +
      (loss === "binary_crossentropy" ? ', metrics=["accuracy"])' : ")"),
    "",
    "if __name__ == \"__main__\":",
    "    print(model.predict(x_test[:5], verbose=0))",
    `    # train on as the page does (the page takes batches in a shuffled order of its own):`,
    `    # model.fit(x_train, y_train, batch_size=${batch}, epochs=10)`,
    "",
  ];
  return lines.join("\n");
}

export function weightsJson({ state, net }) {
  return JSON.stringify({
    features: state.features, sizes: net.sizes, activations: net.layers.map((L) => L.activation),
    loss: net.lossName, optimizer: state.optimizer, learningRate: state.learningRate,
    weights: net.getWeights(),
  }, null, 1);
}

export function dataCsv({ train, test }) {
  const rows = ["x1,x2,y,split"];
  for (const p of train) rows.push(`${p.x1},${p.x2},${p.y},train`);
  for (const p of test) rows.push(`${p.x1},${p.x2},${p.y},test`);
  return rows.join("\n") + "\n";
}
