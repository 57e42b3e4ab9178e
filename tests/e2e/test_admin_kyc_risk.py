"""KYC and the AML risk queue from outside, on a real ``croupier serve`` (SQLite and
PostgreSQL) with KYC enforced: a German player is refused a deposit until verified, submits
a document the sandbox sends to manual review, compliance staff verify it from the KYC
queue, the player's deposits trip the velocity rule, risk staff resolve the flag, and the
command line exports the flags and the jurisdiction's rounds."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.held import GENEROUS_LIMITS, database_for_module
from tests.support.platform import PASSWORD
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)


@dataclass
class Setup:
    base: str
    admin: str
    database_url: str
    compliance: Staff
    risk: Staff
    support: Staff


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    directory = tmp_path_factory.mktemp("kyc")
    with database_for_module(request.param, directory) as database_url:
        for username, role in (("cora", "compliance"), ("rita", "risk"), ("sam", "support")):
            create_staff(database_url, directory, username, role)
        env = {
            **GENEROUS_LIMITS,
            "CROUPIER_KYC_ENFORCE": "1",
            "CROUPIER_AML_VELOCITY": "2/60",
            # The German player comes from loopback: loopback is taken to be in Germany.
            "CROUPIER_GEO_HOME": "DE",
        }
        with running_server(database_url, **env) as base:
            admin = admin_url(base)
            cora, rita, sam = (enrolled(admin, name) for name in ("cora", "rita", "sam"))
            yield Setup(base, admin, database_url, cora, rita, sam)


def _german_player(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json={
                "email": "hans@example.com",
                "password": PASSWORD,
                "date_of_birth": "1990-04-01",
                "country": "DE",
                "currency": "EUR",
            },
        )
        assert created.status_code == 201, created.text
        session = client.post(
            "/v1/sessions", json={"email": "hans@example.com", "password": PASSWORD}
        )
        assert session.status_code == 201, session.text
        return {"Authorization": f"Bearer {session.json()['token']}"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "croupier", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


# One operator's story, told in order: split, each part would need the one before.
def test_kyc_queue_risk_flags_and_the_exports(setup: Setup) -> None:  # noqa: PLR0915
    auth = _german_player(setup.base)
    expiry = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    with httpx.Client(base_url=setup.base, headers=auth, timeout=30) as player:
        refused = player.post(
            "/v1/wallet/deposits", json={"amount": 100_00}, headers={"Idempotency-Key": "dep-0001"}
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("kyc-required")
        assert player.get("/v1/wallet").json()["cash"] == 0
        assert player.get("/v1/kyc").json()["state"] == "none"
        document = {"type": "passport", "number": "C01X2T7", "country": "DE", "expiry": expiry}
        submitted = player.post("/v1/kyc", json=document)
        assert submitted.status_code == 201, submitted.text
        assert submitted.json()["state"] == "pending"
        assert submitted.json()["document"]["number"] == "…X2T7"
        bad = player.post("/v1/kyc", json={**document, "expiry": "2001-01-01"})
        assert bad.status_code in (409, 422), bad.text

    with httpx.Client(base_url=setup.admin, timeout=30) as admin:
        assert admin.get("/admin/v1/kyc", headers=bearer(setup.support)).status_code == 403
        queue = admin.get("/admin/v1/kyc", headers=bearer(setup.compliance))
        assert queue.status_code == 200, queue.text
        [item] = queue.json()["items"]
        assert item["document"]["country"] == "DE" and item["state"] == "pending"
        decided = admin.post(
            f"/admin/v1/kyc/{item['player_id']}/decision",
            json={"decision": "verified", "reason": "passport checked by hand"},
            headers=bearer(setup.compliance),
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["decided_by"].startswith("staff:")
        twice = admin.post(
            f"/admin/v1/kyc/{item['player_id']}/decision",
            json={"decision": "verified", "reason": "again"},
            headers=bearer(setup.compliance),
        )
        assert twice.status_code == 409, twice.text

    with httpx.Client(base_url=setup.base, headers=auth, timeout=30) as player:
        assert player.get("/v1/kyc").json()["state"] == "verified"
        for key in ("dep-0001", "dep-0002"):
            paid = player.post(
                "/v1/wallet/deposits", json={"amount": 100_00}, headers={"Idempotency-Key": key}
            )
            assert paid.status_code == 201, paid.text
        spin = player.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={"Idempotency-Key": "spin-0001"},
        )
        assert spin.status_code == 201, spin.text
        round_id = spin.json()["round_id"]

    with httpx.Client(base_url=setup.admin, headers=bearer(setup.risk), timeout=30) as admin:
        flags: list[dict[str, object]] = []
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not flags and datetime.now(UTC) < deadline:  # the engine runs after the commit
            listed = admin.get("/admin/v1/risk/flags")
            assert listed.status_code == 200, listed.text
            flags = listed.json()["items"]
        assert [f["rule"] for f in flags] == ["deposit-velocity"]
        flag_id = str(flags[0]["flag_id"])
        resolved = admin.post(
            f"/admin/v1/risk/flags/{flag_id}/resolve", json={"reason": "two test deposits"}
        )
        assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
        again = admin.post(f"/admin/v1/risk/flags/{flag_id}/resolve", json={"reason": "x"})
        assert again.status_code == 409
        assert admin.get("/admin/v1/risk/flags").json()["items"] == []
        today = datetime.now(UTC).date()
        exported = admin.get(
            "/admin/v1/risk/export",
            params={
                "from": f"{today - timedelta(days=1)}T00:00:00+00:00",
                "to": f"{today + timedelta(days=1)}T00:00:00+00:00",
                "format": "csv",
            },
        )
        assert exported.status_code == 200, exported.text
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [(r["flag_id"], r["state"]) for r in rows] == [(flag_id, "resolved")]
        support = admin.get("/admin/v1/risk/flags", headers=bearer(setup.support))
        assert support.status_code == 403

    first, last = str(today - timedelta(days=1)), str(today + timedelta(days=1))
    url = ["--database-url", setup.database_url]
    aml = _cli("aml", "export", "--from", first, "--to", last, "--format", "json", *url)
    assert aml.returncode == 0, aml.stderr
    assert [f["flag_id"] for f in json.loads(aml.stdout)] == [flag_id]
    rounds = _cli("export", "rounds", "--jurisdiction", "de", "--from", first, "--to", last, *url)
    assert rounds.returncode == 0, rounds.stderr
    lines = [json.loads(line) for line in rounds.stdout.splitlines()]
    assert [(r["round_id"], r["jurisdiction"], r["stake"]) for r in lines] == [
        (round_id, "de", 100)
    ]
    as_csv = _cli(
        "export", "rounds", "--jurisdiction", "de", "--from", first, "--to", last,
        "--format", "csv", *url,
    )  # fmt: skip
    assert as_csv.returncode == 0, as_csv.stderr
    [row] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert row["round_id"] == round_id and row["server_seed_hash"] and row["nonce"] != ""
    none = _cli("export", "rounds", "--jurisdiction", "ukgc", "--from", first, "--to", last, *url)
    assert none.returncode == 0 and none.stdout == ""
    unknown = _cli("export", "rounds", "--jurisdiction", "xx", "--from", first, "--to", last, *url)
    assert unknown.returncode == 2 and "unknown jurisdiction" in unknown.stderr
