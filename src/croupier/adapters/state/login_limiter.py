"""The login limiter on Redis: what :class:`~croupier.adapters.login_limiter.MemoryLoginLimiter`
does in one process, shared by every gateway of a deployment.

Each operation is one Lua script, so it runs atomically on the Redis server: two gateways
admitting at once can never both take the last slot of a window, and a lock-out reached
through two gateways counts each failure once. Every key has a TTL (a window: a minute; an
account's failures: a day past its lock-out; known addresses: 90 days after the last login
from one), so nothing grows for ever. Keys (under the deployment's prefix)::

    login:ip:<ip>                 a sorted set: admitted attempts of the last minute
    login:account:<account>       the same, per account (from unknown addresses)
    login:fail:<account>          a hash: consecutive failures, locked_until
    login:fail:<account>.<ip>     the same for an address the account is known at
    login:known:<account>         a sorted set: the 4 addresses it last logged in from
    register:ip:<ip>              a sorted set: registrations of the last minute

Addresses and accounts (emails as typed) appear only as the first 128 bits of their
HMAC-SHA256 under the deployment's ``CROUPIER_STATE_SECRET``, in key names and as members:
Redis holds no personal data, in the clear or as a hash anyone could recompute. Redis
unreachable: the attempt is refused with 503 (``Unavailable``), never admitted uncounted.
The clock is the service's (``now_s``), as in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import redis.exceptions

from croupier.adapters.state.connection import RedisState
from croupier.domain.accounts import TooManyAttempts, TooManyRegistrations
from croupier.domain.errors import Unavailable
from croupier.services.accounts.limits import AccountLimits

__all__ = ["RedisLoginLimiter"]

_WINDOW_S = 60
_KNOWN_ADDRESSES_MAX = 4
_KNOWN_TTL_S = 90 * 86_400
_FAILURES_TTL_S = 86_400  # beyond the lock-out

_WINDOW_WAIT = """
local function window_wait(key, limit, now, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now
end
local function add(key, now, window, member)
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, window + 1)
end
"""

# KEYS: ip window, account window, account failures, pair failures, known addresses
# ARGV: now_s, window_s, ip limit, account limit, member, ip
_ADMIT = (
    _WINDOW_WAIT
    + """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local known = redis.call('ZSCORE', KEYS[5], ARGV[6])
local failures = KEYS[3]
if known then failures = KEYS[4] end
local wait = 0
local locked = tonumber(redis.call('HGET', failures, 'locked_until') or '0')
if locked > now then wait = locked - now end
wait = math.max(wait, window_wait(KEYS[1], tonumber(ARGV[3]), now, window))
if not known then
  wait = math.max(wait, window_wait(KEYS[2], tonumber(ARGV[4]), now, window))
end
if wait > 0 then return tostring(wait) end
add(KEYS[1], now, window, ARGV[5])
if not known then add(KEYS[2], now, window, ARGV[5]) end
return '0'
"""
)

# KEYS: registrations window; ARGV: now_s, window_s, limit, member
_ADMIT_REGISTRATION = (
    _WINDOW_WAIT
    + """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = window_wait(KEYS[1], tonumber(ARGV[3]), now, window)
if wait > 0 then return tostring(wait) end
add(KEYS[1], now, window, ARGV[4])
return '0'
"""
)

# KEYS: account failures, pair failures, known addresses; ARGV: now_s, failures max,
# lockout_s, ip, ttl_s
_RECORD_FAILURE = """
local failures = KEYS[1]
if redis.call('ZSCORE', KEYS[3], ARGV[4]) then failures = KEYS[2] end
local count = redis.call('HINCRBY', failures, 'consecutive', 1)
if count >= tonumber(ARGV[2]) then
  redis.call('HSET', failures, 'consecutive', 0,
             'locked_until', tostring(tonumber(ARGV[1]) + tonumber(ARGV[3])))
