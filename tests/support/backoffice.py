"""The back office from outside, as an operator uses it: staff created on the command line,
logged in and enrolled over the admin API of a real ``croupier serve``."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.staff import STAFF_PASSWORD, code_at, totp_secret


@dataclass
class Server:
    base: str  # the players' port
    admin: str  # the admin listener


@dataclass
class Staff:
    token: str
    secret: str
    recovery_codes: list[str]


def create_staff(database_url: str, tmp: Path, username: str, role: str) -> None:
    """``croupier staff create`` from the command line, as an operator bootstraps."""
    password_file = tmp / f"{username}.password"
    password_file.write_text(STAFF_PASSWORD + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "croupier", "staff", "create", "--role", role,
         "--username", username, "--password-file", str(password_file),
         "--database-url", database_url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "enrolling" in done.stdout and "/admin/v1/mfa/enrol" in done.stdout


def login(admin: str, username: str, code: str | None = None) -> httpx.Response:
    body = {"username": username, "password": STAFF_PASSWORD, "code": code}
    return httpx.post(f"{admin}/admin/v1/login", json=body, timeout=10)


def enrolled(admin: str, username: str) -> Staff:
    """Log in with the password alone, enrol, confirm: a full session."""
    first = login(admin, username)
    assert first.status_code == 201 and first.json()["stage"] == "enrolment", first.text
    token = first.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    enrolment = httpx.post(f"{admin}/admin/v1/mfa/enrol", headers=auth, timeout=10)
    assert enrolment.status_code == 201, enrolment.text
    secret = totp_secret(enrolment.json()["otpauth_uri"])
    code = code_at(secret, time.time())
    confirmed = httpx.post(
        f"{admin}/admin/v1/mfa/confirm", json={"code": code}, headers=auth, timeout=10
    )
    assert confirmed.status_code == 200 and confirmed.json()["stage"] == "full", confirmed.text
    return Staff(token, secret, enrolment.json()["recovery_codes"])


def bearer(staff: Staff) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.token}"}
