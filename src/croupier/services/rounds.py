"""Game rounds settled on the ledger: slots and European roulette (one-shot games).

A round is two linked groups on the ledger, each carrying the round's events in the same
transaction as its money:

1. ``round.started`` with the stake reserved (pending) — before the outcome is drawn;
2. ``round.settled`` with the stake posted to the house, the jackpot contribution moved to the
   pool and the win paid, all or nothing.

The outcome comes from the player's provably-fair seed pair (one nonce per round, consumed
durably before the draw), so an interrupted round is completed on restart by recomputing
exactly the same outcome from the recorded seeds — never lost, never paid twice (the ledger
ids are derived from the round id, so a second settlement is a replay).

The round id is derived from the player and the client's ``Idempotency-Key``: a replayed
request returns the recorded round; the same key with another body is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from croupier.domain.accounts.player import Player, cash_account_id
from croupier.domain.errors import (
    CroupierError,
    IdempotencyConflict,
    IllegalAction,
    InvalidBet,
    InvariantBroken,
    UnknownGame,
)
from croupier.domain.games import roulette
from croupier.domain.games.blackjack import BlackjackRules
from croupier.domain.games.slots import SlotGame
from croupier.domain.ledger import (
    AppendEvent,
    Command,
    Event,
)
from croupier.domain.rng import RngSource
from croupier.services.blackjack_rounds import BlackjackRounds
from croupier.services.fairness_ports import Rotation
from croupier.services.jackpots import JackpotPools, house_account, pool_account
from croupier.services.ledger import Ledger
from croupier.services.ledger.bets import reserve_stake, settle_bet
from croupier.services.round_notices import settled_fills, settled_notice, started_notice
from croupier.services.round_recall import (
    RoundNotFound,
    RoundRecall,
    round_stream,
)
from croupier.services.seed_pair_gate import RoundInProgress, SeedPairGate

__all__ = [
    "RoundFairness",
    "RoundInProgress",
    "RoundLimits",
    "RoundNotFound",
    "RoundService",
    "round_stream",
]

ROULETTE = "european-roulette"
_log = logging.getLogger("croupier.rounds")


class RoundFairness(Protocol):
    """What the fairness service hands a round: the seeds' public part and the draws."""

    @property
    def pair_id(self) -> int: ...

    @property
    def server_seed_hash(self) -> str: ...

    @property
    def client_seed(self) -> str: ...

    @property
    def nonce(self) -> int: ...

    @property
    def source(self) -> RngSource: ...


class Fairness(Protocol):
    async def next_round(self, player: Player) -> RoundFairness: ...

    async def rotate(self, player: Player) -> Rotation: ...

    async def server_seed(self, pair_id: int) -> str: ...

    async def revealed_seed(self, pair_id: int) -> str | None: ...


@dataclass(frozen=True, slots=True)
class RoundLimits:
    house_floor_minor: int = -(10**12)
    roulette_bets_max: int = 20
    roulette_stake_minor_min: int = 10
    roulette_stake_minor_max: int = 100_000
    page_size_max: int = 100


