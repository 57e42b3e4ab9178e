"""What ``CROUPIER_STATE_URL`` names, parsed and checked without connecting (settings are
checked at start-up, before anything connects): see :mod:`.connection`."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

__all__ = ["StateAddress", "parse_state_url"]


@dataclass(frozen=True)
class StateAddress:
    """One Redis server (``url``), or the sentinels that know a primary (``sentinels``,
    ``master``, ``db``, ``password``); every key under ``prefix:``."""

    prefix: str
    url: str | None = None
    sentinels: tuple[tuple[str, int], ...] = ()
    master: str = ""
    db: int = 0
    password: str | None = None


def parse_state_url(url: str) -> StateAddress:
    """``redis://…``, ``rediss://…`` or ``redis+sentinel://h:p,h:p/MASTER[/db]``, each with
    an optional ``?prefix=NAME`` (default ``croupier``); ``ValueError`` says what is wrong."""
    address, _, query = url.partition("?")
    options = dict(urllib.parse.parse_qsl(query))
    prefix = options.pop("prefix", "croupier")
    if not prefix or ":" in prefix:
        raise ValueError(f"a state key prefix is a non-empty name without ':': {prefix!r}")
    if options:
        raise ValueError(f"unknown options in the state URL: {sorted(options)}")
    if address.startswith(("redis://", "rediss://")):
        return StateAddress(prefix, url=address)
    if not address.startswith("redis+sentinel://"):
        raise ValueError("a state URL is memory://, redis://… or redis+sentinel://…")
    parts = urllib.parse.urlsplit(address)
    hosts = []
    for host_port in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = host_port.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"a Sentinel address is host:port: {host_port!r}")
        hosts.append((host.removeprefix("[").removesuffix("]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError("a Sentinel URL ends with /MASTER_NAME[/DB]")
    return StateAddress(
        prefix,
        sentinels=tuple(hosts),
        master=path[0],
        db=int(path[1]) if len(path) == 2 else 0,
        password=parts.password,
    )
