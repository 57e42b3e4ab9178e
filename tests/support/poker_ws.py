"""Two people at a live cash table over a real server's WebSocket (helpers for e2e tests)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.ws import Client

TABLE = "holdem-nl-50-100-1"
STREAM = f"table:{TABLE}"


@dataclass
class Seat:
    """A player: HTTP auth, their socket, their seat."""

    name: str
    auth: dict[str, str]
    client: Client
    seat: int

    def hole_cards(self) -> list[str]:
        """The cards the player's own stream sent for the latest hand."""
        dealt = [e for e in self.client.events if e.get("type") == "poker.hole_cards"]
        return list(dealt[-1]["data"]["cards"]) if dealt else []


def funded(http: httpx.Client, email: str, amount_minor: int = 20_000) -> dict[str, str]:
    auth = _register_and_login(http, email)
    deposit = http.post(
        "/v1/wallet/deposits",
        json={"amount": amount_minor},
        headers={**auth, "Idempotency-Key": f"deposit-{email.partition('@')[0]}"},
    )
    assert deposit.status_code == 201, deposit.text
    return auth


def cash(http: httpx.Client, auth: dict[str, str]) -> int:
    answer = http.get("/v1/wallet", headers=auth)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["cash"])


def table_view(http: httpx.Client) -> dict[str, Any]:
    answer = http.get(f"/v1/poker/tables/{TABLE}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def subscribe(client: Client, after_seq: int | None = None) -> None:
    for channel in ("player", "table"):
        message: dict[str, Any] = {"type": "subscribe", "channel": channel}
        if channel == "table":
            message["table_id"] = TABLE
            if after_seq is not None:
                message["after_seq"] = after_seq
        answer = await client.request(message)
        assert answer["type"] == "subscribed", answer


async def act(seat: Seat, action: str, amount_minor: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "table.act", "table_id": TABLE, "action": action}
    if amount_minor is not None:
        message["amount_minor"] = amount_minor
    return await seat.client.request(message)


def to_act(http: httpx.Client, by_seat: dict[int, Seat]) -> tuple[Seat, str, str]:
    """Who is to act now, whether a check is free, and the hand's id."""
    view = table_view(http)
    hand = view["hand"]
    seat = hand["to_act"]
    bets = {int(s): b for s, b in hand["bets_minor"].items()}
    free = bets.get(seat, 0) >= max(bets.values(), default=0)
    return by_seat[seat], "check" if free else "call", hand["hand_id"]


def ledger_verified(database_url: str) -> None:
    verify = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def card_values(frames: list[dict[str, Any]]) -> set[str]:
    """Every two-character string anywhere in the frames (cards are such strings)."""
    found: set[str] = set()
    pending: list[Any] = list(frames)
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and len(value) == 2:
            found.add(value)
    return found
