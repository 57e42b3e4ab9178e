"""Game rounds settled on the ledger, through one interface per game kind.

An **instant** round (slots, roulette: :class:`~croupier.domain.games.base.InstantGame`) is
one durable write. Its outcome is drawn in memory from the player's provably-fair seed pair,
then one linked group commits everything at once: the nonce's claim on the pair's stream,
the stake, the jackpot contribution, the win (and a jackpot payout), the round's record
(``round.played`` on ``round:<id>``) and the player's notices. A round either exists whole or
not at all: one whose group never committed used no nonce, moved no money and showed its
outcome to no one. One player's rounds are drawn and written one at a time in this process;
if a rotation revealed the pair (or another process claimed the nonce) in between, the claim
fails inside the writer and the round draws again from what is current.

A **blackjack** round (:class:`BlackjackRounds`) is dealt in one write (the nonce's claim,
the stake reserved and ``round.started``), then each action is one write.

The round id is derived from the player and the client's ``Idempotency-Key``: a replayed
request returns the recorded round; the same key with another body is a conflict.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any, Final, Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.errors import (
    Busy,
    CroupierError,
    IdempotencyConflict,
    IllegalAction,
    InvariantBroken,
    RoundInProgress,
    UnknownGame,
)
from croupier.domain.events import (
    RecordedRound,
    encode,
    read_round,
    request_fingerprint,
    round_stream,
)
from croupier.domain.games.base import Bet, InstantGame
from croupier.domain.games.blackjack import BlackjackRules
from croupier.domain.ledger import AppendEvent, Command, Event
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.rng import RngSource
from croupier.services.fairness.ports import Rotation, RoundFairness, StoredPair
from croupier.services.jackpots import JackpotPools, house_account, pool_account
from croupier.services.keyed_locks import KeyedLocks
from croupier.services.ledger import LedgerClient
from croupier.services.ledger.bets import instant_bet
from croupier.services.ledger.ports import FIRST_EVENTS_STREAMS_MAX
from croupier.services.rounds.blackjack import BlackjackRounds, ReplaySource
from croupier.services.rounds.limits import RoundLimits
from croupier.services.rounds.notices import settled_fills, settled_notice, started_notice
from croupier.services.rounds.opening import RoundOpening
from croupier.services.rounds.recall import RoundRecall

__all__ = ["RoundService"]

#: Draws a round may take when rotations (or another process) claim the nonces it drew.
_DRAWS_MAX: Final = 16
_log = logging.getLogger("croupier.rounds")


class Fairness(Protocol):
    async def draw(self, player: Player) -> RoundFairness: ...

    def claim(self, fair: RoundFairness, round_id: str) -> AppendEvent: ...

    def forget(self, player: Player, fair: RoundFairness) -> None: ...

    def unused(self, player: Player, fair: RoundFairness) -> None: ...

    async def rotate(self, player: Player, *, nothing_open: Any = None) -> Rotation: ...

    async def server_seed(self, pair_id: int) -> str: ...

    async def revealed_seed(self, pair_id: int) -> str | None: ...

    async def pair(self, pair_id: int) -> StoredPair: ...


class RoundService:
    def __init__(
        self,
        ledger: LedgerClient,
        fairness: Fairness,
        games: Mapping[str, InstantGame],
        limits: RoundLimits,
        *,
        replay_source: ReplaySource,
        blackjack: dict[str, BlackjackRules] | None = None,
    ) -> None:
        self.ledger = ledger
        self.fairness = fairness
        self.games = dict(games)
        self.limits = limits
        self._replay_source = replay_source  # (server seed, client seed, nonce) -> RngSource
        self.jackpots = JackpotPools(ledger, limits.house_floor_minor)
        self.blackjack = BlackjackRounds(
            ledger,
            blackjack or {},
            server_seed=fairness.server_seed,
            replay_source=self._recorded_source,
            pair_revealed=self._pair_revealed,
        )
        self.recall = RoundRecall(ledger, fairness, self.blackjack, limits.page_size_max)
        self._one_at_a_time = KeyedLocks()

    async def _pair_revealed(self, pair_id: int) -> bool:
        return await self.fairness.revealed_seed(pair_id) is not None

    def _recorded_source(self, server_seed: str, client_seed: str, nonce: int) -> RngSource:
        return self._replay_source(server_seed, client_seed, nonce)

    # -- playing ---------------------------------------------------------------------------
    async def play(
        self, player: Player, game_id: str, key: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        game = self.games.get(game_id)
        if game is not None:
            bet = game.parse_bet(request, player.currency)
        elif self.blackjack.is_table(game_id):
            bet = Bet(*self.blackjack.validate(game_id, request, player.currency))
        else:
            raise UnknownGame(
                f"no game {game_id!r} can be played here: rounds are open for "
                f"{', '.join(sorted([*self.games, *self.blackjack.tables]))}"
            )
        # Unambiguous although keys may hold ":": player ids never do (PaymentIds checks it).
        round_id = "r" + hashlib.sha256(f"{player.player_id}:{key}".encode()).hexdigest()[:24]
        fingerprint = request_fingerprint(game_id, request)
        # One indexed lookup on the event loop (a read on a thread costs more than it runs);
        # the whole stream only for a replay, which is rare.
        if await self.ledger.stream_events(round_stream(round_id), limit=1):
            return await self._replay(await self._written(round_id), fingerprint)
        if game is not None and game.jackpot is not None:
            await self.jackpots.ensure_seeded(game_id, player.currency, game.jackpot)
        version = game.version if game is not None else 1
        opening = RoundOpening(
            round_id, player.player_id, game_id, version, player.currency, bet, fingerprint
        )
        balance_before = 0
        if game is None:  # blackjack records the balance before the deal
            balance_before = (await self.ledger.latest_balance(player.cash_account_id)).available
        # One round of a player is drawn and written at a time (in this process): a round
        # refused (say, for funds) would otherwise leave a gap that fails the claims of every
        # round of the player drawn after it. Rounds of different players still share commits.
        async with self._one_at_a_time.hold(player.player_id):
            for _ in range(_DRAWS_MAX):
                fair = await self.fairness.draw(player)
                try:
                    if game is not None:
                        return await self._play_instant(player, game, opening, fair)
                    return await self._deal(player, opening, balance_before, fair)
                except StreamConflict:  # a rotation, or another process, took the nonce
                    self.fairness.forget(player, fair)
                except IdempotencyConflict:  # the same key raced this request
                    self.fairness.unused(player, fair)
                    recorded = await self.blackjack.recorded(round_id)
                    if recorded is None:
                        raise
                    return await self._replay(recorded, fingerprint)
                except CroupierError:  # refused whole (funds, say): its nonce was not used
                    self.fairness.unused(player, fair)
                    raise
        raise Busy("the seed pair kept changing under this round: try again")

    async def _play_instant(
        self, player: Player, game: InstantGame, opening: RoundOpening, fair: RoundFairness
    ) -> dict[str, Any]:
        """Draw, settle and record the round in one linked group."""
        outcome = game.play(opening.bet, fair.source)
        played = opening.played(fair, outcome)
        round_id, currency = opening.round_id, player.currency
        jackpot = (
            pool_account(game.game_id, currency) if outcome.jackpot_contribution_minor else None
        )
        group: list[Command] = [
            *self.jackpots.open_house(currency),
            self.fairness.claim(fair, round_id),
            *instant_bet(
                round_id,
                player_account=player.cash_account_id,
                house_account=house_account(currency),
                jackpot_account=jackpot,
                currency=currency,
                stake_minor=played.stake,
                contribution_minor=played.jackpot_contribution,
                win_minor=played.win,
            ),
            *self._jackpot_payout(round_id, game, currency, player, outcome.jackpot_hit),
            encode(played, **settled_fills(played, jackpot_hit=outcome.jackpot_hit)),
            started_notice(player.player_id, round_id),
            settled_notice(
                played, stake=played.stake, win=played.win, jackpot_hit=outcome.jackpot_hit
            ),
        ]
        applied = await self.ledger.submit(group)
        if applied.replayed:  # the same key raced this request and drew the same amounts
            self.fairness.forget(player, fair)
            return await self._replay(await self._written(round_id), opening.request_fingerprint)
        event = next(
            r for r in applied.results if isinstance(r, Event) and r.stream == played.stream
        )
        # its pair drew: unrevealed, and its commitment is the one the round drew with
        return await self.recall.render(
            read_round([event]), None, server_seed_hash=fair.server_seed_hash
        )

    async def _deal(
        self, player: Player, opening: RoundOpening, balance_before: int, fair: RoundFairness
    ) -> dict[str, Any]:
        """Blackjack: the nonce's claim, the stake reserved and ``round.started`` (with the
        settlement when the deal decides the round), one write."""
        dealt = opening.dealt(fair, balance_before, self.blackjack.rules_of(opening.game_id))
        group: list[Command] = [
            *self.jackpots.open_house(player.currency),
            self.fairness.claim(fair, dealt.round_id),
            started_notice(player.player_id, dealt.round_id),  # before a settlement's notice
            *self.blackjack.deal(dealt, fair.source),
        ]
        applied = await self.ledger.submit(group)
        if applied.replayed:  # a request with this key raced this one and dealt the round
            self.fairness.forget(player, fair)
            return await self._replay(
                await self._written(dealt.round_id), dealt.request_fingerprint
            )
        return await self.view(dealt.round_id)

    async def _written(self, round_id: str) -> RecordedRound:
        """A round the ledger has just answered as written (a replay)."""
        recorded = await self.blackjack.recorded(round_id)
        if recorded is None:
            raise InvariantBroken(f"round {round_id} was replayed but is not recorded")
        return recorded

    async def _replay(self, recorded: RecordedRound, fingerprint: str) -> dict[str, Any]:
        """The round this key started, if the request is the same; else a conflict."""
        start = recorded.start
        if start.fingerprint != fingerprint:
            raise IdempotencyConflict("this Idempotency-Key was used for another round")
        if self.blackjack.is_table(start.game_id):
            await self.blackjack.complete(start.round_id)  # an interrupted last action
        return await self.view(start.round_id)

    def _jackpot_payout(
        self, round_id: str, game: InstantGame, currency: str, player: Player, hit: bool
    ) -> list[Command]:
        if not hit:
            return []
        if game.jackpot is None:
            raise InvariantBroken(f"{game.game_id} drew a jackpot hit but has no jackpot rule")
        return self.jackpots.payout(
            round_id, game.game_id, currency, player.cash_account_id, game.jackpot
        )

    async def rotate_seeds(self, player: Player) -> Rotation:
        """Reveal the player's server seed and commit to a new one; refused while one of
        their rounds is open, whose outcome the revealed seed would show (a blackjack
        player would see the hole card and the shoe before deciding). The check and the
        reveal are one step: a round dealt in between makes the reveal check again.

        It waits its turn among the player's rounds in this process, so a player playing
        fast cannot starve it; rounds from other processes still only make it check again."""

        async def nothing_open() -> None:
            reserved = await self.ledger.open_pendings_debiting(player.cash_account_id)
            if any(pending.reason == "stake" for pending in reserved):  # not a withdrawal's
                raise RoundInProgress("finish the round in progress before rotating the seed pair")

        async with self._one_at_a_time.hold(player.player_id):
            return await self.fairness.rotate(player, nothing_open=nothing_open)

    async def act(self, player: Player, round_id: str, key: str, action: str) -> dict[str, Any]:
        """One blackjack action on the player's open round; the same key again is a replay."""
        view = await self.view(round_id, player)  # another player's round: not found
        if not self.blackjack.is_table(view["game_id"]):
            raise IllegalAction("this round takes no actions")
        await self.blackjack.act(round_id, player.player_id, key, action)
        return await self.view(round_id)

    # -- recovery --------------------------------------------------------------------------
    async def stand_idle_blackjack(self, *, now_ms: int, idle_ms: int) -> int:
        """Auto-stand every open blackjack round idle for ``idle_ms``; how many were finished."""
        finished = 0
        for round_id, game_id in await self._open_rounds():
            if self.blackjack.is_table(game_id):
                try:
                    finished += await self.blackjack.stand_if_idle(
                        round_id, now_ms=now_ms, idle_ms=idle_ms
                    )
                except CroupierError:  # e.g. its player acted at that moment: next time
                    _log.warning("standing idle round %s failed", round_id, exc_info=True)
        return finished

    async def _open_rounds(self) -> list[tuple[str, str]]:
        """(round id, game id) of every round whose stake is still reserved."""
        round_ids = [
            pending.id.removesuffix(":stake")
            for pending in await self.ledger.open_pendings()
            if pending.reason == "stake" and pending.id.endswith(":stake")
        ]
        opened = []
        for first in range(0, len(round_ids), FIRST_EVENTS_STREAMS_MAX):
            chunk = round_ids[first : first + FIRST_EVENTS_STREAMS_MAX]
            found = await self.ledger.first_events(
                [round_stream(round_id) for round_id in chunk], limit_per_stream=1
            )
            for round_id in chunk:
                events = found.get(round_stream(round_id))
                if events:
                    opened.append((round_id, read_round(events).start.game_id))
        return opened

    async def recover(self) -> int:
        """Settle every blackjack round whose last action decided it but was interrupted
        before its settlement; an open one is kept for its player to finish
        (``stand_idle_blackjack`` ends it after the configured idle time).

        Instant rounds need no recovery: each is one write. A reserved stake of an instant
        round can only come from a ledger written by a version that settled in two writes;
        it stays reserved (never lost) and is logged for the operator.
        """
        completed = 0
        for round_id, game_id in await self._open_rounds():
            if self.blackjack.is_table(game_id):
                completed += await self.blackjack.complete(round_id)
            else:
                _log.error(
                    "round %s (%s) has a reserved stake from an older version", round_id, game_id
                )
        return completed

    # -- recall (recall.py) ---------------------------------------------------------------
    async def view(self, round_id: str, player: Player | None = None) -> dict[str, Any]:
        return await self.recall.view(round_id, player)

    async def history(
        self, player: Player, *, limit: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        return await self.recall.history(player, limit=limit, cursor=cursor)
