"""Responsible gambling for players: their limits, reality checks, time-outs and
self-exclusion, and the checks that enforce them (docs/compliance.md).

The money limits are enforced by the ledger (``allowances.py``); this service keeps what the
player chose (one row per player, compare-and-set), and answers the gate's questions: may
this player log in, deposit, play a round now.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Final, Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.compliance.limits import Limit
from croupier.domain.compliance.profile import Profile
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.compliance.responsible import (
    LIMIT_KINDS,
    PERIODS,
    Exclusion,
    ExclusionKind,
    PlayerLimits,
    ResponsibleState,
    add_months,
    check_not_excluded,
)
from croupier.domain.compliance.rules import (
    check_reality_check_interval,
    check_self_exclusion_months,
    check_time_out_hours,
    default_deposit_limits,
)
from croupier.domain.errors import (
    Busy,
    CroupierError,
    InsufficientFunds,
    RealityCheckDue,
    SelfExcluded,
    SessionTimeLimit,
    StateConflict,
)
from croupier.domain.ledger import AppendEvent, Command, TransferRequest
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.compliance.allowances import (
    Allowances,
    limit_refusal,
    release_excess,
    round_usage,
)
from croupier.services.ledger.ports import LedgerClient
from croupier.services.stream.channels import player_stream

__all__ = [
    "NationalRegister",
    "ResponsibleGambling",
    "ResponsibleStore",
    "limits_view",
]

_CAS_TRIES: Final = 8
#: The player's settings as this round's gate read (or wrote) them: set by
#: :meth:`ResponsibleGambling.before_round`, taken once by :meth:`round_commands` in the same
#: task, so a round reads the row once, not twice. The gate's read is the round's moment: a
#: limit changed after it applies from the next round, as it would had the change come a
#: moment later. A request's task has its own context, so nothing leaks between rounds.
_ROUND_STATE: ContextVar[ResponsibleState | None] = ContextVar("rg_round_state", default=None)
#: How far back the reality check's net win/loss looks in the cash account's history.
_HISTORY_MAX: Final = 1000


class ResponsibleStore(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def get(self, player_id: str) -> tuple[ResponsibleState, int] | None: ...

    async def put(self, state: ResponsibleState, *, version: int, at: datetime) -> bool:
        """Insert (``version`` 0) or compare-and-set; ``False``: someone changed it first."""
        ...

    async def excluded(
        self, now_ms: int, *, after_player_id: str, limit: int
    ) -> list[ResponsibleState]:
        """Players whose time-out or self-exclusion runs past ``now_ms``, by player id,
        after ``after_player_id`` ("" from the start)."""
        ...


class NationalRegister(Protocol):
    """A national self-exclusion register (GAMSTOP in Great Britain, OASIS in Germany):
    whether a person is on it. Checked at registration and at every login."""

    name: str

    async def is_excluded(self, *, email: str, date_of_birth: date, country: str) -> bool: ...


Revoke = Callable[[Player, str, str | None], Awaitable[None]]
PlayerLookup = Callable[[str], Awaitable[Player | None]]


class ResponsibleGambling:
    def __init__(
        self,
        store: ResponsibleStore,
        ledger: LedgerClient,
        profiles: JurisdictionProfiles,
        *,
        default_profile: Profile,
        audit: AuditTrail,
        clock: Callable[[], datetime],
        players: PlayerLookup,
        register: NationalRegister | None = None,
        revoke: Revoke | None = None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.profiles = profiles
        self.default_profile = default_profile
        self.audit = audit
        self.clock = clock
        self.players = players
        self.register = register
        #: Ends every session of a player at once (HTTP and WebSocket); set by the root.
        self.revoke = revoke
        self.allowances = Allowances(ledger)

    # -- profile and state -----------------------------------------------------------------
    def profile_of(self, player: Player) -> Profile:
        """The player's profile by registered country and state; the default (the home
        region's) where no licence names the place."""
        found = self.profiles.for_player(player.country, player.state)
        return self.default_profile if found is None else found

    async def _load(self, player: Player) -> tuple[ResponsibleState, int]:
        found = await self.store.get(player.player_id)
        if found is not None:
            return found
        # A player who never chose: the profile's defaults (DE: EUR 1,000 a month).
        defaults = default_deposit_limits(self.profile_of(player), player.currency)
        money = {("deposit", period): Limit(amount) for period, amount in defaults.items()}
        return ResponsibleState(player.player_id, PlayerLimits(money)), 0

    async def _update(
        self, player: Player, change: Callable[[ResponsibleState], ResponsibleState]
    ) -> tuple[ResponsibleState, ResponsibleState]:
        """``(before, after)`` once ``change`` is stored (retried on a concurrent change)."""
        for _ in range(_CAS_TRIES):
            state, version = await self._load(player)
            changed = change(state)
            if changed == state and version:
                return state, state
            if await self.store.put(changed, version=version, at=self.clock()):
                return state, changed
        raise Busy("the player's settings kept changing: try again")

    async def state(self, player: Player) -> ResponsibleState:
        return (await self._load(player))[0]

    # -- limits ----------------------------------------------------------------------------
    async def limits(self, player: Player) -> dict[str, Any]:
        state = await self.state(player)
        return limits_view(state, self.profile_of(player), self.clock())

    async def set_limits(
        self, player: Player, request: Mapping[str, Any], *, ip: str
    ) -> dict[str, Any]:
        """Apply ``PUT /v1/limits``: decreases at once, increases after the profile's
        cooling-off; the reality-check interval within the profile's bounds; audited."""
        profile = self.profile_of(player)
        now = self.clock()
        rules = profile.limit_changes
        reality = request.get("reality_check_minutes")
        if reality is not None:
            reality = check_reality_check_interval(profile, reality)
        limits_request = {k: v for k, v in request.items() if k != "reality_check_minutes"}

        def change(state: ResponsibleState) -> ResponsibleState:
            limits = state.limits.changed(limits_request, rules, now)
            minutes = state.reality_minutes if reality is None else reality
            return replace(state, limits=limits, reality_minutes=minutes)

        before, after = await self._update(player, change)
        actor = f"player:{player.player_id}"
        await self.audit.record(
            AuditEntry(
                actor,
                "player.limits.changed",
                subject=actor,
                source_ip=ip,
                before=limits_view(before, profile, now),
                after=limits_view(after, profile, now),
            )
        )
        return limits_view(after, profile, now)

    async def confirm_increases(self, player: Player, *, ip: str) -> dict[str, Any]:
        """Where the profile wants it (UKGC), the player confirms matured increases."""
        profile = self.profile_of(player)
        now = self.clock()

        def change(state: ResponsibleState) -> ResponsibleState:
            money = {}
            confirmed = False
            for key, limit in state.limits.money.items():
                money[key] = limit
                if limit.pending is not None and limit.pending.pending_from <= now:
                    money[key], confirmed = Limit(limit.pending.value_minor), True
            session = state.limits.session_minutes
            if session.pending is not None and session.pending.pending_from <= now:
                session, confirmed = Limit(session.pending.value_minor), True
            if not confirmed:
                raise StateConflict("there is no limit increase ready to confirm")
            return replace(state, limits=PlayerLimits(money, session))

        before, after = await self._update(player, change)
        actor = f"player:{player.player_id}"
        await self.audit.record(
            AuditEntry(
                actor,
                "player.limits.changed",
                subject=actor,
                source_ip=ip,
                reason="increase confirmed",
                before=limits_view(before, profile, now),
                after=limits_view(after, profile, now),
            )
        )
        return limits_view(after, profile, now)

    # -- money -----------------------------------------------------------------------------
    async def deposit_reservations(
        self, player: Player, intent_id: str, amount: int
    ) -> list[TransferRequest]:
        """The usage transfers a deposit's intent carries (its allowances synchronised
        first); ``SelfExcluded``/``TimedOut`` while excluded."""
        state = await self.state(player)
        now = self.clock()
        check_not_excluded(state.exclusion, now)
        profile = self.profile_of(player)
        limits = state.limits.in_force(profile.limit_changes, now)
        allowances = self.allowances.in_force(player, limits, "deposit", now, track_unlimited=True)
        await self.allowances.synchronise(player, allowances)
        return self.allowances.deposit_reservations(player, allowances, intent_id, amount)

    async def deposit_releases(
        self, player: Player, pending_ids: Sequence[str]
    ) -> list[TransferRequest]:
        """What a declined deposit's void carries: the take-back of what it returns to an
        allowance funded above a lowered limit (``allowances.release_excess``)."""
        state = await self.state(player)
        now = self.clock()
        limits = state.limits.in_force(self.profile_of(player).limit_changes, now)
        return await release_excess(self.ledger, limits, pending_ids, now)

    async def round_commands(
        self, player: Player, round_id: str, group: Sequence[Command]
    ) -> list[TransferRequest]:
        """The wager and loss usage a round's opening write carries."""
        state = _ROUND_STATE.get()
        _ROUND_STATE.set(None)
        if state is None or state.player_id != player.player_id:
            state = await self.state(player)
        now = self.clock()
        limits = state.limits.in_force(self.profile_of(player).limit_changes, now)
        wager = self.allowances.in_force(player, limits, "wager", now)
        loss = self.allowances.in_force(player, limits, "loss", now)
        if not wager and not loss:
            return []
        await self.allowances.synchronise(player, [*wager, *loss])
        return round_usage(player, round_id, group, wager, loss)

    @staticmethod
    def refusal(error: InsufficientFunds) -> CroupierError:
        """``deposit-limit``/``loss-limit``/``wager-limit`` for an allowance's refusal; the
        error itself otherwise."""
        return limit_refusal(error) or error

    # -- who may play ----------------------------------------------------------------------
    async def before_login(self, player: Player, *, withdraw_only: bool) -> None:
        """A login: refused while excluded (``self-excluded`` / ``timed-out``) unless it asks
        for a withdrawal-only session, and for a person on the national register."""
        now = self.clock()
        if not withdraw_only:
            found = await self.store.get(player.player_id)
            if found is not None:
                check_not_excluded(found[0].exclusion, now)
        await self._check_register(
            email=player.email,
            date_of_birth=player.date_of_birth,
            country=player.country,
            withdraw_only=withdraw_only,
        )
        if not withdraw_only:  # a new play session: its own time limit and reality checks
            await self.end_session(player)

    async def before_registration(self, *, email: str, date_of_birth: date, country: str) -> None:
        await self._check_register(
            email=email, date_of_birth=date_of_birth, country=country, withdraw_only=False
        )

    async def _check_register(
        self, *, email: str, date_of_birth: date, country: str, withdraw_only: bool
    ) -> None:
        if self.register is None or withdraw_only:
            return
        if await self.register.is_excluded(
            email=email, date_of_birth=date_of_birth, country=country
        ):
            raise SelfExcluded(
                f"this person is self-excluded on the national register ({self.register.name})"
            )

    async def before_socket(self, player_id: str) -> None:
        """A WebSocket: none while excluded (a withdrawal-only session has no use for one)."""
        found = await self.store.get(player_id)
        if found is not None:
            check_not_excluded(found[0].exclusion, self.clock())

    async def before_deposit(self, player_id: str) -> None:
        found = await self.store.get(player_id)
        if found is not None:
            check_not_excluded(found[0].exclusion, self.clock())

    async def before_round(self, player_id: str) -> None:
        """A new round: not while excluded, not past the session time limit, not while a
        reality check waits; a first round after a pause starts a play session (and its
        reality-check clock); a reality check falling due is sent and pauses play."""
        now = self.clock()
        found = await self.store.get(player_id)
        _ROUND_STATE.set(None if found is None else found[0])
        if found is not None:
            check_not_excluded(found[0].exclusion, now)
            if found[0].reality_pending:
                raise RealityCheckDue(
                    "a reality check is waiting: acknowledge it (POST /v1/reality-checks/ack)"
                )
        state = None if found is None else found[0]
        if state is None or state.session_started is None:
            # the first round since the login starts the play session
            player = await self.players(player_id)
            if player is not None:
                await self._start_session(player, self.profile_of(player), now)
            return
        started = state.session_started
        session = state.limits.session_minutes
        if session.pending is not None and session.pending.pending_from <= now:
            player = await self.players(player_id)  # a matured change: the profile says
            if player is not None:
                rules = self.profile_of(player).limit_changes
                session = state.limits.in_force(rules, now).session_minutes
        minutes = session.value_minor
        if minutes is not None and now >= started + timedelta(minutes=minutes):
            raise SessionTimeLimit(
                f"your session time limit of {minutes} minutes is reached: take a break"
            )
        if state.reality_due is not None and now >= state.reality_due:
            player = await self.players(player_id)
            if player is not None:
                await self._send_reality_check(player, started, now)
            raise RealityCheckDue(
                "a reality check was sent: acknowledge it to play on (POST /v1/reality-checks/ack)"
            )

    async def _start_session(self, player: Player, profile: Profile, now: datetime) -> None:
        def change(state: ResponsibleState) -> ResponsibleState:
            if state.session_started is not None:  # a concurrent round started it
                return state
            interval = state.reality_minutes or profile.reality_check.interval_minutes_default
            return replace(
                state,
                session_started=now,
                reality_due=now + timedelta(minutes=interval),
                reality_pending=False,
            )

        _, after = await self._update(player, change)
        _ROUND_STATE.set(after)

    async def end_session(self, player: Player) -> None:
        """A login (or a logout): the next round starts a new play session, with its own
        session time and reality-check clock."""
        found = await self.store.get(player.player_id)
        if found is None or found[0].session_started is None:
            return

        def change(state: ResponsibleState) -> ResponsibleState:
            return replace(state, session_started=None, reality_due=None, reality_pending=False)

        await self._update(player, change)

    async def _send_reality_check(self, player: Player, started: datetime, now: datetime) -> None:
        """Mark the check as waiting and send the ``reality.check`` notice on the player's
        event stream (every connected WebSocket of the player gets it); once, however many
        rounds race to it."""
        sent = [False]

        def change(current: ResponsibleState) -> ResponsibleState:
            sent[0] = not current.reality_pending
            return current if current.reality_pending else replace(current, reality_pending=True)

        await self._update(player, change)
        if not sent[0]:
            return
        data = {
            "session_started_at": started.isoformat(),
            "session_minutes": int((now - started) / timedelta(minutes=1)),
            "net_minor": await self._net_since(player, started),
            "currency": player.currency,
        }
        await self.ledger.submit(
            [AppendEvent.create(player_stream(player.player_id), "reality.check", data)]
        )

    async def _net_since(self, player: Player, started: datetime) -> int:
        """The player's net win (+) or loss (−) in rounds since ``started``."""
        since_ms = int(started.timestamp() * 1000)
        rows = await self.ledger.history(player.cash_account_id, limit=_HISTORY_MAX)
        net = 0
        for _, transfer in rows:
            if transfer.timestamp_ms < since_ms:
                break
            if transfer.reason == "stake" and transfer.debit_account_id == player.cash_account_id:
                net -= transfer.amount_minor
            elif transfer.reason == "win" and transfer.credit_account_id == player.cash_account_id:
                net += transfer.amount_minor
        return net

    async def acknowledge_reality_check(self, player: Player, *, ip: str) -> dict[str, Any]:
        """The player read the reality check: play resumes, the next is due one interval
        from now. ``StateConflict`` if none waits."""
        profile = self.profile_of(player)
        now = self.clock()

        def change(state: ResponsibleState) -> ResponsibleState:
            if not state.reality_pending:
                raise StateConflict("no reality check is waiting")
            interval = state.reality_minutes or profile.reality_check.interval_minutes_default
            return replace(
                state, reality_pending=False, reality_due=now + timedelta(minutes=interval)
            )

        _, after = await self._update(player, change)
        actor = f"player:{player.player_id}"
        await self.audit.record(
            AuditEntry(actor, "player.reality_check.acknowledged", subject=actor, source_ip=ip)
        )
        assert after.reality_due is not None
        return {"next_due_at": after.reality_due.isoformat()}

    # -- time-out and self-exclusion -------------------------------------------------------
    async def time_out(self, player: Player, hours: object, *, ip: str) -> Exclusion:
        profile = self.profile_of(player)
        now = self.clock()
        length = timedelta(hours=check_time_out_hours(profile, hours))
        return await self._exclude(
            player, Exclusion(ExclusionKind.TIME_OUT, now, now + length), ip=ip
        )

    async def self_exclude(self, player: Player, months: object, *, ip: str) -> Exclusion:
        profile = self.profile_of(player)
        now = self.clock()
        until = add_months(now, check_self_exclusion_months(profile, months))
        return await self._exclude(
            player, Exclusion(ExclusionKind.SELF_EXCLUSION, now, until), ip=ip
        )

    async def _exclude(self, player: Player, exclusion: Exclusion, *, ip: str) -> Exclusion:
        now = exclusion.since
        before, after = await self._update(player, lambda s: s.with_exclusion(exclusion, now))
        assert after.exclusion is not None
        actor = f"player:{player.player_id}"
        await self.audit.record(
            AuditEntry(
                actor,
                f"player.{exclusion.kind.value}",
                subject=actor,
                source_ip=ip,
                before=_exclusion_json(before.exclusion),
                after=_exclusion_json(after.exclusion) | {"marketing": after.marketing_allowed},
            )
        )
        if self.revoke is not None:  # every session, every gateway, at once
            await self.revoke(player, exclusion.kind.value, ip)
        return after.exclusion

    async def marketing_allowed(self, player_id: str) -> bool:
        """Whether marketing may reach the player (``False`` for good after a
        self-exclusion, and during any exclusion)."""
        found = await self.store.get(player_id)
        if found is None:
            return True
        state = found[0]
        excluded = state.exclusion is not None and state.exclusion.active(self.clock())
        return state.marketing_allowed and not excluded


