"""Staff log in to the back office in a real Chromium: the first login enrols the TOTP from
the page (the code computed from the secret it shows, as an authenticator app would), later
logins take password and code, and a wrong code is refused with the API's answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.admin.conftest import AdminSite, Member, log_in, next_code
from tests.support.backoffice import bearer
from tests.support.browser import screenshot
from tests.support.staff import STAFF_PASSWORD, code_at

#: The module's server starts within the first test's time: room for a loaded machine.
pytestmark = pytest.mark.timeout(420)


def test_first_login_enrols_the_totp_then_password_and_code_open_the_back_office(
    admin_site: AdminSite, page: Page, tmp_path: Path
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    made = httpx.post(
        f"{admin_site.admin}/admin/v1/staff",
        json={"username": "newcomer", "password": STAFF_PASSWORD, "role": "compliance"},
        headers=bearer(admin_site.root),
        timeout=10,
    )
    assert made.status_code == 201, made.text

    # First login: the password alone leads to the enrolment.
    page.goto(f"{admin_site.admin}/admin")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enrol your authenticator")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your TOTP secret")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("The app's current code").fill(code_at(secret, time.time()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("who")).to_have_text("newcomer · compliance")

    # The menu shows what compliance may open, and nothing else.
    menu = page.get_by_role("navigation", name="Back office")
    for shown in ("Players", "Reports", "Risk / AML", "KYC", "Exclusions", "Audit log"):
        expect(menu.get_by_role("link", name=shown)).to_be_visible()
    for hidden in ("Adjustments", "Withdrawals", "Reconciliation"):
        expect(menu.get_by_role("link", name=hidden)).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    # A wrong code is refused as the API says it; the right one opens the back office.
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("401 authentication-failed")
    page.get_by_label("Authenticator code").fill(next_code(secret))
    page.keyboard.press("Enter")  # the form submits from the keyboard
    expect(page.get_by_role("heading", name="Welcome, newcomer")).to_be_visible()
    # From the keyboard through the menu: the new page's heading takes the focus.
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Reports").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_focused()
    screenshot(page, "admin-home", tmp_path)
    assert not [p for p in problems if "Content Security Policy" in p or "401" not in p], problems


def test_a_role_reaching_a_page_it_may_not_open_is_told_so(
    admin_site: AdminSite, page: Page, new_member: Callable[[str], Member]
) -> None:
    support = new_member("support")
    log_in(page, admin_site.admin, support)
    page.goto(f"{admin_site.admin}/admin#/audit")
    expect(page.get_by_role("alert")).to_contain_text("may not open this page")
    expect(page.get_by_role("alert")).to_contain_text("audit.view")


def test_the_pages_are_served_with_their_types_a_strict_policy_and_validators(
    admin_site: AdminSite,
) -> None:
    with httpx.Client(base_url=admin_site.admin, timeout=10) as client:
        index = client.get("/admin")
        assert index.status_code == 200
        assert index.headers["content-type"] == "text/html; charset=utf-8"
        policy = index.headers["content-security-policy"]
        assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
        assert index.headers["cache-control"] == "no-cache"
        again = client.get("/admin", headers={"If-None-Match": index.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        module = client.get("/admin/main.js")
        assert module.headers["content-type"] == "text/javascript; charset=utf-8"
        vendored = client.get("/admin/vendor/preact/preact.mjs")
        assert vendored.status_code == 200
        assert vendored.headers["cache-control"] == "public, max-age=86400"
        assert client.get("/admin/nothing-here.js").status_code == 404
        # The API under /admin/v1 is untouched: still its own 404 and 405.
        assert client.get("/admin/v1/nothing").status_code == 404
        assert client.get("/admin/v1/logout").status_code == 405
