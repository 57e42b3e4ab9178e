"""The one codec between typed records and the ledger's events.

:func:`encode` turns a record into the ``AppendEvent`` a service puts in its linked group;
:func:`decode` turns a stored event (an ``Event`` of the ledger, or a ``StreamEvent`` a
subscriber got) back into its record. The data is the ledger's canonical JSON of the
record's fields (see :mod:`croupier.domain.events.base`): byte for byte what was written
before records were typed, so the hash chain, the API and the WebSocket frames are unchanged.

A record class is found by its stream's family and its type. Reading is strict about the
fields a record needs and their JSON types, and skips fields it does not know, so a reader
still reads what a newer writer adds.

>>> from croupier.domain.events.seeds import NonceUsed
>>> append = encode(NonceUsed(pair_id=7, round_id="r1"), expected_seq=3)
>>> append.stream, append.type, append.data_json
('seeds:7', 'nonce.used', '{"round_id":"r1"}')
>>> decode(append)
NonceUsed(pair_id=7, round_id='r1', server_seed_hash=None)
"""

from __future__ import annotations

import collections.abc
import json
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from functools import partial
from typing import Any, Final, Protocol, TypeVar, get_args, get_origin, get_type_hints

from croupier.domain.errors import UnreadableEvent
from croupier.domain.events.base import FieldRole, Record, key_of, role_of
from croupier.domain.events.notices import (
    BalanceChanged,
    JackpotWon,
    RoundSettledNotice,
    RoundStartedNotice,
)
from croupier.domain.events.rounds import RoundAction, RoundPlayed, RoundSettled, RoundStarted
from croupier.domain.events.seeds import NonceUsed, SeedPairRevealed
from croupier.domain.ledger.events import AppendEvent

__all__ = ["RECORD_TYPES", "StoredEvent", "decode", "decode_as", "encode", "record_type"]

R = TypeVar("R", bound=Record)
T = TypeVar("T")
Check = Callable[[Any], Any]

#: Every record the ledger stores, one class per (family, type).
RECORD_TYPES: Final[tuple[type[Record], ...]] = (
    RoundPlayed,
    RoundStarted,
    RoundAction,
    RoundSettled,
    RoundStartedNotice,
    RoundSettledNotice,
    BalanceChanged,
    JackpotWon,
    NonceUsed,
    SeedPairRevealed,
)
_DIGITS = re.compile(r"[0-9]{1,18}\Z")


