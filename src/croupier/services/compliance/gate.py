"""The compliance checks the edge runs, in one place: which profile applies to a player,
where the request comes from, and the per-round rules of that profile.

* **Registration** (:meth:`ComplianceGate.admit_registration`): the address must be in a
  licensed place, the same one as the registered country (and state); the profile's minimum
  age and currencies apply. Refused: 451 ``geo-blocked``, 422 ``invalid-registration``.
* **Login** (:meth:`admit_login`): the address again, against the registered place, before a
  session exists.
* **Every deposit and round** (:meth:`admit_request`, HTTP and WebSocket): the address,
  cached per session and address; a new address is located again.
* **Rounds** (:meth:`before_round`, :meth:`take_spin`, :meth:`give_back_spin`, called by
  the round service): the game kind, a slot's certified RTP against the profile's minimum,
  the stake cap per spin (by age for the UK's young adults), and the time between slot spins.

The cache is this process's (an LRU of ``(session hash, address)``): a player moving to
another gateway is located once more there, which costs a lookup and changes no answer. The
last spin time is the :class:`SpinPacer`'s: in process, or on Redis shared by every gateway
(``CROUPIER_STATE_URL``), checked and recorded in one atomic step.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from croupier.domain.accounts import Player
from croupier.domain.accounts.registration import Registration
from croupier.domain.accounts.validation import age_years
from croupier.domain.compliance.geo import blocked_reason, check_player_location
from croupier.domain.compliance.profile import Profile
from croupier.domain.compliance.regions import format_region
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.compliance.rules import (
    check_age,
    check_currency_allowed,
    check_game_kind,
    check_slot_offered,
    check_spin_pace,
    check_stake,
)
from croupier.domain.errors import GeoBlocked, SpinTooFast
from croupier.services.audit.ports import AuditTrail
from croupier.services.compliance.blocked import BlockedAttempt, BlockedAttempts
from croupier.services.compliance.pacing import MemorySpinPacer, SpinPacer, SpinTake
from croupier.services.compliance.ports import Geolocation

__all__ = ["ComplianceGate", "GameFacts", "SpinTaken"]

#: Sessions × addresses remembered per process (about 200 bytes each).
CACHE_ENTRIES_MAX: Final = 100_000
_SLOTS: Final = "slots"


@dataclass(frozen=True, slots=True)
class GameFacts:
    """What the rules need of a game: its kind and, for a slot, its lowest certified RTP
    over its stakes, in basis points (``None``: not published)."""

    kind: str
    rtp_bp_min: int | None = None


@dataclass(frozen=True, slots=True)
class SpinTaken:
    """A slot spin that passed the pacing and is recorded: what a give-back undoes."""

    at_us: int
    previous_us: int | None


class ComplianceGate:
    """``profiles``: the loaded profiles and licences; ``geolocation``: the configured port
    (the private-address policy included); ``games``: the facts of each game by id (a game
    not listed is refused under every profile: its kind cannot be checked); ``clock``: now,
    timezone-aware (injected in tests); ``pacer``: where the last spin times live (shared by
    the gateways; in this process by default); ``audit``: where blocked attempts are recorded
    (``services/compliance/blocked.py``; counted only without one)."""

    def __init__(
        self,
        profiles: JurisdictionProfiles,
        geolocation: Geolocation,
        games: Mapping[str, GameFacts],
        *,
        clock: Callable[[], datetime],
        cache_entries_max: int = CACHE_ENTRIES_MAX,
        pacer: SpinPacer | None = None,
        audit: AuditTrail | None = None,
    ) -> None:
        self.profiles = profiles
        self.geolocation = geolocation
        self.games = dict(games)
        self.clock = clock
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._cache_max = cache_entries_max
        self.pacer: SpinPacer = MemorySpinPacer() if pacer is None else pacer
        #: Blocked attempts counted and audited (counted only without an audit trail).
        self.blocked = BlockedAttempts(audit, clock_s=lambda: self._now().timestamp())
        #: Addresses located (not answered from the cache): what the cache saves, for tests.
        self.lookups = 0

    # -- which profile ---------------------------------------------------------------------
    def profile_of(self, player: Player) -> Profile:
        """The profile of the player's registered place; ``GeoBlocked`` when no licence
        covers it any more (the operator dropped it)."""
        profile = self.profiles.for_player(player.country, player.state)
        if profile is None:
            raise GeoBlocked(
                f"not available to accounts registered in "
                f"{format_region(player.country, player.state)}"
            )
        return profile

    async def _located(
        self, ip: str, country: str, state: str | None, *, stage: str, player_id: str | None
    ) -> str:
        self.lookups += 1
        registered = format_region(country, state)
        try:
            location = await self.geolocation.locate(ip)
        except GeoBlocked:  # an address refused before it is located (private, production)
            await self.blocked.record(
                BlockedAttempt(stage, "private-address", "", registered, ip, player_id)
            )
            raise
        licences = self.profiles.licences
        try:
            return check_player_location(location, licences, country=country, state=state)
        except GeoBlocked:
            reason = blocked_reason(location, licences, country=country, state=state)
            await self.blocked.record(
                BlockedAttempt(
                    stage, reason or "blocked", location.country or "", registered, ip, player_id
                )
            )
            raise

    # -- the edge ------------------------------------------------------------------------
    async def admit_registration(self, registration: Registration, ip: str) -> Profile:
        """A new player at ``ip``: a licensed place that is the registered one, old enough and
        in an allowed currency under its profile."""
        profile_id = await self._located(
            ip, registration.country, registration.state, stage="registration", player_id=None
        )
        profile = self.profiles.get(profile_id)
        check_age(profile, registration.date_of_birth, self._now().date())
        check_currency_allowed(profile, registration.currency)
        return profile

    async def admit_login(self, player: Player, ip: str) -> Profile:
        """A verified player logging in from ``ip`` (always located: no session yet)."""
        located = await self._located(
            ip, player.country, player.state, stage="login", player_id=player.player_id
        )
        return self.profiles.get(located)

    async def admit_request(self, player: Player, session: str, ip: str) -> Profile:
        """A deposit or a round of ``session`` (its token's hash) from ``ip``: located once
        per session and address; a blocked answer is not kept (asked again next time)."""
        key = (session, ip)
        profile_id = self._cache.get(key)
        if profile_id is None:
            profile_id = await self._located(
                ip, player.country, player.state, stage="request", player_id=player.player_id
            )
            self._cache[key] = profile_id
            if len(self._cache) > self._cache_max:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return self.profiles.get(profile_id)

    def forget_session(self, session: str) -> None:
        """Drop a session's cached answers (logout, revocation)."""
        for key in [key for key in self._cache if key[0] == session]:
            del self._cache[key]

    # -- rounds --------------------------------------------------------------------------
    def before_round(self, player: Player, game_id: str, stake_minor: int) -> None:
        """A new round of ``game_id`` at ``stake_minor``: its kind is allowed, a slot is
        offered (RTP) and its stake within the cap (422 ``stake-limit``)."""
        profile = self.profile_of(player)
        facts = self.games.get(game_id)
        check_game_kind(profile, facts.kind if facts is not None else "unknown")
        assert facts is not None  # check_game_kind refused an unknown kind
        if facts.kind != _SLOTS:
            return
        if facts.rtp_bp_min is not None:
            check_slot_offered(profile, game_id, facts.rtp_bp_min)
        age = age_years(player.date_of_birth, today=self._now().date())
        check_stake(profile, stake_minor, player.currency, age_years=age)

    async def take_spin(self, player: Player, game_id: str) -> SpinTaken | None:
        """Under the player's round lock: ``SpinTooFast`` (429, ``Retry-After``) if a slot
        spin now is sooner than the profile allows; else the spin, recorded in the same
        atomic step (``None``: not a slot, or the profile sets no interval: nothing to
        record). Give it back with :meth:`give_back_spin` if no round is written."""
        facts = self.games.get(game_id)
        if facts is None or facts.kind != _SLOTS:
            return None
        profile = self.profile_of(player)
        interval_ms = profile.slots.spin_interval_ms_min
        if interval_ms == 0:
            return None  # no round trip where nothing is paced (MGA, NJ)
        now = self._now()
        now_us = _epoch_us(now)
        taken: SpinTake = await self.pacer.take(player.player_id, now_us, interval_ms * 1000)
        if not taken.taken:
            if taken.previous_us is not None:  # the refusal says how long to wait
                check_spin_pace(profile, _from_epoch_us(taken.previous_us, now), now)
            # The domain rule agrees with the pacer's to the microsecond; were they ever to
            # differ, refusing is the side to err on.
            raise SpinTooFast(retry_after_s=1, spin_interval_ms_min=interval_ms)
        return SpinTaken(now_us, taken.previous_us)

    async def give_back_spin(self, player: Player, spin: SpinTaken) -> None:
        """A taken spin wrote no round (refused whole): the next spin counts from the one
        before, unless another spin was recorded since."""
        await self.pacer.give_back(player.player_id, spin.at_us, spin.previous_us)

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the compliance clock must return timezone-aware datetimes")
        return now


def _epoch_us(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def _from_epoch_us(at_us: int, like: datetime) -> datetime:
    return (_EPOCH + timedelta(microseconds=at_us)).astimezone(like.tzinfo)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
