"""IDOR across staff roles: a staff member reaching for the reports or the audit trail that
their role does not allow gets 403 problem+json, sees no figure, and the attempt is recorded
(``admin.forbidden``); the roles that may, can."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.backoffice import Server, Staff, bearer, create_staff, enrolled, login
from tests.support.server import admin_url, running_server
from tests.support.staff import STAFF_PASSWORD

pytestmark = pytest.mark.timeout(180)

REPORTS = ("/admin/v1/reports/ggr", "/admin/v1/reports/rtp", "/admin/v1/reports/liabilities")
AUDIT = ("/admin/v1/audit", "/admin/v1/audit/verify")


@dataclass
class Office:
    server: Server
    staff: dict[str, Staff]  # by role


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    tmp = tmp_path_factory.mktemp("roles")
    database_url = f"sqlite:///{tmp}/roles.db"
    roles = ("admin", "support", "payments", "compliance")
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
