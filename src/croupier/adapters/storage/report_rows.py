"""What the report adapters share: the SQL of each aggregate, on both dialects, and how a row
becomes a report group. One module knows the queries, so SQLite and PostgreSQL agree.

Rounds are read from the ``round.settled`` notice on the player's stream (``player:<id>``):
every game kind writes it in the linked group that settles the round's money (instant and
table rounds alike), as JSON with its full field names (``game_id``, ``currency``,
``stake`` — a table round's whole stake, doubles and splits included — ``win`` and, on a
jackpot hit, ``jackpot_win``). The database groups it (``GROUP BY``) after extracting those
fields (SQLite ``json_extract``, PostgreSQL ``jsonb``); nothing is decoded in Python. The
round's own record on ``round:<id>`` (``round.played`` version 2, short keys) says the same
but only for instant rounds, and a table round's stake is spread over its actions.

Periods are read through the batches: batch timestamps never go back (the writer takes the
later of its clock and the previous batch's), so the batches of a period are one range of
``batch_seq``, which ``events_by_batch`` finds without scanning the other days' events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from croupier.adapters.storage.rows import POSTED_KINDS
from croupier.domain.errors import InvalidReport
from croupier.domain.ledger import AccountKind, TransferKind
from croupier.services.reports.ports import (
    DAY_MS,
    GROUPS_MAX,
    FundingGroup,
    KindTotal,
    RoundGroup,
)

__all__ = [
    "PLAYER_KINDS",
    "ReportSql",
    "balance_totals",
    "funding_group",
    "kind_totals",
    "round_group",
    "within_limit",
]

PLAYER_KINDS: Final = (AccountKind.PLAYER_CASH.value, AccountKind.PLAYER_BONUS.value)
_POSTED = "('" + "', '".join(POSTED_KINDS) + "')"
_PLAYERS = "('" + "', '".join(PLAYER_KINDS) + "')"
_PENDING = TransferKind.PENDING.value
#: Transfers that fund a pool from the house (services/jackpots/pools.py names them).
_FUNDING = "('jackpot_contribution', 'jackpot_seed')"
_POOL = AccountKind.JACKPOT_POOL.value


@dataclass(frozen=True, slots=True)
class ReportSql:
    """The queries of one dialect. ``p(n)`` is its n-th placeholder; ``field(name)`` and
    ``amount(name)`` read a text and an integer out of the event's JSON (alias ``d``)."""

    dialect: str

    def p(self, n: int) -> str:
        return "?" if self.dialect == "sqlite" else f"${n}"

    def field(self, name: str) -> str:
        if self.dialect == "sqlite":
            return f"json_extract(d, '$.{name}')"
        return f"(d ->> '{name}')"

    def amount(self, name: str) -> str:
        if self.dialect == "sqlite":
            return f"COALESCE(json_extract(d, '$.{name}'), 0)"
        return f"COALESCE((d ->> '{name}')::bigint, 0)"

    def period_batches(self) -> str:
        return (
            "SELECT MIN(seq), MAX(seq) FROM batches "
            f"WHERE timestamp_ms >= {self.p(1)} AND timestamp_ms < {self.p(2)}"
        )

    def round_groups(self, *, one_game: bool) -> str:
        document = "data_json" if self.dialect == "sqlite" else "data_json::jsonb"
        game = self.field("game_id")
        only = f"WHERE {game} = {self.p(5)}" if one_game else ""
        # The stream's family by range, not LIKE: exact on both engines, and ':' + 1 is ';'.
        return (
            f"SELECT {game}, {self.field('currency')}, day, {self.amount('stake')}, COUNT(*), "
            f"SUM({self.amount('win')}), SUM({self.amount('jackpot_win')}) "
            f"FROM (SELECT {document} AS d, timestamp_ms / {DAY_MS} AS day FROM events "
            f"WHERE batch_seq BETWEEN {self.p(1)} AND {self.p(2)} "
            "AND type = 'round.settled' AND stream >= 'player:' AND stream < 'player;' "
            f"AND timestamp_ms >= {self.p(3)} AND timestamp_ms < {self.p(4)}) AS settled "
            f"{only} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 LIMIT {GROUPS_MAX + 1}"
        )

    def funding_groups(self) -> str:
        return (
            f"SELECT t.credit_account_id, t.currency, t.timestamp_ms / {DAY_MS}, "
            "SUM(t.amount_minor) FROM accounts a "
            "JOIN transfers t ON t.credit_account_id = a.id "
            f"WHERE a.kind = '{_POOL}' AND t.reason IN {_FUNDING} AND t.kind IN {_POSTED} "
            f"AND t.timestamp_ms >= {self.p(1)} AND t.timestamp_ms < {self.p(2)} "
            f"GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT {GROUPS_MAX + 1}"
        )

    @staticmethod
    def balances_by_kind() -> str:
        return (
            "SELECT kind, currency, SUM(credits_posted - debits_posted), SUM(debits_pending) "
            f"FROM accounts WHERE kind IN {_PLAYERS} GROUP BY 1, 2 ORDER BY 1, 2"
        )

    @staticmethod
    def transfers_by_kind(side: str) -> str:
        """Posted transfers into (``credit``) or out of (``debit``) player accounts."""
        return (
            f"SELECT a.kind, t.currency, SUM(t.amount_minor) FROM transfers t "
            f"JOIN accounts a ON a.id = t.{side}_account_id "
            f"WHERE a.kind IN {_PLAYERS} AND t.kind IN {_POSTED} GROUP BY 1, 2"
        )

    @staticmethod
    def open_reservations_by_kind() -> str:
        """Pending transfers out of player accounts that no post or void has resolved, found
        from the transfers alone (not from ``open_pendings``, the writer's own projection)."""
        return (
            "SELECT a.kind, t.currency, SUM(t.amount_minor) FROM transfers t "
            "JOIN accounts a ON a.id = t.debit_account_id "
            f"WHERE a.kind IN {_PLAYERS} AND t.kind = '{_PENDING}' "
            "AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id) GROUP BY 1, 2"
        )

    @staticmethod
    def head() -> str:
        return "SELECT COALESCE(MAX(seq), 0) FROM batches"


