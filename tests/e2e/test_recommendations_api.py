"""Recommendations and segments from outside, on a real ``croupier serve`` (SQLite): rounds
played over HTTP reach the tally and the retrained model; ``GET /v1/recommendations``
answers the player, the admin listener counts segments and shows a player's, and
``croupier recommend train`` reads the same counts from the database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_realtime import _funded_player
from tests.support.backoffice import bearer, create_staff, enrolled
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)


def _spin(http: httpx.Client, auth: dict[str, str], game_id: str, key: str) -> None:
    played = http.post(
        f"/v1/games/{game_id}/rounds",
        json={"stake": 100},
        headers={**auth, "Idempotency-Key": key},
    )
    assert played.status_code in (200, 201), played.text


def _until_similar(http: httpx.Client, auth: dict[str, str], timeout_s: float) -> dict[str, object]:
    """The player's recommendations once the tally has flushed and the model retrained."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = http.get("/v1/recommendations", params={"limit": 3}, headers=auth)
        assert answer.status_code == 200, answer.text
        body: dict[str, object] = answer.json()
        games = body["games"]
        assert isinstance(games, list)
        if games and games[0]["why"] == "similar":
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"no model with the plays within {timeout_s} s: {body}")
        time.sleep(0.2)


def test_recommendations_and_segments_over_http(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    create_staff(database_url, tmp_path, "petra", "payments")  # report.view and player.view
    env = {
        "CROUPIER_ENGAGEMENT_FLUSH_S": "1",
        "CROUPIER_RECOMMEND_RETRAIN_S": "1",
        "CROUPIER_RECOMMEND_FAMILIAR_ROUNDS": "2",
    }
    with running_server(database_url, **env) as base, httpx.Client(base_url=base) as http:
        _, fan = _funded_player(base, "fan@example.com")
        _, lookalike = _funded_player(base, "lookalike@example.com")
        _, newcomer = _funded_player(base, "newcomer@example.com")
        for n in range(2):
            _spin(http, fan, "lotus-20", f"fan-lotus-{n}")
            _spin(http, fan, "orchard-10", f"fan-orchard-{n}")
            _spin(http, lookalike, "orchard-10", f"look-orchard-{n}")

        body = _until_similar(http, lookalike, timeout_s=30)
        games = body["games"]
        assert isinstance(games, list)
        assert games[0]["game_id"] == "lotus-20" and games[0]["name"]
        assert "orchard-10" not in [g["game_id"] for g in games]  # theirs already
        assert body["reason"] is None and body["model_trained_at"]
        cold = http.get("/v1/recommendations", headers=newcomer).json()
        assert [g["why"] for g in cold["games"]] == ["popular"] * len(cold["games"])
        assert cold["games"][0]["game_id"] in ("lotus-20", "orchard-10")
        too_many = http.get("/v1/recommendations", params={"limit": 500}, headers=newcomer)
        assert too_many.status_code == 422
        assert http.get("/v1/recommendations").status_code == 401
        player_id = body["player_id"]

        admin = admin_url(base)
        staff = bearer(enrolled(admin, "petra"))
        counts = httpx.get(f"{admin}/admin/v1/segments", headers=staff, timeout=10)
        assert counts.status_code == 200, counts.text
        # every funded player deposited, so each is seen; the two who played are active
        assert counts.json()["segments"]["active"] == 2
        assert counts.json()["segments"]["new"] == 3
        mine = httpx.get(f"{admin}/admin/v1/players/{player_id}/segments", headers=staff)
        assert mine.status_code == 200, mine.text
        assert mine.json()["segments"] == ["active", "new"]
        assert mine.json()["promotion_eligible"] is True
        missing = httpx.get(f"{admin}/admin/v1/players/nobody/segments", headers=staff)
        assert missing.status_code == 404

    trained = subprocess.run(
        [sys.executable, "-m", "croupier", "recommend", "train", "--json",
         "--database-url", database_url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    summary = json.loads(trained.stdout)
    assert (summary["players"], summary["games"]) == (2, 2)
    assert summary["similar"]["orchard-10"] == ["lotus-20"]
