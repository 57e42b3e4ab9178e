"""AML: the rules engine on the ledger's committed events, and the risk queue it fills
(docs/compliance.md, AML)."""

from __future__ import annotations

from croupier.services.aml.monitor import AmlMonitor, movement_of
from croupier.services.aml.ports import FlagState, RiskFlag, RiskStore
from croupier.services.aml.queue import RiskQueue, flags_csv, flags_json
from croupier.services.aml.settings import KycAmlSettings, kyc_aml_settings

__all__ = [
    "AmlMonitor",
    "FlagState",
    "KycAmlSettings",
    "RiskFlag",
    "RiskQueue",
    "RiskStore",
    "flags_csv",
    "flags_json",
    "kyc_aml_settings",
    "movement_of",
]
