"""The event codec: every record round-trips, and the bytes are those written before records
were typed (the data is hashed in the ledger's chain and sent as is to WebSocket clients)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from croupier.domain.errors import UnreadableEvent
from croupier.domain.events import (
    RECORD_TYPES,
    BalanceChanged,
    JackpotWon,
    NonceUsed,
    Record,
    RecordedFairness,
    RoundAction,
    RoundPlayed,
    RoundSettled,
    RoundSettledNotice,
    RoundStarted,
    RoundStartedNotice,
    SeedPairRevealed,
    decode,
    decode_as,
    encode,
    read_round,
    record_type,
)
from croupier.domain.ledger import AppendEvent, Event

ROUND = "r0123456789abcdef01234567"
FAIRNESS = RecordedFairness(pair_id=7, server_seed_hash="ab" * 32, client_seed="lucky-7", nonce=3)
FAIRNESS_V2 = RecordedFairness(pair_id=7, client_seed="lucky-7", nonce=3)
OPENING: dict[str, Any] = {
    "round_id": ROUND,
    "player_id": "p1",
    "game_id": "lotus-20",
    "game_version": 2,
    "currency": "EUR",
    "stake": 100,
    "choices": {"stake": 100},
    "request_fingerprint": "f" * 64,
    "fairness": FAIRNESS,
}
#: A version-2 ``round.played``: no server seed hash, no fingerprint (derived from choices).
PLAYED = RoundPlayed(
    **{**OPENING, "request_fingerprint": None, "fairness": FAIRNESS_V2},
    outcome={"stops": [1, 2, 3], "jackpot_hit": True, "win_multiplier": "1.5"},
    win=40,
    jackpot_contribution=1,
)
#: What version 1 stored of the same round (and main wrote before version 2, at 8b7a690).
PLAYED_V1_DATA = (
    '{"choices":{"stake":100},"currency":"EUR","fairness":{"client_seed":"lucky-7",'
    '"nonce":3,"pair_id":7,"server_seed_hash":"' + "ab" * 32 + '"},"game_id":'
    '"lotus-20","game_version":2,"jackpot_contribution":1,"outcome":{"jackpot_hit":'
    'true,"stops":[1,2,3],"win_multiplier":"1.5"},"player_id":"p1","request_fingerprint'
    '":"' + "f" * 64 + '","round_id":"' + ROUND + '","stake":100,"win":40}'
)
DEALT = RoundStarted(
    **{**OPENING, "game_id": "blackjack-classic", "game_version": 1},
    balance_before=5000,
    rules={"decks": 6, "s17": True},
)
CASH = {"balance_after": "player:p1:cash"}
JACKPOT_WIN = f"{ROUND}:jackpot-win"

#: (record, encode's keywords, what main wrote before typed records: 5184f0c's services)
GOLDEN: list[tuple[Record, dict[str, Any], AppendEvent]] = [
    (
        PLAYED,
        {"balances": CASH, "amounts": {"jackpot_win": JACKPOT_WIN}},
        AppendEvent(
            f"round:{ROUND}",
            "round.played",
            '{"c":"EUR","ch":{"stake":100},"f":{"client_seed":"lucky-7","nonce":3,"pair_id":7},'
            '"g":"lotus-20","gv":2,"jc":1,"o":{"jackpot_hit":true,"stops":[1,2,3],'
            '"win_multiplier":"1.5"},"p":"p1","s":100,"w":40}',
            None,
            (("b", "balance", "player:p1:cash"), ("jw", "amount", JACKPOT_WIN)),
        ),
    ),
    (
        RoundStartedNotice(player_id="p1", round_id=ROUND),
        {},
        AppendEvent("player:p1", "round.started", '{"round_id":"' + ROUND + '"}'),
    ),
    (
        RoundSettledNotice(
            player_id="p1",
            round_id=ROUND,
            game_id="lotus-20",
            currency="EUR",
            stake=100,
            win=40,
            jackpot_hit=True,
        ),
        {"balances": CASH, "amounts": {"jackpot_win": JACKPOT_WIN}},
        AppendEvent(
            "player:p1",
            "round.settled",
            '{"currency":"EUR","game_id":"lotus-20","jackpot_hit":true,"round_id":"'
            + ROUND
            + '","stake":100,"win":40}',
            None,
            (
                ("balance_after", "balance", "player:p1:cash"),
                ("jackpot_win", "amount", JACKPOT_WIN),
            ),
        ),
    ),
    (
        DEALT,
        {},
        AppendEvent(
            f"round:{ROUND}",
            "round.started",
            '{"balance_before":5000,"choices":{"stake":100},"currency":"EUR","fairness":'
            '{"client_seed":"lucky-7","nonce":3,"pair_id":7,"server_seed_hash":"'
            + "ab"
            * 32
            + '"},"game_id":"blackjack-classic","game_version":1,"player_id":"p1",'
            '"request_fingerprint":"' + "f" * 64 + '","round_id":"' + ROUND + '","rules":'
            '{"decks":6,"s17":true},"stake":100}',
        ),
    ),
    (
        RoundAction(
            round_id=ROUND,
            action="double",
            key="k-12345678",
            extra_stake=100,
            reservation=f"{ROUND}:stake-2",
        ),
        {"expected_seq": 1},
        AppendEvent(
            f"round:{ROUND}",
            "round.action",
            '{"action":"double","extra_stake":100,"key":"k-12345678","reservation":"'
            + ROUND
            + ':stake-2"}',
            1,
        ),
    ),
    (
        RoundAction(
            round_id=ROUND, action="stand", key="k-12345679", extra_stake=0, reservation=None
        ),
        {"expected_seq": 2},
        AppendEvent(
            f"round:{ROUND}",
            "round.action",
            '{"action":"stand","extra_stake":0,"key":"k-12345679","reservation":null}',
            2,
        ),
    ),
    (
        RoundSettled(round_id=ROUND, outcome={"phase": "settled"}, win=400, jackpot_contribution=0),
        {"balances": CASH},
        AppendEvent(
            f"round:{ROUND}",
            "round.settled",
            '{"jackpot_contribution":0,"outcome":{"phase":"settled"},"win":400}',
            None,
            (("balance_after", "balance", "player:p1:cash"),),
        ),
    ),
    (  # a claim since issue 12's storage work: empty...
        NonceUsed(pair_id=7),
        {"expected_seq": 3, "guard": ("revealed:7", 0)},
        AppendEvent("seeds:7", "nonce.used", "{}", 3, (), ("revealed:7", 0)),
    ),
    (  # ...but for a pair's first, which carries its commitment
        NonceUsed(pair_id=7, server_seed_hash="ab" * 32),
        {"expected_seq": 0, "guard": ("revealed:7", 0)},
        AppendEvent(
            "seeds:7",
            "nonce.used",
            '{"server_seed_hash":"' + "ab" * 32 + '"}',
            0,
            (),
            ("revealed:7", 0),
        ),
    ),
    (  # as written before it
        NonceUsed(pair_id=7, round_id=ROUND),
        {"expected_seq": 3, "guard": ("revealed:7", 0)},
        AppendEvent(
            "seeds:7", "nonce.used", '{"round_id":"' + ROUND + '"}', 3, (), ("revealed:7", 0)
        ),
    ),
    (
        SeedPairRevealed(pair_id=7, rounds_played=12),
        {"expected_seq": 0, "guard": ("seeds:7", 12)},
        AppendEvent(
            "revealed:7", "seed_pair.revealed", '{"rounds_played":12}', 0, (), ("seeds:7", 12)
        ),
    ),
    (
        JackpotWon(round_id=ROUND, game_id="lotus-20", currency="EUR", pool="jackpot:lotus-20:EUR"),
        {"amounts": {"amount": JACKPOT_WIN}},
        AppendEvent(
            "lobby:main",
            "jackpot.won",
            '{"currency":"EUR","game_id":"lotus-20","pool":"jackpot:lotus-20:EUR","round_id":"'
            + ROUND
            + '"}',
            None,
            (("amount", "amount", JACKPOT_WIN),),
        ),
    ),
    (
        BalanceChanged(
            player_id="p1", reason="deposit", delta=10000, transfer_id="deposit-settled:p1:key-0001"
        ),
        {"balances": CASH},
        AppendEvent(
            "player:p1",
            "balance.changed",
            '{"delta":10000,"reason":"deposit","transfer_id":"deposit-settled:p1:key-0001"}',
            None,
            (("balance_after", "balance", "player:p1:cash"),),
        ),
    ),
]

#: What the ledger fills in, per record type, as decoded from a committed event.
FILLED: dict[type[Record], dict[str, int]] = {
    RoundPlayed: {"balance_after": 9940, "jackpot_win": 120_000},
    RoundSettled: {"balance_after": 5300},
    RoundSettledNotice: {"balance_after": 9940, "jackpot_win": 120_000},
    BalanceChanged: {"balance_after": 10_000},
    JackpotWon: {"amount": 120_000},
}


def committed(append: AppendEvent, seq: int = 1, ts_ms: int = 1_800_000_000_000) -> Event:
    return Event(append.stream, seq, append.type, append.data_json, ts_ms, 1)


@pytest.mark.parametrize(("record", "options", "written"), GOLDEN, ids=lambda v: type(v).__name__)
def test_records_encode_to_the_bytes_written_before(
    record: Record, options: dict[str, Any], written: AppendEvent
) -> None:
    assert encode(record, **options) == written


def test_every_record_type_has_a_golden_example() -> None:
    assert {type(record) for record, _, _ in GOLDEN} == set(RECORD_TYPES)


@pytest.mark.parametrize(("record", "options", "written"), GOLDEN, ids=lambda v: type(v).__name__)
def test_every_record_round_trips_as_written_and_as_filled_by_the_ledger(
    record: Record, options: dict[str, Any], written: AppendEvent
) -> None:
    assert decode(committed(encode(record))) == record
    filled = dataclasses.replace(record, **FILLED.get(type(record), {}))
    stored = committed(encode(filled))
    assert decode(stored) == filled
    assert decode_as(type(record), stored) == filled
    data = json.loads(stored.data_json)  # the ledger's fills land in the same fields
    fills = {key: FILLED[type(record)][name] for key, _, name in _fill_names(written)}
    assert json.loads(written.data_json) | fills == data


def _fill_names(written: AppendEvent) -> list[tuple[str, str, str]]:
    """(stored key, kind, field name) of each fill: the keys name the fields by position."""
    names = {"b": "balance_after", "jw": "jackpot_win"}
    return [(key, kind, names.get(key, key)) for key, kind, _ in written.fills]


def test_the_same_type_names_another_record_on_another_family() -> None:
    assert record_type(f"round:{ROUND}", "round.started") is RoundStarted
    assert record_type("player:p1", "round.started") is RoundStartedNotice
    assert record_type("player:p1", "test.event") is None
    with pytest.raises(UnreadableEvent, match="no record"):
        decode(Event("player:p1", 1, "test.event", "{}", 0, 1))


def test_records_written_by_older_versions_decode() -> None:
    """An instant round as ``round.started`` (no rules) then ``round.settled`` whose
    ``balance_after`` the service wrote itself and that has no ``jackpot_win``."""
    legacy_start = {**json.loads(encode(DEALT).data_json), "game_id": "lotus-20"}
    del legacy_start["rules"]
    start = Event(f"round:{ROUND}", 1, "round.started", json.dumps(legacy_start), 10, 1)
    settled_data = {"outcome": {"jackpot_hit": False}, "win": 0, "jackpot_contribution": 1}
    settled = Event(
        f"round:{ROUND}", 2, "round.settled", json.dumps(settled_data | {"balance_after": 9}), 20, 2
    )
    recorded = read_round([start, settled])
    assert isinstance(recorded.start, RoundStarted) and recorded.start.rules is None
    assert recorded.settled is not None and recorded.settled.balance_after == 9
    assert recorded.settled.jackpot_win is None
    assert (recorded.started_at_ms, recorded.ended_at_ms, recorded.last_seq) == (10, 20, 2)


def test_fields_a_newer_writer_adds_are_skipped() -> None:
    data = {"round_id": ROUND, "added_later": [1]}
    assert decode(Event("player:p1", 1, "round.started", json.dumps(data), 0, 1)) == (
        RoundStartedNotice(player_id="p1", round_id=ROUND)
    )


@pytest.mark.parametrize(
    ("stream", "data", "complaint"),
    [
        (
            f"round:{ROUND}",
            {"action": "hit", "key": "k", "extra_stake": 0},
            "'reservation' is missing",
        ),
        (
            f"round:{ROUND}",
            {"action": "hit", "key": "k", "extra_stake": True, "reservation": None},
            "'extra_stake': expected int",
        ),
        (f"round:{ROUND}", {"action": 7, "key": "k", "extra_stake": 0, "reservation": None}, "str"),
        (f"round:{ROUND}", ["not", "an", "object"], "JSON object"),
    ],
)
def test_a_stored_event_that_is_not_its_record_is_refused_loudly(
    stream: str, data: Any, complaint: str
) -> None:
    with pytest.raises(UnreadableEvent, match=complaint):
        decode(Event(stream, 2, "round.action", json.dumps(data), 0, 1))


def test_a_record_on_another_records_stream_or_a_bad_stream_id_is_refused() -> None:
    played = encode(PLAYED)
    with pytest.raises(UnreadableEvent, match="belongs on"):  # version 1 names its round
        decode(Event("round:r-other", 1, played.type, PLAYED_V1_DATA, 0, 1))
    with pytest.raises(UnreadableEvent, match="belongs on"):
        decode(Event("seeds:8", 1, "nonce.used", '{"pair_id":7}', 0, 1))
    with pytest.raises(UnreadableEvent, match="number"):
        decode(Event("seeds:seven", 1, "nonce.used", '{"round_id":"r"}', 0, 1))
    with pytest.raises(UnreadableEvent, match="is not a RoundStarted"):
        decode_as(RoundStarted, committed(played))


def test_only_filled_fields_can_be_filled_by_the_ledger() -> None:
    with pytest.raises(ValueError, match="no field 'stake'"):
        encode(PLAYED, balances={"stake": "player:p1:cash"})


def test_a_round_reads_back_from_its_stream_in_order() -> None:
    stream = [
        committed(encode(DEALT), 1, 100),
        committed(encode(GOLDEN[4][0], expected_seq=1), 2, 200),
        committed(encode(GOLDEN[5][0], expected_seq=2), 3, 300),
        committed(encode(GOLDEN[6][0]), 4, 400),
    ]
    recorded = read_round(stream)
    assert recorded.start == DEALT
    assert [action.action for action in recorded.actions] == ["double", "stand"]
    assert recorded.extra_reservations() == [f"{ROUND}:stake-2"]
    assert recorded.is_settled and recorded.ended_at_ms == 400
    assert (recorded.last_seq, recorded.last_at_ms) == (4, 400)
    open_round = read_round(stream[:3])
    assert not open_round.is_settled and open_round.ended_at_ms is None
    played = read_round([committed(encode(PLAYED), 1, 50)])
    assert played.is_settled and played.ended_at_ms == 50 and played.actions == ()
    with pytest.raises(UnreadableEvent, match="opens with"):
        read_round([stream[1]._replace(seq=1)])
    with pytest.raises(UnreadableEvent, match=r"round\.started at seq 2"):
        read_round([stream[0], stream[0]._replace(seq=2)])


def test_the_wallets_notice_is_the_balance_changed_record() -> None:
    """The wallet still writes ``balance.changed`` itself (it moves onto the codec later):
    what it writes must stay what the record reads."""
    from datetime import UTC, date, datetime

    from croupier.domain.accounts.player import Player
    from croupier.services.wallet import _balance_changed

    player = Player("p1", "p1@example.com", "MT", "EUR", date(1990, 1, 1), datetime.now(UTC))
    record = BalanceChanged(
        player_id="p1", reason="withdrawal", delta=-500, transfer_id="withdrawal:p1:key-0001"
    )
    written = _balance_changed(player, "withdrawal", -500, "withdrawal:p1:key-0001")
    assert written == encode(record, balances=CASH)
    assert decode(committed(written)) == record


def test_the_codecs_example_holds() -> None:
    import doctest

    from croupier.domain.events import codec

    result = doctest.testmod(codec)
    assert result.attempted and not result.failed
