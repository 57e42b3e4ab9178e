"""Shared state between gateways: the Redis adapters of the services' state ports, and the
connection they share (``CROUPIER_STATE_URL``). The in-process adapters stay the embedded
default (``memory://``): see docs/configuration.md, "Shared state"."""

from croupier.adapters.state.connection import RedisState, connect_state
from croupier.adapters.state.jackpots import RedisJackpotDisplay
from croupier.adapters.state.login_limiter import RedisLoginLimiter
from croupier.adapters.state.presence import RedisPlayerConnections

__all__ = [
    "RedisJackpotDisplay",
    "RedisLoginLimiter",
    "RedisPlayerConnections",
    "RedisState",
    "connect_state",
]
