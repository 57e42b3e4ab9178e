"""Staff of the operator: accounts, roles, login with a password and TOTP (the back office)."""

from croupier.services.staff.factors import Enrolment
from croupier.services.staff.ports import (
    SessionStage,
    StaffMember,
    StaffSession,
    StaffStatus,
    StaffStore,
    StoredStaff,
)
from croupier.services.staff.service import StaffLogin, StaffService, normalise_username

__all__ = [
    "Enrolment",
    "SessionStage",
    "StaffLogin",
    "StaffMember",
    "StaffService",
    "StaffSession",
    "StaffStatus",
    "StaffStore",
    "StoredStaff",
    "normalise_username",
]
