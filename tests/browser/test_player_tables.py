"""The table games of the player client in a real Chromium against a real server: roulette
bets placed by clicking the layout, a blackjack hand doubled (docs/web.md)."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import screenshot
from tests.support.web_player import deposit, register, session_token

#: Hands dealt at most until one offers a double (any two cards may double here, so nearly
#: every hand does; a blackjack or the dealer's settles at the deal).
HANDS_MAX = 40


def test_a_roulette_bet_on_a_split_and_a_corner_clicked_on_the_layout(
    page: Page, web_server: str, tmp_path: Path
) -> None:
    register(page, web_server)
    deposit(page, "100.00")
    page.get_by_role("link", name="Roulette").click()
    page.get_by_role("radio", name="€1.00").check()
    page.get_by_role("button", name="Split 14 and 17", exact=True).click()
    page.get_by_role("button", name="Corner 1, 2, 4, 5", exact=True).click()
    bets = page.get_by_test_id("bets")
    expect(bets).to_contain_text("Split 14 and 17: €1.00")
    expect(bets).to_contain_text("Corner 1, 2, 4, 5: €1.00")
    page.get_by_role("button", name="Spin").click()
    result = page.get_by_test_id("roulette-result")
    expect(result).to_contain_text("settled")
    round_id = result.get_attribute("data-round")

    auth = {"Authorization": f"Bearer {session_token(page)}"}
    recorded = httpx.get(f"{web_server}/v1/rounds/{round_id}", headers=auth).json()
    placed = {(bet["type"], tuple(bet["numbers"]), bet["stake"]) for bet in recorded["choices"]}
    assert placed == {("split", (14, 17), 100), ("corner", (1, 2, 4, 5), 100)}
    pocket = recorded["outcome"]["pocket"]
    win = (1800 if pocket in (14, 17) else 0) + (900 if pocket in (1, 2, 4, 5) else 0)
    assert recorded["win"] == win
    expect(result).to_contain_text(f"won €{win // 100}.00" if win else "no win")
    screenshot(page, "player-roulette", tmp_path)


def test_a_blackjack_hand_doubled_with_only_the_legal_actions_offered(
    page: Page, web_server: str, tmp_path: Path
) -> None:
    register(page, web_server)
    deposit(page, "200.00")
    page.get_by_role("link", name="Blackjack").click()
    table = page.get_by_test_id("blackjack")
    actions = page.get_by_role("group", name="Your actions")
    previous = ""
    doubled = None
    for _ in range(HANDS_MAX):
        page.get_by_role("button", name="Deal").click()
        expect(table).not_to_have_attribute("data-round", previous)
        previous = table.get_attribute("data-round") or ""
        if table.get_attribute("data-status") == "open" and "decline-insurance" in (
            table.get_attribute("data-actions") or ""
        ):
            actions.get_by_role("button", name="No insurance").click()
            expect(table).not_to_have_attribute("data-actions", "take-insurance decline-insurance")
        if table.get_attribute("data-status") != "open":
            continue
        legal = (table.get_attribute("data-actions") or "").split()
        # The buttons are exactly the legal actions.
        expect(actions.get_by_role("button")).to_have_count(len(legal))
        if "double" in legal:
            actions.get_by_role("button", name="Double").click()
            expect(table).to_have_attribute("data-status", "settled")
            doubled = previous
            break
        actions.get_by_role("button", name="Stand").click()
        expect(table).to_have_attribute("data-status", "settled")
    assert doubled, f"no hand offered a double in {HANDS_MAX}"

    auth = {"Authorization": f"Bearer {session_token(page)}"}
    recorded = httpx.get(f"{web_server}/v1/rounds/{doubled}", headers=auth).json()
    assert recorded["choices"]["actions"] == ["double"]
    hand = recorded["outcome"]["hands"][0]
    assert hand["stake"] == 2 * recorded["choices"]["stake"] and len(hand["cards"]) == 3
    expect(page.get_by_test_id("blackjack-result")).to_contain_text("settled")
    screenshot(page, "player-blackjack", tmp_path)
