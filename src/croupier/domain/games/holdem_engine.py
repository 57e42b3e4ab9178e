"""The one module that talks to pokerkit: builds its state, feeds it our cards, reads it back.

pokerkit (MIT, peer reviewed) carries the betting rules, side pots and showdown. We never use
its deck or shuffle: every card goes in through ``burn_card``/``deal_hole``/``deal_board`` from
the deck our caller shuffled with an :class:`~croupier.domain.rng.RngSource`. Only the
non-random steps are automated. (pokerkit's ``State`` still shuffles a private deck copy with
the global ``random`` when it is built; that order is never read, so it decides nothing.)

Nothing outside ``croupier.domain.games.holdem*`` imports pokerkit; this module translates its
operations into our :mod:`~croupier.domain.games.holdem_events`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from croupier.domain.games.holdem_config import (
    STRADDLE_PLAYERS_MIN,
    BettingLimit,
    TableConfig,
)
from croupier.domain.games.holdem_events import (
    AntePosted,
    BetOrRaisedTo,
    BlindOrStraddlePosted,
    BoardDealt,
    CardBurned,
    CheckedOrCalled,
    Folded,
    HandEvent,
    HandMucked,
    HandShown,
    HoleCardDealt,
    PotAwarded,
)

if TYPE_CHECKING:
    from pokerkit import (
        AntePosting,
        Automation,
        BettingStructure,
        BlindOrStraddlePosting,
        BoardDealing,
        CardBurning,
        CheckingOrCalling,
        ChipsPushing,
        CompletionBettingOrRaisingTo,
        Deck,
        Folding,
        HandKilling,
        HoleCardsShowingOrMucking,
        HoleDealing,
        Mode,
        Opening,
        Operation,
        StandardHighHand,
        State,
        Street,
    )

__all__ = ["card_text", "deal_pending", "new_state", "total_rake_minor", "translate"]

#: pokerkit's names used here, bound as globals by :func:`_import_pokerkit` on first use.
_POKERKIT_NAMES = (
    "AntePosting",
    "Automation",
    "BettingStructure",
    "BlindOrStraddlePosting",
    "BoardDealing",
    "CardBurning",
    "CheckingOrCalling",
    "ChipsPushing",
    "CompletionBettingOrRaisingTo",
    "Deck",
    "Folding",
    "HandKilling",
    "HoleCardsShowingOrMucking",
    "HoleDealing",
    "Mode",
    "Opening",
    "Operation",
    "StandardHighHand",
    "State",
    "Street",
)
#: Every step that involves no chance and no player choice. Never HOLE_DEALING, BOARD_DEALING
#: or CARD_BURNING: those would draw from pokerkit's own shuffled deck. Set with the names.
_AUTOMATIONS: tuple[Automation, ...] = ()
_STREET_NAMES = {1: "flop", 5: "turn", 7: "river"}
_HOLE_CARD_COUNT = 2

if TYPE_CHECKING:
    RakeFunction = Callable[[int, State], tuple[int, int]]


def _import_pokerkit() -> None:
    """Import pokerkit on first use, not with this module. Its import builds hand-ranking
    lookup tables (0.7 s of CPU and more, a third of ``croupier serve``'s start): every process
    that imports the poker domain (each server, each CLI command, through croupier.config)
    paid it, though only one that deals a hand needs it."""
    if _AUTOMATIONS:
        return
    import pokerkit

    namespace = globals()
    for name in _POKERKIT_NAMES:
        namespace[name] = getattr(pokerkit, name)
    automation = pokerkit.Automation
    namespace["_AUTOMATIONS"] = (
        automation.ANTE_POSTING,
        automation.BET_COLLECTION,
        automation.BLIND_OR_STRADDLE_POSTING,
        automation.HOLE_CARDS_SHOWING_OR_MUCKING,
        automation.HAND_KILLING,
        automation.CHIPS_PUSHING,
        automation.CHIPS_PULLING,
    )


def card_text(card: object) -> str:
    """pokerkit's ``Card`` as our two-character string (``"As"``)."""
    return repr(card)


def _rake_function(config: TableConfig) -> RakeFunction:
    """pokerkit calls this once per pot; the hand's rake is shared out pro rata.

    The hand's rake is ``config.rake_for_minor(total)``; each pot pays
    ``floor(pot * hand_rake / total)``, so a lone pot pays exactly the hand's rake and several
    pots pay at most it (never more than the cap). Integer arithmetic only: pokerkit's own rake
    helper rounds a float.
    """

    def rake(amount: int, state: State) -> tuple[int, int]:
        if config.rake_basis_points == 0:
            return 0, amount
        if config.no_flop_no_drop and not any(state.board_cards):
            return 0, amount
        # Outstanding bets are not in any pot yet (and an uncalled bet goes back).
        total_minor = -(sum(state.payoffs) + sum(state.bets))
        if total_minor <= 0:
            return 0, amount
        pot_rake_minor = amount * config.rake_for_minor(total_minor) // total_minor
        return pot_rake_minor, amount - pot_rake_minor

    return rake


def _streets(config: TableConfig, preflop_min_minor: int) -> tuple[Street, ...]:
    preflop = Street(
        False, (False,) * _HOLE_CARD_COUNT, 0, False, Opening.POSITION, preflop_min_minor, None
    )
    later = [
        Street(True, (), count, False, Opening.POSITION, config.big_blind_minor, None)
        for count in (3, 1, 1)
    ]
    return (preflop, *later)


def new_state(config: TableConfig, stacks_minor: Sequence[int]) -> State:
    """A pokerkit state for one hand. ``stacks_minor`` is in deal order: the seat left of the
    button first, the button last (heads-up: big blind, then the button who posts the small).
    """
    _import_pokerkit()
    player_count = len(stacks_minor)
    blinds: tuple[int, ...] = (config.small_blind_minor, config.big_blind_minor)
    if config.straddle_minor and player_count >= STRADDLE_PLAYERS_MIN:
        blinds = (*blinds, config.straddle_minor)
    structure = (
        BettingStructure.NO_LIMIT
        if config.betting_limit is BettingLimit.NO_LIMIT
        else BettingStructure.POT_LIMIT
    )
    return State(
        _AUTOMATIONS,
        Deck.STANDARD,
        (StandardHighHand,),
        _streets(config, max(blinds)),
        structure,
        True,  # uniform antes: trimmed like any bet
        config.ante_minor,
        blinds,
        0,  # no bring-in
        tuple(stacks_minor),
        player_count,
        mode=Mode.TOURNAMENT,  # one runout, cards shown at all-in, no folding a free check
        rake=_rake_function(config),
    )


def deal_pending(state: State, deck: Sequence[str], next_index: int) -> int:
    """Feed cards from ``deck[next_index:]`` while pokerkit waits for a burn or a deal.

    Hole cards go one at a time: pokerkit's dealee is the player with the most cards still to
    come, the lowest index on ties, i.e. round by round from the seat left of the button.
    Returns the index of the next undealt card.
    """
    while True:
        if state.card_burning_status:
            state.burn_card(deck[next_index])
            next_index += 1
        elif state.hole_dealee_index is not None:
            state.deal_hole(deck[next_index])
            next_index += 1
        elif (count := state.board_dealing_count) is not None:
            state.deal_board("".join(deck[next_index : next_index + count]))
            next_index += count
        else:
            return next_index


def total_rake_minor(state: State) -> int:
    """The rake taken from every pot of a finished hand."""
    return sum(pot.raked_amount for pot in state.pots)


def translate(
    operation: Operation, state: State, seats: Sequence[int], deck: Sequence[str]
) -> HandEvent | None:
    """Our event for one pokerkit operation (``None`` for pure bookkeeping ones)."""
    _import_pokerkit()  # an operation comes from a state, so this only checks
    match operation:
        case AntePosting(player_index=index, amount=amount):
            return AntePosted(seats[index], amount)
        case BlindOrStraddlePosting(player_index=index, amount=amount):
            return BlindOrStraddlePosted(seats[index], amount)
        case HoleDealing(player_index=index, cards=cards):
            card = card_text(cards[0])
            return HoleCardDealt(seats[index], card, deck.index(card))
        case CardBurning(card=card):
            return CardBurned(card_text(card), deck.index(card_text(card)))
        case BoardDealing(cards=cards):
            texts = tuple(card_text(card) for card in cards)
            first_index = deck.index(texts[0])
            # Position in the deck names the street: burn+3, burn+1, burn+1 after the hole cards.
            offset = first_index - _HOLE_CARD_COUNT * state.player_count
            return BoardDealt(_STREET_NAMES.get(offset, "board"), texts, first_index)
        case Folding(player_index=index):
            return Folded(seats[index])
        case CheckingOrCalling(player_index=index, amount=amount):
            return CheckedOrCalled(seats[index], amount)
        case CompletionBettingOrRaisingTo(player_index=index, amount=amount):
            return BetOrRaisedTo(seats[index], amount)
        case HoleCardsShowingOrMucking(player_index=index, hole_cards=cards):
            if cards:
                return HandShown(seats[index], tuple(card_text(card) for card in cards))
            return HandMucked(seats[index])
        case HandKilling(player_index=index):
            return HandMucked(seats[index])
        case ChipsPushing(amounts=amounts, pot_index=pot_index):
            return _pot_awarded(state, seats, amounts, pot_index)
    return None


def _pot_awarded(
    state: State, seats: Sequence[int], amounts: Sequence[int], pot_index: int
) -> PotAwarded:
    pot = list(state.pots)[pot_index]
    return PotAwarded(
        pot_index,
        tuple(seats[index] for index in pot.player_indices),
        pot.raked_amount,
        tuple((seats[index], amount) for index, amount in enumerate(amounts) if amount),
    )
