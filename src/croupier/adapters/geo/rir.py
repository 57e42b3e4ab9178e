"""The embedded default: the country a Regional Internet Registry delegated an address to,
from the ``iptocc`` package, whose wheel carries the five RIRs' delegated-extended statistics
(refreshed nightly upstream; no network, no file to download).

It knows countries only (never a US state) and cannot tell a VPN: the registration country of
a block, which agrees with commercial databases for about 95 % of IPv4 addresses. A state
licence (NJ) needs a location provider; a production operator should plug in one.
"""

from __future__ import annotations

from typing import Final

import iptocc

from croupier.domain.compliance.geo import Location
from croupier.services.compliance.geolocation import parse_address

__all__ = ["RirCountryGeolocation"]

SOURCE: Final = "rir"


class RirCountryGeolocation:
    """Country by RIR delegation; ``country=None`` for an address no registry delegated."""

    async def locate(self, address: str) -> Location:
        code = iptocc.country_code(str(parse_address(address)))
        return Location(country=code, state=None, vpn_or_proxy=False, source=SOURCE)
