"""A real server on shared state (``CROUPIER_STATE_URL=redis://…``), with a second gateway
played by the test through the same Redis adapters: what the other gateway counted, this
server counts too. A player's connections there take slots from its cap here; failed logins
there lock the account here. (Two server processes cannot share one database yet: the
ledger's writer lock; see tests/integration/test_shared_state_gateways.py.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from croupier.adapters.state.connection import connect_state
from croupier.adapters.state.jackpots import RedisJackpotDisplay
from croupier.adapters.state.login_limiter import RedisLoginLimiter
from croupier.adapters.state.presence import RedisPlayerConnections
from croupier.services.accounts import AccountLimits, account_rate_key, ip_rate_key
from tests.e2e.test_realtime import _funded_player, serving
from tests.e2e.test_wallet_flow import PASSWORD
from tests.support.redis import STATE_SECRET, redis_state_url  # noqa: F401  (a fixture)
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def state_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("redis_state_url"))


@pytest.fixture
def server(tmp_path: Any, state_url: str) -> Any:
    caps = {
        "CROUPIER_STATE_URL": state_url,
        "CROUPIER_STATE_SECRET": STATE_SECRET,
        "CROUPIER_WS_CONNECTIONS_PER_PLAYER_MAX": "2",
    }
    with serving(f"sqlite:///{tmp_path}/ledger.db", "memory://", **caps) as base:
        yield base


@pytest.fixture
async def other_gateway(state_url: str) -> AsyncIterator[Any]:
    state = connect_state(state_url)
    try:
        yield state
    finally:
        await state.close()


async def test_a_players_connections_on_another_gateway_count_here(
    server: str, other_gateway: Any
) -> None:
    token, _ = _funded_player(server, "tabs@example.com")
    elsewhere = RedisPlayerConnections(other_gateway)
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(ws_client(server, auth=False))
        answer = await first.request({"type": "auth", "token": token})
        player_id = answer["player_id"]
        assert await elsewhere.count(player_id) == 1
        assert await elsewhere.take(player_id, "other-gateway:1", 2)  # the cap is 2: full

        second = await stack.enter_async_context(ws_client(server, auth=False))
        refused = await second.request({"type": "auth", "token": token})
        assert refused["error"]["code"] == "too-many-connections", refused
        assert (await second.closed())[0] == 4429

        await elsewhere.release(player_id, "other-gateway:1")
        async with ws_client(server, token):  # authenticated: the slot was freed there
            assert await elsewhere.count(player_id) == 2
    async with asyncio.timeout(10):  # every close gives its slot back
        while await elsewhere.count(player_id):
            await asyncio.sleep(0.02)


async def test_failed_logins_on_another_gateway_lock_the_account_here(
    server: str, other_gateway: Any
) -> None:
    _funded_player(server, "locked@example.com")
    elsewhere = RedisLoginLimiter(other_gateway, AccountLimits(), STATE_SECRET.encode())
    # The same client (127.0.0.1, where the account last logged in), sent to the other
    # gateway by the load balancer, mistypes its password there.
    key = {"ip": ip_rate_key("127.0.0.1"), "account": account_rate_key("locked@example.com")}
    for _ in range(AccountLimits().login_failures_max):
        await elsewhere.admit(**key, now_s=time.time())
        await elsewhere.record_failure(**key, now_s=time.time())
    async with httpx.AsyncClient(base_url=server) as client:
        login = await client.post(
            "/v1/sessions", json={"email": "locked@example.com", "password": PASSWORD}
        )
    assert login.status_code == 429, login.text
    assert login.json()["type"].endswith("too-many-attempts")
    assert int(login.headers["Retry-After"]) > 800


async def test_the_jackpot_values_are_kept_for_other_gateways(
    server: str, other_gateway: Any
) -> None:
    _, auth = _funded_player(server, "spins@example.com")
    async with httpx.AsyncClient(base_url=server) as client:
        spun = await client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "first-spin"},
        )
        assert spun.status_code in (200, 201), spun.text
        shown = (await client.get("/v1/jackpots")).json()["items"]
    display = RedisJackpotDisplay(other_gateway)
    async with asyncio.timeout(10):  # a spin feeds the pool: its tick goes out at once
        while (kept := await display.latest()) is None or json.loads(kept.data_json)[
            "pools"
        ] != shown:
            await asyncio.sleep(0.02)
