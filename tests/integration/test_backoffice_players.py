"""Player search and view for staff, on both engines: by id or email (any case), the view
with wallet, control, sessions and their addresses, the ledger transactions paged, and the
rounds with their game recall; each look is audited."""

from __future__ import annotations

import pytest

from croupier.bootstrap import Platform
from croupier.domain.errors import Forbidden, InvalidInput, NotFound, RoundNotFound
from croupier.services.backoffice import PlayerStatus
from tests.support.operations import ALICE, IP, audit_lines, backoffice, watch_audit
from tests.support.platform import PASSWORD, funded_player


async def test_staff_find_a_player_by_id_or_email(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    watch_audit(caplog)
    player = await funded_player(platform, "Find.Me@example.com", 1_000)
    directory = backoffice(platform).players
    by_id = await directory.find(player.player_id, actor=ALICE, source_ip=IP)
    by_email = await directory.find(" FIND.me@Example.com ", actor=ALICE, source_ip=IP)
    assert [p.player_id for p in by_id] == [p.player_id for p in by_email] == [player.player_id]
    assert await directory.find("nobody@example.com", actor=ALICE, source_ip=IP) == []
    assert await directory.find("not an email", actor=ALICE, source_ip=IP) == []
    with pytest.raises(InvalidInput):
        await directory.find("", actor=ALICE, source_ip=IP)
    with pytest.raises(Forbidden):
        await directory.find(player.player_id, actor=f"player:{player.player_id}", source_ip=IP)
    searches = [e for e in audit_lines(caplog) if e["action"] == "player.searched"]
    assert len(searches) == 4
    assert all("find.me" not in str(e).lower() for e in searches)  # no email in the trail


async def test_the_view_shows_wallet_control_sessions_and_addresses(platform: Platform) -> None:
    player = await funded_player(platform, "view@example.com", 100_00)
    await platform.accounts.login(email=player.email, password=PASSWORD, ip="203.0.113.7")
    await platform.wallet.withdraw(player, "view-withdraw", 10_00)
    bo = backoffice(platform)
    await bo.accounts.set_flags(
        player.player_id, ["aml-watch"], actor=ALICE, source_ip=IP, reason="pattern"
    )
    masked = await bo.players.view(player.player_id, actor=ALICE, source_ip=IP)
    assert masked["profile"]["email"] == "v***@example.com"
    assert masked["profile"]["date_of_birth"] is None
    view = await bo.players.view(player.player_id, actor=ALICE, source_ip=IP, reveal_pii=True)
    assert view["profile"]["email"] == "view@example.com"
    assert view["profile"]["date_of_birth"] == "1990-01-01"
    assert view["wallet"] == {"currency": "EUR", "cash": 90_00, "bonus": 0, "reserved": 0}
    assert view["control"]["status"] == PlayerStatus.ACTIVE.value
    assert view["control"]["flags"] == ["aml-watch"]
    assert view["kyc"]["state"] == "none"
    assert view["jurisdiction"] == "mga" and set(view["aml"]) == {"flags_open", "flags"}
    assert [s["ip"] for s in view["sessions"]][:2] == ["203.0.113.7", "1.2.3.4"]
    assert all(s["revoked_at_ms"] is None for s in view["sessions"])
    assert "token" not in str(view["sessions"])
    with pytest.raises(NotFound):
        await bo.players.view("nobody", actor=ALICE, source_ip=IP)


async def test_transactions_and_rounds_page_with_recall(platform: Platform) -> None:
    player = await funded_player(platform, "pages@example.com", 100_00)
    for n in range(3):
        await platform.rounds.play(player, "lotus-20", f"pages-spin-{n}", {"stake": 100})
    directory = backoffice(platform).players
    first, cursor = await directory.transactions(
        player.player_id, limit=2, actor=ALICE, source_ip=IP
    )
    assert len(first) == 2 and cursor is not None
    rest, _ = await directory.transactions(
        player.player_id, limit=50, cursor=cursor, actor=ALICE, source_ip=IP
    )
    ids = [t["id"] for t in first + rest]
    assert len(ids) == len(set(ids)) and any(t["reason"] == "deposit" for t in rest)
    rounds, _ = await directory.rounds_of(player.player_id, limit=10, actor=ALICE, source_ip=IP)
    assert [r["status"] for r in rounds] == ["settled"] * 3
    assert all(r["fairness"]["server_seed_hash"] for r in rounds)
    one = await directory.round(rounds[0]["round_id"], actor=ALICE, source_ip=IP)
    assert one == rounds[0]
    with pytest.raises(RoundNotFound):
        await directory.round("r-missing", actor=ALICE, source_ip=IP)
    with pytest.raises(InvalidInput):
        await directory.transactions(player.player_id, account="savings", actor=ALICE, source_ip=IP)
