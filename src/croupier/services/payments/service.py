"""Payments at the providers: routing, failover without double charging, the answers of
providers, webhooks and look-ups applied exactly once (docs/payments.md).

The wallet records each payment's intent on the ledger first (a pending transfer under ids
derived from the player's Idempotency-Key); this service takes it to a provider and resolves
it. The rule that keeps a player from being charged twice:

- an attempt is recorded (provider, ``<payment>-a<n>`` reference) before that provider is
  called, and the reference is the provider's idempotency key;
- a payment moves to another provider only once its provider *proved* it did not take it:
  a decline, or a look-up answering ``NOT_FOUND`` or ``DECLINED``. An unknown outcome
  (timeout, 5xx, lost answer) stays with its provider until a look-up says so;
- the money moves only on the ledger, by ids derived from the payment, so settling twice is
  the ledger's replay, and the payment row changes only by ``WHERE state = expected``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.compliance.payments import check_card_country
from croupier.domain.errors import (
    CroupierError,
    InvalidAmount,
    InvalidInput,
    InvariantBroken,
    NotFound,
    PaymentDeclined,
    PendingAlreadyResolved,
    StateConflict,
)
from croupier.domain.ledger import Transfer
from croupier.domain.payments.states import (
    FINAL,
    Event,
    Kind,
    State,
    TransitionRefused,
    advance,
)
from croupier.services.payments.book import PaymentBook
from croupier.services.payments.ports import (
    ChargeRequest,
    Instrument,
    Outcome,
    PaymentProvider,
    PayoutRequest,
    ProviderAnswer,
    RefundRequest,
    WebhookEvent,
    WebhookKind,
)
from croupier.services.payments.router import PaymentRouter
from croupier.services.payments.store import (
    AttemptRow,
    PaymentRow,
    PaymentStore,
    attempt_reference,
    payment_id_of,
)
from croupier.services.wallet import PaymentIds

__all__ = ["InstrumentSource", "PaymentLimits", "PaymentService", "UnknownCard"]

log = logging.getLogger("croupier.payments")

#: The embedded sandbox instrument: what a deposit without a card uses when the instant
#: sandbox is configured (``make run``).
SANDBOX_TOKEN = "sandbox"


class UnknownCard(InvalidInput):
    """The card token names no card of this player."""


class InstrumentSource(Protocol):
    """The card vault (``croupier.services.cards.CardVault``): a token to its instrument."""

    async def instrument(self, player_id: str, token: str) -> Instrument: ...


@dataclass(frozen=True, slots=True)
class PaymentLimits:
    #: Providers tried for one payment (each only after the last proved it did not take it).
    attempts_max: int = 3
    #: The first look-up of an open outcome, then doubling up to the maximum.
    poll_first_ms: int = 1_000
    poll_backoff_max_ms: int = 300_000
    #: Look-ups before a payment goes to review (staff decide).
    polls_max: int = 12
    #: A payment left ``sent`` (a crash mid-call) is looked up after this long, and a
    #: look-up's ``NOT_FOUND`` is believed only this long after its attempt was sent: longer
    #: than a provider may still be working on a call we stopped waiting for, so a late
    #: arrival there can never meet our next attempt elsewhere.
    sent_grace_ms: int = 60_000
    poll_batch_max: int = 100

    def __post_init__(self) -> None:
        if not (1 <= self.attempts_max <= 10 and 1 <= self.polls_max <= 100):
            raise ValueError("attempts_max must be 1..10 and polls_max 1..100")
        if self.sent_grace_ms < 1_000:
            raise ValueError("sent_grace_ms must be at least 1000: longer than any call")
        if not 0 < self.poll_first_ms <= self.poll_backoff_max_ms:
            raise ValueError("poll_first_ms must be positive and at most poll_backoff_max_ms")

    def backoff_ms(self, polls: int) -> int:
        return int(min(self.poll_backoff_max_ms, self.poll_first_ms * 2 ** min(polls, 30)))


_WEBHOOK_ANSWERS = {
    WebhookKind.CHARGE_SUCCEEDED: (Kind.DEPOSIT, Outcome.APPROVED),
    WebhookKind.CHARGE_FAILED: (Kind.DEPOSIT, Outcome.DECLINED),
    WebhookKind.PAYOUT_SUCCEEDED: (Kind.WITHDRAWAL, Outcome.APPROVED),
    WebhookKind.PAYOUT_FAILED: (Kind.WITHDRAWAL, Outcome.DECLINED),
    WebhookKind.REFUND_SUCCEEDED: (Kind.REFUND, Outcome.APPROVED),
}

_ANSWER_EVENT = {
    Outcome.APPROVED: Event.APPROVED,
    Outcome.DECLINED: Event.DECLINED,
    Outcome.PENDING: Event.ACCEPTED,
    Outcome.UNKNOWN: Event.LOST,
    Outcome.NOT_FOUND: Event.NOT_FOUND,
}


class PaymentService:
    def __init__(
        self,
        store: PaymentStore,
        book: PaymentBook,
        router: PaymentRouter,
        *,
        clock_ms: Callable[[], int],
        limits: PaymentLimits | None = None,
        instruments: InstrumentSource | None = None,
    ) -> None:
        self.store = store
        self.book = book
        self.router = router
        self.clock_ms = clock_ms
        self.limits = limits or PaymentLimits()
        #: The card vault; None: only the embedded sandbox instrument exists.
        self.instruments = instruments

    # -- instruments --------------------------------------------------------------------

    async def instrument(self, player: Player, card_token: str | None) -> Instrument:
        """The instrument a request names (``UnknownCard`` for a token not the player's)."""
        if card_token is None:
            if not self.router.candidates("sandbox", player.country, player.currency):
                raise InvalidInput("name a card_token: no provider takes payments without one")
            return Instrument("sandbox", SANDBOX_TOKEN, player.country)
        if self.instruments is None:
            raise UnknownCard("cards are not configured here")
        try:
            card = await self.instruments.instrument(player.player_id, card_token)
        except CroupierError:  # the vault's own refusals (card-not-found, card-invalid)
            raise
        except LookupError as error:
            raise UnknownCard("no such card") from error
        # The vault refused a foreign card when it was added; asked again at every payment,
        # as the player's registered country is what the licence follows (451 geo-blocked).
        check_card_country(card.country, country=player.country)
        return card

    async def _instrument_of(self, row: PaymentRow) -> Instrument:
        if row.instrument_kind == "sandbox" or self.instruments is None:
            return Instrument(row.instrument_kind, row.instrument_token, row.instrument_country)
        return await self.instruments.instrument(row.player_id, row.instrument_token)

    async def payout_instrument(self, player: Player, card_token: str | None) -> Instrument:
        """Closed loop: a withdrawal goes back to the instrument last deposited with. One to
        another instrument is refused (the AML closed-loop rule, enforced here)."""
        deposit = await self.store.last_settled_deposit(player.player_id, player.currency)
        if deposit is None:
            return await self.instrument(player, card_token)
        if card_token is not None and card_token != deposit.instrument_token:
            raise InvalidInput(
                "a withdrawal goes back to the payment method deposited with (closed loop)"
            )
        if deposit.instrument_kind == "sandbox":
            return Instrument("sandbox", deposit.instrument_token, deposit.instrument_country)
        return await self.instrument(player, deposit.instrument_token)

    # -- requests -----------------------------------------------------------------------

    async def deposit(
        self, player: Player, intent: Transfer, key: str, instrument: Instrument
    ) -> Transfer:
        return await self._request(Kind.DEPOSIT, player, intent, key, instrument, None)

    async def withdraw(
        self, player: Player, intent: Transfer, key: str, instrument: Instrument
    ) -> Transfer:
        return await self._request(Kind.WITHDRAWAL, player, intent, key, instrument, None)

    async def refund(self, deposit_id: str, key: str, amount_minor: int) -> Transfer:
        """Give back (part of) a settled deposit, through the provider that charged it: the
        refund is reserved from the player's cash first, then posted (or voided: the money
        stays with the player). The refunds of a deposit never exceed it."""
        deposit = await self.store.get(deposit_id)
        if deposit is None or deposit.kind is not Kind.DEPOSIT:
            raise NotFound("no such deposit")
        if deposit.state is not State.SETTLED:
            raise StateConflict(f"only a settled deposit is refunded; this one is {deposit.state}")
        ids = PaymentIds.of("refund", deposit.player_id, key)
        if await self.store.get(payment_id_of(ids.intent)) is None:  # not a replay
            refunded = sum(
                r.amount_minor
                for r in await self.store.children(deposit.id)
                if r.state is not State.FAILED
            )
            if not 0 < amount_minor <= deposit.amount_minor - refunded:
                raise InvalidAmount(
                    f"a refund of this deposit must be 1 to {deposit.amount_minor - refunded}"
                )
        player = await self.book.players(deposit.player_id)
        if player is None:
            raise InvariantBroken(f"the player of deposit {deposit.id} is not found")
        intent = await self.book.refund_intent(deposit, key, amount_minor)
        instrument = Instrument(
            deposit.instrument_kind, deposit.instrument_token, deposit.instrument_country
        )
        return await self._request(Kind.REFUND, player, intent, key, instrument, deposit)

    async def _request(
        self,
        kind: Kind,
        player: Player,
        intent: Transfer,
        key: str,
        instrument: Instrument,
        parent: PaymentRow | None,
    ) -> Transfer:
        """Take the payment to a provider; the completed transfer (settled), the intent
        (still open: 202), or ``PaymentDeclined``."""
        now = self.clock_ms()
        row = PaymentRow(
            id=payment_id_of(intent.id),
            player_id=player.player_id,
            kind=kind,
            amount_minor=intent.amount_minor,
            currency=intent.currency,
            idempotency_key=key,
            instrument_kind=instrument.kind,
            instrument_token=instrument.token,
            instrument_country=instrument.country,
            state=State.INITIATED,
            created_ms=now,
            updated_ms=now,
            parent_id=None if parent is None else parent.id,
            provider=None if parent is None else parent.provider,
        )
        if not await self.store.create(row):
            known = await self._row(row.id)
            if known.state in (State.PENDING, State.UNKNOWN):  # the client asks again: look
                await self.look_up(known)
        stored = await self._drive(row.id, instrument)
        return await self._answer_of(stored, intent)

    async def _answer_of(self, row: PaymentRow, intent: Transfer) -> Transfer:
        if row.state is State.SETTLED or row.state is State.REVERSED:
            return await self.book.settle(row)
        if row.state is State.FAILED:
            declined = await self.book.fail(row, "")
            raise PaymentDeclined(_reason(declined))
        return intent

    async def get(self, payment_id: str) -> PaymentRow | None:
        return await self.store.get(payment_id)

    # -- the drive: send, answer, fail over ------------------------------------------------

    async def _drive(self, payment_id: str, instrument: Instrument | None) -> PaymentRow:
        """Move the payment as far as answers take it now (bounded: one pass per attempt)."""
        for _ in range(self.limits.attempts_max * 4 + 4):
            row = await self._row(payment_id)
            if row.state is State.INITIATED:
                if not await self._send_next(row):
                    continue
            elif row.state is State.SENT:
                if instrument is None:
                    instrument = await self._instrument_of(row)
                answer = await self._call(row, instrument)
                await self._apply(row, answer, lookup=False)
            else:
                return row
        return await self._row(payment_id)

    async def _send_next(self, row: PaymentRow) -> bool:
        """Record the next attempt (or fail the payment when none is left); False if another
        worker moved the payment first."""
        attempts = await self.store.attempts(row.id)
        # A provider that declined is not asked again; one that never received it may be.
        declined = [a.provider for a in attempts if a.outcome.startswith("declined")]
        last_reason = next(
            (a.outcome.partition(": ")[2] for a in reversed(attempts) if a.outcome != "sent"), ""
        )
        candidates: list[PaymentProvider] = []
        if row.kind is Kind.REFUND:  # a refund goes where the charge was made, only there
            provider = self.router.provider(row.provider or "")
            if provider is not None and not declined and len(attempts) < self.limits.attempts_max:
                candidates = [provider]
        elif len(attempts) < self.limits.attempts_max:
            prefer = await self._closed_loop_provider(row)
            candidates = self.router.candidates(
                row.instrument_kind,
                row.instrument_country,
                row.currency,
                exclude=declined,
                prefer=prefer,
            )
            # One that never received it may be asked again, after those not yet asked.
            tried = {a.provider for a in attempts}
            candidates.sort(key=lambda p: p.profile.name in tried)
        chosen = next((p for p in candidates if self.router.claim(p.profile.name)), None)
        now = self.clock_ms()
        if chosen is None:
            reason = last_reason or ("declined" if attempts else "no provider can take it now")
            await self._finish(row, State.FAILED, reason)
            return True
        attempt = row.attempt + 1
        name = chosen.profile.name
        reference = attempt_reference(row.id, attempt)
        if not await self.store.add_attempt(
            AttemptRow(row.id, attempt, name, reference, "sent", now)
        ):
            # Recorded already (a racing worker, or one that crashed after recording): that
            # provider may have this reference, so the attempt stays with it.
            recorded = [a for a in await self.store.attempts(row.id) if a.attempt == attempt]
            name = recorded[0].provider if recorded else name
        sent = row.moved(
            State.SENT,
            now,
            provider=name,
            attempt=attempt,
            polls=0,
            next_poll_ms=now + self.limits.sent_grace_ms,
        )
        return await self.store.update(sent, state=row.state, attempt=row.attempt)

    async def _closed_loop_provider(self, row: PaymentRow) -> str | None:
        if row.kind is not Kind.WITHDRAWAL:
            return None
        deposit = await self.store.last_settled_deposit(row.player_id, row.currency)
        return None if deposit is None else deposit.provider

    async def _call(self, row: PaymentRow, instrument: Instrument) -> ProviderAnswer:
        provider = self.router.provider(row.provider or "")
        if provider is None:
            raise InvariantBroken(f"payment {row.id} is at an unknown provider {row.provider}")
        try:
            answer = await self._ask(provider, row, instrument)
        except Exception as error:  # whatever broke, the money may have moved: unknown
            log.warning("payment %s: %s at %s", row.id, type(error).__name__, row.provider)
            answer = ProviderAnswer(Outcome.UNKNOWN, reason=type(error).__name__)
        if answer.outcome is Outcome.UNKNOWN:
            self.router.failed(provider.profile.name)
        else:
            self.router.succeeded(provider.profile.name)
        return answer

    async def _ask(
        self, provider: PaymentProvider, row: PaymentRow, instrument: Instrument
    ) -> ProviderAnswer:
        reference = row.reference
        if row.kind is Kind.DEPOSIT:
            return await provider.charge(
                ChargeRequest(reference, row.player_id, row.amount_minor, row.currency, instrument)
            )
        if row.kind is Kind.WITHDRAWAL:
            return await provider.payout(
                PayoutRequest(reference, row.player_id, row.amount_minor, row.currency, instrument)
            )
        parent = await self._row(row.parent_id or "")
        return await provider.refund(
            RefundRequest(reference, parent.reference, row.amount_minor, row.currency)
        )

    # -- answers from a call, a look-up or a webhook -------------------------------------

    async def _apply(self, row: PaymentRow, answer: ProviderAnswer, *, lookup: bool) -> None:
        """Apply a provider's answer about the current attempt (conditionally)."""
        outcome = answer.outcome
        if outcome is Outcome.NOT_FOUND and lookup and await self._too_soon(row):
            outcome = Outcome.UNKNOWN  # the call may still arrive there: ask again later
        said = f"{outcome.value}: {answer.reason[:100]}" if answer.reason else outcome.value
        await self.store.answer_attempt(row.id, row.attempt, said)
        if outcome is Outcome.DECLINED or outcome is Outcome.NOT_FOUND:
            # Proved not taken at this provider: the next one may try (or none is left).
            event = Event.NOT_FOUND
        elif outcome is Outcome.UNKNOWN and not lookup:
            event = Event.LOST
        else:
            event = _ANSWER_EVENT[outcome]
        if outcome is Outcome.UNKNOWN and lookup:
            await self._poll_later(row)
            return
        step = advance(row.state, event, kind=row.kind)
        if not step.changed:
            if row.state in (State.PENDING, State.UNKNOWN):
                await self._poll_later(row)
            return
        if step.state is State.SETTLED:
            await self._finish(row, State.SETTLED, "")
            return
        now = self.clock_ms()
        if step.state is State.INITIATED:
            moved = row.moved(State.INITIATED, now, next_poll_ms=None)
        else:  # pending or unknown: looked up later
            moved = row.moved(
                step.state, now, polls=0, next_poll_ms=now + self.limits.poll_first_ms
            )
        await self.store.update(moved, state=row.state, attempt=row.attempt)

    async def _too_soon(self, row: PaymentRow) -> bool:
        sent = [a.at_ms for a in await self.store.attempts(row.id) if a.attempt == row.attempt]
        return not sent or self.clock_ms() < sent[0] + self.limits.sent_grace_ms

    async def _poll_later(self, row: PaymentRow) -> None:
        now = self.clock_ms()
        polls = row.polls + 1
        if polls >= self.limits.polls_max:
            moved = row.moved(State.REVIEW, now, polls=polls, next_poll_ms=None)
            log.warning("payment %s goes to review after %d look-ups", row.id, polls)
        else:
            moved = row.moved(
                row.state, now, polls=polls, next_poll_ms=now + self.limits.backoff_ms(polls)
            )
        await self.store.update(moved, state=row.state, attempt=row.attempt)

    async def _finish(self, row: PaymentRow, state: State, reason: str) -> None:
        """Settle or fail: the ledger first (idempotent by id), then the row. The ledger's
        own outcome wins over the answer (a payment resolved the other way is flagged)."""
        current = await self._row(row.id)
        if (current.state, current.attempt) != (row.state, row.attempt):
            return  # another worker moved it (an answer about an attempt we left is stale)
        try:
            if state is State.SETTLED:
                await self.book.settle(row)
            else:
                await self.book.fail(row, reason)
        except PendingAlreadyResolved:
            truth = await self.book.outcome(row)
            if truth is None:
                raise
            log.error("payment %s: %s answered, the ledger has it %s", row.id, state, truth)
            state, reason = truth, f"conflict: {state.value} answered after {truth.value}"
        now = self.clock_ms()
        moved = row.moved(
            state,
            now,
            next_poll_ms=None,
            settled_ms=now if state is State.SETTLED else None,
            flag=reason if reason.startswith("conflict") else row.flag,
        )
        await self.store.update(moved, state=row.state, attempt=row.attempt)

    async def _row(self, payment_id: str) -> PaymentRow:
        row = await self.store.get(payment_id)
        if row is None:
            raise InvariantBroken(f"payment {payment_id} is not recorded")
        return row

    # -- the poller's and the webhooks' entry points ---------------------------------------

    async def look_up(self, row: PaymentRow) -> PaymentRow:
        """Ask the payment's provider where it stands, apply the answer, and carry on (fail
        over) if it proved the provider never took it."""
        if row.state not in (State.SENT, State.PENDING, State.UNKNOWN):
            return row
        provider = self.router.provider(row.provider or "")
        if provider is None:
            raise InvariantBroken(f"payment {row.id} is at an unknown provider {row.provider}")
        try:
            answer = await provider.status(row.reference)
        except Exception as error:
            log.warning("look-up of %s: %s", row.id, type(error).__name__)
            answer = ProviderAnswer(Outcome.UNKNOWN, reason=type(error).__name__)
        await self._apply(row, answer, lookup=True)
        return await self._drive(row.id, None)

    async def poll_due(self) -> int:
        """One pass of the poller: look up every payment whose next look-up is due."""
        due = await self.store.due(self.clock_ms(), self.limits.poll_batch_max)
        for row in due:
            try:
                await self.look_up(row)
            except Exception:  # one bad payment must not stop the others: next pass
                log.exception("looking up payment %s failed", row.id)
        return len(due)

    async def webhook(self, event: WebhookEvent) -> str:
        """Apply a verified webhook once: de-duplicated by (provider, event id), and
        idempotent in any order (the state machine and the ledger's ids). What it did:
        ``applied``, ``duplicate``, ``no-change``, ``conflict`` (kept for review) …"""
        if await self.store.webhook_seen(event.provider, event.event_id):
            return "duplicate"
        if event.kind is WebhookKind.CHARGEBACK:
            result = await self.chargeback(event.provider, event.reference, event.amount_minor)
        else:
            kind, outcome = _WEBHOOK_ANSWERS[event.kind]
            result = await self.notice(event.provider, event.reference, outcome, kind=kind)
        await self.store.add_webhook(
            event.provider,
            event.event_id,
            event.kind.value,
            event.reference,
            result,
            self.clock_ms(),
        )
        return result

    async def notice(self, provider: str, reference: str, outcome: Outcome, *, kind: Kind) -> str:
        """A webhook's answer for ``reference`` (an attempt's): what it did."""
        payment_id, _, attempt_text = reference.rpartition("-a")
        row = await self.store.get(payment_id)
        if row is None or not attempt_text.isdigit() or row.kind is not kind:
            return "unknown-reference"
        attempt = int(attempt_text)
        if attempt != row.attempt or row.provider != provider:
            await self.store.answer_attempt(row.id, attempt, outcome.value)
            if outcome is Outcome.APPROVED:  # money moved at an attempt we left: review
                await self._flag(row, f"conflict: {reference} approved after we moved on")
                return "conflict"
            return "stale-attempt"
        before = row.state
        if before in FINAL or before is State.REVIEW:
            event = _ANSWER_EVENT[outcome]
            try:
                step = advance(before, event, kind=row.kind)
            except TransitionRefused:
                return "refused"
            if step.conflict:
                await self._flag(row, f"conflict: {outcome.value} after {before.value}")
                return "conflict"
            if not step.changed:
                return "no-change"
            await self._finish(row, step.state, "declined at the provider")
            return "applied"
        if before is State.INITIATED:
            return "no-change"
        if outcome is Outcome.DECLINED:
            # A webhook's decline is final for this attempt; the drive may fail over.
            await self._apply(row, ProviderAnswer(Outcome.DECLINED), lookup=False)
            await self._drive(row.id, None)
            return "applied"
        await self._apply(row, ProviderAnswer(outcome), lookup=False)
        return "applied"

    async def chargeback(self, provider: str, reference: str, amount_minor: int) -> str:
        payment_id, _, _ = reference.rpartition("-a")
        row = await self.store.get(payment_id)
        if row is None or row.kind is not Kind.DEPOSIT or row.provider != provider:
            return "unknown-reference"
        try:
            step = advance(row.state, Event.CHARGEBACK, kind=row.kind)
        except TransitionRefused:
            return "refused"
        if step.conflict:
            await self._flag(row, "conflict: a chargeback of a deposit not settled")
            return "conflict"
        if not step.changed:
            return "no-change"
        await self.book.chargeback(row, min(amount_minor, row.amount_minor))
        moved = row.moved(State.REVERSED, self.clock_ms())
        await self.store.update(moved, state=row.state, attempt=row.attempt)
        return "applied"

    async def _flag(self, row: PaymentRow, note: str) -> None:
        log.error("payment %s flagged for review: %s", row.id, note)
        flagged = row.moved(row.state, self.clock_ms(), flag=note[:200])
        await self.store.update(flagged, state=row.state, attempt=row.attempt)


def _reason(declined: Transfer) -> str:
    import json

    reason = json.loads(declined.metadata_json).get("reason")
    return str(reason or "the payment was declined")
