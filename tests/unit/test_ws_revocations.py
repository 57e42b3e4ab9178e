"""A revocation closes exactly the revoked sessions' WebSockets (1008), audited; and a
connection whose token was being checked when its session was revoked is closed too."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, date, datetime
from typing import Any

from croupier.api.ws.admission import Admission
from croupier.api.ws.protocol import Close
from croupier.api.ws.sessions import Sessions
from croupier.config import RealtimeSettings
from croupier.domain.accounts import Player
from croupier.services.accounts import token_sha256
from croupier.services.accounts.security_ports import SessionsRevoked
from tests.support.security import KeptAudit


def _player(player_id: str) -> Player:
    return Player(
        player_id, f"{player_id}@example.com", "MT", "EUR", date(1990, 4, 1), datetime.now(UTC)
    )


def _token(n: int) -> str:
    return f"{n:043d}"


class FakeConnection:
    """What :class:`Sessions` touches of a connection."""

    def __init__(self, token: str | None, player: Player | None = None) -> None:
        self.token = token
        self.player = player
        self.address = "192.0.2.1"
        self.closed = False
        self.close_code: int | None = None
        self.backlog: list[bytes] | None = []
        self.authenticated_at = 0.0
        self.sent: list[str] = []

    def send(self, frame: str) -> None:
        self.sent.append(frame)

    def close(self, code: int, reason: str, counted_as: str | None = None) -> None:
        self.closed, self.close_code = True, code


class Harness:
    def __init__(self) -> None:
        self.connections: set[Any] = set()
        self.tasks: list[asyncio.Task[None]] = []
        self.audit = KeptAudit()
        self.sessions = Sessions(
            RealtimeSettings(),
            Admission(100, 100),
            self.connections,
            dispatch=lambda connection, payload: None,
            background=self._background,
        )

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.get_running_loop().create_task(work))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def test_only_the_revoked_sessions_close_and_each_close_is_audited() -> None:
    harness = Harness()
    ada, bo = _player("ada"), _player("bo")
    revoked_one = FakeConnection(_token(1), ada)
    same_session = FakeConnection(_token(1), ada)
    other_session = FakeConnection(_token(2), ada)
    other_player = FakeConnection(_token(1), bo)  # another player: never closed by ada's
    harness.connections.update({revoked_one, same_session, other_session, other_player})

    async def check(token: str) -> Player:
        return ada

    harness.sessions.start(check, audit=harness.audit)
    harness.sessions.revoked(SessionsRevoked("ada", (token_sha256(_token(1)),)))
    await asyncio.sleep(0)  # let the audit task run
    await asyncio.gather(*harness.tasks[1:])
    assert [c.close_code for c in (revoked_one, same_session)] == [Close.POLICY, Close.POLICY]
    assert not other_session.closed and not other_player.closed
    assert harness.audit.actions() == ["player.ws.policy-close"] * 2
    assert {e.subject for e in harness.audit.entries} == {"player:ada"}
    await harness.close()


async def test_a_connection_authenticating_during_the_revocation_is_closed() -> None:
    harness = Harness()
    ada = _player("ada")
    checking, release = asyncio.Event(), asyncio.Event()

    async def slow_check(token: str) -> Player:
        checking.set()
        await release.wait()
        return ada  # the check read the session before it was revoked

    harness.sessions.start(slow_check, audit=harness.audit)
    connection = FakeConnection(_token(7))
    harness.connections.add(connection)
    authenticating = asyncio.create_task(
        harness.sessions.authenticate(connection, _token(7), "auth-1")  # type: ignore[arg-type]
    )
    async with asyncio.timeout(5):
        await checking.wait()
    harness.sessions.revoked(SessionsRevoked("ada", (token_sha256(_token(7)),)))
    release.set()
    async with asyncio.timeout(5):
        await authenticating
    assert connection.closed and connection.close_code == Close.POLICY
    assert connection.player is None
    assert '"authenticated"' not in "".join(connection.sent)
    await harness.close()
