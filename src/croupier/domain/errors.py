"""Domain errors. Every refusal Croupier makes is one of these, raised before anything changes.

::

    CroupierError
     ├── InvalidInput (also ValueError)          bad input from a caller: fix the request
     │    ├── InvalidAmount                      not an integer of minor units in range
     │    ├── UnknownCurrency
     │    ├── CurrencyMismatch
     │    ├── InvalidTransfer                    malformed transfer / account request
     │    └── GameError                          (games) invalid bet, illegal action, bad data
     │         ├── UnknownGame
     │         ├── GameDefinitionError           a game data file is malformed (names the field)
     │         ├── InvalidBet
     │         └── IllegalAction
     ├── LedgerRefusal                           a valid request the ledger cannot accept now
     │    ├── IdempotencyConflict                same id, different content
     │    ├── InsufficientFunds                  would take an account below its floor
     │    ├── AccountNotFound
     │    ├── AccountConflict                    account id reused with another kind/currency
     │    ├── PendingNotFound
     │    ├── PendingAlreadyResolved             already posted, voided or expired
     │    └── LinkedTransferFailed               a sibling in a linked batch failed
     ├── Busy                                    a bounded queue is full: retry later
     └── InvariantBroken                         a money invariant failed: stop the process
          └── UnreadableEvent                    a stored event is not the record it names
"""

from __future__ import annotations

__all__ = [
    "AccountConflict",
    "AccountNotFound",
    "Busy",
    "CroupierError",
    "CurrencyMismatch",
    "GameDefinitionError",
    "GameError",
    "IdempotencyConflict",
    "IllegalAction",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidBet",
    "InvalidInput",
    "InvalidTransfer",
    "InvariantBroken",
    "LedgerRefusal",
    "LinkedTransferFailed",
    "PendingAlreadyResolved",
    "PendingNotFound",
    "UnknownCurrency",
    "UnknownGame",
    "UnreadableEvent",
]


class CroupierError(Exception):
    """Base of every error Croupier raises on purpose."""

    #: A stable, machine-readable code (used by the API's problem+json ``type``).
    code = "croupier-error"


class InvalidInput(CroupierError, ValueError):
    code = "invalid-input"


class InvalidAmount(InvalidInput):
    code = "invalid-amount"


class UnknownCurrency(InvalidInput):
    code = "unknown-currency"


class CurrencyMismatch(InvalidInput):
    code = "currency-mismatch"


class InvalidTransfer(InvalidInput):
    code = "invalid-transfer"


class GameError(InvalidInput):
    code = "game-error"


class UnknownGame(GameError):
    code = "unknown-game"


class GameDefinitionError(GameError):
    code = "game-definition-error"


class InvalidBet(GameError):
    code = "invalid-bet"


class IllegalAction(GameError):
    code = "illegal-action"


class LedgerRefusal(CroupierError):
    code = "ledger-refusal"


class IdempotencyConflict(LedgerRefusal):
    code = "idempotency-conflict"


class InsufficientFunds(LedgerRefusal):
    code = "insufficient-funds"


class AccountNotFound(LedgerRefusal):
    code = "account-not-found"


class AccountConflict(LedgerRefusal):
    code = "account-conflict"


class PendingNotFound(LedgerRefusal):
    code = "pending-not-found"


class PendingAlreadyResolved(LedgerRefusal):
    code = "pending-already-resolved"


class LinkedTransferFailed(LedgerRefusal):
    code = "linked-transfer-failed"


class Busy(CroupierError):
    code = "busy"


class InvariantBroken(CroupierError):
    """A money invariant does not hold. Never caught to carry on: the process must stop."""

    code = "invariant-broken"


class UnreadableEvent(InvariantBroken):
    """A stored event does not decode to the record its stream and type name: the code and
    the data disagree (see ``croupier.domain.events.codec``)."""

    code = "unreadable-event"
