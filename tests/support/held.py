"""Helpers for the tests that keep issue 11's adversarial findings true: a funded player over
HTTP, the ledger check, raw HTTP exchanges, WebSocket bursts and the documented close codes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from tests.conftest import POSTGRES_ADMIN_DSN, service_unavailable
from tests.support.ws import Client

#: Long, not common, not an email: acceptable under any sensible password rule.
PASSWORD = "correct horse battery staple"
REALTIME_DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"

#: A server shared by a module's tests logs in and registers many players from 127.0.0.1.
GENEROUS_LIMITS = {
    "CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "10000",
    "CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE": "10000",
}


@contextmanager
def database_for_module(backend: str, directory: Path) -> Iterator[str]:
    """An empty database on ``backend`` ("sqlite" or "postgres") for a module's shared
    server: a file in ``directory``, or a fresh PostgreSQL database dropped afterwards (the
    ``database_url`` fixture's, for a module)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory}/ledger.db"
        return
    import asyncpg

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    name = f"croupier_t_{secrets.token_hex(6)}"
    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        service_unavailable(f"PostgreSQL unreachable at {POSTGRES_ADMIN_DSN}: {error}")
    try:
        yield POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def register_and_login(base: str, email: str) -> dict[str, str]:
    """Register ``email`` and log in: the ``Authorization`` header of the new session."""
    with httpx.Client(base_url=base, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json={
                "email": email,
                "password": PASSWORD,
                "date_of_birth": "1990-04-01",
                "country": "MT",
                "currency": "EUR",
            },
        )
        assert created.status_code == 201, created.text
        session = client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        assert session.status_code == 201, session.text
    return {"Authorization": f"Bearer {session.json()['token']}"}


def funded_player(base: str, email: str, deposit_minor: int) -> dict[str, str]:
    """A registered, logged-in player holding ``deposit_minor`` of cash."""
    auth = register_and_login(base, email)
    with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": deposit_minor},
            headers={"Idempotency-Key": f"funding-{email.partition('@')[0]}"},
        )
        assert paid.status_code == 201, paid.text
    return auth


def assert_ledger_verifies(database_url: str) -> None:
    """``croupier ledger verify`` against the server's database exits 0."""
    verify = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def raw_exchange(base: str, *payloads: bytes, wait_s: float = 10) -> bytes:
    """Everything the server sends back on one fresh connection: each payload but the last
    is sent once the previous one's response has arrived (it must carry a Content-Length);
    after the last, what comes until the server closes (or ``wait_s`` passes without a
    byte)."""
    host, port = base.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=wait_s) as connection:
        for payload in payloads[:-1]:
            connection.sendall(payload)
            answer += _one_response(connection)
        connection.sendall(payloads[-1])
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := connection.recv(65536):
                answer += chunk
    return answer


def _one_response(connection: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection mid-response: {received!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    assert length is not None, f"a response without a Content-Length: {head!r}"
    while len(body) < int(length.group(1)):
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection mid-body: {received!r}"
        body += chunk
    return head + b"\r\n\r\n" + body


def send_burst(client: Client, messages: list[dict[str, Any]]) -> None:
    """Send ``messages`` as WebSocket frames in one write, so that the server reads them in
    one go: each is parsed before any of the requests they start has run."""
    connection = client.connection
    for message in messages:
        connection.protocol.send_text(json.dumps(message).encode())
    connection.transport.write(b"".join(connection.protocol.data_to_send()))


def documented_close_code(*phrases: str) -> int:
    """The close code docs/realtime.md's "Closing" table gives for the first of ``phrases``
    that one of its rows mentions: the test follows the documentation, not a copy of it."""
    text = REALTIME_DOC.read_text()
    table = text[text.index("### Closing") :].split("\n\n")[1]
    rows = re.findall(r"^\|\s*(\d{4})\s*\|\s*(.+?)\s*\|$", table, re.MULTILINE)
    for phrase in phrases:
        codes = [int(code) for code, when in rows if phrase.lower() in when.lower()]
        if codes:
            assert len(codes) == 1, f"{phrase!r} is in more than one row of the table"
            return codes[0]
    raise AssertionError(f"docs/realtime.md documents no close code for any of {phrases}")


@asynccontextmanager
async def ws_connected(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """A WebSocket to exactly ``url`` (a query string too), sending no ``auth`` message."""
    async with connect(url, additional_headers=headers or {}) as connection:
        client = Client(connection)
        try:
            yield client
        finally:
            client._reader.cancel()
