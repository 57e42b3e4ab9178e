"""`croupier fairness rotate-all` after a restore (docs/operations.md): every active seed pair
is revealed and replaced, except a pair whose player has a round open (its outcome would
show), which is listed; a player who never played has no pair and is not touched. Both
backends, the real round services."""

from __future__ import annotations

from croupier.bootstrap import Platform
from croupier.services.rounds.rotate_all import rotate_every_pair
from tests.support.platform import funded_player

TABLE = "blackjack-6d-s17"
DEALS_MAX = 30  # a deal settles at once on a blackjack; some deal in this many stays open


async def test_every_pair_is_rotated_but_one_with_a_round_open(platform: Platform) -> None:
    done = await funded_player(platform, "done@example.com")
    playing = await funded_player(platform, "playing@example.com")
    await funded_player(platform, "idle@example.com")  # never plays: no pair
    await platform.rounds.play(done, "lotus-20", "spin-1", {"stake": 100})
    for deal in range(DEALS_MAX):
        view = await platform.rounds.play(playing, TABLE, f"deal-{deal}", {"stake": 100})
        if view["status"] == "open":
            break
    assert view["status"] == "open"
    played = await platform.seed_pairs.active(done.player_id)
    open_pair = await platform.seed_pairs.active(playing.player_id)
    assert played is not None and open_pair is not None

    result = await rotate_every_pair(platform.rounds, platform.players, platform.seed_pairs)

    assert (result.rotated, result.open_rounds) == ([done.player_id], [playing.player_id])
    revealed = await platform.seed_pairs.get(played.pair_id)
    assert revealed is not None and revealed.revealed
    fresh = await platform.seed_pairs.active(done.player_id)
    assert fresh is not None and fresh.pair.server_seed != played.pair.server_seed
    assert await platform.seed_pairs.active(playing.player_id) == open_pair  # left as it was
    assert await platform.seed_pairs.active_player_ids() == sorted(
        [done.player_id, playing.player_id]
    )
