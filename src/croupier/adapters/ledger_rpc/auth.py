"""Who may move money over NATS: every ledger request and every reply carries an
HMAC-SHA256 of its exact bytes, keyed with ``CROUPIER_LEDGER_SECRET``, in the header
``Croupier-Ledger-Auth: <unix ms>:<hex mac>``.

Anyone who can publish on ``<prefix>.ledger.submit`` could otherwise have the writer apply
a transfer from the house to themselves. The mac covers a direction label, the timestamp
and the body, so a reply cannot pass for a request; a reply's mac covers its request's mac
too, so a gateway takes only the answer to what it asked, from someone who holds the key.
The timestamp bounds replays to ``MAX_AGE_S`` (clocks may differ by as much either way);
within that, the writer remembers each request's mac (``Replays``) and refuses a second
copy. Idempotent ids alone would not do: a withdrawal refused for want of funds leaves no
trace, and its copy, replayed once funds arrived, would apply it. A gateway's own retry is
signed afresh, so it is never taken for a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque

__all__ = ["HEADER", "MAX_AGE_S", "BadSignature", "Replays", "sign", "verify"]

HEADER = "Croupier-Ledger-Auth"
#: A request or reply signed longer ago than this (or as far in the future) is refused.
MAX_AGE_S = 60.0
REQUEST, REPLY = b"croupier-ledger-request", b"croupier-ledger-reply"


class BadSignature(Exception):
    """Unsigned, badly signed or stale: the reason, for the log."""


def _mac(secret: bytes, label: bytes, stamp: str, bound: str, body: bytes) -> str:
    message = b"\0".join((label, stamp.encode(), bound.encode(), body))
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign(
    secret: bytes, label: bytes, body: bytes, *, bound: str = "", now: float | None = None
) -> tuple[str, str]:
    """The header value, and the mac (what a reply is bound to)."""
    stamp = str(int((time.time() if now is None else now) * 1000))
    mac = _mac(secret, label, stamp, bound, body)
    return f"{stamp}:{mac}", mac


def verify(
    secret: bytes,
    label: bytes,
    header: str | None,
    body: bytes,
    *,
    bound: str = "",
    now: float | None = None,
) -> str:
    """The mac of a well-signed, fresh message; ``BadSignature`` otherwise."""
    if not header:
        raise BadSignature("unsigned")
    stamp, _, mac = header.partition(":")
    if not stamp.isdigit() or len(stamp) > 16:
        raise BadSignature("a malformed signature")
    if not hmac.compare_digest(mac.encode(), _mac(secret, label, stamp, bound, body).encode()):
        raise BadSignature("a bad signature")
    age_s = (time.time() if now is None else now) - int(stamp) / 1000
    if abs(age_s) > MAX_AGE_S:
        raise BadSignature(f"a stale signature ({age_s:.0f} s old)")
    return mac


class Replays:
    """The macs of the requests seen while they could still pass for fresh: twice
    ``MAX_AGE_S``, since a request may be signed up to that far ahead of this clock."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._order: deque[tuple[float, str]] = deque()  # (forget at, mac), oldest first

    def first(self, mac: str, *, now: float | None = None) -> bool:
        """Whether ``mac`` is new (and remember it)."""
        now = time.monotonic() if now is None else now
        while self._order and self._order[0][0] <= now:
            self._seen.discard(self._order.popleft()[1])
        if mac in self._seen:
            return False
        self._seen.add(mac)
        self._order.append((now + 2 * MAX_AGE_S, mac))
        return True

    def __len__(self) -> int:
        return len(self._seen)
