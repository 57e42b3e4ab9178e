"""Fixtures of the back-office browser tests: a real server whose database we know (to
create its first admin on the command line, as an operator does), staff of any role made
and enrolled over the admin API, and a staff login through the page itself."""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import WAIT_MS
from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.server import admin_url, free_port, start_server, stop, wait_ready
from tests.support.staff import STAFF_PASSWORD, code_at


@dataclass
class AdminSite:
    base: str  # the players' port
    admin: str  # the admin listener: the pages are at admin + "/admin"
    root: Staff  # an enrolled admin, for setting up through the API


@dataclass
class Member:
    username: str
    staff: Staff


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminSite]:
    folder: Path = tmp_path_factory.mktemp("admin-web")
    database_url = f"sqlite:///{folder}/ledger.db"
    create_staff(database_url, folder, "root", "admin")  # before the server, as in the docs
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = start_server(database_url, port, log)
        try:
            # A server starts in seconds; a CI machine running other suites beside this
            # one has been seen to take over 30 s, so this wait is longer than the default.
            wait_ready(base, process, log, timeout_s=STARTUP_S)
            admin = admin_url(base)
            yield AdminSite(base, admin, enrolled(admin, "root"))
        finally:
            stop(process)


#: How long the module's server may take to answer /readyz.
STARTUP_S = 120

_numbers = itertools.count(1)


@pytest.fixture
def new_member(admin_site: AdminSite) -> Callable[[str], Member]:
    """A staff member of ``role``, created by the root admin and enrolled: its TOTP secret
    is what an authenticator app would hold."""

    def make(role: str) -> Member:
        username = f"{role}{next(_numbers)}"
        made = httpx.post(
            f"{admin_site.admin}/admin/v1/staff",
            json={"username": username, "password": STAFF_PASSWORD, "role": role},
            headers=bearer(admin_site.root),
            timeout=10,
        )
        assert made.status_code == 201, made.text
        return Member(username, enrolled(admin_site.admin, username))

    return make


def next_code(secret: str) -> str:
    """A code the server has not seen yet: enrolment used the current step, and a step is
    accepted once, so a login right after uses the next one (the server takes ±1 step)."""
    return code_at(secret, time.time() + 30)


def log_in(page: Page, admin: str, member: Member) -> None:
    """Through the login form: username, password and the authenticator's code."""
    page.goto(f"{admin}/admin")
    page.get_by_label("Username").fill(member.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Authenticator code").fill(next_code(member.staff.secret))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("who")).to_contain_text(member.username)


def open_page(page: Page, title: str) -> None:
    """Through the menu, as staff move between pages."""
    page.get_by_role("navigation", name="Back office").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """Another browser context (its own storage): a second staff member at another desk."""
    context: BrowserContext = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@dataclass
class Player:
    player_id: str
    auth: dict[str, str]

    def cash(self, base: str) -> int:
        """The player's cash as the public API shows it to them."""
        wallet = httpx.get(f"{base}/v1/wallet", headers=self.auth, timeout=10)
        assert wallet.status_code == 200, wallet.text
        cash: int = wallet.json()["cash"]
        return cash


def funded_player(base: str, email: str, deposit_minor: int) -> Player:
    """A player registered, logged in and funded through the public API (EUR, Malta)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json={"email": email, "password": PLAYER_PASSWORD, "date_of_birth": "1990-04-01",
                  "country": "MT", "currency": "EUR"},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        login = client.post("/v1/sessions", json={"email": email, "password": PLAYER_PASSWORD})
        assert login.status_code == 201, login.text
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": deposit_minor},
            headers={**auth, "Idempotency-Key": f"funding-{email.partition('@')[0]}"},
        )
        assert paid.status_code == 201, paid.text
    return Player(created.json()["player_id"], auth)


PLAYER_PASSWORD = "correct horse battery staple"
