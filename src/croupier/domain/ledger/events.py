"""Events written with the money: the transactional outbox.

A linked group may carry :class:`AppendEvent` commands beside its transfers. The ledger gives
each event the next sequence number of its stream (``round:<id>``, ``player:<id>``, …) and
commits it in the same transaction as the transfers, inside the batch hash chain. So a round's
record can never disagree with the money it moved, and a subscriber that asks for "everything
after seq N" of a stream misses nothing: per stream, seqs run 1, 2, 3, … without gaps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from croupier.domain.errors import InvalidTransfer, StreamConflict
from croupier.domain.ledger.accounts import check_account_id
from croupier.domain.ledger.transfers import TRANSFER_ID_PATTERN, canonical_json

__all__ = [
    "EVENT_DATA_BYTES_MAX",
    "FILL_AMOUNT",
    "FILL_BALANCE",
    "AppendEvent",
    "Event",
    "StreamConflict",
]

STREAM_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9][A-Za-z0-9:._@/-]{0,127}\Z")
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}\Z")
EVENT_DATA_BYTES_MAX = 16 * 1024

#: A field the ledger fills in: the available balance of an account after the event's group.
FILL_BALANCE = "balance"
#: A field the ledger fills in: the amount a transfer of the event's group moved.
FILL_AMOUNT = "amount"


class AppendEvent(NamedTuple):
    """Append one event to a stream, atomically with the rest of its linked group."""

    stream: str
    type: str
    data_json: str
    #: Optimistic concurrency: when set, the group is refused with ``StreamConflict`` unless
    #: the stream's last seq is exactly this (0: the stream must be empty).
    expected_seq: int | None = None
    #: Fields the ledger adds to the data as it applies the group, ``(key, FILL_BALANCE,
    #: account id)`` or ``(key, FILL_AMOUNT, transfer id)``: values only the writer knows,
    #: such as a balance after every request before this one, or what a balancing transfer
    #: took. The account or transfer must belong to the same group.
    fills: tuple[tuple[str, str, str], ...] = ()
    #: Optimistic concurrency on *another* stream, which this append leaves as it is: the
    #: group is refused with ``StreamConflict`` unless that stream's last seq is exactly
    #: this. Two streams guarding each other make two appends exclude each other (a round's
    #: nonce and a rotation's reveal: ``croupier.services.fairness``).
    guard: tuple[str, int] | None = None

    @classmethod
    def create(
        cls,
        stream: str,
        type: str,
        data: Mapping[str, Any],
        *,
        expected_seq: int | None = None,
        balances: Mapping[str, str] | None = None,
        amounts: Mapping[str, str] | None = None,
        guard: tuple[str, int] | None = None,
    ) -> AppendEvent:
        """``balances`` maps data keys to account ids, ``amounts`` data keys to transfer ids
        (see ``fills``)."""
        if not isinstance(stream, str) or not STREAM_PATTERN.match(stream):
            raise InvalidTransfer(f"event stream must match {STREAM_PATTERN.pattern}: {stream!r}")
        if not isinstance(type, str) or not TYPE_PATTERN.match(type):
            raise InvalidTransfer(f"event type must match {TYPE_PATTERN.pattern}: {type!r}")
        try:
            text = canonical_json(dict(data))
        except (TypeError, ValueError) as error:
            raise InvalidTransfer(f"event data is not JSON-serialisable: {error}") from None
        if len(text) > EVENT_DATA_BYTES_MAX:
            raise InvalidTransfer(f"event data is larger than {EVENT_DATA_BYTES_MAX} bytes")
        if expected_seq is not None and (
            isinstance(expected_seq, bool) or not isinstance(expected_seq, int) or expected_seq < 0
        ):
            raise InvalidTransfer(f"expected_seq must be an integer >= 0, got {expected_seq!r}")
        fills = _fills(data, balances or {}, amounts or {}) if balances or amounts else ()
        if guard is not None:
            guarded, seq = guard
            if (
                not isinstance(guarded, str)
                or not STREAM_PATTERN.match(guarded)
                or guarded == stream
            ):
                raise InvalidTransfer(f"a guard names another stream: {guarded!r}")
            if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
                raise InvalidTransfer(f"a guard's seq must be an integer >= 0, got {seq!r}")
        return cls(stream, type, text, expected_seq, fills, guard)


def _fills(
    data: Mapping[str, Any], balances: Mapping[str, str], amounts: Mapping[str, str]
) -> tuple[tuple[str, str, str], ...]:
    fills = [(key, FILL_BALANCE, check_account_id(ref)) for key, ref in balances.items()]
    for key, ref in amounts.items():
        if not isinstance(ref, str) or not TRANSFER_ID_PATTERN.match(ref):
            raise InvalidTransfer(f"an event amount names no transfer id: {ref!r}")
        fills.append((key, FILL_AMOUNT, ref))
    keys = [key for key, _, _ in fills]
    if not all(isinstance(key, str) for key in keys) or len(set(keys)) < len(keys):
        raise InvalidTransfer("the fields the ledger fills in need distinct string names")
    if clash := set(keys) & set(data):
        raise InvalidTransfer(f"event data already has the fields the ledger fills in: {clash}")
    return tuple(fills)


class Event(NamedTuple):
    """A committed event. Its fields, in this order, are its canonical form in the hash chain."""

    stream: str
    seq: int
    type: str
    data_json: str
    timestamp_ms: int
    batch_seq: int
