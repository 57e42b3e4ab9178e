"""The least-privilege matrix: what each role may do, that every admin route asks it, and that
docs/backoffice.md prints the matrix the code enforces."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from croupier.api.admin import ROUTERS
from croupier.domain.staff import ROLE_PERMISSIONS, Permission, Role, allows
from croupier.services.staff import factors

DOC = Path(__file__).parents[2] / "docs" / "backoffice.md"
#: The admin routes any logged-in staff member reaches, whatever the role: their own
#: session and its enrolment. /metrics checks its permission itself (a scrape token too).
_SESSION_ROUTES = {
    ("POST", "/admin/v1/login"),
    ("POST", "/admin/v1/logout"),
    ("GET", "/admin/v1/me"),
    ("POST", "/admin/v1/mfa/enrol"),
    ("POST", "/admin/v1/mfa/confirm"),
    ("GET", "/metrics"),
}


def permission_table() -> str:
    """The matrix as docs/backoffice.md shows it (Markdown, one row per permission)."""
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(str(role) for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = ["✓" if allows(role, permission) else "" for role in roles]
        lines.append(f"| `{permission}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_documented_matrix_is_the_enforced_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- matrix -->\n(.*?)\n<!-- /matrix -->", text, re.DOTALL)
    assert found is not None, "docs/backoffice.md lost its <!-- matrix --> markers"
    assert found.group(1).strip() == permission_table(), (
        "docs/backoffice.md's matrix differs from ROLE_PERMISSIONS; paste:\n" + permission_table()
    )


def test_only_admins_manage_staff_and_nobody_but_admins_holds_everything() -> None:
    assert [role for role in Role if allows(role, Permission.STAFF_MANAGE)] == [Role.ADMIN]
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    for role in set(Role) - {Role.ADMIN}:
        assert ROLE_PERMISSIONS[role] < frozenset(Permission), role


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_players_but_only_compliance_and_admin_see_their_pii(role: Role) -> None:
    assert allows(role, Permission.PLAYER_VIEW)
    assert allows(role, Permission.PLAYER_PII_VIEW) == (role in (Role.COMPLIANCE, Role.ADMIN))


def test_support_can_ask_for_an_adjustment_but_not_approve_one() -> None:
    assert allows(Role.SUPPORT, Permission.ADJUSTMENT_REQUEST)
    assert not allows(Role.SUPPORT, Permission.ADJUSTMENT_APPROVE)
    assert not allows(Role.SUPPORT, Permission.WITHDRAWAL_REVIEW)


def _admin_routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def test_every_admin_route_but_the_session_ones_requires_a_permission() -> None:
    """A router added without ``require(...)`` fails here, not in production."""
    unguarded = []
    for route in _admin_routes():
        for method in route.methods:
            if (method, route.path) in _SESSION_ROUTES:
                continue
            names = {getattr(dep.call, "__name__", "") for dep in _dependencies(route)}
            if not any(name.startswith("require_") for name in names):
                unguarded.append(f"{method} {route.path}")
    assert unguarded == []


def test_every_admin_route_is_under_admin_v1_or_metrics() -> None:
    for route in _admin_routes():
        assert route.path.startswith("/admin/v1/") or route.path == "/metrics", route.path


def _dependencies(route: APIRoute) -> list:  # type: ignore[type-arg]
    pending, seen = list(route.dependant.dependencies), []
    while pending:
        dependency = pending.pop()
        seen.append(dependency)
        pending.extend(dependency.dependencies)
    return [dependency for dependency in seen if dependency.call is not None]


def test_the_factor_examples_hold() -> None:
    assert doctest.testmod(factors).failed == 0


def test_recovery_codes_are_read_as_typed() -> None:
    assert factors.normalise_recovery_code(" ABCD-efgh ijkl ") == "abcdefghijkl"
    digest = factors.recovery_code_sha256("s1", "abcd-efgh")
    assert digest == factors.recovery_code_sha256("s1", "ABCDEFGH")
    assert digest != factors.recovery_code_sha256("s2", "abcd-efgh")  # salted with the staff id


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"])
def test_a_malformed_totp_code_matches_no_step(code: str) -> None:
    assert factors.matching_step("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", code, now_s=1_000_000) is None
