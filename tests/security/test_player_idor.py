"""IDOR across players: whatever id a player sends, they reach only their own rounds, money
and seeds. Another player's round answers exactly like one that does not exist (404, the
same body), an action on it changes nothing, and lists hold the caller's own items alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_blackjack_rounds import TABLE, _act, _funded
from tests.support.server import running_server

pytestmark = pytest.mark.timeout(120)


def _open_round(client: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    """A blackjack round left open (a deal may settle at once: deal again)."""
    for i in range(20):
        dealt = client.post(
            TABLE, json={"stake": 100}, headers={**auth, "Idempotency-Key": f"deal-{i:04d}"}
        )
        assert dealt.status_code == 201, dealt.text
        if dealt.json()["status"] == "open":
            return dict(dealt.json())
    raise AssertionError("twenty deals in a row settled at once")


def test_a_player_reaches_only_their_own_rounds_money_and_seeds(tmp_path: Path) -> None:
    with (
        running_server(f"sqlite:///{tmp_path}/idor.db") as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        victim = _funded(client, "victim@example.com")
        mallory = _funded(client, "mallory@example.com")
        open_round = _open_round(client, victim)
        round_id = open_round["round_id"]
        victim_wallet = client.get("/v1/wallet", headers=victim).json()

        theirs = client.get(f"/v1/rounds/{round_id}", headers=mallory)
        unknown_id = round_id[:-1] + ("0" if round_id[-1] != "0" else "1")  # same shape
        missing = client.get(f"/v1/rounds/{unknown_id}", headers=mallory)
        assert theirs.status_code == missing.status_code == 404
        # nothing tells them apart but the id each names
        assert theirs.json()["detail"].replace(round_id, "ID") == missing.json()["detail"].replace(
            unknown_id, "ID"
        )

        acted = _act(client, mallory, round_id, "stand", "mallory-stand-1")
        assert acted.status_code == 404
        assert client.get(f"/v1/rounds/{round_id}", headers=victim).json() == open_round

        listed = client.get("/v1/rounds", headers=mallory).json()
        assert all(item["round_id"] != round_id for item in listed["items"])
        transactions = client.get("/v1/wallet/transactions", headers=mallory).json()["items"]
        assert [t["amount"] for t in transactions] == [10_000]  # their own deposit alone
        assert client.get("/v1/wallet", headers=victim).json() == victim_wallet
        seeds = client.get("/v1/fairness", headers=mallory).json()
        assert seeds != client.get("/v1/fairness", headers=victim).json()
