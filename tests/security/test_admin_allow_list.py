"""The admin listener's allow-list, in process on both engines: a source outside it gets 403
problem+json before routing, whatever the path, and the refusal is in the audit trail."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from prometheus_client import CollectorRegistry

from croupier.api.admin import create_admin_app
from croupier.bootstrap import Platform, open_platform
from croupier.config import AdminSettings, load_settings
from croupier.services.audit import AuditQuery, AuditRecord
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    """A whole all-in-one platform on the test's database (both backends), closed after."""
    opened = await open_platform(load_settings(KEK_ENV, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


async def refusals(platform: Platform) -> list[AuditRecord]:
    """What the platform's own (durable) trail holds of the allow-list's refusals."""
    page = await platform.audit.query(AuditQuery(action_prefix="admin.refused"))
    return list(page.records)


@asynccontextmanager
async def admin_client(
    platform: Platform, source: str, allow: tuple[str, ...]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = dataclasses.replace(platform.settings, admin=AdminSettings(allow=allow))
    app = create_admin_app(settings, platform, registry=CollectorRegistry())
    transport = httpx.ASGITransport(app, client=(source, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/admin/v1/login"),
        ("GET", "/admin/v1/staff"),
        ("GET", "/metrics"),
        ("GET", "/admin/v1/no-such-route"),
    ],
)
async def test_a_source_outside_the_list_is_refused_and_audited(
    platform: Platform, method: str, path: str
) -> None:
    async with admin_client(platform, "192.0.2.7", ("10.0.0.0/8", "::1")) as client:
        refused = await client.request(method, path, json={"username": "x", "password": "y"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/forbidden")
    recorded = await refusals(platform)
    assert [(r.actor, r.action, r.source_ip) for r in recorded] == [
        ("anonymous", "admin.refused", "192.0.2.7")
    ]
    assert recorded[0].subject == f"{method} {path}"


@pytest.mark.parametrize(
    ("source", "allow"),
    [
        ("10.20.30.40", ("10.0.0.0/8",)),
        ("::1", ("127.0.0.0/8", "::1")),
        ("::ffff:127.0.0.1", ("127.0.0.0/8",)),  # IPv4-mapped: its IPv4 address counts
        ("2001:db8::5", ("2001:db8::/32",)),
    ],
)
async def test_a_source_inside_the_list_reaches_the_routes(
    platform: Platform, source: str, allow: tuple[str, ...]
) -> None:
    async with admin_client(platform, source, allow) as client:
        anonymous = await client.get("/admin/v1/me")
    assert anonymous.status_code == 401  # routed: the allow-list let it through
    assert await refusals(platform) == []


async def test_an_unreadable_source_is_refused(platform: Platform) -> None:
    async with admin_client(platform, "not-an-address", ("0.0.0.0/0", "::/0")) as client:
        assert (await client.get("/admin/v1/me")).status_code == 403
