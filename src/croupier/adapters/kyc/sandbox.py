"""A KYC provider with deterministic answers, for development and tests (as the sandbox
payment provider is for payments): the document number's last digit decides.

=================  ==========================================================
last digit         answer
=================  ==========================================================
``0`` to ``6``     ``verified``
``7``              ``pending``: a person must look (the back office's KYC queue)
``8``, ``9``       ``rejected`` ("the document could not be verified")
no digit at end    ``pending``
=================  ==========================================================
"""

from __future__ import annotations

import hashlib

from croupier.domain.compliance.kyc import KycDocument, KycState
from croupier.services.kyc.ports import KycDecision

__all__ = ["SandboxKycProvider"]


class SandboxKycProvider:
    name = "sandbox"

    async def check(self, player_id: str, document: KycDocument) -> KycDecision:
        # The reference is stable per player and document, as a provider's case id would be.
        digest = hashlib.sha256(f"{player_id}|{document.number}".encode()).hexdigest()[:16]
        reference = f"sandbox-{digest}"
        last = document.number[-1]
        if not last.isdigit() or last == "7":
            return KycDecision(KycState.PENDING, reference, "sent for manual review")
        if last in "89":
            return KycDecision(KycState.REJECTED, reference, "the document could not be verified")
        return KycDecision(KycState.VERIFIED, reference)
