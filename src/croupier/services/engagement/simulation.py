"""Measuring recommendations: simulated players with distinct tastes, a held-out split, and
hit-rate@k of the model against the baseline "most popular games" (docs/benchmarks.md).

Each player belongs to one of ``clusters`` taste groups; each group favours its own block of
the games. A player picks a few games, mostly from their group's block (``taste``) and
otherwise from the whole catalogue by popularity (a Zipf curve, so some games are hits with
everyone, as in a real lobby). One of each player's games is held out; a player counts as a
hit when the held-out game is among the top ``k`` recommended from the rest of their plays.
Everything is drawn from one seeded :class:`random.Random`: the same seed, the same figures.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from croupier.services.engagement.model import PlayCount, train

__all__ = [
    "Evaluation",
    "World",
    "evaluate",
    "evaluate_plays",
    "held_out_split",
    "simulate_plays",
    "synthetic_games",
]

#: Recommends for (player's training plays: rounds per game) → game ids, best first.
Recommender = Callable[[Mapping[str, int]], list[str]]


@dataclass(frozen=True, slots=True)
class World:
    """The simulation's shape; every figure is a plain count or share."""

    players: int = 2000
    clusters: int = 5
    games_per_player_min: int = 3
    games_per_player_max: int = 8
    taste: float = 0.75  # the share of a player's picks from their own group's block
    zipf_exponent: float = 1.0  # how strongly a few games are hits with everyone
    rounds_mean: float = 25.0

    def __post_init__(self) -> None:
        if not 1 <= self.clusters <= self.players:
            raise ValueError("clusters must be in 1..players")
        if not 2 <= self.games_per_player_min <= self.games_per_player_max:
            raise ValueError("each player plays at least 2 games (one is held out)")
        if not 0.0 <= self.taste <= 1.0:
            raise ValueError("taste is a share in [0, 1]")


@dataclass(frozen=True, slots=True)
class Evaluation:
    players: int
    games: int
    k: int
    model_hit_rate: float
    popular_hit_rate: float


def synthetic_games(shipped: Sequence[str], total: int) -> list[str]:
    """The shipped game ids, padded with ``synthetic-NN`` ids to ``total`` games."""
    games = list(shipped)
    games += [f"synthetic-{n:02d}" for n in range(max(total - len(games), 0))]
    return games


def simulate_plays(games: Sequence[str], world: World, rng: random.Random) -> list[PlayCount]:
    """Every simulated player's play counts (one row per player and game)."""
    if len(games) < world.games_per_player_max:
        raise ValueError("more games are needed than a player plays")
    order = list(games)
    rng.shuffle(order)
    blocks = [order[c :: world.clusters] for c in range(world.clusters)]
    hit_weight = {g: 1.0 / (rank + 1) ** world.zipf_exponent for rank, g in enumerate(order)}
    everyone = list(order)
    everyone_weights = [hit_weight[g] for g in everyone]
    plays = []
    for n in range(world.players):
        block = blocks[n % world.clusters]
        block_weights = [hit_weight[g] for g in block]
        wanted = rng.randint(world.games_per_player_min, world.games_per_player_max)
        picked: dict[str, None] = {}
        while len(picked) < wanted:
            if rng.random() < world.taste:
                game = rng.choices(block, block_weights)[0]
            else:
                game = rng.choices(everyone, everyone_weights)[0]
            picked[game] = None
        for game in picked:
            rounds = 1 + int(rng.expovariate(1.0 / world.rounds_mean))
            plays.append(PlayCount(f"sim-{n:05d}", game, rounds, rounds * 100))
    return plays


def held_out_split(
    plays: Sequence[PlayCount], rng: random.Random
) -> tuple[list[PlayCount], dict[str, str]]:
    """Hold out one game of each player who played two or more: (training plays, the
    held-out game per player)."""
    by_player: dict[str, list[PlayCount]] = defaultdict(list)
    for play in plays:
        by_player[play.player_id].append(play)
    training, held = [], {}
    for player_id in sorted(by_player):
        own = by_player[player_id]
        if len(own) >= 2:
            hidden = own[rng.randrange(len(own))]
            held[player_id] = hidden.game_id
            own = [p for p in own if p is not hidden]
        training.extend(own)
    return training, held


def hit_rate(
    recommend: Recommender, training: Sequence[PlayCount], held: Mapping[str, str], k: int
) -> float:
    """The share of held-out players whose held-out game is in the top ``k``."""
    played: dict[str, dict[str, int]] = defaultdict(dict)
    for play in training:
        played[play.player_id][play.game_id] = play.rounds
    hits = sum(held[p] in recommend(played[p])[:k] for p in held)
    return hits / len(held) if held else 0.0


def evaluate(games: Sequence[str], world: World, *, seed: int, k: int = 5) -> Evaluation:
    """Simulate, split, train on the training plays, and score the model and the baseline."""
    rng = random.Random(seed)
    return evaluate_plays(simulate_plays(games, world, rng), games, rng=rng, k=k)


def evaluate_plays(
    plays: Sequence[PlayCount], games: Sequence[str], *, rng: random.Random, k: int = 5
) -> Evaluation:
    """Hold out one game of each player, train on the rest, and score the model and the
    baseline on the held-out games (``croupier recommend train`` runs it on real counts)."""
    training, held = held_out_split(plays, rng)
    model = train(training)
    offered = list(games)

    def by_model(played: Mapping[str, int]) -> list[str]:
        found = model.recommend(played, offered, limit=k, familiar_rounds_min=1)
        return [r.game_id for r in found]

    def by_popularity(played: Mapping[str, int]) -> list[str]:
        return [g for g in model.popularity if g not in played][:k]

    return Evaluation(
        players=len(held),
        games=len(games),
        k=k,
        model_hit_rate=hit_rate(by_model, training, held, k),
        popular_hit_rate=hit_rate(by_popularity, training, held, k),
    )
