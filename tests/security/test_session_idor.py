"""IDOR across players on sessions: a player lists only their own sessions, and revoking
another player's session (or a made-up id) answers 404 alike and ends nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.server import running_server

pytestmark = pytest.mark.timeout(60)


def test_a_player_cannot_see_or_revoke_another_players_session(tmp_path: Path) -> None:
    with (
        running_server(f"sqlite:///{tmp_path}/i.db") as base,
        httpx.Client(base_url=base) as client,
    ):
        mallory = _register_and_login(client, "mallory@example.com")
        victim = _register_and_login(client, "victim@example.com")
        [victims] = client.get("/v1/players/me/sessions", headers=victim).json()["items"]
        [own] = client.get("/v1/players/me/sessions", headers=mallory).json()["items"]
        assert victims["id"] != own["id"]
        stolen = client.delete(f"/v1/players/me/sessions/{victims['id']}", headers=mallory)
        made_up = client.delete(f"/v1/players/me/sessions/{'0' * 24}", headers=mallory)
        too_long = client.delete(f"/v1/players/me/sessions/{'0' * 300}", headers=mallory)
        for answer in (stolen, made_up, too_long):
            assert answer.status_code == 404
            assert answer.json()["type"].endswith("/not-found")
        assert stolen.json()["detail"] == made_up.json()["detail"]
        assert client.get("/v1/wallet", headers=victim).status_code == 200  # still live
        anonymous = client.delete(f"/v1/players/me/sessions/{victims['id']}")
        assert anonymous.status_code == 401
        assert client.get("/v1/wallet", headers=victim).status_code == 200
