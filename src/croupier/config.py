"""All of Croupier's settings in one validated place, read from ``CROUPIER_*`` variables.

Every limit has a bound here; :func:`load_settings` refuses a bad value at start-up with a
message naming the variable, rather than failing later under load.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from croupier.adapters.state.address import parse_state_url
from croupier.domain.money import register_currency
from croupier.services.accounts.limits import AccountLimits
from croupier.services.aml.settings import KycAmlSettings, kyc_aml_settings
from croupier.services.backoffice.limits import BackofficeLimits, parse_threshold
from croupier.services.bonus.settings import BonusSettings, bonus_settings
from croupier.services.cards.settings import CardSettings, card_settings
from croupier.services.compliance.settings import ComplianceSettings, compliance_settings
from croupier.services.engagement.settings import EngagementSettings, engagement_settings
from croupier.services.ledger.writer import WriterLimits
from croupier.services.payments.settings import PaymentSettings, payment_settings
from croupier.services.poker.settings import PokerSettings, poker_settings
from croupier.services.rounds.limits import RoundLimits
from croupier.services.wallet import WalletLimits

__all__ = [
    "AdminSettings",
    "ClusterSettings",
    "ConfigError",
    "HttpSettings",
    "RealtimeSettings",
    "Settings",
    "games_dir_setting",
    "load_settings",
]

DEFAULT_DATABASE_URL = "sqlite:///./croupier.db"
#: CROUPIER_STATE_SECRET's shortest length: 128 bits as hex.
_STATE_SECRET_CHARS_MIN = 32
#: Settings of earlier versions whose limits now live in a game file, per currency.
_MOVED_TO_GAME_FILES = (
    "CROUPIER_ROULETTE_BETS_MAX",
    "CROUPIER_ROULETTE_STAKE_MINOR_MAX",
    "CROUPIER_ROULETTE_STAKE_MINOR_MIN",
)


class ConfigError(ValueError):
    """A setting is missing or out of range; the message names the variable."""


@dataclass(frozen=True, slots=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    body_bytes_max: int = 64 * 1024
    #: A request's head must arrive within this many seconds of its first byte (else 408).
    head_timeout_s: int = 10
    #: A request's whole body must arrive within this many seconds of its head (else 408).
    body_timeout_s: int = 10
    #: Connections open at once that are not WebSocket ones; past it, 503 on accepting.
    connections_max: int = 1000
    #: Addresses (or networks) of the reverse proxies whose ``X-Forwarded-For`` names the
    #: client; empty: the peer address is the client, and the header is ignored.
    trusted_proxies: tuple[str, ...] = ()
    #: The certificate (PEM: the leaf, then its chain) and its private key: both set, the port
    #: serves TLS 1.3 only (``croupier.api.tls``); neither, plain HTTP.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    #: Web origins (``https://host[:port]``) whose pages may call the API from a browser
    #: (CORS, with credentials); empty: no CORS headers, only same-origin pages may.
    cors_origins: tuple[str, ...] = ()


#: The admin listener's allow-list when ``CROUPIER_ADMIN_ALLOW`` is unset: loopback only.
ADMIN_ALLOW_DEFAULT = ("127.0.0.0/8", "::1/128")
#: The shortest ``CROUPIER_METRICS_TOKEN``: 128 bits as hex.
_METRICS_TOKEN_CHARS_MIN = 32


@dataclass(frozen=True, slots=True)
class AdminSettings:
    """The back office's own listener (docs/backoffice.md), never the players' port."""

    host: str = "127.0.0.1"
    #: 0: no admin listener in this process (e.g. extra gateways on one host).
    port: int = 8001
    #: Networks a request to the admin listener may come from (after trusted proxies);
    #: any other source gets 403, and the refusal is audited.
    allow: tuple[str, ...] = ADMIN_ALLOW_DEFAULT
    #: A static bearer token Prometheus scrapes ``/metrics`` with (None: staff sessions with
    #: the metrics permission only).
    metrics_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class RealtimeSettings:
    """The WebSocket gateway's per-connection bounds and the event stream's address."""

    #: ``memory://`` (in-process, the outbox as the log) or ``nats://host:port`` (JetStream).
    stream_url: str = "memory://"
    #: Copies JetStream keeps of the event stream (3 on a 3-node NATS cluster).
    stream_replicas: int = 1
    message_bytes_max: int = 16 * 1024
    messages_per_s: int = 50
    messages_burst: int = 100
    in_flight_max: int = 16
    send_buffer_bytes_max: int = 1024 * 1024
    heartbeat_s: int = 20
    strikes_max: int = 10
    strike_window_s: int = 60
    jackpot_tick_ms: int = 250
    #: A connection's session is checked again this often: a revoked or expired one ends it.
    session_check_s: int = 60
    #: A connection that has not authenticated this long after opening is closed.
    auth_deadline_s: int = 10
    #: Open connections one client address may hold (counted on connect) and one player
    #: (counted on authentication); one more is closed with 4429.
    connections_per_address_max: int = 256
    connections_per_player_max: int = 10


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """The roles on PostgreSQL (docs/operations.md): gateways and writers."""

    #: A gateway's group waits this long for a writer's answer, retrying, before 503.
    ledger_deadline_ms: int = 15_000
    #: A writer's lease runs out this long after its last renewal (renewed every third).
    writer_lease_ms: int = 3_000
    #: The key gateways and writers sign ledger requests and replies with (HMAC-SHA256,
    #: ``adapters/ledger_rpc/auth.py``): ``None`` when unset, which only the roles refuse.
    ledger_secret: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    ledger: WriterLimits = field(default_factory=WriterLimits)
    #: How far below zero the house bankroll may go, per currency, in minor units.
    house_floor_minor: int = -(10**12)
    #: Extra currencies as ``CODE:EXPONENT`` pairs (e.g. ``BTC:8``).
    custom_currencies: tuple[tuple[str, int], ...] = ()
    http: HttpSettings = field(default_factory=HttpSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    realtime: RealtimeSettings = field(default_factory=RealtimeSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    accounts: AccountLimits = field(default_factory=AccountLimits)
    #: Words (the operator's brand, its domain) a password must not be with only digits or
    #: symbols added; "croupier" always is one.
    password_context_words: tuple[str, ...] = ()
    wallet: WalletLimits = field(default_factory=WalletLimits)
    #: Four-eyes and withdrawal-review thresholds (``services/backoffice/limits.py``).
    backoffice: BackofficeLimits = field(default_factory=BackofficeLimits)
    rounds: RoundLimits = field(default_factory=RoundLimits)
    #: The bundled sandbox payment provider approves everything unless this is false.
    payments_approve: bool = True
    #: A blackjack round left alone this long is finished by standing (0: never).
    blackjack_idle_timeout_s: int = 600
    #: Where state shared by gateways lives (login and registration limits, known addresses):
    #: ``memory://`` (this process), ``redis://host:port/db``, ``redis+sentinel://h:p,h:p/MASTER``.
    state_url: str = "memory://"
    #: The key of the pseudonyms that stand for addresses and emails in shared state
    #: (HMAC-SHA256): Redis holds no personal data an attacker could reverse by guessing.
    #: Required with a Redis ``state_url``; the same on every gateway.
    state_secret: bytes = b""
    #: The operator's folder of game files that add to or replace the shipped games by id
    #: (``croupier.adapters.game_files``); ``None``: the shipped games alone.
    games_dir: Path | None = None
    #: Jurisdiction profiles, licences and geolocation (docs/compliance.md).
    compliance: ComplianceSettings = field(default_factory=ComplianceSettings)
    #: KYC enforcement and the AML rules' thresholds (``services/aml/settings.py``).
    kyc_aml: KycAmlSettings = field(default_factory=KycAmlSettings)
    #: Live cash tables (``services/poker``): how many, and their clocks.
    poker: PokerSettings = field(default_factory=PokerSettings)
    #: Payment providers, the poller and its review threshold (docs/configuration.md).
    payments: PaymentSettings = field(default_factory=PaymentSettings)
    #: Recommendations and segments (``services/engagement/settings.py``).
    engagement: EngagementSettings = field(default_factory=EngagementSettings)
    #: The bonus engine (``services/bonus/settings.py``, docs/bonuses.md).
    bonus: BonusSettings = field(default_factory=BonusSettings)
    #: The key-encryption key of the vault (docs/security.md, "Encryption at rest"): a file
    #: of mode 0600 (``CROUPIER_KEY_FILE``) or the key itself (``CROUPIER_KEK``); with
    #: neither, SQLite generates ``<database>.key`` and PostgreSQL refuses to start.
    key_file: Path | None = None
    kek: bytes | None = field(default=None, repr=False)
    #: The card vault: its own KEK, the BIN file, cards per player (docs/security.md).
    cards: CardSettings = field(default_factory=CardSettings)
    #: Where mails to players go (``CROUPIER_MAIL_URL``): ``smtp://[user:pass@]host:port``, or
    #: ``dir:///PATH`` (each mail an ``.eml`` file); empty: a ``croupier-mail`` folder beside
    #: the SQLite database (or in the working directory).
    mail_url: str = ""
    mail_from: str = "Croupier <no-reply@localhost>"
    #: Upgrade SMTP connections with STARTTLS (``CROUPIER_MAIL_STARTTLS=1``).
    mail_starttls: bool = False
    #: ``CROUPIER_REQUIRE_PLAYER_TOTP=1``: no play and no withdrawal before a player has TOTP on.
    require_player_totp: bool = False


def _addresses(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses or networks (``10.0.0.0/8``), normalised:
    ``10.1.2.3/8`` becomes ``10.0.0.0/8``, which is what uvicorn matches against."""
    items: list[str] = []
    for raw in (env.get(name) or "").split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            if "/" in item:
                items.append(str(ipaddress.ip_network(item, strict=False)))
            else:
                items.append(str(ipaddress.ip_address(item)))
        except ValueError:
            raise ConfigError(f"{name}: {item!r} is not an IP address or network") from None
    return tuple(items)


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of exact web origins, ``scheme://host[:port]``, normalised as
    browsers send them (lower case, no default port). ``*`` is refused: the API is called
    with credentials (a bearer token), and any site could then act as its player."""
    origins: list[str] = []
    for raw in (env.get(name) or "").split(","):
        item = raw.strip()
        if not item:
            continue
        if item == "*" or "*" in item:
            raise ConfigError(
                f"{name}: {item!r}: wildcards are refused (the API is called with credentials);"
                " list each origin, e.g. https://play.example.com"
            )
        try:
            parts = urlsplit(item)
            port = parts.port
        except ValueError:
            raise ConfigError(f"{name}: {item!r} is not an origin (scheme://host[:port])") from None
        scheme = parts.scheme.lower()
        if (
            scheme not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or parts.password is not None
            or item.endswith("/")
            or parts.path
            or parts.query
            or parts.fragment
        ):
            raise ConfigError(
                f"{name}: {item!r} is not an origin: scheme://host[:port], http or https,"
                " no path, not even a trailing /"
            )
        host = parts.hostname.lower()
        if ":" in host:
            host = f"[{host}]"  # an IPv6 address, as browsers write it
        default_port = 443 if scheme == "https" else 80
        origin = f"{scheme}://{host}" + (f":{port}" if port not in (None, default_port) else "")
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


def _tls_files(env: Mapping[str, str]) -> tuple[Path | None, Path | None]:
    """``CROUPIER_TLS_CERT`` and ``CROUPIER_TLS_KEY``: both or neither. Whether they can be
    read, and match, is checked when the listener's context is built, before it binds."""
    cert, key = env.get("CROUPIER_TLS_CERT") or None, env.get("CROUPIER_TLS_KEY") or None
    if (cert is None) != (key is None):
        raise ConfigError("CROUPIER_TLS_CERT and CROUPIER_TLS_KEY go together: set both or neither")
    return (Path(cert) if cert else None), (Path(key) if key else None)


