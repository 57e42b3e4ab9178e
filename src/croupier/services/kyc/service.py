"""KYC use cases: a player submits a document, the provider answers, staff decide what the
provider left pending; every step audited (never the document itself: it is personal data,
sealed by the vault in the store and shown only to staff with ``kyc.review``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from croupier.domain.compliance.kyc import (
    KycDocument,
    KycState,
    StoredKyc,
    effective_state,
    parse_document,
)
from croupier.domain.errors import InvalidInput, NotFound, StateConflict
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.kyc.ports import KycProvider, KycStore

__all__ = ["KycService", "KycView", "Sealer"]

_QUEUE_MAX = 100
_REASON_CHARS_MAX = 500


class Sealer(Protocol):
    """The vault's two calls KYC needs (``adapters/vault``)."""

    def encrypt_text(self, text: str, context: str) -> bytes: ...

    async def decrypt_text(self, sealed: bytes, context: str) -> str: ...


@dataclass(frozen=True, slots=True)
class KycView:
    """A player's KYC as shown: the state, and (staff only) the document unsealed."""

    player_id: str
    state: KycState
    submitted_at_ms: int | None
    decided_at_ms: int | None
    reason: str
    document: KycDocument | None = None
    decided_by: str | None = None
    provider: str | None = None
    reference: str | None = None

    def for_player(self) -> dict[str, Any]:
        """What the player sees: their state and why, not staff's names nor the reference."""
        return {
            "state": self.state.value,
            "submitted_at_ms": self.submitted_at_ms,
            "decided_at_ms": self.decided_at_ms,
            "reason": self.reason,
            "document": None
            if self.document is None
            else {
                "type": self.document.type,
                "number": self.document.masked_number(),
                "country": self.document.country,
                "expiry": self.document.expiry.isoformat(),
            },
        }

    def for_staff(self) -> dict[str, Any]:
        return {
            **self.for_player(),
            "player_id": self.player_id,
            "decided_by": self.decided_by,
            "provider": self.provider,
            "reference": self.reference,
        }


def _context(player_id: str) -> str:
    # The sealed document is bound to its player: moved to another row it does not open.
    return f"kyc:{player_id}"


class KycService:
    def __init__(
        self,
        store: KycStore,
        provider: KycProvider,
        vault: Sealer,
        audit: AuditTrail,
        *,
        clock_ms: Callable[[], int],
        today: Callable[[], date],
    ) -> None:
        self.store = store
        self.provider = provider
        self.vault = vault
        self.audit = audit
        self._clock_ms = clock_ms
        self._today = today

    async def submit(self, player_id: str, data: Any, *, ip: str | None) -> KycView:
        """Check the document with the provider and keep its answer. A verified player may
        submit again only once the verification has expired (``StateConflict`` before)."""
        document = parse_document(data, today=self._today())
        current = await self.store.kyc(player_id)
        state = effective_state(current, self._today())
        if state in (KycState.VERIFIED, KycState.PENDING):
            raise StateConflict(f"KYC is already {state}: nothing to submit now")
        decision = await self.provider.check(player_id, document)
        now = self._clock_ms()
        decided = decision.state is not KycState.PENDING
        record = StoredKyc(
            player_id=player_id,
            state=decision.state,
            document_sealed=self.vault.encrypt_text(
                json.dumps(document.as_json()), _context(player_id)
            ),
            valid_until=document.expiry,
            provider=self.provider.name,
            reference=decision.reference,
            submitted_at_ms=now,
            decided_by=f"provider:{self.provider.name}" if decided else None,
            decided_at_ms=now if decided else None,
            reason=decision.reason,
        )
        if not await self.store.save_kyc(record, replacing=current):
            raise StateConflict("another submission was made meanwhile: see GET /v1/kyc")
        await self.audit.record(
            AuditEntry(
                actor=f"player:{player_id}",
                action="kyc.submitted",
                subject=f"player:{player_id}",
                source_ip=ip,
                before={"state": state.value},
                # The document's type and country say what was checked; never its number.
                after={
                    "state": decision.state.value,
                    "provider": self.provider.name,
                    "reference": decision.reference,
                    "document_type": document.type,
                },
            )
        )
        return await self._view(record, document)

    async def status(self, player_id: str) -> KycView:
        stored = await self.store.kyc(player_id)
        if stored is None:
            return KycView(player_id, KycState.NONE, None, None, "")
        return await self._view(stored, await self._document(stored))

    async def queue(self, state: KycState = KycState.PENDING, *, limit: int = 50) -> list[KycView]:
        """Submissions in ``state`` (default: waiting for staff), oldest first, unsealed."""
        if state in (KycState.NONE, KycState.EXPIRED):
            raise InvalidInput("state must be pending, verified or rejected")
        if not 1 <= limit <= _QUEUE_MAX:
            raise InvalidInput(f"limit must be 1 to {_QUEUE_MAX}")
        rows = await self.store.kyc_queue(state, limit=limit)
        return [await self._view(row, await self._document(row)) for row in rows]

    async def decide(
        self,
        player_id: str,
        decision: KycState,
        *,
        actor: str,
        source_ip: str | None,
        reason: str,
    ) -> KycView:
        """Staff verify or reject a pending submission (compare-and-set: one decision wins),
        or reject a verified one (a document found forged later)."""
        if decision not in (KycState.VERIFIED, KycState.REJECTED):
            raise InvalidInput("decision must be verified or rejected")
        why = (reason or "").strip()
        if not why or len(why) > _REASON_CHARS_MAX:
            raise InvalidInput(f"a reason is required (at most {_REASON_CHARS_MAX} characters)")
        stored = await self.store.kyc(player_id)
        if stored is None:
            raise NotFound(f"no KYC submission for player {player_id!r}")
        allowed = (
            (KycState.PENDING,)
            if decision is KycState.VERIFIED
            else (KycState.PENDING, KycState.VERIFIED)
        )
        moved = await self.store.decide_kyc(
            player_id,
            from_states=allowed,
            to_state=decision,
            by=actor,
            at_ms=self._clock_ms(),
            reason=why,
        )
        if not moved:
            raise StateConflict(f"KYC of player {player_id!r} is {stored.state}: not {decision}")
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action=f"kyc.{decision.value}",
                subject=f"player:{player_id}",
                source_ip=source_ip,
                reason=why,
                before={"state": stored.state.value},
                after={"state": decision.value},
            )
        )
        return await self.status(player_id)

    async def _document(self, stored: StoredKyc) -> KycDocument:
        data = json.loads(
            await self.vault.decrypt_text(stored.document_sealed, _context(stored.player_id))
        )
        return KycDocument(
            data["type"], data["number"], data["country"], date.fromisoformat(data["expiry"])
        )

    async def _view(self, stored: StoredKyc, document: KycDocument) -> KycView:
        return KycView(
            stored.player_id,
            effective_state(stored, self._today()),
            stored.submitted_at_ms,
            stored.decided_at_ms,
            stored.reason,
            document,
            stored.decided_by,
            stored.provider,
            stored.reference,
        )
