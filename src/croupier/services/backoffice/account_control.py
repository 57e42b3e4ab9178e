"""Account control: freeze, unfreeze, close, and risk flags.

A frozen account cannot play or pay (``PlayGate`` refuses with ``account-restricted``); its
balance stays where it is, untouched and visible. A closed account is the same, for good:
nothing reopens it. Freezing or closing revokes every session of the player at once through
the one revocation path of the players' sessions (``revoke_sessions``, wired by the
composition root to ``AccountService.sessions.revoke``): revoked in the store, so the next
request with an old token is 401 everywhere, and pushed to every gateway, whose open
WebSockets on those sessions close at once (1008).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final

from croupier.domain.accounts.player import Player
from croupier.domain.errors import InvalidInput, NotFound, StateConflict
from croupier.services.accounts.ports import PlayerStore
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.ports import BackofficeStore, PlayerControl, PlayerStatus
from croupier.services.backoffice.staff_actor import check_reason, staff_identity

__all__ = ["FLAGS", "AccountControl", "RevokeSessions"]

#: The flags staff may set on an account.
FLAGS: Final = frozenset({"withdrawal-review", "aml-watch", "vip"})

#: Revokes every session of a player, everywhere: ``(player, reason, actor, source_ip)``.
RevokeSessions = Callable[[Player, str, str, str | None], Awaitable[None]]


class AccountControl:
    def __init__(
        self,
        store: BackofficeStore,
        players: PlayerStore,
        audit: AuditTrail,
        *,
        clock_ms: Callable[[], int],
        revoke_sessions: RevokeSessions,
    ) -> None:
        self.store = store
        self.players = players
        self.audit = audit
        self._clock_ms = clock_ms
        self._revoke_sessions = revoke_sessions

    async def control(self, player_id: str) -> PlayerControl:
        """The account's control (``active``, no flags, for one never touched)."""
        player = await self._player(player_id)
        return await self._current(player)

    async def freeze(
        self, player_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> PlayerControl:
        """Suspend play and payments, keep the balance; sessions are revoked at once."""
        return await self._set_status(
            player_id, PlayerStatus.FROZEN, "account.frozen", actor, source_ip, reason
        )

    async def unfreeze(
        self, player_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> PlayerControl:
        """Back to ``active`` (a closed account stays closed: ``StateConflict``)."""
        return await self._set_status(
            player_id, PlayerStatus.ACTIVE, "account.unfrozen", actor, source_ip, reason
        )

    async def close(
        self, player_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> PlayerControl:
        """Close for good; the balance stays on the ledger for the operator to settle."""
        return await self._set_status(
            player_id, PlayerStatus.CLOSED, "account.closed", actor, source_ip, reason
        )

    async def set_flags(
        self,
        player_id: str,
        flags: Iterable[str],
        *,
        actor: str,
        source_ip: str | None,
        reason: str,
    ) -> PlayerControl:
        """Replace the account's flags (``withdrawal-review`` sends its withdrawals to review)."""
        staff_identity(actor)
        why = check_reason(reason)
        wanted = frozenset(flags)
        unknown = wanted - FLAGS
        if unknown:
            raise InvalidInput(f"unknown flags {sorted(unknown)}: one of {sorted(FLAGS)}")
        player = await self._player(player_id)
        before = await self._current(player)
        if before.status is PlayerStatus.CLOSED:
            raise StateConflict("the account is closed")
        after = await self._save(before, before.status, wanted, actor, why)
        await self._record(actor, "account.flags", player, source_ip, why, before, after)
        return after

    async def _set_status(
        self,
        player_id: str,
        status: PlayerStatus,
        action: str,
        actor: str,
        source_ip: str | None,
        reason: str,
    ) -> PlayerControl:
        staff_identity(actor)
        why = check_reason(reason)
        player = await self._player(player_id)
        before = await self._current(player)
        if before.status is PlayerStatus.CLOSED:
            raise StateConflict("the account is closed, for good")
        after = await self._save(before, status, before.flags, actor, why)
        if status is not PlayerStatus.ACTIVE:
            # After the status is stored: a login between the two is refused play anyway.
            await self._revoke_sessions(player, f"{action} by staff", actor, source_ip)
        await self._record(actor, action, player, source_ip, why, before, after)
        return after

    async def _save(
        self,
        before: PlayerControl,
        status: PlayerStatus,
        flags: frozenset[str],
        actor: str,
        reason: str,
    ) -> PlayerControl:
        wanted = PlayerControl(before.player_id, status, flags, reason, actor, self._clock_ms())
        stored = await self.store.save_control(wanted)
        if stored.status is PlayerStatus.CLOSED and status is not PlayerStatus.CLOSED:
            raise StateConflict("the account was closed meanwhile, for good")
        return stored

    async def _player(self, player_id: str) -> Player:
        player = await self.players.get_player(player_id) if isinstance(player_id, str) else None
        if player is None:
            raise NotFound(f"no player {player_id!r}")
        return player

    async def _current(self, player: Player) -> PlayerControl:
        stored = await self.store.control(player.player_id)
        if stored is not None:
            return stored
        at_ms = int(player.created_at.timestamp() * 1000)
        return PlayerControl(
            player.player_id, PlayerStatus.ACTIVE, frozenset(), "", "system", at_ms
        )

    async def _record(
        self,
        actor: str,
        action: str,
        player: Player,
        source_ip: str | None,
        reason: str,
        before: PlayerControl,
        after: PlayerControl,
    ) -> None:
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action=action,
                subject=f"player:{player.player_id}",
                source_ip=source_ip,
                reason=reason,
                before=_view(before),
                after=_view(after),
            )
        )


def control_view(control: PlayerControl) -> dict[str, Any]:
    return {"status": control.status.value, "flags": sorted(control.flags)}


_view = control_view
