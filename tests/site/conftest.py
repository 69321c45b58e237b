"""Fixtures for the site tests: the course site built once per test session, served on 127.0.0.1, and
one headless Chromium shared by the browser tests.

The build runs once even with pytest-xdist: workers share a folder next to their temporary folders and
take a file lock; the first one builds, the others read its result.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib does not add it

from site_scratch import SITE_CONFIG, build_cli, load_mkdocs_yml  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class BuiltSite:
    path: Path
    returncode: int
    log: str
    seconds: float

    def pages(self) -> list[Path]:
        return sorted(self.path.rglob("*.html"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """The course site as `make build` makes it (strict), built into a temporary folder."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder = shared / "course-site"
    result_file = shared / "course-site.json"
    with open(shared / "course-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result_file.exists():
                if folder.exists():
                    shutil.rmtree(folder)
                started = time.monotonic()
                process = build_cli(SITE_CONFIG, site_dir=folder, timeout=900)
                result_file.write_text(
                    json.dumps(
                        {
                            "returncode": process.returncode,
                            "log": process.stdout + process.stderr,
                            "seconds": time.monotonic() - started,
                        }
                    )
                )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    result = json.loads(result_file.read_text())
    return BuiltSite(folder, result["returncode"], result["log"], result["seconds"])


@pytest.fixture(scope="session")
def site(built_site: BuiltSite) -> BuiltSite:
    """The built site; fails (does not skip) the tests that need it when the strict build failed."""
    if built_site.returncode != 0:
        pytest.fail("`mkdocs build --strict` failed, so there is no site to check:\n" + _tail(built_site.log))
    return built_site


@pytest.fixture(scope="session")
def site_url(site: BuiltSite):
    """The built site served over HTTP on 127.0.0.1 (search does not work from file://)."""

    site_url = load_mkdocs_yml()["site_url"]
    server_url = ""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            # Material's instant navigation only follows links listed in sitemap.xml, matched by host and
            # port: serve it as if site_url were this server's address, as on a real deployment.
            if self.path.split("?")[0] != "/sitemap.xml":
                return super().do_GET()
            body = (site.path / "sitemap.xml").read_bytes().replace(site_url.encode(), server_url.encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site.path)))
    server_url = f"http://127.0.0.1:{server.server_port}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for all browser tests (Playwright cannot download browsers here)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(`make test` does this when run as root)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,  # Playwright gives each launch a fresh, temporary profile
        )
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def context(browser):
    """A light-scheme browser context at the desktop size, one per test module."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context
    context.close()


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])
