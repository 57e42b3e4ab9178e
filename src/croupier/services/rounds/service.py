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

A **table** round (:class:`~croupier.domain.games.base.TableGame`: blackjack, through
:class:`TableRounds`) is dealt in one write (the nonce's claim, the stake reserved and
``round.started``), then each action is one write, the settlement inside the last one.

The service looks a game's family up once (:class:`RoundsOfKind`) and never branches on a game.

The round id is derived from the player and the client's ``Idempotency-Key``: a replayed
request returns the recorded round; the same key with another body is a conflict.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.errors import (
    Busy,
    CroupierError,
    IdempotencyConflict,
    IllegalAction,
    InsufficientFunds,
    InvariantBroken,
    RoundInProgress,
    RoundNotFound,
    SpinTooFast,
    UnknownGame,
)
from croupier.domain.events import (
    RecordedRound,
    read_round,
    request_fingerprint,
    round_stream,
)
from croupier.domain.games.base import InstantGame, TableGame
from croupier.domain.ledger import AppendEvent, Command, Event
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.rng import RngSource
from croupier.services.fairness.ports import Rotation, RoundFairness, StoredPair
from croupier.services.jackpots import JackpotPools
from croupier.services.keyed_locks import KeyedLocks
from croupier.services.ledger import LedgerClient
from croupier.services.ledger.ports import FIRST_EVENTS_STREAMS_MAX
from croupier.services.rounds.instant import InstantRounds
from croupier.services.rounds.kinds import RoundsOfKind
from croupier.services.rounds.limits import RoundLimits
from croupier.services.rounds.opening import RoundOpening
from croupier.services.rounds.recall import RoundRecall
from croupier.services.rounds.tables import ReplaySource, TableRounds

if TYPE_CHECKING:
    from croupier.services.bonus.rounds import BonusRound
    from croupier.services.compliance.gate import SpinTaken

__all__ = ["RoundCompliance", "RoundGate", "RoundService"]

#: Draws a round may take when rotations (or another process) claim the nonces it drew.
_DRAWS_MAX: Final = 16
_log = logging.getLogger("croupier.rounds")


class Fairness(Protocol):
    async def draw(self, player: Player) -> RoundFairness: ...

    def claim(self, fair: RoundFairness) -> AppendEvent: ...

    def forget(self, player: Player, fair: RoundFairness) -> None: ...

    def unused(self, player: Player, fair: RoundFairness) -> None: ...

    async def rotate(self, player: Player, *, nothing_open: Any = None) -> Rotation: ...

    async def server_seed(self, pair_id: int) -> str: ...

    async def revealed_seed(self, pair_id: int) -> str | None: ...

    async def pair(self, pair_id: int) -> StoredPair: ...


class RoundGate(Protocol):
    """Whether a player may play now (``services/backoffice/gate.py``): account control and
    the operator's game switches, checked before anything moves."""

    async def before_round(self, player_id: str, game_id: str) -> None: ...

    async def before_action(self, player_id: str) -> None: ...


class RoundCompliance(Protocol):
    """The player's jurisdiction profile applied to rounds (``services/compliance/gate.py``):
    game kind, RTP and stake before anything moves; the time between slot spins under the
    player's round lock, checked and recorded in one atomic step shared by the gateways, so
    concurrent requests cannot both pass."""

    def before_round(self, player: Player, game_id: str, stake_minor: int) -> None: ...

    async def take_spin(self, player: Player, game_id: str) -> SpinTaken | None: ...

    async def give_back_spin(self, player: Player, spin: SpinTaken) -> None: ...


class PlayerLimitsHook(Protocol):
    """The player's wager and loss limits (``services/compliance/responsible.py``): what a
    round's opening write carries so the ledger refuses one past a limit."""

    async def round_commands(
        self, player: Player, round_id: str, group: Sequence[Command]
    ) -> Sequence[Command]: ...

    def refusal(self, error: InsufficientFunds) -> CroupierError: ...


