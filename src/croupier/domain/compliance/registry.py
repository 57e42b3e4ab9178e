"""The loaded profiles and the licences that choose among them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from croupier.domain.compliance.licences import LicenceMap, parse_licences
from croupier.domain.compliance.profile import Profile
from croupier.domain.errors import JurisdictionDefinitionError

__all__ = ["JurisdictionProfiles", "default_licences"]


def default_licences(profiles: Mapping[str, Profile]) -> str:
    """Every profile licensed in the regions it is written for (``CROUPIER_LICENCES``
    unset): ``"GB:ukgc,MT:mga,…"``."""
    return ",".join(f"{region}:{p.id}" for p in profiles.values() for region in p.regions)


@dataclass(frozen=True, slots=True)
class JurisdictionProfiles:
    """Profiles by id and the licence map, checked against each other at construction."""

    profiles: Mapping[str, Profile]
    licences: LicenceMap

    def __post_init__(self) -> None:
        for profile_id, profile in self.profiles.items():
            if profile.id != profile_id:
                raise JurisdictionDefinitionError(f"profile {profile.id!r} filed as {profile_id!r}")
        for region, profile_id in self.licences.by_region.items():
            if profile_id not in self.profiles:
                raise JurisdictionDefinitionError(f"licence {region}: no profile {profile_id!r}")

    @classmethod
    def build(cls, profiles: Mapping[str, Profile], licences: str | None) -> JurisdictionProfiles:
        """From loaded profiles and the ``CROUPIER_LICENCES`` text (``None``: the default)."""
        text = default_licences(profiles) if licences is None else licences
        known = MappingProxyType(dict(profiles))
        return cls(known, parse_licences(text, known_profiles=known.keys()))

    def get(self, profile_id: str) -> Profile:
        """The profile ``profile_id`` (``KeyError`` if none: ids come from this registry)."""
        return self.profiles[profile_id]

    def for_player(self, country: str, state: str | None) -> Profile | None:
        """The profile that applies to a player registered in ``country`` (and ``state``);
        ``None``: the operator holds no licence there, so the player is blocked."""
        profile_id = self.licences.profile_id_for(country, state)
        return None if profile_id is None else self.profiles[profile_id]
