"""Where a player lives, as registration takes it: a country, and for the countries that
license online casinos per state or province (the US, Canada) the state.

Both spellings are accepted: ``country="US", region="NJ"`` and ``country="US-NJ"``.

>>> parse_residence("US", "nj")
('US', 'NJ')
>>> parse_residence("us-nj", None)
('US', 'NJ')
>>> parse_residence("MT", None)
('MT', None)
"""

from __future__ import annotations

from croupier.domain.accounts.countries import ISO_3166_ALPHA_2
from croupier.domain.accounts.errors import InvalidRegistration
from croupier.domain.compliance.regions import SUBDIVIDED_LICENSING, SUBDIVISIONS, parse_region

__all__ = ["parse_residence"]


def parse_residence(country: object, region: object = None) -> tuple[str, str | None]:
    """``(country, state)``; ``InvalidRegistration`` (field ``country`` or ``region``) for a
    code that is not ISO 3166, a state of a country Croupier does not license by state, a
    state given twice, or a US or Canadian player without one."""
    if not isinstance(country, str):
        raise InvalidRegistration("country", "must be an ISO 3166-1 alpha-2 code such as DE")
    if region is not None and not isinstance(region, str):
        raise InvalidRegistration("region", "must be a state or province code such as NJ")
    text = country.strip().upper()
    if "-" in text and region:
        raise InvalidRegistration("region", f"given twice: in country ({country}) and region")
    if region:
        text = f"{text}-{region.strip().upper()}"
    try:
        code, state = parse_region(text)
    except ValueError as error:
        country_known = text.partition("-")[0] in ISO_3166_ALPHA_2
        field = "region" if "-" in text and country_known else "country"
        raise InvalidRegistration(field, str(error)) from None
    if state is None and code in SUBDIVIDED_LICENSING:
        raise InvalidRegistration(
            "region",
            f"players in {code} must give their state or province "
            f'(e.g. "region": "{sorted(SUBDIVISIONS[code])[0]}")',
        )
    return code, state
