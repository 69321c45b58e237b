"""Hosted anywhere: a site built with SITE_URL for another address, served there by a plain static
server (`python -m http.server`), keeps instant navigation; canonical links and the sitemap follow it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from site_scratch import SITE_CONFIG, build_cli

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def hosted(site, tmp_path_factory, monkeypatch_module):
    """The course built (warm: the notebooks come from the execution cache) for http://127.0.0.1:<port>/
    and served on that port by `python -m http.server`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    folder = tmp_path_factory.mktemp("hosted") / "site"
    monkeypatch_module.setenv("SITE_URL", url)
    built = build_cli(SITE_CONFIG, site_dir=folder)
    assert built.returncode == 0, built.stderr[-4000:]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield folder, url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_canonical_links_and_sitemap_use_site_url(hosted):
    folder, url = hosted
    assert f"<loc>{url}chapters/01-neuron/</loc>" in (folder / "sitemap.xml").read_text()
    page = (folder / "chapters/01-neuron/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{url}chapters/01-neuron/">' in page


def test_next_follows_without_a_full_reload_on_another_port(hosted, browser):
    _, url = hosted
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "chapters/01-neuron/", wait_until="networkidle")  # instant navigation needs the sitemap
    page.evaluate("window.__sameDocument = true")
    page.locator("a.md-footer__link--next").click()
    page.wait_for_url(url + "chapters/02-perceptron-learning/", wait_until="commit")  # same-document: no load event
    page.wait_for_function("() => document.querySelector('h1') && document.title.includes('perceptron')", timeout=20_000)
    assert page.evaluate("window.__sameDocument === true"), "Next reloaded the whole page: instant navigation is off"
    context.close()
