"""The WebSocket gateway against a real server process, with real WebSocket clients, on both
event streams (in-process and NATS JetStream): authenticate, subscribe, play, receive
ordered events; drop and resume with no gap or duplicate; refusals and closes; the jackpot
ticker; and a SIGKILL of the server mid-stream with nothing lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from picows import WSListener, WSMsgType, WSTransport, ws_connect

from tests.e2e.test_wallet_flow import PASSWORD, _register_and_login
from tests.support.nats import nats_stream_url, stream_for_module  # noqa: F401  (a fixture)
from tests.support.server import (
    free_port,
    running_server,
    scrape_metrics,
    start_server,
    stop,
    wait_ready,
)
from tests.support.ws import Client, ws_client

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(params=["memory", "nats"])
def stream_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    return str(request.getfixturevalue("nats_stream_url"))


def serving(database_url: str, stream_url: str, **env: str) -> Any:
    return running_server(database_url, CROUPIER_STREAM_URL=stream_url, **env)


@pytest.fixture
def server(tmp_path: Any, stream_url: str) -> Iterator[str]:
    with serving(f"sqlite:///{tmp_path}/ledger.db", stream_url) as base:
        yield base


#: Every test's players register and log in from 127.0.0.1 on the one shared server: the
#: per-address limits (10 registrations a minute by default) are for a real client's address.
SHARED_LIMITS = {
    "CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE": "10000",
    "CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "10000",
}


@pytest.fixture(scope="module", params=["memory", "nats"])
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One server per event stream for this module's tests that each play as a player of
    their own and read nothing another test changes (a start costs seconds; ``server``
    starts one per test, for a test that needs a server of its own)."""
    with contextlib.ExitStack() as stack:
        if request.param == "memory":
            stream = "memory://"
        else:
            stream = stack.enter_context(stream_for_module())
        database = tmp_path_factory.mktemp("realtime") / "ledger.db"
        yield stack.enter_context(serving(f"sqlite:///{database}", stream, **SHARED_LIMITS))


def _funded_player(base: str, email: str, deposit: int = 10_000) -> tuple[str, dict[str, str]]:
    with httpx.Client(base_url=base) as client:
        auth = _register_and_login(client, email)
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": deposit},
            headers={**auth, "Idempotency-Key": "first-deposit"},
        )
        assert paid.status_code == 201, paid.text
    return auth["Authorization"].removeprefix("Bearer "), auth


async def _spin(client: Client, key: str, stake: int = 100) -> dict[str, Any]:
    answer = await client.request(
        {"type": "round.start", "request_id": key, "game_id": "lotus-20", "stake": stake}
    )
    assert answer["type"] == "result", answer
    return dict(answer["data"])


def _seqs(events: list[dict[str, Any]]) -> list[int]:
    return [event["seq"] for event in events]


async def test_a_player_plays_and_receives_every_event_in_order(shared_server: str) -> None:
    token, auth = _funded_player(shared_server, "live@example.com")
    async with ws_client(shared_server, token) as client:
        subscribed = await client.request(
            {"type": "subscribe", "channel": "player", "after_seq": 0}
        )
        # The head is the stream's: the relay may not have published the deposit yet (a busy
        # machine), and then it arrives live, with the same seq: no gap either way.
        assert subscribed["type"] == "subscribed" and subscribed["head_seq"] in (0, 1)
        stream = subscribed["stream"]
        rounds = [await _spin(client, f"spin-{i:05d}") for i in range(3)]
        events = await client.wait_events(7, stream)
        assert _seqs(events) == list(range(1, 8))
        assert [e["type"] for e in events] == ["balance.changed"] + [
            "round.started",
            "round.settled",
        ] * 3
        assert events[0]["data"]["delta"] == 10_000
        settled = [e["data"] for e in events if e["type"] == "round.settled"]
        assert [s["round_id"] for s in settled] == [r["round_id"] for r in rounds]
        assert [s["win"] for s in settled] == [r["win"] for r in rounds]
        # the answer over WebSocket is the round the HTTP API recalls
        async with httpx.AsyncClient(base_url=shared_server, headers=auth) as http:
            recalled = (await http.get(f"/v1/rounds/{rounds[0]['round_id']}")).json()
        assert recalled == rounds[0]
        # the same request_id again is a replay of the same round, not a new one
        assert (await _spin(client, "spin-00000")) == rounds[0]


