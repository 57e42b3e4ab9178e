"""A PSP adapter from one URL-ish string, the shape configuration hands over.

``alpha+http://127.0.0.1:8701?key=API_KEY&secret=WEBHOOK_SECRET&currencies=EUR,USD``
``beta+https://psp.example/prefix?key=API_KEY&public_key=BASE64_ED25519&countries=DE,AT``

The scheme names the flavour and the transport; the rest of the URL is the PSP's base URL.
Query parameters: ``key`` (API key), ``secret`` (alpha: webhook HMAC secret), ``public_key``
(beta: the PSP's Ed25519 public key, 32 raw bytes in base64), ``name`` (default the flavour),
``methods`` (default ``card``), ``countries`` (default: all), ``currencies`` (default
``EUR``), ``priority`` (100), ``timeout_ms`` (5000), ``window_s`` (webhook replay window,
300). Unknown parameters are refused, so a typo never goes unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from croupier.services.payments.ports import PaymentProvider, ProviderProfile

__all__ = ["ProviderUrl", "parse_provider_url", "provider_from_url"]

_FLAVOURS = ("alpha", "beta")
_KNOWN = frozenset(
    {
        "key",
        "secret",
        "public_key",
        "name",
        "methods",
        "countries",
        "currencies",
        "priority",
        "timeout_ms",
        "window_s",
    }
)
_TIMEOUT_MS_MAX = 120_000
_WINDOW_S_MAX = 3_600


@dataclass(frozen=True)
class ProviderUrl:
    flavour: str
    base_url: str
    profile: ProviderProfile
    api_key: str = field(repr=False)
    #: alpha's HMAC secret, or beta's base64 public key.
    webhook_key: str = field(repr=False)
    timeout_ms: int = 5_000
    webhook_window_s: int = 300


def _codes(raw: str) -> frozenset[str]:
    return frozenset(code.strip().upper() for code in raw.split(",") if code.strip())


def _bounded(params: dict[str, str], name: str, default: int, high: int) -> int:
    raw = params.get(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) <= high:
        raise ValueError(f"{name} must be an integer from 1 to {high}")
    return int(raw)


def parse_provider_url(url: str) -> ProviderUrl:
    """The parts of a provider URL; ``ValueError`` says what is wrong (never quoting secrets)."""
    parts = urlsplit(url)
    flavour, plus, transport = parts.scheme.partition("+")
    if not plus or flavour not in _FLAVOURS or transport not in {"http", "https"}:
        raise ValueError(f"a provider URL starts with one of {[f + '+https' for f in _FLAVOURS]}")
    if not parts.hostname:
        raise ValueError("a provider URL needs a host")
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(params) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown provider URL parameters: {', '.join(unknown)}")
    webhook_param = "secret" if flavour == "alpha" else "public_key"
    for needed in ("key", webhook_param):
        if not params.get(needed):
            raise ValueError(f"a {flavour} provider URL needs {needed}=…")
    currencies = _codes(params.get("currencies", "EUR"))
    if not currencies:
        raise ValueError("currencies must name at least one currency")
    name = params.get("name") or flavour
    profile = ProviderProfile(
        name=name,
        methods=frozenset(m.strip() for m in params.get("methods", "card").split(",") if m),
        countries=_codes(params.get("countries", "")),
        currencies=currencies,
        priority=_bounded(params, "priority", 100, 1_000_000),
    )
    return ProviderUrl(
        flavour=flavour,
        base_url=urlunsplit((transport, parts.netloc, parts.path, "", "")),
        profile=profile,
        api_key=params["key"],
        webhook_key=params[webhook_param],
        timeout_ms=_bounded(params, "timeout_ms", 5_000, _TIMEOUT_MS_MAX),
        webhook_window_s=_bounded(params, "window_s", 300, _WINDOW_S_MAX),
    )


def provider_from_url(url: str, client: httpx.AsyncClient | None = None) -> PaymentProvider:
    """The adapter a provider URL describes (see the module's docstring)."""
    config = parse_provider_url(url)
    if config.flavour == "alpha":
        from croupier.adapters.payments.alpha import AlphaProvider

        return AlphaProvider(
            profile=config.profile,
            base_url=config.base_url,
            api_key=config.api_key,
            webhook_secret=config.webhook_key,
            timeout_s=config.timeout_ms / 1000,
            webhook_window_s=config.webhook_window_s,
            client=client,
        )
    from croupier.adapters.payments.beta import BetaProvider

    return BetaProvider(
        profile=config.profile,
        base_url=config.base_url,
        api_key=config.api_key,
        public_key=config.webhook_key,
        timeout_s=config.timeout_ms / 1000,
        webhook_window_s=config.webhook_window_s,
        client=client,
    )
