"""The player client at ``/`` in a real Chromium against a real ``croupier serve``: the
journeys a newcomer makes after ``make run`` (docs/web.md)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import screenshot
from tests.support.web_player import deposit, register, session_token


def test_register_deposit_spin_history_and_verify_the_round(
    page: Page, web_server: str, tmp_path: Path
) -> None:
    register(page, web_server)
    deposit(page, "100.00")
    expect(page.get_by_test_id("balance")).to_have_text("€100.00")

    page.get_by_role("link", name="Slots").click()
    expect(page.get_by_role("heading", name="Golden Lotus")).to_be_visible()
    wallet_reads: list[str] = []
    page.on("request", lambda r: wallet_reads.append(r.url) if r.url.endswith("/v1/wallet") else None)
    page.get_by_role("button", name="Spin").click()
    result = page.get_by_test_id("slot-result")
    expect(result).to_contain_text("settled")
    round_id = result.get_attribute("data-round")
    assert round_id and re.fullmatch(r"r[0-9a-f]{24}", round_id)

    # The header's balance is the round's balance_after, pushed on the WebSocket: the page
    # asked the API for no wallet after the spin.
    auth = {"Authorization": f"Bearer {session_token(page)}"}
    recorded = httpx.get(f"{web_server}/v1/rounds/{round_id}", headers=auth).json()
    cash = recorded["balance_after"]
    shown = f"€{cash // 100:,}.{cash % 100:02d}"
    expect(page.get_by_test_id("balance")).to_have_text(shown)
    assert wallet_reads == []
    screenshot(page, "player-slot", tmp_path)

    page.get_by_role("link", name="History").click()
    expect(page.get_by_test_id("history")).to_contain_text(round_id)
    page.get_by_role("link", name=f"Verify round {round_id}").click()
    page.get_by_role("button", name="Reveal the seed (rotate my seed pair)").click()
    expect(page.get_by_test_id("verdict")).to_have_text(
        "Verified: this round is exactly what your seeds produce."
    )
    checks = page.get_by_test_id("verify-checks")
    expect(checks).to_contain_text(" ".join(str(s) for s in recorded["outcome"]["stops"]))
    screenshot(page, "player-verify", tmp_path)
