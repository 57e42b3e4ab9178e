"""The back office's compliance views through the admin API of a real ``croupier serve``
(SQLite and PostgreSQL), with staff sessions: a player's view shows the jurisdiction, the
KYC state, the responsible-gambling state (a limit in force with its pending increase and
when it applies, the reality-check interval, a time-out or self-exclusion and its end) and
the AML flags count; compliance staff list the players excluded now, support staff may not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest

from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.held import GENEROUS_LIMITS, database_for_module
from tests.support.platform import PASSWORD
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)

FLAG_WAIT_S = 30.0  # a budget for the AML engine to examine a deposit, not a delay


@dataclass
class Setup:
    base: str
    admin: str
    compliance: Staff
    support: Staff


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    directory = tmp_path_factory.mktemp("rgview")
    with database_for_module(request.param, directory) as database_url:
        for username, role in (("cora", "compliance"), ("sam", "support")):
            create_staff(database_url, directory, username, role)
        env = {**GENEROUS_LIMITS, "CROUPIER_AML_VELOCITY": "2/60", "CROUPIER_KYC_ENFORCE": "0"}
        with running_server(database_url, **env) as base:  # loopback plays from Malta (mga)
            admin = admin_url(base)
            yield Setup(base, admin, enrolled(admin, "cora"), enrolled(admin, "sam"))


def _player(base: str, email: str) -> tuple[str, dict[str, str]]:
    with httpx.Client(base_url=base, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json={
                "email": email,
                "password": PASSWORD,
                "date_of_birth": "1990-04-01",
                "country": "MT",
                "currency": "EUR",
            },
        )
        assert created.status_code == 201, created.text
        session = client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        assert session.status_code == 201, session.text
        return created.json()["player_id"], {"Authorization": f"Bearer {session.json()['token']}"}


def test_the_player_view_shows_limits_pending_exclusion_kyc_and_aml(setup: Setup) -> None:
    player_id, auth = _player(setup.base, "limits-view@example.com")
    with httpx.Client(base_url=setup.base, headers=auth, timeout=30) as player:
        lowered = player.put(
            "/v1/limits", json={"deposit": {"daily": 500_00}, "reality_check_minutes": 30}
        )
        assert lowered.status_code == 200, lowered.text
        raised = player.put("/v1/limits", json={"deposit": {"daily": 1_000_00}})
        assert raised.status_code == 200, raised.text
        pending_from = raised.json()["deposit"]["daily"]["pending_from"]
        for n in range(2):  # the second within the hour trips deposit-velocity (2 in 60)
            deposit = player.post(
                "/v1/wallet/deposits",
                json={"amount": 10_00},
                headers={"Idempotency-Key": f"view-dep-{n}"},
            )
            assert deposit.status_code == 201, deposit.text
        timed_out = player.post("/v1/time-out", json={"hours": 24})
        assert timed_out.status_code == 201, timed_out.text

    with httpx.Client(base_url=setup.admin, timeout=30) as admin:
        deadline = time.monotonic() + FLAG_WAIT_S
        while True:
            answer = admin.get(f"/admin/v1/players/{player_id}", headers=bearer(setup.support))
            assert answer.status_code == 200, answer.text
            view = answer.json()
            if view["aml"]["flags"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert view["aml"] == {"flags_open": 1, "flags": 1}
    assert view["jurisdiction"] == "mga"
    assert view["kyc"] == {
        "state": "none",
        "enforced": False,
        "required_before": ["withdrawal"],
    }
    rg = view["responsible_gambling"]
    assert rg["deposit"]["daily"] == {
        "value": 500_00,
        "pending": 1_000_00,
        "pending_from": pending_from,
    }
    assert rg["deposit"]["weekly"] == {"value": None, "pending": None, "pending_from": None}
    assert rg["reality_check_minutes"] == 30
    assert rg["exclusion"]["kind"] == "time-out"
    assert rg["time_out_until"] == rg["exclusion"]["until"]
    assert rg["self_excluded_until"] is None
    assert rg["marketing_allowed"] is False  # not during a time-out
    since = datetime.fromisoformat(rg["exclusion"]["since"])
    until = datetime.fromisoformat(rg["time_out_until"])
    assert (until - since).total_seconds() == 24 * 3600


def test_compliance_lists_the_players_excluded_now_and_support_may_not(setup: Setup) -> None:
    excluded_id, auth = _player(setup.base, "excluded-list@example.com")
    free_id, _ = _player(setup.base, "free-list@example.com")
    with httpx.Client(base_url=setup.base, headers=auth, timeout=30) as player:
        assert player.post("/v1/self-exclusion", json={"months": 6}).status_code == 201
    with httpx.Client(base_url=setup.admin, timeout=30) as admin:
        refused = admin.get("/admin/v1/exclusions", headers=bearer(setup.support))
        assert refused.status_code == 403, refused.text
        listed = admin.get("/admin/v1/exclusions", headers=bearer(setup.compliance))
        assert listed.status_code == 200, listed.text
        by_player = {item["player_id"]: item for item in listed.json()["items"]}
        assert by_player[excluded_id]["kind"] == "self-exclusion"
        assert free_id not in by_player
        # Paged by player id: one a page still reaches every excluded player.
        seen, cursor = [], None
        for _ in range(10):
            params: dict[str, str | int] = {"limit": 1}
            if cursor is not None:
                params["cursor"] = cursor
            page = admin.get(
                "/admin/v1/exclusions", params=params, headers=bearer(setup.compliance)
            ).json()
            seen += [item["player_id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(by_player)
        view = admin.get(f"/admin/v1/players/{excluded_id}", headers=bearer(setup.compliance))
        rg = view.json()["responsible_gambling"]
        assert rg["self_excluded_until"] == by_player[excluded_id]["until"]
        assert rg["time_out_until"] is None
