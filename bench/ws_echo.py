"""WebSocket echo benchmark: picks our server stack by measurement, not by reputation.

    .venv/bin/python bench/ws_echo.py [--seconds 5] [--connections 100] [--stacks a,b] [--json]
                                      [--idle 2000]

Each stack runs an echo server in its own process on 127.0.0.1; one load generator, the same
for every stack, runs in another process: a picows client holding C connections, each in a
closed loop (send a ~150-byte JSON text frame, wait for its echo, send again) for S seconds
after a short warm-up. Prints round trips/s, p50/p99 latency, the CPU used by the server and
the client (a client near 100% means the client, not the server, is the ceiling) and, with
--idle N, the server's RSS cost per idle connection. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import resource
import socket
import subprocess
import sys
import time
import warnings
from typing import Any

import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect, ws_create_server

# Every stack runs on uvloop; the uvicorn ones use httptools and differ only in the ws layer.
STACKS = {
    "picows": None,
    "uvicorn-websockets": "websockets",  # deprecated in uvicorn 0.54 for websockets-sansio
    "uvicorn-websockets-sansio": "websockets-sansio",
    "uvicorn-wsproto": "wsproto",
}
WARMUP_S = 1.0
# A plausible client message (~150 bytes): a bet on a roulette round.
MESSAGE = json.dumps(
    {
        "type": "bet",
        "request_id": "0f8e4b2a-6c1d-4e7f-9a3b-5d2c8e1f4a6b",
        "game": "roulette",
        "round": 1234567,
        "stake": "10.00",
        "currency": "EUR",
        "selection": {"kind": "straight", "number": 17},
    },
    separators=(",", ":"),
).encode()


def available(stack: str) -> bool:
    """Whether the installed packages can run this stack."""
    ws = STACKS[stack]
    if ws is None or ws == "websockets":
        return True
    from uvicorn.config import WS_PROTOCOLS

    return ws in WS_PROTOCOLS and importlib.util.find_spec(ws.split("-")[0]) is not None


def raise_fd_limit() -> None:
    """Allow as many sockets as the hard limit does (--idle opens thousands)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


# --- servers (each in its own process; prints its port on stdout once it accepts) ---


class EchoListener(WSListener):
    """picows server side: sends every text frame back as it came."""

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT:
            transport.send(WSMsgType.TEXT, frame.get_payload_as_memoryview())
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()


