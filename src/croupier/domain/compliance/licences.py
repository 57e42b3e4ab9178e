"""Where the operator holds a licence, and which profile applies there.

Written as ``GB:ukgc,MT:mga,US-NJ:nj,DE:de,CA-ON:on`` (``CROUPIER_LICENCES``): a region, a
colon, a profile id. A subdivision's entry wins over its country's; any other place is
blocked. In the US and Canada a licence must name the state or province (see
:data:`~croupier.domain.compliance.regions.SUBDIVIDED_LICENSING`), so "the US without a state
licence" is blocked by construction.

>>> licences = parse_licences("GB:ukgc, US-NJ:nj", known_profiles={"ukgc", "nj"})
>>> licences.profile_id_for("US", "NJ"), licences.profile_id_for("US", "NY")
('nj', None)
>>> licences.profile_id_for("GB", None)
'ukgc'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from croupier.domain.compliance.regions import SUBDIVIDED_LICENSING, format_region, parse_region
from croupier.domain.errors import JurisdictionDefinitionError

__all__ = ["LicenceMap", "parse_licences"]


@dataclass(frozen=True, slots=True)
class LicenceMap:
    """Region (``"GB"``, ``"US-NJ"``) → profile id."""

    by_region: Mapping[str, str]

    def profile_id_for(self, country: str | None, state: str | None) -> str | None:
        """The profile that applies in ``country`` (and ``state``); ``None``: not licensed."""
        if country is None:
            return None
        if state is not None:
            found = self.by_region.get(format_region(country, state))
            if found is not None:
                return found
        return self.by_region.get(country)

    def text(self) -> str:
        """The setting's form, sorted: ``CA-ON:on,DE:de,…``."""
        return ",".join(f"{region}:{pid}" for region, pid in sorted(self.by_region.items()))


def parse_licences(
    text: str, *, known_profiles: Collection[str], setting: str = "CROUPIER_LICENCES"
) -> LicenceMap:
    """The licence map in ``text``; ``JurisdictionDefinitionError`` naming ``setting`` and the
    entry for a bad region, an unknown profile, a region given twice, or a bare ``US``/``CA``.
    """
    by_region: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        region_text, colon, profile_id = (part.strip() for part in item.partition(":"))
        if not colon or not region_text or not profile_id:
            raise JurisdictionDefinitionError(f"{setting}: expected REGION:PROFILE, got {item!r}")
        try:
            country, state = parse_region(region_text)
        except ValueError as error:
            raise JurisdictionDefinitionError(f"{setting}: {error}") from None
        if state is None and country in SUBDIVIDED_LICENSING:
            raise JurisdictionDefinitionError(
                f"{setting}: {item!r}: {country} licenses online casinos per state or province; "
                f"name it ({country}-XX)"
            )
        if profile_id not in known_profiles:
            raise JurisdictionDefinitionError(
                f"{setting}: {item!r}: no jurisdiction profile {profile_id!r} "
                f"(known: {', '.join(sorted(known_profiles))})"
            )
        region = format_region(country, state)
        if region in by_region:
            raise JurisdictionDefinitionError(f"{setting}: {region} is given twice")
        by_region[region] = profile_id
    return LicenceMap(MappingProxyType(by_region))
