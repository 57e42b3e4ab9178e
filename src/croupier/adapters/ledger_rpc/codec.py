"""The wire format of the remote ledger: linked groups in, outcomes out, as JSON.

A request carries many groups (a gateway batches what its services submitted meanwhile);
the reply carries one outcome per group, in order: ``{"ok": [results…], "replayed": bool}``
or ``{"error": code-class, "message": text}``. JSON, not pickle: what arrives over the
network is data, never code; every field is type-checked before a command is built, and a
malformed one is an ``InvalidTransfer`` for its group alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from croupier.domain import errors
from croupier.domain.errors import CroupierError, InvalidTransfer, LedgerUnavailable
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    Applied,
    Command,
    CreateAccount,
    Event,
    Transfer,
    TransferKind,
    TransferRequest,
)

__all__ = [
    "Outcome",
    "decode_groups",
    "decode_outcomes",
    "encode_group",
    "encode_groups",
    "encode_outcomes",
    "join_groups",
]

Outcome = Applied | CroupierError

#: Groups per message, a bound for both ends: one malformed or hostile message cannot make a
#: writer queue without limit.
GROUPS_PER_MESSAGE_MAX = 1000


# -- requests ------------------------------------------------------------------------------
def encode_groups(groups: Sequence[Sequence[Command]]) -> bytes:
    return join_groups([encode_group(group) for group in groups])


def encode_group(group: Sequence[Command]) -> bytes:
    """One group, encoded once when it is submitted: its size decides how many fit in a
    message, and a retry sends the same bytes."""
    return json.dumps([_command(c) for c in group]).encode()


def join_groups(encoded: Sequence[bytes]) -> bytes:
    return b"[" + b",".join(encoded) + b"]"


def _command(command: Command) -> list[Any]:
    if isinstance(command, CreateAccount):
        account = command.account
        return ["account", account.id, account.kind.value, account.currency, account.floor_minor]
    if isinstance(command, AppendEvent):
        return ["event", *command]
    return ["transfer", *command]


def decode_groups(payload: bytes) -> list[list[Command] | CroupierError]:
    """Each group's commands, or the refusal of a malformed group. A payload that is not a
    list of groups at all raises ``InvalidTransfer``."""
    try:
        groups = json.loads(payload)
    except ValueError:
        raise InvalidTransfer("a ledger request is not JSON") from None
    if not isinstance(groups, list) or not 1 <= len(groups) <= GROUPS_PER_MESSAGE_MAX:
        raise InvalidTransfer(f"a ledger request holds 1 to {GROUPS_PER_MESSAGE_MAX} groups")
    decoded: list[list[Command] | CroupierError] = []
    for group in groups:
        try:
            if not isinstance(group, list):
                raise InvalidTransfer("a linked group is a list of commands")
            decoded.append([_decode_command(item) for item in group])
        except (CroupierError, TypeError, ValueError) as error:
            decoded.append(
                error if isinstance(error, CroupierError) else InvalidTransfer(str(error))
            )
    return decoded


def _decode_command(item: Any) -> Command:
    if not isinstance(item, list) or not item:
        raise InvalidTransfer("a command is a non-empty list")
    tag, fields = item[0], item[1:]
    if tag == "account" and len(fields) == 4:
        account_id, kind, currency, floor = fields
        _check(fields[:3], str)
        _check([floor], int, optional=True)
        return CreateAccount(Account(account_id, AccountKind(kind), currency, floor))
    if tag == "event" and len(fields) == 6:
        stream, type_, data_json, expected_seq, fills, guard = fields
        _check([stream, type_, data_json], str)
        _check([expected_seq], int, optional=True)
        if not isinstance(fills, list) or not all(
            isinstance(f, list) and len(f) == 3 and all(isinstance(x, str) for x in f)
            for f in fills
        ):
            raise InvalidTransfer("an event's fills are (key, kind, id) triples")
        if guard is not None:
            if not isinstance(guard, list) or len(guard) != 2:
                raise InvalidTransfer("an event's guard is (stream, seq)")
            _check(guard[:1], str)
            _check(guard[1:], int)
        return AppendEvent(
            stream,
            type_,
            data_json,
            expected_seq,
            tuple((f[0], f[1], f[2]) for f in fills),
            (guard[0], guard[1]) if guard is not None else None,
        )
    if tag == "transfer" and len(fields) == 11:
        _check([fields[0], fields[7], fields[8]], str)
        _check([fields[2], fields[3], fields[5], fields[6]], str, optional=True)
        _check([fields[4], fields[9]], int, optional=True)
        if not isinstance(fields[10], bool):
            raise InvalidTransfer("a transfer's balancing flag is a boolean")
        return TransferRequest(fields[0], TransferKind(fields[1]), *fields[2:])
    raise InvalidTransfer(f"unknown ledger command {tag!r}")


def _check(values: Sequence[Any], kind: type, *, optional: bool = False) -> None:
    for value in values:
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, kind):
            raise InvalidTransfer(f"a command field is not a {kind.__name__}: {value!r}")


# -- replies -------------------------------------------------------------------------------
def encode_outcomes(outcomes: Sequence[Outcome]) -> bytes:
    return json.dumps([_outcome(o) for o in outcomes]).encode()


def _outcome(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, CroupierError):
        return {"error": type(outcome).__name__, "message": str(outcome)}
    return {"ok": [_result(r) for r in outcome.results], "replayed": outcome.replayed}


def _result(result: Account | Transfer | Event | None) -> list[Any] | None:
    if result is None:
        return None
    if isinstance(result, Account):
        return ["account", result.id, result.kind.value, result.currency, result.floor_minor]
    if isinstance(result, Transfer):
        return ["transfer", *result]
    return ["event", *result]


def decode_outcomes(payload: bytes, expected: int) -> list[Outcome]:
    """The outcomes of ``expected`` groups; a reply that does not fit is the writer's bug,
    said as ``LedgerUnavailable`` (the caller retries with the same ids: safe)."""
    items = json.loads(payload)
    if isinstance(items, list) and len(items) == 1 and "error" in items[0]:
        items = items * expected  # a refusal of the whole message (busy, malformed)
    if not isinstance(items, list) or len(items) != expected:
        raise LedgerUnavailable("the ledger writer sent a reply that does not fit the request")
    return [_decode_outcome(item) for item in items]


def _decode_outcome(item: dict[str, Any]) -> Outcome:
    if "error" in item:
        cls = getattr(errors, str(item["error"]), None)
        if not (isinstance(cls, type) and issubclass(cls, CroupierError)):
            cls = CroupierError
        error = cls.__new__(cls)
        Exception.__init__(error, item.get("message", ""))
        return error
    return Applied(tuple(_decode_result(r) for r in item["ok"]), replayed=item["replayed"])


def _decode_result(item: list[Any] | None) -> Account | Transfer | Event | None:
    if item is None:
        return None
    tag, fields = item[0], item[1:]
    if tag == "account":
        return Account(fields[0], AccountKind(fields[1]), fields[2], fields[3])
    if tag == "transfer":
        return Transfer(fields[0], TransferKind(fields[1]), *fields[2:])
    return Event(*fields)
