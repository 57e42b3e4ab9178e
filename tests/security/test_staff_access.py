"""The back office against a real ``croupier serve``: its own port, the allow-list, TOTP
replay, brute force, and one role reaching for another's routes (IDOR across staff roles)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.backoffice import Server, Staff, bearer, create_staff, enrolled, login
from tests.support.server import (
    METRICS_TOKEN,
    admin_url,
    free_port,
    running_server,
    start_server,
    stop,
    wait_ready,
)
from tests.support.staff import STAFF_PASSWORD, code_at

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("staff")
    database_url = f"sqlite:///{tmp}/staff.db"
    create_staff(database_url, tmp, "ada", "admin")
    create_staff(database_url, tmp, "bob", "payments")
    with running_server(database_url) as base:
        yield Server(base, admin_url(base))


@pytest.fixture(scope="module")
def ada(server: Server) -> Staff:
    """The admin, enrolled once; tests log in again with her unused recovery codes."""
    return enrolled(server.admin, "ada")


def test_the_admin_api_is_on_its_own_port_only(server: Server) -> None:
    for path in ("/admin/v1/me", "/admin/v1/login", "/metrics"):
        on_player_port = httpx.post(f"{server.base}{path}", json={}, timeout=10)
        assert on_player_port.status_code in (404, 405), path
        assert httpx.get(f"{server.base}{path}", timeout=10).status_code == 404, path
    assert httpx.get(f"{server.admin}/v1/games", timeout=10).status_code == 404
    anonymous = httpx.get(f"{server.admin}/admin/v1/me", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"


def test_after_enrolment_every_login_needs_a_code_never_used(server: Server, ada: Staff) -> None:
    me = httpx.get(f"{server.admin}/admin/v1/me", headers=bearer(ada), timeout=10).json()
    assert me["staff"]["role"] == "admin" and "staff.manage" in me["permissions"]
    assert login(server.admin, "ada").status_code == 401  # a password alone, after enrolment
    code = code_at(ada.secret, time.time() + 30)  # the next step's: inside the window
    assert login(server.admin, "ada", code).status_code == 201
    replay = login(server.admin, "ada", code)
    assert replay.status_code == 401
    assert replay.json()["type"].endswith("/authentication-failed")
    recovery = ada.recovery_codes.pop()
    assert login(server.admin, "ada", recovery).status_code == 201
    assert login(server.admin, "ada", recovery).status_code == 401
    scraped = httpx.get(
        f"{server.admin}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert scraped.status_code == 200 and "croupier_ledger_batches_total" in scraped.text
    assert httpx.get(f"{server.admin}/metrics", headers=bearer(ada)).status_code == 200


def test_a_support_member_cannot_reach_admin_routes(server: Server, ada: Staff) -> None:
    created = httpx.post(
        f"{server.admin}/admin/v1/staff",
        json={"username": "sam", "password": STAFF_PASSWORD, "role": "support"},
        headers=bearer(ada),
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "enrolling"

    half = login(server.admin, "sam").json()["token"]  # password only: enrolment stage
    for method, path in (("GET", "/admin/v1/staff"), ("POST", "/admin/v1/staff")):
        early = httpx.request(
            method, f"{server.admin}{path}", headers={"Authorization": f"Bearer {half}"},
            json={"username": "eve", "password": STAFF_PASSWORD, "role": "admin"},
        )  # fmt: skip
        assert early.status_code == 403
        assert early.json()["type"].endswith("/mfa-enrolment-required")

    sam = enrolled(server.admin, "sam")
    escalate = httpx.post(
        f"{server.admin}/admin/v1/staff",
        json={"username": "eve", "password": STAFF_PASSWORD, "role": "admin"},
        headers=bearer(sam),
        timeout=30,
    )
    assert escalate.status_code == 403
    assert escalate.headers["content-type"] == "application/problem+json"
    assert escalate.json()["type"].endswith("/forbidden")
    for path in ("/admin/v1/staff", "/metrics"):
        assert httpx.get(f"{server.admin}{path}", headers=bearer(sam)).status_code == 403
    listed = httpx.get(f"{server.admin}/admin/v1/staff", headers=bearer(ada)).json()["items"]
    assert sorted(item["username"] for item in listed) == ["ada", "bob", "sam"]  # no eve
    assert httpx.post(f"{server.admin}/admin/v1/logout", headers=bearer(sam)).status_code == 204
    assert httpx.get(f"{server.admin}/admin/v1/me", headers=bearer(sam)).status_code == 401


def test_brute_force_locks_a_staff_account(server: Server) -> None:
    wrong = {"username": "bob", "password": "guess number something"}
    statuses = [
        httpx.post(f"{server.admin}/admin/v1/login", json=wrong).status_code for _ in range(5)
    ]
    assert statuses == [401] * 5
    locked = login(server.admin, "bob")  # the right password, too late
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert locked.json()["type"].endswith("/too-many-attempts")


def test_a_source_outside_the_allow_list_gets_403(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path}/refused.db"
    port, admin_port = free_port(), free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(
            database_url, port, log, admin_port=admin_port, CROUPIER_ADMIN_ALLOW="10.0.0.0/8"
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}", process, log)
            admin = f"http://127.0.0.1:{admin_port}"
            for method, path in (("POST", "/admin/v1/login"), ("GET", "/metrics")):
                refused = httpx.request(
                    method,
                    f"{admin}{path}",
                    json={"username": "ada", "password": STAFF_PASSWORD},
                    headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
                )
                assert refused.status_code == 403, path
                assert refused.headers["content-type"] == "application/problem+json"
        finally:
            stop(process)


def test_an_admin_port_already_taken_stops_the_server(tmp_path: Path) -> None:
    """Never a server that runs on without its back office, or on another port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        command = [
            sys.executable, "-m", "croupier", "serve", "--port", str(free_port()),
            "--admin-port", str(taken.getsockname()[1]),
            "--database-url", f"sqlite:///{tmp_path}/taken.db",
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "address already in use" in done.stdout + done.stderr
