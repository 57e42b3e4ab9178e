"""The payments settings from the environment (docs/configuration.md, "Payments"); the
instant sandbox's answer stays ``CROUPIER_SANDBOX_PAYMENTS`` (``Settings.payments_approve``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from croupier.services.payments.service import PaymentLimits

__all__ = ["PaymentSettings", "ProviderSetting", "payment_settings"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}\Z")


@dataclass(frozen=True, slots=True)
class ProviderSetting:
    name: str
    #: None: the instant in-process sandbox; else the provider's URL-ish configuration
    #: (``alpha+https://…?key=…&secret=…``, ``adapters/payments/provider_url.py``), from
    #: ``CROUPIER_PAYMENT_PROVIDER_<NAME>``: it holds the API key and webhook secret.
    url: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class PaymentSettings:
    providers: tuple[ProviderSetting, ...] = (ProviderSetting("sandbox"),)
    limits: PaymentLimits = field(default_factory=PaymentLimits)
    #: How often the poller looks for due look-ups when it found none last time.
    poll_interval_ms: int = 1_000


def payment_settings(env: Mapping[str, str]) -> PaymentSettings:
    """The settings in ``env``; ``ValueError`` naming the variable otherwise."""
    providers = tuple(_provider(name, env) for name in _entries(env))
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise ValueError(f"CROUPIER_PAYMENT_PROVIDERS names a provider twice: {names}")
    try:
        limits = PaymentLimits(
            attempts_max=_int(env, "CROUPIER_PAYMENT_ATTEMPTS_MAX", 3),
            poll_first_ms=_int(env, "CROUPIER_PAYMENT_POLL_FIRST_MS", 1_000),
            poll_backoff_max_ms=_int(env, "CROUPIER_PAYMENT_POLL_MAX_MS", 300_000),
            polls_max=_int(env, "CROUPIER_PAYMENT_POLLS_MAX", 12),
            sent_grace_ms=_int(env, "CROUPIER_PAYMENT_GRACE_MS", 60_000),
        )
    except ValueError as error:
        raise ValueError(f"CROUPIER_PAYMENT_*: {error}") from None
    return PaymentSettings(providers, limits)


def _entries(env: Mapping[str, str]) -> list[str]:
    raw = env.get("CROUPIER_PAYMENT_PROVIDERS") or "sandbox"
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if not entries or len(entries) > 8:
        raise ValueError("CROUPIER_PAYMENT_PROVIDERS must list 1 to 8 providers")
    return entries


def _provider(name: str, env: Mapping[str, str]) -> ProviderSetting:
    if not _NAME.match(name):
        raise ValueError(f"CROUPIER_PAYMENT_PROVIDERS: {name!r} is not a provider name [a-z0-9_-]")
    variable = f"CROUPIER_PAYMENT_PROVIDER_{name.upper().replace('-', '_')}"
    url = env.get(variable)
    if not url:
        if name != "sandbox":
            raise ValueError(
                f"{variable} must configure {name} (alpha+https://…?key=…&secret=…); only "
                "'sandbox' (the instant in-process one) needs none"
            )
        return ProviderSetting(name)
    from croupier.adapters.payments.provider_url import parse_provider_url

    try:
        parsed = parse_provider_url(url)
    except ValueError as error:
        raise ValueError(f"{variable}: {error}") from None
    if parsed.profile.name != name:
        raise ValueError(f"{variable}: add name={name} to the URL (it says {parsed.profile.name})")
    return ProviderSetting(name, url)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
