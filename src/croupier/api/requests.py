"""The bodies of game requests, validated the same way over HTTP and over the WebSocket."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

__all__ = ["ActionIn", "BetIn", "RoundIn"]


class BetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(max_length=16, examples=["straight", "red", "dozen"])
    numbers: list[StrictInt] = Field(default_factory=list, max_length=18)
    stake: StrictInt = Field(gt=0, description="Minor units")


class RoundIn(BaseModel):
    """Slots and blackjack: ``{"stake": 100}``.

    Roulette: ``{"bets": [{"type": "red", "stake": 100}]}``.
    """

    model_config = ConfigDict(extra="forbid")
    stake: StrictInt | None = Field(
        default=None, gt=0, description="Slots: total stake, minor units"
    )
    bets: list[BetIn] | None = Field(default=None, max_length=20, description="Roulette bets")


class ActionIn(BaseModel):
    """One blackjack decision on the player's open round."""

    model_config = ConfigDict(extra="forbid")
    action: Literal[
        "hit", "stand", "double", "split", "surrender", "take-insurance", "decline-insurance"
    ]
