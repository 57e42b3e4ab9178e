"""The handler table: batches whole to batch handlers, then records, decoded, by type."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from croupier.domain.events import (
    JackpotWon,
    NonceUsed,
    RoundStartedNotice,
    encode,
)
from croupier.domain.ledger import Balance, BatchRecord, Event
from croupier.services.handlers import Committed, EventHandlers


def batch(seq: int, *events: Event) -> BatchRecord:
    return BatchRecord(seq, "0" * 64, "1" * 64, 1_800_000_000_000, (), (), events)


def stored(append: Any, seq: int, batch_seq: int = 1) -> Event:
    return Event(append.stream, seq, append.type, append.data_json, 1_800_000_000_000, batch_seq)


OPENED = stored(encode(RoundStartedNotice(player_id="p1", round_id="r1")), 1)
CLAIMED = stored(encode(NonceUsed(pair_id=3, round_id="r1")), 1)
OPENED_AGAIN = stored(encode(RoundStartedNotice(player_id="p2", round_id="r2")), 1)
UNTYPED = Event("player:p1", 2, "test.event", "{}", 1_800_000_000_000, 1)


def test_records_reach_the_handlers_of_their_type_in_commit_order() -> None:
    handlers, heard = EventHandlers(), []
    handlers.on(RoundStartedNotice, lambda c: heard.append(("a", c.record.round_id, c.event.seq)))
    handlers.on(NonceUsed, lambda c: heard.append(("nonce", c.record.pair_id, c.event.seq)))
    handlers.on(RoundStartedNotice, lambda c: heard.append(("b", c.record.player_id, c.event.seq)))
    handlers.committed(batch(1, OPENED, UNTYPED, CLAIMED, OPENED_AGAIN), {})
    assert heard == [
        ("a", "r1", 1),
        ("b", "p1", 1),
        ("nonce", 3, 1),
        ("a", "r2", 1),
        ("b", "p2", 1),
    ]


def test_a_type_names_one_record_per_family() -> None:
    """``round.started`` on a player's stream is the notice, never a round's deal."""
    handlers, heard = EventHandlers(), []
    handlers.on(RoundStartedNotice, heard.append)
    handlers.committed(batch(1, OPENED), {})
    (committed,) = heard
    assert committed == Committed(RoundStartedNotice(player_id="p1", round_id="r1"), OPENED)


def test_batch_handlers_get_every_batch_whole_before_any_record_handler() -> None:
    handlers, heard = EventHandlers(), []
    balances = {"jackpot:lotus-20:EUR": Balance(credits_posted=500)}
    handlers.on(RoundStartedNotice, lambda c: heard.append(("record", c.event.stream)))
    handlers.on_batch(lambda b, bal: heard.append(("batch", b.seq, len(b.events), dict(bal))))
    handlers.committed(batch(4, OPENED, UNTYPED), balances)
    handlers.committed(batch(5), {})
    assert heard == [
        ("batch", 4, 2, balances),
        ("record", "player:p1"),
        ("batch", 5, 0, {}),
    ]


def test_a_failing_handler_stops_neither_the_others_nor_the_commit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handlers, heard = EventHandlers(), []

    def broken(*_: object) -> None:
        raise RuntimeError("a consumer's bug")

    handlers.on_batch(broken)
    handlers.on_batch(lambda b, _: heard.append(b.seq))
    handlers.on(RoundStartedNotice, broken)
    handlers.on(RoundStartedNotice, lambda c: heard.append(c.record.round_id))
    with caplog.at_level(logging.ERROR, "croupier.handlers"):
        handlers.committed(batch(1, OPENED), {})  # raises nothing
    assert heard == [1, "r1"]
    assert len(caplog.records) == 2


def test_an_event_that_does_not_decode_is_reported_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handlers, heard = EventHandlers(), []
    handlers.on(JackpotWon, heard.append)
    handlers.on(RoundStartedNotice, heard.append)
    malformed = Event("lobby:main", 1, "jackpot.won", '{"round_id": 7}', 0, 1)
    with caplog.at_level(logging.ERROR, "croupier.handlers"):
        handlers.committed(batch(1, malformed, OPENED), {})
    assert [c.record for c in heard] == [RoundStartedNotice(player_id="p1", round_id="r1")]
    assert "lobby:main seq 1 cannot be decoded" in caplog.text


def test_only_event_records_can_be_handled() -> None:
    with pytest.raises(TypeError, match="not an event record"):
        EventHandlers().on(Committed, print)  # type: ignore[arg-type]
