"""A player's first minutes, over real HTTP against a real server: register, log in,
deposit, withdraw, read the history, log out — and the ledger verifies afterwards."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import running_server

PASSWORD = "correct horse battery staple"


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, str]]:
    with running_server(database_url) as base:
        yield base, database_url


def _register_and_login(client: httpx.Client, email: str) -> dict[str, str]:
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
    session = client.post("/v1/sessions", json={"email": email.upper(), "password": PASSWORD})
    assert session.status_code == 201, session.text
    assert session.json()["previous_login_at"] is None
    return {"Authorization": f"Bearer {session.json()['token']}"}


def test_money_in_and_out_matches_the_ledger(server: tuple[str, str]) -> None:
    base, database_url = server
    with httpx.Client(base_url=base) as client:
        auth = _register_and_login(client, "ada@example.com")
        key = {"Idempotency-Key": "deposit-0001"}
        first = client.post("/v1/wallet/deposits", json={"amount": 5_000}, headers={**auth, **key})
        assert first.status_code == 201, first.text
        replay = client.post("/v1/wallet/deposits", json={"amount": 5_000}, headers={**auth, **key})
        assert replay.status_code == 201 and replay.json() == first.json()
        reused = client.post("/v1/wallet/deposits", json={"amount": 5_001}, headers={**auth, **key})
        assert reused.status_code == 409
        assert reused.headers["content-type"] == "application/problem+json"
        assert (
            client.post("/v1/wallet/deposits", json={"amount": 10}, headers=auth).status_code == 400
        )

        out = client.post(
            "/v1/wallet/withdrawals",
            json={"amount": 1_200},
            headers={**auth, "Idempotency-Key": "withdraw-0001"},
        )
        assert out.status_code == 201, out.text
        assert out.json()["amount"] == -1_200
        too_much = client.post(
            "/v1/wallet/withdrawals",
            json={"amount": 10_000},
            headers={**auth, "Idempotency-Key": "withdraw-0002"},
        )
        assert too_much.status_code == 409
        assert client.get("/v1/wallet", headers=auth).json() == {
            "currency": "EUR",
            "cash": 3_800,
            "bonus": 0,
            "pending": 0,
        }

        page = client.get("/v1/wallet/transactions", params={"limit": 1}, headers=auth).json()
        assert [item["reason"] for item in page["items"]] == ["withdrawal"]
        rest = client.get(
            "/v1/wallet/transactions",
            params={"limit": 10, "cursor": page["next_cursor"]},
            headers=auth,
        ).json()
        assert [item["amount"] for item in rest["items"]] == [5_000]
        assert rest["next_cursor"] is None

        assert client.delete("/v1/sessions/current", headers=auth).status_code == 204
        assert client.get("/v1/wallet", headers=auth).status_code == 401

    verify = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"amount": -5}, 422),
        ({"amount": 0}, 422),
        ({"amount": 1.5}, 422),
        ({"amount": "10"}, 422),
        ({"amount": True}, 422),
        ({"amount": 10, "extra": 1}, 422),
        ({}, 422),
        ({"amount": 2**70}, 422),
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(
    server: tuple[str, str], body: dict[str, object], status: int
) -> None:
    base, _ = server
    with httpx.Client(base_url=base) as client:
        auth = _register_and_login(client, "bob@example.com")
        response = client.post(
            "/v1/wallet/deposits", json=body, headers={**auth, "Idempotency-Key": "bad-amount-1"}
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert client.get("/v1/wallet", headers=auth).json()["cash"] == 0


def test_a_repeated_amount_key_is_refused_and_moves_nothing(server: tuple[str, str]) -> None:
    """One reader would see 100, another 99,999,999: the body is malformed, not either."""
    base, _ = server
    with httpx.Client(base_url=base) as client:
        auth = _register_and_login(client, "twice@example.com")
        response = client.post(
            "/v1/wallet/deposits",
            content=b'{"amount":100,"amount":99999999}',
            headers={**auth, "Idempotency-Key": "twice-0001", "Content-Type": "application/json"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["type"] == "https://croupier.dev/problems/malformed-json"
        assert client.get("/v1/wallet", headers=auth).json()["cash"] == 0


def test_malformed_json_and_bad_tokens(server: tuple[str, str]) -> None:
    base, _ = server
    with httpx.Client(base_url=base) as client:
        malformed = client.post(
            "/v1/sessions", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 400
        forged = client.get("/v1/wallet", headers={"Authorization": "Bearer forged-token"})
        assert forged.status_code == 401
        assert client.get("/v1/wallet").status_code == 401
