"""The one KYC rule: before a deposit, a round or a withdrawal, is the player verified where
their jurisdiction's profile requires it? :class:`PlayGate` asks it for deposits and rounds
(refused: 403 ``kyc-required``); the withdrawal hold asks it for withdrawals, which wait
reserved in the review queue instead of being refused (docs/compliance.md, KYC).

The profile is the player's: ``profile_of(player_id)`` (by default the registered place's,
:class:`RegisteredProfiles`). A player without a profile (no licence covers the country)
must be verified for everything: an unknown rule fails closed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import date

from croupier.domain.compliance.kyc import KycState, effective_state
from croupier.domain.compliance.profile import KycStage, Profile
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.compliance.rules import kyc_required
from croupier.domain.errors import KycRequired
from croupier.services.accounts.ports import PlayerStore
from croupier.services.kyc.ports import KycStore

__all__ = ["KycCheck", "ProfileOf", "RegisteredProfiles"]

#: The jurisdiction profile of a player (None: no licence covers them).
ProfileOf = Callable[[str], Awaitable[Profile | None]]


class RegisteredProfiles:
    """The profile of the player's registered place: the country, and in the US and Canada
    the state or province (``Player.state``).

    A registered place never changes, so each player's answer is kept (an LRU of
    ``players_max``): with KYC enforced, every round and deposit asks, and a player read
    each time cost a database round trip of its own."""

    def __init__(
        self, players: PlayerStore, registry: JurisdictionProfiles, *, players_max: int = 100_000
    ) -> None:
        self.players = players
        self.registry = registry
        self._known: OrderedDict[str, Profile | None] = OrderedDict()
        self._players_max = players_max

    async def __call__(self, player_id: str) -> Profile | None:
        if player_id in self._known:
            self._known.move_to_end(player_id)
            return self._known[player_id]
        player = await self.players.get_player(player_id)
        if player is None:
            return None  # not kept: an id that is not a player yet
        profile = self.registry.for_player(player.country, player.state)
        self._known[player_id] = profile
        if len(self._known) > self._players_max:
            self._known.popitem(last=False)
        return profile


class KycCheck:
    def __init__(
        self,
        store: KycStore,
        profile_of: ProfileOf,
        *,
        enforce: bool,
        today: Callable[[], date],
    ) -> None:
        self.store = store
        self.profile_of = profile_of
        #: ``CROUPIER_KYC_ENFORCE``: off, nothing is refused or held (state is still kept).
        self.enforce = enforce
        self._today = today

    async def state(self, player_id: str) -> KycState:
        return effective_state(await self.store.kyc(player_id), self._today())

    async def needed(self, player_id: str, stage: KycStage) -> KycState | None:
        """The player's state when ``stage`` needs ``verified`` and they are not; else None."""
        if not self.enforce:
            return None
        profile = await self.profile_of(player_id)
        if profile is not None and not kyc_required(profile, stage):
            return None
        state = await self.state(player_id)
        return None if state is KycState.VERIFIED else state

    async def require(self, player_id: str, stage: KycStage) -> None:
        """``KycRequired`` (403 ``kyc-required``) unless the player may go ahead."""
        state = await self.needed(player_id, stage)
        if state is not None:
            raise KycRequired(
                f"identity verification is required before {_NOUN[stage]} "
                f"(KYC is {state}): submit a document with POST /v1/kyc"
            )


_NOUN = {
    KycStage.DEPOSIT: "a deposit",
    KycStage.PLAY: "play",
    KycStage.WITHDRAWAL: "a withdrawal",
}
