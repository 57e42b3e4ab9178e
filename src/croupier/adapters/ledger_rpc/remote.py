"""The ``LedgerClient`` of a gateway: writes go to the active writer over NATS, reads go
straight to PostgreSQL.

Reads need no writer: every gateway opens the ledger's database read-only and sees
committed data, as the all-in-one server's readers do (many readers are what PostgreSQL is
good at). What the all-in-one server answers from its writer's memory (``latest_balance``,
the open pendings) comes from storage here: committed state, which may lag the batch being
committed at that moment by a few milliseconds. Those are for display and for recovery,
never for a decision about money: the writer decides, under its floors and guards.
"""

from __future__ import annotations

from collections.abc import Sequence

from croupier.adapters.ledger_rpc.client import RemoteSubmitter
from croupier.domain.ledger import Applied, Command
from croupier.services.ledger import Ledger
from croupier.services.ledger.ports import LedgerStore

__all__ = ["RemoteLedger"]


class RemoteLedger(Ledger):
    def __init__(self, store: LedgerStore, submitter: RemoteSubmitter) -> None:
        super().__init__(store, None)
        self.submitter = submitter

    async def submit(self, commands: Sequence[Command]) -> Applied:
        return await self.submitter.submit(commands)

    async def close(self) -> None:
        try:
            await self.submitter.close()
        finally:
            await super().close()
