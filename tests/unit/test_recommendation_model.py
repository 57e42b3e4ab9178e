"""The recommender: it beats "most popular" on players with distinct tastes, and serves
what a player does not already know, best first."""

from __future__ import annotations

import sys

from croupier.services.engagement.model import PlayCount, train
from croupier.services.engagement.simulation import World, evaluate, synthetic_games


def test_the_model_beats_most_popular_on_a_seeded_simulation() -> None:
    result = evaluate(synthetic_games([], 20), World(players=300), seed=1)
    assert result.players == 300
    # Seeded, so exact and repeatable: a real margin, not noise (0.78 against 0.57).
    assert result.model_hit_rate >= result.popular_hit_rate + 0.15


def test_with_as_few_games_as_a_player_plays_nothing_can_beat_popularity() -> None:
    """Why the benchmark pads the catalogue with synthetic games (docs/benchmarks.md)."""
    result = evaluate(synthetic_games([], 7), World(players=200, games_per_player_max=5), seed=2)
    assert result.model_hit_rate == result.popular_hit_rate == 1.0


def _plays() -> list[PlayCount]:
    # Two tastes: a/b played together, c/d played together; "a" is the most popular.
    rows = [PlayCount(f"p{n}", game, 10) for n in range(6) for game in ("a", "b")]
    rows += [PlayCount(f"q{n}", game, 10) for n in range(4) for game in ("c", "d")]
    rows += [PlayCount("r0", "a", 1)]
    return rows


def test_a_player_is_offered_games_like_theirs_before_popular_ones() -> None:
    model = train(_plays())
    found = model.recommend({"c": 30}, ["a", "b", "c", "d"], limit=2, familiar_rounds_min=5)
    assert [(r.game_id, r.why) for r in found] == [("d", "similar"), ("a", "popular")]


def test_a_new_player_gets_the_most_popular_games_offered() -> None:
    model = train(_plays())
    found = model.recommend({}, ["b", "d", "a"], limit=3, familiar_rounds_min=5)
    assert [r.game_id for r in found] == ["a", "b", "d"]
    assert {r.why for r in found} == {"popular"}


def test_games_played_a_little_may_come_back_games_played_much_do_not() -> None:
    model = train(_plays())
    found = model.recommend({"a": 2, "b": 50}, ["a", "b"], limit=5, familiar_rounds_min=5)
    assert [r.game_id for r in found] == ["a"]


def test_an_empty_history_trains_an_empty_model() -> None:
    model = train([])
    assert model.popularity == () and model.players == 0
    assert [r.game_id for r in model.recommend({}, ["x"], limit=5, familiar_rounds_min=1)] == ["x"]


def test_importing_the_engagement_services_loads_no_machine_learning() -> None:
    """Start-up and the round path pay nothing for scikit-learn (loaded on first training)."""
    import subprocess

    code = (
        "import sys, croupier.services.engagement, croupier.services.engagement.model; "
        "print(any(m.split('.')[0] in ('sklearn', 'scipy') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_training_on_no_plays_loads_no_machine_learning() -> None:
    """A new server's first training (every test server's) costs nothing."""
    import subprocess

    code = (
        "import sys\nfrom croupier.services.engagement.model import train\n"
        "train([])\nprint(any(m.split('.')[0] in ('sklearn', 'scipy') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
