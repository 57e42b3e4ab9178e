"""Live tournaments on a real ledger, driven by hand: funded players without the sign-up
path (200 of them), a seeded bot, and a driver that plays rounds on a fake clock."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.games.holdem import Hand
from croupier.domain.games.holdem_events import HandStarted
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.domain.money import currency
from croupier.domain.poker.tournament import TournamentStatus
from croupier.services.ledger import LedgerClient
from croupier.services.poker import PokerSettings, SeedSealer, finished_hand
from croupier.services.poker.tournaments import LiveTournament, TournamentLobby
from tests.support.hand_history_parser import parse
from tests.support.poker_tables import FakeClock, Seeds

FUNDING = "adjustments:EUR"


async def fund_players(
    ledger: LedgerClient, prefix: str, count: int, amount_minor: int
) -> list[str]:
    """``count`` players with a cash account holding ``amount_minor`` each (ids only: the
    tournament needs a wallet, not a login)."""
    players = [f"{prefix}{n:03d}" for n in range(count)]
    group: list[CreateAccount | TransferRequest] = [
        CreateAccount(Account(FUNDING, AccountKind.ADJUSTMENTS, "EUR", None))
    ]
    for player in players:
        group.append(
            CreateAccount(Account(cash_account_id(player), AccountKind.PLAYER_CASH, "EUR", 0))
        )
        group.append(
            TransferRequest.create(
                f"fund:{player}",
                debit_account_id=FUNDING,
                credit_account_id=cash_account_id(player),
                amount_minor=amount_minor,
                currency="EUR",
                reason="test-funding",
            )
        )
    await ledger.submit(group[:1])
    for start in range(1, len(group), 60):
        await ledger.submit(group[start : start + 60])
    return players


async def cash(ledger: LedgerClient, player: str) -> int:
    return (await ledger.balance(cash_account_id(player)))[1].posted


def tournament_lobby(
    ledger: LedgerClient, sealer: SeedSealer, clock: FakeClock, **options: object
) -> TournamentLobby:
    return TournamentLobby(
        ledger,
        sealer,
        PokerSettings(tables_per_game=0, action_timeout_ms=10_000, time_bank_ms=0),
        clock_ms=clock,
        run_timers=False,
        new_seed=Seeds(),
        house_floor_minor=-(10**12),
        new_tournament_seed=lambda: "7" * 64,  # the same seating on every run and database
        **options,  # type: ignore[arg-type]
    )


def bot_action(hand: Hand, rng: random.Random) -> tuple[str, int | None]:
    """A loose, aggressive bot: short hands, many all-ins (so a big field finishes soon)."""
    legal = hand.legal_actions()
    assert legal is not None
    roll = rng.random()
    if legal.min_raise_to_minor is not None and roll < 0.25:
        assert legal.max_raise_to_minor is not None
        return ("bet" if not legal.call_minor else "raise"), legal.max_raise_to_minor
    if not legal.call_minor:
        return "check", None
    if roll < 0.6 and legal.can_fold:
        return "fold", None
    return "call", None


async def play_round(
    live: LiveTournament, rng: random.Random, on_action: Callable[[], None] | None = None
) -> int:
    """Act for every player to act until every table's hand is over; returns actions."""
    actions = 0
    while True:
        acted = False
        for table in list(live.tables.values()):
            hand = table.model.hand
            if hand is None or hand.is_complete or hand.to_act is None:
                continue
            player = table.model.players[hand.to_act]
            action, amount = bot_action(hand, rng)
            await table.act(player, action, amount)
            actions += 1
            acted = True
            if on_action is not None:
                on_action()
        if not acted:
            return actions


def check_chips(live: LiveTournament) -> None:
    """After a round (the next one dealt): the tables hold every chip sold, in the stacks,
    bets and pots; each player sits at one table, with the stack the tournament knows (a
    player dealt in: at the start of this hand)."""
    tournament = live.model.tournament
    stacks = tournament.stacks()
    assert sum(stacks.values()) == tournament.chips_in_play()
    assert sum(t.model.chips_minor() for t in live.tables.values()) == tournament.chips_in_play()
    if tournament.status is TournamentStatus.FINISHED:
        return
    seen: set[str] = set()
    for table in live.tables.values():
        info = table.model.info
        starting = {}
        if info is not None:
            started = info.public[0]
            assert isinstance(started, HandStarted)
            starting = dict(zip(started.seats, started.stacks_minor, strict=True))
        for seat, player in table.model.players.items():
            assert player not in seen, f"{player} at two tables"
            seen.add(player)
            stack = starting.get(seat, table.model.table.seats[seat].stack_minor)
            assert stack == stacks[player], (player, stack, stacks[player])
    assert seen == set(stacks)


async def check_hand_histories(ledger: LedgerClient, live: LiveTournament) -> int:
    """Every hand of every table of the tournament renders and parses; the parsed final
    stacks are the engine's. Returns the number of hands."""
    hands = 0
    for table in live.tables.values():
        events = await ledger.stream_events(f"table:{table.table_id}", after_seq=0, limit=100_000)
        for event in events:
            if event.type != "hand.ended":
                continue
            hand_id = json.loads(event.data_json)["hand_id"]
            finished = await finished_hand(ledger, hand_id)
            text = finished.text(None)
            parsed = parse(text, currency("EUR"))
            result = finished.record
            assert parsed.total_pot >= 0 and result is not None
            ended = json.loads(event.data_json)["stacks_minor"]
            names = {str(seat): alias for seat, alias in _names(text).items()}
            final = parsed.final_stacks()
            for seat, stack in ended.items():
                assert final[names[seat]] == stack, (hand_id, text)
            hands += 1
    return hands


def _names(text: str) -> dict[int, str]:
    import re

    names = {}
    for line in text.splitlines():
        match = re.match(r"^Seat (\d+): (.+) \(\S+ in chips\)$", line)
        if match:
            names[int(match[1]) - 1] = match[2]
    return names
