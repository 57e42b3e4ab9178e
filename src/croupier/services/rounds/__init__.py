"""Game rounds settled on the ledger: play, act, recall.

- :mod:`~croupier.services.rounds.service`: :class:`RoundService`, the use cases;
- :mod:`~croupier.services.rounds.opening`: an instant round's record, drawn before its write;
- :mod:`~croupier.services.rounds.kinds`: :class:`RoundsOfKind`, what the service asks of a
  family of game kinds (its one lookup per request);
- :mod:`~croupier.services.rounds.instant`: instant rounds (slots, roulette), one write each;
- :mod:`~croupier.services.rounds.tables`: table rounds (blackjack), one write per action;
- :mod:`~croupier.services.rounds.recall`: a round and a page of history, as a player sees them;
- :mod:`~croupier.services.rounds.notices`: the notices a round leaves on its player's stream;
- :mod:`~croupier.services.rounds.limits`: :class:`RoundLimits`, which the configuration builds.
"""

from croupier.domain.errors import RoundInProgress, RoundNotFound
from croupier.domain.events import round_stream
from croupier.services.rounds.limits import RoundLimits
from croupier.services.rounds.service import RoundService
from croupier.services.rounds.tables import TableRounds

__all__ = [
    "RoundInProgress",
    "RoundLimits",
    "RoundNotFound",
    "RoundService",
    "TableRounds",
    "round_stream",
]
