// Chapter 2: the perceptron rule, one update at a time, on AND, OR or XOR. Zero initial weights,
// learning rate 1, examples in the chapter's order; step(z) = 1 for z >= 0 (nnlib.perceptron).
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const TARGETS = { and: [0, 0, 0, 1], or: [0, 1, 1, 1], xor: [0, 1, 1, 0] };
const step = (z) => (z >= 0 ? 1 : 0);

export function mount(el) {
  el.insertAdjacentHTML("beforeend", `
<div class="nw-controls" role="group" aria-label="Perceptron rule">
  <label>Problem <select data-w="problem"><option value="and">AND</option><option value="or">OR</option><option value="xor">XOR</option></select></label>
  <button type="button" class="nn-button nn-button--primary" data-w="update">One update</button>
  <button type="button" class="nn-button" data-w="epoch">One epoch</button>
  <button type="button" class="nn-button" data-w="reset">Reset</button>
</div>
<canvas width="260" height="260" data-w="plot" role="img"></canvas>
<p class="nw-status" data-w="status" role="status" aria-live="polite"></p>
<p data-w="last"></p>`);
  const $ = (name) => el.querySelector(`[data-w="${name}"]`);
  let w, b, next, epoch, mistakes, cleanEpochs, last;

  function reset() { w = [0, 0]; b = 0; next = 0; epoch = 1; mistakes = 0; cleanEpochs = 0; last = "No update yet: the weights start at 0."; draw(); }

  function update() {
    const y = TARGETS[$("problem").value];
    const x = X[next];
    const yhat = step(w[0] * x[0] + w[1] * x[1] + b);
    const error = y[next] - yhat;
    w = [w[0] + error * x[0], w[1] + error * x[1]]; b += error;
    if (error) mistakes += 1;
    last = `Example x = (${x}) with target ${y[next]}: prediction ${yhat}, error ${error > 0 ? "+" : ""}${error}` +
      (error ? ` → w = (${w}), b = ${b}.` : ": no change.");
    next += 1;
    if (next === 4) {
      cleanEpochs = mistakes === 0 ? cleanEpochs + 1 : 0;
      last += ` Epoch ${epoch} ended with ${mistakes} mistake${mistakes === 1 ? "" : "s"}.`;
      next = 0; epoch += 1; mistakes = 0;
    }
    draw();
  }

  function draw() {
    const c = $("plot"), ctx = c.getContext("2d"), S = c.width;
    const y = TARGETS[$("problem").value];
    const px = (v) => 40 + v * (S - 80), py = (v) => S - 40 - v * (S - 80);
    ctx.clearRect(0, 0, S, S);
    // shade what the perceptron answers now: orange where it outputs 1, blue where it outputs 0
    const image = ctx.createImageData(S, S);
    for (let j = 0; j < S; j++) for (let i = 0; i < S; i++) {
      const x1 = (i - 40) / (S - 80), x2 = (S - 40 - j) / (S - 80);
      image.data.set(step(w[0] * x1 + w[1] * x2 + b) ? [250, 215, 180, 255] : [200, 220, 245, 255], 4 * (j * S + i));
    }
    ctx.putImageData(image, 0, 0);
    X.forEach(([a, d], k) => {
      ctx.beginPath(); ctx.arc(px(a), py(d), 9, 0, 2 * Math.PI);
      ctx.fillStyle = y[k] ? "rgb(196,100,20)" : "rgb(30,90,170)"; ctx.fill();
      if (k === next) { ctx.lineWidth = 3; ctx.strokeStyle = "#000"; ctx.stroke(); ctx.lineWidth = 1; }
    });
    const settled = cleanEpochs > 0;
    const answers = X.map(([a, d]) => step(w[0] * a + w[1] * d + b));
    const right = answers.filter((v, k) => v === y[k]).length;
    $("status").textContent = `Epoch ${epoch}, next example ${next + 1} of 4. w = (${w}), b = ${b}; ${right} of 4 points right now. ` +
      (settled ? "Settled: a whole epoch without a mistake, the weights no longer change." :
        $("problem").value === "xor" && epoch > 3 ? "XOR never settles: no line separates its points, so every epoch makes mistakes." : "Not settled yet.");
    $("last").textContent = last;
    c.setAttribute("aria-label", `The four inputs of ${$("problem").value.toUpperCase()} and the perceptron's current answer. ${$("status").textContent}`);
  }

  $("problem").addEventListener("change", reset);
  $("update").addEventListener("click", update);
  $("epoch").addEventListener("click", () => { const start = epoch; while (epoch === start) update(); });
  $("reset").addEventListener("click", reset);
  reset();
}
