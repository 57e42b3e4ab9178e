"""What a player sees of the back office, over real HTTP and a real WebSocket against a real
server (SQLite and PostgreSQL): a withdrawal held for review is answered 202
``pending-review`` (and so is its replay), the money stays reserved; when staff freeze the
account through the admin API, the player's open WebSocket closes at once (1008), the old
token is refused (401), and after a new login play and payments are refused with 403
``account-restricted`` while the balance stays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_realtime import _spin
from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.server import admin_url, running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(180)

PASSWORD = "correct horse battery staple"


@dataclass
class Casino:
    base: str
    admin: str
    risk: Staff


@pytest.fixture
def casino(database_url: str, tmp_path: Path) -> Iterator[Casino]:
    create_staff(database_url, tmp_path, "rita", "risk")
    with running_server(database_url, CROUPIER_WITHDRAWAL_REVIEW_ABOVE="50.00") as base:
        admin = admin_url(base)
        yield Casino(base, admin, enrolled(admin, "rita"))


def _login(client: httpx.Client, email: str) -> dict[str, str]:
    session = client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert session.status_code == 201, session.text
    return {"Authorization": f"Bearer {session.json()['token']}"}


def _funded(client: httpx.Client, email: str, amount: int) -> tuple[str, dict[str, str]]:
    created = client.post(
        "/v1/players",
        json={
            "email": email,
            "password": PASSWORD,
            "date_of_birth": "1990-04-01",
            "country": "MT",
            "currency": "EUR",
        },
    )
    assert created.status_code == 201, created.text
    auth = _login(client, email)
    deposit = client.post(
        "/v1/wallet/deposits",
        json={"amount": amount},
        headers={**auth, "Idempotency-Key": "first-deposit"},
    )
    assert deposit.status_code == 201, deposit.text
    return created.json()["player_id"], auth


def _freeze(casino: Casino, player_id: str) -> httpx.Response:
    return httpx.post(
        f"{casino.admin}/admin/v1/players/{player_id}/freeze",
        json={"reason": "fraud review"},
        headers=bearer(casino.risk),
        timeout=30,
    )


def _assert_restricted(answer: httpx.Response) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/account-restricted")


async def test_a_freeze_closes_the_open_websocket_and_refuses_play(casino: Casino) -> None:
    with httpx.Client(base_url=casino.base, timeout=30) as client:
        player_id, auth = _funded(client, "live@example.com", 50_00)
    token = auth["Authorization"].removeprefix("Bearer ")
    async with ws_client(casino.base, token) as socket:
        await _spin(socket, "before-freeze")
        frozen = _freeze(casino, player_id)
        assert frozen.status_code == 200, frozen.text
        assert frozen.json()["status"] == "frozen"
        code, reason = await socket.closed(timeout=10)  # at once, not at the next check
        assert (code, reason) == (1008, "the session was revoked")
    with httpx.Client(base_url=casino.base, timeout=30) as client:
        assert client.get("/v1/wallet", headers=auth).status_code == 401
        auth = _login(client, "live@example.com")
        wallet = client.get("/v1/wallet", headers=auth).json()
        spin = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "frozen-spin"},
        )
        _assert_restricted(spin)
        after = client.get("/v1/wallet", headers=auth).json()
    assert after == wallet and after["cash"] > 0  # the balance is kept, and visible
    token = auth["Authorization"].removeprefix("Bearer ")
    async with ws_client(casino.base, token) as socket:  # a new socket cannot play either
        answer = await socket.request({"type": "round.start", "game_id": "lotus-20", "stake": 100})
        assert answer["type"] == "error", answer
        assert (answer["error"]["status"], answer["error"]["code"]) == (403, "account-restricted")


def test_held_withdrawal_then_frozen_account(casino: Casino) -> None:
    with httpx.Client(base_url=casino.base, timeout=30) as client:
        player_id, auth = _funded(client, "held@example.com", 100_00)
        key = {**auth, "Idempotency-Key": "held-withdrawal"}
        held = client.post("/v1/wallet/withdrawals", json={"amount": 80_00}, headers=key)
        assert held.status_code == 202, held.text
        assert held.json()["state"] == "pending-review" and held.json()["amount"] == -80_00
        replay = client.post("/v1/wallet/withdrawals", json={"amount": 80_00}, headers=key)
        assert (replay.status_code, replay.json()) == (202, held.json())
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert (wallet["cash"], wallet["pending"]) == (20_00, 80_00)

        queued = httpx.get(
            f"{casino.admin}/admin/v1/withdrawals/queue", headers=bearer(casino.risk)
        ).json()["items"]
        assert [(item["player_id"], item["amount_minor"], item["state"]) for item in queued] == [
            (player_id, 80_00, "pending")
        ]
        assert _freeze(casino, player_id).status_code == 200
        assert client.get("/v1/wallet", headers=auth).status_code == 401
        auth = _login(client, "held@example.com")
        spin = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "frozen-spin"},
        )
        _assert_restricted(spin)
        refused = client.post(
            "/v1/wallet/withdrawals",
            json={"amount": 1_00},
            headers={**auth, "Idempotency-Key": "frozen-withdrawal"},
        )
        _assert_restricted(refused)
        wallet = client.get("/v1/wallet", headers=auth).json()
        assert (wallet["cash"], wallet["pending"]) == (20_00, 80_00)  # balance kept
