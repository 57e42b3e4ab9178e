"""Every refusal Croupier makes, in one tree: each class with its code and the HTTP status
the API and the WebSocket gateway give it (``croupier.api.statuses`` maps the classes).
Refusals are raised before anything changes.

::

    CroupierError                              croupier-error            400
     ├── InvalidInput (also ValueError)        invalid-input             422  fix the request
     │    ├── InvalidAmount                    invalid-amount            422  not minor units
     │    ├── UnknownCurrency                  unknown-currency          422
     │    ├── CurrencyMismatch                 currency-mismatch         422
     │    ├── InvalidTransfer                  invalid-transfer          422  a bad transfer
     │    ├── InvalidRegistration              invalid-registration      422  names the field
     │    ├── JurisdictionDefinitionError      jurisdiction-definition-error 422  bad profile
     │    ├── InvalidResetToken                invalid-reset-token       422  used, expired, unknown
     │    ├── FairnessError                    fairness-error            422  croupier-pf-1 input
     │    │    ├── InvalidServerSeed           invalid-server-seed       422
     │    │    ├── InvalidClientSeed           invalid-client-seed       422
     │    │    ├── InvalidNonce                invalid-nonce             422
     │    │    └── SeedPairRefusal             seed-pair-refusal         422  the pair says no
     │    ├── InvalidReport                    invalid-report            422  bad period, too large
     │    ├── CardInvalid                      card-invalid              422  Luhn, expiry, a CVV
     │    │    └── CardBinUnknown              card-bin-unknown          422  no issuer country
     │    └── GameError                        game-error                422
     │         ├── UnknownGame                 unknown-game              404
     │         │    └── GameNotOffered         game-not-offered          404  not where you play
     │         ├── GameDefinitionError         game-definition-error     422  a bad data file
     │         ├── InvalidBet                  invalid-bet               422
     │         │    ├── CurrencyNotOffered     currency-not-offered      422  not this game's
     │         │    └── StakeLimit             stake-limit               422  over the licence's cap
     │         ├── IllegalAction               illegal-action            422
     │         └── InvalidRoundState           invalid-round-state       422
     ├── LedgerRefusal                         ledger-refusal            409  valid, but not now
     │    ├── IdempotencyConflict              idempotency-conflict      409  same id, other content
     │    ├── InsufficientFunds                insufficient-funds        409  below the floor
     │    ├── AccountNotFound                  account-not-found         404
     │    ├── AccountConflict                  account-conflict          409
     │    ├── PendingNotFound                  pending-not-found         409
     │    ├── PendingAlreadyResolved           pending-already-resolved  409
     │    ├── LinkedTransferFailed             linked-transfer-failed    409
     │    └── StreamConflict                   stream-conflict           409  the stream moved on
     ├── StateConflict                         state-conflict            409  finish something first
     │    ├── EmailTaken                       email-taken               409
     │    ├── StaffUsernameTaken               staff-username-taken      409
     │    ├── ClientSeedLocked                 client-seed-locked        409
     │    ├── RoundInProgress                  round-in-progress         409
     │    ├── GameDisabled                     game-disabled             409  no new rounds
     │    ├── DepositLimit                     deposit-limit             409  the player's own limit
     │    ├── LossLimit                        loss-limit                409
     │    ├── WagerLimit                       wager-limit               409
     │    ├── SessionTimeLimit                 session-time-limit        409  session_minutes used
     │    ├── CardLimit                        card-limit                409  too many cards kept
     │    ├── RealityCheckDue                  reality-check-due         409  acknowledge it first
     │    ├── BonusNotAvailable                bonus-not-available       409  not yours now
     │    ├── BonusMaxBet                      bonus-max-bet             409  above its max bet
     │    └── BonusForfeitRequired             bonus-forfeit-required    409  confirm it first
     ├── NotFound                              not-found                 404  (or not yours to see)
     │    ├── RoundNotFound                    not-found                 404
     │    ├── SeedPairNotFound                 not-found                 404
     │    └── CardNotFound                     card-not-found            404  or another player's
     ├── AuthenticationFailed                  authentication-failed     401  never says which part
     ├── Forbidden                             forbidden                 403  known, but not allowed
     │    ├── AccountRestricted                account-restricted        403  frozen or closed
     │    ├── KycRequired                      kyc-required              403  identity not verified
     │    ├── EnrolmentRequired                mfa-enrolment-required    403  enrol a TOTP first
     │    ├── TotpRequired                     totp-required             403  send a current code
     │    ├── TotpInvalid                      totp-invalid              403  wrong or used code
     │    ├── TotpEnrolmentRequired            totp-enrolment-required   403  enrol first
     │    ├── SelfExcluded                     self-excluded             403  until it expires
     │    └── TimedOut                         timed-out                 403  a break in play
     ├── PaymentDeclined                       payment-declined          402
     ├── GeoBlocked                            geo-blocked               451  not licensed there
     ├── TooManyAttempts                       too-many-attempts         429  retry_after_s
     │    └── TooManyRegistrations             too-many-registrations    429
     ├── SpinTooFast                           spin-too-fast             429  retry_after_s
     ├── Unavailable                           unavailable               503  retry later
     │    ├── Busy                             busy                      503  a queue is full
     │    ├── LedgerUnavailable                ledger-unavailable        503  the writer is stopped
     │    ├── LedgerAuthRefused                ledger-auth-refused       503  bad ledger secret
     │    ├── WriterLocked                     writer-locked             503  another writes
     │    ├── WriterFenced                     writer-fenced             503  lost its lease
     │    ├── StreamLedgerMismatch             stream-ledger-mismatch    503  not our stream
     │    └── SchemaNotReady                   schema-not-ready          503  no ledger yet
     └── InvariantBroken                       invariant-broken          500  stop the process
          └── UnreadableEvent                  unreadable-event          500

Modules that raise these re-export them where callers have always imported them
(``croupier.domain.accounts``, ``croupier.services.rounds`` …).
"""

