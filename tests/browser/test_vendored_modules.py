"""The vendored libraries load as ES modules in a real Chromium, from a page of our own."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

VENDOR = Path(__file__).resolve().parents[2] / "src" / "croupier" / "web" / "vendor"


def test_preact_and_htm_render_a_component_with_hooks(page: Page) -> None:
    # Served from files through a route, as a page of ours imports them.
    files = {
        "preact.mjs": VENDOR / "preact" / "preact.mjs",
        "hooks.mjs": VENDOR / "preact" / "hooks.mjs",
        "htm.mjs": VENDOR / "htm" / "htm.mjs",
    }
    page.route(
        "http://croupier.test/vendor/*",
        lambda route: route.fulfill(
            body=files[route.request.url.rsplit("/", 1)[1]].read_bytes(),
            content_type="text/javascript",
        ),
    )
    html = """<!doctype html><html><head><script type="importmap">
{"imports": {"preact": "/vendor/preact.mjs", "preact/hooks": "/vendor/hooks.mjs",
             "htm": "/vendor/htm.mjs"}}</script></head><body><div id="app"></div>
<script type="module">
import { h, render } from "preact";
import { useState } from "preact/hooks";
import htm from "htm";
const html = htm.bind(h);
function Counter() {
  const [n, setN] = useState(0);
  return html`<button onClick=${() => setN(n + 1)}>clicked ${n}</button>`;
}
render(html`<${Counter} />`, document.getElementById("app"));
</script></body></html>"""
    page.route(
        "http://croupier.test/", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    page.goto("http://croupier.test/")
    page.get_by_role("button").click()
    page.get_by_role("button").click()
    assert page.get_by_role("button").text_content() == "clicked 2"
