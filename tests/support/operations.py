"""Helpers for back-office tests: staff actors, the security log's audit lines, the ledger's
verification, and a payment provider that counts its payouts (and can die once)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from croupier.adapters.payments import SandboxPaymentProvider
from croupier.bootstrap import Platform
from croupier.services.backoffice import Backoffice
from croupier.services.ledger import verify_ledger
from croupier.services.payments import PaymentResult

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


class CountingProvider:
    """The sandbox, counting payouts; ``fail_next`` dies once like a crash mid-call would."""

    name = "sandbox"

    def __init__(self, *, approve: bool = True) -> None:
        self.inner = SandboxPaymentProvider(approve=approve)
        self.payouts: list[tuple[str, int]] = []
        self.fail_next = False

    async def charge(
        self, *, player_id: str, amount_minor: int, currency: str, key: str
    ) -> PaymentResult:
        return await self.inner.charge(
            player_id=player_id, amount_minor=amount_minor, currency=currency, key=key
        )

    async def payout(
        self, *, player_id: str, amount_minor: int, currency: str, key: str
    ) -> PaymentResult:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionResetError("the process died while the provider was called")
        self.payouts.append((key, amount_minor))
        return await self.inner.payout(
            player_id=player_id, amount_minor=amount_minor, currency=currency, key=key
        )
