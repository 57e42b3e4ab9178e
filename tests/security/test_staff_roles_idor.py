"""IDOR across staff roles: a staff member reaching for a report, the audit trail or a
back-office operation (approving an adjustment, freezing, adjusting a jackpot, disabling a
game, …) that their role does not allow gets 403 problem+json, sees no figure, changes
nothing, and the attempt is recorded (``admin.forbidden``); the roles that may, can."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from croupier.domain.staff import Permission, Role, allows
from tests.support.backoffice import Server, Staff, bearer, create_staff, enrolled, login
from tests.support.server import admin_url, running_server
from tests.support.staff import STAFF_PASSWORD

pytestmark = pytest.mark.timeout(180)

REPORTS = ("/admin/v1/reports/ggr", "/admin/v1/reports/rtp", "/admin/v1/reports/liabilities")
AUDIT = ("/admin/v1/audit", "/admin/v1/audit/verify")
PLAYER_PASSWORD = "correct horse battery staple"


@dataclass
class Office:
    server: Server
    staff: dict[str, Staff]  # by role


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    tmp = tmp_path_factory.mktemp("roles")
    database_url = f"sqlite:///{tmp}/roles.db"
    roles = ("admin", "support", "payments", "risk", "compliance")
    for role in roles:
        create_staff(database_url, tmp, role, role)  # each named after their role
    with running_server(database_url) as base:
        admin = admin_url(base)
        yield Office(Server(base, admin), {role: enrolled(admin, role) for role in roles})


def _get(office: Office, role: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(
        f"{office.server.admin}{path}",
        headers={**bearer(office.staff[role]), **headers},
        timeout=30,
    )


def _assert_refused(answer: httpx.Response) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith("/forbidden")
    assert (
        "rows" not in body and "items" not in body and "Content-Disposition" not in answer.headers
    )


def _forbidden_records(office: Office) -> list[dict[str, object]]:
    listed = _get(office, "admin", "/admin/v1/audit?action=admin.forbidden&limit=1000")
    assert listed.status_code == 200, listed.text
    items: list[dict[str, object]] = listed.json()["items"]
    return items


def test_support_may_read_neither_reports_nor_the_audit_trail(office: Office) -> None:
    before = len(_forbidden_records(office))
    support = _get(office, "support", "/admin/v1/me").json()["staff"]["staff_id"]
    for path in REPORTS:
        _assert_refused(_get(office, "support", path))
        _assert_refused(_get(office, "support", f"{path}?format=csv"))
        _assert_refused(_get(office, "support", path, Accept="text/csv"))
    for path in AUDIT:
        _assert_refused(_get(office, "support", path))
    refused = _forbidden_records(office)[before:]
    assert len(refused) == 3 * len(REPORTS) + len(AUDIT)
    assert {record["actor"] for record in refused} == {f"staff:{support}"}
    assert {record["subject"] for record in refused} == {f"GET {path}" for path in REPORTS + AUDIT}
    assert {record["source_ip"] for record in refused} == {"127.0.0.1"}
    views = _get(office, "admin", "/admin/v1/audit?action=report.viewed").json()["items"]
    assert [record for record in views if record["actor"] == f"staff:{support}"] == []


def test_payments_may_read_reports_but_not_the_audit_trail(office: Office) -> None:
    for path in REPORTS:
        assert _get(office, "payments", path).status_code == 200, path
    for path in AUDIT:
        _assert_refused(_get(office, "payments", path))
    audit_page = _get(office, "payments", "/admin/v1/audit?after_seq=0&limit=1000")
    _assert_refused(audit_page)


def test_compliance_may_read_both(office: Office) -> None:
    for path in (*REPORTS, *AUDIT):
        assert _get(office, "compliance", path).status_code == 200, path


def test_no_full_session_no_report(office: Office) -> None:
    """A password-only session (before the TOTP) and a made-up token reach nothing."""
    created = httpx.post(
        f"{office.server.admin}/admin/v1/staff",
        json={"username": "late", "password": STAFF_PASSWORD, "role": "compliance"},
        headers=bearer(office.staff["admin"]),
        timeout=30,
    )
    assert created.status_code == 201, created.text
    half = login(office.server.admin, "late").json()["token"]
    for path in (*REPORTS, *AUDIT):
        early = httpx.get(
            f"{office.server.admin}{path}", headers={"Authorization": f"Bearer {half}"}
        )
        assert early.status_code == 403 and early.json()["type"].endswith("/mfa-enrolment-required")
        forged = httpx.get(
            f"{office.server.admin}{path}", headers={"Authorization": "Bearer " + "x" * 43}
        )
        assert forged.status_code == 401, path


# -- the back-office operations -----------------------------------------------------------
#: (method, path, body) of each operation, and the permission it needs (the matrix's).
_WHY = {"reason": "an attempt"}
_KEY = {"Idempotency-Key": "idor-attempt-0001"}
OPERATIONS: tuple[tuple[str, str, dict[str, object] | None, str], ...] = (
    ("POST", "/admin/v1/adjustments/{adjustment}/approve", _WHY, "adjustment.approve"),
    ("POST", "/admin/v1/adjustments/{adjustment}/reject", _WHY, "adjustment.approve"),
    ("POST", "/admin/v1/players/{player}/freeze", _WHY, "account.control"),
    ("POST", "/admin/v1/players/{player}/close", _WHY, "account.control"),
    ("PUT", "/admin/v1/players/{player}/flags", {"flags": ["vip"], **_WHY}, "account.control"),
    (
        "POST",
        "/admin/v1/jackpots/adjust",
        {"game_id": "lotus-20", "currency": "EUR", "delta_minor": 1_00, **_WHY},
        "jackpot.adjust",
    ),
    ("GET", "/admin/v1/jackpots", None, "jackpot.view"),
    ("POST", "/admin/v1/games/lotus-20/disable", _WHY, "game.control"),
    ("GET", "/admin/v1/games", None, "game.control"),
    ("POST", "/admin/v1/rounds/no-such-round/settle", _WHY, "round.settle"),
    ("GET", "/admin/v1/withdrawals/queue", None, "withdrawal.review"),
    ("POST", "/admin/v1/withdrawals/withdrawal:x:y/approve", _WHY, "withdrawal.review"),
    ("GET", "/admin/v1/players/{player}?pii=true", None, "player.pii.view"),
)
#: Who may not, by role (croupier.domain.staff.ROLE_PERMISSIONS).
REFUSED = {
    "support": {
        "adjustment.approve",
        "account.control",
        "jackpot.adjust",
        "jackpot.view",
        "game.control",
        "round.settle",
        "withdrawal.review",
        "player.pii.view",
    },
    "payments": {
        "account.control",
        "jackpot.adjust",
        "jackpot.view",
        "game.control",
        "round.settle",
        "player.pii.view",
    },
    "risk": {"adjustment.approve", "jackpot.adjust", "game.control", "player.pii.view"},
    "compliance": {
        "adjustment.approve",
        "jackpot.adjust",
        "jackpot.view",
        "game.control",
        "round.settle",
        "withdrawal.review",
    },
}


@dataclass
class Targets:
    player: str
    adjustment: str
    cash_minor: int


@pytest.fixture(scope="module")
def targets(office: Office) -> Targets:
    """A funded player and a pending adjustment (above the four-eyes threshold) to aim at."""
    with httpx.Client(base_url=office.server.base, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json={
                "email": "target@example.com",
                "password": PLAYER_PASSWORD,
                "date_of_birth": "1990-04-01",
                "country": "MT",
                "currency": "EUR",
            },
        )
        assert created.status_code == 201, created.text
        player = created.json()["player_id"]
        login = {"email": "target@example.com", "password": PLAYER_PASSWORD}
        token = client.post("/v1/sessions", json=login).json()["token"]
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": 50_00},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "idor-deposit"},
        )
        assert paid.status_code == 201, paid.text
    asked = httpx.post(
        f"{office.server.admin}/admin/v1/adjustments",
        json={
            "player_id": player,
            "direction": "credit",
            "amount_minor": 500_00,
            "reason_code": "goodwill",
            "reason": "a target",
        },
        headers={**bearer(office.staff["support"]), "Idempotency-Key": "idor-target-adjustment"},
        timeout=30,
    )
    assert asked.status_code == 202, asked.text
    return Targets(player, "idor-target-adjustment", 50_00)


def _call(office: Office, role: str, method: str, path: str, body: object) -> httpx.Response:
    return httpx.request(
        method,
        f"{office.server.admin}{path}",
        json=body,
        headers={**bearer(office.staff[role]), **_KEY},
        timeout=30,
    )


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_each_role_is_refused_the_operations_its_role_lacks(
    office: Office, targets: Targets, role: str
) -> None:
    """Refused with 403 problem+json before anything changes, and recorded."""
    before = len(_forbidden_records(office))
    tried = 0
    for method, template, body, permission in OPERATIONS:
        if permission not in REFUSED[role]:
            continue
        path = template.format(player=targets.player, adjustment=targets.adjustment)
        answer = _call(office, role, method, path, body)
        assert answer.status_code == 403, f"{role} {method} {path}: {answer.text}"
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("/forbidden")
        tried += 1
    assert tried > 0
    assert len(_forbidden_records(office)[before:]) == tried
    # Nothing changed: the adjustment still waits, the account is active, the pool untouched.
    admin = bearer(office.staff["admin"])
    adjustment = httpx.get(
        f"{office.server.admin}/admin/v1/adjustments/{targets.adjustment}", headers=admin
    ).json()
    assert adjustment["state"] == "pending"
    view = httpx.get(f"{office.server.admin}/admin/v1/players/{targets.player}", headers=admin)
    assert view.json()["control"] == {"status": "active", "flags": [], "reason": ""}
    assert view.json()["wallet"]["cash"] == targets.cash_minor
    switches = httpx.get(f"{office.server.admin}/admin/v1/games", headers=admin).json()["items"]
    assert all(switch["enabled"] for switch in switches)
    pools = httpx.get(f"{office.server.admin}/admin/v1/jackpots", headers=admin).json()["items"]
    assert not [p for p in pools if "idor" in str(p)]


def test_the_roles_that_may_act_do(office: Office, targets: Targets) -> None:
    """The matrix's other side: risk freezes and unfreezes; payments sees the queue;
    compliance sees PII; support asks for an adjustment (and may view players)."""
    path = f"/admin/v1/players/{targets.player}"
    assert _call(office, "risk", "POST", f"{path}/freeze", _WHY).json()["status"] == "frozen"
    assert _call(office, "risk", "POST", f"{path}/unfreeze", _WHY).json()["status"] == "active"
    assert _call(office, "payments", "GET", "/admin/v1/withdrawals/queue", None).status_code == 200
    shown = _call(office, "compliance", "GET", f"{path}?pii=true", None)
    assert shown.json()["profile"]["email"] == "target@example.com"
    assert _call(office, "support", "GET", path, None).json()["profile"]["email"] != (
        "target@example.com"
    )


def test_the_refusals_tried_are_the_matrix() -> None:
    """REFUSED is written out so a reader sees it; it must be the enforced matrix."""
    for role, refused in REFUSED.items():
        for _, _, _, permission in OPERATIONS:
            wanted = not allows(Role(role), Permission(permission))
            assert (permission in refused) == wanted, (role, permission)
