"""``croupier loadtest``: many players over HTTP and WebSocket against a running server.

One job per module: :mod:`.players` gets players ready (register or log in, fund, cache
tokens in :mod:`.tokens`), :mod:`.client` speaks the WebSocket protocol, :mod:`.rounds`,
:mod:`.idle`, :mod:`.fanout` and :mod:`.poker` (its bots' strategy in :mod:`.pokerbot`)
drive the four modes, :mod:`.stats` turns samples into
figures, :mod:`.procstat` reads the server's memory and CPU, :mod:`.plot` draws the
histogram, :mod:`.runner` puts one run together. See ``docs/loadtest.md``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["LoadtestError", "Mode"]


class LoadtestError(Exception):
    """A run that cannot go on; the message says why and what to do."""


class Mode(StrEnum):
    """What the players do: play rounds, hold idle connections, watch jackpot ticks, or
    play hold'em at live cash tables."""

    ROUNDS = "rounds"
    IDLE = "idle"
    JACKPOTS = "jackpots"
    POKER = "poker"
