"""Helpers for the playground and widget tests: open a page and watch its console and requests, run
exported Python in a fresh process, and run axe-core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[2]
AXE = PROJECT / "node_modules/axe-core/axe.min.js"


class WatchedPage:
    """A page whose console errors, uncaught exceptions and requests to other origins are recorded."""

    def __init__(self, context, base_url: str):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        origin = urlsplit(base_url)[:2]
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_request(request):
            url = request.url
            if url.startswith(("data:", "about:")):
                return
            if url.startswith("blob:"):
                url = url[len("blob:"):]
            if urlsplit(url)[:2] != origin:
                self.foreign.append(request.url)

        self.page.on("request", on_request)

    def open(self, url: str, ready: str = "() => window.nnPlayground"):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(ready, timeout=20_000)
        return self.page


def run_python(script: str, timeout: int = 300) -> dict:
    """Run `script` in a fresh interpreter of this venv; it must print one JSON object last."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "OPENBLAS_NUM_THREADS": "1", "JAX_PLATFORMS": "cpu"}
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout,
                             cwd=PROJECT, env=env)
    if process.returncode != 0:
        raise AssertionError(f"the script failed:\n{process.stderr[-4000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def exported_then(code: str, body: str) -> str:
    """A script that runs exported `code` as a module namespace, then `body` (which prints JSON)."""
    return "import json, numpy as np\nnamespace = {'__name__': 'exported'}\n" \
        f"exec(compile({code!r}, 'exported.py', 'exec'), namespace)\n" \
        "globals().update(namespace)\n" + textwrap.dedent(body)


def axe_violations(page, selector: str) -> list[dict]:
    """axe-core's violations inside `selector`, as {id, impact, nodes} (every impact)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (selector) => (await axe.run(document.querySelector(selector))).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))""",
        selector,
    )