from __future__ import annotations

__all__ = [
    "AUTHENTICATION_FAILED_MESSAGE",
    "AccountConflict",
    "AccountNotFound",
    "AccountRestricted",
    "AuthenticationFailed",
    "BonusForfeitRequired",
    "BonusMaxBet",
    "BonusNotAvailable",
    "Busy",
    "CardBinUnknown",
    "CardInvalid",
    "CardLimit",
    "CardNotFound",
    "ClientSeedLocked",
    "CroupierError",
    "CurrencyMismatch",
    "CurrencyNotOffered",
    "DepositLimit",
    "EmailTaken",
    "EnrolmentRequired",
    "FairnessError",
    "Forbidden",
    "GameDefinitionError",
    "GameDisabled",
    "GameError",
    "GameNotOffered",
    "GeoBlocked",
    "IdempotencyConflict",
    "IllegalAction",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidBet",
    "InvalidClientSeed",
    "InvalidInput",
    "InvalidNonce",
    "InvalidRegistration",
    "InvalidReport",
    "InvalidResetToken",
    "InvalidRoundState",
    "InvalidServerSeed",
    "InvalidTransfer",
    "InvariantBroken",
    "JurisdictionDefinitionError",
    "KycRequired",
    "LedgerAuthRefused",
    "LedgerRefusal",
    "LedgerUnavailable",
    "LinkedTransferFailed",
    "LossLimit",
    "NotFound",
    "PaymentDeclined",
    "PendingAlreadyResolved",
    "PendingNotFound",
    "RealityCheckDue",
    "RoundInProgress",
    "RoundNotFound",
    "SchemaNotReady",
    "SeedPairNotFound",
    "SeedPairRefusal",
    "SelfExcluded",
    "SessionTimeLimit",
    "SpinTooFast",
    "StaffUsernameTaken",
    "StakeLimit",
    "StateConflict",
    "StreamConflict",
    "StreamLedgerMismatch",
    "TimedOut",
    "TooManyAttempts",
    "TooManyRegistrations",
    "TotpEnrolmentRequired",
    "TotpInvalid",
    "TotpRequired",
    "Unavailable",
    "UnknownCurrency",
    "UnknownGame",
    "UnreadableEvent",
    "WagerLimit",
    "WriterFenced",
    "WriterLocked",
]

