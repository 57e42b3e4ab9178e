"""Player search and view, for staff: find a player by id or email, and see the account whole.

The view gathers what support and risk need on one screen: the profile, the KYC state, the
wallet (cash, bonus and reserved, from the ledger), the account's control (status and flags)
and the limits that apply, the recent sessions with the address of each login, the
jurisdiction profile, the responsible-gambling state and the AML flags count; and, paged,
the ledger transfers of the player's accounts and the rounds with their game recall (the
same recall the player sees, fairness proof included). Each look is recorded in the audit
trail: reading a player's data is an action too.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Final

from croupier.domain.accounts import InvalidRegistration, Player, normalise_email
from croupier.domain.errors import InvalidInput, NotFound
from croupier.services.accounts.ports import PlayerStore
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.account_control import AccountControl, control_view
from croupier.services.backoffice.compliance_view import ComplianceView
from croupier.services.backoffice.limits import BackofficeLimits
from croupier.services.backoffice.staff_actor import staff_identity
from croupier.services.ledger import LedgerClient
from croupier.services.rounds import RoundService
from croupier.services.wallet import WalletLimits, transfer_json

__all__ = ["PlayerDirectory", "mask_email"]

#: Sessions shown in a player's view (the newest).
SESSIONS_SHOWN: Final = 20


def mask_email(email: str) -> str:
    """Enough of an email to recognise it on the phone, not to use it.

    >>> mask_email("alice.smith@example.com")
    'a***@example.com'
    """
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


class PlayerDirectory:
    def __init__(
        self,
        players: PlayerStore,
        control: AccountControl,
        ledger: LedgerClient,
        rounds: RoundService,
        audit: AuditTrail,
        limits: BackofficeLimits,
        wallet_limits: WalletLimits,
    ) -> None:
        self.players = players
        self.control = control
        self.ledger = ledger
        self.rounds = rounds
        self.audit = audit
        self.limits = limits
        self.wallet_limits = wallet_limits
        #: Responsible gambling, KYC and AML of a player (set by the composition root;
        #: None: the view shows none) and the list of players excluded now.
        self.compliance: ComplianceView | None = None

    async def find(
        self, query: str, *, actor: str, source_ip: str | None, reason: str = "search"
    ) -> list[Player]:
        """The player whose id or email is ``query`` (at most one: both are unique)."""
        staff_identity(actor)
        if not isinstance(query, str) or not 1 <= len(query.strip()) <= 254:
            raise InvalidInput("search by a player id or an email")
        found = await self.players.get_player(query.strip())
        if found is None and "@" in query:
            with contextlib.suppress(InvalidRegistration):  # not an email: nothing to find
                stored = await self.players.find_by_email(normalise_email(query))
                found = stored.player if stored is not None else None
        # The query itself may be an email: the trail keeps what was found, not what was typed.
        await self._record(
            actor, "player.searched", None, source_ip, reason, {"found": found is not None}
        )
        return [found] if found is not None else []

    async def view(
        self,
        player_id: str,
        *,
        actor: str,
        source_ip: str | None,
        reason: str = "view",
        reveal_pii: bool = False,
    ) -> dict[str, Any]:
        """Everything about one player but the pages (transactions, rounds). The email and
        date of birth are masked unless ``reveal_pii`` (the caller holds
        ``Permission.PLAYER_PII_VIEW``); revealing is recorded as such."""
        staff_identity(actor)
        player = await self._player(player_id)
        _, cash = await self.ledger.balance(player.cash_account_id)
        _, bonus = await self.ledger.balance(player.bonus_account_id)
        control = await self.control.control(player.player_id)
        sessions = await self.control.store.sessions(player.player_id, limit=SESSIONS_SHOWN)
        compliance = {} if self.compliance is None else await self.compliance.of(player)
        await self._record(
            actor, "player.viewed", player.player_id, source_ip, reason, {"pii": reveal_pii}
        )
        return {
            "profile": {
                "player_id": player.player_id,
                "email": player.email if reveal_pii else mask_email(player.email),
                "country": player.country,
                "currency": player.currency,
                "date_of_birth": player.date_of_birth.isoformat() if reveal_pii else None,
                "created_at": player.created_at.isoformat(),
            },
            "kyc": compliance.get("kyc", {"state": "none"}),
            "wallet": {
                "currency": player.currency,
                "cash": cash.available,
                "bonus": bonus.available,
                "reserved": cash.pending + bonus.pending,
            },
            "control": {**control_view(control), "reason": control.reason},
            "limits": {
                "deposit_minor_max": self.wallet_limits.deposit_minor_max,
                "withdrawal_minor_max": self.wallet_limits.withdrawal_minor_max,
            },
            "sessions": [dataclasses.asdict(session) for session in sessions],
            "jurisdiction": compliance.get("jurisdiction"),
            "responsible_gambling": compliance.get("responsible_gambling"),
            "aml": compliance.get("aml"),
        }

    async def excluded(
        self,
        *,
        limit: int = 100,
        cursor: str | None = None,
        actor: str,
        source_ip: str | None,
        reason: str = "list exclusions",
    ) -> tuple[list[Any], str | None]:
        """A page of the players whose time-out or self-exclusion runs now."""
        staff_identity(actor)
        if self.compliance is None:
            return [], None
        page = await self.compliance.excluded(limit=limit, cursor=cursor)
        await self._record(actor, "player.exclusions.listed", None, source_ip, reason, None)
        return page

    async def transactions(
        self,
        player_id: str,
        *,
        account: str = "cash",
        limit: int = 50,
        cursor: int | None = None,
        actor: str,
        source_ip: str | None,
        reason: str = "view transactions",
    ) -> tuple[list[dict[str, object]], int | None]:
        """A page of the ledger transfers of the player's cash or bonus account, pending
        ones included, newest first, and the next page's cursor."""
        staff_identity(actor)
        self._check_limit(limit)
        player = await self._player(player_id)
        accounts = {"cash": player.cash_account_id, "bonus": player.bonus_account_id}
        if account not in accounts:
            raise InvalidInput("account must be cash or bonus")
        account_id = accounts[account]
        rows = await self.ledger.history(account_id, limit=limit, before_seq=cursor)
        await self._record(actor, "player.transactions", player_id, source_ip, reason, None)
        next_cursor = rows[-1][0] if len(rows) == limit else None
        return [transfer_json(t, account_id) for _, t in rows], next_cursor

    async def rounds_of(
        self,
        player_id: str,
        *,
        limit: int = 20,
        cursor: int | None = None,
        actor: str,
        source_ip: str | None,
        reason: str = "view rounds",
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of the player's rounds with their game recall, newest first."""
        staff_identity(actor)
        player = await self._player(player_id)
        page = await self.rounds.history(player, limit=limit, cursor=cursor)
        await self._record(actor, "player.rounds", player_id, source_ip, reason, None)
        return page

    async def round(
        self, round_id: str, *, actor: str, source_ip: str | None, reason: str = "recall"
    ) -> dict[str, Any]:
        """One round's recall, whoever played it."""
        staff_identity(actor)
        view = await self.rounds.view(round_id)
        await self._record(actor, "round.viewed", None, source_ip, reason, {"round": round_id})
        return view

    def _check_limit(self, limit: int) -> None:
        if not isinstance(limit, int) or not 1 <= limit <= self.limits.page_size_max:
            raise InvalidInput(f"limit must be 1 to {self.limits.page_size_max}")

    async def _player(self, player_id: str) -> Player:
        player = await self.players.get_player(player_id) if isinstance(player_id, str) else None
        if player is None:
            raise NotFound(f"no player {player_id!r}")
        return player

    async def _record(
        self,
        actor: str,
        action: str,
        player_id: str | None,
        source_ip: str | None,
        reason: str,
        after: dict[str, Any] | None,
    ) -> None:
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action=action,
                subject=None if player_id is None else f"player:{player_id}",
                source_ip=source_ip,
                reason=reason,
                after=after,
            )
        )
