"""Wiring of the live cash tables (issue 17): the table directory on the ledger and the
vault, opened from the ``holdem-*`` table files. Kept out of ``bootstrap.py`` so the
composition root gains a field and two lines."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from croupier.adapters.vault import Vault
from croupier.config import Settings
from croupier.services.ledger import LedgerClient
from croupier.services.poker import TableDirectory, VaultSealer
from croupier.services.poker.tournaments import TournamentLobby

__all__ = ["open_poker"]


async def open_poker(
    settings: Settings,
    ledger: LedgerClient,
    vault: Vault | None,
    definitions: Mapping[str, Mapping[str, Any]],
) -> TableDirectory | None:
    """The tables this process owns (all-in-one server only: a table has one owner, so a
    gateway, of which there are many, opens none). ``None`` without a vault or tables."""
    if vault is None or (settings.poker.tables_per_game == 0 and not settings.poker.sng_structures):
        return None
    directory = TableDirectory(
        ledger,
        VaultSealer(vault),
        settings.poker,
        clock_ms=lambda: time.time_ns() // 1_000_000,
        house_floor_minor=settings.house_floor_minor,
    )
    # tournaments (issue 17): their tables are found through the directory
    directory.tournaments = TournamentLobby(
        ledger,
        VaultSealer(vault),
        settings.poker,
        clock_ms=lambda: time.time_ns() // 1_000_000,
        house_floor_minor=settings.house_floor_minor,
        sng_structures=settings.poker.sng_structures,
        on_table=directory.add,
    )
    try:
        await directory.open(definitions)
        await directory.tournaments.start()
    except BaseException:
        await directory.close()
        raise
    return directory
