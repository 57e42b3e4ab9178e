"""A live hold'em cash table in the player client: two players in two browsers sit down at
a real server's table, each sees only their own hole cards, and the one to act folds."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WAIT_MS
from tests.support.browser import screenshot
from tests.support.web_player import deposit, register

TABLE = "holdem-nl-50-100-1"


def _sit_down(page: Page, base: str) -> None:
    register(page, base)
    deposit(page, "100.00")
    page.get_by_role("link", name="Poker").click()
    page.get_by_role("link", name=f"Open table {TABLE}").click()
    page.get_by_label("Buy-in (EUR)").fill("50.00")
    page.get_by_role("button", name="Sit down").click()
    expect(page.get_by_role("button", name="Leave the table")).to_be_visible()


def test_two_players_sit_down_see_their_own_cards_and_one_folds(
    browser: Browser, page: Page, web_server: str, tmp_path: Path
) -> None:
    other_context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    other_context.set_default_timeout(WAIT_MS)
    other = other_context.new_page()
    try:
        _sit_down(page, web_server)
        _sit_down(other, web_server)
        for each in (page, other):
            expect(each.get_by_test_id("your-cards").get_by_role("img")).to_have_count(2)
        mine = page.get_by_test_id("your-cards").inner_text()
        theirs = other.get_by_test_id("your-cards").inner_text()
        assert mine != theirs
        screenshot(page, "player-poker", tmp_path)

        # Whoever is to act folds: the hand ends and the next one is dealt.
        to_act = page.locator(".seats li.to-act")
        expect(to_act).to_have_count(1)
        acting = page if "(you)" in to_act.inner_text() else other
        acting.get_by_role("button", name="Fold").click()
        expect(acting.get_by_role("alert")).to_have_count(0)
        hand_before = mine if acting is page else theirs
        expect(acting.get_by_test_id("your-cards")).not_to_have_text(hand_before)
    finally:
        other_context.close()
