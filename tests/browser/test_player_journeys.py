"""The player client at ``/`` in a real Chromium against a real ``croupier serve``: the
journeys a newcomer makes after ``make run`` (docs/web.md)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import screenshot
from tests.support.tcp_cut import CuttableProxy
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
    page.on(
        "request", lambda r: wallet_reads.append(r.url) if r.url.endswith("/v1/wallet") else None
    )
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


def test_a_dropped_connection_resumes_without_losing_an_event(
    page: Page, web_server: str, tmp_path: Path
) -> None:
    port = int(web_server.rsplit(":", 1)[1])
    with CuttableProxy(port) as proxy:
        sent: list[str] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
        register(page, proxy.base)
        deposit(page, "50.00")
        page.get_by_role("link", name="Lobby").click()
        expect(page.get_by_test_id("activity").locator("li[data-seq]")).to_have_count(1)

        proxy.cut()
        expect(page.get_by_test_id("connection")).to_have_text("Reconnecting…")
        # Meanwhile, straight to the server: a deposit and a spin the page cannot hear of.
        auth = {"Authorization": f"Bearer {session_token(page)}"}
        with httpx.Client(base_url=web_server, headers=auth, timeout=10) as api:
            made = api.post(
                "/v1/wallet/deposits",
                json={"amount": 2000},
                headers={"Idempotency-Key": "drop-dep-1"},
            )
            assert made.status_code == 201, made.text
            spun = api.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 100},
                headers={"Idempotency-Key": "drop-spin-1"},
            )
            assert spun.status_code == 201, spun.text
            cash = api.get("/v1/wallet").json()["cash"]
        proxy.restore()

        expect(page.get_by_test_id("connection")).to_have_text("Live")
        shown = f"€{cash // 100:,}.{cash % 100:02d}"
        expect(page.get_by_test_id("balance")).to_have_text(shown)
        seqs = [
            int(seq or 0)
            for seq in page.get_by_test_id("activity")
            .locator("li[data-seq]")
            .evaluate_all("items => items.map(item => item.dataset.seq)")
        ]
        # Every event once, none missing: the deposit's, then the missed deposit and round.
        assert sorted(seqs) == list(range(1, max(seqs) + 1)) and len(seqs) >= 4
        assert any('"after_seq":1' in frame for frame in sent)
        screenshot(page, "player-resumed", tmp_path)
