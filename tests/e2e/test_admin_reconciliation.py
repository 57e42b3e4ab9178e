"""The back office's reconciliation queue on a real ``croupier serve``: only staff with the
``payments`` permission list and resolve items; the list pages by cursor and filters open
from resolved; resolving needs a note, happens once (then 409) and is on the audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from croupier.adapters.storage.payments_store import make_payment_store
from croupier.services.payments.reconciliation_items import ReconciliationItem
from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)

QUEUE = "/admin/v1/payments/reconciliation"


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[str, str, Staff, Staff, Staff]]:
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    create_staff(database_url, tmp_path, "pat", "payments")
    create_staff(database_url, tmp_path, "sam", "support")
    create_staff(database_url, tmp_path, "ada", "admin")
    with running_server(database_url) as base:
        admin = admin_url(base)
        yield (
            database_url,
            admin,
            enrolled(admin, "pat"),
            enrolled(admin, "sam"),
            enrolled(admin, "ada"),
        )


async def _open_items(database_url: str, count: int) -> None:
    """What ``croupier payments reconcile`` opens (its own test drives it against a PSP)."""
    store = make_payment_store(database_url)
    await store.open()
    try:
        items = [
            ReconciliationItem(
                "2026-12-06", "alpha", f"pay_{n}-a1", "charge", 1_000, 900, "EUR",
                "amount-mismatch", 5_000,
            )
            for n in range(count)
        ]  # fmt: skip
        assert await store.open_items(items) == count
    finally:
        await store.close()


def test_payments_staff_page_and_resolve_the_queue_once_audited(
    setup: tuple[str, str, Staff, Staff, Staff],
) -> None:
    database_url, admin, pat, sam, ada = setup
    asyncio.run(_open_items(database_url, 3))
    with httpx.Client(base_url=admin, timeout=30) as client:
        assert client.get(QUEUE, headers=bearer(sam)).status_code == 403
        denied = client.post(f"{QUEUE}/1/resolve", json={"note": "x"}, headers=bearer(sam))
        assert denied.status_code == 403
        first = client.get(QUEUE, params={"limit": 2}, headers=bearer(pat))
        assert first.status_code == 200, first.text
        page = first.json()
        assert [i["reference"] for i in page["items"]] == ["pay_0-a1", "pay_1-a1"]
        assert page["items"][0]["problem"] == "amount-mismatch"
        assert (page["items"][0]["ledger_minor"], page["items"][0]["provider_minor"]) == (
            1_000,
            900,
        )
        rest = client.get(
            QUEUE, params={"limit": 2, "cursor": page["next_cursor"]}, headers=bearer(pat)
        ).json()
        assert [i["reference"] for i in rest["items"]] == ["pay_2-a1"]
        assert rest["next_cursor"] is None
        item_id = page["items"][0]["id"]

        for bad in ({}, {"note": ""}, {"note": "   "}, {"note": "ok", "extra": 1}):
            refused = client.post(f"{QUEUE}/{item_id}/resolve", json=bad, headers=bearer(pat))
            assert refused.status_code == 422, (bad, refused.text)
        missing = client.post(f"{QUEUE}/999/resolve", json={"note": "x"}, headers=bearer(pat))
        assert missing.status_code == 404
        assert client.get(QUEUE, params={"state": "closed"}, headers=bearer(pat)).status_code == 422

        note = {"note": "provider fee of 1.00 EUR, booked by finance"}
        done = client.post(f"{QUEUE}/{item_id}/resolve", json=note, headers=bearer(pat))
        assert done.status_code == 200, done.text
        assert done.json()["note"] == note["note"] and done.json()["resolved_by"]
        again = client.post(f"{QUEUE}/{item_id}/resolve", json=note, headers=bearer(pat))
        assert again.status_code == 409, again.text
        assert again.headers["content-type"].startswith("application/problem+json")

        still_open = client.get(QUEUE, headers=bearer(pat)).json()["items"]
        assert [i["reference"] for i in still_open] == ["pay_1-a1", "pay_2-a1"]
        resolved = client.get(QUEUE, params={"state": "resolved"}, headers=bearer(pat))
        assert [i["id"] for i in resolved.json()["items"]] == [item_id]
        # "reconciliation" is not taken for a payment id
        assert client.get("/admin/v1/payments/pay_missing", headers=bearer(pat)).status_code == 404

        trail = client.get(
            "/admin/v1/audit",
            params={"action": "payment.reconciliation-resolved"},
            headers=bearer(ada),
        )
        assert trail.status_code == 200, trail.text
        records = trail.json()["items"]
        assert [(r["subject"], r["reason"]) for r in records] == [
            (f"reconciliation:{item_id}", note["note"])
        ]
