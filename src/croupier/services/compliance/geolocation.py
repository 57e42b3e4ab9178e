"""What to do with addresses no geolocation source can place: loopback, private, link-local.

A laptop running ``make run`` talks to itself over loopback, and a test cluster over private
ranges: in development those resolve to a configured home location, so the server stays
usable. In production they mean a misconfigured proxy chain (the client address was not taken
from ``X-Forwarded-For``) and are refused with ``GeoBlocked``, unless the operator says
otherwise (``CROUPIER_GEO_ALLOW_PRIVATE=1``). See docs/compliance.md.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from croupier.domain.compliance.geo import Location
from croupier.domain.errors import GeoBlocked, InvalidInput
from croupier.services.compliance.ports import Geolocation

__all__ = ["PrivateAddressPolicy", "is_unroutable", "parse_address"]


def parse_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address, an IPv4-mapped IPv6 one unwrapped; ``InvalidInput`` if malformed."""
    try:
        parsed = ipaddress.ip_address(address.strip() if isinstance(address, str) else address)
    except ValueError:
        raise InvalidInput(f"not an IP address: {address!r}") from None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def is_unroutable(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private (RFC 1918, RFC 4193), link-local, shared (RFC 6598) or unspecified:
    addresses no public registry places. Documentation ranges (TEST-NET, 2001:db8::/32) are
    left to the adapter, as the sandbox location provider answers for them."""
    if address.is_loopback or address.is_link_local or address.is_unspecified:
        return True
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return True
    documentation = any(address in network for network in _DOCUMENTATION)
    return address.is_private and not documentation


_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_DOCUMENTATION = (
    ipaddress.IPv4Network("192.0.2.0/24"),
    ipaddress.IPv4Network("198.51.100.0/24"),
    ipaddress.IPv4Network("203.0.113.0/24"),
    ipaddress.IPv6Network("2001:db8::/32"),
)


@dataclass(frozen=True, slots=True)
class PrivateAddressPolicy:
    """A :class:`Geolocation` that answers unroutable addresses itself (``home`` when
    ``allow_private``, else ``GeoBlocked``) and hands every other address to ``inner``."""

    inner: Geolocation
    home: Location
    allow_private: bool

    async def locate(self, address: str) -> Location:
        if not is_unroutable(parse_address(address)):
            return await self.inner.locate(address)
        if not self.allow_private:
            raise GeoBlocked(
                "a private or loopback client address cannot be located; behind a proxy set "
                "CROUPIER_TRUSTED_PROXIES, or allow it with CROUPIER_GEO_ALLOW_PRIVATE=1"
            )
        return self.home