async def test_the_upgrade_request_may_carry_the_token(shared_server: str) -> None:
    token, _ = _funded_player(shared_server, "header@example.com")
    from websockets.asyncio.client import connect

    url = shared_server.replace("http://", "ws://") + "/v1/ws"
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"type": "subscribe", "channel": "player", "request_id": "s1"}))
        frames = [json.loads(await ws.recv()) for _ in range(2)]
    assert frames[0]["type"] == "authenticated"
    assert frames[1]["type"] == "subscribed" and frames[1]["request_id"] == "s1"


async def test_a_client_that_drops_and_resumes_misses_nothing_and_sees_nothing_twice(
    shared_server: str,
) -> None:
    token, auth = _funded_player(shared_server, "resume@example.com")
    async with ws_client(shared_server, token) as first:
        subscribed = await first.request({"type": "subscribe", "channel": "player", "after_seq": 0})
        stream = subscribed["stream"]
        for i in range(2):
            await _spin(first, f"before-{i:04d}")
        seen = await first.wait_events(5, stream)
    last_seq = seen[-1]["seq"]
    # meanwhile, the player goes on playing elsewhere (over HTTP)
    async with httpx.AsyncClient(base_url=shared_server, headers=auth) as http:
        for i in range(3):
            played = await http.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 100},
                headers={"Idempotency-Key": f"elsewhere-{i:04d}"},
            )
            assert played.status_code == 201
    async with ws_client(shared_server, token) as second:
        await second.request({"type": "subscribe", "channel": "player", "after_seq": last_seq})
        missed = await second.wait_events(6, stream)
        await _spin(second, "after-00001")
        everything = await second.wait_events(8, stream)
        await asyncio.sleep(0.3)  # anything extra (a duplicate) would have arrived by now
    assert _seqs(missed[:6]) == list(range(last_seq + 1, last_seq + 7))
    assert _seqs(second.events) == list(range(last_seq + 1, last_seq + 9))
    assert everything[-1]["type"] == "round.settled"


async def test_bad_messages_are_answered_then_the_connection_is_closed(shared_server: str) -> None:
    token, _ = _funded_player(shared_server, "garbage@example.com")
    async with ws_client(shared_server, token) as client:
        await client.send("this is not json")
        refused = await client.answer(None)
        assert refused["type"] == "error" and refused["error"]["code"] == "malformed-json"
        unknown = await client.request({"type": "teleport"})
        assert unknown["error"]["code"] == "unknown-type"
        await client.send({"type": "round.start", "game_id": "lotus-20", "stake": 100})
        no_key = await client.answer(None)  # a round needs its idempotency key
        assert no_key["error"]["code"] == "invalid-request"
        rich = {"type": "round.start", "request_id": "too-rich-01", "game_id": "lotus-20"}
        poor = await client.request({**rich, "stake": 10**9})
        assert poor["type"] == "error" and poor["error"]["status"] in (409, 422)
        for _ in range(10):
            await client.send("{garbage")
        code, reason = await client.closed()
    assert code == 1008 and "refused" in reason


async def test_unauthenticated_and_oversized_messages_close_the_connection(
    shared_server: str,
) -> None:
    async with ws_client(shared_server, auth=False) as anonymous:
        answer = await anonymous.request({"type": "subscribe", "channel": "lobby"})
        assert answer["error"]["code"] == "authentication-failed"
        assert (await anonymous.closed())[0] == 4401
    async with ws_client(shared_server, auth=False) as liar:
        answer = await liar.request({"type": "auth", "token": "not-a-session"})
        assert answer["type"] == "error" and (await liar.closed())[0] == 4401
    token, _ = _funded_player(shared_server, "big@example.com")
    async with ws_client(shared_server, token) as client:
        await client.send(json.dumps({"type": "ping", "padding": "x" * 20_000}))
        assert (await client.closed())[0] == 1009


