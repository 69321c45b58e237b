// One playground's model and data: the points, the network, its optimizer and trainer, the loss
// history. No DOM: app.js shows it, tests/js/session.test.mjs drives it.
import { featureMatrix, makeDataset, split } from "./data.js";
import { Network, makeOptimizer } from "./nn.js";
import { makeRng } from "./rng.js";
import { taskOf } from "./state.js";
import { makeTrainer } from "./train.js";

const HISTORY_LIMIT = 2000; // points of the loss curves kept; older ones are thinned out
const CURVE_POINTS = 20; // points of the loss curves recorded per call of trainSteps

export class Session {
  /** Loaded CSV data {task, classes, points}, used while the configuration's dataset is "csv". */
  csv = null;

  /** Data and a new network from a configuration (its seed and `init` pick the initial weights). */
  rebuild(state) {
    this.state = state;
    this.task = taskOf(state, this.csv && this.csv.task);
    let train, test;
    if (state.dataset === "csv") {
      if (!this.csv) throw new Error("dataset: \"csv\" needs data loaded from a CSV file first");
      const given = this.csv.points.every((p) => p.split);
      ({ train, test } = given
        ? { train: this.csv.points.filter((p) => p.split === "train"), test: this.csv.points.filter((p) => p.split === "test") }
        : split(this.csv.points, state.ratio, state.seed));
    } else {
      ({ train, test } = split(makeDataset(state.dataset, state.n, state.noise, state.seed, state.classes), state.ratio, state.seed));
    }
    this.train = train.map(({ x1, x2, y }) => ({ x1, x2, y })).concat(state.added.map(([x1, x2, y]) => ({ x1, x2, y })));
    this.test = test.map(({ x1, x2, y }) => ({ x1, x2, y }));
    this.xTrain = featureMatrix(this.train.map((p) => [p.x1, p.x2]), state.features);
    this.yTrain = Float64Array.from(this.train, (p) => p.y);
    this.xTest = featureMatrix(this.test.map((p) => [p.x1, p.x2]), state.features);
    this.yTest = Float64Array.from(this.test, (p) => p.y);
    const outputs = this.task === "multiclass" ? state.classes : 1;
    this.net = new Network([state.features.length, ...state.hidden, outputs], state.activation, this.task,
      makeRng(state.seed * 7 + 3 + state.init * 1000003), { regularization: { l1: state.l1, l2: state.l2 }, dropout: state.dropout });
    this.initialWeights = this.net.getWeights();
    this.restart();
  }

  /** Back to the initial weights, with a fresh optimizer, batch order and loss history. */
  restart() {
    this.net.setWeights(this.initialWeights);
    this.opt = makeOptimizer(this.state.optimizer, this.state.learningRate);
    this.steps = 0;
    this.history = [];
    this.diverged = null;
    this.retrain();
    this.record();
  }

  /** New training settings (learning rate, batch size, optimizer, regularisation, dropout) on the same weights. */
  retune(state) {
    if (state.optimizer !== this.state.optimizer) this.opt = makeOptimizer(state.optimizer, state.learningRate);
    this.state = state;
    this.opt.learningRate = state.learningRate;
    this.net.regularization = { l1: state.l1, l2: state.l2 };
    this.net.dropout = state.dropout;
    this.retrain();
    this.record();
  }

  retrain() { // a new batch size starts a new epoch
    const data = { x: this.xTrain, y: this.yTrain, n: this.train.length, d: this.state.features.length };
    this.trainer = makeTrainer(this.net, this.opt, data, { batchSize: this.state.batchSize, seed: this.state.seed });
  }

  /** The loss curves' newest point: data losses on the training and test rows, and the regularisation term. */
  record() {
    const trainLoss = this.train.length ? this.net.loss(this.xTrain, this.yTrain, this.train.length) : NaN;
    const testLoss = this.test.length ? this.net.loss(this.xTest, this.yTest, this.test.length) : NaN;
    const penalty = this.net.penalty();
    const h = this.history;
    if (h.length && h[h.length - 1].step === this.steps) h.pop();
    h.push({ step: this.steps, train: trainLoss, test: testLoss, penalty });
    if (h.length > HISTORY_LIMIT) this.history = h.filter((_, k) => k % 2 === 0 || k === h.length - 1);
    return { trainLoss, testLoss, penalty };
  }

  /**
   * `count` optimizer updates, one batch each. Stops at the first batch whose loss is not finite (that
   * batch changes nothing) or when the weights stop being finite, and sets `diverged` = {step, loss}.
   */
  trainSteps(count) {
    const every = Math.max(1, Math.ceil(count / CURVE_POINTS));
    for (let k = 1; k <= count && !this.diverged; k++) {
      const loss = this.trainer.step();
      if (!Number.isFinite(loss)) { this.diverged = { step: this.steps, loss }; break; }
      this.steps += 1;
      if (k % every === 0 && k < count) this.record();
    }
    const last = this.record();
    if (!this.diverged && !Number.isFinite(last.trainLoss)) this.diverged = { step: this.steps, loss: last.trainLoss };
    return { ...last, steps: this.steps, diverged: this.diverged };
  }

  /** The network's outputs at points [x1, x2]: one number each, or (multiclass) one row of probabilities. */
  predictPairs(pairs) {
    const out = Array.from(this.net.predict(featureMatrix(pairs, this.state.features), pairs.length));
    if (this.task !== "multiclass") return out;
    const k = this.state.classes;
    return pairs.map((_, r) => out.slice(r * k, (r + 1) * k));
  }

  /** Test points classified right (the class of largest probability; two classes: p > 0.5), or null. */
  accuracy() {
    if (this.task === "regression" || !this.test.length) return null;
    const p = this.net.predict(this.xTest, this.test.length);
    const k = this.task === "multiclass" ? this.state.classes : 1;
    let right = 0;
    for (let r = 0; r < this.test.length; r++) right += predictedClass(p, r, k) === this.yTest[r] ? 1 : 0;
    return { right, total: this.test.length };
  }
}

/** The class row r of outputs p (k per row) stands for: argmax, or for one sigmoid output p > 0.5. */
export function predictedClass(p, r, k) {
  if (k === 1) return p[r] > 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < k; j++) if (p[r * k + j] > p[r * k + best]) best = j;
  return best;
}
