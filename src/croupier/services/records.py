"""Records for the regulator: every round of a jurisdiction's players in a period, whole, as
game recall shows it (GLI-19 §4.12 "game recall": the game and its version, the player, the
times, the stake, the choices, the outcome and draws, the win, the balance before and after,
the jackpot contribution and win, and the provably-fair inputs that let anyone recompute the
outcome: server seed hash, server seed once revealed, client seed and nonce).

Rounds are read from the ledger's events (append-only, never deleted: a round is kept at
least as long as the profile's ``record_retention_years``, which each line carries). The
period is found by batch time; each round is rebuilt by the recall service the players' own
``GET /v1/rounds/{id}`` uses, so the regulator sees what the player saw.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any, Protocol

from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.errors import InvalidInput
from croupier.domain.events import read_round, round_stream
from croupier.services.accounts.ports import PlayerStore
from croupier.services.ledger import LedgerClient
from croupier.services.ledger.ports import FIRST_EVENTS_STREAMS_MAX
from croupier.services.rounds.recall import RoundRecall, SeedPairs
from croupier.services.rounds.tables import EVENTS_MAX

__all__ = [
    "ROUND_COLUMNS",
    "RoundIndex",
    "RoundRecords",
    "csv_header",
    "csv_line",
    "json_line",
    "round_csv_row",
]

#: The CSV's columns, in order (nested values as JSON).
ROUND_COLUMNS = (
    "round_id",
    "jurisdiction",
    "retention_years",
    "player_id",
    "game_id",
    "game_version",
    "status",
    "currency",
    "stake",
    "win",
    "jackpot_contribution",
    "jackpot_win",
    "balance_before",
    "balance_after",
    "started_at_ms",
    "ended_at_ms",
    "server_seed_hash",
    "server_seed",
    "client_seed",
    "nonce",
    "choices",
    "outcome",
)


class RoundIndex(Protocol):
    """Which rounds started in a period (``adapters/storage/*/round_records.py``)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def rounds_started(self, start_ms: int, end_ms: int) -> list[str]:
        """The round ids whose first event was committed in ``[start_ms, end_ms)``, in
        commit order."""
        ...


class RoundRecords:
    def __init__(
        self,
        index: RoundIndex,
        ledger: LedgerClient,
        recall: RoundRecall,
        pairs: SeedPairs,
        players: PlayerStore,
        profiles: JurisdictionProfiles,
    ) -> None:
        self.index = index
        self.ledger = ledger
        self.recall = recall
        self.pairs = pairs
        self.players = players
        self.profiles = profiles

    async def export(
        self, jurisdiction: str, start_ms: int, end_ms: int
    ) -> AsyncIterator[dict[str, Any]]:
        """Every round of ``jurisdiction``'s players started in ``[start_ms, end_ms)``."""
        if jurisdiction not in self.profiles.profiles:
            known = ", ".join(sorted(self.profiles.profiles))
            raise InvalidInput(f"unknown jurisdiction {jurisdiction!r}: one of {known}")
        if end_ms <= start_ms:
            raise InvalidInput("the period is empty: --to must be after --from")
        retention = self.profiles.get(jurisdiction).record_retention_years
        round_ids = await self.index.rounds_started(start_ms, end_ms)
        of_player: dict[str, str | None] = {}  # player id -> profile id
        for at in range(0, len(round_ids), FIRST_EVENTS_STREAMS_MAX):
            chunk = round_ids[at : at + FIRST_EVENTS_STREAMS_MAX]
            found = await self.ledger.first_events(
                [round_stream(r) for r in chunk], limit_per_stream=EVENTS_MAX
            )
            for round_id in chunk:
                events = found.get(round_stream(round_id))
                if not events:
                    continue
                recorded = read_round(events)
                player_id = recorded.start.player_id
                if player_id not in of_player:
                    of_player[player_id] = await self._profile_id(player_id)
                if of_player[player_id] != jurisdiction:
                    continue
                pair = await self.pairs.pair(recorded.start.fairness.pair_id)
                view = await self.recall.render(recorded, pair)
                yield {
                    "jurisdiction": jurisdiction,
                    "retention_years": retention,
                    "player_id": player_id,
                    **view,
                }

    async def _profile_id(self, player_id: str) -> str | None:
        player = await self.players.get_player(player_id)
        if player is None:
            return None
        profile = self.profiles.for_player(player.country, None)
        return None if profile is None else profile.id


def round_csv_row(record: dict[str, Any]) -> list[Any]:
    fairness = record.get("fairness") or {}
    flat = {
        **record,
        "server_seed_hash": fairness.get("server_seed_hash"),
        "server_seed": fairness.get("server_seed"),
        "client_seed": fairness.get("client_seed"),
        "nonce": fairness.get("nonce"),
        "choices": json.dumps(record.get("choices"), sort_keys=True),
        "outcome": json.dumps(record.get("outcome"), sort_keys=True),
    }
    return ["" if flat.get(c) is None else flat[c] for c in ROUND_COLUMNS]


def csv_header() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(ROUND_COLUMNS)
    return out.getvalue()


def csv_line(record: dict[str, Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(round_csv_row(record))
    return out.getvalue()


def json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
