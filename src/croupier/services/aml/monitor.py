"""The AML rules engine: it watches the ledger through the handler table and raises flags
in the risk queue (docs/compliance.md, AML).

It hears every committed ``balance.changed`` of a deposit or a withdrawal (the writer's
commit path: it only queues the player and the transfer), and a task of its own examines
each: it reads the player's recent cash movements from the ledger (the durable truth, so a
restart loses nothing the rules need), runs :func:`croupier.domain.compliance.aml.evaluate`
and stores each finding as a flag named ``<rule>:<transfer id>``. The store keeps the first
of a name: an event heard twice (a replay, a restart's catch-up) raises nothing new.

It runs where the ledger writer runs (the all-in-one server, ``croupier writer``), since
that is where the handler table hears commits; gateways run none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.compliance.aml import AmlRules, Movement, MovementKind, evaluate
from croupier.domain.events.notices import BalanceChanged
from croupier.domain.ledger import Transfer, TransferKind
from croupier.services.aml.ports import RiskFlag, RiskStore
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.handlers import Committed, EventHandlers
from croupier.services.ledger import LedgerClient

__all__ = ["AmlMonitor", "movement_of"]

_log = logging.getLogger("croupier.aml")
#: The cash movements read per examination: far more than any rule's window holds for a
#: real player (a bot with more is flagged by velocity long before).
_HISTORY_ROWS = 1000
#: The payment reasons the engine examines (``BalanceChanged.reason``).
_WATCHED = frozenset({"deposit", "withdrawal"})


def movement_of(seq: int, transfer: Transfer) -> Movement | None:
    """A cash transfer as a movement the rules know, or None (a win, a void, a release)."""
    cash_out = transfer.debit_account_id.endswith(":cash")
    cash_in = transfer.credit_account_id.endswith(":cash")
    kind: MovementKind | None = None
    if transfer.reason == "deposit" and cash_in and transfer.kind is not TransferKind.PENDING:
        kind = MovementKind.DEPOSIT  # completed, not the intent
    elif transfer.reason == "withdrawal" and cash_out and transfer.kind is TransferKind.PENDING:
        kind = MovementKind.WITHDRAWAL  # the request (its reservation), paid or held
    elif transfer.reason == "stake" and cash_out and transfer.kind is not TransferKind.PENDING:
        kind = MovementKind.STAKE  # settled, not a reservation
    if kind is None:
        return None
    # Payment methods are not modelled yet: method None (see the closed-loop rule).
    return Movement(
        kind, transfer.id, transfer.amount_minor, transfer.currency, transfer.timestamp_ms, seq
    )


class AmlMonitor:
    def __init__(
        self,
        ledger: LedgerClient,
        store: RiskStore,
        audit: AuditTrail,
        rules: AmlRules,
        *,
        clock_ms: Callable[[], int],
    ) -> None:
        self.ledger = ledger
        self.store = store
        self.audit = audit
        self.rules = rules
        self._clock_ms = clock_ms
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def register(self, handlers: EventHandlers) -> None:
        handlers.on(BalanceChanged, self.committed)

    def committed(self, committed: Committed[BalanceChanged]) -> None:
        """The handler (in the commit path: it queues, never waits)."""
        record = committed.record
        if record.reason in _WATCHED:
            self._queue.put_nowait((record.player_id, record.transfer_id))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="aml-monitor")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def idle(self, timeout_s: float = 10.0) -> None:
        """Wait until every event heard so far is examined (tests, and a clean stop)."""
        await asyncio.wait_for(self._queue.join(), timeout_s)

    async def _run(self) -> None:
        while True:
            player_id, transfer_id = await self._queue.get()
            try:
                await self.examine(player_id, transfer_id)
            except Exception:  # said loudly; the next event is examined all the same
                _log.exception("AML examination of %s failed", transfer_id)
            finally:
                self._queue.task_done()

    async def examine(self, player_id: str, transfer_id: str) -> list[RiskFlag]:
        """Run the rules on one committed payment; the flags it newly raised."""
        rows = await self.ledger.history(cash_account_id(player_id), limit=_HISTORY_ROWS)
        history = [m for seq, t in rows if (m := movement_of(seq, t)) is not None]
        trigger = next((m for m in history if m.transfer_id == transfer_id), None)
        if trigger is None:  # older than the page read: examined when it was new
            _log.warning("AML: %s is not among %s's recent movements", transfer_id, player_id)
            return []
        raised = []
        for finding in evaluate(trigger, history, self.rules):
            flag = RiskFlag(
                flag_id=finding.flag_id,
                player_id=player_id,
                rule=finding.rule.value,
                transfer_id=trigger.transfer_id,
                amount_minor=trigger.amount_minor,
                currency=trigger.currency,
                detail=finding.detail,
                raised_at_ms=self._clock_ms(),
            )
            if await self.store.raise_flag(flag):
                raised.append(flag)
                await self.audit.record(
                    AuditEntry(
                        actor="system",
                        action="aml.flagged",
                        subject=f"player:{player_id}",
                        after={"flag_id": flag.flag_id, "rule": flag.rule},
                    )
                )
        return raised
