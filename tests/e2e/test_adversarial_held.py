"""Issue 11, access control, input and transport, kept true against a real server: what an
attacker learns from a 404 or a failed login, where a token is accepted, what is on disk,
malformed amounts, chunked bodies, smuggled requests and the WebSocket in-flight limit."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.held import (
    GENEROUS_LIMITS,
    PASSWORD,
    documented_close_code,
    funded_player,
    raw_exchange,
    register_and_login,
    send_burst,
    ws_connected,
)
from tests.support.server import running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(120)

ROULETTE = "/v1/games/european-roulette/rounds"
BLACKJACK = "/v1/games/blackjack-6d-s17/rounds"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One server for the tests that only read or are refused: its base URL and its
    database file. Its login and registration limits are raised so that the tests' own
    logins, all from 127.0.0.1, never meet them."""
    path = tmp_path_factory.mktemp("adversarial") / "ledger.db"
    with running_server(f"sqlite:///{path}", **GENEROUS_LIMITS) as base:
        yield base, path


def _problem(response: httpx.Response, *ids: str) -> tuple[int, str, Any]:
    """Status, content type and body, each of ``ids`` in the body made the same."""
    body = response.text
    for round_id in ids:
        body = body.replace(round_id, "<round>")
    return response.status_code, response.headers["content-type"], json.loads(body)


def _open_blackjack_round(http: httpx.Client) -> dict[str, Any]:
    """A dealt round still waiting for the player (a deal can settle at once: deal again)."""
    for n in range(20):
        dealt = http.post(
            BLACKJACK, json={"stake": 100}, headers={"Idempotency-Key": f"deal-{n:04d}"}
        )
        assert dealt.status_code == 201, dealt.text
        if dealt.json()["status"] == "open":
            return dict(dealt.json())
    raise AssertionError("twenty deals all settled at once")


# -- access control ----------------------------------------------------------------------------


def test_another_players_round_answers_exactly_like_a_round_that_does_not_exist(
    shared: tuple[str, Path],
) -> None:
    base, _ = shared
    owner = funded_player(base, "owner@example.com", 10_000)
    stranger = register_and_login(base, "prober@example.com")
    with httpx.Client(base_url=base, headers=owner, timeout=30) as http:
        spun = http.post(
            ROULETTE,
            json={"bets": [{"type": "red", "stake": 100}]},
            headers={"Idempotency-Key": "owned-spin-01"},
        )
        assert spun.status_code == 201, spun.text
        dealt = _open_blackjack_round(http)
    missing = "r" + secrets.token_hex(12)  # a well-formed id no round has
    with httpx.Client(base_url=base, headers=stranger, timeout=30) as http:
        for owned in (spun.json()["round_id"], dealt["round_id"]):
            theirs = http.get(f"/v1/rounds/{owned}")
            nobodys = http.get(f"/v1/rounds/{missing}")
            assert theirs.status_code == 404
            assert _problem(theirs, owned) == _problem(nobodys, missing)
        stand = {"action": "stand"}
        theirs = http.post(
            f"/v1/rounds/{dealt['round_id']}/actions",
            json=stand,
            headers={"Idempotency-Key": "probe-act-01"},
        )
        nobodys = http.post(
            f"/v1/rounds/{missing}/actions", json=stand, headers={"Idempotency-Key": "probe-act-02"}
        )
        assert theirs.status_code == 404
        assert _problem(theirs, dealt["round_id"]) == _problem(nobodys, missing)
    with httpx.Client(base_url=base, headers=owner, timeout=30) as http:
        assert http.get(f"/v1/rounds/{dealt['round_id']}").json() == dealt  # untouched


