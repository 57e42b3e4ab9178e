"""The slot in the player client keeps the player's jurisdiction's minimum game cycle: a
British player's reels turn for at least 2.5 s (UKGC RTS 14D), and the next spin, as soon as
the page allows it, is never refused as too fast."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import screenshot
from tests.support.web_player import deposit, register

#: UKGC: at least 2.5 s from the start of one game cycle to the next (docs/compliance.md).
CYCLE_MS = 2500


def test_a_british_players_spins_last_the_minimum_cycle_and_none_is_refused(
    page: Page, gb_web_server: str, tmp_path: Path
) -> None:
    register(page, gb_web_server, country="GB", currency="GBP")
    deposit(page, "20.00")
    page.get_by_role("link", name="Slots").click()
    expect(page.get_by_text("at least 2.5 s per spin where you live")).to_be_visible()
    spin = page.get_by_role("button", name="Spin")
    result = page.get_by_test_id("slot-result")
    for _ in range(3):
        previous = result.get_attribute("data-round") or ""
        spin.click()
        expect(result).not_to_have_attribute("data-round", previous)
        expect(spin).to_be_enabled()
    expect(page.get_by_role("alert")).to_have_count(0)  # no 429 spin-too-fast
    cycles = page.evaluate(
        "performance.getEntriesByType('measure')"
        ".filter(m => m.name.startsWith('spin-settled:')).map(m => m.duration)"
    )
    assert len(cycles) == 3 and min(cycles) >= CYCLE_MS
    screenshot(page, "player-slot-gb", tmp_path)
