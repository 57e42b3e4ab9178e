"""Game recommendations for a player: the trained model, the games their jurisdiction
offers, and the responsible-gambling rules first.

* Nothing is recommended to a player who is self-excluded, timed out, frozen or closed,
  AML-flagged or at risk (the segment): an empty list and the ``reason``.
* The candidates are the games rounds are played of here that the player's jurisdiction
  profile offers (its game kinds and, for slots, its minimum RTP: the same rules the round
  path enforces, ``croupier.domain.compliance.rules``), less the games the player already
  knows (``familiar_rounds_min`` rounds).
* A player with no history gets the most popular games (the cold start).

The model is trained at start and every ``retrain_interval_s`` by a task of this process;
the training itself (scikit-learn) runs on a worker thread, off the event loop, and a new
model replaces the old one whole when it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from croupier.domain.accounts import Player
from croupier.domain.compliance.rules import slot_offered
from croupier.domain.engagement import Ineligibility
from croupier.domain.errors import GeoBlocked
from croupier.services.catalogue import GameCatalogue
from croupier.services.compliance.gate import ComplianceGate
from croupier.services.engagement.model import GameModel, Recommendation, train
from croupier.services.engagement.ports import EngagementStore
from croupier.services.engagement.segments import Segments
from croupier.services.engagement.settings import EngagementSettings

__all__ = ["Recommendations", "Recommender"]

_log = logging.getLogger("croupier.engagement")
#: What a player may ask for per request.
LIMIT_MAX = 20


@dataclass(frozen=True, slots=True)
class Recommendations:
    games: tuple[Recommendation, ...]
    #: Why the list is empty on purpose (``self-excluded``, ``at-risk``, …; ``warming-up``
    #: before the first model); ``None`` otherwise.
    reason: str | None
    trained_at_ms: int | None


@dataclass(frozen=True, slots=True)
class _Trained:
    model: GameModel
    at_ms: int


class Recommender:
    def __init__(
        self,
        store: EngagementStore,
        segments: Segments,
        catalogue: GameCatalogue,
        *,
        playable: Callable[[], Collection[str]],
        compliance: ComplianceGate | None,
        settings: EngagementSettings,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self.store = store
        self.segments = segments
        self.catalogue = catalogue
        self._playable = playable
        self.compliance = compliance
        self.settings = settings
        self._clock_ms = clock_ms
        self._trained: _Trained | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="recommend-train")
        self._task: asyncio.Task[None] | None = None

    # -- training -------------------------------------------------------------------------
    async def retrain(self) -> GameModel:
        """Train on the store's counts now (on the worker thread) and serve the result."""
        plays = await self.store.play_counts(limit=self.settings.training_rows_max)
        model = await asyncio.get_running_loop().run_in_executor(self._executor, train, plays)
        self._trained = _Trained(model, self._clock_ms())
        _log.info("recommendations trained on %d players, %d games", model.players, len(plays))
        return model

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="recommend-retrain")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        interval_s = self.settings.retrain_interval_s
        while True:
            try:
                await self.retrain()
            except Exception:  # said loudly; the previous model serves on
                _log.exception("training the recommendations failed")
            if interval_s == 0:
                return
            await asyncio.sleep(interval_s)

    # -- serving --------------------------------------------------------------------------
    def offered(self, player: Player) -> list[str]:
        """The games rounds are played of here that the player's profile offers."""
        playable = sorted(self._playable())
        if self.compliance is None:
            return playable
        try:
            profile = self.compliance.profile_of(player)
        except GeoBlocked:
            return []
        offered = []
        for game_id in playable:
            facts = self.compliance.games.get(game_id)
            if facts is None or facts.kind not in profile.game_kinds:
                continue
            rtp_bp = facts.rtp_bp_min if facts.kind == "slots" else None
            if rtp_bp is None or slot_offered(profile, rtp_bp):
                offered.append(game_id)
        return offered

    async def for_player(self, player: Player, limit: int) -> Recommendations:
        """Up to ``limit`` (1..20) games for the player, best first, or none and why."""
        if not 1 <= limit <= LIMIT_MAX:
            raise ValueError(f"limit must be between 1 and {LIMIT_MAX}")
        trained = self._trained
        at_ms = None if trained is None else trained.at_ms
        found = await self.segments.of_player(player)
        # Recommendations are not marketing: a player who turned marketing off still sees them.
        if found.ineligible not in (None, Ineligibility.NO_MARKETING):
            assert found.ineligible is not None
            return Recommendations((), found.ineligible.value, at_ms)
        if trained is None:
            return Recommendations((), "warming-up", None)
        played = {p.game_id: p.rounds for p in await self.store.player_plays(player.player_id)}
        games = trained.model.recommend(
            played,
            self.offered(player),
            limit=limit,
            familiar_rounds_min=self.settings.familiar_rounds_min,
        )
        return Recommendations(tuple(games), None, at_ms)

    def as_json(self, player: Player, found: Recommendations) -> dict[str, Any]:
        games = []
        for recommendation in found.games:
            entry = self.catalogue.get(recommendation.game_id)
            games.append(
                {
                    "game_id": recommendation.game_id,
                    "name": None if entry is None else entry.name,
                    "kind": None if entry is None else entry.kind,
                    "score": recommendation.score,
                    "why": recommendation.why,
                }
            )
        trained_at = (
            None
            if found.trained_at_ms is None
            else datetime.fromtimestamp(found.trained_at_ms / 1000, UTC).isoformat()
        )
        return {
            "player_id": player.player_id,
            "games": games,
            "reason": found.reason,
            "model_trained_at": trained_at,
        }
