"""Slot tournaments as data files: the time box as TOML date-times, the id the file's name,
a bad file refused naming the file and the key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from croupier.adapters.slot_tournament_files import load_tournaments
from croupier.domain.errors import InvalidInput

GOOD = """
id = "weekend-lotus"
title = "Weekend Lotus Sprint"
starts_at = 2026-12-12T00:00:00Z
ends_at = 2026-12-14T00:00:00Z
currency = "EUR"
games = ["lotus-20"]
metric = "total_win"
operator = "incr"
entrants_max = 1000
attempts_max = 50
fee_minor = 500
prizes = [10000, 5000, 2500]
"""


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_file_becomes_a_checked_definition(tmp_path: Path) -> None:
    _write(tmp_path, "weekend-lotus.toml", GOOD)
    _write(tmp_path, "notes.txt", "not a tournament")
    [(tournament_id, definition)] = load_tournaments(tmp_path).items()
    assert tournament_id == "weekend-lotus"
    start = datetime(2026, 12, 12, tzinfo=UTC).timestamp() * 1000
    assert (definition.starts_at_ms, definition.ends_at_ms) == (start, start + 2 * 86_400_000)
    assert (definition.fee_minor, definition.prizes) == (500, (10000, 5000, 2500))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("other.toml", GOOD, "is not the file's name"),
        ("weekend-lotus.toml", GOOD.replace("00:00:00Z", "00:00:00"), "with an offset"),
        ("weekend-lotus.toml", GOOD + "starts_at_ms = 1\n", "not both"),
        ("weekend-lotus.toml", GOOD.replace("[10000,", "[-1,"), "prizes"),
        ("weekend-lotus.toml", GOOD + "colour = 1\n", "unknown keys"),
        ("weekend-lotus.toml", "id = ", "not TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_it(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    _write(tmp_path, name, text)
    with pytest.raises(InvalidInput, match=message) as refused:
        load_tournaments(tmp_path)
    assert name in str(refused.value)
