"""The admin listener's IP allow-list, enforced before routing (no route, no body parsing).

The source is the connection's peer address, or the ``X-Forwarded-For`` client that uvicorn
has already put in its place when the peer is a trusted proxy
(``CROUPIER_TRUSTED_PROXIES``), exactly as on the players' port.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from croupier.api.http.problems import problem_response
from croupier.services.audit import AuditEntry

__all__ = ["AllowList", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.0/8``, ``::1`` … as networks (a bare address is its own /32 or /128)."""
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def allowed(networks: tuple[Network, ...], source: str | None) -> bool:
    """Whether ``source`` falls in one of ``networks`` (an IPv4-mapped IPv6 address counts as
    its IPv4 one; no address, or an unreadable one, never does)."""
    if source is None:
        return False
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


class AllowList:
    """ASGI middleware: a request from outside ``networks`` gets 403 problem+json, and the
    refusal goes to the audit trail (``record``) as ``admin.refused``."""

    def __init__(
        self,
        app: ASGIApp,
        networks: tuple[Network, ...],
        record: Callable[[AuditEntry], Awaitable[None]],
    ) -> None:
        self.app = app
        self.networks = networks
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        source = client[0] if client else None
        if allowed(self.networks, source):
            await self.app(scope, receive, send)
            return
        await self.record(
            AuditEntry(
                actor="anonymous",
                action="admin.refused",
                subject=f"{scope.get('method', 'WS')} {scope['path'][:200]}",
                source_ip=source,
                reason="source address outside CROUPIER_ADMIN_ALLOW",
            )
        )
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = problem_response(
            403, "forbidden", "Forbidden", "this address may not reach the admin API"
        )
        await response(scope, receive, send)
