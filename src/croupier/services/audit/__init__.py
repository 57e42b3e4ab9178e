"""The audit trail: every staff action and every security event of a player."""

from croupier.services.audit.ports import AuditEntry, AuditTrail

__all__ = ["AuditEntry", "AuditTrail"]
