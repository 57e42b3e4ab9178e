"""The cash-table escrow invariant as ``croupier ledger verify`` checks it.

Every event a live table appends to its stream ``table:<id>`` states the escrow balance its
commit leaves: ``escrow_account`` and ``escrow_minor`` (the table's stacks plus every chip
bet or in a pot, counted by the table as it commits). The ledger's auditor recomputes each
escrow account's balance from the transfers alone and compares it, commit by commit, with
the claim: so **escrow == sum of stacks + pots** is checked at every commit, from the
ledger's own records.

Standard library only (the auditor imports it).

>>> escrow_claims([("table:t1", '{"escrow_account": "escrow:t1:EUR", "escrow_minor": 900}'),
...                ("player:p1", '{"escrow_minor": 5}')])
{'escrow:t1:EUR': ('table:t1', 900)}
"""

from __future__ import annotations

import json
from collections.abc import Iterable

__all__ = ["TABLE_STREAM_PREFIX", "escrow_claims"]

#: A live table's events are on ``table:<table id>``.
TABLE_STREAM_PREFIX = "table:"


def escrow_claims(events: Iterable[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    """The last claim per escrow account among one commit's ``(stream, data_json)`` events:
    ``{account: (stream, escrow_minor)}``."""
    claims: dict[str, tuple[str, int]] = {}
    for stream, data_json in events:
        if not stream.startswith(TABLE_STREAM_PREFIX):
            continue
        data = json.loads(data_json)
        account, amount = data.get("escrow_account"), data.get("escrow_minor")
        if isinstance(account, str) and type(amount) is int:
            claims[account] = (stream, amount)
    return claims
