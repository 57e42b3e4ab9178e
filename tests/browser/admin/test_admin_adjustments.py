"""An admin making a four-eyes adjustment in the browser (issue 19, section 3): a payments
member asks for a goodwill credit above the approval threshold at one desk, an admin
approves it at another (two browser contexts, two staff). The player's balance, read through
the public API, moves only after the approval, once. The requester's own approval is
refused with the API's answer, and moves nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.admin.conftest import AdminSite, Member, funded_player, log_in, open_page
from tests.support.backoffice import bearer
from tests.support.browser import screenshot

DEPOSIT = 500_00
CREDIT = 150_00  # above CROUPIER_ADJUSTMENT_APPROVAL_ABOVE's default, 100.00

#: The module's server starts within the first test's time: room for a loaded machine.
pytestmark = pytest.mark.timeout(420)


def ask_for_credit(page: Page, admin: str, player_id: str, reason: str) -> str:
    """Through the form on the adjustments page; the request id the page shows."""
    page.goto(f"{admin}/admin#/adjustments/{player_id}")
    expect(page.get_by_label("Player id")).to_have_value(player_id)
    page.get_by_label("Credit (to the player)").check()
    page.get_by_label("Amount, in the player's currency").fill("150.00")
    page.get_by_label("Reason code").select_option("goodwill")
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_role("button", name="Ask").click()
    asked = page.get_by_test_id("asked")
    expect(asked).to_contain_text("pending")
    expect(asked).to_contain_text("waiting for a second member's approval")
    return asked.locator("code").inner_text()


def test_an_admin_approves_a_colleagues_adjustment_and_only_then_the_balance_moves(
    admin_site: AdminSite,
    page: Page,
    second_page: Page,
    new_member: Callable[[str], Member],
    tmp_path: Path,
) -> None:
    player = funded_player(admin_site.base, "four.eyes@example.com", DEPOSIT)
    proposer, approver = new_member("payments"), new_member("admin")

    log_in(page, admin_site.admin, proposer)
    request_id = ask_for_credit(page, admin_site.admin, player.player_id, "outage #42")
    row = page.locator(f'tr[data-request="{request_id}"]')
    expect(row).to_contain_text("€150.00")
    expect(row).to_contain_text("you")
    assert player.cash(admin_site.base) == DEPOSIT  # pending: nothing moved

    # The second member, at another desk, sees it pending and approves it.
    log_in(second_page, admin_site.admin, approver)
    open_page(second_page, "Adjustments")
    theirs = second_page.locator(f'tr[data-request="{request_id}"]')
    expect(theirs).to_contain_text("pending")
    expect(theirs).to_contain_text("goodwill: outage #42")
    theirs.get_by_label("Reason to approve").fill("checked the outage log")
    screenshot(second_page, "admin-four-eyes", tmp_path)
    theirs.get_by_role("button", name="Approve").click()
    expect(theirs).to_have_count(0)  # no longer pending
    second_page.get_by_label("Show").select_option("posted")
    expect(theirs).to_contain_text("posted")
    expect(theirs).to_contain_text("checked the outage log")
    assert player.cash(admin_site.base) == DEPOSIT + CREDIT

    # Once: the stored adjustment says posted, with one transfer.
    stored = httpx.get(
        f"{admin_site.admin}/admin/v1/adjustments/{request_id}",
        headers=bearer(approver.staff),
        timeout=10,
    ).json()
    assert stored["state"] == "posted"
    assert stored["transfer_id"] == f"adjustment:{request_id}"

    # The approver opens the player: the new balance and the compliance view.
    second_page.goto(f"{admin_site.admin}/admin#/players/{player.player_id}")
    expect(second_page.get_by_test_id("cash")).to_have_text("€650.00")
    expect(second_page.get_by_test_id("jurisdiction")).not_to_be_empty()
    expect(second_page.get_by_role("heading", name="Compliance")).to_be_visible()
    screenshot(second_page, "admin-player", tmp_path)
    assert player.cash(admin_site.base) == DEPOSIT + CREDIT


def test_the_requester_cannot_approve_their_own_adjustment(
    admin_site: AdminSite, page: Page, new_member: Callable[[str], Member], tmp_path: Path
) -> None:
    player = funded_player(admin_site.base, "self.approval@example.com", DEPOSIT)
    proposer = new_member("admin")  # holds adjustment.approve, still not for their own
    log_in(page, admin_site.admin, proposer)
    request_id = ask_for_credit(page, admin_site.admin, player.player_id, "self approval try")
    row = page.locator(f'tr[data-request="{request_id}"]')
    expect(row).to_contain_text("Your own request: a second member must approve it.")
    row.get_by_label("Reason to approve").fill("looks fine to me")
    row.get_by_role("button", name="Approve").click()
    refusal = row.get_by_role("alert")
    expect(refusal).to_contain_text("403 forbidden")
    expect(refusal).to_contain_text("the requester cannot approve their own adjustment")
    screenshot(page, "admin-self-approval-refused", tmp_path)
    expect(row).to_contain_text("pending")
    assert player.cash(admin_site.base) == DEPOSIT
