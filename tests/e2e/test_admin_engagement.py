"""The back office's leaderboards and tournaments on a real ``croupier serve``: only
``promotions.manage`` (admin) may create, list and delete; bad definitions are 422 and change
nothing; a player joins a tournament made there over HTTP and pays its fee once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_realtime import _funded_player
from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[str, str, Staff, Staff]]:
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    create_staff(database_url, tmp_path, "ada", "admin")
    create_staff(database_url, tmp_path, "sam", "support")
    with running_server(database_url) as base:
        admin = admin_url(base)
        yield base, admin, enrolled(admin, "ada"), enrolled(admin, "sam")


BOARD = {
    "id": "spins-this-hour",
    "sort": "desc",
    "operator": "incr",
    "metric": "rounds",
    "reset": "0 * * * *",
    "metadata": {"banner": "spin!"},
}


def test_promotions_staff_manage_boards_and_tournaments(
    setup: tuple[str, str, Staff, Staff],
) -> None:
    base, admin, ada, sam = setup
    with httpx.Client(base_url=admin, timeout=30) as client:
        refused = client.post("/admin/v1/leaderboards", json=BOARD, headers=bearer(sam))
        assert refused.status_code == 403
        for bad in ({**BOARD, "sort": "sideways"}, {**BOARD, "reset": "every hour"}, {"id": "x"}):
            answer = client.post("/admin/v1/leaderboards", json=bad, headers=bearer(ada))
            assert answer.status_code == 422, answer.text
        made = client.post("/admin/v1/leaderboards", json=BOARD, headers=bearer(ada))
        assert made.status_code == 201, made.text
        again = client.post("/admin/v1/leaderboards", json=BOARD, headers=bearer(ada))
        assert again.status_code == 409
        listed = client.get("/admin/v1/leaderboards", headers=bearer(ada)).json()["items"]
        shipped = {board["id"]: board["shipped"] for board in listed}
        assert shipped == {
            "daily-multiplier": True,
            "spins-this-hour": False,
            "weekly-wagered-eur": True,
        }
        gone = client.delete("/admin/v1/leaderboards/daily-multiplier", headers=bearer(ada))
        assert gone.status_code == 409  # a data file, not the back office's
        gone = client.delete("/admin/v1/leaderboards/spins-this-hour", headers=bearer(ada))
        assert gone.status_code == 204
        now_ms = time.time_ns() // 10**6
        tournament = {
            "id": "friday-spins",
            "starts_at_ms": now_ms - 1000,
            "ends_at_ms": now_ms + 3_600_000,
            "currency": "EUR",
            "fee_minor": 300,
            "entrants_max": 100,
            "attempts_max": 50,
            "games": ["lotus-20"],
            "metric": "win_multiplier",
            "operator": "best",
            "prizes": [10_000, 5_000],
        }
        made = client.post("/admin/v1/tournaments", json=tournament, headers=bearer(ada))
        assert made.status_code == 201, made.text
        early = client.post("/admin/v1/tournaments/friday-spins/settle", headers=bearer(ada))
        assert early.status_code == 409  # not over yet
    _, auth = _funded_player(base, "entrant@example.com", deposit=10_000)
    with httpx.Client(base_url=base, headers=auth, timeout=30) as player:
        for _ in range(2):  # joining twice charges once
            joined = player.post("/v1/tournaments/friday-spins/entries")
            assert joined.status_code == 201, joined.text
        assert player.get("/v1/wallet").json()["cash"] == 10_000 - 300
        view = player.get("/v1/tournaments/friday-spins").json()
        assert view["state"] == "open" and view["entrants"] == 1
        assert [t["id"] for t in player.get("/v1/tournaments").json()["items"]] == ["friday-spins"]
