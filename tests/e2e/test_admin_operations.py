"""The back-office operations over the admin API of a real ``croupier serve`` (SQLite and
PostgreSQL), beyond the walkthrough: every refusal is problem+json and changes nothing, a
money-moving request sent again moves money once, and the listings show what happened."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.backoffice import Staff, bearer, create_staff, enrolled
from tests.support.held import GENEROUS_LIMITS, database_for_module, register_and_login
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)


@dataclass
class Office:
    base: str
    admin: str
    ada: Staff  # admin
    rita: Staff  # risk


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("operations")
    with database_for_module(request.param, directory) as database_url:
        create_staff(database_url, directory, "ada", "admin")
        create_staff(database_url, directory, "rita", "risk")
        with running_server(
            database_url, CROUPIER_WITHDRAWAL_REVIEW_ABOVE="50.00", **GENEROUS_LIMITS
        ) as base:
            admin = admin_url(base)
            yield Office(base, admin, enrolled(admin, "ada"), enrolled(admin, "rita"))


def _player(office: Office, email: str, deposit_minor: int) -> tuple[str, dict[str, str]]:
    auth = register_and_login(office.base, email)
    paid = httpx.post(
        f"{office.base}/v1/wallet/deposits",
        json={"amount": deposit_minor},
        headers={**auth, "Idempotency-Key": f"deposit-{email.split('@', maxsplit=1)[0]}"},
    )
    assert paid.status_code == 201, paid.text
    found = _call(office, office.ada, "GET", "/players", params={"q": email})
    return found.json()["items"][0]["player_id"], auth


def _call(
    office: Office,
    who: Staff,
    method: str,
    path: str,
    body: Any = None,
    key: str | None = None,
    **params: Any,
) -> httpx.Response:
    headers = bearer(who) | ({"Idempotency-Key": key} if key else {})
    return httpx.request(
        method,
        f"{office.admin}/admin/v1{path}",
        json=body,
        params=params.get("params"),
        headers=headers,
        timeout=30,
    )


def _problem(answer: httpx.Response, status: int, problem: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith(f"/{problem}"), answer.json()


def _cash(office: Office, player_id: str) -> int:
    view = _call(office, office.ada, "GET", f"/players/{player_id}").json()
    return int(view["wallet"]["cash"])


def test_a_change_without_a_reason_or_of_no_one_is_refused(office: Office) -> None:
    player_id, _ = _player(office, "noreason@example.com", 10_00)
    _problem(_call(office, office.rita, "POST", f"/players/{player_id}/freeze", {}), 422,
             "invalid-request")  # fmt: skip
    blank = _call(office, office.rita, "POST", f"/players/{player_id}/freeze", {"reason": "  "})
    _problem(blank, 422, "invalid-input")
    view = _call(office, office.ada, "GET", f"/players/{player_id}").json()
    assert view["control"]["status"] == "active"
    _problem(_call(office, office.rita, "POST", "/players/nobody/freeze", {"reason": "x"}), 404,
             "not-found")  # fmt: skip
    flags = {"flags": ["no-such-flag"], "reason": "x"}
    _problem(_call(office, office.rita, "PUT", f"/players/{player_id}/flags", flags), 422,
             "invalid-request")  # fmt: skip
    _problem(_call(office, office.ada, "POST", "/rounds/no-such-round/settle", {"reason": "x"}),
             404, "not-found")  # fmt: skip
    _problem(_call(office, office.ada, "POST", "/games/no-such-game/disable", {"reason": "x"}),
             404, "unknown-game")  # fmt: skip


def test_a_closed_account_stays_closed_and_flags_are_replaced(office: Office) -> None:
    player_id, _ = _player(office, "closer@example.com", 10_00)
    flags = {"flags": ["withdrawal-review", "vip"], "reason": "AML"}
    answer = _call(office, office.rita, "PUT", f"/players/{player_id}/flags", flags)
    assert answer.json()["flags"] == ["vip", "withdrawal-review"]
    closed = _call(office, office.rita, "POST", f"/players/{player_id}/close", {"reason": "asked"})
    assert closed.json()["status"] == "closed"
    again = _call(office, office.rita, "POST", f"/players/{player_id}/unfreeze", {"reason": "x"})
    _problem(again, 409, "state-conflict")
    assert _cash(office, player_id) == 10_00  # the balance stays for the operator to settle


def test_adjustments_move_money_once(office: Office) -> None:
    player_id, _ = _player(office, "adjusted@example.com", 20_00)
    small = {
        "player_id": player_id,
        "direction": "credit",
        "amount_minor": 5_00,
        "reason_code": "goodwill",
        "reason": "sorry",
    }
    first = _call(office, office.rita, "POST", "/adjustments", small, key="adj-small-0001")
    _problem(first, 403, "forbidden")  # risk may not ask for adjustments
    posted = _call(office, office.ada, "POST", "/adjustments", small, key="adj-small-0001")
    assert posted.status_code == 201 and posted.json()["state"] == "posted", posted.text
    replay = _call(office, office.ada, "POST", "/adjustments", small, key="adj-small-0001")
    assert (replay.status_code, replay.json()) == (201, posted.json())
    other = _call(
        office, office.ada, "POST", "/adjustments", {**small, "amount_minor": 6_00},
        key="adj-small-0001",
    )  # fmt: skip
    _problem(other, 409, "idempotency-conflict")
    assert _cash(office, player_id) == 25_00  # once
    missing = _call(office, office.ada, "POST", "/adjustments", small)
    _problem(missing, 400, "idempotency-key-missing")
    debit = {**small, "direction": "debit", "amount_minor": 90_00}
    _problem(_call(office, office.ada, "POST", "/adjustments", debit, key="adj-debit-0001"),
             409, "insufficient-funds")  # fmt: skip
    _problem(_call(office, office.ada, "POST", "/adjustments/no-such-adjustment/approve",
                   {"reason": "x"}), 404, "not-found")  # fmt: skip
    assert _cash(office, player_id) == 25_00
    history = _call(office, office.ada, "GET", f"/players/{player_id}/transactions").json()
    assert [item["amount"] for item in history["items"]][:2] == [5_00, 20_00]


def test_a_declined_withdrawal_returns_the_money(office: Office) -> None:
    player_id, auth = _player(office, "declined@example.com", 100_00)
    held = httpx.post(
        f"{office.base}/v1/wallet/withdrawals",
        json={"amount": 80_00},
        headers={**auth, "Idempotency-Key": "declined-withdrawal"},
    )
    assert held.status_code == 202, held.text
    intent = f"withdrawal:{player_id}:declined-withdrawal"
    why = {"reason": "documents missing"}
    declined = _call(office, office.rita, "POST", f"/withdrawals/{intent}/decline", why)
    assert declined.status_code == 200 and declined.json()["state"] == "declined", declined.text
    again = _call(office, office.rita, "POST", f"/withdrawals/{intent}/decline", why)
    assert again.json()["transfer"] == declined.json()["transfer"]  # nothing more moved
    _problem(_call(office, office.rita, "POST", f"/withdrawals/{intent}/approve", why), 409,
             "state-conflict")  # fmt: skip
    wallet = httpx.get(f"{office.base}/v1/wallet", headers=auth).json()
    assert (wallet["cash"], wallet["pending"]) == (100_00, 0)
    _problem(_call(office, office.rita, "GET", "/withdrawals/withdrawal:nobody:nothing"), 404,
             "not-found")  # fmt: skip


def test_rounds_jackpots_and_games(office: Office) -> None:
    player_id, auth = _player(office, "spinner@example.com", 50_00)
    spin = httpx.post(
        f"{office.base}/v1/games/lotus-20/rounds",
        json={"stake": 100},
        headers={**auth, "Idempotency-Key": "operations-spin"},
    )
    assert spin.status_code == 201, spin.text
    round_id = spin.json()["round_id"]
    rounds = _call(office, office.rita, "GET", f"/players/{player_id}/rounds").json()
    assert [item["round_id"] for item in rounds["items"]] == [round_id]
    recall = _call(office, office.rita, "GET", f"/rounds/{round_id}").json()
    assert recall["round_id"] == round_id and recall["status"] == "settled"
    settled = _call(office, office.rita, "POST", f"/rounds/{round_id}/settle", {"reason": "x"})
    assert settled.json()["status"] == "settled"  # a settled round: nothing changes

    def pool() -> int:
        items = _call(office, office.rita, "GET", "/jackpots").json()["items"]
        return next(
            p["amount"] for p in items if (p["game_id"], p["currency"]) == ("lotus-20", "EUR")
        )

    before = pool()
    top_up = {"game_id": "lotus-20", "currency": "EUR", "delta_minor": 100_00, "reason": "top-up"}
    adjusted = _call(office, office.ada, "POST", "/jackpots/adjust", top_up, key="pool-0001")
    assert (
        adjusted.status_code == 201 and adjusted.json()["transfer_id"] == "jackpot-adjust:pool-0001"
    )
    replay = _call(office, office.ada, "POST", "/jackpots/adjust", top_up, key="pool-0001")
    assert replay.json() == adjusted.json()
    assert pool() == before + 100_00  # once
    drain = {**top_up, "delta_minor": -(before + 200_00)}
    _problem(_call(office, office.ada, "POST", "/jackpots/adjust", drain, key="pool-0002"), 409,
             "insufficient-funds")  # fmt: skip
    assert pool() == before + 100_00

    off = _call(office, office.ada, "POST", "/games/lotus-20/disable", {"reason": "audit"})
    assert off.json()["enabled"] is False
    refused = httpx.post(
        f"{office.base}/v1/games/lotus-20/rounds",
        json={"stake": 100},
        headers={**auth, "Idempotency-Key": "disabled-spin"},
    )
    _problem(refused, 409, "game-disabled")
    listed = _call(office, office.ada, "GET", "/games").json()["items"]
    assert {g["game_id"]: g["enabled"] for g in listed}["lotus-20"] is False
    _call(office, office.ada, "POST", "/games/lotus-20/enable", {"reason": "done"})