async def test_the_jackpot_ticker_pushes_pool_values_coalesced(shared_server: str) -> None:
    token, _ = _funded_player(shared_server, "ticker@example.com", deposit=100_000)
    async with (
        ws_client(shared_server, token) as watcher,
        ws_client(shared_server, token) as player,
    ):
        await _spin(player, "seed-pool-01")  # the pool is opened on the game's first round
        await watcher.request({"type": "subscribe", "channel": "jackpots"})
        first = (await watcher.wait_events(1))[-1]
        pool = first["data"]["pools"][0]
        assert first["type"] == "jackpot.tick"
        assert (pool["game_id"], pool["currency"]) == ("lotus-20", "EUR")
        for i in range(20):
            await _spin(player, f"tick-spin-{i:03d}", stake=1000)  # 4 to the pool each
        await asyncio.sleep(0.6)
        ticks = watcher.events
    values = [t["data"]["pools"][0]["amount"] for t in ticks]
    assert values[-1] > values[0]  # every spin contributes to the pool
    assert values == sorted(values) and _seqs(ticks) == sorted(set(_seqs(ticks)))
    spread_s = (ticks[-1]["ts"] - ticks[1]["ts"]) / 1000 if len(ticks) > 2 else 1.0
    assert len(ticks) - 1 <= 1 + spread_s / 0.25 + 1  # at most one tick per 250 ms


