"""Which PostgreSQL errors mean "the database cannot be reached now": a failover, a restart,
a primary turned read-only. A client should retry them (503 with Retry-After); they are
not a fault of the request, nor of Croupier (a 500)."""

from __future__ import annotations

import asyncpg

__all__ = ["POSTGRES_UNAVAILABLE"]

POSTGRES_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable
    TimeoutError,  # connecting or a query took longer than its budget
    asyncpg.PostgresConnectionError,  # class 08, and a connection closed under us
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shut down, cannot connect now
    asyncpg.ReadOnlySQLTransactionError,  # a standby, or a primary being demoted
)