#: The one message of every authentication failure, so it never tells which part was wrong.
AUTHENTICATION_FAILED_MESSAGE = "invalid email or password"


class CroupierError(Exception):
    """Base of every error Croupier raises on purpose."""

    #: A stable, machine-readable code (used by the API's problem+json ``type``).
    code = "croupier-error"


# -- bad input ------------------------------------------------------------------------------
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


class InvalidRegistration(InvalidInput):
    """A registration field is malformed or refused by policy; ``field`` names it."""

    code = "invalid-registration"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class JurisdictionDefinitionError(InvalidInput):
    """A jurisdiction profile file (``jurisdictions/*.toml``) or the licence map that names
    the profiles is inconsistent; the message names the file (or setting) and the key."""

    code = "jurisdiction-definition-error"


class InvalidResetToken(InvalidInput):
    """A password-reset token that is unknown, used already or expired (which one: not said)."""

    code = "invalid-reset-token"


class FairnessError(InvalidInput):
    """A provably-fair input or request that croupier-pf-1 does not allow."""

    code = "fairness-error"


class InvalidServerSeed(FairnessError):
    """Not 64 lowercase hexadecimal characters (or a commitment hash of the wrong form)."""

    code = "invalid-server-seed"


class InvalidClientSeed(FairnessError):
    """Not 1 to 64 printable ASCII characters (0x21–0x7E)."""

    code = "invalid-client-seed"


class InvalidNonce(FairnessError):
    """Not an integer in ``[0, NONCE_MAX]``."""

    code = "invalid-nonce"


class SeedPairRefusal(FairnessError):
    """A lifecycle step the seed pair refuses in its current state."""

    code = "seed-pair-refusal"


class InvalidReport(InvalidInput):
    """A report asked for a period it cannot have (reversed, too long) or would return more
    groups than it may hold."""

    code = "invalid-report"


class GameError(InvalidInput):
    code = "game-error"


class UnknownGame(GameError):
    code = "unknown-game"


class GameNotOffered(UnknownGame):
    """The game exists but the player's jurisdiction does not allow it (its kind, or a slot
    whose certified RTP is below the profile's minimum): answered as a game that is not
    there, since the player's catalogue does not list it either."""

    code = "game-not-offered"


class GameDefinitionError(GameError):
    code = "game-definition-error"


class InvalidBet(GameError):
    code = "invalid-bet"


class CurrencyNotOffered(InvalidBet):
    """The game lists no stake limits in the player's currency, so it takes no bet in it."""

    code = "currency-not-offered"


class StakeLimit(InvalidBet):
    """A stake over the cap the player's jurisdiction puts on one slot spin (DE: EUR 1.00)."""

    code = "stake-limit"


class IllegalAction(GameError):
    code = "illegal-action"


class InvalidRoundState(GameError):
    """A shoe or saved round that is not a valid blackjack round (names the field)."""

    code = "invalid-round-state"


# -- the ledger -----------------------------------------------------------------------------
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


class StreamConflict(LedgerRefusal):
    """The stream moved on since the caller read it (another action got there first)."""

    code = "stream-conflict"


# -- conflicts with the current state -------------------------------------------------------
class StateConflict(CroupierError):
    """A valid request the current state refuses: finish or undo something first."""

    code = "state-conflict"


class EmailTaken(StateConflict):
    """A player with this email (after normalisation) already exists."""

    code = "email-taken"


class StaffUsernameTaken(StateConflict):
    """Another staff member has this username."""

    code = "staff-username-taken"


class ClientSeedLocked(StateConflict):
    """The active pair has played a round: its client seed is fixed until it is rotated."""

    code = "client-seed-locked"


class RoundInProgress(StateConflict):
    """The player has a round open: finish it first."""

    code = "round-in-progress"


