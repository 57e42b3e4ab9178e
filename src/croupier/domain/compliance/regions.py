"""Where a licence applies: ISO 3166-1 countries and, for the countries that license online
gambling state by state or province by province, their ISO 3166-2 subdivisions.

A region is written ``"GB"`` (a country) or ``"US-NJ"`` (a subdivision); a player's or a
location's ``state`` is the part after the hyphen (``"NJ"``).

>>> parse_region("us-nj")
('US', 'NJ')
>>> parse_region("GB")
('GB', None)
"""

from __future__ import annotations

from typing import Final

from croupier.domain.accounts.countries import ISO_3166_ALPHA_2

__all__ = [
    "SUBDIVIDED_LICENSING",
    "SUBDIVISIONS",
    "format_region",
    "parse_region",
    "valid_state",
]

#: ISO 3166-2 subdivision codes (the part after ``CC-``) of the countries whose online
#: gambling is licensed per subdivision: US states, DC and the outlying areas with their own
#: code; Canadian provinces and territories.
SUBDIVISIONS: Final[dict[str, frozenset[str]]] = {
    "US": frozenset(
        [
            "AL",
            "AK",
            "AZ",
            "AR",
            "CA",
            "CO",
            "CT",
            "DE",
            "FL",
            "GA",
            "HI",
            "ID",
            "IL",
            "IN",
            "IA",
            "KS",
            "KY",
            "LA",
            "ME",
            "MD",
            "MA",
            "MI",
            "MN",
            "MS",
            "MO",
            "MT",
            "NE",
            "NV",
            "NH",
            "NJ",
            "NM",
            "NY",
            "NC",
            "ND",
            "OH",
            "OK",
            "OR",
            "PA",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VT",
            "VA",
            "WA",
            "WV",
            "WI",
            "WY",
            "DC",
            "AS",
            "GU",
            "MP",
            "PR",
            "UM",
            "VI",
        ]
    ),
    "CA": frozenset(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]),
}

#: Countries where there is no national online-casino licence, only a state's or a
#: province's (US: each state legalises iGaming itself; CA: each province runs or licenses
#: it, and only Ontario licenses private operators): a licence there must name the state,
#: and a location there without one is blocked.
SUBDIVIDED_LICENSING: Final = frozenset(SUBDIVISIONS)


def parse_region(text: str) -> tuple[str, str | None]:
    """``(country, state)`` from ``"GB"`` or ``"US-NJ"`` (case-insensitive); ``ValueError``
    naming what is wrong otherwise."""
    country, _, state = text.strip().upper().partition("-")
    if country not in ISO_3166_ALPHA_2:
        raise ValueError(f"{text!r}: not an ISO 3166-1 alpha-2 country code")
    if not state:
        return country, None
    if not valid_state(country, state):
        known = SUBDIVISIONS.get(country)
        if known is None:
            raise ValueError(f"{text!r}: {country} has no subdivisions Croupier licenses by")
        raise ValueError(f"{text!r}: not an ISO 3166-2 subdivision of {country}")
    return country, state


def valid_state(country: str, state: str) -> bool:
    """Whether ``state`` is a known subdivision of ``country``."""
    return state in SUBDIVISIONS.get(country, frozenset())


def format_region(country: str, state: str | None) -> str:
    """``"US-NJ"`` or ``"GB"``."""
    return country if state is None else f"{country}-{state}"
