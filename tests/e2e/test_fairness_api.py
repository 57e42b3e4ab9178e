"""The provably-fair endpoints over real HTTP against a real server, on both databases:
see the commitment, choose a client seed, rotate and check the revealed seed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import running_server

PASSWORD = "correct horse battery staple"
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def base(database_url: str) -> Iterator[str]:
    with running_server(database_url) as url:
        yield url


def _login(client: httpx.Client, email: str) -> dict[str, str]:
    player = {
        "email": email,
        "password": PASSWORD,
        "date_of_birth": "1990-04-01",
        "country": "MT",
        "currency": "EUR",
    }
    assert client.post("/v1/players", json=player).status_code == 201
    session = client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert session.status_code == 201, session.text
    return {"Authorization": f"Bearer {session.json()['token']}"}


def test_commit_choose_rotate_and_verify(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        auth = _login(client, "ada@example.com")
        first = client.get("/v1/fairness", headers=auth)
        assert first.status_code == 200, first.text
        view = first.json()
        assert set(view) == {"server_seed_hash", "client_seed", "nonce", "scheme"}
        assert (view["scheme"], view["nonce"], len(view["server_seed_hash"])) == (
            "croupier-pf-1",
            0,
            64,
        )
        assert client.get("/v1/fairness", headers=auth).json() == view

        chosen = client.put(
            "/v1/fairness/client-seed", json={"client_seed": "ada~42"}, headers=auth
        )
        assert chosen.status_code == 200, chosen.text
        assert chosen.json() == {**view, "client_seed": "ada~42"}

        rotated = client.post("/v1/fairness/rotate", headers=auth)
        assert rotated.status_code == 200, rotated.text
        reveal = rotated.json()
        assert reveal["revealed_server_seed_hash"] == view["server_seed_hash"]
        digest = hashlib.sha256(reveal["revealed_server_seed"].encode()).hexdigest()
        assert digest == view["server_seed_hash"]
        assert reveal["server_seed_hash"] != view["server_seed_hash"]
        assert (reveal["client_seed"], reveal["nonce"]) == ("ada~42", 0)
        after = client.get("/v1/fairness", headers=auth).json()
        assert after["server_seed_hash"] == reveal["server_seed_hash"]

        other = client.get("/v1/fairness", headers=_login(client, "bob@example.com")).json()
        assert other["server_seed_hash"] not in (
            view["server_seed_hash"],
            after["server_seed_hash"],
        )


def test_refusals_are_problems_and_change_nothing(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        for method, path in [("GET", "/v1/fairness"), ("POST", "/v1/fairness/rotate")]:
            response = client.request(method, path)
            assert response.status_code == 401
            assert response.headers["content-type"] == PROBLEM_JSON
        refused = client.put("/v1/fairness/client-seed", json={"client_seed": "x"})
        assert refused.status_code == 401

        auth = _login(client, "carol@example.com")
        before = client.get("/v1/fairness", headers=auth).json()
        for body in [
            {"client_seed": ""},
            {"client_seed": "with space"},
            {"client_seed": "x" * 65},
            {"client_seed": "caf\u00e9"},
            {"client_seed": 42},
            {"client_seed": "ok", "extra": 1},
            {},
        ]:
            response = client.put("/v1/fairness/client-seed", json=body, headers=auth)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"] == PROBLEM_JSON
        assert client.get("/v1/fairness", headers=auth).json() == before
