"""Fixtures of the browser tests: a real ``croupier serve`` per module and a real Chromium.

Each test gets a fresh browser context (its own cookies and storage), so tests in a module
share the server but never a session; each registers its own players."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import service_unavailable
from tests.support.browser import chromium_executable
from tests.support.server import running_server

#: Every wait on the page has its own limit (a busy CI machine can be slow, never stuck).
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    if executable is None:
        service_unavailable("chromium not found (scripts/ensure-chromium.sh installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real server on SQLite (the embedded default a newcomer runs)."""
    folder: Path = tmp_path_factory.mktemp("web")
    # A server starts in ~5 s on an idle machine; a CI machine shared by many jobs can take
    # 25 s and more, and a browser module is worth the wait.
    with running_server(f"sqlite:///{folder}/ledger.db") as base:
        yield base


# Assertions on the page (``expect``) wait as long as actions do.
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def gb_web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on SQLite whose loopback clients are in Great Britain
    (``CROUPIER_GEO_HOME=GB``): a British player's rules (UKGC: 2.5 s between slot spins)."""
    folder: Path = tmp_path_factory.mktemp("web-gb")
    with running_server(f"sqlite:///{folder}/ledger.db", CROUPIER_GEO_HOME="GB") as base:
        yield base
