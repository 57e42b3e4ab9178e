"""The in-memory login limiter: sliding windows per IP and per account, and lock-outs.

One process only: behind several gateways a shared (Redis) limiter replaces it through the
:class:`~croupier.services.accounts.ports.LoginLimiter` port. Memory is bounded: each map
keeps at most ``tracked_keys_max`` keys, forgetting the least recently used. Forgetting fails
open (an attacker who floods the map may reset a lock-out early) rather than closed (letting
an attacker lock every player out); the per-IP window makes such a flood slow.

An attacker who knows a player's email could otherwise keep that player locked out for good
(five wrong passwords every quarter of an hour). So the addresses an account last logged in
from are *known* to it: from those, the account's lock-out and window do not apply (their
failures count on their own, per address), and only the per-IP window does.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass

from croupier.domain.accounts import TooManyAttempts, TooManyRegistrations
from croupier.services.accounts.limits import AccountLimits

__all__ = ["MemoryLoginLimiter"]

_WINDOW_S = 60.0
_KNOWN_ADDRESSES_MAX = 4  # per account: home, work, phone …


@dataclass(slots=True)
class _Failures:
    consecutive: int = 0
    locked_until_s: float = 0.0


class _Windows:
    """Times of admitted attempts in the last minute, per key, at most ``limit`` each."""

    def __init__(self, limit: int, keys_max: int) -> None:
        self.limit = limit
        self.keys_max = keys_max
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after_s(self, key: str, now_s: float) -> float:
        """0 if one more attempt fits in the window, else the seconds until one does."""
        times = self._times.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now_s - _WINDOW_S:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[0] + _WINDOW_S - now_s

    def add(self, key: str, now_s: float) -> None:
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque(maxlen=self.limit)
            if len(self._times) > self.keys_max:
                self._times.popitem(last=False)
        self._times.move_to_end(key)
        times.append(now_s)

    def __len__(self) -> int:
        return len(self._times)


class MemoryLoginLimiter:
    """Per-IP and per-account sliding windows, and per-account lock-out after failures."""

    def __init__(self, limits: AccountLimits) -> None:
        self.limits = limits
        self._ips = _Windows(limits.login_attempts_per_ip_per_minute, limits.tracked_keys_max)
        self._accounts = _Windows(
            limits.login_attempts_per_account_per_minute, limits.tracked_keys_max
        )
        self._registrations = _Windows(
            limits.registrations_per_ip_per_minute, limits.tracked_keys_max
        )
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._known: OrderedDict[str, deque[str]] = OrderedDict()  # account -> IP keys

    @property
    def tracked_keys(self) -> int:
        """How many keys the limiter remembers now (each map stays under its cap)."""
        return (
            len(self._ips)
            + len(self._accounts)
            + len(self._failures)
            + len(self._known)
            + len(self._registrations)
        )

    async def admit_registration(self, *, ip: str, now_s: float) -> None:
        wait_s = self._registrations.retry_after_s(ip, now_s)
        if wait_s > 0:
            raise TooManyRegistrations(retry_after_s=max(1, math.ceil(wait_s)))
        self._registrations.add(ip, now_s)

    async def admit(self, *, ip: str, account: str, now_s: float) -> None:
        failures_key = self._failures_key(ip, account)
        wait_s = max(self._locked_for_s(failures_key, now_s), self._ips.retry_after_s(ip, now_s))
        known = failures_key != account
        if not known:
            wait_s = max(wait_s, self._accounts.retry_after_s(account, now_s))
        if wait_s > 0:
            raise TooManyAttempts(retry_after_s=max(1, math.ceil(wait_s)))
        self._ips.add(ip, now_s)
        if not known:
            self._accounts.add(account, now_s)

    async def record_failure(self, *, ip: str, account: str, now_s: float) -> None:
        key = self._failures_key(ip, account)
        state = self._failures.get(key)
        if state is None:
            state = self._failures[key] = _Failures()
            if len(self._failures) > self.limits.tracked_keys_max:
                self._failures.popitem(last=False)
        self._failures.move_to_end(key)
        state.consecutive += 1
        if state.consecutive >= self.limits.login_failures_max:
            state.consecutive = 0
            state.locked_until_s = now_s + self.limits.lockout_s

    async def record_success(self, *, ip: str, account: str, now_s: float) -> None:
        self._failures.pop(self._failures_key(ip, account), None)
        addresses = self._known.get(account)
        if addresses is None:
            addresses = self._known[account] = deque(maxlen=_KNOWN_ADDRESSES_MAX)
            if len(self._known) > self.limits.tracked_keys_max:
                self._known.popitem(last=False)
        self._known.move_to_end(account)
        if ip in addresses:
            addresses.remove(ip)
        addresses.append(ip)

    def _failures_key(self, ip: str, account: str) -> str:
        """The account's own key, or for an address it logged in from, that pair's."""
        if ip in self._known.get(account, ()):
            return f"{account}\n{ip}"  # no account or IP key holds a newline
        return account

    def _locked_for_s(self, account: str, now_s: float) -> float:
        state = self._failures.get(account)
        if state is None or state.locked_until_s <= now_s:
            return 0.0
        return state.locked_until_s - now_s