async def serve_picows() -> None:
    server = await ws_create_server(lambda _request: EchoListener(), "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def serve_uvicorn(ws: str) -> None:
    import uvicorn

    warnings.filterwarnings("ignore", "The `websockets` implementation is deprecated")
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            pass

    app = Starlette(routes=[WebSocketRoute("/", echo)])
    config = uvicorn.Config(
        app, loop="uvloop", http="httptools", ws=ws, lifespan="off", log_level="warning"
    )
    # Bind and listen ourselves so the port is known (and connectable) before uvicorn starts.
    sock = socket.create_server(("127.0.0.1", 0), backlog=config.backlog)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(config).run(sockets=[sock])


# --- load generator (its own process; prints one JSON object on stdout) ---


class Run:
    """What all client connections share: latencies of the measured window, and a stop flag."""

    latencies: list[int] | None = None  # ns per round trip; None outside the window
    stopped = False
    bad_echoes = 0


class ClosedLoopClient(WSListener):
    """One connection: sends the message, waits for its echo, records the latency, repeats."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.transport: WSTransport | None = None
        self.sent_ns = 0

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def send(self) -> None:
        assert self.transport is not None
        self.sent_ns = time.perf_counter_ns()
        self.transport.send(WSMsgType.TEXT, MESSAGE)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type != WSMsgType.TEXT:
            return
        elapsed = time.perf_counter_ns() - self.sent_ns
        if frame.payload_size != len(MESSAGE):
            self.run.bad_echoes += 1
        if self.run.latencies is not None:
            self.run.latencies.append(elapsed)
        if not self.run.stopped:
            self.send()


async def connect_all(url: str, n: int, factory: Any, batch: int = 200) -> list[WSTransport]:
    """Opens n connections, batch at a time so as not to overflow the listen backlog."""
    transports = []
    for start in range(0, n, batch):
        count = min(batch, n - start)
        pairs = await asyncio.gather(*(ws_connect(factory, url) for _ in range(count)))
        transports += [transport for transport, _ in pairs]
    return transports


async def close_all(transports: list[WSTransport]) -> None:
    for transport in transports:
        transport.send_close()
        transport.disconnect()
    await asyncio.wait_for(asyncio.gather(*(t.wait_disconnected() for t in transports)), 10)


async def drive(url: str, server_pid: int, seconds: float, connections: int, idle: int) -> dict:
    result: dict[str, Any] = {}
    if idle:
        # Idle cost first, while the server is fresh: RSS before and after opening `idle`
        # connections that never send anything.
        before = rss_kib(server_pid)
        idlers = await connect_all(url, idle, WSListener)
        await asyncio.sleep(1.0)  # let the server finish whatever each accept set off
        result["idle_kib_per_conn"] = (rss_kib(server_pid) - before) / idle
        await close_all(idlers)

    run = Run()
    clients: list[ClosedLoopClient] = []

    def new_client() -> ClosedLoopClient:
        clients.append(ClosedLoopClient(run))
        return clients[-1]

    transports = await connect_all(url, connections, new_client)
    for client in clients:
        client.send()
    await asyncio.sleep(WARMUP_S)

    run.latencies = []
    t0, server_cpu0, client_cpu0 = time.perf_counter(), cpu_seconds(server_pid), time.process_time()
    await asyncio.sleep(seconds)
    latencies, run.latencies = run.latencies, None
    elapsed = time.perf_counter() - t0
    server_cpu = cpu_seconds(server_pid) - server_cpu0
    client_cpu = time.process_time() - client_cpu0
    run.stopped = True
    await asyncio.sleep(0.2)  # let the last round trips land before closing
    await close_all(transports)

    latencies.sort()

    def percentile_ms(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] / 1e6

    return result | {
        "round_trips": len(latencies),
        "round_trips_per_s": len(latencies) / elapsed,
        "p50_ms": percentile_ms(0.50),
        "p99_ms": percentile_ms(0.99),
        "server_cpu_pct": 100 * server_cpu / elapsed,
        "client_cpu_pct": 100 * client_cpu / elapsed,
        "bad_echoes": run.bad_echoes,
    }


# --- orchestration ---


def bench_stack(stack: str, args: argparse.Namespace) -> dict:
    """Starts the stack's server, runs the load generator against it, stops the server."""
    me = [sys.executable, os.path.abspath(__file__)]
    server = subprocess.Popen([*me, "--serve", stack], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        command = [
            *me,
            "--drive",
            f"ws://127.0.0.1:{port}/",
            "--server-pid",
            str(server.pid),
            "--seconds",
            str(args.seconds),
            "--connections",
            str(args.connections),
            "--idle",
            str(args.idle),
        ]
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        return {"stack": stack} | json.loads(out)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def print_table(results: list[dict]) -> None:
    header = f"{'stack':<26} {'round trips/s':>13} {'p50 ms':>7} {'p99 ms':>7} {'srv CPU':>7}"
    header += f" {'cli CPU':>7} {'idle KiB/conn':>13}"
    print(header)
    for r in results:
        idle = f"{r['idle_kib_per_conn']:.1f}" if "idle_kib_per_conn" in r else "-"
        print(
            f"{r['stack']:<26} {r['round_trips_per_s']:>13,.0f} {r['p50_ms']:>7.2f}"
            f" {r['p99_ms']:>7.2f} {r['server_cpu_pct']:>6.0f}% {r['client_cpu_pct']:>6.0f}%"
            f" {idle:>13}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured window per stack")
    parser.add_argument("--connections", type=int, default=100, help="concurrent connections")
    parser.add_argument("--stacks", default=",".join(STACKS), help="comma-separated subset")
    parser.add_argument("--idle", type=int, default=0, help="also measure RSS of N idle conns")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    # Internal: how this script runs its own server and load-generator processes.
    parser.add_argument("--serve", choices=STACKS, help=argparse.SUPPRESS)
    parser.add_argument("--drive", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve or args.drive:
        raise_fd_limit()
    if args.serve == "picows":
        uvloop.run(serve_picows())
    elif args.serve:
        serve_uvicorn(STACKS[args.serve])
    elif args.drive:
        coro = drive(args.drive, args.server_pid, args.seconds, args.connections, args.idle)
        print(json.dumps(uvloop.run(coro)))
    else:
        stacks = args.stacks.split(",")
        unknown = [s for s in stacks if s not in STACKS]
        if unknown:
            parser.error(f"unknown stacks {unknown}; known: {', '.join(STACKS)}")
        for s in stacks:
            if not available(s):
                print(f"skipping {s}: not supported by the installed packages", file=sys.stderr)
        results = [bench_stack(s, args) for s in stacks if available(s)]
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            print_table(results)


if __name__ == "__main__":
    main()
