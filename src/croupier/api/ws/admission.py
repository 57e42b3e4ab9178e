"""How many WebSocket connections one address and one player may hold at once.

An address is counted when a connection opens, a player when a connection authenticates;
each connection gives back what it took once, however it ends. "Address" means what the
HTTP API takes it to mean: the peer's, unless the peer is one of ``CROUPIER_TRUSTED_PROXIES``,
then the one that proxy put in ``X-Forwarded-For`` (as uvicorn reads it for HTTP requests).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

__all__ = ["Admission", "client_address", "trusted_networks"]

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Admission:
    """Counts of open connections per address and per player, against their caps. A
    connection is any hashable ``holder``; what it holds is recorded, so a release is exact
    and may be repeated."""

    def __init__(self, per_address_max: int, per_player_max: int) -> None:
        if per_address_max < 1 or per_player_max < 1:
            raise ValueError("every connection cap must be at least 1")
        self.per_address_max = per_address_max
        self.per_player_max = per_player_max
        self._addresses: Counter[str] = Counter()
        self._players: Counter[str] = Counter()
        self._held: dict[Hashable, tuple[str | None, str | None]] = {}  # address, player

    def admit_address(self, holder: Hashable, address: str | None) -> bool:
        """Count ``holder`` against its address (None: one we cannot tell, not counted);
        False if that address holds its cap already."""
        if address is not None:
            if self._addresses[address] >= self.per_address_max:
                return False
            self._addresses[address] += 1
        self._held[holder] = (address, None)
        return True

    def admit_player(self, holder: Hashable, player_id: str) -> bool:
        """Count ``holder`` against its player (again for the same player: a no-op); False if
        the player holds its cap already."""
        address, held = self._held.get(holder, (None, None))
        if held == player_id:
            return True
        if self._players[player_id] >= self.per_player_max:
            return False
        if held is not None:  # a connection serves one player: the caller closes it anyway
            _give_back(self._players, held)
        self._players[player_id] += 1
        self._held[holder] = (address, player_id)
        return True

    def release(self, holder: Hashable) -> None:
        """Give back what ``holder`` holds (nothing, if it has been released already)."""
        address, player_id = self._held.pop(holder, (None, None))
        if address is not None:
            _give_back(self._addresses, address)
        if player_id is not None:
            _give_back(self._players, player_id)


def _give_back(counts: Counter[str], key: str) -> None:
    counts[key] -= 1
    if counts[key] <= 0:
        del counts[key]  # an idle address or player costs nothing


def trusted_networks(trusted_proxies: Iterable[str]) -> tuple[_Network, ...]:
    """``CROUPIER_TRUSTED_PROXIES`` (addresses or networks) as networks."""
    return tuple(ipaddress.ip_network(item) for item in trusted_proxies)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[_Network]
) -> str | None:
    """The client's address: ``peer``, or if ``peer`` is a trusted proxy, the last address in
    ``X-Forwarded-For`` (its values, in order) that is not a trusted proxy: each proxy appends
    the address it saw, and anything before that is the client's word.

    >>> proxies = trusted_networks(["10.0.0.0/8"])
    >>> client_address("10.0.0.2", ["198.51.100.9, 203.0.113.7"], proxies)
    '203.0.113.7'
    >>> client_address("192.0.2.1", ["203.0.113.7"], proxies)
    '192.0.2.1'
    """
    if peer is None:
        return None
    if not _is_trusted(peer, trusted):
        return _normalised(peer)
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    hops = [_without_port(hop) for hop in hops if hop]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return _normalised(hop)
    return _normalised(hops[0]) if hops else _normalised(peer)


def _is_trusted(host: str, trusted: Sequence[_Network]) -> bool:
    if not trusted:
        return False
    try:
        address: _Address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def _without_port(hop: str) -> str:
    """``[2001:db8::1]:443`` and ``192.0.2.1:443`` without the port, as uvicorn reads them."""
    if hop.startswith("["):
        return hop[1:].partition("]")[0]
    if hop.count(":") == 1:
        return hop.partition(":")[0]
    return hop


def _normalised(host: str) -> str:
    """One spelling per address (IPv6 has many), so one client is one count."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host
