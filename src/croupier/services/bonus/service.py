"""The bonus engine's use cases (issue 18, docs/bonuses.md): what a player may claim, claims
and grants, deposit matches, forfeiture (a withdrawal's warning included), conversion when
the wagering is complete, and expiry. Every movement is a ledger transfer in the linked
group of the event that records it (``ledger_ops``); rounds reach it through
:class:`~croupier.services.bonus.rounds.RoundBonus`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from croupier.domain.accounts.player import Player
from croupier.domain.bonus import (
    BonusGrant,
    BonusKind,
    BonusPolicy,
    BonusState,
    Offer,
    Outcome,
    WageringBase,
    match_amount,
    policy_refusal,
    requirement,
)
from croupier.domain.errors import (
    AccountNotFound,
    BonusForfeitRequired,
    BonusNotAvailable,
    InsufficientFunds,
    StreamConflict,
)
from croupier.services.bonus.ledger_ops import (
    end_commands,
    grant_commands,
    spins_account,
    wagering_account,
)
from croupier.services.bonus.offers import OfferCatalogue
from croupier.services.bonus.state import BonusStates
from croupier.services.ledger import LedgerClient

__all__ = ["BonusService", "Standing"]

_log = logging.getLogger("croupier.bonus")
_HOUR_MS: Final = 3_600_000

#: (the player's segments, why no promotion may reach them or None): ``Segments.of_player``.
Standing = Callable[[Player], Awaitable[tuple[frozenset[str], str | None]]]


@dataclass(frozen=True, slots=True)
class Progress:
    requirement_minor: int
    remaining_minor: int
    bonus_minor: int
    spins_left: int = 0

    @property
    def wagered_minor(self) -> int:
        return self.requirement_minor - self.remaining_minor


class BonusService:
    def __init__(
        self,
        ledger: LedgerClient,
        states: BonusStates,
        *,
        standing: Standing,
        policy_of: Callable[[Player], BonusPolicy],
        clock_ms: Callable[[], int],
    ) -> None:
        self.ledger = ledger
        self.states = states
        self.offers = OfferCatalogue(ledger)
        self.standing = standing
        self.policy_of = policy_of
        self.clock_ms = clock_ms

    # -- what a player sees ----------------------------------------------------------------
    async def available(self, player: Player, state: BonusState) -> list[Offer]:
        """Offers this player may claim now: none to a player barred from promotions."""
        segments, barred = await self.standing(player)
        if barred is not None or state.busy:
            return []
        policy = self.policy_of(player)
        return [
            offer
            for offer in await self.offers.all()
            if offer.active
            and offer.terms.kind is not BonusKind.CASHBACK  # paid by its job, not claimed
            and offer.terms.currency == player.currency
            and offer.offer_id not in state.claimed
            and (not offer.segments or offer.segments & segments)
            and policy_refusal(offer.terms, policy) is None
        ]

    async def overview(self, player: Player) -> dict[str, Any]:
        """``GET /v1/bonuses``: offers I may claim, my active bonus and its progress."""
        state = await self.settle(player)
        offers = await self.available(player, state)
        active = []
        if state.active is not None:
            progress = await self.progress(player, state.active)
            active.append(_bonus_json(state.active, progress))
        return {
            "offers": [offer.as_json() for offer in offers],
            "active": active,
            "waiting_for_deposit": state.waiting,
        }

    async def progress(self, player: Player, grant: BonusGrant) -> Progress:
        """Where the bonus stands on the ledger: the requirement is what its memo was ever
        funded with (a free-spins bonus's grows with each spin's winnings)."""
        _, bonus = await self.ledger.balance(player.bonus_account_id)
        try:
            _, memo = await self.ledger.balance(wagering_account(grant.bonus_id))
            required, remaining = memo.credits_posted, memo.available
        except AccountNotFound:
            required = remaining = 0
        spins_left = 0
        if grant.spins:
            _, spins = await self.ledger.balance(spins_account(grant.bonus_id))
            spins_left = spins.available // grant.spin_stake_minor
        return Progress(required, remaining, bonus.available, spins_left)

    # -- claims and grants -----------------------------------------------------------------
    async def claim(self, player: Player, offer_id: str) -> dict[str, Any]:
        """Claim an offer: a no-deposit bonus is granted now; a deposit match waits for the
        next settled deposit. ``BonusNotAvailable`` (nothing changes) if not offered to me."""
        state = await self.states.read(player.player_id)
        offer = await self.offers.get(offer_id)
        if offer.offer_id in state.claimed:
            raise BonusNotAvailable("this offer has been claimed already")
        if offer not in await self.available(player, state):
            raise BonusNotAvailable("this offer is not available to you now")
        if offer.terms.kind is BonusKind.DEPOSIT_MATCH:
            await self._opt_in(player, offer, state)
            return await self.overview(player)
        await self.grant(
            player, offer, state, deposit_minor=0, amount_minor=offer.terms.amount_minor
        )
        return await self.overview(player)

    async def grant_by_staff(self, player: Player, offer_id: str) -> dict[str, Any]:
        """Staff grant a no-deposit offer: the same checks as a claim (a barred player gets
        nothing, whoever asks), without the targeting."""
        state = await self.states.read(player.player_id)
        offer = await self.offers.get(offer_id)
        _, barred = await self.standing(player)
        refusal = policy_refusal(offer.terms, self.policy_of(player))
        if offer.terms.kind is BonusKind.DEPOSIT_MATCH:
            raise BonusNotAvailable("staff grant no-deposit and free-spins offers only")
        if barred is not None or refusal is not None or state.busy:
            raise BonusNotAvailable(refusal or barred or "the player has a bonus already")
        if offer.terms.currency != player.currency or offer.offer_id in state.claimed:
            raise BonusNotAvailable("not in the player's currency, or claimed already")
        await self.grant(
            player, offer, state, deposit_minor=0, amount_minor=offer.terms.amount_minor
        )
        return await self.overview(player)

    async def _opt_in(self, player: Player, offer: Offer, state: BonusState) -> None:
        from croupier.domain.ledger import AppendEvent
        from croupier.services.bonus.ledger_ops import bonus_stream

        event = AppendEvent.create(
            bonus_stream(player.player_id),
            "bonus.opted_in",
            {"offer_id": offer.offer_id},
            expected_seq=state.head_seq,
        )
        await self._submit(player, [event])

    async def grant(
        self,
        player: Player,
        offer: Offer,
        state: BonusState,
        *,
        deposit_minor: int,
        amount_minor: int,
    ) -> BonusGrant | None:
        """Credit a bonus (``None``: nothing to grant, e.g. a match of 0)."""
        if amount_minor <= 0 and not offer.terms.spins:
            return None
        terms, now = offer.terms, self.clock_ms()
        grant = BonusGrant(
            bonus_id=f"{player.player_id}.{state.head_seq + 1}",
            offer_id=offer.offer_id,
            kind=terms.kind.value,
            currency=terms.currency,
            amount_minor=amount_minor,
            deposit_minor=deposit_minor,
            requirement_minor=requirement(
                bonus_minor=amount_minor,
                deposit_minor=deposit_minor,
                multiple=terms.wagering_multiple,
                on_deposit_too=terms.wagering_base is WageringBase.BONUS_AND_DEPOSIT,
                multiple_max=self.policy_of(player).wagering_multiple_max,
            ),
            max_bet_minor=terms.max_bet_minor,
            weights=dict(terms.weights),
            expires_ms=now + terms.expiry_hours * _HOUR_MS,
            conversion_max_minor=terms.conversion_max_minor,
            granted_ms=now,
            game_id=terms.game_id,
            spins=terms.spins,
            spin_stake_minor=terms.spin_stake_minor,
            wagering_multiple=terms.wagering_multiple,
        )
        await self._submit(player, grant_commands(player, grant, state.head_seq))
        await self.settle(player)  # nothing to wager (a 0x offer): it converts at once
        return grant

    async def on_deposit(self, player: Player, deposit_minor: int) -> BonusGrant | None:
        """A settled deposit: match it if the player opted in to a deposit-match offer (and
        may still receive promotions). Idempotent: the opt-in is consumed by the grant."""
        state = await self.states.read(player.player_id)
        if state.waiting is None or state.active is not None:
            return None
        offer = await self.offers.get(state.waiting)
        _, barred = await self.standing(player)
        if barred is not None or policy_refusal(offer.terms, self.policy_of(player)) is not None:
            _log.info("deposit match of %s not granted: %s", player.player_id, barred)
            return None
        terms = offer.terms
        amount = match_amount(deposit_minor, terms.match_percent, terms.match_cap_minor)
        return await self.grant(
            player, offer, state, deposit_minor=deposit_minor, amount_minor=amount
        )

    # -- ends ------------------------------------------------------------------------------
    async def settle(self, player: Player, state: BonusState | None = None) -> BonusState:
        """End the active bonus if it is due: converted when its wagering is complete, lost
        when its funds ran out first, expired past its expiry. Idempotent and safe to race:
        the end is recorded at the stream's seq, so it happens once."""
        if state is None:
            state = await self.states.read(player.player_id)
        grant = state.active
        if grant is None:
            return state
        progress = await self.progress(player, grant)
        if self.clock_ms() >= grant.expires_ms:
            outcome = Outcome.EXPIRED
        elif progress.spins_left:  # free spins still to play: nothing is due
            return state
        elif progress.bonus_minor == 0:  # spent (or free spins that won nothing)
            outcome = Outcome.LOST
        elif progress.remaining_minor == 0:
            outcome = Outcome.CONVERTED
        else:
            return state
        await self.end(player, state, outcome)
        return await self.states.read(player.player_id)

    async def end(self, player: Player, state: BonusState, outcome: Outcome) -> None:
        if state.active is None:
            return
        try:
            await self._submit(player, end_commands(player, state.active, outcome, state.head_seq))
        except StreamConflict:  # another process ended it (or granted) first: read again
            self.states.forget(player.player_id)

    async def forfeit(self, player: Player) -> dict[str, Any]:
        """The player gives up their active bonus (its funds return to the house), or their
        opt-in waiting for a deposit."""
        state = await self.states.read(player.player_id)
        if state.active is not None:
            await self.end(player, state, Outcome.FORFEITED)
        elif state.waiting is not None:
            from croupier.domain.ledger import AppendEvent
            from croupier.services.bonus.ledger_ops import bonus_stream

            cancelled = {"bonus_id": "", "offer_id": state.waiting, "outcome": "cancelled"}
            await self._submit(
                player,
                [
                    AppendEvent.create(
                        bonus_stream(player.player_id),
                        "bonus.ended",
                        cancelled,
                        expected_seq=state.head_seq,
                    )
                ],
            )
        return await self.overview(player)

    async def before_withdrawal(self, player: Player, amount_minor: int, *, forfeit: bool) -> None:
        """A withdrawal forfeits an active bonus: without ``forfeit`` the player is told how
        much (``BonusForfeitRequired``, nothing changes); with it, the bonus ends first,
        unless the cash cannot cover the withdrawal (``InsufficientFunds``: a refused
        withdrawal forfeits nothing)."""
        state = await self.settle(player)
        if state.active is None:
            return
        _, cash = await self.ledger.balance(player.cash_account_id)
        if cash.available < amount_minor:
            raise InsufficientFunds(
                f"account {player.cash_account_id!r} has {cash.available} available, "
                f"needs {amount_minor}"
            )
        if not forfeit:
            progress = await self.progress(player, state.active)
            raise BonusForfeitRequired(
                f"withdrawing forfeits your active bonus ({progress.bonus_minor} minor units "
                "of bonus funds): repeat the request with forfeit_bonus true to confirm",
                bonus_id=state.active.bonus_id,
                forfeit_minor=progress.bonus_minor,
            )
        await self.end(player, state, Outcome.FORFEITED)

    async def sweep(self, players: Callable[[str], Awaitable[Player | None]], *, limit: int) -> int:
        """End every bonus that is due (expired, converted, lost) among the open ones: the
        scheduled job (``croupier bonus sweep``). How many ended."""
        from croupier.domain.ledger import AccountKind

        ended = 0
        accounts = await self.ledger.accounts_of_kind(AccountKind.BONUS_WAGERING.value, limit=limit)
        seen: set[str] = set()
        for account, _ in accounts:
            player_id = account.id.removeprefix("bonus-wagering:").rpartition(".")[0]
            if player_id in seen:
                continue
            seen.add(player_id)
            player = await players(player_id)
            if player is None:
                continue
            before = await self.states.read(player_id)
            after = await self.settle(player, before)
            ended += before.active is not None and after.active is None
        return ended

    async def _submit(self, player: Player, group: list[Any]) -> None:
        try:
            await self.ledger.submit(group)
        finally:  # whatever happened, the next look reads the ledger
            self.states.forget(player.player_id)


def _bonus_json(grant: BonusGrant, progress: Progress) -> dict[str, Any]:
    return {
        **grant.as_data(),
        "requirement": progress.requirement_minor,
        "spins_left": progress.spins_left,
        "balance": progress.bonus_minor,
        "wagered": progress.wagered_minor,
        "remaining": progress.remaining_minor,
        "progress_percent": (0 if progress.spins_left else 100)
        if progress.requirement_minor == 0
        else progress.wagered_minor * 100 // progress.requirement_minor,
    }