class _Silent(WSListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.authenticated = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()

    def on_ws_frame(self, transport: WSTransport, frame: Any) -> None:
        if frame.msg_type == WSMsgType.TEXT and not self.authenticated.done():
            self.authenticated.set_result(frame.get_payload_as_bytes())
        if frame.msg_type == WSMsgType.CLOSE and not self.closed.done():
            self.closed.set_result(int(frame.get_close_code()))

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


# 100,000 pings for the server to parse and answer: at a load of 15 on 2 cores (a shared
# machine, pytest-xdist) that took the server more than the module's 120 s.
@pytest.mark.timeout(600)
async def test_a_client_that_does_not_read_is_disconnected_as_a_slow_consumer(
    tmp_path: Any, stream_url: str
) -> None:
    limits = {
        "CROUPIER_WS_SEND_BUFFER_BYTES_MAX": str(16 * 1024),
        "CROUPIER_WS_MESSAGES_PER_S": "100000",
        "CROUPIER_WS_MESSAGES_BURST": "100000",
    }
    with serving(f"sqlite:///{tmp_path}/ledger.db", stream_url, **limits) as base:
        token, _ = _funded_player(base, "slow@example.com")
        url = base.replace("http://", "ws://") + "/v1/ws"
        transport, listener = await ws_connect(
            _Silent, url, extra_headers={"Authorization": f"Bearer {token}"}
        )
        await asyncio.wait_for(listener.authenticated, 10)
        transport.underlying_transport.pause_reading()  # a client that stopped reading
        ping = json.dumps({"type": "ping", "request_id": "p" * 64}).encode()
        # Pongs (about 100 bytes each) until the server gives up on us: the kernel's socket
        # buffers absorb the first megabytes, as many as its autotuning allows (tcp_rmem's
        # maximum here is 32 MB), so a fixed amount would pass or fail with the machine.
        # The server's count says when it closed; a deadline, and a bound of 100 MB.
        deadline = time.monotonic() + 240
        for _ in range(1000):
            for _ in range(1000):
                transport.send(WSMsgType.TEXT, ping)
            await asyncio.sleep(0.005)
            if await asyncio.to_thread(_closed_as_slow_consumer, base):
                break
            assert time.monotonic() < deadline, "the server never closed the unread socket"
        transport.underlying_transport.resume_reading()
        code = await asyncio.wait_for(listener.closed, 300)  # a deadline, not a sleep
        transport.disconnect()
        metrics = scrape_metrics(base)
        healthy = httpx.get(f"{base}/healthz").status_code
    # The close frame is best effort: it queues behind the unread pongs, and the socket's
    # reset may discard it. The server's count says why it closed the connection.
    assert code in (4408, None)
    assert 'croupier_ws_closes_total{reason="slow-consumer"} 1.0' in metrics
    assert healthy == 200


def _closed_as_slow_consumer(base: str) -> bool:
    return 'croupier_ws_closes_total{reason="slow-consumer"} 1.0' in scrape_metrics(base)


async def test_a_server_killed_mid_stream_loses_no_event(tmp_path: Any, stream_url: str) -> None:
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    with tempfile.TemporaryFile() as log:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_server(database_url, port, log, CROUPIER_STREAM_URL=stream_url)
        try:
            wait_ready(base, process, log)
            token, auth = _funded_player(base, "killed@example.com", deposit=1_000_000)
            acknowledged: list[str] = []
            async with ws_client(base, token) as client:
                subscribed = await client.request(
                    {"type": "subscribe", "channel": "player", "after_seq": 0}
                )
                stream = subscribed["stream"]
                async with httpx.AsyncClient(base_url=base, headers=auth) as http:

                    async def play_until_killed(worker: int) -> None:
                        for i in range(1000):
                            try:
                                played = await http.post(
                                    "/v1/games/lotus-20/rounds",
                                    json={"stake": 100},
                                    headers={"Idempotency-Key": f"kill-{worker}-{i:05d}"},
                                )
                            except httpx.TransportError:
                                return
                            if played.status_code == 201:
                                acknowledged.append(played.json()["round_id"])

                    players = [asyncio.create_task(play_until_killed(w)) for w in range(4)]
                    await client.wait_events(20, stream, timeout=30)
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    await asyncio.gather(*players)
                seen_before = list(client.events)
        finally:
            stop(process)
        assert acknowledged, "no round was acknowledged before the kill"
        process = start_server(database_url, port, log, CROUPIER_STREAM_URL=stream_url)
        try:
            wait_ready(base, process, log)
            last_seq = seen_before[-1]["seq"]
            async with ws_client(base, token) as client:
                subscribed = await client.request(
                    {"type": "subscribe", "channel": "player", "after_seq": last_seq}
                )
                head = subscribed["head_seq"]
                rest = await client.wait_events(head - last_seq, stream) if head > last_seq else []
        finally:
            stop(process)
    everything = seen_before + rest
    assert _seqs(everything) == list(range(1, head + 1))  # no gap, no duplicate
    settled = {e["data"]["round_id"] for e in everything if e["type"] == "round.settled"}
    assert set(acknowledged) <= settled  # every acknowledged round's event is there


def test_the_example_client_in_the_docs_resumes_without_a_gap(shared_server: str) -> None:
    _funded_player(shared_server, "example@example.com")
    script = Path(__file__).resolve().parents[2] / "docs" / "examples" / "realtime_client.py"
    result = subprocess.run(
        [sys.executable, str(script), shared_server, "example@example.com", PASSWORD],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    resumed = lines.index("-- resuming after seq 7")
    assert [line.split()[1] for line in lines[resumed:] if line.startswith("event")] == ["8", "9"]


async def test_a_connection_that_stops_answering_pings_is_closed(
    tmp_path: Any, stream_url: str
) -> None:
    with serving(f"sqlite:///{tmp_path}/l.db", stream_url, CROUPIER_WS_HEARTBEAT_S="1") as base:
        token, _ = _funded_player(base, "dead@example.com")
        url = base.replace("http://", "ws://") + "/v1/ws"
        transport, listener = await ws_connect(
            _Silent,
            url,
            extra_headers={"Authorization": f"Bearer {token}"},
            enable_auto_pong=False,  # a client whose network went away
        )
        await asyncio.wait_for(listener.authenticated, 10)
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(listener.closed, 10)
        waited = asyncio.get_running_loop().time() - started
        transport.disconnect()
    assert 1 <= waited < 5  # a ping after 1 s of silence, then 1 s to answer


async def test_a_connection_over_the_message_rate_is_refused_then_closed(
    tmp_path: Any, stream_url: str
) -> None:
    from websockets.exceptions import ConnectionClosed

    budget = {"CROUPIER_WS_MESSAGES_PER_S": "1", "CROUPIER_WS_MESSAGES_BURST": "5"}
    with serving(f"sqlite:///{tmp_path}/l.db", stream_url, **budget) as base:
        token, _ = _funded_player(base, "flood@example.com")
        async with ws_client(base, auth=False) as client:
            for i in range(8):  # auth and 4 pings fit the burst of 5; 3 are refused
                message = {"type": "auth", "token": token} if i == 0 else {"type": "ping"}
                await client.send({**message, "request_id": f"flood-{i:03d}"})
            await client.answer("flood-007")
            refused = [a for answers in client.answers.values() for a in answers if "error" in a]
            with contextlib.suppress(ConnectionClosed):  # flat out until the server closes
                for i in range(8, 20_000):
                    await client.send({"type": "ping", "request_id": f"flood-{i:03d}"})
            code, reason = await client.closed()
        metrics = scrape_metrics(base)
    assert [a["request_id"] for a in refused] == ["flood-005", "flood-006"]  # 007 was awaited
    assert all(a["error"]["code"] == "rate-limited" for a in refused)
    # a close frame, not a dropped socket: the client keeps sending, the server reads on
    assert code == 4429 and "refused" in reason, (code, reason)
    assert 'croupier_ws_closes_total{reason="rate-limited"} 1.0' in metrics


async def test_subscription_changes_apply_in_the_order_sent(shared_server: str) -> None:
    """Subscribe, unsubscribe, subscribe … in one breath: answers in the order sent, nothing
    of a subscription after its ``unsubscribed``, and the last one live without a gap."""
    token, _ = _funded_player(shared_server, "fickle@example.com")
    async with ws_client(shared_server, token) as player:
        for i in range(3):
            await _spin(player, f"fickle-spin-{i}")
    async with ws_client(shared_server, token) as client:
        subscribe = {"type": "subscribe", "channel": "player", "after_seq": 0}
        unsubscribe = {"type": "unsubscribe", "channel": "player"}
        for n, message in enumerate([subscribe, unsubscribe] * 2):
            await client.send({**message, "request_id": f"change-{n}"})
        last = await client.request({"type": "subscribe", "channel": "player"})
        answers = [f for f in client.frames if f.get("request_id", "").startswith("change-")]
        assert [a["type"] for a in answers] == ["subscribed", "unsubscribed"] * 2
        for i, frame in enumerate(client.frames[:-1]):
            if frame["type"] == "unsubscribed":  # next comes an answer, not an event
                assert "request_id" in client.frames[i + 1], client.frames[i + 1]
        head = last["head_seq"]
        assert head >= 6  # three rounds, each started and settled
        await _spin(client, "fickle-spin-after")

        def fresh() -> list[dict[str, Any]]:
            return [e for e in client.frames[client.frames.index(last) + 1 :] if "seq" in e]

        async with asyncio.timeout(10):
            while len(fresh()) < 2:
                await asyncio.sleep(0.02)
        assert _seqs(fresh())[:2] == [head + 1, head + 2]
        assert len(set(_seqs(fresh()))) == len(fresh())


async def test_sessions_and_authentication_deadlines_end_connections(tmp_path: Any) -> None:
    """A connection that only listens still ends with its session; one that never
    authenticates is closed after its deadline."""
    limits = {"CROUPIER_WS_SESSION_CHECK_S": "1", "CROUPIER_WS_AUTH_DEADLINE_S": "1"}
    with serving(f"sqlite:///{tmp_path}/ledger.db", "memory://", **limits) as base:
        token, auth = _funded_player(base, "leaver@example.com")
        async with ws_client(base, token) as listener, ws_client(base, auth=False) as silent:
            subscribed = await listener.request({"type": "subscribe", "channel": "player"})
            assert subscribed["type"] == "subscribed"
            assert (await silent.closed(timeout=10))[0] == 4401
            await asyncio.sleep(2.5)  # its session was checked again meanwhile, and holds
            assert (await listener.request({"type": "ping"}))["type"] == "pong"
            logout = httpx.delete(f"{base}/v1/sessions/current", headers=auth)
            assert logout.status_code == 204
            code, reason = await listener.closed(timeout=10)
    assert code == 1008 and "session" in reason  # pushed at once: a policy close
