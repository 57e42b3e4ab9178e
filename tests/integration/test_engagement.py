"""Recommendations and segments on a real platform (SQLite and PostgreSQL): rounds played
through the round service reach the tally through the handler table; the model recommends
what players like them play, the most popular games to a new player, only games their
jurisdiction offers, and nothing at all to a player who is excluded or at risk; promotions
never reach a flagged or at-risk player."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.personalisation_wiring import Personalisation
from croupier.services.aml import RiskFlag
from tests.support.operations import IP
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    env = {**KEK_ENV, "CROUPIER_RECOMMEND_FAMILIAR_ROUNDS": "3", "CROUPIER_AML": "0"}
    opened = await open_platform(load_settings(env, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


def _engagement(platform: Platform) -> Personalisation:
    assert platform.personalisation is not None and platform.personalisation.tally is not None
    return platform.personalisation


async def _play(platform: Platform, player: Player, game_id: str, rounds: int) -> None:
    for n in range(rounds):
        key = f"{player.player_id}-{game_id}-{n}"
        await platform.rounds.play(player, game_id, key, {"stake": 100})


async def _recommended(platform: Platform, player: Player) -> tuple[list[str], str | None]:
    found = await _engagement(platform).recommender.for_player(player, 5)
    return [g.game_id for g in found.games], found.reason


async def test_recommendations_follow_tastes_and_the_jurisdiction(platform: Platform) -> None:
    engagement = _engagement(platform)
    fan = await funded_player(platform, "fan@example.com")
    newcomer = await funded_player(platform, "newcomer@example.com")
    lookalike = await funded_player(platform, "lookalike@example.com")
    others = [await funded_player(platform, f"p{n}@example.com") for n in range(3)]
    await _play(platform, fan, "lotus-20", 4)
    await _play(platform, fan, "orchard-10", 4)
    await _play(platform, lookalike, "orchard-10", 4)
    for other in others:  # lotus-20 is the hit, then dragon-25
        await _play(platform, other, "lotus-20", 1)
        await _play(platform, other, "dragon-25", 1)
    assert await engagement.tally.flush() > 0  # type: ignore[union-attr]
    await engagement.recommender.retrain()

    found = await engagement.recommender.for_player(lookalike, 5)
    # orchard-10 is known already (4 rounds ≥ 3): not offered back; lotus-20 is what its
    # other player plays, before the more popular dragon-25 that nobody plays with it
    picks = [(g.game_id, g.why) for g in found.games]
    assert found.reason is None and picks[:2] == [("lotus-20", "similar"), ("dragon-25", "popular")]
    assert "orchard-10" not in dict(picks)
    fresh, _ = await _recommended(platform, newcomer)
    assert fresh[:3] == ["lotus-20", "dragon-25", "orchard-10"]  # the cold start: popularity
    german = replace(newcomer, country="DE")  # slots only there: no roulette, no blackjack
    offered = engagement.recommender.offered(german)
    assert offered and all(g in ("dragon-25", "lotus-20", "orchard-10") for g in offered)
    assert "european-roulette" in engagement.recommender.offered(newcomer)


async def test_nothing_is_recommended_or_promoted_to_an_excluded_player(
    platform: Platform,
) -> None:
    engagement = _engagement(platform)
    await engagement.recommender.retrain()
    resting = await funded_player(platform, "resting@example.com")
    gone = await funded_player(platform, "gone@example.com")
    assert await engagement.segments.promotion_eligible(resting)
    assert platform.responsible is not None
    await platform.responsible.time_out(resting, 24, ip=IP)
    await platform.responsible.self_exclude(gone, 6, ip=IP)
    assert await _recommended(platform, resting) == ([], "timed-out")
    assert await _recommended(platform, gone) == ([], "self-excluded")
    assert not await engagement.segments.promotion_eligible(resting)
    assert not await engagement.segments.promotion_eligible(gone)


async def test_an_at_risk_or_aml_flagged_player_gets_no_push(platform: Platform) -> None:
    engagement = _engagement(platform)
    await engagement.recommender.retrain()
    raising = await funded_player(platform, "raising@example.com")
    watched = await funded_player(platform, "watched@example.com")
    assert platform.responsible is not None
    await platform.responsible.set_limits(raising, {"deposit": {"daily": 100_00}}, ip=IP)
    assert (await engagement.segments.of_player(raising)).segments == {"new"}
    await platform.responsible.set_limits(raising, {"deposit": {"daily": 500_00}}, ip=IP)
    view = (await engagement.segments.of_player(raising)).as_json()
    assert view["segments"] == ["at-risk", "new"] and view["risk_signals"] == ["limit-increase"]
    assert view["ineligible_because"] == "at-risk"
    assert await _recommended(platform, raising) == ([], "at-risk")

    assert platform.kyc_aml is not None
    flag = RiskFlag(
        flag_id="velocity:t1", player_id=watched.player_id, rule="velocity", transfer_id="t1",
        amount_minor=100, currency="EUR", detail={}, raised_at_ms=1,
    )  # fmt: skip
    assert await platform.kyc_aml.store.raise_flag(flag)
    assert not await engagement.segments.promotion_eligible(watched)
    assert await _recommended(platform, watched) == ([], "aml-flagged")
    await platform.kyc_aml.store.resolve_flag(flag.flag_id, by="staff:1", at_ms=2, resolution="ok")
    assert await engagement.segments.promotion_eligible(watched)


async def test_segment_counts_see_every_player_with_activity(platform: Platform) -> None:
    engagement = _engagement(platform)
    player = await funded_player(platform, "counted@example.com")
    await _play(platform, player, "lotus-20", 2)
    await engagement.tally.flush()  # type: ignore[union-attr]
    counts = await engagement.segments.counts(players_max=100)
    assert counts["players"] == 1 and counts["truncated"] is False
    assert counts["segments"] == {"new": 1, "active": 1, "vip": 0, "lapsed": 0, "at-risk": 0}
