"""Staff roles and what each may do: the least-privilege matrix, in one place.

Every admin route names the one :class:`Permission` it needs; :func:`allows` is the only
check (``api/admin`` calls it for every request). ``docs/backoffice.md`` prints this matrix.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLE_PERMISSIONS", "Permission", "Role", "allows"]


class Role(StrEnum):
    SUPPORT = "support"
    PAYMENTS = "payments"
    RISK = "risk"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


class Permission(StrEnum):
    PLAYER_VIEW = "player.view"  # search, profile, wallet, rounds, sessions
    PLAYER_PII_VIEW = "player.pii.view"  # email, date of birth, address in clear
    ACCOUNT_CONTROL = "account.control"  # freeze, close, unfreeze
    ADJUSTMENT_REQUEST = "adjustment.request"
    ADJUSTMENT_APPROVE = "adjustment.approve"  # never one's own (four-eyes)
    WITHDRAWAL_REVIEW = "withdrawal.review"  # approve or decline a held withdrawal
    ROUND_SETTLE = "round.settle"  # force-settle a stuck round through recovery
    JACKPOT_VIEW = "jackpot.view"
    JACKPOT_ADJUST = "jackpot.adjust"
    GAME_CONTROL = "game.control"  # enable or disable a game
    REPORT_VIEW = "report.view"
    AUDIT_VIEW = "audit.view"
    STAFF_MANAGE = "staff.manage"  # create staff, change roles, reset their MFA
    METRICS_VIEW = "metrics.view"
    KYC_REVIEW = "kyc.review"  # the KYC queue, documents unsealed; verify or reject
    RISK_VIEW = "risk.view"  # the AML risk queue and the suspicious-activity export
    RISK_RESOLVE = "risk.resolve"  # close a risk flag with a reason
    EXCLUSIONS_VIEW = "exclusions.view"  # the list of players timed out or self-excluded now
    PAYMENTS = "payments"  # the payments review queue; refunds of deposits
    PROMOTIONS_MANAGE = "promotions.manage"  # leaderboards and slot tournaments


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPPORT: frozenset({_P.PLAYER_VIEW, _P.ADJUSTMENT_REQUEST}),
    Role.PAYMENTS: frozenset(
        {
            _P.PLAYER_VIEW,
            _P.ADJUSTMENT_REQUEST,
            _P.ADJUSTMENT_APPROVE,
            _P.WITHDRAWAL_REVIEW,
            _P.REPORT_VIEW,
            _P.PAYMENTS,
        }
    ),
    Role.RISK: frozenset(
        {
            _P.PLAYER_VIEW,
            _P.ACCOUNT_CONTROL,
            _P.WITHDRAWAL_REVIEW,
            _P.ROUND_SETTLE,
            _P.JACKPOT_VIEW,
            _P.REPORT_VIEW,
            _P.RISK_VIEW,
            _P.RISK_RESOLVE,
        }
    ),
    Role.COMPLIANCE: frozenset(
        {
            _P.PLAYER_VIEW,
            _P.PLAYER_PII_VIEW,
            _P.ACCOUNT_CONTROL,
            _P.REPORT_VIEW,
            _P.AUDIT_VIEW,
            _P.KYC_REVIEW,
            _P.RISK_VIEW,
            _P.RISK_RESOLVE,
            _P.EXCLUSIONS_VIEW,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether staff with ``role`` may do what ``permission`` names."""
    return permission in ROLE_PERMISSIONS[role]
