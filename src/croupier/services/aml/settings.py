"""KYC and AML settings, read from ``CROUPIER_*`` variables by ``croupier.config`` and
checked at start (docs/configuration.md).

==================================  =====================================================
``CROUPIER_KYC_ENFORCE``            ``1`` (the default on PostgreSQL, production): refuse
                                    deposits and rounds (403 ``kyc-required``) and hold
                                    withdrawals of players not verified where their profile
                                    requires it; ``0`` (the default on SQLite, development):
                                    KYC is kept, nothing is refused, and the server says so
                                    loudly at start.
``CROUPIER_KYC_PROVIDER``           ``sandbox`` (the only adapter yet; deterministic)
``CROUPIER_AML``                    ``1`` (default) or ``0``: run the AML rules engine
``CROUPIER_AML_CDD_THRESHOLD``      ``2000.00`` (every currency, in its major units) or
                                    ``EUR:2000.00,GBP:1750.00,*:2000.00`` per currency
``CROUPIER_AML_LINKED_HOURS``       payments of one kind within this window are summed (24)
``CROUPIER_AML_VELOCITY``           ``N/M``: N deposits within M minutes (``5/60``)
``CROUPIER_AML_LITTLE_PLAY``        ``P/H``: a withdrawal when under P % of the deposits of
                                    the last H hours was staked (``50/72``)
==================================  =====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from croupier.domain.compliance.aml import AmlRules
from croupier.domain.money import currency
from croupier.services.backoffice.limits import parse_threshold

__all__ = ["KYC_PROVIDERS", "KycAmlSettings", "kyc_aml_settings"]

KYC_PROVIDERS = ("sandbox",)


@dataclass(frozen=True, slots=True)
class KycAmlSettings:
    kyc_enforce: bool = False
    kyc_provider: str = "sandbox"
    aml_enabled: bool = True
    aml_rules: AmlRules = field(default_factory=AmlRules)


def _flag(env: Mapping[str, str], name: str, default: str) -> bool:
    value = env.get(name) or default
    if value not in ("0", "1"):
        raise ValueError(f"{name} must be 0 or 1, got {value!r}")
    return value == "1"


def _pair(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name)
    if not raw:
        return default
    first, sep, second = raw.partition("/")
    try:
        if not sep:
            raise ValueError
        pair = int(first), int(second)
    except ValueError:
        raise ValueError(f"{name} must be N/M (two integers), got {raw!r}") from None
    if not (1 <= pair[0] <= 100_000 and 1 <= pair[1] <= 100_000):
        raise ValueError(f"{name}: both numbers must be 1 to 100000, got {raw!r}")
    return pair


def _thresholds(raw: str | None) -> dict[str, Decimal]:
    name = "CROUPIER_AML_CDD_THRESHOLD"
    if not raw or not raw.strip():
        return {"*": Decimal("2000.00")}
    if ":" not in raw:
        return {"*": parse_threshold(raw, what=name)}
    found: dict[str, Decimal] = {}
    for item in raw.split(","):
        code, _, amount = item.strip().partition(":")
        code = code.strip().upper()
        if code != "*":
            try:
                currency(code)
            except Exception:
                raise ValueError(f"{name}: unknown currency {code!r}") from None
        found[code] = parse_threshold(amount, what=f"{name} ({code})")
    return found


def kyc_aml_settings(env: Mapping[str, str], *, production: bool = False) -> KycAmlSettings:
    """The settings in ``env``; ``ValueError`` naming the variable otherwise. ``production``
    (a PostgreSQL ledger) enforces KYC unless told otherwise."""
    provider = env.get("CROUPIER_KYC_PROVIDER") or "sandbox"
    if provider not in KYC_PROVIDERS:
        raise ValueError(f"CROUPIER_KYC_PROVIDER must be one of {', '.join(KYC_PROVIDERS)}")
    linked_raw = env.get("CROUPIER_AML_LINKED_HOURS") or "24"
    try:
        linked = int(linked_raw)
    except ValueError:
        raise ValueError(
            f"CROUPIER_AML_LINKED_HOURS must be an integer, got {linked_raw!r}"
        ) from None
    if not 1 <= linked <= 24 * 366:
        raise ValueError("CROUPIER_AML_LINKED_HOURS must be 1 to 8784")
    deposits, minutes = _pair(env, "CROUPIER_AML_VELOCITY", (5, 60))
    percent, hours = _pair(env, "CROUPIER_AML_LITTLE_PLAY", (50, 72))
    if percent > 100:
        raise ValueError("CROUPIER_AML_LITTLE_PLAY: the percentage must be 1 to 100")
    return KycAmlSettings(
        kyc_enforce=_flag(env, "CROUPIER_KYC_ENFORCE", "1" if production else "0"),
        kyc_provider=provider,
        aml_enabled=_flag(env, "CROUPIER_AML", "1"),
        aml_rules=AmlRules(
            cdd_threshold=_thresholds(env.get("CROUPIER_AML_CDD_THRESHOLD")),
            linked_hours=linked,
            velocity_deposits=deposits,
            velocity_minutes=minutes,
            little_play_percent=percent,
            little_play_hours=hours,
        ),
    )
