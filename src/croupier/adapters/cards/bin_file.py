"""The embedded :class:`~croupier.services.cards.ports.BinDirectory`: a text file of IIN
prefixes and issuer countries (``croupier/data/card-bins.txt``, or the operator's own in
the same format), read and checked once at start. No maintained offline BIN database is
published on PyPI (the BIN packages there call paid web APIs), so the sandbox ships its own
few lines, and an operator brings a licensed database (docs/security.md, "Card data")."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Final

from croupier.config import ConfigError
from croupier.domain.accounts.countries import ISO_3166_ALPHA_2

__all__ = ["PREFIX_DIGITS_MAX", "PREFIX_DIGITS_MIN", "BinFile"]

#: BINs are 6 digits, or 8 since ISO/IEC 7812-1:2017.
PREFIX_DIGITS_MIN: Final = 6
PREFIX_DIGITS_MAX: Final = 8
_SHIPPED: Final = "card-bins.txt"


class BinFile:
    """IIN prefix → ISO 3166-1 alpha-2; the longest prefix of an IIN wins."""

    def __init__(self, countries: Mapping[str, str], source: str) -> None:
        self._countries = dict(countries)
        self.source = source

    def __len__(self) -> int:
        return len(self._countries)

    @classmethod
    def parse(cls, text: str, source: str) -> BinFile:
        """The prefixes of ``text`` (``ConfigError`` naming ``source`` and the line number
        for a bad or repeated prefix or an unknown country)."""
        countries: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            fields = raw.split("#", 1)[0].split()
            if not fields:
                continue
            where = f"{source} line {number}"
            if len(fields) < 2:
                raise ConfigError(f"{where}: a line is PREFIX COUNTRY [note]")
            prefix, country = fields[0], fields[1].upper()
            if not (prefix.isascii() and prefix.isdigit()) or not (
                PREFIX_DIGITS_MIN <= len(prefix) <= PREFIX_DIGITS_MAX
            ):
                raise ConfigError(
                    f"{where}: a BIN prefix has {PREFIX_DIGITS_MIN} to {PREFIX_DIGITS_MAX} digits"
                )
            if country not in ISO_3166_ALPHA_2:
                raise ConfigError(f"{where}: {fields[1]!r} is not an ISO 3166-1 alpha-2 country")
            if prefix in countries:
                raise ConfigError(f"{where}: BIN prefix {prefix} is listed twice")
            countries[prefix] = country
        if not countries:
            raise ConfigError(f"{source} lists no BIN prefix")
        return cls(countries, source)

    @classmethod
    def load(cls, path: Path | None = None) -> BinFile:
        """``path`` (``CROUPIER_CARD_BINS_FILE``), or the shipped sandbox file."""
        if path is None:
            shipped = resources.files("croupier").joinpath("data").joinpath(_SHIPPED)
            return cls.parse(shipped.read_text(encoding="utf-8"), f"croupier/data/{_SHIPPED}")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"CROUPIER_CARD_BINS_FILE {path}: {error.strerror}") from None
        return cls.parse(text, str(path))

    async def issuer_country(self, iin: str) -> str | None:
        for length in range(min(len(iin), PREFIX_DIGITS_MAX), PREFIX_DIGITS_MIN - 1, -1):
            country = self._countries.get(iin[:length])
            if country is not None:
                return country
        return None
