"""What a player sees of the back office, over real HTTP against a real server: a withdrawal
held for review is answered 202 ``pending-review`` (and so is its replay), the money stays
reserved; once staff freeze the account, the old token is refused (401), and after a new
login play and payments are refused with 403 ``account-restricted`` while the balance stays."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from croupier.bootstrap import make_backoffice_store, make_player_store
from croupier.services.audit.logged import LoggedAuditTrail
from croupier.services.backoffice import AccountControl
from tests.support.server import running_server
from tests.support.vault import open_test_vault

PASSWORD = "correct horse battery staple"


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, str]]:
    with running_server(database_url, CROUPIER_WITHDRAWAL_REVIEW_ABOVE="50.00") as base:
        yield base, database_url


def _login(client: httpx.Client, email: str) -> dict[str, str]:
    session = client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert session.status_code == 201, session.text
    return {"Authorization": f"Bearer {session.json()['token']}"}


async def _freeze(database_url: str, player_id: str) -> None:
    """Staff freeze the account (the admin API is another listener; its service is this)."""
    vault = await open_test_vault(database_url)
    store, players = make_backoffice_store(database_url), make_player_store(database_url, vault)
    await store.open()
    await players.open()
    try:
        control = AccountControl(
            store, players, LoggedAuditTrail(), clock_ms=lambda: time.time_ns() // 1_000_000
        )
        await control.freeze(player_id, actor="staff:alice", source_ip=None, reason="review")
    finally:
        await players.close()
        await store.close()


def test_held_withdrawal_then_frozen_account(server: tuple[str, str]) -> None:
    base, database_url = server
    with httpx.Client(base_url=base, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json={
                "email": "held@example.com",
                "password": PASSWORD,
                "date_of_birth": "1990-04-01",
                "country": "MT",
                "currency": "EUR",
            },
        )
        assert created.status_code == 201, created.text
        player_id = created.json()["player_id"]
        auth = _login(client, "held@example.com")
        deposit = client.post(
            "/v1/wallet/deposits",
            json={"amount": 100_00},
            headers={**auth, "Idempotency-Key": "held-deposit"},
        )
        assert deposit.status_code == 201, deposit.text

        key = {**auth, "Idempotency-Key": "held-withdrawal"}
        held = client.post("/v1/wallet/withdrawals", json={"amount": 80_00}, headers=key)
        assert held.status_code == 202, held.text
        assert held.json()["state"] == "pending-review" and held.json()["amount"] == -80_00
        replay = client.post("/v1/wallet/withdrawals", json={"amount": 80_00}, headers=key)
        assert (replay.status_code, replay.json()) == (202, held.json())
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert (wallet["cash"], wallet["pending"]) == (20_00, 80_00)

        asyncio.run(_freeze(database_url, player_id))
        assert client.get("/v1/wallet", headers=auth).status_code == 401
        auth = _login(client, "held@example.com")
        spin = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "frozen-spin"},
        )
        assert spin.status_code == 403, spin.text
        assert spin.headers["content-type"].startswith("application/problem+json")
        assert spin.json()["type"].endswith("account-restricted")
        refused = client.post(
            "/v1/wallet/withdrawals",
            json={"amount": 1_00},
            headers={**auth, "Idempotency-Key": "frozen-withdrawal"},
        )
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("account-restricted")
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert (wallet["cash"], wallet["pending"]) == (20_00, 80_00)  # balance kept
