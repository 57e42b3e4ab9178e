"""The ledger benchmark with the writer in a process of its own and the producers in this one.

    PYTHONPATH=. .venv/bin/python bench/ledger_writer_process.py [SECONDS] [PRODUCERS]

An experiment for the scale-out shape (gateways as clients of the one ledger writer), to size
what a second process buys on two cores before building it properly: the same settlements
as ``croupier bench ledger`` (SQLite, durable), but each request and answer crosses a Unix
socket, many to a frame. Frames are length-prefixed pickles, acceptable only because both
ends are this script; a product protocol would be explicit. Prints settlements/s, request
latency, each process's CPU per settlement, and whether ``ledger verify`` passes.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvloop

from croupier.benchmarks.ledger import _closed_loop, _prepare, _Samples
from croupier.bootstrap import make_store
from croupier.domain.errors import CroupierError
from croupier.domain.ledger import Applied, Command
from croupier.services.ledger import LedgerWriter, verify_ledger

Frame = list[tuple[int, Any, Any]]


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    size = int.from_bytes(await reader.readexactly(4), "big")
    return pickle.loads(await reader.readexactly(size))


def _frame(payload: object) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(4, "big") + data


class _Outbox:
    """Everything to send in this turn of the loop goes out in one frame."""

    def __init__(self, stream: asyncio.StreamWriter) -> None:
        self.stream = stream
        self.items: list[Any] = []
        self.loop = asyncio.get_running_loop()

    def put(self, item: Any) -> None:
        if not self.items:
            self.loop.call_soon(self._flush)
        self.items.append(item)

    def _flush(self) -> None:
        items, self.items = self.items, []
        self.stream.write(_frame(items))


# -- the writer's process -----------------------------------------------------------------
async def serve(socket_path: str, database: str) -> None:
    store = make_store(f"sqlite:///{database}")
    await store.open(writer=True)
    writer = LedgerWriter(store)
    await writer.start()

    async def connection(reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        outbox = _Outbox(stream)
        answering: set[asyncio.Future[None]] = set()

        async def answer(request_id: int, commands: Sequence[Command]) -> None:
            try:
                outbox.put((request_id, True, await writer.submit(commands)))
            except CroupierError as refusal:
                outbox.put((request_id, False, refusal))

        while True:
            try:
                requests = await _read_frame(reader)
            except asyncio.IncompleteReadError:
                break
            for request_id, commands in requests:
                task = asyncio.ensure_future(answer(request_id, commands))
                answering.add(task)  # held until done: the loop keeps only weak references
                task.add_done_callback(answering.discard)

    server = await asyncio.start_unix_server(connection, socket_path)
    print("ready", flush=True)
    async with server:
        await asyncio.sleep(3600)


# -- the producers' process ---------------------------------------------------------------
class RemoteWriter:
    """``submit`` as the ledger has it, over the socket."""

    def __init__(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        self.outbox = _Outbox(stream)
        self.waiting: dict[int, asyncio.Future[Applied]] = {}
        self.next_id = 0
        self.reading = asyncio.ensure_future(self._read(reader))

    async def submit(self, commands: Sequence[Command]) -> Applied:
        self.next_id += 1
        future: asyncio.Future[Applied] = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        self.outbox.put((self.next_id, list(commands)))
        return await future

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            answers: Frame = await _read_frame(reader)
            for request_id, ok, payload in answers:
                future = self.waiting.pop(request_id)
                if ok:
                    future.set_result(payload)
                else:
                    future.set_exception(payload)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(seconds: float, producers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="croupier-writer-process-") as directory:
        socket_path, database = f"{directory}/writer.sock", f"{directory}/ledger.db"
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", socket_path, database],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            reader, stream = await asyncio.open_unix_connection(socket_path)
            remote = RemoteWriter(reader, stream)
            await _prepare(remote, producers)  # type: ignore[arg-type]
            samples = _Samples([], [])
            child_cpu, own_cpu = _cpu_s(child.pid), time.process_time()
            started = time.perf_counter()
            settlements = await _closed_loop(
                remote,  # type: ignore[arg-type]
                producers,
                "remote",
                started + seconds,
                samples,
            )
            elapsed = time.perf_counter() - started
            child_cpu, own_cpu = _cpu_s(child.pid) - child_cpu, time.process_time() - own_cpu
            remote.reading.cancel()
            stream.close()
        finally:
            child.terminate()
            child.wait()
        store = make_store(f"sqlite:///{database}")
        await store.open(writer=False)
        report = await verify_ledger(store)
        await store.close()
    cuts = statistics.quantiles(samples.requests, n=100)
    print(
        f"{settlements / elapsed:,.0f} settlements/s over {producers} producers, "
        f"request p50 {cuts[49] * 1e3:.1f} / p99 {cuts[98] * 1e3:.1f} ms; CPU per settlement: "
        f"writer process {child_cpu / settlements * 1e6:.0f} µs, producers "
        f"{own_cpu / settlements * 1e6:.0f} µs; ledger verify {'passed' if report.ok else 'FAILED'}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        uvloop.run(serve(sys.argv[2], sys.argv[3]))
    else:
        uvloop.run(
            run(
                float(sys.argv[1]) if len(sys.argv) > 1 else 10,
                int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
            )
        )
