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

// The loss each task compiles with: class labels (not one-hot) for the softmax output.
const COMPILED_LOSS = { mse: "mse", binary_crossentropy: "binary_crossentropy", categorical_crossentropy: "sparse_categorical_crossentropy" };

/**
 * The layers of the page's network: Dense layers (with Keras's kernel_regularizer when the page
 * regularises) and a Dropout layer after each hidden one when the page uses dropout.
 */
function layerCode(kind, { state, net }) {
  const k = kind === "nnlib" ? "" : "keras.layers.";
  const regularizer = state.l1 || state.l2
    ? `, kernel_regularizer=${kind === "nnlib" ? "" : "keras."}regularizers.L1L2(l1=${json(state.l1)}, l2=${json(state.l2)})` : "";
  const lines = [kind === "nnlib" ? `Input((${net.sizes[0]},))` : `keras.Input((${net.sizes[0]},))`];
  net.layers.forEach((L, l) => {
    lines.push(`${k}Dense(${L.nOut}, activation=${json(L.activation)}${regularizer})`);
    if (state.dropout > 0 && l + 1 < net.layers.length) lines.push(`${k}Dropout(${json(state.dropout)})`);
  });
  return lines;
}

/** The script for `kind` "nnlib" (float64) or "keras" (Keras 3, float32). */
export function pythonScript(kind, { state, net, train, test }) {
  if (kind !== "nnlib" && kind !== "keras") throw new Error(`exportCode: kind must be "nnlib" or "keras"; received ${json(kind)}`);
  const loss = COMPILED_LOSS[net.lossName];
  const layers = layerCode(kind, { state, net });
  const header = kind === "nnlib"
    ? [
        "import numpy as np",
        ...(state.l1 || state.l2 ? ["from nnlib import regularizers"] : []),
        "from nnlib.config import set_floatx",
        `from nnlib.layers import Dense, ${state.dropout > 0 ? "Dropout, " : ""}Input`,
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
    ...(state.l1 || state.l2 || state.dropout ? [`Regularisation: L1 ${state.l1}, L2 ${state.l2} on every kernel; dropout ${state.dropout} after each hidden layer.`] : []),
    '"""',
    ...header,
    "",
    "",
    "def features(p):",
    '    """The input features the network sees, from points (x1, x2)."""',
    `    return np.stack([${state.features.map((f) => FEATURES[f].py).join(", ")}], axis=1)`,
    "",
    "",
    "# points (x1, x2) and targets" + (loss === "mse" ? " (values)" : loss === "binary_crossentropy" ? " (class 0 or 1)" : " (class labels 0, 1, ...)"),
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
      (loss === "mse" ? ")" : ', metrics=["accuracy"])'),
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
    loss: COMPILED_LOSS[net.lossName], optimizer: state.optimizer, learningRate: state.learningRate,
    l1: state.l1, l2: state.l2, dropout: state.dropout,
    weights: net.getWeights(),
  }, null, 1);
}

/** The data in the form the CSV loader reads back (csv.js): x1,x2,label,split or x1,target,split. */
export function dataCsv({ task, train, test }) {
  const regression = task === "regression";
  const rows = [regression ? "x1,target,split" : "x1,x2,label,split"];
  const row = (p, split) => (regression ? `${p.x1},${p.y},${split}` : `${p.x1},${p.x2},${p.y},${split}`);
  for (const p of train) rows.push(row(p, "train"));
  for (const p of test) rows.push(row(p, "test"));
  return rows.join("\n") + "\n";
}
