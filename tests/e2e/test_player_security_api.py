"""Player account security against a real server, with real WebSocket clients: a logout
ends the session's WebSockets at once (on every gateway), a password reset goes through the
dev mailbox, TOTP guards login and withdrawal, and the server's log shows the events."""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.test_realtime import _funded_player, _spin
from tests.e2e.test_wallet_flow import PASSWORD, _register_and_login
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.roles import Roles, wait_active
from tests.support.server import free_port, running_server, start_server, stop, wait_ready
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(180)

RESET_TOKEN = re.compile(r"reset token: ([A-Za-z0-9_-]{43})")
NEW_PASSWORD = "an entirely new passphrase"


@pytest.fixture(params=["memory", "nats"])
def stream_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    return str(request.getfixturevalue("nats_stream_url"))


async def _rounds_played(base: str, auth: dict[str, str]) -> int:
    async with httpx.AsyncClient(base_url=base) as http:
        answer = await http.get("/v1/rounds", params={"limit": 100}, headers=auth)
    assert answer.status_code == 200, answer.text
    return len(answer.json()["items"])


async def _logout_ends_the_socket(base: str, http_base: str, email: str) -> None:
    """Play on a WebSocket (through ``base``), log out over HTTP (through ``http_base``):
    the socket closes with 1008 and nothing sent after the logout is played."""
    token, auth = _funded_player(base, email)
    async with ws_client(base, token) as client:
        await _spin(client, "before-logout-1")
        async with httpx.AsyncClient(base_url=http_base) as http:
            logout = await http.delete("/v1/sessions/current", headers=auth)
        assert logout.status_code == 204
        for i in range(5):  # a client that keeps playing: none of these is read
            with contextlib.suppress(ConnectionClosed):  # closed already, as it should be
                await client.send(
                    {
                        "type": "round.start",
                        "request_id": f"after-{i}",
                        "game_id": "lotus-20",
                        "stake": 100,
                    }
                )
        code, reason = await client.closed(timeout=10)
        assert (code, reason) == (1008, "the session was revoked")
        assert not [f for f in client.frames if str(f.get("request_id", "")).startswith("after")]
    with httpx.Client(base_url=base) as http:
        again = http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        assert again.status_code == 201
        fresh = {"Authorization": f"Bearer {again.json()['token']}"}
    assert await _rounds_played(base, fresh) == 1


async def test_a_logout_closes_the_sessions_websockets_at_once(
    tmp_path: Path, stream_url: str
) -> None:
    """The default re-check is 60 s: before the push, 59 rounds were played after a logout."""
    with tempfile.TemporaryFile() as log:
        port = free_port()
        process = start_server(
            f"sqlite:///{tmp_path}/ledger.db", port, log, CROUPIER_STREAM_URL=stream_url
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process, log)
            await _logout_ends_the_socket(base, base, "leaver@example.com")
        finally:
            stop(process)
        log.seek(0)
        output = log.read().decode()
    for action in ('"player.login"', '"player.session.revoked"', '"player.ws.policy-close"'):
        assert action in output, output[-3000:]


@pytest.fixture
def roles(postgres_url: str, nats_stream_url: str) -> Iterator[Roles]:  # noqa: F811
    started = Roles(postgres_url, nats_stream_url)
    try:
        yield started
    finally:
        started.stop_all()


async def test_a_logout_on_one_gateway_closes_the_websocket_on_another(roles: Roles) -> None:
    writer = roles.writer("writer")
    wait_active(writer)
    one, two = roles.gateway("one"), roles.gateway("two")
    await _logout_ends_the_socket(two.url, one.url, "roamer@example.com")


def _mails(folder: Path, count: int, timeout_s: float = 15) -> list[Message]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        if len(files) >= count:
            return [message_from_bytes(path.read_bytes()) for path in files]
        time.sleep(0.05)  # the poll's pace
    raise TimeoutError(f"fewer than {count} mails in {folder} within {timeout_s} s")


def _body(mail: Message) -> str:
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_a_password_reset_through_the_dev_mailbox(tmp_path: Path) -> None:
    mailbox = tmp_path / "mail"
    with (
        running_server(f"sqlite:///{tmp_path}/r.db", CROUPIER_MAIL_URL=f"dir://{mailbox}") as base,
        httpx.Client(base_url=base) as client,
    ):
        auth = _register_and_login(client, "reset@example.com")
        unknown = client.post("/v1/password-resets", json={"email": "nobody@example.com"})
        known = client.post("/v1/password-resets", json={"email": "reset@example.com"})
        assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
        assert known.status_code == 202
        [mail] = _mails(mailbox, 1)
        assert mail["To"] == "reset@example.com"
        match = RESET_TOKEN.search(_body(mail))
        assert match is not None
        body = {"token": match.group(1), "new_password": NEW_PASSWORD}
        assert client.post("/v1/password-resets/confirm", json=body).status_code == 204
        reused = client.post("/v1/password-resets/confirm", json=body)
        assert reused.status_code == 422
        assert reused.json()["type"].endswith("/invalid-reset-token")
        assert client.get("/v1/wallet", headers=auth).status_code == 401  # every session ended
        login = {"email": "reset@example.com", "password": NEW_PASSWORD}
        assert client.post("/v1/sessions", json=login).status_code == 201
    assert (mailbox.stat().st_mode & 0o777) == 0o700