def within_limit(rows: Sequence[Any], what: str) -> Sequence[Any]:
    if len(rows) > GROUPS_MAX:
        raise InvalidReport(
            f"the {what} of this period exceed {GROUPS_MAX} groups: ask for fewer days or a game"
        )
    return rows


def round_group(row: Sequence[Any]) -> RoundGroup:
    return RoundGroup(
        game_id=str(row[0]),
        currency=str(row[1]),
        day=int(row[2]),
        stake_minor=int(row[3]),
        rounds=int(row[4]),
        wins_minor=int(row[5]),
        jackpot_wins_minor=int(row[6]),
    )


def funding_group(row: Sequence[Any]) -> FundingGroup:
    _, game_id, _ = str(row[0]).split(":")  # jackpot:<game>:<currency>
    return FundingGroup(game_id, str(row[1]), int(row[2]), int(row[3]))


def kind_totals(
    credits: Sequence[Any], debits: Sequence[Any], reserved: Sequence[Any]
) -> list[KindTotal]:
    """Posted = credits − debits per (kind, currency); pending = the open reservations."""
    posted: dict[tuple[str, str], int] = {}
    pending: dict[tuple[str, str], int] = {}
    for rows, sign, into in ((credits, 1, posted), (debits, -1, posted), (reserved, 1, pending)):
        for kind, code, total in rows:
            key = (str(kind), str(code))
            into[key] = into.get(key, 0) + sign * int(total)
    return [
        KindTotal(kind, code, posted.get((kind, code), 0), pending.get((kind, code), 0))
        for kind, code in sorted(posted.keys() | pending.keys())
    ]


def balance_totals(rows: Sequence[Any]) -> list[KindTotal]:
    return [KindTotal(str(k), str(c), int(p), int(r)) for k, c, p, r in rows]
