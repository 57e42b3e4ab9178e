"""Headers a client or a cache in between relies on: nothing the API answers is stored by a
cache, a 401 says how to authenticate (RFC 6750), and HEAD works wherever GET does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import running_server

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("headers")
    with running_server(f"sqlite:///{path}/h.db") as base:
        yield base


def _register(client: httpx.Client, email: str) -> None:
    registered = client.post(
        "/v1/players",
        json={
            "email": email,
            "password": PASSWORD,
            "date_of_birth": "1990-04-01",
            "country": "MT",
            "currency": "EUR",
        },
    )
    assert registered.status_code == 201, registered.text


@pytest.fixture(scope="module")
def player(server: str) -> dict[str, str]:
    """The auth header of a funded player who has played one round, and that round's id."""
    with httpx.Client(base_url=server) as client:
        _register(client, "headers@example.com")
        session = client.post(
            "/v1/sessions", json={"email": "headers@example.com", "password": PASSWORD}
        )
        auth = {"Authorization": f"Bearer {session.json()['token']}"}
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": 10_000},
            headers={**auth, "Idempotency-Key": "headers-deposit"},
        )
        assert paid.status_code == 201, paid.text
        played = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "headers-round"},
        )
        assert played.status_code == 201, played.text
    return {**auth, "round_id": played.json()["round_id"], "payment_id": paid.json()["payment_id"]}


def _get_paths(server: str, player: dict[str, str]) -> list[str]:
    """Every GET of the OpenAPI document, with real path parameters where one exists, and
    well-formed names of missing things where none does (a poker hand nobody played)."""
    spec = httpx.get(f"{server}/openapi.json").json()
    auth = {"Authorization": player["Authorization"]}
    tables = httpx.get(f"{server}/v1/poker/tables", headers=auth).json()["items"]
    boards = httpx.get(f"{server}/v1/leaderboards", headers=auth).json()["items"]
    known = {
        "{round_id}": player["round_id"],
        "{payment_id}": player["payment_id"],
        "{table_id}": tables[0]["table_id"],
        "{board_id}": boards[0]["id"],
    }
    # Well-formed names of things that do not exist (yet): both answer 404 (``_missing``).
    unknown = {
        "{hand_id}": f"{tables[0]['table_id']}.{_NO_SUCH_HAND}",
        "{tournament_id}": "no-such-tournament",
        "{period}": "no-such-period",
    }
    paths = []
    for template, operations in spec["paths"].items():
        if "get" in operations:
            path = template
            for name, value in {**known, **unknown}.items():
                path = path.replace(name, value)
            paths.append(path)
    return paths


_NO_SUCH_HAND = 999_999_999


def _missing(path: str) -> bool:
    """A path naming something that does not exist: GET and HEAD both answer it 404."""
    return any(name in path for name in (str(_NO_SUCH_HAND), "no-such-"))


def test_no_api_answer_is_stored_by_a_cache(server: str, player: dict[str, str]) -> None:
    auth = {"Authorization": player["Authorization"]}
    with httpx.Client(base_url=server, headers=auth) as client:
        _register(client, "no-store@example.com")
        session = client.post(
            "/v1/sessions", json={"email": "no-store@example.com", "password": PASSWORD}
        )
        assert session.headers.get("cache-control") == "no-store"  # it carries a token
        for key, path, body in [
            ("no-store-deposit", "/v1/wallet/deposits", {"amount": 1_000}),
            ("no-store-round", "/v1/games/lotus-20/rounds", {"stake": 100}),
        ]:
            moved = client.post(path, json=body, headers={"Idempotency-Key": key})
            assert moved.status_code == 201 and moved.headers.get("cache-control") == "no-store"
        for path in [*_get_paths(server, player), "/v1/no-such-thing"]:
            answer = client.get(path)
            assert answer.headers.get("cache-control") == "no-store", (path, answer.headers)
        refused = httpx.get(f"{server}/v1/wallet")  # errors too: a 401 is not for keeping
        assert refused.headers.get("cache-control") == "no-store"


def test_a_401_says_how_to_authenticate(server: str, player: dict[str, str]) -> None:
    with httpx.Client(base_url=server) as client:
        missing = client.get("/v1/wallet")
        assert missing.status_code == 401
        assert missing.headers.get("www-authenticate") == "Bearer"
        forged = client.get("/v1/fairness", headers={"Authorization": "Bearer forged-token"})
        assert forged.status_code == 401
        assert forged.headers.get("www-authenticate") == 'Bearer error="invalid_token"'
        basic = client.get("/v1/rounds", headers={"Authorization": "Basic YTpi"})
        assert basic.status_code == 401 and basic.headers.get("www-authenticate") == "Bearer"
        wrong = client.post("/v1/sessions", json={"email": "x@example.com", "password": "nope"})
        assert wrong.status_code == 401 and wrong.headers.get("www-authenticate") == "Bearer"


def test_head_answers_wherever_get_does(server: str, player: dict[str, str]) -> None:
    auth = {"Authorization": player["Authorization"]}
    paths = [*_get_paths(server, player), "/docs", "/openapi.json"]
    with httpx.Client(base_url=server, headers=auth) as client:
        for path in paths:
            get, head = client.get(path), client.head(path)
            expected = 404 if _missing(path) else 200
            assert head.status_code == get.status_code == expected, (path, head.status_code)
            assert head.headers["content-type"] == get.headers["content-type"], path
            assert head.content == b"", path
        assert client.head("/v1/wallet", headers={"Authorization": ""}).status_code == 401
        only_post = client.head("/v1/sessions")
        assert only_post.status_code == 405 and only_post.headers["allow"] == "POST"
        assert "HEAD" in client.delete("/v1/wallet").headers["allow"]
