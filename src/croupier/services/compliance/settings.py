"""Compliance settings, read from ``CROUPIER_*`` variables by ``croupier.config`` and checked
at start: the jurisdiction profiles load, the licences name them, the home location parses.

=============================  ==========================================================
``CROUPIER_LICENCES``          ``GB:ukgc,MT:mga,US-NJ:nj,DE:de,CA-ON:on``: where the operator
                               is licensed and under which profile (unset: every profile in
                               the regions it is written for)
``CROUPIER_JURISDICTIONS_DIR`` the operator's profile files, over the shipped ones by id
``CROUPIER_GEO_PROVIDER``      ``rir`` (offline IP-to-country, the default) or ``sandbox``
                               (the deterministic location provider, then ``rir``)
``CROUPIER_GEO_HOME``          where loopback and private addresses are, when allowed
                               (default ``MT``)
``CROUPIER_GEO_ALLOW_PRIVATE`` ``1`` or ``0``: locate loopback/private addresses at home;
                               default ``1`` on SQLite, ``0`` on PostgreSQL (production)
=============================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from croupier.domain.compliance.geo import Location
from croupier.domain.compliance.regions import format_region, parse_region
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.errors import JurisdictionDefinitionError
from croupier.services.compliance.geolocation import PrivateAddressPolicy
from croupier.services.compliance.ports import Geolocation

if TYPE_CHECKING:
    from croupier.services.audit.ports import AuditTrail
    from croupier.services.catalogue import GameCatalogue
    from croupier.services.compliance.gate import ComplianceGate
    from croupier.services.compliance.pacing import SpinPacer

__all__ = [
    "GEO_PROVIDERS",
    "ComplianceSettings",
    "build_compliance_gate",
    "build_geolocation",
    "compliance_settings",
    "load_jurisdictions",
]

GEO_PROVIDERS: Final = ("rir", "sandbox")
#: Malta: the shipped profile with no spin pacing or stake cap, so a local server and its
#: tools play at full speed; an operator testing a market sets CROUPIER_GEO_HOME to it.
DEFAULT_HOME: Final = "MT"


@dataclass(frozen=True, slots=True)
class ComplianceSettings:
    #: ``CROUPIER_LICENCES`` as given; ``None``: every profile in its own regions.
    licences: str | None = None
    jurisdictions_dir: Path | None = None
    geo_provider: str = "rir"
    #: ``(country, state)`` that loopback and private addresses resolve to when allowed.
    geo_home: tuple[str, str | None] = (DEFAULT_HOME, None)
    geo_allow_private: bool = True


def compliance_settings(env: Mapping[str, str], *, production: bool) -> ComplianceSettings:
    """The settings in ``env``, with the profiles and licences loaded once to check them;
    ``ValueError`` naming the variable otherwise. ``production``: PostgreSQL is the ledger."""
    raw_dir = env.get("CROUPIER_JURISDICTIONS_DIR")
    jurisdictions_dir = None
    if raw_dir:
        if not Path(raw_dir).is_dir():
            raise ValueError(f"CROUPIER_JURISDICTIONS_DIR must be a directory, got {raw_dir!r}")
        jurisdictions_dir = Path(raw_dir).resolve()
    provider = env.get("CROUPIER_GEO_PROVIDER") or "rir"
    if provider not in GEO_PROVIDERS:
        raise ValueError(f"CROUPIER_GEO_PROVIDER must be one of {', '.join(GEO_PROVIDERS)}")
    try:
        home = parse_region(env.get("CROUPIER_GEO_HOME") or DEFAULT_HOME)
    except ValueError as error:
        raise ValueError(f"CROUPIER_GEO_HOME: {error}") from None
    allow = env.get("CROUPIER_GEO_ALLOW_PRIVATE", "0" if production else "1")
    if allow not in ("0", "1"):
        raise ValueError(f"CROUPIER_GEO_ALLOW_PRIVATE must be 0 or 1, got {allow!r}")
    licences = env.get("CROUPIER_LICENCES")
    settings = ComplianceSettings(
        licences=licences if licences and licences.strip() else None,
        jurisdictions_dir=jurisdictions_dir,
        geo_provider=provider,
        geo_home=home,
        geo_allow_private=allow == "1",
    )
    load_jurisdictions(settings)  # refused at start, not at the first bet
    return settings


def load_jurisdictions(settings: ComplianceSettings) -> JurisdictionProfiles:
    """The profiles (shipped, overlaid by the operator's folder) and the licence map;
    ``JurisdictionDefinitionError`` naming the file or setting on any inconsistency."""
    from croupier.adapters.jurisdiction_files import load_profiles  # adapters import services

    profiles = load_profiles(settings.jurisdictions_dir)
    registry = JurisdictionProfiles.build(profiles, settings.licences)
    country, state = settings.geo_home
    if settings.geo_allow_private and registry.for_player(country, state) is None:
        raise JurisdictionDefinitionError(
            f"CROUPIER_GEO_HOME: no licence covers {format_region(country, state)}, so a local "
            f"client could not play; set it to a licensed region ({registry.licences.text()}) "
            "or CROUPIER_GEO_ALLOW_PRIVATE=0"
        )
    return registry


def build_geolocation(settings: ComplianceSettings) -> Geolocation:
    """The configured :class:`Geolocation`, private addresses handled by the policy."""
    from croupier.adapters.geo import RirCountryGeolocation, SandboxLocationProvider

    source: Geolocation = RirCountryGeolocation()
    if settings.geo_provider == "sandbox":
        source = SandboxLocationProvider(fallback=source)
    country, state = settings.geo_home
    home = Location(country, state, vpn_or_proxy=False, source="home")
    return PrivateAddressPolicy(source, home, settings.geo_allow_private)


def build_compliance_gate(
    settings: ComplianceSettings,
    definitions: Mapping[str, Mapping[str, Any]],
    catalogue: GameCatalogue,
    *,
    clock: Callable[[], datetime],
    pacer: SpinPacer | None = None,
    audit: AuditTrail | None = None,
) -> ComplianceGate:
    """The gate the edge and the round service call: the profiles, the configured
    geolocation, and each game's kind (its file) and lowest certified RTP (the catalogue)."""
    from croupier.domain.compliance.rules import parse_rtp_bp
    from croupier.services.compliance.gate import ComplianceGate, GameFacts

    facts = {}
    for game_id, definition in definitions.items():
        entry = catalogue.get(game_id)
        rtps = [] if entry is None else [r for r in (entry.rtp, entry.rtp_min_stake) if r]
        lowest = min((parse_rtp_bp(rtp) for rtp in rtps), default=None)
        facts[game_id] = GameFacts(str(definition.get("kind", "")), lowest)
    return ComplianceGate(
        load_jurisdictions(settings),
        build_geolocation(settings),
        facts,
        clock=clock,
        pacer=pacer,
        audit=audit,
    )