class RoundBonusHook(Protocol):
    """The player's active bonus in a round (``services/bonus/rounds.py``): its max bet
    before anything moves, the stake split and wagering in the round's own write."""

    async def before_round(
        self, player: Player, game_id: str, stake_minor: int
    ) -> BonusRound | None: ...

    async def round_commands(
        self, player: Player, bonus: BonusRound, round_id: str, written: Sequence[Command]
    ) -> tuple[list[Command], list[Command]]: ...

    async def after_round(self, player: Player, bonus: BonusRound) -> None: ...

    def refused(self, player: Player) -> None: ...


class RoundService:
    def __init__(
        self,
        ledger: LedgerClient,
        fairness: Fairness,
        instant: Mapping[str, InstantGame],
        limits: RoundLimits,
        *,
        replay_source: ReplaySource,
        tables: Mapping[str, TableGame[Any]] | None = None,
        gate: RoundGate | None = None,
    ) -> None:
        self.ledger = ledger
        #: Account control and game switches (None: everyone plays everything).
        self.gate = gate
        #: The jurisdiction profile's round rules (None: none apply; set by the bootstrap).
        self.compliance: RoundCompliance | None = None
        #: Wager and loss limits (None: none); set by the composition root.
        self.responsible: PlayerLimitsHook | None = None
        #: The bonus engine (None: no bonuses); set by the composition root.
        self.bonus: RoundBonusHook | None = None
        self.fairness = fairness
        self.limits = limits
        self._replay_source = replay_source  # (server seed, client seed, nonce) -> RngSource
        self.jackpots = JackpotPools(ledger, limits.house_floor_minor)
        self.tables = TableRounds(
            ledger,
            tables or {},
            server_seed=fairness.server_seed,
            replay_source=self._recorded_source,
            pair_revealed=self._pair_revealed,
        )
        instant_rounds = InstantRounds(instant, self.jackpots)
        #: The instant games by id (their family's own registry).
        self.games = instant_rounds.games
        families: list[tuple[Mapping[str, Any], RoundsOfKind]] = [
            (instant, instant_rounds),
            (tables or {}, self.tables),
        ]
        #: Each game's family: the one lookup a request makes.
        self._kinds: dict[str, RoundsOfKind] = {
            game_id: family for games, family in families for game_id in games
        }
        self.recall = RoundRecall(ledger, fairness, self._kinds.get, limits.page_size_max)
        self._one_at_a_time = KeyedLocks()

    async def _pair_revealed(self, pair_id: int) -> bool:
        return await self.fairness.revealed_seed(pair_id) is not None

    def _recorded_source(self, server_seed: str, client_seed: str, nonce: int) -> RngSource:
        return self._replay_source(server_seed, client_seed, nonce)

    def _kind(self, game_id: str) -> RoundsOfKind:
        kind = self._kinds.get(game_id)
        if kind is None:
            raise UnknownGame(
                f"no game {game_id!r} can be played here: rounds are open for "
                f"{', '.join(sorted(self._kinds))}"
            )
        return kind

    # -- playing ---------------------------------------------------------------------------
    async def play(
        self, player: Player, game_id: str, key: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        kind = self._kind(game_id)
        bet = kind.parse_bet(game_id, request, player.currency)
        if self.gate is not None:
            await self.gate.before_round(player.player_id, game_id)
        if self.compliance is not None:
            self.compliance.before_round(player, game_id, bet.stake_minor)
        # Unambiguous although keys may hold ":": player ids never do (PaymentIds checks it).
        round_id = "r" + hashlib.sha256(f"{player.player_id}:{key}".encode()).hexdigest()[:24]
        fingerprint = request_fingerprint(game_id, request)
        # One indexed lookup on the event loop (a read on a thread costs more than it runs);
        # the whole stream only for a replay, which is rare.
        if await self.ledger.stream_events(round_stream(round_id), limit=1):
            return await self._replay(await self._written(round_id), fingerprint)
        # An active bonus's max bet is refused here, before anything moves; no bonus cached
        # as none costs no read.
        bonus = (
            None
            if self.bonus is None
            else await self.bonus.before_round(player, game_id, bet.stake_minor)
        )
        prepared = await kind.prepare(player, game_id)
        opening = RoundOpening(
            round_id,
            player.player_id,
            game_id,
            kind.version_of(game_id),
            player.currency,
            bet,
            fingerprint,
        )
        # One round of a player is drawn and written at a time (in this process): a round
        # refused (say, for funds) would otherwise leave a gap that fails the claims of every
        # round of the player drawn after it. Rounds of different players still share commits.
        async with self._one_at_a_time.hold(player.player_id):
            # Checked and recorded in one atomic step, shared by the gateways: two spins at
            # once cannot both pass. Given back if no round is written (refused whole).
            compliance = self.compliance
            try:
                spin = None if compliance is None else await compliance.take_spin(player, game_id)
            except SpinTooFast:  # unless it is a retry that waited for its own first try
                if await self.ledger.stream_events(round_stream(round_id), limit=1):
                    return await self._replay(await self._written(round_id), fingerprint)
                raise
            try:
                return await self._draw_and_write(player, kind, opening, prepared, round_id, bonus)
            except CroupierError:
                if spin is not None and compliance is not None:
                    await compliance.give_back_spin(player, spin)
                raise

    async def _draw_and_write(
        self,
        player: Player,
        kind: RoundsOfKind,
        opening: RoundOpening,
        prepared: int,
        round_id: str,
        bonus: BonusRound | None = None,
    ) -> dict[str, Any]:
        """Draw the round's nonce and write it, again when a rotation took the nonce."""
        for _ in range(_DRAWS_MAX):
            fair = await self.fairness.draw(player)
            try:
                return await self._write(player, kind, opening, prepared, fair, bonus)
            except StreamConflict:  # a rotation, or another process, took the nonce
                self.fairness.forget(player, fair)
            except IdempotencyConflict:  # the same key raced this request
                self.fairness.unused(player, fair)
                recorded = await self.tables.recorded(round_id)
                if recorded is None:
                    raise
                return await self._replay(recorded, opening.request_fingerprint)
            except CroupierError:  # refused whole (funds, say): its nonce was not used
                self.fairness.unused(player, fair)
                raise
        raise Busy("the seed pair kept changing under this round: try again")

    async def _write(
        self,
        player: Player,
        kind: RoundsOfKind,
        opening: RoundOpening,
        prepared: int,
        fair: RoundFairness,
        bonus: BonusRound | None = None,
    ) -> dict[str, Any]:
        """The round's one write (an instant round whole, a table round's deal), answered
        from what the ledger applied: no read after it (but for an active bonus's end)."""
        round_id = opening.round_id
        written = kind.write(player, opening, fair, prepared)
        before: list[Command] = []
        after: list[Command] = []
        if bonus is not None and self.bonus is not None:  # the split and the wagering
            before, after = await self.bonus.round_commands(player, bonus, round_id, written)
        group: list[Command] = [
            *self.jackpots.open_house(player.currency),
            self.fairness.claim(fair),
            *before,
            *written,
            *after,
        ]
        if self.responsible is not None:  # wager and loss limits, in the same write
            group += await self.responsible.round_commands(player, round_id, group)
        try:
            applied = await self.ledger.submit(group)
        except InsufficientFunds as refused:
            if bonus is not None and self.bonus is not None:
                self.bonus.refused(player)
            if self.responsible is None:
                raise
            raise self.responsible.refusal(refused) from None
        if applied.replayed:  # the same key raced this request and wrote the same round
            self.fairness.forget(player, fair)
            return await self._replay(await self._written(round_id), opening.request_fingerprint)
        if bonus is not None and self.bonus is not None:  # completed, or spent: it ends
            await self.bonus.after_round(player, bonus)
        stream = round_stream(round_id)
        events = [r for r in applied.results if isinstance(r, Event) and r.stream == stream]
        # its pair drew: unrevealed, and its commitment is the one the round drew with
        return await self.recall.render(
            read_round(events), None, server_seed_hash=fair.server_seed_hash
        )

    async def _written(self, round_id: str) -> RecordedRound:
        """A round the ledger has just answered as written (a replay)."""
        recorded = await self.tables.recorded(round_id)
        if recorded is None:
            raise InvariantBroken(f"round {round_id} was replayed but is not recorded")
        return recorded

    async def _replay(self, recorded: RecordedRound, fingerprint: str) -> dict[str, Any]:
        """The round this key started, if the request is the same; else a conflict."""
        start = recorded.start
        if start.fingerprint != fingerprint:
            raise IdempotencyConflict("this Idempotency-Key was used for another round")
        kind = self._kinds.get(start.game_id)
        if kind is not None:  # a game no longer offered has nothing left to finish
            await kind.resume(start.round_id)  # e.g. an interrupted last action
        return await self.view(start.round_id)

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
        """One action on the player's open round; the same key again is a replay."""
        view = await self.view(round_id, player)  # another player's round: not found
        if self.gate is not None:
            await self.gate.before_action(player.player_id)
        kind = self._kinds.get(view["game_id"])
        if kind is None:
            raise IllegalAction("this round takes no actions")
        await kind.act(round_id, player.player_id, key, action)
        return await self.view(round_id)

    # -- recovery --------------------------------------------------------------------------
    async def stand_idle_rounds(self, *, now_ms: int, idle_ms: int) -> int:
        """Finish every open round idle for ``idle_ms`` with the table's own actions (blackjack:
        stand); how many were finished."""
        finished = 0
        for round_id, game_id in await self._open_rounds():
            kind = self._kinds.get(game_id)
            if kind is None:
                continue
            try:
                finished += await kind.stand_if_idle(round_id, now_ms=now_ms, idle_ms=idle_ms)
            except CroupierError:  # e.g. its player acted at that moment: next time
                _log.warning("standing idle round %s failed", round_id, exc_info=True)
        return finished

    #: The name callers used when blackjack was the only table game.
    stand_idle_blackjack = stand_idle_rounds

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
        """Settle every table round whose last action decided it but was interrupted before
        its settlement; an open one is kept for its player to finish (``stand_idle_rounds``
        ends it after the configured idle time). Instant rounds need no recovery: each is
        one write (see ``InstantRounds.recover`` for stakes an older version left)."""
        completed = 0
        for round_id, game_id in await self._open_rounds():
            kind = self._kinds.get(game_id)
            if kind is None:
                _log.error("round %s: a reserved stake of %s, not offered here", round_id, game_id)
                continue
            completed += await kind.recover(round_id, game_id)
        return completed

    async def settle_stuck(self, round_id: str, *, now_ms: int) -> bool:
        """Force one open round to its end through recovery: settle it if its last action
        decided it, else finish it with the table's own actions (as the idle sweep would, at
        once). Whether it was settled now; ``False`` for one already settled."""
        events = await self.ledger.stream_events(round_stream(round_id), limit=1)
        if not events:
            raise RoundNotFound(f"no round {round_id!r}")
        game_id = read_round(events).start.game_id
        kind = self._kinds.get(game_id)
        if kind is None:
            raise IllegalAction(f"round {round_id}: game {game_id!r} is not offered here")
        if await kind.recover(round_id, game_id):
            return True
        return await kind.stand_if_idle(round_id, now_ms=now_ms, idle_ms=0)

    def game_ids(self) -> list[str]:
        """Every game rounds can be played of here."""
        return sorted(self._kinds)

    # -- recall (recall.py) ---------------------------------------------------------------
    async def view(self, round_id: str, player: Player | None = None) -> dict[str, Any]:
        return await self.recall.view(round_id, player)

    async def history(
        self, player: Player, *, limit: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        return await self.recall.history(player, limit=limit, cursor=cursor)
