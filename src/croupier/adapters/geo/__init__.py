"""Geolocation adapters: the embedded offline IP-to-country source and a sandbox location
provider (docs/compliance.md)."""

from __future__ import annotations

from croupier.adapters.geo.rir import RirCountryGeolocation
from croupier.adapters.geo.sandbox import SANDBOX_RANGES, SandboxLocationProvider

__all__ = ["SANDBOX_RANGES", "RirCountryGeolocation", "SandboxLocationProvider"]
