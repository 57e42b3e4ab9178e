"""The compliance ports: what the services ask of the outside world."""

from __future__ import annotations

from typing import Protocol

from croupier.domain.compliance.geo import Location

__all__ = ["Geolocation", "Location"]


class Geolocation(Protocol):
    """Where an IP address is. Answers for every well-formed address (``country=None`` when
    it cannot tell) and raises ``InvalidInput`` for a malformed one; ``GeoBlocked`` only where
    a policy refuses to locate (a private address in production)."""

    async def locate(self, address: str) -> Location: ...