# -- not found ------------------------------------------------------------------------------
class GameDisabled(StateConflict):
    """The operator disabled the game: no new rounds (open ones can finish)."""

    code = "game-disabled"


class NotFound(CroupierError):
    """Nothing by that id, or nothing the caller may see (the two answer alike)."""

    code = "not-found"


class RoundNotFound(NotFound):
    pass


class SeedPairNotFound(NotFound):
    pass


# -- who is asking, how often, and the outside world ----------------------------------------
class AuthenticationFailed(CroupierError):
    """Unknown email, wrong password, or an unknown, expired, revoked or forged session token."""

    code = "authentication-failed"

    def __init__(self, message: str = AUTHENTICATION_FAILED_MESSAGE) -> None:
        super().__init__(message)


class Forbidden(CroupierError):
    """The caller is known but may not do this: a staff role without the permission, a source
    address outside the admin allow-list."""

    code = "forbidden"


class AccountRestricted(Forbidden):
    """The player's account is frozen or closed: no play, no payments (the balance is kept)."""

    code = "account-restricted"


class KycRequired(Forbidden):
    """The player's jurisdiction needs a verified identity before this (a deposit, a round);
    ``POST /v1/kyc`` submits the document (docs/compliance.md, KYC)."""

    code = "kyc-required"


class EnrolmentRequired(Forbidden):
    """A staff session made with a password alone: it may enrol a TOTP, nothing else."""

    code = "mfa-enrolment-required"


class TotpRequired(Forbidden):
    """The player has two-factor authentication on: this step needs a current TOTP code."""

    code = "totp-required"


class TotpInvalid(Forbidden):
    """The TOTP (or recovery) code is wrong, or was used already: each code is good once."""

    code = "totp-invalid"


class TotpEnrolmentRequired(Forbidden):
    """The operator requires two-factor authentication: enrol (and confirm) it first."""

    code = "totp-enrolment-required"


# -- the card vault (issue 16): messages never carry a card number, not even masked ------
class CardInvalid(InvalidInput):
    """A card number that fails the Luhn check or has the wrong length, an expiry in the
    past, or a request that sends the card's security code (never accepted)."""

    code = "card-invalid"


class CardBinUnknown(CardInvalid):
    """No issuer country is known for the card's BIN (its first digits): the card cannot
    be checked against the player's country, so it is refused."""

    code = "card-bin-unknown"


class CardLimit(StateConflict):
    """The player keeps as many cards as the vault allows: delete one first."""

    code = "card-limit"


class CardNotFound(NotFound):
    """No such card token, or it belongs to another player (the same answer for both)."""

    code = "card-not-found"


class PaymentDeclined(CroupierError):
    """The payment provider declined a deposit or a withdrawal (nothing moved)."""

    code = "payment-declined"


class GeoBlocked(CroupierError):
    """The request comes from where the operator holds no licence (another country, a US
    state without one, an unlocatable or private address in production) or through a VPN or
    proxy: 451, and nothing changes."""

    code = "geo-blocked"


class SpinTooFast(CroupierError):
    """A slot spin sooner after the last than the player's jurisdiction allows (UKGC 2.5 s,
    DE 5 s); retry after ``retry_after_s`` (whole seconds, at least 1)."""

    code = "spin-too-fast"

    def __init__(self, retry_after_s: int, *, spin_interval_ms_min: int) -> None:
        super().__init__(
            f"slot spins must be at least {spin_interval_ms_min / 1000:g} s apart here; "
            f"retry in {retry_after_s} s"
        )
        self.retry_after_s = retry_after_s
        self.spin_interval_ms_min = spin_interval_ms_min


class TooManyAttempts(CroupierError):
    """Too many login attempts from this IP or for this account; retry after ``retry_after_s``."""

    code = "too-many-attempts"
    #: What there were too many of, for the message.
    counted = "login attempts"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many {self.counted}; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class TooManyRegistrations(TooManyAttempts):
    """Too many registrations from this address; retry after ``retry_after_s``.

    A subclass, so a caller that waits out every rate limit catches both; its own code, so a
    client told to wait is not sent looking for failed logins.
    """

    code = "too-many-registrations"
    counted = "registrations from this address"


