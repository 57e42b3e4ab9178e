"""A progressive jackpot: seeded from the house, funded by contributions, paid whole on a hit
and reseeded — in the settlement's own linked group."""

from __future__ import annotations

import copy
import json

from croupier.adapters.game_files import load_game_data
from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.games.instant import SlotKind
from croupier.domain.games.slots import SlotGame
from croupier.services.ledger import verify_ledger
from croupier.services.stream.channels import LOBBY_STREAM
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV


async def test_every_hit_takes_the_pool_and_the_house_reseeds_it(database_url: str) -> None:
    platform = await open_platform(load_settings(KEK_ENV, database_url=database_url))
    try:
        data = copy.deepcopy(load_game_data("lotus-20"))
        data["jackpot"]["odds"] = 1  # every round hits: the rule under test, not the odds
        game = SlotGame.from_data(data)
        platform.rounds.games["lotus-20"] = SlotKind(game)
        rule = game.definition.jackpot
        assert rule is not None
        player = await funded_player(platform, "lucky@example.com", 100_000)

        stake = 1_000
        contribution = game.jackpot_contribution_minor(stake)
        assert contribution > 0
        paid = []
        for i in range(3):
            played = await platform.rounds.play(
                player, "lotus-20", f"lucky-spin-{i}", {"stake": stake}
            )
            assert played["outcome"]["jackpot_hit"]
            paid.append(played["jackpot_win"])
        # the first hit takes the seed plus its contribution; each later hit the reseed plus its own
        assert paid == [rule.seed_minor + contribution] * 3
        # the lobby hears each amount; the round's balance has the win in it already
        lobby = await platform.ledger.store.stream_events(LOBBY_STREAM)
        assert [json.loads(e.data_json)["amount"] for e in lobby if e.type == "jackpot.won"] == paid
        assert played["balance_after"] == (await platform.wallet.wallet(player)).cash
        _, pool = await platform.ledger.balance("jackpot:lotus-20:EUR")
        assert pool.posted == rule.seed_minor  # reseeded after the last hit
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()
