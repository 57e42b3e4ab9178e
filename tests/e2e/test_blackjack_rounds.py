"""Blackjack over real HTTP: deal, act until settled, replays and refusals; the wallet equals
the ledger's arithmetic (deposit − stakes + returns) and the ledger verifies."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.server import running_server

TABLE = "/v1/games/blackjack-6d-s17/rounds"


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, str]]:
    with running_server(database_url) as base:
        yield base, database_url


def _act(client: httpx.Client, auth: dict[str, str], round_id: str, action: str, key: str) -> Any:
    return client.post(
        f"/v1/rounds/{round_id}/actions",
        json={"action": action},
        headers={**auth, "Idempotency-Key": key},
    )


def _check_hidden(body: dict[str, Any]) -> None:
    """An open round shows the dealer's up card only, never the hole card or the shoe."""
    outcome = body["outcome"]
    assert body["status"] == "open" and body["win"] is None
    assert outcome["dealer"]["cards"] == [outcome["dealer"]["up_card"]]
    assert "shoe" not in str(outcome) and "total" not in outcome["dealer"]


def _play_out(client: httpx.Client, auth: dict[str, str], body: dict[str, Any], tag: str) -> Any:
    """Decline insurance, then stand whenever standing is offered, until settled."""
    for n in range(20):
        if body["status"] == "settled":
            return body
        _check_hidden(body)
        legal = body["outcome"]["legal_actions"]
        action = "decline-insurance" if "decline-insurance" in legal else "stand"
        assert action in legal, legal
        reply = _act(client, auth, body["round_id"], action, f"{tag}-act-{n}")
        assert reply.status_code == 201, reply.text
        body = reply.json()
    raise AssertionError("the round never settled")


def _deal(client: httpx.Client, auth: dict[str, str], key: str, stake: int = 200) -> Any:
    dealt = client.post(TABLE, json={"stake": stake}, headers={**auth, "Idempotency-Key": key})
    assert dealt.status_code == 201, dealt.text
    return dealt.json()


def _funded(client: httpx.Client, email: str) -> dict[str, str]:
    auth = _register_and_login(client, email)
    deposit = client.post(
        "/v1/wallet/deposits",
        json={"amount": 10_000},
        headers={**auth, "Idempotency-Key": f"deposit-{email.partition('@')[0]}"},
    )
    assert deposit.status_code == 201
    return auth


def _verify(database_url: str) -> None:
    verify = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_blackjack_rounds_are_played_and_settled_on_the_ledger(server: tuple[str, str]) -> None:
    base, database_url = server
    with httpx.Client(base_url=base) as client:
        auth = _funded(client, "blackjack@example.com")
        stakes = returns = 0
        for i in range(5):
            body = _deal(client, auth, f"deal-{i:04d}")
            assert body["game_id"] == "blackjack-6d-s17" and body["choices"]["stake"] == 200
            again = _deal(client, auth, f"deal-{i:04d}")
            assert again == body  # replaying the deal: the same round, not a new one
            body = _play_out(client, auth, body, f"r{i}")
            outcome = body["outcome"]
            assert outcome["legal_actions"] == [] and len(outcome["dealer"]["cards"]) >= 2
            assert body["win"] == sum(outcome["hand_returns"]) + outcome["insurance_return"]
            hand_stakes = sum(hand["stake"] for hand in outcome["hands"])
            assert body["stake"] == hand_stakes + outcome["insurance_stake"]
            assert client.get(f"/v1/rounds/{body['round_id']}", headers=auth).json() == body
            stakes, returns = stakes + body["stake"], returns + body["win"]

        refused = _act(client, auth, body["round_id"], "hit", "late-hit-1")
        assert refused.status_code == 422, refused.text  # the round is over
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert wallet["cash"] == 10_000 - stakes + returns and wallet["pending"] == 0
    _verify(database_url)


def test_blackjack_replays_and_refusals(server: tuple[str, str]) -> None:
    base, database_url = server
    with httpx.Client(base_url=base) as client:
        auth = _funded(client, "refusals@example.com")
        # a deal can settle at once (a blackjack, or the dealer's after the peek): deal again
        deals = (_deal(client, auth, f"deal-open-{i}", 100) for i in range(10))
        body = next(deal for deal in deals if deal["status"] == "open")
        round_id, legal = body["round_id"], body["outcome"]["legal_actions"]

        illegal = next(a for a in ("split", "take-insurance", "hit") if a not in legal)
        refused = _act(client, auth, round_id, illegal, "illegal-0001")
        assert refused.status_code == 422, refused.text
        assert client.get(f"/v1/rounds/{round_id}", headers=auth).json() == body  # unchanged
        stranger = _funded(client, "bj-stranger@example.com")
        assert _act(client, stranger, round_id, "stand", "stranger-0001").status_code == 404
        assert client.get(f"/v1/rounds/{round_id}", headers=stranger).status_code == 404
        assert _act(client, auth, round_id, "stand", "short").status_code == 422  # no valid key
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert wallet["pending"] == 100  # the open round's stake stays reserved

        first = "decline-insurance" if "decline-insurance" in legal else "stand"
        acted = _act(client, auth, round_id, first, "first-0001")
        assert acted.status_code == 201, acted.text
        replay = _act(client, auth, round_id, first, "first-0001")
        assert replay.status_code == 201 and replay.json() == acted.json()  # applied once
        assert replay.json()["choices"]["actions"] == [first]
        body = _play_out(client, auth, acted.json(), "rest")
        too_small = client.post(
            TABLE, json={"stake": 50}, headers={**auth, "Idempotency-Key": "deal-too-small"}
        )
        assert too_small.status_code == 422
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert wallet["pending"] == 0
    _verify(database_url)
