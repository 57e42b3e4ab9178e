"""Records as older versions stored them, for tests that a ledger written then still reads."""

from __future__ import annotations

import dataclasses
from typing import Any

from croupier.domain.events import RoundPlayed


def round_played_v1(record: RoundPlayed) -> dict[str, Any]:
    """The data of ``round.played`` version 1 (at 8b7a690): every field under its name, the
    round id too; ``None`` left out but for the fields version 1 always wrote."""
    left_out_when_none = {"request_fingerprint", "balance_after", "jackpot_win"}
    data = {
        field.name: getattr(record, field.name)
        for field in dataclasses.fields(record)
        if getattr(record, field.name) is not None or field.name not in left_out_when_none
    }
    data["fairness"] = {
        key: value
        for key, value in dataclasses.asdict(record.fairness).items()
        if value is not None
    }
    return data
