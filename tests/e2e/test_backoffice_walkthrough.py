"""docs/backoffice.md, step by step, as a newcomer follows it with curl: against a real
``croupier serve`` on SQLite, every request here is one the document shows.

Create the first admin on the command line, log in, enrol the TOTP (codes computed with
pyotp from the enrolment's secret, as an authenticator app would), create a payments member
the same way, let a player register and deposit through the public API, find the player by
email, make a four-eyes adjustment (the requester cannot approve their own; the second
member's approval posts it once), approve a withdrawal held for review (paid once), and read
the reports."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from tests.support.backoffice import create_staff
from tests.support.server import admin_url, running_server
from tests.support.staff import STAFF_PASSWORD

pytestmark = pytest.mark.timeout(180)

PLAYER_EMAIL = "Walk.Through@Example.com"
PLAYER_PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    players: httpx.Client  # the players' port
    admin: httpx.Client  # the admin listener


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    # $ croupier staff create --role admin --username ada --password-file pw.txt
    create_staff(database_url, tmp_path, "ada", "admin")
    with (
        running_server(database_url) as base,
        httpx.Client(base_url=base, timeout=30) as players,
        httpx.Client(base_url=admin_url(base), timeout=30) as admin,
    ):
        yield Site(players, admin)


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _refused(answer: httpx.Response, status: int, problem: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith(f"/{problem}")


def _enrol(admin: httpx.Client, username: str) -> tuple[dict[str, str], list[str]]:
    """Log in with the password alone, enrol, confirm with the app's code: a full session."""
    first = _ok(
        admin.post("/admin/v1/login", json={"username": username, "password": STAFF_PASSWORD}),
        201,
    )
    assert first["stage"] == "enrolment" and first["staff"]["status"] == "enrolling"
    auth = {"authorization": f"Bearer {first['token']}"}
    _refused(admin.get("/admin/v1/staff", headers=auth), 403, "mfa-enrolment-required")
    enrolment = _ok(admin.post("/admin/v1/mfa/enrol", headers=auth), 201)
    assert enrolment["qr_svg"].startswith("<svg") and len(enrolment["recovery_codes"]) == 10
    query = urllib.parse.urlparse(enrolment["otpauth_uri"]).query
    secret = urllib.parse.parse_qs(query)["secret"][0]  # what the app reads from the QR code
    code = pyotp.TOTP(secret).at(int(time.time()))
    confirmed = _ok(admin.post("/admin/v1/mfa/confirm", json={"code": code}, headers=auth))
    assert confirmed["stage"] == "full" and confirmed["staff"]["status"] == "active"
    return auth, enrolment["recovery_codes"]


