"""Blocked attempts leave a record a regulator can query (docs/compliance.md, "Blocked
attempts"): a 451 at registration, login or a request is counted by stage, reason and
country (the Prometheus counter), audited (and so on the security log) with the address's
network rather than the address, folded when it repeats, and bounded per minute; a 403
self-excluded login is counted beside its own audit record. In process on both engines,
with the sandbox locations and an injected compliance clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import generate_latest

from croupier.adapters.geo import SandboxLocationProvider
from croupier.adapters.jurisdiction_files import load_profiles
from croupier.api.http.app import create_app
from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts import Player
from croupier.domain.compliance.geo import Location
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.errors import GeoBlocked
from croupier.services.audit import AuditEntry
from croupier.services.audit.ports import AuditQuery
from croupier.services.compliance.blocked import BlockedAttempt, BlockedAttempts
from croupier.services.compliance.gate import ComplianceGate
from croupier.services.compliance.geolocation import PrivateAddressPolicy
from tests.integration.test_compliance_gate import Clock, client_at, player
from tests.support.platform import PASSWORD
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)

FRANCE = "2001:db8:250::10"  # the sandbox's France: no licence
GB = "2001:db8:826::10"
NJ = "192.0.2.10"
PENNSYLVANIA = "192.0.2.130"
VPN = "203.0.113.10"  # a VPN exit claiming New Jersey


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[tuple[Platform, Clock]]:
    settings = load_settings(
        {**KEK_ENV, "CROUPIER_GEO_PROVIDER": "sandbox"}, database_url=database_url
    )
    opened = await open_platform(settings)
    clock = Clock()
    assert opened.compliance is not None
    opened.compliance.clock = clock
    try:
        yield opened, clock
    finally:
        await opened.close()


async def blocked_records(platform: Platform) -> list[Any]:
    page = await platform.audit.query(AuditQuery(action_prefix="compliance.", limit=100))
    return list(page.records)


def registration(email: str, country: str, currency: str, **more: str) -> dict[str, str]:
    return {
        "email": email,
        "password": PASSWORD,
        "date_of_birth": "1980-01-01",
        "country": country,
        "currency": currency,
        **more,
    }


async def test_a_blocked_registration_is_audited_once_an_hour_with_its_network_and_counted(
    platform: tuple[Platform, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    opened, clock = platform
    caplog.set_level(logging.INFO, logger="croupier.security")
    async with client_at(opened, FRANCE) as client:
        for n in range(6):
            body = registration(f"abroad-{n}@example.com", "GB", "GBP")
            refused = await client.post("/v1/players", json=body)
            assert refused.status_code == 451, refused.text
        [record] = await blocked_records(opened)
        assert (record.actor, record.action, record.subject) == (
            "anonymous",
            "compliance.geo-blocked",
            None,
        )
        assert record.reason == "unlicensed"
        assert record.source_ip == "2001:db8:250::/48"  # the network, never the address
        after = dict(record.after or {})
        assert after == {
            "stage": "registration",
            "located": "FR",
            "registered": "GB",
            "repeats": 0,
            "unrecorded": 0,
        }
        assert "abroad" not in repr(record) and FRANCE not in repr(record)  # no email, no IP
        security = [r.getMessage() for r in caplog.records if r.name == "croupier.security"]
        assert any('"compliance.geo-blocked"' in line for line in security)

        clock.now += timedelta(hours=1)  # a new hour: recorded again, with the repeats
        body = registration("abroad-7@example.com", "GB", "GBP")
        assert (await client.post("/v1/players", json=body)).status_code == 451
    records = await blocked_records(opened)
    assert len(records) == 2 and dict(records[1].after or {})["repeats"] == 5

    assert opened.compliance is not None
    assert opened.compliance.blocked.counts[("registration", "unlicensed", "FR")] == 7
    app = create_app(opened.settings, platform=opened)
    app.state.platform = opened
    scraped = generate_latest(app.state.registry).decode()
    assert (
        'croupier_compliance_blocked_total{country="FR",reason="unlicensed",'
        'stage="registration"} 7.0' in scraped
    )


async def test_an_nj_player_blocked_at_login_and_on_a_request_is_audited_as_the_player(
    platform: tuple[Platform, Clock],
) -> None:
    opened, _ = platform
    email = "nj-roamer@example.com"
    async with client_at(opened, NJ) as client:
        created = await client.post(
            "/v1/players", json=registration(email, "US", "USD", region="NJ")
        )
        assert created.status_code == 201, created.text
        player_id = created.json()["player_id"]
        session = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        token = session.json()["token"]
    async with client_at(opened, PENNSYLVANIA) as client:
        login = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        assert login.status_code == 451, login.text
    async with client_at(opened, VPN) as client:
        wallet = await client.post(
            "/v1/wallet/deposits",
            json={"amount": 1_000},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "dep-0001"},
        )
        assert wallet.status_code == 451, wallet.text
    login_record, request_record = await blocked_records(opened)
    assert login_record.subject == login_record.actor == f"player:{player_id}"
    assert login_record.reason == "unlicensed"
    assert login_record.source_ip == "192.0.2.0/24"
    assert dict(login_record.after or {})["located"] == "US"
    assert dict(login_record.after or {})["registered"] == "US-NJ"
    assert request_record.reason == "vpn-or-proxy"
    assert dict(request_record.after or {})["stage"] == "request"
    assert opened.compliance is not None
    assert opened.compliance.blocked.counts[("login", "unlicensed", "US")] == 1
    assert opened.compliance.blocked.counts[("request", "vpn-or-proxy", "US")] == 1


async def test_a_self_excluded_login_is_counted_beside_its_audit_record(
    platform: tuple[Platform, Clock],
) -> None:
    opened, _ = platform
    async with client_at(opened, GB) as client:
        auth = await player(client, "uk-excluded@example.com", "GB", "GBP")
        excluded = await client.post("/v1/self-exclusion", json={"months": 6}, headers=auth)
        assert excluded.status_code in (200, 201), excluded.text
        for _ in range(2):
            login = await client.post(
                "/v1/sessions", json={"email": "uk-excluded@example.com", "password": PASSWORD}
            )
            assert login.status_code == 403 and login.json()["type"].endswith("/self-excluded")
    assert opened.compliance is not None
    assert opened.compliance.blocked.counts[("login", "self-excluded", "GB")] == 2
    page = await opened.audit.query(AuditQuery(action_prefix="player.login.refused"))
    assert [r.reason for r in page.records] == ["self-excluded", "self-excluded"]


class RecordingTrail:
    """A fake of our own audit port."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


