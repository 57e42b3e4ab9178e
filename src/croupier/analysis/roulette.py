"""RTP analysis for roulette (to be written)."""

from __future__ import annotations

from pathlib import Path


def rtp_command(
    game_id: str,
    *,
    exact: bool,
    spins: int | None,
    hands: int | None,
    as_json: bool,
    plot: Path | None,
    seed: int | None,
) -> int:
    raise NotImplementedError
