"""KYC and AML on both engines, through a real platform: the KYC states and the document
sealed at rest; the play gate refusing deposits and rounds per profile and a withdrawal
waiting in the review queue; AML flags raised from real ledger activity, once each even when
the event is heard again; the regulator's round export."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.compliance.kyc import KycState
from croupier.domain.errors import KycRequired, StateConflict
from croupier.domain.events.notices import BalanceChanged
from croupier.domain.ledger import TransferKind
from croupier.kyc_aml_wiring import KycAml
from croupier.services.aml import FlagState
from croupier.services.handlers import Committed
from tests.support.operations import ALICE, IP, backoffice
from tests.support.platform import PASSWORD
from tests.support.raw_sql import raw_fetch
from tests.support.vault import KEK_ENV

REASON_CODE = "correction"
PASSPORT_OK = "P1234560"  # the sandbox verifies a number ending 0-6
PASSPORT_REVIEW = "P1234567"  # 7: a person must look
PASSPORT_BAD = "P1234569"  # 8, 9: rejected


def _document(number: str) -> dict[str, str]:
    expiry = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    return {"type": "passport", "number": number, "country": "MT", "expiry": expiry}


async def _open(database_url: str, **env: str) -> Platform:
    settings = load_settings({**KEK_ENV, **env}, database_url=database_url)
    return await open_platform(settings)


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    opened = await _open(
        database_url,
        CROUPIER_KYC_ENFORCE="1",
        CROUPIER_AML_VELOCITY="3/60",
        CROUPIER_AML_CDD_THRESHOLD="EUR:2000.00",
    )
    try:
        yield opened
    finally:
        await opened.close()


def _kyc_aml(platform: Platform) -> KycAml:
    assert platform.kyc_aml is not None
    return platform.kyc_aml


async def _player(platform: Platform, email: str, country: str) -> Player:
    await platform.accounts.register(
        email=email, password=PASSWORD, date_of_birth="1990-01-01", country=country, currency="EUR"
    )
    return (await platform.accounts.login(email=email, password=PASSWORD, ip="1.2.3.4")).player


async def _verified(platform: Platform, email: str, country: str) -> Player:
    player = await _player(platform, email, country)
    view = await _kyc_aml(platform).kyc.submit(player.player_id, _document(PASSPORT_OK), ip=IP)
    assert view.state is KycState.VERIFIED
    return player


async def test_kyc_states_and_the_document_sealed_at_rest(
    platform: Platform, database_url: str
) -> None:
    kyc = _kyc_aml(platform).kyc
    player = await _player(platform, "kyc@example.com", "MT")
    assert (await kyc.status(player.player_id)).state is KycState.NONE
    pending = await kyc.submit(player.player_id, _document(PASSPORT_REVIEW), ip=IP)
    assert pending.state is KycState.PENDING
    with pytest.raises(StateConflict):  # one submission at a time
        await kyc.submit(player.player_id, _document(PASSPORT_OK), ip=IP)
    queue = await kyc.queue()
    assert [(v.player_id, v.document and v.document.number) for v in queue] == [
        (player.player_id, PASSPORT_REVIEW)
    ]
    assert queue[0].for_player()["document"]["number"] == "…4567"
    rejected = await kyc.decide(
        player.player_id, KycState.REJECTED, actor=ALICE, source_ip=IP, reason="blurred"
    )
    assert rejected.state is KycState.REJECTED and await kyc.queue() == []
    with pytest.raises(StateConflict):  # a rejected submission is not verified afterwards
        await kyc.decide(
            player.player_id, KycState.VERIFIED, actor=ALICE, source_ip=IP, reason="oops"
        )
    again = await kyc.submit(player.player_id, _document(PASSPORT_OK), ip=IP)
    assert again.state is KycState.VERIFIED
    bad = await _player(platform, "bad@example.com", "MT")
    assert (await kyc.submit(bad.player_id, _document(PASSPORT_BAD), ip=IP)).state is (
        KycState.REJECTED
    )
    # Nothing of the documents is readable in the database: not the number, not the country
    # (only the expiry day is kept in clear).
    rows = await raw_fetch(database_url, "SELECT document_sealed FROM kyc_records")
    assert len(rows) == 2
    for (sealed,) in rows:
        assert b"P12345" not in bytes(sealed) and b"passport" not in bytes(sealed)
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            data = file.read_bytes() if file.exists() else b""
            assert PASSPORT_OK.encode() not in data and PASSPORT_REVIEW.encode() not in data
    audited = await raw_fetch(database_url, "SELECT action FROM audit_log ORDER BY seq")
    actions = [row[0] for row in audited]
    assert actions.count("kyc.submitted") == 3 and "kyc.rejected" in actions


async def test_a_german_player_must_be_verified_before_deposit_and_play(
    platform: Platform,
) -> None:
    player = await _player(platform, "de@example.com", "DE")  # de: deposit, play, withdrawal
    with pytest.raises(KycRequired):
        await platform.wallet.deposit(player, "de-deposit-1", 10_00)
    with pytest.raises(KycRequired):
        await platform.rounds.play(player, "lotus-20", "de-spin-1", {"stake": 100})
    assert (await platform.wallet.wallet(player)).cash == 0  # nothing moved
    await _kyc_aml(platform).kyc.submit(player.player_id, _document(PASSPORT_OK), ip=IP)
    await platform.wallet.deposit(player, "de-deposit-1", 10_00)
    await platform.rounds.play(player, "lotus-20", "de-spin-1", {"stake": 100})


async def test_a_maltese_withdrawal_waits_in_review_until_the_player_is_verified(
    platform: Platform,
) -> None:
    player = await _player(platform, "mt@example.com", "MT")  # mga: before withdrawal only
    await platform.wallet.deposit(player, "mt-deposit-1", 50_00)  # no KYC needed to deposit
    await platform.rounds.play(player, "lotus-20", "mt-spin-1", {"stake": 100})
    held = await platform.wallet.withdraw(player, "mt-withdraw-1", 10_00)
    assert held.kind is TransferKind.PENDING  # reserved, not refused, not paid
    reviews = backoffice(platform).withdrawals
    assert [q.intent_id for q in await reviews.queue()] == [held.id]
    with pytest.raises(KycRequired):  # staff cannot pay it out before verification
        await reviews.approve(held.id, actor=ALICE, source_ip=IP, reason="looks fine")
    await _kyc_aml(platform).kyc.submit(player.player_id, _document(PASSPORT_OK), ip=IP)
    paid = await reviews.approve(held.id, actor=ALICE, source_ip=IP, reason="verified now")
    assert paid.kind is TransferKind.POST
    direct = await platform.wallet.withdraw(player, "mt-withdraw-2", 5_00)
    assert direct.kind is TransferKind.POST  # verified: paid at once


async def test_without_enforcement_nothing_is_refused(database_url: str) -> None:
    platform = await _open(database_url)
    try:
        player = await _player(platform, "free@example.com", "DE")
        await platform.wallet.deposit(player, "free-deposit", 10_00)
        done = await platform.wallet.withdraw(player, "free-withdraw", 5_00)
        assert done.kind is TransferKind.POST
    finally:
        await platform.close()


async def _flags(platform: Platform) -> list[tuple[str, str]]:
    kyc_aml = _kyc_aml(platform)
    assert kyc_aml.monitor is not None
    await kyc_aml.monitor.idle()
    flags = await kyc_aml.risk.flags(state=None, limit=100)
    return sorted((f.rule, f.transfer_id) for f in flags)


async def test_aml_flags_come_from_real_ledger_activity_once_each(platform: Platform) -> None:
    player = await _verified(platform, "aml@example.com", "MT")
    first = await platform.wallet.deposit(player, "aml-deposit-1", 1500_00)
    assert await _flags(platform) == []
    second = await platform.wallet.deposit(player, "aml-deposit-2", 600_00)  # linked: 2,100
    third = await platform.wallet.deposit(player, "aml-deposit-3", 10_00)  # 3 in the hour
    await platform.rounds.play(player, "lotus-20", "aml-spin-1", {"stake": 100})
    out = await platform.wallet.withdraw(player, "aml-withdraw-1", 2000_00)  # little play
    assert out.kind is TransferKind.POST
    expected = sorted(
        [
            ("cdd-threshold", second.id),
            ("deposit-velocity", third.id),
            ("cdd-threshold", out.id.replace("withdrawal-paid", "withdrawal")),
            ("little-play", out.id.replace("withdrawal-paid", "withdrawal")),
        ]
    )
    assert await _flags(platform) == expected
    assert first.id not in {t for _, t in expected}
    # The same committed event heard again (a replay, a restart's catch-up): no new flag.
    monitor = _kyc_aml(platform).monitor
    assert monitor is not None
    for transfer in (second, third):
        record = BalanceChanged(
            player_id=player.player_id, reason="deposit", delta=1, transfer_id=transfer.id
        )
        monitor.committed(Committed(record, None))  # type: ignore[arg-type]
    # And the same request replayed through the wallet: the ledger answers the first result.
    await platform.wallet.deposit(player, "aml-deposit-2", 600_00)
    assert await _flags(platform) == expected
    # Staff resolve one; the risk queue shows the rest.
    risk = _kyc_aml(platform).risk
    flag_id = f"deposit-velocity:{third.id}"
    resolved = await risk.resolve(flag_id, actor=ALICE, source_ip=IP, reason="salary day")
    assert resolved.state is FlagState.RESOLVED and resolved.resolution == "salary day"
    with pytest.raises(StateConflict):
        await risk.resolve(flag_id, actor=ALICE, source_ip=IP, reason="again")
    assert len(await risk.flags()) == 3


async def test_a_withdrawal_without_any_deposit_breaks_the_closed_loop(
    platform: Platform,
) -> None:
    player = await _verified(platform, "loop@example.com", "MT")
    request = await backoffice(platform).adjustments.request(
        request_id="loop-credit-1",
        player_id=player.player_id,
        direction="credit",
        amount_minor=20_00,
        reason_code=REASON_CODE,
        actor=ALICE,
        source_ip=IP,
        reason="a credit, no deposit",
    )
    assert request is not None
    out = await platform.wallet.withdraw(player, "loop-withdraw", 20_00)
    rules = [rule for rule, _ in await _flags(platform)]
    assert rules == ["closed-loop"], out


async def test_the_round_export_carries_the_game_recall_fields(platform: Platform) -> None:
    from croupier.cli.export import open_round_records

    maltese = await _verified(platform, "rec-mt@example.com", "MT")
    german = await _verified(platform, "rec-de@example.com", "DE")
    for player in (maltese, german):
        await platform.wallet.deposit(player, f"rec-{player.player_id}", 10_00)
    played = await platform.rounds.play(maltese, "lotus-20", "rec-spin-1", {"stake": 100})
    await platform.rounds.play(german, "lotus-20", "rec-spin-2", {"stake": 100})
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    async with open_round_records(platform.settings) as records:
        lines = [r async for r in records.export("mga", now_ms - 60_000, now_ms + 60_000)]
    assert [r["round_id"] for r in lines] == [played["round_id"]]
    line = lines[0]
    assert line["player_id"] == maltese.player_id and line["jurisdiction"] == "mga"
    assert line["retention_years"] == 5 and line["stake"] == 100
    assert line["balance_before"] - 100 + line["win"] == line["balance_after"]
    for key in ("game_id", "game_version", "started_at_ms", "outcome", "choices", "win"):
        assert line[key] is not None, key
    assert set(line["fairness"]) >= {"server_seed_hash", "client_seed", "nonce"}
    json.dumps(line)  # a JSON line as it is


async def test_two_submissions_at_once_store_one(platform: Platform) -> None:
    kyc = _kyc_aml(platform).kyc
    player = await _player(platform, "race@example.com", "MT")
    # Both read the record before either saves: the race, every time (run one after the
    # other, a rejected submission may rightly be replaced by the next).
    read, both_read = kyc.store.kyc, asyncio.Barrier(2)

    async def read_then_wait(player_id: str) -> object:
        found = await read(player_id)
        await asyncio.wait_for(both_read.wait(), 30)
        return found

    kyc.store.kyc = read_then_wait  # type: ignore[method-assign]
    try:
        results = await asyncio.gather(
            kyc.submit(player.player_id, _document(PASSPORT_OK), ip=IP),
            kyc.submit(player.player_id, _document(PASSPORT_BAD), ip=IP),
            return_exceptions=True,
        )
    finally:
        kyc.store.kyc = read  # type: ignore[method-assign]
    stored = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(stored) == 1 and [type(r) for r in refused] == [StateConflict]
    assert (await kyc.status(player.player_id)).state is stored[0].state
