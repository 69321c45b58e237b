"""The playground's math (nn.js, train.js) under Node's own test runner, against fixtures nnlib computed.

`node --test tests/js/` runs them on its own in about a second (`make test-js`); these tests run them from
pytest too and check that tests/js/fixtures.json is what nnlib computes today (make_fixtures.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
PROJECT = HERE.parents[1]


def test_node_tests_pass():
    node = shutil.which("node")
    assert node, "the playground's unit tests need Node.js (>= 20) on PATH: `apt-get install nodejs`"
    process = subprocess.run([node, "--test", str(HERE)], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stdout[-6000:] + process.stderr[-2000:]
    assert "# fail 0" in process.stdout and "# pass 0" not in process.stdout


def test_fixtures_are_what_nnlib_computes_today():
    process = subprocess.run([sys.executable, str(HERE / "make_fixtures.py"), "--check"], cwd=PROJECT,
                             capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
