"""JSON as the edge reads it: a duplicate key in any object is malformed, not "last one wins".

A proxy, WAF or audit log in front of us may read the *first* ``"amount"`` of
``{"amount": 100, "amount": 99999999}`` while Python's ``json`` keeps the last: two readers
of one body must never disagree about how much money it moves. HTTP bodies and WebSocket
messages both parse through :func:`loads`.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DuplicateKey", "loads"]


class DuplicateKey(ValueError):
    """An object names the same key twice (a ``ValueError``, as ``json`` errors are)."""


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(f"the key {key!r} appears twice in one object")
        seen.add(key)
    raise AssertionError("unreachable: dict() dropped a key that is not repeated")


def loads(payload: str | bytes | bytearray) -> Any:
    """``json.loads``, refusing duplicate keys (raises ``ValueError``, ``UnicodeDecodeError``
    or, for input nested past the stack, ``RecursionError``, as ``json.loads`` does)."""
    return json.loads(payload, object_pairs_hook=_object_without_duplicates)