async def test_a_token_anywhere_but_the_authorization_header_is_ignored(
    shared: tuple[str, Path],
) -> None:
    base, _ = shared
    auth = register_and_login(base, "carrier@example.com")
    token = auth["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        assert (await http.get("/v1/wallet", headers=auth)).status_code == 200  # a good token
        anonymous = await http.get("/v1/wallet")
        assert anonymous.status_code == 401
        for name in ("token", "access_token", "authorization", "session", "bearer"):
            in_query = await http.get("/v1/wallet", params={name: token})
            as_cookie = await http.get("/v1/wallet", headers={"Cookie": f"{name}={token}"})
            for refused in (in_query, as_cookie):
                assert refused.status_code == 401, (name, refused.text)
                assert refused.json() == anonymous.json()
    url = base.replace("http://", "ws://") + "/v1/ws"
    unauthenticated = documented_close_code("not authenticated")
    for query, headers in (
        (f"?token={token}", {}),
        (f"?access_token={token}", {}),
        ("", {"Cookie": f"token={token}; session={token}"}),
    ):
        async with ws_connected(url + query, headers) as client:
            answer = await client.request({"type": "subscribe", "channel": "player"})
            assert answer["type"] == "error", answer
            assert answer["error"]["code"] == "authentication-failed"
            assert (await client.closed())[0] == unauthenticated
    async with ws_connected(url, auth) as client:  # the same token where it belongs
        subscribed = await client.request({"type": "subscribe", "channel": "player"})
        assert subscribed["type"] == "subscribed", subscribed


def test_the_sqlite_database_and_its_companion_files_are_owner_only(
    shared: tuple[str, Path],
) -> None:
    base, path = shared
    funded_player(base, "private@example.com", 100)  # writes: the WAL is in use
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
    assert {"ledger.db", "ledger.db-wal"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)


async def _all_rows(database_url: str) -> list[str]:
    """Every row of every table, as text: what a copy of the database would show."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return [repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"')]
    import asyncpg

    db = await asyncpg.connect(database_url)
    try:
        tables = await db.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        rows = []
        for table in tables:
            name = table["tablename"]
            rows += [r[0] for r in await db.fetch(f'SELECT row_to_json(t)::text FROM "{name}" t')]
        return rows
    finally:
        await db.close()


async def test_sessions_are_stored_as_sha256_never_as_tokens(database_url: str) -> None:
    with running_server(database_url) as base:
        tokens = []
        register_and_login(base, "hashed@example.com")
        with httpx.Client(base_url=base, timeout=30) as http:
            for _ in range(3):
                session = http.post(
                    "/v1/sessions", json={"email": "hashed@example.com", "password": PASSWORD}
                )
                assert session.status_code == 201, session.text
                tokens.append(session.json()["token"])
            revoked = {"Authorization": f"Bearer {tokens[0]}"}
            assert http.delete("/v1/sessions/current", headers=revoked).status_code == 204
        rows = "\n".join(await _all_rows(database_url))
        on_disk = b""
        if database_url.startswith("sqlite:///"):  # the files, free pages and WAL included
            path = Path(database_url.removeprefix("sqlite:///"))
            on_disk = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for token in tokens:
        assert hashlib.sha256(token.encode()).hexdigest() in rows  # the session is there
        assert token not in rows and token.encode() not in on_disk


def test_failed_logins_look_the_same_whatever_was_wrong(shared: tuple[str, Path]) -> None:
    base, _ = shared
    register_and_login(base, "known@example.com")
    with httpx.Client(base_url=base, timeout=30) as http:
        failures = [
            http.post("/v1/sessions", json={"email": email, "password": password})
            for email, password in (
                ("known@example.com", PASSWORD + " but wrong"),
                ("unknown@example.com", PASSWORD + " but wrong"),
                ("unknown@example.com", PASSWORD),
                ("KNOWN@example.com", PASSWORD.upper()),
            )
        ]
    assert failures[0].status_code == 401
    assert len({(f.status_code, f.headers["content-type"], f.text) for f in failures}) == 1


# -- input and transport -----------------------------------------------------------------------

MALFORMED_AMOUNTS = [
    "1.5",
    "100.0",
    "1e3",
    "-1.5",
    '"100"',
    '"abc"',
    "true",
    "false",
    "-5",
    "0",
    "-0",
    str(2**63),
    str(2**70),
    str(10**30),
    "null",
    "[]",
    "{}",
    "NaN",
    "Infinity",
]
AMOUNT_FIELDS = [
    ("/v1/wallet/deposits", '{"amount": %s}'),
    ("/v1/wallet/withdrawals", '{"amount": %s}'),
    ("/v1/games/lotus-20/rounds", '{"stake": %s}'),
    (BLACKJACK, '{"stake": %s}'),
    (ROULETTE, '{"bets": [{"type": "red", "stake": %s}]}'),
]


def _post_raw_json(http: httpx.Client, path: str, text: str, key: str) -> httpx.Response:
    headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
    return http.post(path, content=text.encode(), headers=headers)


def test_every_malformed_amount_is_refused_with_422_and_moves_nothing(
    shared: tuple[str, Path],
) -> None:
    base, _ = shared
    auth = funded_player(base, "fuzzy@example.com", 1_000)
    with httpx.Client(base_url=base, headers=auth, timeout=30) as http:
        answers = {
            (amount, path): _post_raw_json(http, path, template % amount, f"bad-amount-{n:04d}")
            for n, (amount, (path, template)) in enumerate(
                (a, f) for a in MALFORMED_AMOUNTS for f in AMOUNT_FIELDS
            )
        }
        wallet = http.get("/v1/wallet").json()
        rounds = http.get("/v1/rounds").json()["items"]
    wrong = {case: (a.status_code, a.text) for case, a in answers.items() if a.status_code != 422}
    assert wrong == {}
    assert {a.headers["content-type"] for a in answers.values()} == {"application/problem+json"}
    assert (wallet["cash"], wallet["pending"], rounds) == (1_000, 0, [])


def test_an_amount_too_long_to_parse_is_refused_like_any_other_bad_amount(
    shared: tuple[str, Path],
) -> None:
    base, _ = shared
    auth = funded_player(base, "digits@example.com", 1_000)
    endless = "9" * 5_000
    with httpx.Client(base_url=base, headers=auth, timeout=30) as http:
        answers = [
            _post_raw_json(http, path, template % endless, f"digits-{n:04d}")
            for n, (path, template) in enumerate(AMOUNT_FIELDS)
        ]
        assert http.get("/v1/wallet").json()["cash"] == 1_000
    for answer in answers:
        kind = answer.json()["type"].rsplit("/", 1)[-1]
        assert (answer.status_code, kind) in {
            (422, "invalid-request"),
            (422, "invalid-amount"),
            (422, "invalid-bet"),
            (400, "malformed-json"),
        }, answer.text


def _chunks(size: int) -> Iterator[bytes]:
    """A body of ``size`` bytes sent as chunks (httpx gives a generator no Content-Length),
    valid JSON so that only its size can be the reason for a refusal."""
    body = json.dumps({"email": "x@example.com", "password": "p" * size})[: size - 2] + '"}'
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096].encode()


def test_a_chunked_body_over_the_limit_is_refused(shared: tuple[str, Path]) -> None:
    base, _ = shared
    auth = funded_player(base, "chunky@example.com", 1_000)
    headers = {"Content-Type": "application/json"}
    with httpx.Client(base_url=base, timeout=30) as http:
        small = http.post("/v1/sessions", content=_chunks(200), headers=headers)
        assert small.status_code == 401, small.text  # read and judged: a chunked body works
        assert "transfer-encoding" in small.request.headers
        for path, extra in (
            ("/v1/sessions", {}),
            ("/v1/wallet/deposits", {**auth, "Idempotency-Key": "chunky-0001"}),
        ):
            big = http.post(path, content=_chunks(65 * 1024), headers={**headers, **extra})
            assert big.status_code == 413, (path, big.text)
            assert big.json()["type"].endswith("/body-too-large")
        assert http.get("/v1/wallet", headers=auth).json()["cash"] == 1_000


_SMUGGLED = b"GET /v1/smuggled-in HTTP/1.1\r\nHost: x\r\n\r\n"
_AMBIGUOUS = {
    "length and chunked": b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % (5 + len(_SMUGGLED)) + _SMUGGLED,
    "chunked and length": b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
    b"\r\nContent-Length: %d\r\n\r\n0\r\n\r\n" % (5 + len(_SMUGGLED)) + _SMUGGLED,
    "two lengths": b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
    b"Content-Length: %d\r\n\r\n{}" % (2 + len(_SMUGGLED)) + _SMUGGLED,
    "two equal lengths": b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    "folded with a space": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n  b\r\n\r\n",
    "folded with a tab": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n\tb\r\n\r\n",
}


@pytest.mark.parametrize("case", sorted(_AMBIGUOUS))
def test_smuggling_and_folded_headers_get_400_and_nothing_more(
    shared: tuple[str, Path], case: str
) -> None:
    """As a connection's first request and as a later one on a kept-alive connection: one
    400, then the connection is closed; a request hidden in the body is never served."""
    base, _ = shared
    keep_alive = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    first = raw_exchange(base, _AMBIGUOUS[case])
    later = raw_exchange(base, keep_alive, _AMBIGUOUS[case])
    assert re.findall(rb"HTTP/1\.1 (\d{3})", first) == [b"400"], first
    assert re.findall(rb"HTTP/1\.1 (\d{3})", later) == [b"200", b"400"], later
    assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200


# -- WebSocket ---------------------------------------------------------------------------------


async def test_requests_beyond_the_in_flight_limit_are_refused_then_the_connection_closed(
    tmp_path: Path,
) -> None:
    limits = {"CROUPIER_WS_IN_FLIGHT_MAX": "2", "CROUPIER_WS_STRIKES_MAX": "3"}
    with running_server(f"sqlite:///{tmp_path}/ledger.db", **limits) as base:
        auth = register_and_login(base, "eager@example.com")
        token = auth["Authorization"].removeprefix("Bearer ")

        def burst(tag: str, size: int) -> list[dict[str, Any]]:
            return [
                {
                    "type": "round.action",
                    "request_id": f"{tag}-{n:04d}",
                    "round_id": "r" + secrets.token_hex(12),  # no such round: a 404 to look up
                    "action": "stand",
                }
                for n in range(size)
            ]

        async with ws_client(base, token) as client:
            sent = burst("first", 4)
            send_burst(client, sent)
            answers = [await client.answer(m["request_id"]) for m in sent]
            codes = [(a["error"]["code"], a["error"]["status"]) for a in answers]
            assert codes == [("not-found", 404)] * 2 + [("too-many-requests", 429)] * 2
            assert (await client.request({"type": "ping"}))["type"] == "pong"  # still open
            send_burst(client, burst("again", 16))  # over the limit again: cut off
            code, _ = await client.closed()
    assert code == documented_close_code("in flight", "message rate")
