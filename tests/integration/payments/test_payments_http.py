"""The payments API: the instant sandbox answers a deposit 201 at once (``make run``), a
pending one is 202 with its payment id, and a provider's signed webhook settles it exactly
once; a webhook that does not verify is 401 and changes nothing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from croupier.api.http.app import create_app
from croupier.bootstrap import Platform
from croupier.services.payments.ports import Instrument
from tests.support.payments import use_providers
from tests.support.platform import PASSWORD
from tests.support.psp import running_inbox, running_psp

pytestmark = pytest.mark.timeout(120)


class Cards:
    async def instrument(self, player_id: str, token: str) -> Instrument:
        return Instrument("card", token, "MT", {"number": "4111111111111111", "expiry": "12/30"})


@asynccontextmanager
async def client_of(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform.settings, platform=platform)
    app.state.platform = platform  # the lifespan (which sets it) does not run in process
    transport = httpx.ASGITransport(app, client=("127.0.0.1", 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://croupier") as client:
        yield client


async def _player(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    registration = {
        "email": email,
        "password": PASSWORD,
        "date_of_birth": "1990-01-01",
        "country": "MT",
        "currency": "EUR",
    }
    assert (await client.post("/v1/players", json=registration)).status_code == 201
    session = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {session.json()['token']}"}


async def test_the_instant_sandbox_settles_a_newcomers_deposit_at_once(
    platform: Platform,
) -> None:
    async with client_of(platform) as client:
        auth = await _player(client, "newcomer@example.com")
        deposit = await client.post(
            "/v1/wallet/deposits",
            json={"amount": 2_500},
            headers={**auth, "Idempotency-Key": "newcomer-0001"},
        )
        assert deposit.status_code == 201, deposit.text
        assert deposit.json()["state"] == "settled"
        payment_id = deposit.json()["payment_id"]
        shown = await client.get(f"/v1/payments/{payment_id}", headers=auth)
        assert shown.json()["state"] == "settled" and shown.json()["amount"] == 2_500
        other = await _player(client, "other@example.com")
        assert (await client.get(f"/v1/payments/{payment_id}", headers=other)).status_code == 404
        assert (await client.get("/v1/wallet", headers=auth)).json()["cash"] == 2_500


async def test_a_pending_deposit_is_settled_once_by_its_signed_webhook(
    platform: Platform,
) -> None:
    assert platform.payments is not None
    platform.payments.service.instruments = Cards()
    async with (
        running_inbox() as inbox,
        running_psp("alpha", webhook_url=inbox.url) as alpha,
        client_of(platform) as client,
    ):
        provider = alpha.provider(currencies="EUR")
        use_providers(platform, provider)
        try:
            auth = await _player(client, "webhook@example.com")
            await alpha.script("pending", settle_after_ms=None)
            deposit = await client.post(
                "/v1/wallet/deposits",
                json={"amount": 1_000, "card_token": "card_webhook1"},
                headers={**auth, "Idempotency-Key": "webhook-0001"},
            )
            assert deposit.status_code == 202, deposit.text
            body = deposit.json()
            assert body["state"] == "pending"
            payment = f"/v1/payments/{body['payment_id']}"
            await alpha.settle(f"{body['payment_id']}-a1")
            delivery = (await inbox.wait_for(1))[0]
            forged = await client.post(
                "/v1/payments/webhooks/alpha",
                content=delivery.body.replace(b"1000", b"9000"),
                headers=delivery.headers,
            )
            assert forged.status_code == 401
            assert (await client.get(payment, headers=auth)).json()["state"] == "pending"
            results = []
            for _ in range(2):
                answer = await client.post(
                    "/v1/payments/webhooks/alpha", content=delivery.body, headers=delivery.headers
                )
                assert answer.status_code == 200, answer.text
                results.append(answer.json()["result"])
            assert results == ["applied", "duplicate"]
            assert (await client.get(payment, headers=auth)).json()["state"] == "settled"
            assert (await client.get("/v1/wallet", headers=auth)).json()["cash"] == 1_000
        finally:
            await provider.aclose()  # type: ignore[attr-defined]


async def test_an_unknown_provider_is_404_and_a_stale_signature_401(platform: Platform) -> None:
    async with client_of(platform) as client:
        missing = await client.post("/v1/payments/webhooks/nobody", content=b"{}")
        assert missing.status_code == 404
        stale = await client.post(
            "/v1/payments/webhooks/sandbox",
            content=b"{}",
            headers={"X-Timestamp": str(time.time_ns() // 10**6 - 3_600_000)},
        )
        assert stale.status_code == 401


async def test_a_vault_card_pays_in_and_the_withdrawal_goes_back_to_it(platform: Platform) -> None:
    """The composition root hands the card vault to the payments layer: a card added through
    the API funds a deposit by its token, and the closed loop sends the withdrawal back to it
    (another card is refused, and nothing is reserved)."""
    async with client_of(platform) as client:
        auth = await _player(client, "card-holder@example.com")

        async def add_card(number: str) -> str:
            card = {
                "number": number,
                "exp_month": 12,
                "exp_year": 2040,
                "holder_name": "Card Holder",
            }
            added = await client.post("/v1/cards", json=card, headers=auth)
            assert added.status_code == 201, added.text
            return str(added.json()["token"])

        visa, mastercard = await add_card("4000004700000007"), await add_card("5555004700000003")
        deposit = await client.post(
            "/v1/wallet/deposits",
            json={"amount": 5_000, "card_token": visa},
            headers={**auth, "Idempotency-Key": "card-deposit-01"},
        )
        assert deposit.status_code == 201, deposit.text
        elsewhere = await client.post(
            "/v1/wallet/withdrawals",
            json={"amount": 1_000, "card_token": mastercard},
            headers={**auth, "Idempotency-Key": "card-withdraw-01"},
        )
        assert elsewhere.status_code == 422, elsewhere.text
        assert (await client.get("/v1/wallet", headers=auth)).json()["cash"] == 5_000
        back = await client.post(
            "/v1/wallet/withdrawals",
            json={"amount": 1_000, "card_token": visa},
            headers={**auth, "Idempotency-Key": "card-withdraw-02"},
        )
        assert back.status_code == 201, back.text
        assert (await client.get("/v1/wallet", headers=auth)).json()["cash"] == 4_000
