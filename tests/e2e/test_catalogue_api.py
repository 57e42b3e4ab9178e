"""GET /v1/games over real HTTP: public, and the same figures the catalogue certifies."""

from __future__ import annotations

from pathlib import Path

import httpx

from croupier.services.catalogue import GameCatalogue
from tests.support.server import running_server


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
    }
    assert items["european-roulette"]["rtp"] == "97.30%"
    blackjack = items["blackjack-6d-s17"]
    assert (blackjack["rtp_basis"], blackjack["house_edge"], blackjack["currency"]) == (
        "simulated",
        "0.43%",
        "EUR",
    )
    assert items["holdem-nl-50-100"]["rtp"] is None
