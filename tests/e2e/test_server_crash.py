"""SIGKILL the server in the middle of a burst of rounds, restart it, and check that nothing
was lost or paid twice: every acknowledged round is in the recall, every round a client sent
without an answer is settled (its retry returns it) or never started, the wallet equals the
sum of the recorded rounds, and the ledger verifies."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
import time

import httpx

from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.server import free_port, start_server, wait_ready

CLIENTS = 8
DEPOSIT = 1_000_000


async def _burst(
    base: str, auth: dict[str, str], acknowledged: dict[str, str], sent: list[str]
) -> None:
    async def client(c: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            for k in range(10_000):
                key = f"burst-{c}-{k:05d}"
                sent.append(key)
                response = await http.post(
                    "/v1/games/lotus-20/rounds",
                    json={"stake": 100},
                    headers={**auth, "Idempotency-Key": key},
                )
                if response.status_code == 201:
                    acknowledged[key] = response.json()["round_id"]

    await asyncio.gather(*(client(c) for c in range(CLIENTS)), return_exceptions=True)


def test_sigkill_mid_burst_loses_nothing(database_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged: dict[str, str] = {}
    sent: list[str] = []
    with tempfile.TemporaryFile() as log:
        server = start_server(database_url, port, log)
        wait_ready(base, server, log)
        with httpx.Client(base_url=base) as http:
            auth = _register_and_login(http, "burst@example.com")
            assert (
                http.post(
                    "/v1/wallet/deposits",
                    json={"amount": DEPOSIT},
                    headers={**auth, "Idempotency-Key": "burst-deposit"},
                ).status_code
                == 201
            )

        async def burst_then_kill() -> None:
            task = asyncio.create_task(_burst(base, auth, acknowledged, sent))
            deadline = time.monotonic() + 20
            while len(acknowledged) < 40 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            server.send_signal(signal.SIGKILL)
            await task

        asyncio.run(burst_then_kill())
        server.wait()
        assert len(acknowledged) >= 40, "the burst was too small to prove anything"

        server = start_server(database_url, port, log)  # the restart runs recovery first
        try:
            wait_ready(base, server, log)
            with httpx.Client(base_url=base) as http:
                auth = _register_and_login_again(http)
                for key, round_id in acknowledged.items():
                    recalled = http.get(f"/v1/rounds/{round_id}", headers=auth)
                    assert recalled.status_code == 200 and recalled.json()["status"] == "settled", (
                        key
                    )
                for key in sent:  # a retry of every request returns a settled round, once
                    retry = http.post(
                        "/v1/games/lotus-20/rounds",
                        json={"stake": 100},
                        headers={**auth, "Idempotency-Key": key},
                    )
                    assert retry.status_code == 201 and retry.json()["status"] == "settled", key
                    if key in acknowledged:
                        assert retry.json()["round_id"] == acknowledged[key]
                rounds = _all_rounds(http, auth)
                assert len(rounds) == len(set(sent))
                wallet = http.get("/v1/wallet", headers=auth).json()
                assert wallet["pending"] == 0
                assert wallet["cash"] == DEPOSIT - sum(r["stake"] for r in rounds) + sum(
                    r["win"] for r in rounds
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)
    verify = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _register_and_login_again(http: httpx.Client) -> dict[str, str]:
    session = http.post(
        "/v1/sessions",
        json={"email": "burst@example.com", "password": "correct horse battery staple"},
    )
    assert session.status_code == 201, session.text
    return {"Authorization": f"Bearer {session.json()['token']}"}


def _all_rounds(http: httpx.Client, auth: dict[str, str]) -> list[dict[str, int]]:
    rounds: list[dict[str, int]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = http.get("/v1/rounds", params=params, headers=auth).json()
        rounds += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rounds