class RoundService:
    def __init__(
        self,
        ledger: Ledger,
        fairness: Fairness,
        slots: dict[str, SlotGame],
        limits: RoundLimits,
        *,
        replay_source: Any,
        blackjack: dict[str, BlackjackRules] | None = None,
    ) -> None:
        self.ledger = ledger
        self.fairness = fairness
        self.slots = slots
        self.limits = limits
        # (server_seed, client_seed, nonce) -> RngSource, for recomputing interrupted rounds
        self._replay_source = replay_source
        self.jackpots = JackpotPools(ledger, limits.house_floor_minor)
        self.blackjack = BlackjackRounds(
            ledger, blackjack or {}, self._recorded_source, self._pair_revealed
        )
        self.recall = RoundRecall(ledger, fairness, self.blackjack, limits.page_size_max)
        self._seed_pairs = SeedPairGate()

    async def _pair_revealed(self, pair_id: int) -> bool:
        return await self.fairness.revealed_seed(pair_id) is not None

    async def _recorded_source(self, fairness: Mapping[str, Any]) -> RngSource:
        server_seed = await self.fairness.server_seed(fairness["pair_id"])
        source: RngSource = self._replay_source(
            server_seed, fairness["client_seed"], fairness["nonce"]
        )
        return source

    # -- playing ---------------------------------------------------------------------------
    async def play(
        self, player: Player, game_id: str, key: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        stake, choices = self._validate(game_id, request, player.currency)
        # Unambiguous although keys may hold ":": player ids never do (PaymentIds checks it).
        round_id = "r" + hashlib.sha256(f"{player.player_id}:{key}".encode()).hexdigest()[:24]
        fingerprint = hashlib.sha256(
            json.dumps([game_id, request], sort_keys=True).encode()
        ).hexdigest()
        recorded = await self.ledger.store.stream_events(round_stream(round_id), limit=10)
        if recorded:
            return await self._replay(recorded, fingerprint)
        await self._ensure_jackpot_pool(game_id, player.currency)
        async with self._seed_pairs.round(player.player_id):
            return await self._start(player, game_id, round_id, stake, choices, fingerprint)

    async def _start(
        self,
        player: Player,
        game_id: str,
        round_id: str,
        stake: int,
        choices: Any,
        fingerprint: str,
    ) -> dict[str, Any]:
        """Take the nonce, reserve the stake with the round's record, then settle it (an
        instant game) or deal it (blackjack); under the seed-pair gate, so no rotation can
        reveal the pair in between."""
        fair = await self.fairness.next_round(player)
        cash = await self.ledger.latest_balance(player.cash_account_id)
        started = {
            "round_id": round_id,
            "player_id": player.player_id,
            "game_id": game_id,
            "game_version": self._version(game_id),
            "currency": player.currency,
            "stake": stake,
            "choices": choices,
            "request_fingerprint": fingerprint,
            "balance_before": cash.available,
            "fairness": {
                "pair_id": fair.pair_id,
                "server_seed_hash": fair.server_seed_hash,
                "client_seed": fair.client_seed,
                "nonce": fair.nonce,
            },
        }
        if self.blackjack.is_table(game_id):
            started.update(self.blackjack.start_fields(game_id))
        group: list[Command] = [
            *self.jackpots.open_house(player.currency),
            reserve_stake(
                round_id,
                player_account=player.cash_account_id,
                house_account=house_account(player.currency),
                stake_minor=stake,
                currency=player.currency,
            ),
            AppendEvent.create(round_stream(round_id), "round.started", started),
            started_notice(player.player_id, round_id),
        ]
        applied = await self.ledger.submit(group)
        if applied.replayed:  # a request with this key raced this one and started the round
            recorded = await self.ledger.store.stream_events(round_stream(round_id), limit=10)
            return await self._replay(recorded, fingerprint)
        start_event = next(r for r in applied.results if isinstance(r, Event))
        if self.blackjack.is_table(game_id):  # settles now only on a blackjack or a peek
            await self.blackjack.complete(round_id)
            return await self.view(round_id)
        return await self._settle(start_event, fair.source, drawn_now=True)

    async def _replay(self, recorded: list[Event], fingerprint: str) -> dict[str, Any]:
        """The round this key started, if the request is the same; else a conflict."""
        if json.loads(recorded[0].data_json)["request_fingerprint"] != fingerprint:
            raise IdempotencyConflict("this Idempotency-Key was used for another round")
        return await self._complete_or_view(recorded)

    async def rotate_seeds(self, player: Player) -> Rotation:
        """Reveal the player's server seed and commit to a new one; refused while one of
        their rounds is open or starting, whose outcome the revealed seed would show (a
        blackjack player would see the hole card and the shoe before deciding)."""
        async with self._seed_pairs.rotation(player.player_id):
            reserved = await self.ledger.open_pendings_debiting(player.cash_account_id)
            if any(pending.reason == "stake" for pending in reserved):  # not a withdrawal's
                raise RoundInProgress("finish the round in progress before rotating the seed pair")
            return await self.fairness.rotate(player)

    async def act(self, player: Player, round_id: str, key: str, action: str) -> dict[str, Any]:
        """One blackjack action on the player's open round; the same key again is a replay."""
        view = await self.view(round_id, player)  # another player's round: not found
        if not self.blackjack.is_table(view["game_id"]):
            raise IllegalAction("this round takes no actions")
        await self.blackjack.act(round_id, player.player_id, key, action)
        return await self.view(round_id)

    def _validate(self, game_id: str, request: dict[str, Any], currency: str) -> tuple[int, Any]:
        """Check everything before anything moves: the stake, the bets."""
        if self.blackjack.is_table(game_id):
            return self.blackjack.validate(game_id, request, currency)
        if game_id == ROULETTE:
            if request.get("stake") is not None:
                raise InvalidBet("roulette takes bets, each with its stake, not a stake")
            bets = request.get("bets")
            if not isinstance(bets, list) or not 1 <= len(bets) <= self.limits.roulette_bets_max:
                raise InvalidBet(f"roulette takes 1 to {self.limits.roulette_bets_max} bets")
            try:
                parsed = [
                    roulette.parse_bet(b["type"], b.get("numbers", []), b["stake"]) for b in bets
                ]
            except (KeyError, TypeError, AttributeError):
                raise InvalidBet("each bet needs a type, its numbers and a stake") from None
            for bet in parsed:
                if (
                    not self.limits.roulette_stake_minor_min
                    <= bet.stake_minor
                    <= self.limits.roulette_stake_minor_max
                ):
                    raise InvalidBet(
                        f"each roulette stake must be {self.limits.roulette_stake_minor_min} to "
                        f"{self.limits.roulette_stake_minor_max} minor units"
                    )
            choices = [
                {"type": b.type.value, "numbers": list(b.numbers), "stake": b.stake_minor}
                for b in parsed
            ]
            return sum(b.stake_minor for b in parsed), choices
        game = self._slot(game_id)
        if request.get("bets") is not None:
            raise InvalidBet("a slot takes a stake, not bets")
        stake = request.get("stake")
        game.check_stake(stake)  # type: ignore[arg-type]
        return int(stake), {"stake": stake}  # type: ignore[arg-type]

    def _slot(self, game_id: str) -> SlotGame:
        game = self.slots.get(game_id)
        if game is None:
            raise UnknownGame(
                f"no game {game_id!r} can be played here: rounds are open for slots, "
                f"{ROULETTE} and blackjack (poker tables come next)"
            )
        return game

    def _version(self, game_id: str) -> int:
        if game_id == ROULETTE or self.blackjack.is_table(game_id):
            return 1
        return int(self._slot(game_id).definition.version)

    async def _ensure_jackpot_pool(self, game_id: str, currency: str) -> None:
        if game_id == ROULETTE or self.blackjack.is_table(game_id):
            return
        rule = self._slot(game_id).definition.jackpot
        if rule is not None:
            await self.jackpots.ensure_seeded(game_id, currency, rule)

    async def _settle(
        self, start_event: Event, source: RngSource, *, drawn_now: bool = False
    ) -> dict[str, Any]:
        """Draw the outcome and settle it in one linked group with its event.

        ``drawn_now``: the round's nonce was taken from the active pair moments ago, so its
        server seed is still secret and the answer need not look it up.
        """
        start = json.loads(start_event.data_json)
        game_id, stake, currency = start["game_id"], start["stake"], start["currency"]
        player_account = cash_account_id(start["player_id"])
        if game_id == ROULETTE:
            bets = [
                roulette.parse_bet(b["type"], b["numbers"], b["stake"]) for b in start["choices"]
            ]
            pocket = roulette.spin(source)
            win, contribution = sum(roulette.settle(bets, pocket)), 0
            outcome: dict[str, Any] = {"pocket": pocket}
        else:
            game = self._slot(game_id)
            played = game.play_round(source)
            win, contribution = played.settle(stake), game.jackpot_contribution_minor(stake)
            outcome = {
                "stops": list(played.stops),
                "window": [list(row) for row in played.window],
                "free_spins": len(played.free_spins),
                "jackpot_hit": played.jackpot_hit,
                "win_multiplier": str(played.win_multiplier),
            }
        settled = {"outcome": outcome, "win": win, "jackpot_contribution": contribution}
        jackpot_hit = bool(outcome.get("jackpot_hit"))
        group: list[Command] = [
            *settle_bet(
                start["round_id"],
                player_account=player_account,
                house_account=house_account(currency),
                jackpot_account=pool_account(game_id, currency) if contribution else None,
                currency=currency,
                contribution_minor=contribution,
                win_minor=win,
            ),
            *self._jackpot_payout(start["round_id"], game_id, currency, player_account, outcome),
            AppendEvent.create(
                round_stream(start["round_id"]),
                "round.settled",
                settled,
                **settled_fills(start, jackpot_hit=jackpot_hit),
            ),
            settled_notice(start, stake=stake, win=win, jackpot_hit=jackpot_hit),
        ]
        applied = await self.ledger.submit(group)
        stream = round_stream(start["round_id"])
        settled_event = next(
            (r for r in applied.results if isinstance(r, Event) and r.stream == stream), None
        )
        if settled_event is None:  # a replay: another request settled it first
            return await self.view(start["round_id"])
        # A recovered round's pair may have been rotated since it started. (A rotation that
        # races a fresh round's last milliseconds shows in the round's recall, not here.)
        server_seed = (
            None if drawn_now else await self.fairness.revealed_seed(start["fairness"]["pair_id"])
        )
        return await self.recall.render([start_event, settled_event], server_seed)

    def _jackpot_payout(
        self,
        round_id: str,
        game_id: str,
        currency: str,
        player_account: str,
        outcome: dict[str, Any],
    ) -> list[Command]:
        if not outcome.get("jackpot_hit"):  # only slots draw for a jackpot
            return []
        rule = self._slot(game_id).definition.jackpot
        if rule is None:
            raise InvariantBroken(f"{game_id} drew a jackpot hit but has no jackpot rule")
        return self.jackpots.payout(round_id, game_id, currency, player_account, rule)

    async def _complete_or_view(self, recorded: list[Event]) -> dict[str, Any]:
        start = json.loads(recorded[0].data_json)
        if self.blackjack.is_table(start["game_id"]):
            await self.blackjack.complete(start["round_id"])
            return await self.view(start["round_id"])
        if len(recorded) > 1:
            return await self.view(json.loads(recorded[0].data_json)["round_id"])
        return await self._settle(recorded[0], await self._recorded_source(start["fairness"]))

    # -- recovery --------------------------------------------------------------------------
    async def stand_idle_blackjack(self, *, now_ms: int, idle_ms: int) -> int:
        """Auto-stand every open blackjack round idle for ``idle_ms``; how many were finished."""
        finished = 0
        for round_id in await self._open_round_ids():
            recorded = await self.ledger.store.stream_events(round_stream(round_id), limit=1)
            if recorded and self.blackjack.is_table(json.loads(recorded[0].data_json)["game_id"]):
                try:
                    finished += await self.blackjack.stand_if_idle(
                        round_id, now_ms=now_ms, idle_ms=idle_ms
                    )
                except CroupierError:  # e.g. its player acted at that moment: next time
                    _log.warning("standing idle round %s failed", round_id, exc_info=True)
        return finished

    async def _open_round_ids(self) -> list[str]:
        return [
            pending.id.removesuffix(":stake")
            for pending in await self.ledger.store.load_open_pendings()
            if pending.reason == "stake" and pending.id.endswith(":stake")
        ]

    async def recover(self) -> int:
        """Settle every round whose stake is still reserved, from its recorded seeds.

        An open blackjack round is kept for its player to finish (``stand_idle_blackjack``
        ends it after the configured idle time); one whose last action decided it but was
        interrupted before its settlement is settled.
        """
        completed = 0
        for round_id in await self._open_round_ids():
            recorded = await self.ledger.store.stream_events(round_stream(round_id), limit=10)
            if self.blackjack.is_table(json.loads(recorded[0].data_json)["game_id"]):
                completed += await self.blackjack.complete(round_id)
            elif len(recorded) == 1:
                await self._complete_or_view(recorded)
                completed += 1
        return completed

    # -- recall (services/round_recall.py) ------------------------------------------------
    async def view(self, round_id: str, player: Player | None = None) -> dict[str, Any]:
        return await self.recall.view(round_id, player)

    async def history(
        self, player: Player, *, limit: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        return await self.recall.history(player, limit=limit, cursor=cursor)
