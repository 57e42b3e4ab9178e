"""The roles on PostgreSQL, as real processes on real PostgreSQL and NATS: stateless
gateways (``serve --role gateway``) reaching a fenced writer (``croupier writer``) over
NATS request/reply.

- Two gateways and one writer: rounds played through both, for one player at once, settle
  exactly once each, never share a provably-fair nonce, and a retry through the other
  gateway returns the same round.
- Fencing: SIGSTOP the active writer, the standby takes over, rounds go on through it;
  SIGCONT the old one: it commits nothing and exits with status 3.
- No writer: a gateway answers 503 ``ledger-unavailable`` with ``Retry-After`` (HTTP) and
  the same code over WebSocket, and stays ready for reads.
- kill -9 of the active writer under load: clients retry with the same keys; each
  acknowledged round exists exactly once.

Every test ends with: the wallet equals the rounds' history, and ``ledger verify`` passes.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.test_server_crash import _all_rounds
from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.roles import Roles, verify, wait_active, wait_exit, wait_standby
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(300)

DEPOSIT = 1_000_000
STAKE = 100


@pytest.fixture
def roles(postgres_url: str, nats_stream_url: str) -> Iterator[Roles]:  # noqa: F811
    started = Roles(postgres_url, nats_stream_url)
    try:
        yield started
    finally:
        started.stop_all()


def _funded(base: str, email: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as http:
        auth = _register_and_login(http, email)
        paid = http.post(
            "/v1/wallet/deposits",
            json={"amount": DEPOSIT},
            headers={**auth, "Idempotency-Key": "deposit-00001"},
        )
        assert paid.status_code == 201, paid.text
    return auth


async def _play(
    base: str,
    auth: dict[str, str],
    keys: list[str],
    acknowledged: dict[str, str],
    *,
    retries_max: int = 0,
) -> None:
    """Play one round per key; a round that gets no 201 is sent again with the same key
    (up to ``retries_max`` times), as a client does across a failover."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for key in keys:
            for _ in range(retries_max + 1):
                try:
                    answer = await http.post(
                        "/v1/games/lotus-20/rounds",
                        json={"stake": STAKE},
                        headers={**auth, "Idempotency-Key": key},
                    )
                except httpx.TransportError:
                    continue
                if answer.status_code == 201:
                    assert answer.json()["status"] == "settled"
                    acknowledged[key] = answer.json()["round_id"]
                    break
                assert answer.status_code in (503, 504), answer.text


def _check_once(base: str, auth: dict[str, str], acknowledged: dict[str, str]) -> None:
    """Every acknowledged round exists exactly once, and the wallet is their history."""
    with httpx.Client(base_url=base, timeout=30) as http:
        rounds = _all_rounds(http, auth)
        ids = [r["round_id"] for r in rounds]
        assert len(ids) == len(set(ids))
        assert set(acknowledged.values()) <= set(ids)
        assert len(ids) == len(acknowledged), "a round settled that no client was told of"
        wallet = http.get("/v1/wallet", headers=auth).json()
    assert wallet["pending"] == 0
    assert wallet["cash"] == DEPOSIT - sum(r["stake"] for r in rounds) + sum(
        r["win"] for r in rounds
    )


def _nonces(base: str, auth: dict[str, str], round_ids: list[str]) -> list[int]:
    with httpx.Client(base_url=base, timeout=30) as http:
        recalled = [http.get(f"/v1/rounds/{r}", headers=auth).json() for r in round_ids]
    return [int(r["fairness"]["nonce"]) for r in recalled]


def test_two_gateways_settle_each_round_once(roles: Roles) -> None:
    writer = roles.writer("writer-1")
    wait_active(writer)
    first, second = roles.gateway("gateway-1"), roles.gateway("gateway-2")
    auth = _funded(first.url, "two@example.com")
    acknowledged: dict[str, str] = {}

    async def both() -> None:  # one player, two gateways, at once
        await asyncio.gather(
            _play(first.url, auth, [f"one-{i:04d}" for i in range(15)], acknowledged),
            _play(second.url, auth, [f"two-{i:04d}" for i in range(15)], acknowledged),
        )

    asyncio.run(both())
    assert len(acknowledged) == 30
    with httpx.Client(base_url=second.url, timeout=30) as http:  # a retry elsewhere: a replay
        again = http.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": STAKE},
            headers={**auth, "Idempotency-Key": "one-0000"},
        )
    assert again.status_code == 201 and again.json()["round_id"] == acknowledged["one-0000"]
    _check_once(first.url, auth, acknowledged)
    nonces = _nonces(second.url, auth, list(acknowledged.values()))
    assert len(set(nonces)) == len(nonces), "two rounds shared a nonce"
    verify(roles.database_url)