def admin_settings(env: Mapping[str, str]) -> AdminSettings:
    """``CROUPIER_ADMIN_HOST``, ``_PORT`` (0: none), ``_ALLOW`` and ``CROUPIER_METRICS_TOKEN``."""
    allow = _addresses(env, "CROUPIER_ADMIN_ALLOW") or ADMIN_ALLOW_DEFAULT
    token = env.get("CROUPIER_METRICS_TOKEN") or None
    if token is not None and len(token) < _METRICS_TOKEN_CHARS_MIN:
        raise ConfigError(
            f"CROUPIER_METRICS_TOKEN must be at least {_METRICS_TOKEN_CHARS_MIN} characters"
            " (make one: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return AdminSettings(
        host=env.get("CROUPIER_ADMIN_HOST") or "127.0.0.1",
        port=_int(env, "CROUPIER_ADMIN_PORT", 8001, 0, 65535),
        allow=allow,
        metrics_token=token,
    )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


#: The shortest ``CROUPIER_LEDGER_SECRET``, in bytes once decoded: HMAC-SHA256's own size.
LEDGER_SECRET_BYTES_MIN = 32
_LEDGER_SECRET_HINT = "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"


def ledger_secret(env: Mapping[str, str]) -> bytes | None:
    """``CROUPIER_LEDGER_SECRET``, hex or base64 of at least 32 bytes; ``None`` when unset."""
    raw = env.get("CROUPIER_LEDGER_SECRET", "").strip()
    if not raw:
        return None
    try:
        secret = bytes.fromhex(raw)
    except ValueError:
        try:
            secret = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True)
        except ValueError:
            raise ConfigError(
                f"CROUPIER_LEDGER_SECRET must be hex or base64; {_LEDGER_SECRET_HINT}"
            ) from None
    if len(secret) < LEDGER_SECRET_BYTES_MIN:
        raise ConfigError(
            f"CROUPIER_LEDGER_SECRET must hold at least {LEDGER_SECRET_BYTES_MIN} bytes"
            f" ({2 * LEDGER_SECRET_BYTES_MIN} hex digits); {_LEDGER_SECRET_HINT}"
        )
    return secret