class StoredEvent(Protocol):
    """What decoding reads of an event: a ledger ``Event`` or a subscriber's ``StreamEvent``."""

    @property
    def stream(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def data_json(self) -> str: ...


class _Mismatch(ValueError):
    """A stored value is not what its field needs (becomes ``UnreadableEvent``)."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    key: str  # what the field is stored under: its name, or a short key of its own
    role: FieldRole
    check: Check  # a JSON value (or a stream id) -> the field's value, or _Mismatch
    nested: bool  # a dataclass of its own, stored as an object


def encode(
    record: Record,
    *,
    expected_seq: int | None = None,
    guard: tuple[str, int] | None = None,
    balances: Mapping[str, str] | None = None,
    amounts: Mapping[str, str] | None = None,
) -> AppendEvent:
    """The command that appends ``record`` to its stream. ``balances`` and ``amounts`` name,
    for :func:`~croupier.domain.events.base.filled` fields of the record, the account or
    transfer of the group whose value the ledger writes in (see ``AppendEvent.create``)."""
    kind = type(record)
    if _KINDS.get((kind.FAMILY, kind.TYPE)) is not kind:
        raise TypeError(f"{kind.__name__} is not a registered event record")
    fillable = {f.name: f.key for f in _FIELDS[kind] if f.role is FieldRole.FILLED}
    for name in (*(balances or {}), *(amounts or {})):
        if name not in fillable:
            raise ValueError(f"{kind.__name__} has no field {name!r} for the ledger to fill")
    return AppendEvent.create(
        record.stream,
        kind.TYPE,
        _to_data(record),
        expected_seq=expected_seq,
        guard=guard,
        # the ledger writes each value under the key its field is stored under
        balances={fillable[name]: ref for name, ref in (balances or {}).items()},
        amounts={fillable[name]: ref for name, ref in (amounts or {}).items()},
    )


def decode(event: StoredEvent) -> Record:
    """The record of a stored event; ``UnreadableEvent`` if it is none or does not match."""
    family, _, address = event.stream.partition(":")
    kind = _KINDS.get((family, event.type))
    if kind is None:
        raise UnreadableEvent(f"no record is {event.type!r} on a {family!r} stream")
    try:
        record = _from_data(kind, json.loads(event.data_json), address)
    except ValueError as error:  # malformed JSON, or a _Mismatch
        raise UnreadableEvent(f"{event.type} on {event.stream}: {error}") from None
    if record.stream != event.stream:
        raise UnreadableEvent(f"{event.type} on {event.stream} belongs on {record.stream}")
    return record


def decode_as(kind: type[R], event: StoredEvent) -> R:
    """:func:`decode`, which must give a ``kind``."""
    record = decode(event)
    if not isinstance(record, kind):
        raise UnreadableEvent(f"{event.stream}: a {event.type} is not a {kind.__name__}")
    return record


def record_type(stream: str, type: str) -> type[Record] | None:
    """The record class of events of ``type`` on ``stream`` (None for events of no record)."""
    return _KINDS.get((stream.partition(":")[0], type))


# -- the machinery -------------------------------------------------------------------------
def _to_data(value: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in _FIELDS[type(value)]:
        item = getattr(value, field.name)
        if field.role is FieldRole.ADDRESS or (item is None and field.role is not FieldRole.DATA):
            continue
        data[field.key] = _to_data(item) if field.nested and item is not None else item
    return data


def _from_data(kind: type[T], data: Any, address: str | None) -> T:
    if type(data) is not dict:
        raise _Mismatch(f"{kind.__name__} needs a JSON object")
    values: dict[str, Any] = {}
    for field in _FIELDS[kind]:
        if field.role is FieldRole.ADDRESS:
            raw: Any = address
            # an older version stored it in the data too (round.played 1): it must agree
            if field.name in data and str(data[field.name]) != address:
                raise _Mismatch(
                    f"{field.name!r} {data[field.name]!r:.40} belongs on another stream"
                )
        elif field.key in data:
            raw = data[field.key]
        elif field.name in data:  # written before the field had a key of its own
            raw = data[field.name]
        elif field.role is FieldRole.DATA:
            raise _Mismatch(f"{field.name!r} is missing")
        else:
            continue
        try:
            values[field.name] = field.check(raw)
        except _Mismatch as error:
            raise _Mismatch(f"{field.name!r}: {error}") from None
    return kind(**values)


def _exactly(kind: type, value: Any) -> Any:
    if type(value) is not kind:  # so True is no int
        raise _Mismatch(f"expected {kind.__name__}, got {value!r:.40}")
    return value


def _anything(value: Any) -> Any:
    return value


def _id_number(value: Any) -> int:
    if not isinstance(value, str) or not _DIGITS.match(value):
        raise _Mismatch(f"expected a number as the stream's id, got {value!r:.40}")
    return int(value)


def _optional(check: Check, value: Any) -> Any:
    return None if value is None else check(value)


def _check_for(hint: Any, where: str) -> tuple[Check, bool]:
    """How to read a field of type ``hint`` from JSON, and whether it is a nested object."""
    if hint is Any:
        return _anything, False
    if hint in (int, str, bool):
        return partial(_exactly, hint), False
    args = get_args(hint)
    if isinstance(hint, types.UnionType) and len(args) == 2 and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        check, nested = _check_for(inner, where)
        return partial(_optional, check), nested
    if get_origin(hint) in (dict, collections.abc.Mapping):  # a JSON object, as it is
        return partial(_exactly, dict), False
    if isinstance(hint, type) and is_dataclass(hint):
        _register_fields(hint)
        return partial(_from_data, hint, address=None), True
    raise TypeError(f"{where}: no way to store a {hint!r}")


def _register_fields(kind: type) -> None:
    if kind in _FIELDS:
        return
    hints = get_type_hints(kind)
    specs = []
    for field in fields(kind):
        role, where = role_of(field.metadata), f"{kind.__name__}.{field.name}"
        if role is FieldRole.ADDRESS:
            if hints[field.name] not in (int, str):
                raise TypeError(f"{where}: a stream's id is a str or an int")
            check: Check = _id_number if hints[field.name] is int else partial(_exactly, str)
            specs.append(_Field(field.name, field.name, role, check, nested=False))
        else:
            check, nested = _check_for(hints[field.name], where)
            key = key_of(field.metadata, field.name)
            specs.append(_Field(field.name, key, role, check, nested))
    if len({spec.key for spec in specs}) < len(specs):
        raise TypeError(f"{kind.__name__}: two fields are stored under one key")
    if sum(spec.role is FieldRole.ADDRESS for spec in specs) > 1:
        raise TypeError(f"{kind.__name__}: a stream has one id")
    _FIELDS[kind] = tuple(specs)


_FIELDS: dict[type, tuple[_Field, ...]] = {}
_KINDS: dict[tuple[str, str], type[Record]] = {}
for _kind in RECORD_TYPES:
    if (_kind.FAMILY, _kind.TYPE) in _KINDS:
        raise TypeError(f"two records are {_kind.TYPE!r} on {_kind.FAMILY!r} streams")
    _register_fields(_kind)
    _KINDS[_kind.FAMILY, _kind.TYPE] = _kind