def test_a_writer_that_lost_its_lease_never_commits_again(roles: Roles) -> None:
    old = roles.writer("writer-a")
    wait_active(old)
    standby = roles.writer("writer-b")
    wait_standby(standby)
    gateway = roles.gateway("gateway-1")
    auth = _funded(gateway.url, "fence@example.com")
    acknowledged: dict[str, str] = {}
    asyncio.run(_play(gateway.url, auth, [f"before-{i:03d}" for i in range(5)], acknowledged))

    old.process.send_signal(signal.SIGSTOP)
    assert wait_active(standby) == 2
    asyncio.run(
        _play(gateway.url, auth, [f"after-{i:03d}" for i in range(10)], acknowledged, retries_max=5)
    )
    assert len(acknowledged) == 15
    old.process.send_signal(signal.SIGCONT)
    assert wait_exit(old) == 3, old.output()
    assert "writer fenced epoch=1" in old.output() or "writer stopped epoch=1" in old.output()
    asyncio.run(_play(gateway.url, auth, ["last-000"], acknowledged))  # the new one goes on
    _check_once(gateway.url, auth, acknowledged)
    verify(roles.database_url)


def test_a_gateway_without_a_writer_answers_503_with_retry_after(roles: Roles) -> None:
    roles.env["CROUPIER_LEDGER_DEADLINE_MS"] = "1000"
    writer = roles.writer("writer-1")
    wait_active(writer)
    gateway = roles.gateway("gateway-1")
    auth = _funded(gateway.url, "alone@example.com")
    writer.process.send_signal(signal.SIGTERM)  # a clean stop: no writer left
    assert wait_exit(writer) == 0, writer.output()

    with httpx.Client(base_url=gateway.url, timeout=30) as http:
        refused = http.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": STAKE},
            headers={**auth, "Idempotency-Key": "no-writer-01"},
        )
        assert refused.status_code == 503, refused.text
        assert refused.json()["type"].endswith("/ledger-unavailable")
        assert int(refused.headers["Retry-After"]) >= 1
        assert http.get("/readyz").status_code == 200  # reads still work
        assert http.get("/v1/wallet", headers=auth).json()["cash"] == DEPOSIT

    async def over_websocket() -> dict[str, Any]:
        token = auth["Authorization"].removeprefix("Bearer ")
        async with ws_client(gateway.url, token) as ws:
            request = {"type": "round.start", "request_id": "ws-no-writer", "game_id": "lotus-20"}
            return await ws.request({**request, "stake": STAKE}, timeout=30)

    answer = asyncio.run(over_websocket())
    assert answer["type"] == "error", answer
    assert answer["error"]["code"] == "ledger-unavailable" and answer["error"]["status"] == 503

    # A writer again: the refused round is played as if for the first time.
    replacement = roles.writer("writer-2")
    wait_active(replacement)
    acknowledged: dict[str, str] = {}
    asyncio.run(_play(gateway.url, auth, ["no-writer-01"], acknowledged, retries_max=5))
    _check_once(gateway.url, auth, acknowledged)
    verify(roles.database_url)


def test_a_retry_across_a_writer_failover_applies_each_round_once(roles: Roles) -> None:
    active = roles.writer("writer-a")
    wait_active(active)
    standby = roles.writer("writer-b")
    wait_standby(standby)
    gateway = roles.gateway("gateway-1")
    players = [_funded(gateway.url, f"load-{p}@example.com") for p in range(4)]
    acknowledged: list[dict[str, str]] = [{} for _ in players]

    async def load_then_kill() -> None:
        clients = [
            asyncio.create_task(
                _play(
                    gateway.url, auth, [f"k-{p}-{i:04d}" for i in range(40)], acked, retries_max=20
                )
            )
            for p, (auth, acked) in enumerate(zip(players, acknowledged, strict=True))
        ]
        while sum(map(len, acknowledged)) < 20:  # the load is under way
            assert not all(c.done() for c in clients)
            await asyncio.sleep(0.02)
        active.process.send_signal(signal.SIGKILL)
        await asyncio.gather(*clients)

    asyncio.run(load_then_kill())
    assert wait_active(standby) == 2
    for auth, acked in zip(players, acknowledged, strict=True):
        assert len(acked) == 40  # every round was acknowledged in the end, after retries
        _check_once(gateway.url, auth, acked)
    verify(roles.database_url)
