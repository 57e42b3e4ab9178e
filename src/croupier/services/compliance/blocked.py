"""Blocked attempts, kept for the regulator: every 451 ``geo-blocked`` at registration,
login or a request, and every 403 ``self-excluded`` / ``timed-out`` login.

Three records, each for its reader:

* **a count** of every attempt by stage, reason and country (:attr:`BlockedAttempts.counts`,
  exposed as the Prometheus counter ``croupier_compliance_blocked_total``): nothing is lost;
* **the audit trail** (``compliance.geo-blocked``; durable, hash-chained, queried with
  ``croupier audit query --action compliance.``), which also writes the line on the
  ``croupier.security`` log. The trail is one global append (a lock per record), so a
  record per refused request would let a client hammering a blocked address turn each
  request into a database write. Records are therefore *folded*: the first attempt of a
  kind (stage, reason, located country, and the player or the address's network) in an
  hour is recorded, and repeats within the hour are counted into the next record of that
  kind (``after.repeats``); over :data:`RECORDS_PER_MINUTE_MAX` records a minute (an
  attacker rotating addresses) attempts are counted only, and the next record says how many
  went unrecorded (``after.unrecorded``). The trail is written at most once a second on
  average by one process, whatever arrives.
* **the address** is kept as its network, not whole: ``203.0.113.0/24``, ``2001:db8:826::/48``.
  The trail is kept for years and never pruned, and most blocked addresses are not customers'
  (people abroad, VPN exits); the network and the located country are what a regulator
  asks (where the attempts came from), without keeping a person's address for a decade. A
  plain hash of an IPv4 address would be reversible in seconds, so it is not used.

The 403 exclusion refusals are audited where they happen (``player.login.refused``, one
record per attempt: logins pass the login rate limiter first, so they are already bounded);
they are counted here.
"""

from __future__ import annotations

import ipaddress
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from croupier.services.audit.ports import AuditEntry, AuditTrail

__all__ = ["BlockedAttempt", "BlockedAttempts", "network_of"]

#: Audit records of blocked attempts one process writes a minute, at most.
RECORDS_PER_MINUTE_MAX: Final = 60
#: How long repeats of one kind are folded into its next record.
FOLD_WINDOW_S: Final = 3600
#: Kinds remembered for folding (the oldest forgotten first).
KINDS_MAX: Final = 10_000

_log = logging.getLogger("croupier.compliance")


@dataclass(frozen=True, slots=True)
class BlockedAttempt:
    """``stage``: ``registration``, ``login``, ``request``; ``reason``: the refusal's code
    (``vpn-or-proxy``, ``unlicensed`` …, ``self-excluded``); ``country``: where the address
    was located (``""``: unknown); ``registered``: the player's registered region;
    ``player_id``: ``None`` before an account exists."""

    stage: str
    reason: str
    country: str
    registered: str
    ip: str
    player_id: str | None = None


@dataclass(slots=True)
class _Kind:
    recorded_at_s: float
    repeats: int = 0


class BlockedAttempts:
    def __init__(
        self,
        audit: AuditTrail | None,
        *,
        clock_s: Callable[[], float],
        records_per_minute_max: int = RECORDS_PER_MINUTE_MAX,
        fold_window_s: float = FOLD_WINDOW_S,
        kinds_max: int = KINDS_MAX,
    ) -> None:
        if records_per_minute_max < 1 or fold_window_s <= 0 or kinds_max < 1:
            raise ValueError("blocked attempts need positive bounds")
        self.audit = audit
        self._clock_s = clock_s
        self._per_minute_max = records_per_minute_max
        self._fold_window_s = fold_window_s
        self._kinds_max = kinds_max
        #: (stage, reason, country) → attempts: the Prometheus counter's values.
        self.counts: Counter[tuple[str, str, str]] = Counter()
        self._kinds: OrderedDict[tuple[str, str, str, str], _Kind] = OrderedDict()
        self._minute = -1
        self._recorded_this_minute = 0
        self._unrecorded = 0

    def count(self, stage: str, reason: str, country: str) -> None:
        """Count an attempt recorded elsewhere (a login refused for an exclusion)."""
        self.counts[(stage, reason, country)] += 1

    async def record(self, attempt: BlockedAttempt) -> None:
        """Count ``attempt`` and, unless folded or over the minute's budget, audit it. An
        audit that fails is logged and swallowed: the refusal stands either way."""
        self.count(attempt.stage, attempt.reason, attempt.country)
        if self.audit is None:
            return
        network = network_of(attempt.ip)
        who = f"player:{attempt.player_id}" if attempt.player_id else network
        key = (attempt.stage, attempt.reason, attempt.country, who)
        now_s = self._clock_s()
        kind = self._kinds.get(key)
        if kind is not None and now_s - kind.recorded_at_s < self._fold_window_s:
            kind.repeats += 1
            return
        if not self._within_budget(now_s):
            self._unrecorded += 1
            return
        repeats = 0 if kind is None else kind.repeats
        self._remember(key, now_s)
        unrecorded, self._unrecorded = self._unrecorded, 0
        actor = who if attempt.player_id else "anonymous"
        entry = AuditEntry(
            actor,
            "compliance.geo-blocked",
            subject=who if attempt.player_id else None,
            source_ip=network,
            reason=attempt.reason,
            after={
                "stage": attempt.stage,
                "located": attempt.country or None,
                "registered": attempt.registered,
                "repeats": repeats,
                "unrecorded": unrecorded,
            },
        )
        try:
            await self.audit.record(entry)
        except Exception:  # the trail logged it at ERROR; the client still gets its 451
            _log.exception("a blocked attempt could not be audited")

    def _within_budget(self, now_s: float) -> bool:
        minute = int(now_s // 60)
        if minute != self._minute:
            self._minute, self._recorded_this_minute = minute, 0
        if self._recorded_this_minute >= self._per_minute_max:
            return False
        self._recorded_this_minute += 1
        return True

    def _remember(self, key: tuple[str, str, str, str], now_s: float) -> None:
        self._kinds[key] = _Kind(now_s)
        self._kinds.move_to_end(key)
        while len(self._kinds) > self._kinds_max:
            self._kinds.popitem(last=False)


def network_of(ip: str) -> str:
    """The address's network, as kept in the trail: IPv4 /24, IPv6 /48; anything else
    (``"unknown"``, a name) as ``"unknown"``.

    >>> network_of("203.0.113.77"), network_of("2001:db8:826::10"), network_of("x")
    ('203.0.113.0/24', '2001:db8:826::/48', 'unknown')
    """
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
