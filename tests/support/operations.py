"""Helpers for back-office tests: staff actors, the security log's audit lines, the ledger's
verification, and a payment provider that counts its payouts (and can die once)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from croupier.bootstrap import Platform
from croupier.services.backoffice import Backoffice
from croupier.services.ledger import verify_ledger
from tests.support.payments import Act, ScriptedProvider

ALICE = "staff:alice"
BOB = "staff:bob"
IP = "127.0.0.1"


def backoffice(platform: Platform) -> Backoffice:
    assert platform.backoffice is not None
    return platform.backoffice


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """Every audit entry the platform recorded (its security log, one JSON line each)."""
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "croupier.security"
    ]


def watch_audit(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="croupier.security")


async def assert_ledger_verifies(platform: Platform) -> None:
    report = await verify_ledger(platform.ledger.store)
    assert report.ok, report.problems


class CountingProvider(ScriptedProvider):
    """The scripted provider, listing the amounts it paid out; ``fail_next`` makes the next
    call die like a crash mid-call would (an unknown outcome)."""

    def __init__(self, *, approve: bool = True) -> None:
        super().__init__(default=Act.APPROVE if approve else Act.DECLINE)

    @property
    def payouts(self) -> list[int]:
        return [amount for kind, amount in self.moved.values() if kind == "payout"]

    @property
    def fail_next(self) -> bool:
        return bool(self.script)

    @fail_next.setter
    def fail_next(self, fail: bool) -> None:
        self.script.clear()
        if fail:
            self.script.append(Act.RAISE)
