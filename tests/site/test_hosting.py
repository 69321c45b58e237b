"""Hosted anywhere: a site built with SITE_URL for another address, served there by a plain static
server (`python -m http.server`), keeps instant navigation; canonical links and the sitemap follow it."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request

import pytest

from site_scratch import PROJECT, SITE_CONFIG, build_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hosted(site, tmp_path_factory, monkeypatch_module):
    """The course built (warm: the notebooks come from the execution cache) for http://127.0.0.1:<port>/
    and served on that port by `python -m http.server`.

    The server starts first, on a port the kernel picks, and keeps it: a port probed free and bound
    only after the minute-long build can meanwhile be taken by another test's connection."""
    folder = tmp_path_factory.mktemp("hosted") / "site"
    folder.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        banner = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 43117 (http://...) ..."
        port = re.search(r" port (\d+)", banner)
        assert port, f"http.server did not say which port it serves: {banner!r}"
        url = f"http://127.0.0.1:{port.group(1)}/"
        monkeypatch_module.setenv("SITE_URL", url)
        built = build_cli(SITE_CONFIG, site_dir=folder)
        assert built.returncode == 0, built.stderr[-4000:]
        assert server.poll() is None, "http.server exited during the build"
        urllib.request.urlopen(url, timeout=10).close()
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
    # Same-document, so no load event; and the address exactly the next chapter's, with no anchor left
    # over from where the reader was on the page they left.
    page.wait_for_url(url + "chapters/02-perceptron-learning/", wait_until="commit")
    page.wait_for_function("() => document.querySelector('h1') && document.title.includes('perceptron')", timeout=20_000)
    assert page.evaluate("window.__sameDocument === true"), "Next reloaded the whole page: instant navigation is off"
    context.close()


def test_an_embedded_playground_works_on_another_port(hosted, browser):
    """A chapter's embedded playground, on the site built for and served from another address."""
    _, url = hosted
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign, errors = [], []
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:", "about:")) else foreign.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "chapters/04-multilayer/", wait_until="load")
    page.locator(".nn-embed").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.nn-embed .nn-playground canvas')", timeout=20_000)
    page.click(".nn-embed [data-pg=step]")
    assert page.evaluate("document.querySelector('.nn-embed').nnPlayground.state()")["steps"] == 1
    page.click(".nn-embed a[href*='playground/?preset=']")  # its link to the full playground, same origin
    page.wait_for_function("() => window.nnPlayground && document.querySelector('#nn-playground canvas')", timeout=20_000)
    assert page.url.startswith(url + "playground/")  # the preset's settings (it writes what differs from the defaults)
    state = page.evaluate("nnPlayground.state()")
    assert (state["hidden"], state["activation"], state["learningRate"]) == ([4], "tanh", 0.1)
    assert foreign == [] and errors == []
    context.close()


@pytest.mark.parametrize("args, address", [([], "127.0.0.1:8000"), (["PORT=8001"], "127.0.0.1:8001")])
def test_make_serve_takes_another_port(args, address):
    """README: `make serve` serves on 8000, `make serve PORT=8001` elsewhere when 8000 is taken."""
    done = subprocess.run(["make", "-n", "serve", *args], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert f"mkdocs serve --strict --dev-addr {address}" in done.stdout
