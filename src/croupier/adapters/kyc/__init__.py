"""KYC provider adapters."""

from __future__ import annotations

from croupier.adapters.kyc.sandbox import SandboxKycProvider

__all__ = ["SandboxKycProvider"]
