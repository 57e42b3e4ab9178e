"""Croupier: an open-source casino game backend.

The money (a double-entry ledger), the games (pure state machines) and the proof that they
were fair. See README.md for a tour.
"""

__version__ = "0.1.0"
