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

Periods are read through the batches: the first and last batch stamped within the period
bound a range of ``batch_seq`` holding all of its events, whatever the clocks did; a writer
never stamps a batch earlier than the one before, so the range holds little else, and
``events_by_batch`` finds it without scanning the other days' events. Each event's own
timestamp is still tested.

Jackpot funding is the period's contributions (``round.played``, and the ``round.settled``
of instant rounds written in two parts by older versions) plus its seed transfers, looked up
by id: a pool's first seed and the reseed of each ``jackpot.won`` of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from croupier.adapters.storage.rows import POSTED_KINDS, Fetch
from croupier.domain.errors import InvalidReport
from croupier.domain.events.streams import LOBBY_STREAM
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
    "PeriodReads",
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
#: Ids looked up in one ``IN`` list.
_IDS_PER_QUERY: Final = 500
_POOL = AccountKind.JACKPOT_POOL.value


@dataclass(frozen=True, slots=True)
class ReportSql:
    """The queries of one dialect. ``p(n)`` is its n-th placeholder; ``text(doc, *names)``
    and ``amount(doc, *names)`` read the first present of ``names`` out of a JSON document
    (a column alias) as text or as an integer (0 when none is present)."""

    dialect: str

    def p(self, n: int) -> str:
        return "?" if self.dialect == "sqlite" else f"${n}"

    def document(self, column: str) -> str:
        return column if self.dialect == "sqlite" else f"{column}::jsonb"

    def _one(self, doc: str, name: str, integer: bool) -> str:
        if self.dialect == "sqlite":
            return f"json_extract({doc}, '$.{name}')"
        return f"({doc} ->> '{name}')::bigint" if integer else f"({doc} ->> '{name}')"

    def text(self, doc: str, *names: str) -> str:
        found = [self._one(doc, name, False) for name in names]
        return found[0] if len(found) == 1 else f"COALESCE({', '.join(found)})"

    def amount(self, doc: str, *names: str) -> str:
        return f"COALESCE({', '.join(self._one(doc, name, True) for name in names)}, 0)"

    def period_batches(self) -> str:
        return (
            "SELECT MIN(seq), MAX(seq) FROM batches "
            f"WHERE timestamp_ms >= {self.p(1)} AND timestamp_ms < {self.p(2)}"
        )

    def _in_period(self, table: str = "") -> str:
        """Parameters 1-4: the period's batch range, then its start and end."""
        e = f"{table}." if table else ""
        return (
            f"{e}batch_seq BETWEEN {self.p(1)} AND {self.p(2)} "
            f"AND {e}timestamp_ms >= {self.p(3)} AND {e}timestamp_ms < {self.p(4)}"
        )

    def round_groups(self, *, one_game: bool) -> str:
        game = self.text("d", "game_id")
        only = f"WHERE {game} = {self.p(5)}" if one_game else ""
        # The stream's family by range, not LIKE: exact on both engines, and ':' + 1 is ';'.
        return (
            f"SELECT {game}, {self.text('d', 'currency')}, day, {self.amount('d', 'stake')}, "
            f"COUNT(*), SUM({self.amount('d', 'win')}), SUM({self.amount('d', 'jackpot_win')}) "
            f"FROM (SELECT {self.document('data_json')} AS d, timestamp_ms / {DAY_MS} AS day "
            f"FROM events WHERE {self._in_period()} AND type = 'round.settled' "
            "AND stream >= 'player:' AND stream < 'player;') AS settled "
            f"{only} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 LIMIT {GROUPS_MAX + 1}"
        )

    def contributions(self) -> str:
        """Jackpot contributions of the period's instant rounds, from ``round.played``
        (version 2's short keys, or version 1's full names)."""
        contribution = self.amount("d", "jc", "jackpot_contribution")
        return (
            f"SELECT {self.text('d', 'g', 'game_id')}, {self.text('d', 'c', 'currency')}, day, "
            f"SUM({contribution}) FROM (SELECT {self.document('data_json')} AS d, "
            f"timestamp_ms / {DAY_MS} AS day FROM events WHERE {self._in_period()} "
            "AND type = 'round.played' AND stream >= 'round:' AND stream < 'round;') AS played "
            f"GROUP BY 1, 2, 3 HAVING SUM({contribution}) > 0 ORDER BY 1, 2, 3 "
            f"LIMIT {GROUPS_MAX + 1}"
        )

    def older_contributions(self) -> str:
        """Contributions of instant rounds written by versions that settled in two records
        (``round.started`` then ``round.settled`` on the round's stream): the game and
        currency are the start's. A table round's settlement contributes 0 and drops out."""
        contribution = self.amount("d", "jackpot_contribution")
        return (
            f"SELECT {self.text('s', 'game_id')}, {self.text('s', 'currency')}, day, "
            f"SUM({contribution}) FROM (SELECT {self.document('e.data_json')} AS d, "
            f"{self.document('s.data_json')} AS s, e.timestamp_ms / {DAY_MS} AS day "
            "FROM events e JOIN events s ON s.stream = e.stream AND s.seq = 1 "
            f"WHERE {self._in_period('e')} AND e.type = 'round.settled' "
            "AND e.stream >= 'round:' AND e.stream < 'round;') AS settled "
            f"GROUP BY 1, 2, 3 HAVING SUM({contribution}) > 0 ORDER BY 1, 2, 3 "
            f"LIMIT {GROUPS_MAX + 1}"
        )

    def jackpot_hits(self) -> str:
        """The round ids of the period's jackpot hits (``jackpot.won`` on the lobby)."""
        return (
            f"SELECT {self.text('d', 'round_id')} FROM (SELECT {self.document('data_json')} "
            f"AS d FROM events WHERE {self._in_period()} AND type = 'jackpot.won' "
            f"AND stream = '{LOBBY_STREAM}') AS hits LIMIT {GROUPS_MAX + 1}"
        )

    @staticmethod
    def pools() -> str:
        return f"SELECT id FROM accounts WHERE kind = '{_POOL}' ORDER BY id"

    def seeds(self, count: int) -> str:
        """Posted seed transfers by id (the unique index), into pools, within the period
        (parameters 1 and 2; the ids follow)."""
        ids = ", ".join(self.p(3 + i) for i in range(count))
        # The period first: SQLite's ``?`` are numbered by their place in the text.
        return (
            f"SELECT credit_account_id, currency, timestamp_ms / {DAY_MS}, amount_minor "
            f"FROM transfers WHERE timestamp_ms >= {self.p(1)} AND timestamp_ms < {self.p(2)} "
            f"AND id IN ({ids}) AND reason = 'jackpot_seed' AND kind IN {_POSTED}"
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


class PeriodReads:
    """The period aggregates, the same on both engines through ``fetch`` (one statement,
    its parameters, its rows)."""

    def __init__(self, fetch: Fetch, sql: ReportSql) -> None:
        self.fetch = fetch
        self.sql = sql

    async def _span(self, start_ms: int, end_ms: int) -> tuple[Any, ...] | None:
        """Parameters 1-4 of a period query, or None for a period without batches."""
        found = await self.fetch(self.sql.period_batches(), (start_ms, end_ms))
        if not found or found[0][0] is None:
            return None
        return (found[0][0], found[0][1], start_ms, end_ms)

    async def round_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[RoundGroup]:
        span = await self._span(start_ms, end_ms)
        if span is None:
            return []
        sql = self.sql.round_groups(one_game=game_id is not None)
        rows = await self.fetch(sql, span if game_id is None else (*span, game_id))
        return [round_group(row) for row in within_limit(rows, "rounds")]

    async def funding_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[FundingGroup]:
        span = await self._span(start_ms, end_ms)
        if span is None:
            return []
        rows = [
            *within_limit(await self.fetch(self.sql.contributions(), span), "contributions"),
            *within_limit(await self.fetch(self.sql.older_contributions(), span), "rounds"),
        ]
        groups = [FundingGroup(str(g), str(c), int(d), int(a)) for g, c, d, a in rows]
        groups += await self._seeds(span)
        totals: dict[tuple[str, str, int], int] = {}
        for group in groups:
            if game_id is None or group.game_id == game_id:
                key = (group.game_id, group.currency, group.day)
                totals[key] = totals.get(key, 0) + group.funding_minor
        return [FundingGroup(g, c, d, amount) for (g, c, d), amount in sorted(totals.items())]

    async def _seeds(self, span: tuple[Any, ...]) -> list[FundingGroup]:
        """A pool's first seed (``<pool>:seed``) and its reseeds after each hit of the period
        (``<round>:jackpot-reseed``), looked up by id: seeds are rare, and no index finds
        transfers by reason."""
        pools = [str(row[0]) for row in await self.fetch(self.sql.pools(), ())]
        hits = within_limit(await self.fetch(self.sql.jackpot_hits(), span), "jackpot hits")
        ids = [f"{pool}:seed" for pool in pools] + [f"{row[0]}:jackpot-reseed" for row in hits]
        found: list[FundingGroup] = []
        for first in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[first : first + _IDS_PER_QUERY]
            rows = await self.fetch(self.sql.seeds(len(chunk)), (span[2], span[3], *chunk))
            found += [funding_group(row) for row in rows]
        return found


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
