"""The adapters of player account security, chosen from settings: a part of the composition
root (``bootstrap.py`` calls :func:`open_security`), apart so it stays small."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from croupier.adapters.vault import Vault
from croupier.config import ConfigError, Settings
from croupier.services.accounts.security_ports import Mailer, PlayerSecurityStore, RevocationBus
from croupier.services.accounts.service import SecurityPorts

__all__ = [
    "default_mail_url",
    "make_mailer_for",
    "make_revocation_bus",
    "make_security_store",
    "open_security",
]


def make_security_store(database_url: str, vault: Vault) -> PlayerSecurityStore:
    """The player security store for a database URL; ``vault`` seals the TOTP secrets."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.player_security import SqlitePlayerSecurityStore

        return SqlitePlayerSecurityStore(database_url.removeprefix("sqlite:///"), vault)
    from croupier.adapters.storage.postgres.player_security import PostgresPlayerSecurityStore

    return PostgresPlayerSecurityStore(database_url, vault)


def make_revocation_bus(stream_url: str) -> RevocationBus:
    """In this process (``memory://``), or on the NATS every gateway follows."""
    if stream_url == "memory://":
        from croupier.services.accounts.revocations import MemoryRevocationBus

        return MemoryRevocationBus()
    from croupier.adapters.ledger_rpc.server import nats_servers
    from croupier.adapters.stream.nats_revocations import NatsRevocationBus, revocation_subject

    return NatsRevocationBus(nats_servers(stream_url), revocation_subject(stream_url))


def default_mail_url(database_url: str) -> str:
    """``dir://`` a ``croupier-mail`` folder beside the SQLite file (or in the working
    directory with PostgreSQL)."""
    if database_url.startswith("sqlite:///"):
        folder = Path(database_url.removeprefix("sqlite:///")).resolve().parent / "croupier-mail"
    else:
        folder = Path.cwd() / "croupier-mail"
    return f"dir://{folder}"


def make_mailer_for(settings: Settings) -> Mailer:
    from croupier.adapters.mail import make_mailer

    url = settings.mail_url or default_mail_url(settings.database_url)
    try:
        return make_mailer(url, settings.mail_from, starttls=settings.mail_starttls)
    except ValueError as error:
        raise ConfigError(f"CROUPIER_MAIL_URL: {error}") from None


async def open_security(
    settings: Settings, vault: Vault
) -> tuple[SecurityPorts, list[Callable[[], Awaitable[None]]]]:
    """Open the store and start the revocation bus; what closes them, last first."""
    mailer = make_mailer_for(settings)
    store = make_security_store(settings.database_url, vault)
    bus = make_revocation_bus(settings.realtime.stream_url)
    await store.open()
    try:
        await bus.start()
    except BaseException:
        await store.close()
        raise
    ports = SecurityPorts(store, mailer, bus, require_totp=settings.require_player_totp)
    return ports, [bus.close, store.close]
