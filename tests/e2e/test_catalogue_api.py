"""GET /v1/games over real HTTP: public, the same figures the catalogue certifies, and the
operator's switch of each game (``enabled``)."""

from __future__ import annotations

from pathlib import Path

import httpx

from croupier.services.catalogue import GameCatalogue
from tests.support.backoffice import bearer, create_staff, enrolled
from tests.support.held import funded_player
from tests.support.server import admin_url, running_server


def test_the_catalogue_is_public_and_lists_every_game(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path}/games.db") as base:
        response = httpx.get(f"{base}/v1/games")
    assert response.status_code == 200, response.text
    items = {item["id"]: item for item in response.json()["items"]}
    assert set(items) == {game.game_id for game in GameCatalogue.load().games}
    assert items["lotus-20"] == {
        "id": "lotus-20",
        "kind": "slots",
        "name": "Golden Lotus",
        "version": 1,
        "rtp": "94.81%",
        "rtp_min_stake": "94.51%",
        "rtp_basis": "exact",
        "house_edge": None,
        "currency": None,
        "stake_min_minor": 20,
        "stake_max_minor": 10000,
        "limits": [
            {
                "currency": code,
                "stake_min_minor": 20,
                "stake_max_minor": 10000,
                "stake_min": "0.20",
                "stake_max": "100.00",
            }
            for code in ("EUR", "GBP", "USD")
        ],
        "enabled": True,
    }
    assert items["european-roulette"]["rtp"] == "97.30%"
    blackjack = items["blackjack-6d-s17"]
    assert (blackjack["rtp_basis"], blackjack["house_edge"], blackjack["currency"]) == (
        "simulated",
        "0.43%",
        "EUR",
    )
    assert items["holdem-nl-50-100"]["rtp"] is None


def test_the_catalogue_shows_a_game_staff_disabled(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path}/games.db"
    create_staff(database_url, tmp_path, "ada", "admin")
    with running_server(database_url) as base:
        admin = admin_url(base)
        ada = bearer(enrolled(admin, "ada"))
        player = funded_player(base, "switch@example.com", 10_00)

        def switch(action: str) -> None:
            answer = httpx.post(
                f"{admin}/admin/v1/games/lotus-20/{action}",
                json={"reason": "RNG certificate renewal"},
                headers=ada,
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["enabled"] is (action == "enable")

        def shown() -> dict[str, bool]:
            items = httpx.get(f"{base}/v1/games").json()["items"]
            return {item["id"]: item["enabled"] for item in items}

        switch("disable")
        assert shown()["lotus-20"] is False
        assert [game for game, on in shown().items() if not on] == ["lotus-20"]
        spin = httpx.post(
            f"{base}/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**player, "Idempotency-Key": "disabled-spin"},
        )
        assert spin.status_code == 409 and spin.json()["type"].endswith("/game-disabled")
        switch("enable")
        assert all(shown().values())
