"""In a cluster the bonus engine's deposit matches run on the active ``croupier writer``,
whose handler table hears every commit (docs/bonuses.md): staff define a deposit match on a
gateway, a player opts in there and deposits there, and the writer grants the match, which
the gateway then shows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.backoffice import bearer, create_staff, enrolled
from tests.support.held import register_and_login
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.roles import WAIT_S, Roles, wait_active
from tests.support.server import free_port

pytestmark = pytest.mark.timeout(300)

MATCH = {
    "name": "Welcome match",
    "kind": "deposit-match",
    "currency": "EUR",
    "match_percent": 50,
    "match_cap_minor": 2_000,
    "wagering_multiple": 2,
}


@pytest.fixture
def roles(postgres_url: str, nats_stream_url: str) -> Iterator[Roles]:  # noqa: F811
    started = Roles(postgres_url, nats_stream_url)
    try:
        yield started
    finally:
        started.stop_all()


def test_a_deposit_through_a_gateway_gets_its_match_from_the_writer(
    roles: Roles, tmp_path: Path
) -> None:
    wait_active(roles.writer("writer"))
    admin_port = free_port()
    gateway = roles.gateway("gateway", CROUPIER_ADMIN_PORT=str(admin_port))
    admin = f"http://127.0.0.1:{admin_port}"
    create_staff(roles.database_url, tmp_path, "ada", "admin")
    ada = enrolled(admin, "ada")
    made = httpx.put(
        f"{admin}/admin/v1/bonus-offers/welcome", json=MATCH, headers=bearer(ada), timeout=30
    )
    assert made.status_code == 200, made.text
    auth = register_and_login(gateway.url, "matched@example.com")
    with httpx.Client(base_url=gateway.url, headers=auth, timeout=30) as client:
        claimed = client.post("/v1/bonuses/offers/welcome/claim")
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["waiting_for_deposit"] == "welcome"
        paid = client.post(
            "/v1/wallet/deposits",
            json={"amount": 3_000},
            headers={"Idempotency-Key": "matched-deposit"},
        )
        assert paid.status_code == 201, paid.text
        deadline = time.monotonic() + WAIT_S
        while True:  # granted off the commit path, on the writer's own task
            bonuses = client.get("/v1/bonuses").json()
            if bonuses["active"]:
                break
            assert time.monotonic() < deadline, f"no match within {WAIT_S} s: {bonuses}"
            time.sleep(0.2)
        [active] = bonuses["active"]
        assert (active["amount"], active["deposit"]) == (1_500, 3_000)
        assert bonuses["waiting_for_deposit"] is None
        wallet = client.get("/v1/wallet").json()
        assert (wallet["cash"], wallet["bonus"]) == (3_000, 1_500)
