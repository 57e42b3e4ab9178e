"""Game recall: a round as its player may see it, rebuilt from the round's events.

What a round shows: start and end time, stake, win, balance before and after, jackpot
contribution and win, game id and version, the player's choices and the outcome, and the
fairness proof (server seed hash, client seed, nonce; the server seed once revealed).
"""

from __future__ import annotations

import json
from typing import Any

from croupier.domain.accounts.player import Player
from croupier.domain.errors import CroupierError, InvalidInput, InvariantBroken
from croupier.domain.ledger import Event
from croupier.services.blackjack_rounds import BlackjackRounds
from croupier.services.jackpots import jackpot_win_id
from croupier.services.ledger import Ledger
from croupier.services.round_notices import ROUND_OPENED
from croupier.services.stream.channels import player_stream

__all__ = ["ROUND_PLAYED", "RoundNotFound", "RoundRecall", "player_stream", "round_stream"]

#: The whole record of an instant round, written once with its money: its start, its
#: outcome and what the ledger filled in (``balance_after``, a ``jackpot_win``).
ROUND_PLAYED = "round.played"


class RoundNotFound(CroupierError):
    code = "not-found"


def round_stream(round_id: str) -> str:
    return f"round:{round_id}"


class RoundRecall:
    def __init__(
        self, ledger: Ledger, fairness: Any, blackjack: BlackjackRounds, page_size_max: int
    ) -> None:
        self.ledger = ledger
        self.fairness = fairness
        self.blackjack = blackjack
        self.page_size_max = page_size_max

    async def view(self, round_id: str, player: Player | None = None) -> dict[str, Any]:
        events = await self.ledger.store.stream_events(round_stream(round_id), limit=10)
        if not events:
            raise RoundNotFound(f"no round {round_id!r}")
        start = json.loads(events[0].data_json)
        if player is not None and start["player_id"] != player.player_id:
            # another player's round: not theirs to see, nor to learn that it exists
            raise RoundNotFound(f"no round {round_id!r}")
        server_seed = await self.fairness.revealed_seed(start["fairness"]["pair_id"])
        return await self.render(events, server_seed)

    async def render(self, events: list[Event], server_seed: str | None) -> dict[str, Any]:
        """The view of a round from its events (its player's check is the caller's)."""
        round_id = events[0].stream.removeprefix("round:")
        start = json.loads(events[0].data_json)
        fairness = dict(start["fairness"])
        del fairness["pair_id"]
        fairness["server_seed"] = server_seed
        body: dict[str, Any] = {
            "round_id": round_id,
            "game_id": start["game_id"],
            "game_version": start["game_version"],
            "status": "open",
            "currency": start["currency"],
            "stake": start["stake"],
            "choices": start["choices"],
            "started_at_ms": events[0].timestamp_ms,
            "balance_before": start.get("balance_before"),
            "fairness": fairness,
            "win": None,
            "jackpot_contribution": None,
            "jackpot_win": None,
            "outcome": None,
            "ended_at_ms": None,
            "balance_after": None,
        }
        if self.blackjack.is_table(start["game_id"]):
            return await self.blackjack.fill_view(body)
        if events[0].type == ROUND_PLAYED:
            jackpot_win = start.get("jackpot_win")
            body.update(
                status="settled",
                win=start["win"],
                outcome=start["outcome"],
                jackpot_contribution=start["jackpot_contribution"],
                jackpot_win=jackpot_win,
                balance_after=start["balance_after"],
                # one write: the balance before is the one after, less what the round moved
                balance_before=start["balance_after"]
                - start["win"]
                - (jackpot_win or 0)
                + start["stake"],
                ended_at_ms=events[0].timestamp_ms,
            )
            return body
        if len(events) > 1:
            settled = json.loads(events[1].data_json)
            if "jackpot_win" in settled:  # filled in by the ledger, balance_after included
                body["jackpot_win"] = settled["jackpot_win"]
            elif settled["outcome"].get("jackpot_hit"):  # recorded before the ledger filled it
                paid = await self.ledger.transfer_by_id(jackpot_win_id(round_id))
                if paid is None:  # settled in the same group as the event: cannot be missing
                    raise InvariantBroken(f"round {round_id} hit the jackpot but has no payout")
                body["jackpot_win"] = paid.amount_minor
                settled["balance_after"] += body["jackpot_win"]
            body.update(
                status="settled",
                win=settled["win"],
                outcome=settled["outcome"],
                jackpot_contribution=settled["jackpot_contribution"],
                balance_after=settled["balance_after"],
                ended_at_ms=events[1].timestamp_ms,
            )
        return body

    async def history(
        self, player: Player, *, limit: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """The player's rounds, newest first; the cursor is a seq of their player stream.

        The stream also carries settlements and wallet notices: read it backwards in windows,
        keeping the events that open a round."""
        if not 1 <= limit <= self.page_size_max:
            raise InvalidInput(f"limit must be 1 to {self.page_size_max}")
        stream = player_stream(player.player_id)
        # Never start above the head: a huge cursor would walk down an empty stream forever.
        upper = await self.ledger.store.stream_head(stream) + 1
        if cursor is not None:
            upper = min(upper, cursor)
        opened: list[Any] = []
        while upper > 1 and len(opened) < limit:
            after = max(0, upper - 1 - 4 * limit)
            window = await self.ledger.store.stream_events(
                stream, after_seq=after, limit=upper - 1 - after
            )
            opened += [e for e in reversed(window) if e.type == ROUND_OPENED][: limit - len(opened)]
            upper = after + 1
        rounds = [await self.view(json.loads(e.data_json)["round_id"]) for e in opened]
        next_cursor = opened[-1].seq if len(opened) == limit and opened[-1].seq > 1 else None
        return rounds, next_cursor
