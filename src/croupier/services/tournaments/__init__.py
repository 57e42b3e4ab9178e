"""Slot tournaments (docs/engagement.md)."""

from croupier.services.tournaments.service import JoinGate, TournamentService

__all__ = ["JoinGate", "TournamentService"]