def require_ledger_secret(settings: Settings) -> bytes:
    """The secret a gateway or a writer cannot run without."""
    if settings.cluster.ledger_secret is None:
        raise ConfigError(
            "CROUPIER_LEDGER_SECRET is not set: gateways and writers sign ledger requests"
            f" with it (the same value on every one); {_LEDGER_SECRET_HINT}"
        )
    return settings.cluster.ledger_secret


def _kek_settings(env: Mapping[str, str]) -> tuple[Path | None, bytes | None]:
    """``CROUPIER_KEY_FILE`` (made absolute) or ``CROUPIER_KEK`` (32 bytes, hex or base64)."""
    raw_file, raw_key = env.get("CROUPIER_KEY_FILE", "").strip(), env.get("CROUPIER_KEK", "")
    if raw_file and raw_key.strip():
        raise ConfigError("set CROUPIER_KEY_FILE or CROUPIER_KEK, not both")
    if raw_key.strip():
        from croupier.adapters.vault.kek import parse_key_text

        return None, parse_key_text(raw_key, "CROUPIER_KEK")
    return (Path(raw_file).expanduser().absolute() if raw_file else None), None


def games_dir_setting(env: Mapping[str, str]) -> Path | None:
    """``CROUPIER_GAMES_DIR``, made absolute (a relative path is taken from the working
    directory at start-up); ``None`` when unset. It must be an existing directory."""
    raw = env.get("CROUPIER_GAMES_DIR")
    if not raw:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(f"CROUPIER_GAMES_DIR must be a directory, got {raw!r}")
    return path.resolve()


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "0").strip().lower()
    if raw not in ("0", "1", "true", "false"):
        raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")
    return raw in ("1", "true")


