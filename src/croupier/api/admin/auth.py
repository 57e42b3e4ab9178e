"""Who is calling the admin API, and whether their role allows it: ``require(Permission.X)``.

Every admin route but login names the one permission it needs::

    @router.get("/players/{player_id}")
    async def view(staff: Annotated[StaffPrincipal, Depends(require(Permission.PLAYER_VIEW))]):
        ...

:func:`croupier.domain.staff.allows` is the only check; an enrolment session (password
only) passes none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from croupier.api.http.auth import bearer_token
from croupier.bootstrap import Platform
from croupier.domain.errors import EnrolmentRequired, Forbidden
from croupier.domain.staff import Permission, Role, allows
from croupier.services.audit import AuditEntry
from croupier.services.staff import SessionStage, StaffMember, StaffService, StaffSession

__all__ = [
    "CurrentSession",
    "StaffPrincipal",
    "client_ip",
    "current_session",
    "require",
    "staff_service",
]


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    """The staff member a request acts as: what audit entries name (``actor``)."""

    staff_id: str
    role: Role
    source_ip: str | None

    @property
    def actor(self) -> str:
        return f"staff:{self.staff_id}"


def client_ip(request: Request) -> str | None:
    """The client's address, as uvicorn gives it (a trusted proxy's header applied)."""
    return request.client.host if request.client else None


def staff_service(request: Request) -> StaffService:
    platform: Platform = request.app.state.platform
    if platform.staff is None:  # open_platform always sets it; a hand-made Platform may not
        raise RuntimeError("this platform has no staff service")
    return platform.staff


async def current_session(
    request: Request, token: Annotated[str, Depends(bearer_token)]
) -> tuple[StaffMember, StaffSession]:
    """The staff member and session of the bearer token, whatever its stage."""
    return await staff_service(request).authenticate(token)


CurrentSession = Annotated[tuple[StaffMember, StaffSession], Depends(current_session)]


def require(permission: Permission) -> Callable[..., Awaitable[StaffPrincipal]]:
    """A FastAPI dependency: the caller, if their session is a full one and their role has
    ``permission``; else 403 problem+json, and the refusal is audited."""

    async def dependency(request: Request, found: CurrentSession) -> StaffPrincipal:
        member, session = found
        principal = StaffPrincipal(member.staff_id, member.role, client_ip(request))
        if session.stage is not SessionStage.FULL:
            raise EnrolmentRequired("enrol a TOTP first: POST /admin/v1/mfa/enrol")
        if not allows(member.role, permission):
            await request.app.state.platform.audit.record(
                AuditEntry(
                    actor=principal.actor,
                    action="admin.forbidden",
                    subject=f"{request.method} {request.url.path}",
                    source_ip=principal.source_ip,
                    reason=f"role {member.role} lacks {permission}",
                )
            )
            raise Forbidden(f"the {member.role} role may not do this ({permission})")
        return principal

    dependency.__name__ = f"require_{permission.name.lower()}"
    return dependency
