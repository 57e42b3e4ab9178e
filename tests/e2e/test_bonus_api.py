"""Bonuses over HTTP and WebSocket on a real ``croupier serve`` (docs/bonuses.md): staff
define an offer (``promotions.manage`` only, bad ones 422), a player claims it, plays until
the wagering is done and hears every step on their stream; a withdrawal with an active
bonus is warned first (409 with the amount), then forfeits it once confirmed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.server import admin_url, running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(240)

OFFER = {
    "name": "Five free",
    "kind": "no-deposit",
    "currency": "EUR",
    "amount_minor": 500,
    "wagering_multiple": 2,
    "max_bet_minor": 200,
}


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[str, str, Staff, Staff]]:
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    create_staff(database_url, tmp_path, "ada", "admin")
    create_staff(database_url, tmp_path, "sam", "support")
    with running_server(database_url) as base:
        admin = admin_url(base)
        yield base, admin, enrolled(admin, "ada"), enrolled(admin, "sam")


def _define(admin: str, ada: Staff, sam: Staff) -> None:
    with httpx.Client(base_url=admin, timeout=30) as client:
        path = "/admin/v1/bonus-offers/five-free"
        assert client.put(path, json=OFFER, headers=bearer(sam)).status_code == 403
        bad = client.put(path, json={**OFFER, "wagering_multiple": -1}, headers=bearer(ada))
        assert bad.status_code == 422 and "wagering_multiple" in bad.text
        made = client.put(path, json=OFFER, headers=bearer(ada))
        assert made.status_code == 200, made.text
        listed = client.get("/admin/v1/bonus-offers", headers=bearer(ada)).json()["items"]
        assert [offer["offer_id"] for offer in listed] == ["five-free"]


def _wallet(client: httpx.Client, auth: dict[str, str]) -> tuple[int, int]:
    wallet = client.get("/v1/wallet", headers=auth).json()
    return wallet["cash"], wallet["bonus"]


async def test_claim_play_convert_and_hear_it_live(setup: tuple[str, str, Staff, Staff]) -> None:
    base, admin, ada, sam = setup
    _define(admin, ada, sam)
    with httpx.Client(base_url=base, timeout=30) as client:
        auth = _register_and_login(client, "bonus@example.com")
        token = auth["Authorization"].removeprefix("Bearer ")
        offers = client.get("/v1/bonuses", headers=auth).json()
        assert [offer["offer_id"] for offer in offers["offers"]] == ["five-free"]
        async with ws_client(base, token) as live:
            subscribed = await live.request({"type": "subscribe", "channel": "player"})
            stream = subscribed["stream"]
            claimed = client.post("/v1/bonuses/offers/five-free/claim", headers=auth)
            assert claimed.status_code == 200, claimed.text
            active = claimed.json()["active"][0]
            assert (active["amount"], active["requirement"], active["wagered"]) == (500, 1000, 0)
            again = client.post("/v1/bonuses/offers/five-free/claim", headers=auth)
            assert again.status_code == 409 and again.json()["type"].endswith("bonus-not-available")
            assert _wallet(client, auth) == (0, 500)
            too_big = client.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 400},
                headers={**auth, "Idempotency-Key": "spin-too-big"},
            )
            assert too_big.status_code == 409 and "bonus-max-bet" in too_big.json()["type"]
            assert _wallet(client, auth) == (0, 500)
            outcome = await _play_until_ended(client, auth)
            events: list[dict[str, Any]] = []
            for _ in range(50):  # every notice, whatever order they arrive in
                events = await live.wait_events(len(events) + 1, stream)
                if events[-1]["type"] == f"bonus.{outcome}":
                    break
            kinds = [event["type"] for event in events if event["type"].startswith("bonus.")]
            assert kinds[0] == "bonus.granted" and kinds[-1] == f"bonus.{outcome}"
            assert kinds.count(f"bonus.{outcome}") == 1
    with httpx.Client(base_url=base, timeout=30) as client:
        session = client.post(
            "/v1/sessions",
            json={"email": "bonus@example.com", "password": "correct horse battery staple"},
        )
        auth = {"Authorization": f"Bearer {session.json()['token']}"}
        after = client.get("/v1/bonuses", headers=auth).json()
        assert after["active"] == [] and after["offers"] == []  # claimed once, ever
        assert _wallet(client, auth)[1] == 0


async def _play_until_ended(client: httpx.Client, auth: dict[str, str]) -> str:
    for spin in range(100):
        view = client.get("/v1/bonuses", headers=auth).json()
        if not view["active"]:
            break
        cash, bonus = _wallet(client, auth)
        stake = min(100, (cash + bonus) // 20 * 20)
        if not stake:
            assert client.post("/v1/bonuses/forfeit", headers=auth).status_code == 200
            return "forfeited"
        played = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": stake},
            headers={**auth, "Idempotency-Key": f"bonus-spin-{spin:03d}"},
        )
        assert played.status_code == 201, played.text
    cash, _ = _wallet(client, auth)
    return "converted" if cash > 0 else "lost"


def test_a_withdrawal_warns_then_forfeits(setup: tuple[str, str, Staff, Staff]) -> None:
    base, admin, ada, sam = setup
    _define(admin, ada, sam)
    with httpx.Client(base_url=base, timeout=30) as client:
        auth = _register_and_login(client, "withdraw@example.com")
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": 5_000},
            headers={**auth, "Idempotency-Key": "bonus-deposit-1"},
        )
        assert paid.status_code == 201, paid.text
        assert client.post("/v1/bonuses/offers/five-free/claim", headers=auth).status_code == 200
        key = {**auth, "Idempotency-Key": "bonus-withdraw-1"}
        warned = client.post("/v1/wallet/withdrawals", json={"amount": 1_000}, headers=key)
        assert warned.status_code == 409, warned.text
        problem = warned.json()
        assert problem["type"].endswith("bonus-forfeit-required")
        assert problem["forfeit_amount"] == 500 and problem["bonus_id"]
        assert _wallet(client, auth) == (5_000, 500)  # nothing changed
        confirmed = client.post(
            "/v1/wallet/withdrawals", json={"amount": 1_000, "forfeit_bonus": True}, headers=key
        )
        assert confirmed.status_code == 201, confirmed.text
        assert _wallet(client, auth) == (4_000, 0)
        view = client.get("/v1/bonuses", headers=auth).json()
        assert view["active"] == []
