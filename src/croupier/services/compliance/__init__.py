"""Compliance use cases' seams: the geolocation port, the private-address policy and the
settings that choose the adapters (docs/compliance.md)."""

from __future__ import annotations

from croupier.services.compliance.geolocation import (
    PrivateAddressPolicy,
    is_unroutable,
    parse_address,
)
from croupier.services.compliance.ports import Geolocation, Location
from croupier.services.compliance.settings import (
    ComplianceSettings,
    build_geolocation,
    compliance_settings,
    load_jurisdictions,
)

__all__ = [
    "ComplianceSettings",
    "Geolocation",
    "Location",
    "PrivateAddressPolicy",
    "build_geolocation",
    "compliance_settings",
    "is_unroutable",
    "load_jurisdictions",
    "parse_address",
]
