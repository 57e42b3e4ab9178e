"""The round service plays any TableGame it is given, with no line of its own for that game:
a toy coin table (deal, one action, settle) goes through the same writes as blackjack — the
deal one write, the action one write with the settlement inside it — and pays on the ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from croupier.bootstrap import Platform
from croupier.domain.errors import IllegalAction, InvalidBet
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.games.base import Bet, TableGame
from croupier.domain.ledger import Applied, Command
from croupier.domain.rng import RngSource
from croupier.services.ledger import Ledger, verify_ledger
from croupier.services.rounds import RoundService
from tests.support.platform import funded_player


@dataclass(frozen=True)
class Coin:
    stake_minor: int
    heads: bool
    done: bool = False


class CoinTable:
    """Stake, then "take" (heads pays 2×) or "double" (twice the stake on the same coin)."""

    game_id = "coin-table"
    version = 1

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        stake = request.get("stake")
        if currency != "EUR" or not isinstance(stake, int) or not 10 <= stake <= 1000:
            raise InvalidBet("10 to 1000 EUR cents")
        return Bet(stake, {"stake": stake})

    def recorded_rules(self) -> Mapping[str, Any]:
        return {"kind": "coin"}

    def deal(self, rules: Mapping[str, Any], stake_minor: int, source: RngSource) -> Coin:
        return Coin(stake_minor, heads=source.uniform(2) == 1)

    def act(self, state: Coin, action: str) -> Coin:
        if state.done or action not in ("take", "double"):
            raise IllegalAction(f"no {action!r} now")
        stake = state.stake_minor * (2 if action == "double" else 1)
        return replace(state, stake_minor=stake, done=True)

    def idle_action(self, state: Coin) -> str:
        return "take"

    def is_settled(self, state: Coin) -> bool:
        return state.done

    def stake_minor(self, state: Coin) -> int:
        return state.stake_minor

    def return_minor(self, state: Coin) -> int:
        return 2 * state.stake_minor if state.heads else 0

    def describe(self, state: Coin) -> dict[str, Any]:
        return {"done": state.done, "heads": state.heads if state.done else None}


async def test_a_new_table_kind_is_played_through_the_registry_alone(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    table: TableGame[Coin] = CoinTable()
    rounds = RoundService(
        platform.ledger,
        platform.fairness,
        {},
        platform.settings.rounds,
        replay_source=ProvablyFairSource,
        tables={table.game_id: table},
    )
    player = await funded_player(platform, "coin@example.com")
    writes: list[Sequence[Command]] = []
    submit = Ledger.submit

    async def counted(self: Ledger, commands: Sequence[Command]) -> Applied:
        writes.append(commands)
        return await submit(self, commands)

    monkeypatch.setattr(Ledger, "submit", counted)
    dealt = await rounds.play(player, "coin-table", "coin-deal-1", {"stake": 100})
    assert (dealt["status"], dealt["outcome"]) == ("open", {"done": False, "heads": None})
    assert len(writes) == 1  # the deal: one write
    assert (await platform.wallet.wallet(player)).pending == 100

    with pytest.raises(IllegalAction):
        await rounds.act(player, dealt["round_id"], "coin-act-0", "flip")
    settled = await rounds.act(player, dealt["round_id"], "coin-act-1", "double")
    assert len(writes) == 2  # the refused action wrote nothing; the deciding one, one write
    assert settled["status"] == "settled" and settled["stake"] == 200
    heads = settled["outcome"]["heads"]
    assert settled["win"] == (400 if heads else 0)
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (10_000 - 200 + settled["win"], 0)
    assert await rounds.act(player, dealt["round_id"], "coin-act-1", "double") == settled
    assert (await verify_ledger(platform.ledger.store)).ok
