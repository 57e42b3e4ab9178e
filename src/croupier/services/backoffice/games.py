"""Enable or disable a game: a persistent switch the play gate reads before every new round.

A disabled game refuses new rounds (``GameDisabled``, 409 ``game-disabled``); rounds already
open finish as usual (actions are not refused), and recall still shows every round.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from croupier.domain.errors import UnknownGame
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.ports import BackofficeStore, GameSwitch
from croupier.services.backoffice.staff_actor import check_reason, staff_identity

__all__ = ["GameSwitches"]


class GameSwitches:
    def __init__(
        self,
        store: BackofficeStore,
        audit: AuditTrail,
        *,
        game_ids: Callable[[], Collection[str]],
        clock_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.audit = audit
        self._game_ids = game_ids  # the games rounds can be played of here
        self._clock_ms = clock_ms

    async def games(self) -> list[GameSwitch]:
        """Every game with its switch (enabled unless staff disabled it)."""
        stored = {switch.game_id: switch for switch in await self.store.game_switches()}
        return [
            stored.get(game_id) or GameSwitch(game_id, True, "", "system", 0)
            for game_id in sorted(self._game_ids())
        ]

    async def disable(
        self, game_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> GameSwitch:
        return await self._switch(game_id, False, actor, source_ip, reason)

    async def enable(
        self, game_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> GameSwitch:
        return await self._switch(game_id, True, actor, source_ip, reason)

    async def _switch(
        self, game_id: str, enabled: bool, actor: str, source_ip: str | None, reason: str
    ) -> GameSwitch:
        staff_identity(actor)
        why = check_reason(reason)
        if game_id not in self._game_ids():
            raise UnknownGame(f"no game {game_id!r} is played here")
        before = next(g for g in await self.games() if g.game_id == game_id)
        switch = GameSwitch(game_id, enabled, why, actor, self._clock_ms())
        await self.store.save_game_switch(switch)
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action="game.enabled" if enabled else "game.disabled",
                subject=f"game:{game_id}",
                source_ip=source_ip,
                reason=why,
                before={"enabled": before.enabled},
                after={"enabled": enabled},
            )
        )
        return switch
