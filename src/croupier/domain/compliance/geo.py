"""Where a request comes from, and whether the operator may take it there.

A :class:`Location` is what a geolocation adapter answers for an address. The decision is
pure: :func:`geo_decision` gives the profile id that applies where the player is, or raises
``GeoBlocked``; :func:`check_player_location` also holds it against where the player is
registered (a GB account played from Germany is blocked: each licence covers its own
players where it applies).
"""

from __future__ import annotations

from dataclasses import dataclass

from croupier.domain.compliance.licences import LicenceMap
from croupier.domain.compliance.regions import SUBDIVIDED_LICENSING, format_region
from croupier.domain.errors import GeoBlocked

__all__ = ["Location", "blocked_reason", "check_player_location", "geo_decision"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where an address is: ``country`` (ISO 3166-1 alpha-2, ``None`` when unknown), ``state``
    (the ISO 3166-2 part after the hyphen, ``None`` when the source cannot tell), whether the
    address is a VPN, proxy or hosting exit, and which source said so (``"rir"``,
    ``"sandbox"``, ``"home"``)."""

    country: str | None
    state: str | None
    vpn_or_proxy: bool
    source: str

    def region(self) -> str:
        return (
            "an unknown place" if self.country is None else format_region(self.country, self.state)
        )


def geo_decision(location: Location, licences: LicenceMap) -> str:
    """The profile id that applies at ``location``; ``GeoBlocked`` when the operator holds no
    licence there, the place is unknown, or the address hides behind a VPN or proxy."""
    if location.vpn_or_proxy:
        raise GeoBlocked(f"{location.region()}: VPNs and proxies are not allowed; turn it off")
    if location.country is None:
        raise GeoBlocked("this address cannot be located")
    profile_id = licences.profile_id_for(location.country, location.state)
    if profile_id is None:
        if location.state is None and location.country in SUBDIVIDED_LICENSING:
            raise GeoBlocked(
                f"{location.country}: play needs a state-level location check ({location.source} "
                "gives the country only)"
            )
        raise GeoBlocked(f"not available in {location.region()}")
    return profile_id


def check_player_location(
    location: Location, licences: LicenceMap, *, country: str, state: str | None
) -> str:
    """The profile id at ``location`` if it is the one of the player's registered ``country``
    and ``state``; ``GeoBlocked`` otherwise."""
    here = geo_decision(location, licences)
    registered = licences.profile_id_for(country, state)
    if registered != here:
        raise GeoBlocked(
            f"the account is registered in {format_region(country, state)}, which is played "
            f"only from there; this request comes from {location.region()}"
        )
    return here


def blocked_reason(
    location: Location, licences: LicenceMap, *, country: str, state: str | None
) -> str:
    """Why :func:`check_player_location` refuses ``location`` for a player registered in
    ``country``/``state``, as a short code for the record a regulator reads: ``vpn-or-proxy``,
    ``unlocatable``, ``no-state`` (a US or Canadian address without a state-level check),
    ``unlicensed``, ``not-registered-place``; ``""``: it does not refuse.

    >>> licences = LicenceMap({"GB": "ukgc"})
    >>> blocked_reason(Location("FR", None, False, "rir"), licences, country="GB", state=None)
    'unlicensed'
    """
    if location.vpn_or_proxy:
        return "vpn-or-proxy"
    if location.country is None:
        return "unlocatable"
    here = licences.profile_id_for(location.country, location.state)
    if here is None:
        no_state = location.state is None and location.country in SUBDIVIDED_LICENSING
        return "no-state" if no_state else "unlicensed"
    return "" if here == licences.profile_id_for(country, state) else "not-registered-place"
