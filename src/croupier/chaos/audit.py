"""After the run, against the ledger on the surviving primary (through HAProxy's write port):

- every acknowledged round exists exactly once: one ``round.played`` on its ``round:<id>``
  stream and one stake transfer ``<id>:stake``;
- every wallet equals its own transaction history: the cash account's posted balance (the
  projection the ledger keeps) equals the sum of the posted transfers on it (and
  :func:`wallet_mismatches` compares the wallet the gateway shows with that history);
- ``croupier ledger verify`` passes;
- the last seq of each player stream (to compare with what its WebSocket player received).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from croupier.chaos.bettors import Acknowledged
from croupier.domain.accounts.player import cash_account_id

__all__ = ["Audit", "audit", "stream_heads"]

VERIFY_TIMEOUT_S = 300.0

_ROUNDS = """
SELECT substr(stream, 7) AS round_id, count(*) AS n FROM events
WHERE stream = ANY($1::text[]) AND type = 'round.played' GROUP BY stream
"""
_STAKES = """
SELECT split_part(id, ':', 1) AS round_id, count(*) AS n FROM transfers
WHERE id = ANY($1::text[]) GROUP BY 1
"""
# Posted movements only (a pending reservation moves nothing until posted); a void or a
# pending changes the pending columns, which the wallet shows apart.
_HISTORY = """
SELECT a.id,
       a.credits_posted - a.debits_posted AS projected,
       a.credits_pending + a.debits_pending AS pending,
       coalesce((SELECT sum(t.amount_minor) FROM transfers t
                 WHERE t.credit_account_id = a.id AND t.kind IN ('single', 'post')), 0)
     - coalesce((SELECT sum(t.amount_minor) FROM transfers t
                 WHERE t.debit_account_id = a.id AND t.kind IN ('single', 'post')), 0)
       AS history
FROM accounts a WHERE a.id = ANY($1::text[])
"""


@dataclass(slots=True)
class Audit:
    acknowledged: int = 0
    missing: list[str] = field(default_factory=list)  # acknowledged, not in the ledger
    applied_twice: list[str] = field(default_factory=list)
    wallets: int = 0
    wallet_mismatches: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, int] = field(default_factory=dict)  # cash account → posted history
    verify_ok: bool = False
    verify: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            not self.missing
            and not self.applied_twice
            and not self.wallet_mismatches
            and self.verify_ok
        )


async def audit(database_url: str, acknowledged: Sequence[Acknowledged]) -> Audit:
    result = Audit(acknowledged=len({a.round_id for a in acknowledged}))
    ids = sorted({a.round_id for a in acknowledged})
    accounts = sorted({cash_account_id(a.player_id) for a in acknowledged})
    connection = await asyncpg.connect(database_url, timeout=30)
    try:
        played = {
            r["round_id"]: r["n"]
            for r in await connection.fetch(_ROUNDS, [f"round:{i}" for i in ids])
        }
        stakes = {
            r["round_id"]: r["n"]
            for r in await connection.fetch(_STAKES, [f"{i}:stake" for i in ids])
        }
        rows = await connection.fetch(_HISTORY, accounts)
    finally:
        await connection.close()
    for round_id in ids:
        if played.get(round_id, 0) == 0 or stakes.get(round_id, 0) == 0:
            result.missing.append(round_id)
        elif played[round_id] > 1 or stakes[round_id] > 1:
            result.applied_twice.append(round_id)
    result.wallets = len(rows)
    for row in rows:
        result.history[row["id"]] = int(row["history"])
        if row["projected"] != row["history"]:
            result.wallet_mismatches.append(dict(row))
    result.verify = ledger_verify(database_url)
    result.verify_ok = bool(result.verify.get("ok"))
    return result


def ledger_verify(database_url: str) -> dict[str, Any]:
    """``croupier ledger verify --json`` on that database, as an operator would run it."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "croupier",
            "ledger",
            "verify",
            "--database-url",
            database_url,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=VERIFY_TIMEOUT_S,
        check=False,
    )
    try:
        return dict(json.loads(done.stdout))
    except ValueError:
        return {"ok": False, "exit": done.returncode, "stderr": done.stderr[-2000:]}


async def stream_heads(database_url: str, player_ids: Sequence[str]) -> dict[str, int]:
    """Each player stream's last seq in the ledger's outbox."""
    connection = await asyncpg.connect(database_url, timeout=30)
    try:
        rows = await connection.fetch(
            "SELECT stream, max(seq) AS head FROM events WHERE stream = ANY($1::text[]) "
            "GROUP BY stream",
            [f"player:{p}" for p in player_ids],
        )
    finally:
        await connection.close()
    return {str(r["stream"]).removeprefix("player:"): int(r["head"]) for r in rows}


def wallet_mismatches(
    history: dict[str, int], wallets: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Players whose wallet (``GET /v1/wallet``: cash, plus what is pending) is not their
    cash account's history."""
    wrong = []
    for player_id, wallet in wallets.items():
        expected = history.get(cash_account_id(player_id))
        if expected is not None and int(wallet["cash"]) + int(wallet["pending"]) != expected:
            wrong.append({"player_id": player_id, "wallet": wallet, "history": expected})
    return wrong