def _codes_ahead(secret: str) -> list[str]:
    """Codes of the previous, current and next 30 s steps, in that order, after waiting
    (a bounded wait) until the current step has at least 12 s left: three requests that
    each need a newer step than the last all land inside the server's ±1 step window."""
    deadline = time.monotonic() + 20
    while time.time() % 30 > 18:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    totp, now = pyotp.TOTP(secret), time.time()
    return [totp.at(now + 30 * drift) for drift in (-1, 0, 1)]


def test_totp_guards_login_and_withdrawal_and_each_code_works_once(tmp_path: Path) -> None:
    with (
        running_server(f"sqlite:///{tmp_path}/t.db") as base,
        httpx.Client(base_url=base) as client,
    ):
        auth = _register_and_login(client, "two@example.com")
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": 5_000},
            headers={**auth, "Idempotency-Key": "dep-0001"},
        )
        assert paid.status_code == 201
        enrolment = client.post("/v1/players/me/totp", headers=auth)
        assert enrolment.status_code == 201
        secret = enrolment.json()["secret"]
        assert enrolment.json()["qr_svg"].startswith("data:image/svg+xml")
        confirm_code, login_code, withdraw_code = _codes_ahead(secret)
        confirmed = client.post(
            "/v1/players/me/totp/confirm", json={"code": confirm_code}, headers=auth
        )
        assert confirmed.status_code == 204, confirmed.text
        credentials: dict[str, Any] = {"email": "two@example.com", "password": PASSWORD}
        asked = client.post("/v1/sessions", json=credentials)
        assert asked.status_code == 403 and asked.json()["type"].endswith("/totp-required")
        replayed = client.post("/v1/sessions", json={**credentials, "totp": confirm_code})
        assert replayed.status_code == 401
        logged_in = client.post("/v1/sessions", json={**credentials, "totp": login_code})
        assert logged_in.status_code == 201
        withdraw = {**auth, "Idempotency-Key": "wd-00001"}
        refused = client.post("/v1/wallet/withdrawals", json={"amount": 100}, headers=withdraw)
        assert refused.status_code == 403 and refused.json()["type"].endswith("/totp-required")
        again = client.post(
            "/v1/wallet/withdrawals", json={"amount": 100, "totp": login_code}, headers=withdraw
        )
        assert again.status_code == 403 and again.json()["type"].endswith("/totp-invalid")
        paid_out = client.post(
            "/v1/wallet/withdrawals", json={"amount": 100, "totp": withdraw_code}, headers=withdraw
        )
        assert paid_out.status_code == 201, paid_out.text
        assert client.get("/v1/wallet", headers=auth).json()["cash"] == 4_900


def test_the_session_list_shows_devices_and_a_player_revokes_one(tmp_path: Path) -> None:
    with (
        running_server(f"sqlite:///{tmp_path}/s.db") as base,
        httpx.Client(base_url=base) as client,
    ):
        laptop = _register_and_login(client, "many@example.com")
        phone_login = client.post(
            "/v1/sessions",
            json={"email": "many@example.com", "password": PASSWORD},
            headers={"User-Agent": "PhoneApp/1.0"},
        )
        phone = {"Authorization": f"Bearer {phone_login.json()['token']}"}
        listed = client.get("/v1/players/me/sessions", headers=phone).json()["items"]
        assert [(s["device"], s["ip"], s["current"]) for s in listed] == [
            ("PhoneApp/1.0", "127.0.0.1", True),
            (listed[1]["device"], "127.0.0.1", False),
        ]
        assert listed[1]["device"].startswith("python-httpx/")
        revoked = client.delete(f"/v1/players/me/sessions/{listed[1]['id']}", headers=phone)
        assert revoked.status_code == 204
        assert client.get("/v1/wallet", headers=laptop).status_code == 401
        changed = client.post(
            "/v1/players/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=phone,
        )
        assert changed.status_code == 204
        assert client.get("/v1/wallet", headers=phone).status_code == 200  # this one goes on
