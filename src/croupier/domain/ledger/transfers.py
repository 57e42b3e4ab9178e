"""Transfer requests (what a client asks for) and transfers (what the ledger committed).

A transfer moves ``amount_minor`` from its debit account to its credit account. Its ``kind``
says how:

* ``single``  — posted at once;
* ``pending`` — reserves the amount on the debit account (two-phase, phase one), optionally
  voiding itself after ``timeout_ms``;
* ``post``    — completes a pending transfer, for its full amount or a smaller one;
* ``void``    — cancels a pending transfer and releases the reservation.

The client-supplied ``id`` is the idempotency key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from croupier.domain.errors import InvalidTransfer
from croupier.domain.ledger.accounts import check_account_id
from croupier.domain.money import check_amount, currency

__all__ = [
    "EXPIRY_REASON",
    "METADATA_BYTES_MAX",
    "TIMEOUT_MS_MAX",
    "Transfer",
    "TransferKind",
    "TransferRequest",
    "canonical_json",
]

TRANSFER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._@/-]{0,127}\Z")
REASON_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}\Z")
METADATA_BYTES_MAX = 4096
TIMEOUT_MS_MAX = 7 * 24 * 3600 * 1000
#: The reason code of the void the ledger writes itself when a pending transfer times out.
EXPIRY_REASON = "pending_expired"


class TransferKind(StrEnum):
    SINGLE = "single"
    PENDING = "pending"
    POST = "post"
    VOID = "void"


# One encoder for every call: json.dumps with options builds a new one each time, which is
# a sixth of the cost of a small event's encoding, and the ledger encodes on every request.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, ASCII only: equal content gives equal text (and hashes)."""
    return _CANONICAL.encode(value)


def _check_metadata(metadata: Mapping[str, Any]) -> str:
    if not isinstance(metadata, Mapping):
        raise InvalidTransfer("metadata must be a JSON object")
    try:
        text = canonical_json(dict(metadata))
    except (TypeError, ValueError) as error:
        raise InvalidTransfer(f"metadata is not JSON-serialisable: {error}") from None
    if len(text) > METADATA_BYTES_MAX:
        raise InvalidTransfer(f"metadata is larger than {METADATA_BYTES_MAX} bytes")
    return text


def _check_positive(value: object, what: str) -> int:
    amount = check_amount(value, what=what)
    if amount <= 0:
        raise InvalidTransfer(f"{what} must be positive, got {amount}")
    return amount


