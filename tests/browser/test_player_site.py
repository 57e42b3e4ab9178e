"""How ``croupier serve`` serves the player client: types, caching, the page's own CSP, and
a page that runs under that policy without a single violation."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from playwright.sync_api import ConsoleMessage, Page, expect


def test_the_page_modules_and_libraries_have_their_types_caching_and_policy(
    web_server: str,
) -> None:
    with httpx.Client(base_url=web_server, timeout=10) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-cache"
        policy = page.headers["content-security-policy"]
        import_map = re.search(r'<script type="importmap">(.*?)</script>', page.text, re.DOTALL)
        assert import_map
        digest = base64.b64encode(hashlib.sha256(import_map.group(1).encode()).digest()).decode()
        assert f"script-src 'self' 'sha256-{digest}';" in policy
        assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy

        again = client.get("/", headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304 and again.content == b""

        module = client.get("/app/main.mjs")
        assert module.headers["content-type"] == "text/javascript; charset=utf-8"
        assert module.headers["cache-control"] == "no-cache"
        library = client.get("/vendor/preact/preact.mjs")
        assert library.headers["content-type"] == "text/javascript; charset=utf-8"
        assert library.headers["cache-control"] == "public, max-age=86400"

        # Only files that ship: no licence, no path of the caller's own, no Python.
        for path in ("/vendor/preact/LICENSE", "/app/../player_site.py", "/app/nope.mjs"):
            missing = client.get(path)
            assert missing.status_code == 404
            assert missing.headers["content-type"] == "application/problem+json"
        # The API keeps its own strict policy and no-store.
        games = client.get("/v1/games")
        assert games.headers["content-security-policy"].startswith("default-src 'none'")
        assert games.headers["cache-control"] == "no-store"

        strips = client.get("/app/data/slots/lotus-20.json").json()
        assert strips["rows"] == 3 and len(strips["reels"]) == 5
        assert client.get("/app/data/slots/european-roulette.json").status_code == 404
        pacing = client.get("/app/data/jurisdictions.json").json()
        assert pacing["ukgc"]["spin_interval_ms_min"] == 2500


def test_the_page_runs_under_its_policy_without_a_violation(page: Page, web_server: str) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(web_server)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert problems == []