def _wallet(players: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    wallet: dict[str, Any] = _ok(players.get("/v1/wallet", headers=auth))
    return wallet


def test_a_newcomer_follows_the_back_office_walkthrough(site: Site) -> None:  # noqa: PLR0915
    admin, players = site.admin, site.players
    # Log in and enrol the TOTP; from now on a login takes a code (here a recovery code).
    ada, recovery_codes = _enrol(admin, "ada")
    again = _ok(
        admin.post(
            "/admin/v1/login",
            json={"username": "ada", "password": STAFF_PASSWORD, "code": recovery_codes[0]},
        ),
        201,
    )
    assert again["stage"] == "full"
    assert _ok(admin.get("/admin/v1/me", headers=ada))["staff"]["role"] == "admin"

    # A second staff member, payments, created by the admin and enrolled the same way.
    created = admin.post(
        "/admin/v1/staff",
        json={"username": "pat", "password": STAFF_PASSWORD, "role": "payments"},
        headers=ada,
    )
    assert _ok(created, 201)["role"] == "payments"
    pat, _ = _enrol(admin, "pat")

    # A player registers and deposits through the public API.
    registered = players.post(
        "/v1/players",
        json={
            "email": PLAYER_EMAIL,
            "password": PLAYER_PASSWORD,
            "date_of_birth": "1990-04-01",
            "country": "MT",
            "currency": "EUR",
        },
    )
    player_id = _ok(registered, 201)["player_id"]
    login = {"email": PLAYER_EMAIL, "password": PLAYER_PASSWORD}
    player = {
        "Authorization": f"Bearer {_ok(players.post('/v1/sessions', json=login), 201)['token']}"
    }
    deposit = players.post(
        "/v1/wallet/deposits",
        json={"amount": 3000_00},
        headers={**player, "Idempotency-Key": "walkthrough-deposit"},
    )
    _ok(deposit, 201)
    assert _wallet(players, player)["cash"] == 3000_00

    # Find the player by email (any case), and view them: PII masked without pii=true.
    found = _ok(
        admin.get("/admin/v1/players", params={"q": "walk.through@example.COM"}, headers=ada)
    )
    assert [hit["player_id"] for hit in found["items"]] == [player_id]
    view = _ok(admin.get(f"/admin/v1/players/{player_id}", headers=pat))
    assert view["profile"]["email"] == "w***@example.com"
    assert view["wallet"]["cash"] == 3000_00 and view["control"]["status"] == "active"
    _refused(admin.get(f"/admin/v1/players/{player_id}?pii=true", headers=pat), 403, "forbidden")
    shown = _ok(admin.get(f"/admin/v1/players/{player_id}?pii=true", headers=ada))
    assert shown["profile"]["email"] == "walk.through@example.com"

    # A goodwill credit of 150.00, above the four-eyes threshold (100.00): pending.
    adjustment = {
        "player_id": player_id,
        "direction": "credit",
        "amount_minor": 150_00,
        "reason_code": "goodwill",
        "reason": "compensation for outage #42",
    }
    key = {"Idempotency-Key": "adj-2026-0001"}
    asked = _ok(admin.post("/admin/v1/adjustments", json=adjustment, headers={**ada, **key}), 202)
    assert asked["state"] == "pending" and asked["request_id"] == "adj-2026-0001"
    resent = admin.post("/admin/v1/adjustments", json=adjustment, headers={**ada, **key})
    assert _ok(resent, 202) == asked  # the same request again: the same answer
    pending = _ok(admin.get("/admin/v1/adjustments", params={"state": "pending"}, headers=pat))
    assert [item["request_id"] for item in pending["items"]] == ["adj-2026-0001"]
    assert _wallet(players, player)["cash"] == 3000_00  # nothing moved yet

    # The requester cannot approve their own; the second member can, and it posts once.
    why = {"reason": "checked the outage log"}
    own = admin.post("/admin/v1/adjustments/adj-2026-0001/approve", json=why, headers=ada)
    _refused(own, 403, "forbidden")
    approved = _ok(admin.post("/admin/v1/adjustments/adj-2026-0001/approve", json=why, headers=pat))
    assert approved["state"] == "posted"
    assert approved["transfer_id"] == "adjustment:adj-2026-0001"
    retried = admin.post("/admin/v1/adjustments/adj-2026-0001/approve", json=why, headers=pat)
    assert _ok(retried) == approved  # a retry after a lost answer: the decision as it stands
    assert _wallet(players, player)["cash"] == 3150_00  # moved once

    # A withdrawal above the review threshold (2000.00) waits; payments approve it: paid once.
    withdrawal_key = {**player, "Idempotency-Key": "walkthrough-withdrawal"}
    held = players.post("/v1/wallet/withdrawals", json={"amount": 2500_00}, headers=withdrawal_key)
    assert _ok(held, 202)["state"] == "pending-review"
    assert (_wallet(players, player)["cash"], _wallet(players, player)["pending"]) == (
        650_00,
        2500_00,
    )
    queue = _ok(admin.get("/admin/v1/withdrawals/queue", headers=pat))["items"]
    assert [(item["player_id"], item["amount_minor"]) for item in queue] == [(player_id, 2500_00)]
    intent = queue[0]["intent_id"]
    assert intent == f"withdrawal:{player_id}:walkthrough-withdrawal"
    reviewed = _ok(admin.get(f"/admin/v1/withdrawals/{intent}", headers=pat))
    assert reviewed["state"] == "pending"
    approve = {"reason": "source of funds verified"}
    paid = _ok(admin.post(f"/admin/v1/withdrawals/{intent}/approve", json=approve, headers=pat))
    assert paid["state"] == "paid" and paid["transfer"]["amount_minor"] == 2500_00
    again_paid = admin.post(f"/admin/v1/withdrawals/{intent}/approve", json=approve, headers=pat)
    assert _ok(again_paid)["transfer"] == paid["transfer"]  # approving again pays nothing more
    assert (_wallet(players, player)["cash"], _wallet(players, player)["pending"]) == (650_00, 0)
    replay = players.post(
        "/v1/wallet/withdrawals", json={"amount": 2500_00}, headers=withdrawal_key
    )
    assert replay.status_code == 201, replay.text  # the player's replay: the payout
    assert _ok(admin.get("/admin/v1/withdrawals/queue", headers=pat))["items"] == []

    # The reports.
    ggr = _ok(admin.get("/admin/v1/reports/ggr", headers=pat))
    assert ggr["report"] == "ggr" and ggr["rows"] == []  # no round was played
    liabilities = admin.get("/admin/v1/reports/liabilities", headers=pat)
    body = _ok(liabilities)
    assert liabilities.headers["croupier-liabilities-match"] == "true"
    assert body["matches_ledger"] is True
    assert [(row["currency"], row["total_minor"]) for row in body["rows"]] == [("EUR", 650_00)]
    as_csv = admin.get("/admin/v1/reports/liabilities", params={"format": "csv"}, headers=pat)
    assert as_csv.status_code == 200 and as_csv.text.startswith("currency,")

    # Every step is in the audit trail, with who did it.
    trail = _ok(admin.get("/admin/v1/audit", params={"limit": 1000}, headers=ada))["items"]
    actions = [record["action"] for record in trail]
    for action in (
        "player.searched",
        "adjustment.requested",
        "adjustment.approved",
        "withdrawal.approved",
        "report.viewed",
    ):
        assert action in actions, action


#: Every request of the walkthrough, as the document's curl commands write it.
DOCUMENTED_STEPS = (
    "croupier staff create --role admin",
    "-X POST $A/admin/v1/login",
    "-X POST $A/admin/v1/mfa/enrol",
    "-X POST $A/admin/v1/mfa/confirm",
    "-X POST $A/admin/v1/staff",
    "-X POST $B/v1/players",
    "-X POST $B/v1/wallet/deposits",
    '"$A/admin/v1/players?q=',
    "-X POST $A/admin/v1/adjustments ",
    '"$A/admin/v1/adjustments?state=pending"',
    "-X POST $A/admin/v1/adjustments/adj-2026-0001/approve",
    "-X POST $B/v1/wallet/withdrawals",
    "$A/admin/v1/withdrawals/queue",
    "-X POST $A/admin/v1/withdrawals/$W/approve",
    '"$A/admin/v1/reports/ggr?',
    '"$A/admin/v1/reports/liabilities"',
    "-X POST $A/admin/v1/players/$P/freeze",
    "-X POST $A/admin/v1/games/lotus-20/disable",
    "-X POST $A/admin/v1/jackpots/adjust",
)


def test_the_document_shows_every_step_with_curl() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "backoffice.md").read_text(encoding="utf-8")
    commands = [line for line in doc.splitlines() if line.startswith("$ ")]
    for step in DOCUMENTED_STEPS:
        assert any(step in line for line in commands), step