def _exclusion_json(exclusion: Exclusion | None) -> dict[str, Any]:
    if exclusion is None:
        return {}
    return {
        "kind": exclusion.kind.value,
        "since": exclusion.since.isoformat(),
        "until": exclusion.until.isoformat(),
    }


def _limit_view(limit: Limit, now: datetime) -> dict[str, Any]:
    pending = limit.pending
    return {
        "value": limit.value_minor,
        "pending": None if pending is None else pending.value_minor,
        "pending_from": None if pending is None else pending.pending_from.isoformat(),
    }


def limits_view(state: ResponsibleState, profile: Profile, now: datetime) -> dict[str, Any]:
    """``GET /v1/limits``: each limit in force with its pending increase, the session time,
    the reality-check interval and its bounds, and any exclusion."""
    limits = state.limits.in_force(profile.limit_changes, now)
    view: dict[str, Any] = {}
    for kind in LIMIT_KINDS:
        view[kind] = {
            period: _limit_view(limits.money.get((kind, period), Limit(None)), now)
            for period in PERIODS
        }
    view["session_minutes"] = _limit_view(limits.session_minutes, now)
    rules = profile.reality_check
    view["reality_check_minutes"] = state.reality_minutes or rules.interval_minutes_default
    view["reality_check_bounds"] = [rules.interval_minutes_min, rules.interval_minutes_max]
    view["cooling_off_hours"] = profile.limit_changes.increase_cooling_off_hours
    view["increase_needs_confirmation"] = profile.limit_changes.increase_needs_confirmation
    view["jurisdiction"] = profile.id
    exclusion = state.exclusion
    view["exclusion"] = (
        _exclusion_json(exclusion) if exclusion is not None and exclusion.active(now) else None
    )
    json.dumps(view)  # a view is JSON by construction
    return view
