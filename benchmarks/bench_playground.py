"""How fast the playground trains in Chromium, measured against nnlib (float64) in the same run.

Two networks on 500 points, all of them training rows, SGD:
- 2-8-8-1 (tanh, sigmoid output, binary cross-entropy) on two moons;
- 2-8-8-5 (tanh, softmax output, categorical cross-entropy) on five blobs, five classes.
For each, three numbers, all in one run:

- page, drawn: steps per second when every step is followed by a full redraw (decision regions,
  every unit's surface, loss curves, summary): `await nnPlayground.train(1)` in a loop. The target is
  60 per second, the rate of a smooth animation.
- page, compute only: `nnPlayground.train(k)` (one redraw at the end), for batch 500 and batch 10.
- nnlib: `model.fit(x, y, batch_size=..., epochs=..., shuffle=False)` on the same data and weights,
  float64, steps per second; the ratio page / nnlib compares the two implementations of the same
  arithmetic on the same machine at the same moment.

The page's scripts are served straight from docs/ (no site build needed) in a bare HTML page.

Run:  .venv/bin/python benchmarks/bench_playground.py
A benchmark, never a test: wall-clock times depend on the machine and on what else runs on it.

Measured once here (1 Dec 2026, 2 cores shared by many jobs, load average 13.4), steps per second,
2-8-8-1 only: page drawn after every step 109 (batch 500) and 146 (batch 10), target 60; page compute
only 314 (batch 500) and 2388 (batch 10); nnlib fit float64 986 and 853: page / nnlib 0.32 at batch
500 (NumPy's matrix products win on 500 rows) and 2.80 at batch 10 (nnlib's per-step cost in Python
wins over the arithmetic). See benchmarks/README.md for later runs with both networks.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NETWORKS = {
    "2-8-8-1, two moons": {"dataset": "moons", "n": 500, "ratio": 0.9, "hidden": [8, 8], "activation": "tanh",
                           "optimizer": "sgd", "learningRate": 0.03},
    "2-8-8-5, five blobs": {"dataset": "blobs", "classes": 5, "n": 500, "ratio": 0.9, "hidden": [8, 8],
                            "activation": "tanh", "optimizer": "sgd", "learningRate": 0.03},
}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<link rel="stylesheet" href="/assets/stylesheets/playground.css"></head>
<body><div id="nn-playground" class="nn-playground"></div>
<script type="module" src="/assets/javascripts/playground/boot.js"></script></body></html>"""


def serve(folder: Path):
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                                     {"log_message": lambda *a: None}), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def page_rates(page, config: dict) -> dict:
    # all 500 points train: the page's ratio is at most 0.9, so add the remaining ones as added points
    page.evaluate("c => nnPlayground.load('xor-4-tanh').then(() => nnPlayground.configure(c))", config)
    page.evaluate("""async () => {
        const rows = (await nnPlayground.exportData()).trim().split('\\n').slice(1).map(r => r.split(','));
        const test = rows.filter(r => r[3] === 'test').map(r => [Number(r[0]), Number(r[1]), Number(r[2])]);
        await nnPlayground.configure({added: test});
    }""")
    rates = {}
    for batch in ("all", 10):
        page.evaluate("b => nnPlayground.configure({batchSize: b})", batch)
        page.evaluate("nnPlayground.train(20)")  # warm-up (JIT)
        rates[f"drawn, batch {batch}"] = page.evaluate("""async () => {
            const start = performance.now(); let steps = 0;
            while (performance.now() - start < 3000) { await nnPlayground.train(1); steps += 1; }
            return steps / ((performance.now() - start) / 1000); }""")
        rates[f"compute, batch {batch}"] = page.evaluate("""async () => {
            let k = 50, seconds = 0;
            while (seconds < 2) { const start = performance.now(); await nnPlayground.train(k);
                seconds = (performance.now() - start) / 1000; if (seconds < 2) k *= 2; }
            return k / seconds; }""")
    return rates


def nnlib_rates(code: str) -> dict:
    namespace = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), namespace)
    model, x, y = namespace["model"], namespace["x_train"], namespace["y_train"]
    assert len(x) == 500, len(x)
    rates = {}
    for batch in (500, 10):
        steps_per_epoch = -(-len(x) // batch)
        epochs = max(1, 2000 // steps_per_epoch)
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)  # warm-up
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
        rates[f"batch {'all' if batch == 500 else batch}"] = epochs * steps_per_epoch / (time.perf_counter() - start)
    return rates


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "assets").symlink_to(PROJECT / "docs/assets")
        (root / "index.html").write_text(PAGE)
        server = serve(root)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"http://127.0.0.1:{server.server_port}/")
                page.wait_for_function("() => window.nnPlayground")
                js, codes = {}, {}
                for name, config in NETWORKS.items():
                    js[name] = page_rates(page, config)
                    codes[name] = page.evaluate("nnPlayground.exportCode('nnlib')")
                browser.close()
                assert not errors, errors
        finally:
            server.shutdown()
    py = {name: nnlib_rates(code) for name, code in codes.items()}
    print(f"500 training points, tanh, SGD; load average {os.getloadavg()[0]:.1f}")
    for name in NETWORKS:
        print(f"{name:34}steps per second")
        for key, value in js[name].items():
            print(f"  page, {key:26} {value:10.0f}")
        for key, value in py[name].items():
            print(f"  nnlib fit (float64), {key:11} {value:10.0f}")
        for batch in ("all", 10):
            print(f"  page compute / nnlib, batch {batch:5} {js[name][f'compute, batch {batch}'] / py[name][f'batch {batch}']:10.2f}")
    print(json.dumps({"page": js, "nnlib": py}))


if __name__ == "__main__":
    main()
