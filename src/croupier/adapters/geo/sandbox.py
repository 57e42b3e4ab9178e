"""A sandbox location provider, standing in for a GeoComply-like service: deterministic,
state-level answers for the documentation address ranges (RFC 5737, RFC 3849), which never
appear on the Internet, and VPN/proxy flags for some of them. Every other address goes to
``fallback`` (the RIR adapter by default).

=======================  =========  ===============================================
range                    answer     what for
=======================  =========  ===============================================
192.0.2.0/25             US-NJ      an NJ player at home
192.0.2.128/25           US-PA      a neighbouring state without the licence
198.51.100.0/24          US-NY      another state without the licence
203.0.113.0/25           US-NJ VPN  a VPN exit that claims New Jersey
203.0.113.128/25         GB proxy   an open proxy in Great Britain
2001:db8:826::/48        GB         826: Great Britain's ISO 3166 numeric code
2001:db8:276::/48        DE         276: Germany
2001:db8:470::/48        MT         470: Malta
2001:db8:124::/48        CA-ON      124: Canada (Ontario)
2001:db8:124:1::/64      CA-QC      a province without the licence (more specific)
2001:db8:250::/48        FR         250: France, where no licence is held
2001:db8:840::/48        US         840: the US, state unknown
=======================  =========  ===============================================
"""

from __future__ import annotations

import ipaddress
from typing import Final

from croupier.domain.compliance.geo import Location
from croupier.services.compliance.geolocation import parse_address
from croupier.services.compliance.ports import Geolocation

__all__ = ["SANDBOX_RANGES", "SandboxLocationProvider"]

SOURCE: Final = "sandbox"

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: (network, country, state, vpn_or_proxy); the most specific network wins.
SANDBOX_RANGES: Final[tuple[tuple[_Network, str | None, str | None, bool], ...]] = tuple(
    (ipaddress.ip_network(network), country, state, flagged)
    for network, country, state, flagged in (
        ("192.0.2.0/25", "US", "NJ", False),
        ("192.0.2.128/25", "US", "PA", False),
        ("198.51.100.0/24", "US", "NY", False),
        ("203.0.113.0/25", "US", "NJ", True),
        ("203.0.113.128/25", "GB", None, True),
        ("2001:db8:826::/48", "GB", None, False),
        ("2001:db8:276::/48", "DE", None, False),
        ("2001:db8:470::/48", "MT", None, False),
        ("2001:db8:124::/48", "CA", "ON", False),
        ("2001:db8:124:1::/64", "CA", "QC", False),
        ("2001:db8:250::/48", "FR", None, False),
        ("2001:db8:840::/48", "US", None, False),
    )
)


class SandboxLocationProvider:
    """Deterministic answers for :data:`SANDBOX_RANGES`; ``fallback`` for the rest (or
    ``country=None`` without one)."""

    def __init__(self, fallback: Geolocation | None = None) -> None:
        self.fallback = fallback

    async def locate(self, address: str) -> Location:
        parsed = parse_address(address)
        matches = [
            entry
            for entry in SANDBOX_RANGES
            if entry[0].version == parsed.version and parsed in entry[0]
        ]
        if matches:
            _, country, state, flagged = max(matches, key=lambda entry: entry[0].prefixlen)
            return Location(country, state, vpn_or_proxy=flagged, source=SOURCE)
        if self.fallback is not None:
            return await self.fallback.locate(address)
        return Location(None, None, vpn_or_proxy=False, source=SOURCE)
