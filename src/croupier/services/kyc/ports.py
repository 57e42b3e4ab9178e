"""The KYC seams: where KYC rows are stored, and the provider that checks a document."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from croupier.domain.compliance.kyc import KycDocument, KycState, StoredKyc

__all__ = ["KycDecision", "KycProvider", "KycStore"]


@dataclass(frozen=True, slots=True)
class KycDecision:
    """A provider's answer: ``verified``, ``rejected``, or ``pending`` (it wants a person to
    look: the submission waits in the back office's KYC queue)."""

    state: KycState
    reference: str
    reason: str = ""


class KycProvider(Protocol):
    name: str

    async def check(self, player_id: str, document: KycDocument) -> KycDecision: ...


class KycStore(Protocol):
    async def kyc(self, player_id: str) -> StoredKyc | None: ...

    async def save_kyc(self, record: StoredKyc, *, replacing: StoredKyc | None) -> bool:
        """Store the player's submission in place of ``replacing``, the row read before
        (None: there was none). A compare-and-set: if the row changed meanwhile (another
        submission, a decision), nothing is stored; whether it was."""
        ...

    async def decide_kyc(
        self,
        player_id: str,
        *,
        from_states: Collection[KycState],
        to_state: KycState,
        by: str,
        at_ms: int,
        reason: str,
    ) -> bool:
        """Compare-and-set: move the row to ``to_state`` if it is in ``from_states``."""
        ...

    async def kyc_queue(self, state: KycState, *, limit: int) -> list[StoredKyc]:
        """Rows in ``state``, oldest submission first."""
        ...