class TransferRequest(NamedTuple):
    """One transfer as a client asks for it. Construct with :meth:`create`, which validates.

    A named tuple rather than a frozen dataclass: immutable all the same, and four times
    cheaper to build on the hot path of every bet.
    """

    id: str
    kind: TransferKind
    debit_account_id: str | None
    credit_account_id: str | None
    amount_minor: int | None
    currency: str | None
    pending_id: str | None
    reason: str
    metadata_json: str
    timeout_ms: int | None
    #: A balancing transfer moves as much as the debit account can give above its floor, up
    #: to ``amount_minor`` (a jackpot win takes the pool, however much it holds by then).
    balancing: bool = False

    @classmethod
    def create(
        cls,
        id: str,
        *,
        kind: TransferKind | str = TransferKind.SINGLE,
        debit_account_id: str | None = None,
        credit_account_id: str | None = None,
        amount_minor: int | None = None,
        currency: str | None = None,
        pending_id: str | None = None,
        reason: str = "transfer",
        metadata: Mapping[str, Any] | None = None,
        timeout_ms: int | None = None,
        balancing: bool = False,
    ) -> TransferRequest:
        if not isinstance(kind, TransferKind):
            try:
                kind = TransferKind(kind)
            except ValueError:
                raise InvalidTransfer(f"unknown transfer kind {kind!r}") from None
        request = cls(
            id,
            kind,
            debit_account_id,
            credit_account_id,
            amount_minor,
            currency,
            pending_id,
            reason,
            "{}" if metadata is None else _check_metadata(metadata),
            timeout_ms,
            balancing is True,
        )
        request.validate()
        return request

    def validate(self) -> None:
        """Check the request's shape; the ledger state checks the rest (funds, accounts)."""
        if not isinstance(self.id, str) or not TRANSFER_ID_PATTERN.match(self.id):
            raise InvalidTransfer(
                f"transfer id must match {TRANSFER_ID_PATTERN.pattern}: {self.id!r}"
            )
        if not isinstance(self.reason, str) or not REASON_PATTERN.match(self.reason):
            raise InvalidTransfer(f"reason must match {REASON_PATTERN.pattern}: {self.reason!r}")
        if self.balancing and self.kind is not TransferKind.SINGLE:
            raise InvalidTransfer("only a single transfer can be balancing")
        if self.kind in (TransferKind.SINGLE, TransferKind.PENDING):
            self._validate_new_movement()
        else:
            self._validate_resolution()

    def _validate_new_movement(self) -> None:
        debit = check_account_id(self.debit_account_id, what="debit_account_id")
        credit = check_account_id(self.credit_account_id, what="credit_account_id")
        if debit == credit:
            raise InvalidTransfer("debit and credit accounts must differ")
        _check_positive(self.amount_minor, "amount_minor")
        currency(self.currency or "")
        if self.pending_id is not None:
            raise InvalidTransfer(f"a {self.kind} transfer takes no pending_id")
        if self.timeout_ms is not None:
            if self.kind is not TransferKind.PENDING:
                raise InvalidTransfer("only a pending transfer takes timeout_ms")
            timeout = _check_positive(self.timeout_ms, "timeout_ms")
            if timeout > TIMEOUT_MS_MAX:
                raise InvalidTransfer(f"timeout_ms must be at most {TIMEOUT_MS_MAX}")

    def _validate_resolution(self) -> None:
        if not isinstance(self.pending_id, str) or not TRANSFER_ID_PATTERN.match(self.pending_id):
            raise InvalidTransfer(f"a {self.kind} transfer needs the pending_id it resolves")
        if self.timeout_ms is not None:
            raise InvalidTransfer("only a pending transfer takes timeout_ms")
        for name in ("debit_account_id", "credit_account_id"):
            value = getattr(self, name)
            if value is not None:
                check_account_id(value, what=name)
        if self.currency is not None:
            currency(self.currency)
        if self.amount_minor is not None:
            if self.kind is TransferKind.VOID:
                raise InvalidTransfer("a void takes no amount: it releases the whole reservation")
            _check_positive(self.amount_minor, "amount_minor")

    def matches(self, transfer: Transfer) -> bool:
        """Whether ``transfer`` is what this request made: a replay, not a conflict.

        Fields a post or void may leave out (its accounts, currency, a post's amount) match
        whatever the ledger resolved them to.
        """
        if (self.kind, self.pending_id, self.reason, self.metadata_json) != (
            transfer.kind,
            transfer.pending_id,
            transfer.reason,
            transfer.metadata_json,
        ):
            return False
        if self.kind is TransferKind.SINGLE or self.kind is TransferKind.PENDING:
            timeout_ms = None
            if transfer.expires_at_ms is not None:
                timeout_ms = transfer.expires_at_ms - transfer.timestamp_ms
            # A balancing transfer moved at most what it asked for.
            amount_matches = (
                transfer.amount_minor <= (self.amount_minor or 0)
                if self.balancing
                else transfer.amount_minor == self.amount_minor
            )
            return amount_matches and (
                self.debit_account_id,
                self.credit_account_id,
                self.currency,
                self.timeout_ms,
            ) == (
                transfer.debit_account_id,
                transfer.credit_account_id,
                transfer.currency,
                timeout_ms,
            )
        return all(
            given is None or given == resolved
            for given, resolved in (
                (self.amount_minor, transfer.amount_minor),
                (self.debit_account_id, transfer.debit_account_id),
                (self.credit_account_id, transfer.credit_account_id),
                (self.currency, transfer.currency),
            )
        )


class Transfer(NamedTuple):
    """A committed transfer, with every field resolved (a post carries its accounts).

    Its fields, in this order, are also its canonical form in the batch hash chain.
    """

    id: str
    kind: TransferKind
    debit_account_id: str
    credit_account_id: str
    amount_minor: int
    currency: str
    pending_id: str | None
    reason: str
    metadata_json: str
    timestamp_ms: int
    expires_at_ms: int | None
    batch_seq: int
