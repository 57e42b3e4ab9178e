"""The recommendation model: item-item cosine similarity of games over players' play counts.

Trained with scikit-learn (:func:`sklearn.metrics.pairwise.cosine_similarity` on the sparse
player × game matrix of ``log(1 + rounds)``): two games are alike when the same players play
both. A player's score for a game is the sum, over the games they played, of its similarity
weighted by how much they played each; ties (and players with no history: the cold start) go
to the most popular games (distinct players, then rounds). docs/engagement.md says why this
model and not ALS (``implicit``) or a factorisation.

numpy, scipy and scikit-learn load on the first training, never at import: ``croupier
serve`` starts, and a round is played, without paying for them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["GameModel", "PlayCount", "Recommendation", "train"]


@dataclass(frozen=True, slots=True)
class PlayCount:
    """What one player played of one game, in all: rounds settled and staked (minor units)."""

    player_id: str
    game_id: str
    rounds: int
    stake_minor: int = 0


@dataclass(frozen=True, slots=True)
class Recommendation:
    game_id: str
    score: float
    why: str  # "similar": like games the player plays; "popular": most played by others


def _weight(rounds: int) -> float:
    """Diminishing returns: the 500th round of a game says less than the 5th."""
    return math.log1p(max(rounds, 0))


@dataclass(frozen=True, slots=True, eq=False)
class GameModel:
    """A trained model. ``similarity[i, j]``: cosine of games ``i`` and ``j`` (diagonal 0)."""

    game_ids: tuple[str, ...]
    similarity: np.ndarray[Any, Any]
    #: Every game in the training data, most popular first.
    popularity: tuple[str, ...]
    players: int
    #: Derived once, at training: each game's row, and its place in ``popularity``.
    index: Mapping[str, int] = field(init=False)
    rank: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {g: i for i, g in enumerate(self.game_ids)})
        object.__setattr__(self, "rank", {g: r for r, g in enumerate(self.popularity)})

    def recommend(
        self,
        played: Mapping[str, int],
        offered: Collection[str],
        *,
        limit: int,
        familiar_rounds_min: int,
    ) -> list[Recommendation]:
        """Up to ``limit`` games of ``offered``, best first, leaving out those the player
        knows (``played`` rounds ≥ ``familiar_rounds_min``). ``played``: rounds per game."""
        import numpy as np

        index, rank = self.index, self.rank
        weights = np.zeros(len(self.game_ids))
        for game_id, rounds in played.items():
            if game_id in index:
                weights[index[game_id]] = _weight(rounds)
        scores = weights @ self.similarity if len(self.game_ids) else weights
        unknown = len(rank)
        candidates = [
            game_id for game_id in offered if played.get(game_id, 0) < familiar_rounds_min
        ]

        def score_of(game_id: str) -> float:
            i = index.get(game_id)
            return 0.0 if i is None else round(float(scores[i]), 9)

        candidates.sort(key=lambda g: (-score_of(g), rank.get(g, unknown), g))
        return [
            Recommendation(g, score_of(g), "similar" if score_of(g) > 0 else "popular")
            for g in candidates[: max(limit, 0)]
        ]


def train(plays: Iterable[PlayCount]) -> GameModel:
    """Fit the model on every player's play counts (one row per player and game)."""
    import numpy as np

    player_index: dict[str, int] = {}
    game_index: dict[str, int] = {}
    rows, cols, values = [], [], []
    players_of: dict[str, int] = defaultdict(int)
    rounds_of: dict[str, int] = defaultdict(int)
    for play in plays:
        if play.rounds <= 0:
            continue
        rows.append(player_index.setdefault(play.player_id, len(player_index)))
        cols.append(game_index.setdefault(play.game_id, len(game_index)))
        values.append(_weight(play.rounds))
        players_of[play.game_id] += 1
        rounds_of[play.game_id] += play.rounds
    game_ids = tuple(game_index)
    if not game_ids:  # a new server: nothing to learn, and no reason to load scikit-learn
        return GameModel((), np.zeros((0, 0)), (), 0)
    from scipy.sparse import csr_matrix
    from sklearn.metrics.pairwise import cosine_similarity

    matrix = csr_matrix((values, (rows, cols)), shape=(len(player_index), len(game_ids)))
    similarity = cosine_similarity(matrix.T, dense_output=True)
    np.fill_diagonal(similarity, 0.0)
    popularity = tuple(sorted(game_ids, key=lambda g: (-players_of[g], -rounds_of[g], g)))
    return GameModel(game_ids, similarity, popularity, len(player_index))
