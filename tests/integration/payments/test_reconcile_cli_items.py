"""``croupier payments reconcile`` against a real sandbox PSP on both backends: a refund made
on the provider's dashboard and a chargeback the ledger never heard of (no webhook URL) are
lines found at the provider only. The command exits 1 and opens one queue item for each;
run again, it still exits 1 but opens nothing new."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from typer.testing import CliRunner

from croupier.bootstrap import Platform
from croupier.cli import app
from croupier.domain.payments.states import State
from croupier.services.payments.ports import Instrument
from tests.support.payments import use_providers
from tests.support.platform import funded_player
from tests.support.psp import SandboxPsp, running_psp
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)


class Cards:
    async def instrument(self, player_id: str, token: str) -> Instrument:
        return Instrument("card", token, "MT", {"number": "4111111111111111", "expiry": "12/30"})


async def _reconcile(platform: Platform, alpha: SandboxPsp) -> tuple[int, str]:
    env = {
        "CROUPIER_DATABASE_URL": platform.settings.database_url,
        "CROUPIER_PAYMENT_PROVIDERS": "alpha",
        "CROUPIER_PAYMENT_PROVIDER_ALPHA": alpha.provider_url(currencies="EUR", name="alpha"),
        **KEK_ENV,
    }
    today = dt.datetime.now(dt.UTC).date().isoformat()
    args = ["payments", "reconcile", "--date", today]
    result = await asyncio.to_thread(CliRunner().invoke, app, args, env=env)
    return result.exit_code, result.output


async def test_mismatches_open_queue_items_once_across_two_runs(platform: Platform) -> None:
    assert platform.payments is not None
    service = platform.payments.service
    service.instruments = Cards()
    player = await funded_player(platform, "recon@example.com", 100)  # the instant sandbox
    async with running_psp("alpha") as alpha:
        adapter = alpha.provider(currencies="EUR", name="alpha")
        use_providers(platform, adapter)
        try:
            for key, amount in (("recon-first", 1_000), ("recon-second", 700)):
                await platform.wallet.deposit(player, key, amount, card_token="card_recon")
            settled = await service.store.in_state(State.SETTLED, 10)
            by_amount = {row.amount_minor: row.reference for row in settled}
            refs = [by_amount[1_000], by_amount[700]]
            await alpha.dashboard_refund(refs[0], 300)
            await alpha.chargeback(refs[1])
            first_run = await _reconcile(platform, alpha)
            second_run = await _reconcile(platform, alpha)
        finally:
            await adapter.aclose()  # type: ignore[attr-defined]
    assert first_run[0] == 1, first_run[1]
    assert (
        "2 matches, 0 amount mismatches, 0 only in the ledger, 2 only at a provider"
        in (first_run[1])
    )
    assert "2 new items in the back office's reconciliation queue" in first_run[1]
    assert second_run[0] == 1, second_run[1]
    assert "0 new items" in second_run[1]
    items = await service.store.reconciliation_items(resolved=False, limit=10)
    assert sorted((i.reference, i.kind, i.problem) for i in items) == sorted(
        [
            (refs[0], "refund", "only-at-provider"),
            (refs[1], "chargeback", "only-at-provider"),
        ]
    )
    assert {i.provider_minor for i in items} == {300, 700}
    assert all(i.ledger_minor is None and i.currency == "EUR" for i in items)
