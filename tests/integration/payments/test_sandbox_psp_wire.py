"""The sandbox PSPs' edges: authentication, refused bodies, script validation, webhook
configuration and delivery failures, the synchronous fixture, and a misrouted adapter."""

from __future__ import annotations

import asyncio
import sys
import time

import httpx
import pytest

from croupier.adapters.payments.provider_url import provider_from_url
from croupier.sandbox_psp import DeliveryPolicy
from croupier.services.payments.ports import ChargeRequest, Instrument, Outcome
from tests.support.psp import psp_server, running_inbox, running_psp

CARD = Instrument(kind="card", token="card_t1", country="DE", secret={"number": "4242424242424242"})
FLAVOURS = pytest.mark.parametrize("flavour", ["alpha", "beta"])
CHARGE_PATH = {"alpha": "/v1/charges", "beta": "/api/v2/payments"}


def charge(reference: str) -> ChargeRequest:
    return ChargeRequest(reference, "player-1", 1_000, "EUR", CARD)


@FLAVOURS
async def test_a_wrong_api_key_is_refused_and_moves_nothing(flavour: str) -> None:
    async with running_psp(flavour) as psp:
        url = psp.provider_url().replace(f"key={psp.settings.api_key}", "key=wrong")
        adapter = provider_from_url(url)
        answer = await adapter.charge(charge("c-1"))
        assert answer.outcome is Outcome.DECLINED and "401" in answer.reason
        assert await psp.payment("c-1") is None
        assert (await adapter.status("c-1")).outcome is Outcome.UNKNOWN
        await adapter.aclose()  # type: ignore[attr-defined]


@FLAVOURS
async def test_a_float_amount_is_refused_whole(flavour: str) -> None:
    async with running_psp(flavour) as psp:
        body = (
            {"reference": "c-1", "amount": 10.5, "currency": "EUR"}
            if flavour == "alpha"
            else {"merchantReference": "c-1", "amount": {"value": 10.5, "currency": "EUR"}}
        )
        headers = (
            {"Authorization": f"Bearer {psp.settings.api_key}"}
            if flavour == "alpha"
            else {"X-API-Key": psp.settings.api_key}
        )
        async with httpx.AsyncClient() as client:
            answer = await client.post(psp.url + CHARGE_PATH[flavour], json=body, headers=headers)
        assert answer.status_code == (400 if flavour == "alpha" else 422)
        assert "minor units" in answer.text
        assert await psp.payment("c-1") is None


async def test_a_behaviour_the_sandbox_cannot_follow_is_refused() -> None:
    async with running_psp("alpha") as psp, httpx.AsyncClient() as client:
        for body in (
            {"action": "explode"},
            {"action": "slow", "delay_ms": -1},
            {"action": "approve", "times": 0},
            {"action": "pending", "settle_as": "maybe"},
            {"action": "error", "status_code": 404},
        ):
            answer = await client.post(psp.url + "/_script", json=body)
            assert answer.status_code == 400, body
        assert (await client.get(psp.url + "/_script")).json() == {"behaviours": []}


async def test_a_misrouted_adapter_never_takes_a_404_for_not_found() -> None:
    async with running_psp("alpha") as psp:
        adapter = provider_from_url(psp.provider_url().replace(psp.url, psp.url + "/nowhere"))
        assert (await adapter.status("c-1")).outcome is Outcome.UNKNOWN
        await adapter.aclose()  # type: ignore[attr-defined]


@FLAVOURS
async def test_webhooks_wait_for_a_url_and_can_be_sent_again(flavour: str) -> None:
    async with running_inbox() as inbox, running_psp(flavour) as psp:
        adapter = psp.provider()
        await adapter.charge(charge("c-1"))
        assert [r["state"] for r in await psp.wait_deliveries()] == ["no_url"]
        await psp.set_webhook_url(inbox.url)
        await adapter.charge(charge("c-2"))
        first = await inbox.wait_for(1)
        records = await psp.wait_deliveries()
        async with httpx.AsyncClient() as client:
            again = {"event_id": records[1]["event_id"]}
            resent = await client.post(psp.url + "/_resend", json=again)
        assert resent.status_code == 200
        both = await inbox.wait_for(2)
        assert both[1].body == first[0].body
        await adapter.aclose()  # type: ignore[attr-defined]


async def test_a_delivery_refused_every_time_ends_failed_after_its_attempts() -> None:
    policy = DeliveryPolicy(attempts_max=3, backoff_ms=1, backoff_max_ms=4)
    async with running_inbox() as inbox, running_psp("beta", delivery=policy) as psp:
        await psp.set_webhook_url(inbox.url)
        inbox.fail_next(10)
        adapter = psp.provider()
        await adapter.charge(charge("c-1"))
        records = await psp.wait_deliveries()
        assert (records[0]["state"], records[0]["attempts"]) == ("failed", [500, 500, 500])
        await adapter.aclose()  # type: ignore[attr-defined]


def test_the_synchronous_fixture_serves_and_stops() -> None:
    with psp_server("beta") as psp:
        answer = httpx.get(psp.url + "/_health", timeout=5)
        assert answer.json() == {"ok": True}
        url = psp.url
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/_health", timeout=5)


async def test_the_sandbox_runs_on_its_own_and_prints_its_provider_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "croupier.sandbox_psp",
        "--flavour",
        "beta",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        provider_url = line.decode().strip()
        adapter = provider_from_url(provider_url)
        base = "http://" + provider_url.split("://", 1)[1].split("?", 1)[0]
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(base + "/_health")).status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                await asyncio.sleep(0.05)
        assert (await adapter.charge(charge("c-1"))).outcome is Outcome.APPROVED
        await adapter.aclose()  # type: ignore[attr-defined]
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
