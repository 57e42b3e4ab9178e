"""Every page of the back office opens for an admin without a script error or a refusal,
the player search finds a player by email in any case, and the audit log lists the trail and
verifies its chain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.admin.conftest import AdminSite, Member, funded_player, log_in, open_page
from tests.support.browser import screenshot

PAGES = {
    "Players": "Players",
    "Adjustments": "Adjustments",
    "Withdrawals": "Withdrawal queue",
    "Reports": "Reports",
    "Risk / AML": "Risk / AML flags",
    "KYC": "KYC queue",
    "Exclusions": "Exclusions running now",
    "Reconciliation": "Payments reconciliation",
    "Audit log": "Audit log",
}

#: The module's server starts within the first test's time: room for a loaded machine.
pytestmark = pytest.mark.timeout(420)


def test_an_admin_opens_every_page_and_finds_a_player_and_the_audit_trail(
    admin_site: AdminSite, page: Page, new_member: Callable[[str], Member], tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    player = funded_player(admin_site.base, "Search.Me@example.com", 20_00)
    timed_out = httpx.post(
        f"{admin_site.base}/v1/time-out", json={"hours": 24}, headers=player.auth, timeout=10
    )
    assert timed_out.status_code == 201, timed_out.text
    admin = new_member("admin")
    log_in(page, admin_site.admin, admin)
    for link, heading in PAGES.items():
        open_page(page, link)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator(".loading")).to_have_count(0)
        expect(page.get_by_role("alert")).to_have_count(0)
        if link == "Exclusions":  # the player's time-out, listed with its kind
            row = page.get_by_role("row").filter(has_text=player.player_id)
            expect(row).to_contain_text("time-out")

    open_page(page, "Players")
    page.get_by_label("Player id or email").fill("search.me@EXAMPLE.com")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=player.player_id).click()
    expect(page.get_by_test_id("cash")).to_have_text("€20.00")
    expect(page.get_by_test_id("exclusion")).to_contain_text("time-out")
    transfers = page.get_by_role("region", name="Cash transfers (newest first)")
    expect(transfers.get_by_role("row").filter(has_text="deposit")).not_to_have_count(0)
    expect(transfers).to_contain_text("€20.00")

    open_page(page, "Audit log")
    page.get_by_label("Action (prefix)").fill("player.")
    page.get_by_role("button", name="Search").click()
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("player.searched")
    expect(table).to_contain_text("player.viewed")
    page.get_by_role("button", name="Verify the chain").click()
    expect(page.get_by_role("status").filter(has_text="The chain holds")).to_be_visible()
    screenshot(page, "admin-audit", tmp_path)
    assert errors == []


def test_asked_for_less_motion_the_pages_move_nothing(
    admin_site: AdminSite, page: Page, new_member: Callable[[str], Member]
) -> None:
    page.emulate_media(reduced_motion="reduce")
    log_in(page, admin_site.admin, new_member("support"))
    link = page.get_by_role("navigation", name="Back office").get_by_role("link", name="Players")
    assert link.evaluate("e => getComputedStyle(e).transitionDuration") == "0s"
    page.emulate_media(reduced_motion="no-preference")
    assert link.evaluate("e => getComputedStyle(e).transitionDuration") != "0s"