async def test_over_the_minute_s_budget_attempts_are_counted_and_the_next_record_says_so() -> None:
    trail, now = RecordingTrail(), [1_000_020.0]  # 20 s into a minute
    blocked = BlockedAttempts(trail, clock_s=lambda: now[0], records_per_minute_max=2)
    for n in range(5):  # five networks: an attacker rotating addresses
        await blocked.record(BlockedAttempt("request", "unlicensed", "FR", "GB", f"198.18.{n}.1"))
    assert len(trail.entries) == 2
    assert sum(blocked.counts.values()) == 5
    now[0] += 60
    await blocked.record(BlockedAttempt("request", "unlicensed", "FR", "GB", "198.18.9.1"))
    assert trail.entries[-1].after is not None and trail.entries[-1].after["unrecorded"] == 3


async def test_a_private_address_refused_in_production_is_recorded_too() -> None:
    trail, now = RecordingTrail(), datetime(2026, 6, 1, tzinfo=UTC)
    refusing = PrivateAddressPolicy(
        SandboxLocationProvider(), Location("MT", None, False, "home"), allow_private=False
    )
    profiles = JurisdictionProfiles.build(load_profiles(), None)
    gate = ComplianceGate(profiles, refusing, {}, clock=lambda: now, audit=trail)
    player = Player("p-mt", "mt@example.com", "MT", "EUR", date(1990, 1, 1), now)
    with pytest.raises(GeoBlocked):
        await gate.admit_login(player, "10.1.2.3")
    [entry] = trail.entries
    assert (entry.reason, entry.source_ip, entry.subject) == (
        "private-address",
        "10.1.2.0/24",
        "player:p-mt",
    )
    assert gate.blocked.counts[("login", "private-address", "")] == 1
