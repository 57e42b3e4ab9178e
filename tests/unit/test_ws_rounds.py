"""``round.start`` and ``round.action`` messages: what is played, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from croupier.api.ws.protocol import BadMessage
from croupier.api.ws.rounds import round_action, round_start

_ROUND_ID = "r" + "0" * 24


def test_a_round_start_is_its_key_its_game_and_the_http_body() -> None:
    message = {"type": "round.start", "request_id": "spin-000001", "game_id": "lotus-20"}
    assert round_start({**message, "stake": 100}) == ("spin-000001", "lotus-20", {"stake": 100})
    bets = [{"type": "red", "stake": 10}]
    _, _, body = round_start({**message, "game_id": "roulette", "bets": bets})
    assert body == {"bets": [{"type": "red", "numbers": [], "stake": 10}]}


def test_a_round_action_is_its_key_its_round_and_the_decision() -> None:
    message = {"request_id": "hit-000001", "round_id": _ROUND_ID, "action": "hit"}
    assert round_action(message) == ("hit-000001", _ROUND_ID, "hit")


@pytest.mark.parametrize(
    "fields",
    [
        {"request_id": "short", "game_id": "lotus-20", "stake": 100},  # not an idempotency key
        {"request_id": "spin-000001", "game_id": "../etc", "stake": 100},
        {"request_id": "spin-000001", "game_id": "lotus-20", "stake": 0},
        {"request_id": "spin-000001", "game_id": "lotus-20", "stake": 1.5},
        {"request_id": "spin-000001", "game_id": "lotus-20", "stake": 100, "tip": 5},
    ],
)
def test_a_bad_round_start_is_refused_as_invalid(fields: dict[str, Any]) -> None:
    with pytest.raises(BadMessage) as refused:
        round_start({"type": "round.start", **fields})
    assert refused.value.code == "invalid-request"
    assert refused.value.request_id == fields["request_id"]


@pytest.mark.parametrize(
    "fields",
    [
        {"round_id": "x" * 25, "action": "hit"},
        {"round_id": _ROUND_ID, "action": "cheat"},
    ],
)
def test_a_bad_round_action_is_refused_as_invalid(fields: dict[str, Any]) -> None:
    with pytest.raises(BadMessage) as refused:
        round_action({"type": "round.action", "request_id": "act-000001", **fields})
    assert refused.value.code == "invalid-request"
