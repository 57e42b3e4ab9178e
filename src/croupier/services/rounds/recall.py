"""Game recall: a round as its player may see it, rebuilt from the round's events.

What a round shows: start and end time, stake, win, balance before and after, jackpot
contribution and win, game id and version, the player's choices and the outcome, and the
fairness proof (server seed hash, client seed, nonce; the server seed once revealed).

A page of history costs a fixed number of reads, whatever its size: the player's stream
(usually one window), the first events of every round on the page in one read
(``LedgerClient.first_events``), and one seed pair per distinct pair on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.errors import InvalidInput, InvariantBroken, RoundNotFound
from croupier.domain.events import (
    RecordedRound,
    RoundPlayed,
    RoundStartedNotice,
    decode_as,
    player_stream,
    read_round,
    round_stream,
)
from croupier.services.fairness.ports import StoredPair
from croupier.services.jackpots import jackpot_win_id
from croupier.services.ledger import LedgerClient
from croupier.services.rounds.kinds import RoundsOfKind
from croupier.services.rounds.tables import EVENTS_MAX

__all__ = ["ROUND_PLAYED", "RoundRecall"]

#: The whole record of an instant round, written once with its money: its start, its
#: outcome and what the ledger filled in (``balance_after``, a ``jackpot_win``).
ROUND_PLAYED: Final = RoundPlayed.TYPE


class SeedPairs(Protocol):
    async def pair(self, pair_id: int) -> StoredPair: ...


class RoundRecall:
    def __init__(
        self,
        ledger: LedgerClient,
        fairness: SeedPairs,
        kind_of: Callable[[str], RoundsOfKind | None],
        page_size_max: int,
    ) -> None:
        self.ledger = ledger
        self.fairness = fairness
        self._kind_of = kind_of  # a game's family, which may fill a view its records do not
        self.page_size_max = page_size_max

    async def view(self, round_id: str, player: Player | None = None) -> dict[str, Any]:
        events = await self.ledger.stream_events(round_stream(round_id), limit=EVENTS_MAX)
        if not events:
            raise RoundNotFound(f"no round {round_id!r}")
        recorded = read_round(events)
        if player is not None and recorded.start.player_id != player.player_id:
            # another player's round: not theirs to see, nor to learn that it exists
            raise RoundNotFound(f"no round {round_id!r}")
        return await self.render(
            recorded, await self.fairness.pair(recorded.start.fairness.pair_id)
        )

    async def render(
        self, recorded: RecordedRound, pair: StoredPair | None, *, server_seed_hash: str = ""
    ) -> dict[str, Any]:
        """The view of a round (its player's check is the caller's). ``pair`` is the round's
        seed pair; ``None`` only for an instant round just played (its pair is not revealed:
        it drew), whose ``server_seed_hash`` the caller gives."""
        start = recorded.start
        revealed = pair.pair.server_seed if pair is not None and pair.revealed else None
        # A version-2 record leaves its commitment out: it is its seed pair's.
        commitment = start.fairness.server_seed_hash or (
            pair.pair.server_seed_hash if pair is not None else server_seed_hash
        )
        if not commitment:
            raise InvariantBroken(f"round {start.round_id}: no seed pair to show the commitment of")
        fairness = {
            "client_seed": start.fairness.client_seed,
            "nonce": start.fairness.nonce,
            "server_seed_hash": commitment,
            "server_seed": revealed,
        }
        body: dict[str, Any] = {
            "round_id": start.round_id,
            "game_id": start.game_id,
            "game_version": start.game_version,
            "status": "open",
            "currency": start.currency,
            "stake": start.stake,
            "choices": start.choices,
            "started_at_ms": recorded.started_at_ms,
            "balance_before": None if isinstance(start, RoundPlayed) else start.balance_before,
            "fairness": fairness,
            "win": None,
            "jackpot_contribution": None,
            "jackpot_win": None,
            "outcome": None,
            "ended_at_ms": None,
            "balance_after": None,
        }
        kind = self._kind_of(start.game_id)
        filled = None if kind is None else await kind.fill_view(body, recorded, pair)
        if filled is not None:  # a table round, recomputed from its seeds and actions
            return filled
        if isinstance(start, RoundPlayed):
            return _played(body, start, recorded.ended_at_ms)
        settled = recorded.settled
        if settled is not None:  # an instant round written in two steps by an older version
            balance_after, jackpot_win = settled.balance_after, settled.jackpot_win
            if balance_after is None:
                raise InvariantBroken(f"round {start.round_id} was settled without balance_after")
            if jackpot_win is None and settled.outcome.get("jackpot_hit"):
                # recorded before the ledger filled it in: read what the pool paid
                paid = await self.ledger.transfer_by_id(jackpot_win_id(start.round_id))
                if paid is None:  # settled in the same group as the event: cannot be missing
                    raise InvariantBroken(
                        f"round {start.round_id} hit the jackpot but has no payout"
                    )
                jackpot_win = paid.amount_minor
                balance_after += jackpot_win
            body.update(
                status="settled",
                win=settled.win,
                outcome=settled.outcome,
                jackpot_contribution=settled.jackpot_contribution,
                jackpot_win=jackpot_win,
                balance_after=balance_after,
                ended_at_ms=recorded.ended_at_ms,
            )
        return body

    async def history(
        self, player: Player, *, limit: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """The player's rounds, newest first; the cursor is a seq of their player stream.

        The stream also carries settlements and wallet notices: read it backwards in windows,
        keeping the notices that open a round; then read all their rounds at once."""
        if not 1 <= limit <= self.page_size_max:
            raise InvalidInput(f"limit must be 1 to {self.page_size_max}")
        stream = player_stream(player.player_id)
        # Never start above the head: a huge cursor would walk down an empty stream forever.
        upper = await self.ledger.stream_head(stream) + 1
        if cursor is not None:
            upper = min(upper, cursor)
        opened: list[tuple[int, RoundStartedNotice]] = []
        while upper > 1 and len(opened) < limit:
            after = max(0, upper - 1 - 4 * limit)
            window = await self.ledger.stream_events(
                stream, after_seq=after, limit=upper - 1 - after
            )
            notices = [
                (e.seq, decode_as(RoundStartedNotice, e))
                for e in reversed(window)
                if e.type == RoundStartedNotice.TYPE
            ]
            opened += notices[: limit - len(opened)]
            upper = after + 1
        rounds = await self._render_page([notice.round_id for _, notice in opened])
        next_cursor = opened[-1][0] if len(opened) == limit and opened[-1][0] > 1 else None
        return rounds, next_cursor

    async def _render_page(self, round_ids: list[str]) -> list[dict[str, Any]]:
        """The views of many rounds: one read of their events, one of each seed pair."""
        found = await self.ledger.first_events(
            [round_stream(round_id) for round_id in round_ids], limit_per_stream=EVENTS_MAX
        )
        recorded = []
        for round_id in round_ids:
            events = found.get(round_stream(round_id))
            if not events:  # its notice was written in the same group as its record
                raise InvariantBroken(f"round {round_id} is on its player's stream only")
            recorded.append(read_round(events))
        pair_ids = sorted({r.start.fairness.pair_id for r in recorded})
        pairs = {pair_id: await self.fairness.pair(pair_id) for pair_id in pair_ids}
        return [await self.render(r, pairs[r.start.fairness.pair_id]) for r in recorded]


def _played(body: dict[str, Any], played: RoundPlayed, ended_at_ms: int | None) -> dict[str, Any]:
    """An instant round's view: everything is in its one record."""
    if played.balance_after is None:
        raise InvariantBroken(f"round {played.round_id} was recorded without balance_after")
    jackpot_win = played.jackpot_win
    body.update(
        status="settled",
        win=played.win,
        outcome=played.outcome,
        jackpot_contribution=played.jackpot_contribution,
        jackpot_win=jackpot_win,
        balance_after=played.balance_after,
        # one write: the balance before is the one after, less what the round moved
        balance_before=played.balance_after - played.win - (jackpot_win or 0) + played.stake,
        ended_at_ms=ended_at_ms,
    )
    return body
