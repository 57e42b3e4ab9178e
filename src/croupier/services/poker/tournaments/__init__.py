"""Live tournaments (sit-and-go and multi-table) on live tables: see docs/poker.md,
"Tournaments (live)"."""

from croupier.services.poker.tournaments.live import LiveTournament, fold_tournament, table_id_of
from croupier.services.poker.tournaments.lobby import TournamentLobby
from croupier.services.poker.tournaments.money import pool_account
from croupier.services.poker.tournaments.state import TournamentModel, tournament_stream
from croupier.services.poker.tournaments.table import TournamentTable, level_config

__all__ = [
    "LiveTournament",
    "TournamentLobby",
    "TournamentModel",
    "TournamentTable",
    "fold_tournament",
    "level_config",
    "pool_account",
    "table_id_of",
    "tournament_stream",
]