end
redis.call('EXPIRE', failures, tonumber(ARGV[3]) + tonumber(ARGV[5]))
return count
"""

# KEYS: account failures, pair failures, known addresses; ARGV: now_s, ip, known max, ttl_s
_RECORD_SUCCESS = """
if redis.call('ZSCORE', KEYS[3], ARGV[2]) then
  redis.call('DEL', KEYS[2])
else
  redis.call('DEL', KEYS[1])
end
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[3]) + 1))
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
"""


class RedisLoginLimiter:
    """The :class:`~croupier.services.accounts.ports.LoginLimiter` port on Redis."""

    def __init__(self, state: RedisState, limits: AccountLimits, secret: bytes) -> None:
        if not secret:
            raise ValueError("the pseudonyms need a secret")
        self.state = state
        self.limits = limits
        self._secret = secret
        client = state.client
        self._admit = client.register_script(_ADMIT)
        self._admit_registration = client.register_script(_ADMIT_REGISTRATION)
        self._record_failure = client.register_script(_RECORD_FAILURE)
        self._record_success = client.register_script(_RECORD_SUCCESS)

    async def admit_registration(self, *, ip: str, now_s: float) -> None:
        ip = self._pseudonym(ip)
        wait_s = await _run(
            self._admit_registration,
            [self.state.key("register", "ip", ip)],
            [now_s, _WINDOW_S, self.limits.registrations_per_ip_per_minute, _member(now_s)],
        )
        if float(wait_s) > 0:
            raise TooManyRegistrations(retry_after_s=max(1, math.ceil(float(wait_s))))

    async def admit(self, *, ip: str, account: str, now_s: float) -> None:
        ip, account = self._pseudonym(ip), self._pseudonym(account)
        keys = [
            self.state.key("login", "ip", ip),
            self.state.key("login", "account", account),
            *self._failure_keys(ip, account),
        ]
        limits = self.limits
        wait_s = await _run(
            self._admit,
            keys,
            [
                now_s,
                _WINDOW_S,
                limits.login_attempts_per_ip_per_minute,
                limits.login_attempts_per_account_per_minute,
                _member(now_s),
                ip,
            ],
        )
        if float(wait_s) > 0:
            raise TooManyAttempts(retry_after_s=max(1, math.ceil(float(wait_s))))

    async def record_failure(self, *, ip: str, account: str, now_s: float) -> None:
        ip, account = self._pseudonym(ip), self._pseudonym(account)
        await _run(
            self._record_failure,
            self._failure_keys(ip, account),
            [now_s, self.limits.login_failures_max, self.limits.lockout_s, ip, _FAILURES_TTL_S],
        )

    async def record_success(self, *, ip: str, account: str, now_s: float) -> None:
        ip, account = self._pseudonym(ip), self._pseudonym(account)
        await _run(
            self._record_success,
            self._failure_keys(ip, account),
            [now_s, ip, _KNOWN_ADDRESSES_MAX, _KNOWN_TTL_S],
        )

    def _pseudonym(self, value: str) -> str:
        """What an address or an account is known as in Redis: one per value, keyed with the
        deployment's secret, so reading Redis reveals neither (a plain hash of every IPv4
        address, or of a list of emails, is a few seconds' work)."""
        return hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()[:32]

    def _failure_keys(self, ip: str, account: str) -> list[str]:
        """The account's failures, that pair's (for an address it is known at), and its
        known addresses: the script picks between the first two."""
        return [
            self.state.key("login", "fail", account),
            self.state.key("login", "fail", f"{account}.{ip}"),
            self.state.key("login", "known", account),
        ]


def _member(now_s: float) -> str:
    """A window entry: unique, so two attempts in the same instant count twice."""
    return f"{now_s!r}:{secrets.token_hex(6)}"


async def _run(script: Callable[..., Awaitable[Any]], keys: list[str], args: list[Any]) -> Any:
    try:
        result = await script(keys=keys, args=args)
    except redis.exceptions.RedisError as error:
        raise Unavailable(f"the shared state store is unreachable: {error}") from error
    return result.decode() if isinstance(result, bytes) else result