def _mail_url(env: Mapping[str, str]) -> str:
    url = env.get("CROUPIER_MAIL_URL") or ""
    if url and not url.startswith(("smtp://", "dir://")):
        raise ConfigError(f"CROUPIER_MAIL_URL must be smtp://HOST:PORT or dir:///PATH: {url!r}")
    return url


def _context_words(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of at most 32 words, each 1 to 64 characters with a letter."""
    words = tuple(filter(None, (part.strip() for part in (env.get(name) or "").split(","))))
    if len(words) > 32:
        raise ConfigError(f"{name}: at most 32 words, got {len(words)}")
    for word in words:
        if len(word) > 64 or not any(c.isalpha() for c in word):
            raise ConfigError(f"{name}: {word!r} must be at most 64 characters, with a letter")
    return words


def _currencies(raw: str) -> tuple[tuple[str, int], ...]:
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        code, _, exponent = item.partition(":")
        if not exponent.isdigit():
            raise ConfigError(f"CROUPIER_CURRENCIES: expected CODE:EXPONENT, got {item!r}")
        pairs.append((code, int(exponent)))
    return tuple(pairs)


def _threshold(env: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse_threshold(raw, what=name)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _backoffice(env: Mapping[str, str]) -> BackofficeLimits:
    defaults = BackofficeLimits()
    return BackofficeLimits(
        adjustment_approval_above=_threshold(
            env, "CROUPIER_ADJUSTMENT_APPROVAL_ABOVE", defaults.adjustment_approval_above
        ),
        withdrawal_review_above=_threshold(
            env, "CROUPIER_WITHDRAWAL_REVIEW_ABOVE", defaults.withdrawal_review_above
        ),
        adjustment_minor_max=_int(
            env, "CROUPIER_ADJUSTMENT_MINOR_MAX", defaults.adjustment_minor_max, 1, 10**15
        ),
    )


def load_settings(
    env: Mapping[str, str] | None = None, *, database_url: str | None = None
) -> Settings:
    """Settings from the environment (or ``env``); ``database_url`` overrides the variable."""
    env = os.environ if env is None else env
    url = database_url or env.get("CROUPIER_DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigError(
            f"CROUPIER_DATABASE_URL must be sqlite:///PATH or postgresql://…: {url!r}"
        )
    batch_max = _int(env, "CROUPIER_LEDGER_BATCH_COMMANDS_MAX", 10_000, 1, 100_000)
    limits = WriterLimits(
        queue_requests_max=_int(env, "CROUPIER_LEDGER_QUEUE_MAX", 50_000, 1, 10_000_000),
        batch_commands_max=batch_max,
        batch_wait_ms=_int(env, "CROUPIER_LEDGER_BATCH_WAIT_MS", 0, 0, 1_000),
        accounts_cached_max=_int(env, "CROUPIER_LEDGER_ACCOUNTS_CACHED_MAX", 500_000, 1_000, 10**8),
        transfers_cached_max=_int(
            env,
            "CROUPIER_LEDGER_TRANSFERS_CACHED_MAX",
            max(200_000, 4 * batch_max),
            4 * batch_max,
            10**8,
        ),
        streams_cached_max=_int(env, "CROUPIER_LEDGER_STREAMS_CACHED_MAX", 200_000, 1_000, 10**8),
    )
    currencies = _currencies(env.get("CROUPIER_CURRENCIES", ""))
    try:
        for code, exponent in currencies:
            register_currency(code, exponent)
    except ValueError as error:
        raise ConfigError(f"CROUPIER_CURRENCIES: {error}") from None
    tls_cert, tls_key = _tls_files(env)
    http = HttpSettings(
        host=env.get("CROUPIER_HOST") or "127.0.0.1",
        port=_int(env, "CROUPIER_PORT", 8000, 1, 65535),
        body_bytes_max=_int(env, "CROUPIER_HTTP_BODY_BYTES_MAX", 64 * 1024, 1024, 16 * 1024 * 1024),
        head_timeout_s=_int(env, "CROUPIER_HTTP_HEAD_TIMEOUT_S", 10, 1, 600),
        body_timeout_s=_int(env, "CROUPIER_HTTP_BODY_TIMEOUT_S", 10, 1, 600),
        connections_max=_int(env, "CROUPIER_HTTP_CONNECTIONS_MAX", 1000, 1, 1_000_000),
        trusted_proxies=_addresses(env, "CROUPIER_TRUSTED_PROXIES"),
        tls_cert=tls_cert,
        tls_key=tls_key,
        cors_origins=_origins(env, "CROUPIER_CORS_ORIGINS"),
    )
    stream_url = env.get("CROUPIER_STREAM_URL") or "memory://"
    if stream_url != "memory://" and not stream_url.startswith(("nats://", "tls://")):
        raise ConfigError(f"CROUPIER_STREAM_URL must be memory:// or nats://…: {stream_url!r}")
    realtime = RealtimeSettings(
        stream_url=stream_url,
        stream_replicas=_int(env, "CROUPIER_STREAM_REPLICAS", 1, 1, 5),
        message_bytes_max=_int(env, "CROUPIER_WS_MESSAGE_BYTES_MAX", 16 * 1024, 256, 1024 * 1024),
        messages_per_s=_int(env, "CROUPIER_WS_MESSAGES_PER_S", 50, 1, 100_000),
        messages_burst=_int(env, "CROUPIER_WS_MESSAGES_BURST", 100, 1, 100_000),
        in_flight_max=_int(env, "CROUPIER_WS_IN_FLIGHT_MAX", 16, 1, 1_000),
        send_buffer_bytes_max=_int(
            env, "CROUPIER_WS_SEND_BUFFER_BYTES_MAX", 1024 * 1024, 16 * 1024, 256 * 1024 * 1024
        ),
        heartbeat_s=_int(env, "CROUPIER_WS_HEARTBEAT_S", 20, 1, 3_600),
        strikes_max=_int(env, "CROUPIER_WS_STRIKES_MAX", 10, 1, 1_000),
        jackpot_tick_ms=_int(env, "CROUPIER_JACKPOT_TICK_MS", 250, 10, 60_000),
        session_check_s=_int(env, "CROUPIER_WS_SESSION_CHECK_S", 60, 1, 3_600),
        auth_deadline_s=_int(env, "CROUPIER_WS_AUTH_DEADLINE_S", 10, 1, 3_600),
        connections_per_address_max=_int(
            env, "CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX", 256, 1, 1_000_000
        ),
        connections_per_player_max=_int(
            env, "CROUPIER_WS_CONNECTIONS_PER_PLAYER_MAX", 10, 1, 10_000
        ),
    )
    accounts = AccountLimits(
        session_ttl_s=_int(env, "CROUPIER_SESSION_TTL_S", 86_400, 60, 30 * 86_400),
        login_failures_max=_int(env, "CROUPIER_LOGIN_FAILURES_MAX", 5, 1, 100),
        lockout_s=_int(env, "CROUPIER_LOGIN_LOCKOUT_S", 900, 1, 86_400),
        login_attempts_per_ip_per_minute=_int(
            env, "CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", 30, 1, 10_000
        ),
        registrations_per_ip_per_minute=_int(
            env, "CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE", 10, 1, 100_000
        ),
        password_reset_ttl_s=_int(env, "CROUPIER_PASSWORD_RESET_TTL_S", 1_800, 300, 86_400),
    )
    wallet = WalletLimits(
        deposit_minor_max=_int(env, "CROUPIER_DEPOSIT_MINOR_MAX", 1_000_000_00, 1, 10**15),
        withdrawal_minor_max=_int(env, "CROUPIER_WITHDRAWAL_MINOR_MAX", 1_000_000_00, 1, 10**15),
    )
    house_floor = -_int(env, "CROUPIER_HOUSE_CREDIT_LIMIT_MINOR", 10**12, 0, 2**62)
    moved = sorted(name for name in _MOVED_TO_GAME_FILES if name in env)
    if moved:  # refused rather than ignored: a limit the operator set must not silently lapse
        raise ConfigError(
            f"{', '.join(moved)}: roulette's limits are per currency now, in its game file "
            "(european-roulette.toml: rules.bets_max and [limits.<CURRENCY>]); copy that file "
            "into CROUPIER_GAMES_DIR to change them (docs/configuration.md)"
        )
    rounds = RoundLimits(house_floor_minor=house_floor)
    state_url = env.get("CROUPIER_STATE_URL") or "memory://"
    if state_url != "memory://":
        try:
            parse_state_url(state_url)
        except ValueError as error:
            raise ConfigError(f"CROUPIER_STATE_URL: {error}") from None
    state_secret = env.get("CROUPIER_STATE_SECRET", "")
    if state_url != "memory://" and len(state_secret) < _STATE_SECRET_CHARS_MIN:
        raise ConfigError(
            f"CROUPIER_STATE_SECRET: shared state needs a secret of at least "
            f"{_STATE_SECRET_CHARS_MIN} characters, the same on every gateway (make one: "
            "python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    approve = env.get("CROUPIER_SANDBOX_PAYMENTS", "approve")
    if approve not in ("approve", "decline"):
        raise ConfigError(f"CROUPIER_SANDBOX_PAYMENTS must be approve or decline, got {approve!r}")
    cluster = ClusterSettings(
        ledger_deadline_ms=_int(env, "CROUPIER_LEDGER_DEADLINE_MS", 15_000, 100, 600_000),
        ledger_secret=ledger_secret(env),
        writer_lease_ms=_int(env, "CROUPIER_WRITER_LEASE_MS", 3_000, 300, 600_000),
    )
    try:
        compliance = compliance_settings(env, production=not url.startswith("sqlite:///"))
    except ValueError as error:  # JurisdictionDefinitionError is one too
        raise ConfigError(str(error)) from None
    try:
        kyc_aml = kyc_aml_settings(env, production=not url.startswith("sqlite:///"))
        poker = poker_settings(env)
        payments = payment_settings(env)
        engagement = engagement_settings(env)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    key_file, kek = _kek_settings(env)
    return Settings(
        cards=card_settings(env),
        kyc_aml=kyc_aml,
        poker=poker,
        payments=payments,
        engagement=engagement,
        bonus=bonus_settings(env),
        key_file=key_file,
        kek=kek,
        compliance=compliance,
        http=http,
        admin=admin_settings(env),
        realtime=realtime,
        cluster=cluster,
        accounts=accounts,
        password_context_words=_context_words(env, "CROUPIER_PASSWORD_CONTEXT_WORDS"),
        wallet=wallet,
        backoffice=_backoffice(env),
        payments_approve=approve == "approve",
        blackjack_idle_timeout_s=_int(env, "CROUPIER_BLACKJACK_IDLE_TIMEOUT_S", 600, 0, 7 * 86_400),
        database_url=url,
        ledger=limits,
        house_floor_minor=house_floor,
        rounds=rounds,
        custom_currencies=currencies,
        games_dir=games_dir_setting(env),
        state_url=state_url,
        state_secret=state_secret.encode(),
        mail_url=_mail_url(env),
        mail_from=env.get("CROUPIER_MAIL_FROM") or "Croupier <no-reply@localhost>",
        mail_starttls=_flag(env, "CROUPIER_MAIL_STARTTLS"),
        require_player_totp=_flag(env, "CROUPIER_REQUIRE_PLAYER_TOTP"),
    )
