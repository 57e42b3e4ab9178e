"""Rounds over real HTTP: slots and roulette settled on the ledger, replays, recall, refusals,
and at the end the wallet equals the ledger's arithmetic and the ledger verifies."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from croupier.adapters.game_files import load_game_data
from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.server import running_server, scrape_metrics


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, str]]:
    with running_server(database_url) as base:
        yield base, database_url


def test_slots_and_roulette_rounds_settle_on_the_ledger(server: tuple[str, str]) -> None:
    base, database_url = server
    with httpx.Client(base_url=base) as client:
        auth = _register_and_login(client, "rounds@example.com")
        deposit = client.post(
            "/v1/wallet/deposits",
            json={"amount": 10_000},
            headers={**auth, "Idempotency-Key": "deposit-rounds"},
        )
        assert deposit.status_code == 201

        stakes = wins = contributions = 0
        for i in range(5):
            spin = client.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 100},
                headers={**auth, "Idempotency-Key": f"spin-{i:04d}"},
            )
            assert spin.status_code == 201, spin.text
            body = spin.json()
            assert body["status"] == "settled" and body["stake"] == 100
            assert len(body["outcome"]["stops"]) == 5 and body["fairness"]["nonce"] == i
            stakes, wins = stakes + body["stake"], wins + body["win"]
            contributions += body["jackpot_contribution"]
        again = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "spin-0004"},
        )
        assert again.status_code == 201 and again.json() == body  # a replay, not a new spin
        other = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 200},
            headers={**auth, "Idempotency-Key": "spin-0004"},
        )
        assert other.status_code == 409

        bets = [{"type": "red", "stake": 100}, {"type": "straight", "numbers": [17], "stake": 10}]
        wheel = client.post(
            "/v1/games/european-roulette/rounds",
            json={"bets": bets},
            headers={**auth, "Idempotency-Key": "wheel-0001"},
        )
        assert wheel.status_code == 201, wheel.text
        pocket = wheel.json()["outcome"]["pocket"]
        assert 0 <= pocket <= 36
        stakes, wins = stakes + 110, wins + wheel.json()["win"]

        for bad, status in (
            ({"bets": [{"type": "split", "numbers": [1, 5], "stake": 10}]}, 422),
            ({"bets": [{"type": "corner", "numbers": [1, 2, 3, 4], "stake": 10}]}, 422),
            ({"bets": [{"type": "red", "stake": 1.5}]}, 422),
        ):
            refused = client.post(
                "/v1/games/european-roulette/rounds",
                json=bad,
                headers={**auth, "Idempotency-Key": "wheel-bad-1"},
            )
            assert refused.status_code == status, refused.text
        for game, payload in (("lotus-20", {"stake": 7}), ("no-such-game", {"stake": 100})):
            refused = client.post(
                f"/v1/games/{game}/rounds",
                json=payload,
                headers={**auth, "Idempotency-Key": "spin-bad-1"},
            )
            assert refused.status_code in (404, 422), refused.text

        wallet = client.get("/v1/wallet", headers=auth).json()
        assert wallet["cash"] == 10_000 - stakes + wins and wallet["pending"] == 0

        recalled = client.get(f"/v1/rounds/{body['round_id']}", headers=auth).json()
        assert recalled == body
        page = client.get("/v1/rounds", params={"limit": 4}, headers=auth).json()
        assert page["items"][0]["round_id"] == wheel.json()["round_id"]  # newest first
        rest = client.get(
            "/v1/rounds", params={"limit": 10, "cursor": page["next_cursor"]}, headers=auth
        ).json()
        assert len(page["items"]) + len(rest["items"]) == 6 and rest["next_cursor"] is None

        stranger = _register_and_login(client, "stranger@example.com")
        assert client.get(f"/v1/rounds/{body['round_id']}", headers=stranger).status_code == 404

        pools = client.get("/v1/jackpots").json()["items"]
        lotus = next(pool for pool in pools if pool["game_id"] == "lotus-20")
        seed = load_game_data("lotus-20")["jackpot"]["seed_minor"]
        assert lotus == {"game_id": "lotus-20", "currency": "EUR", "amount": seed + contributions}

        metrics = scrape_metrics(base)
        assert 'croupier_rounds_total{game_id="lotus-20",status="settled"} 6.0' in metrics

    verify = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_bad_cursors_and_mixed_bets_are_refused(server: tuple[str, str]) -> None:
    base, _ = server
    with httpx.Client(base_url=base) as client:
        auth = _register_and_login(client, "cursors@example.com")
        client.post(
            "/v1/wallet/deposits",
            json={"amount": 1_000},
            headers={**auth, "Idempotency-Key": "deposit-cursors"},
        )
        spin = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={**auth, "Idempotency-Key": "spin-cursors"},
        )
        assert spin.status_code == 201, spin.text
        far = client.get("/v1/rounds", params={"limit": 100, "cursor": 2**62}, headers=auth)
        assert far.status_code == 200 and len(far.json()["items"]) == 1  # from the head down
        for cursor in (2**63, "1e20"):  # beyond a 64-bit seq: refused, not a crash
            for path in ("/v1/rounds", "/v1/wallet/transactions"):
                beyond = client.get(path, params={"cursor": cursor}, headers=auth)
                assert beyond.status_code == 422, (path, cursor, beyond.text)
        mixed = client.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100, "bets": [{"type": "red", "stake": 100}]},
            headers={**auth, "Idempotency-Key": "mixed-0001"},
        )
        assert mixed.status_code == 422 and mixed.json()["type"].endswith("/invalid-bet")
