"""A small independent reader of PokerStars-style hand histories, for tests.

It knows only the text format (not our events): seats and stacks, contributions from the
action lines, uncalled bets, what each player collected, the board and the total pot. From
those it computes every player's final stack, which tests compare with the engine's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from croupier.domain.money import Currency, parse_amount

SEAT = re.compile(r"^Seat (\d+): (.+) \((\S+) in chips\)$")
POSTS = re.compile(r"^(.+): posts (?:the ante|small blind|big blind|straddle) (\S+)")
CALLS_OR_BETS = re.compile(r"^(.+): (?:calls|bets) (\S+)")
RAISES = re.compile(r"^(.+): raises \S+ to (\S+)")
UNCALLED = re.compile(r"^Uncalled bet \((\S+)\) returned to (.+)$")
COLLECTED = re.compile(r"^(.+) collected (\S+) from (?:pot|main pot|side pot-\d+)$")
DEALT = re.compile(r"^Dealt to (.+) \[(.+)\]$")
TOTAL = re.compile(r"^Total pot (\S+) .*\| Rake (\S+)$")
BOARD = re.compile(r"^Board \[(.+)\]$")
STREET = re.compile(r"^\*\*\* (FLOP|TURN|RIVER) \*\*\*")


@dataclass
class ParsedHand:
    stacks: dict[str, int] = field(default_factory=dict)  # name -> starting stack
    seats: dict[str, int] = field(default_factory=dict)  # name -> seat shown (from 1)
    put_in: dict[str, int] = field(default_factory=dict)
    collected: dict[str, int] = field(default_factory=dict)
    dealt: dict[str, list[str]] = field(default_factory=dict)
    board: list[str] = field(default_factory=list)
    total_pot: int = 0
    rake: int = 0

    def final_stacks(self) -> dict[str, int]:
        return {
            name: stack - self.put_in.get(name, 0) + self.collected.get(name, 0)
            for name, stack in self.stacks.items()
        }

    def winners(self) -> set[str]:
        return {name for name, amount in self.collected.items() if amount}


def parse(text: str, money: Currency) -> ParsedHand:
    hand = ParsedHand()
    street_bets: dict[str, int] = {}

    def minor(amount: str) -> int:
        return parse_amount(amount, money).amount_minor

    def add(name: str, amount: int, street_bet: bool = True) -> None:
        hand.put_in[name] = hand.put_in.get(name, 0) + amount
        if street_bet:
            street_bets[name] = street_bets.get(name, 0) + amount

    for line in text.splitlines():
        if match := SEAT.match(line):
            hand.seats[match[2]] = int(match[1])
            hand.stacks[match[2]] = minor(match[3])
        elif match := POSTS.match(line):
            add(match[1], minor(match[2]), street_bet="the ante" not in line)
        elif match := RAISES.match(line):
            add(match[1], minor(match[2]) - street_bets.get(match[1], 0))
        elif match := CALLS_OR_BETS.match(line):
            add(match[1], minor(match[2]))
        elif match := UNCALLED.match(line):
            add(match[2], -minor(match[1]), street_bet=False)
        elif match := COLLECTED.match(line):
            hand.collected[match[1]] = hand.collected.get(match[1], 0) + minor(match[2])
        elif match := DEALT.match(line):
            hand.dealt[match[1]] = match[2].split()
        elif match := TOTAL.match(line):
            hand.total_pot, hand.rake = minor(match[1]), minor(match[2])
        elif match := BOARD.match(line):
            hand.board = match[1].split()
        elif STREET.match(line):
            street_bets = {}
    return hand