# -- unavailable: retry later ---------------------------------------------------------------
class Unavailable(CroupierError):
    """Nothing is wrong with the request; the service cannot take it now."""

    code = "unavailable"


class Busy(Unavailable):
    code = "busy"


class LedgerUnavailable(Unavailable):
    """The writer is stopped or has failed. Refused before its batch committed, nothing was
    applied; failed *during* a commit (a dropped database connection at COMMIT), the batch
    may or may not have committed. Either way, retrying with the same ids is safe and tells."""

    code = "ledger-unavailable"


class LedgerAuthRefused(Unavailable):
    """The writer refused a request it could not authenticate (``CROUPIER_LEDGER_SECRET``
    differs, or the clocks do by more than a minute): nothing was applied, and retrying the
    same way will not help, so it is not retried. An operator's problem, not the player's."""

    code = "ledger-auth-refused"


class WriterLocked(Unavailable):
    """Another process is already this database's ledger writer."""

    code = "writer-locked"


class WriterFenced(Unavailable):
    """This writer lost its lease: another writer took over (a higher epoch), so its commit
    was refused inside the transaction and rolled back. The process must stop."""

    code = "writer-fenced"


class StreamLedgerMismatch(Unavailable):
    """The event stream's newest event was not written by this ledger as it stands: another
    ledger's stream, or this ledger restored to an earlier point. The relay refuses to start
    rather than skip or repeat events (docs/realtime.md, "One stream, one ledger")."""

    code = "stream-ledger-mismatch"


class SchemaNotReady(Unavailable):
    """A reader found no ledger, or one whose schema this version does not read."""

    code = "schema-not-ready"


# -- broken invariants: stop ----------------------------------------------------------------
class InvariantBroken(CroupierError):
    """A money invariant does not hold. Never caught to carry on: the process must stop."""

    code = "invariant-broken"


class UnreadableEvent(InvariantBroken):
    """A stored event does not decode to the record its stream and type name: the code and
    the data disagree (see ``croupier.domain.events.codec``)."""

    code = "unreadable-event"


# -- responsible gambling (docs/compliance.md) -----------------------------------------------
class DepositLimit(StateConflict):
    """A deposit over the player's own deposit limit for a period (nothing moved)."""

    code = "deposit-limit"


class LossLimit(StateConflict):
    """A round whose net loss would pass the player's loss limit for a period."""

    code = "loss-limit"


class WagerLimit(StateConflict):
    """A round whose stake would pass the player's wager limit for a period."""

    code = "wager-limit"


class SessionTimeLimit(StateConflict):
    """The player's own session time limit (``session_minutes``) is used up: no new rounds
    until the next session."""

    code = "session-time-limit"


class RealityCheckDue(StateConflict):
    """A reality check was sent and not acknowledged yet: play pauses until it is."""

    code = "reality-check-due"


class SelfExcluded(Forbidden):
    """The player is self-excluded (here or on the national register) until it expires."""

    code = "self-excluded"


class TimedOut(Forbidden):
    """The player took a time-out (a break in play) that has not ended yet."""

    code = "timed-out"


class BonusNotAvailable(StateConflict):
    """The offer cannot be claimed by this player now: not offered to them, claimed already,
    another bonus active, or their jurisdiction or standing forbids it."""

    code = "bonus-not-available"


class BonusMaxBet(StateConflict):
    """A stake above the active bonus's maximum bet: refused, nothing moved."""

    code = "bonus-max-bet"


class BonusForfeitRequired(StateConflict):
    """A withdrawal while a bonus is active forfeits it: the player must confirm
    (``forfeit_bonus``). ``problem_extra`` tells them how much they would lose."""

    code = "bonus-forfeit-required"

    def __init__(self, message: str, *, bonus_id: str, forfeit_minor: int) -> None:
        super().__init__(message)
        self.problem_extra = {"bonus_id": bonus_id, "forfeit_amount": forfeit_minor}
