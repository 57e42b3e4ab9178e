"""Responsible gambling through the public API of a real server, with a real WebSocket
client: a self-excluded player is refused everywhere (their open WebSocket closes at once, a
new one, a login, a round, a deposit are refused) but can still withdraw; limits answer
with their problem types."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.test_realtime import _funded_player, _spin
from tests.e2e.test_wallet_flow import PASSWORD
from tests.support.server import running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(180)


async def test_a_self_excluded_player_is_refused_everywhere(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path}/ledger.db") as base:
        email = "gone@example.com"
        token, auth = _funded_player(base, email, deposit=50_00)
        async with ws_client(base, token) as client:
            await _spin(client, "before-exclusion-1")
            async with httpx.AsyncClient(base_url=base) as http:
                bad = await http.post("/v1/self-exclusion", json={"months": 2}, headers=auth)
                assert bad.status_code == 422, bad.text
                excluded = await http.post("/v1/self-exclusion", json={"months": 6}, headers=auth)
                assert excluded.status_code == 201, excluded.text
                assert excluded.json()["kind"] == "self-exclusion"
            code, reason = await client.closed(timeout=10)  # ended at once, not at a sweep
            assert (code, reason) == (1008, "the session was revoked")

        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/v1/wallet", headers=auth)).status_code == 401
            login = await http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
            assert login.status_code == 403, login.text
            assert login.json()["type"].endswith("self-excluded")
            restricted = await http.post(
                "/v1/sessions",
                json={"email": email, "password": PASSWORD, "withdraw_only": True},
            )
            assert restricted.status_code == 201, restricted.text
            only = {"Authorization": f"Bearer {restricted.json()['token']}"}
            spin = await http.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 100},
                headers={**only, "Idempotency-Key": "excluded-spin-1"},
            )
            assert spin.status_code == 403 and spin.json()["type"].endswith("self-excluded")
            deposit = await http.post(
                "/v1/wallet/deposits",
                json={"amount": 10_00},
                headers={**only, "Idempotency-Key": "excluded-deposit-1"},
            )
            assert deposit.status_code == 403, deposit.text
            balance = (await http.get("/v1/wallet", headers=only)).json()["cash"]
            withdrawal = await http.post(
                "/v1/wallet/withdrawals",
                json={"amount": balance},
                headers={**only, "Idempotency-Key": "excluded-withdraw-1"},
            )
            assert withdrawal.status_code == 201, withdrawal.text
            assert (await http.get("/v1/wallet", headers=only)).json()["cash"] == 0
            limits = (await http.get("/v1/limits", headers=only)).json()
            assert limits["exclusion"]["kind"] == "self-exclusion"

        # no WebSocket for the restricted session either
        async with ws_client(base, None) as client:
            refused = await client.request({"type": "auth", "token": restricted.json()["token"]})
            assert refused["type"] == "error", refused
            assert (refused["error"]["code"], refused["error"]["status"]) == ("self-excluded", 403)
            await client.closed(timeout=10)


async def test_limits_over_http(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path}/ledger.db") as base:
        _, auth = _funded_player(base, "limits@example.com", deposit=10_00)
        async with httpx.AsyncClient(base_url=base) as http:
            put = await http.put(
                "/v1/limits",
                json={"deposit": {"daily": 15_00}, "wager": {"weekly": 100}},
                headers=auth,
            )
            assert put.status_code == 200, put.text
            assert put.json()["deposit"]["daily"]["value"] == 15_00
            raised = await http.put("/v1/limits", json={"deposit": {"daily": 20_00}}, headers=auth)
            body = raised.json()["deposit"]["daily"]
            assert body["value"] == 15_00 and body["pending"] == 20_00 and body["pending_from"]
            over = await http.post(
                "/v1/wallet/deposits",
                json={"amount": 6_00},
                headers={**auth, "Idempotency-Key": "over-limit-1"},
            )
            assert over.status_code == 409 and over.json()["type"].endswith("deposit-limit")
            spins = []
            for i in range(2):
                spins.append(
                    await http.post(
                        "/v1/games/lotus-20/rounds",
                        json={"stake": 100},
                        headers={**auth, "Idempotency-Key": f"wager-spin-{i}"},
                    )
                )
            assert spins[0].status_code == 201, spins[0].text
            assert spins[1].status_code == 409 and spins[1].json()["type"].endswith("wager-limit")
            unknown = await http.put("/v1/limits", json={"bets": {"daily": 1}}, headers=auth)
            assert unknown.status_code == 422
        token = auth["Authorization"].removeprefix("Bearer ")
        async with ws_client(base, token) as client:  # the WebSocket's acknowledgement
            none = await client.request({"type": "reality.ack"})
            assert none["type"] == "error", none
            assert (none["error"]["code"], none["error"]["status"]) == ("state-conflict", 409)
