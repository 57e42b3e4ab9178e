"""The withdrawal queue and the reports pages show the server's real data: a withdrawal
held for review, approved from the page and paid once; GGR and RTP drawn from rounds
played through the public API, the same figures the report API gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.admin.conftest import AdminSite, Member, funded_player, log_in, open_page
from tests.support.backoffice import bearer
from tests.support.browser import screenshot

#: The module's server starts within the first test's time: room for a loaded machine.
pytestmark = pytest.mark.timeout(420)


def test_a_held_withdrawal_is_approved_from_the_queue_and_paid_once(
    admin_site: AdminSite, page: Page, new_member: Callable[[str], Member], tmp_path: Path
) -> None:
    player = funded_player(admin_site.base, "big.win@example.com", 3000_00)
    held = httpx.post(
        f"{admin_site.base}/v1/wallet/withdrawals",
        json={"amount": 2500_00},  # above CROUPIER_WITHDRAWAL_REVIEW_ABOVE's 2,000.00
        headers={**player.auth, "Idempotency-Key": "browser-wd-0001"},
        timeout=30,
    )
    assert held.status_code == 202 and held.json()["state"] == "pending-review", held.text
    intent = f"withdrawal:{player.player_id}:browser-wd-0001"

    payments = new_member("payments")
    log_in(page, admin_site.admin, payments)
    open_page(page, "Withdrawals")
    row = page.locator(f'tr[data-intent="{intent}"]')
    expect(row).to_contain_text("€2,500.00")
    expect(row).to_contain_text("pending")
    screenshot(page, "admin-withdrawals", tmp_path)

    row.get_by_label("Reason to approve and pay").fill("source of funds verified")
    row.get_by_role("button", name="Approve and pay").click()
    expect(row).to_have_count(0)
    review = httpx.get(
        f"{admin_site.admin}/admin/v1/withdrawals/{intent}",
        headers=bearer(payments.staff),
        timeout=10,
    ).json()
    assert review["state"] == "paid"
    wallet = httpx.get(f"{admin_site.base}/v1/wallet", headers=player.auth, timeout=10).json()
    assert (wallet["cash"], wallet["pending"]) == (500_00, 0)


def test_the_reports_page_charts_the_rounds_played(
    admin_site: AdminSite, page: Page, new_member: Callable[[str], Member], tmp_path: Path
) -> None:
    player = funded_player(admin_site.base, "reports.player@example.com", 200_00)
    with httpx.Client(base_url=admin_site.base, headers=player.auth, timeout=30) as client:
        for i in range(12):
            spin = client.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 100},
                headers={"Idempotency-Key": f"browser-spin-{i:04d}"},
            )
            assert spin.status_code == 201, spin.text
        wheel = client.post(
            "/v1/games/european-roulette/rounds",
            json={"bets": [{"type": "red", "stake": 500}]},
            headers={"Idempotency-Key": "browser-wheel-0001"},
        )
        assert wheel.status_code == 201, wheel.text

    risk = new_member("risk")
    today = datetime.now(UTC).date().isoformat()
    expected = httpx.get(
        f"{admin_site.admin}/admin/v1/reports/ggr",
        params={"from": today, "to": today},
        headers=bearer(risk.staff),
        timeout=10,
    ).json()["rows"]
    lotus = next(r for r in expected if r["game_id"] == "lotus-20")

    log_in(page, admin_site.admin, risk)
    open_page(page, "Reports")
    table = page.get_by_test_id("ggr-table")
    lotus_row = table.locator("tr", has_text="lotus-20").filter(has_text=today)
    expect(lotus_row).to_contain_text(str(lotus["rounds"]))
    expect(lotus_row).to_contain_text("€12.00")  # twelve spins of 1.00
    expect(table.locator("tr", has_text="european-roulette")).to_contain_text("€5.00")
    # The charts: a bar a day of the period (14 days by default) and one RTP row a game,
    # each with its observed dot, theoretical line and band.
    expect(page.locator("svg.chart rect.bar")).to_have_count(14)
    expect(page.get_by_role("img", name="GGR by day, EUR")).to_be_visible()
    rtp = page.get_by_role("img", name="Observed RTP against theoretical, with the 99.9 % band")
    expect(rtp.locator("circle.observed")).to_have_count(len({r["game_id"] for r in expected}))
    expect(rtp.locator("line.theory")).to_have_count(len({r["game_id"] for r in expected}))
    expect(page.get_by_test_id("rtp-table")).to_contain_text("lotus-20")
    screenshot(page, "admin-reports", tmp_path)

    # The table as CSV: the API's own file, downloaded with the session's token.
    with page.expect_download() as saving:
        page.get_by_role("button", name="GGR as CSV").click()
    saved = saving.value
    assert saved.suggested_filename.startswith("croupier-ggr-")
    lines = Path(saved.path()).read_text().splitlines()
    assert lines[0].startswith("day,game_id,currency")
    assert any(line.startswith(f"{today},lotus-20,EUR,2,{lotus['rounds']},") for line in lines)
