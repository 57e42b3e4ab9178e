"""``croupier fairness …``: one JSON object per command, exit code 2 on bad input."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import types
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from typer.testing import CliRunner

from croupier.adapters import game_files
from croupier.cli import app
from croupier.domain.fairness import slot_stops, slot_window
from croupier.domain.rng import RngSource

SEED = "00" * 32
WORKED = ["--server-seed", SEED, "--client-seed", "player", "--nonce", "0"]
runner = CliRunner()


def run(*args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = runner.invoke(app, ["fairness", *args])
    payload = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, payload, result.stderr


def test_commit_prints_the_sha256() -> None:
    code, payload, _ = run("commit", "--server-seed", SEED)
    assert code == 0
    assert payload is not None
    assert payload["server_seed_hash"] == hashlib.sha256(b"0" * 64).hexdigest()


def test_verify_accepts_the_right_hash_and_flags_a_wrong_one() -> None:
    good = hashlib.sha256(b"0" * 64).hexdigest()
    code, payload, _ = run("verify", "--server-seed", SEED, "--server-seed-hash", good)
    assert (code, payload and payload["valid"]) == (0, True)
    bad = hashlib.sha256(b"1" * 64).hexdigest()
    code, payload, _ = run("verify", "--server-seed", SEED, "--server-seed-hash", bad)
    assert (code, payload and payload["valid"]) == (1, False)


def test_roulette_dice_and_shuffle_match_the_worked_vectors() -> None:
    code, payload, _ = run("roulette", *WORKED)
    assert (code, payload and payload["pocket"]) == (0, 31)
    code, payload, _ = run("dice", *WORKED)
    assert (code, payload and payload["roll"]) == (0, 84.94)
    code, payload, _ = run("shuffle", *WORKED)
    assert code == 0 and payload is not None
    assert payload["cards"][:5] == ["3c", "3d", "2h", "9s", "Js"]
    assert len(payload["cards"]) == 52
    code, payload, _ = run("shuffle", *WORKED, "--decks", "6")
    assert code == 0 and payload is not None
    assert len(payload["cards"]) == 312


def test_dice_prints_two_decimals_as_a_json_number() -> None:
    result = runner.invoke(app, ["fairness", "dice", *WORKED])
    assert '"roll": 84.94,' in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--server-seed", "AB" * 32, "--client-seed", "p", "--nonce", "0"], "server seed"),
        (["--server-seed", SEED, "--client-seed", "a b", "--nonce", "0"], "client seed"),
        (["--server-seed", SEED, "--client-seed", "x" * 65, "--nonce", "0"], "client seed"),
        (["--server-seed", SEED, "--client-seed", "p", "--nonce", "-1"], "nonce"),
    ],
)
def test_bad_seeds_exit_2_with_a_clear_error(args: list[str], message: str) -> None:
    for command in ("roulette", "dice", "shuffle"):
        code, payload, stderr = run(command, *args)
        assert code == 2
        assert payload is None
        assert stderr.startswith("error: ") and message in stderr


def test_bad_deck_count_and_bad_commit_exit_2() -> None:
    code, _, stderr = run("shuffle", *WORKED, "--decks", "9")
    assert code == 2 and "decks" in stderr
    code, _, stderr = run("commit", "--server-seed", "00")
    assert code == 2 and "server seed" in stderr


@dataclass(frozen=True)
class FakeRound:
    stops: tuple[int, ...]
    window: list[list[str]]
    win_multiplier: Fraction


class FakeSlotGame:
    """Stands in for the slots engine's interface: from_data(dict) and play_round(rng)."""

    def __init__(self, strips: list[list[str]]) -> None:
        self.strips = strips

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> FakeSlotGame:
        return cls(data["strips"])

    def play_round(self, rng: RngSource) -> FakeRound:
        stops = slot_stops(rng, [len(strip) for strip in self.strips])
        return FakeRound(stops, slot_window(self.strips, stops, 3), Fraction(3, 2))


def test_slots_command_draws_stops_from_the_round_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_module = types.ModuleType("croupier.domain.games.slots")
    fake_module.SlotGame = FakeSlotGame  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "croupier.domain.games.slots", fake_module)
    strips = [[f"s{k}" for k in range(length)] for length in (32, 30, 28, 26, 24)]
    monkeypatch.setattr(game_files, "load_game_data", lambda game_id: {"strips": strips})
    code, payload, _ = run("slots", "--game", "fake-slot", *WORKED)
    assert code == 0 and payload is not None
    assert payload["stops"] == [30, 21, 22, 11, 4]  # the pinned golden stops
    assert payload["window"][0] == ["s30", "s21", "s22", "s11", "s4"]
    assert payload["window"][1][0] == "s31" and payload["window"][2][0] == "s0"
    assert payload["win_multiplier"] == 1.5
    assert payload["win_multiplier_exact"] == "3/2"


def test_slots_unknown_game_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_module = types.ModuleType("croupier.domain.games.slots")
    fake_module.SlotGame = FakeSlotGame  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "croupier.domain.games.slots", fake_module)
    code, _, stderr = run("slots", "--game", "no-such-game", *WORKED)
    assert code == 2 and "unknown game" in stderr


def test_new_pair_prints_a_usable_pair() -> None:
    code, payload, _ = run("new-pair", "--client-seed", "mine")
    assert code == 0 and payload is not None
    assert payload["client_seed"] == "mine"
    expected = hashlib.sha256(payload["server_seed"].encode()).hexdigest()
    assert payload["server_seed_hash"] == expected


def test_slots_command_with_the_real_engine_follows_the_spec() -> None:
    pytest.importorskip("croupier.domain.games.slots")
    reels = game_files.load_game_data("orchard-10")["reels"]
    words = first_block_words()
    expected_stops = [words[k] % len(reel) for k, reel in enumerate(reels)]
    assert all(word < 2**32 - 2**32 % len(reel) for word, reel in zip(words, reels, strict=False))
    code, payload, _ = run("slots", "--game", "orchard-10", *WORKED)
    assert code == 0 and payload is not None
    assert payload["stops"] == expected_stops
    for row, symbols in enumerate(payload["window"]):
        assert symbols == [
            reel[(stop + row) % len(reel)] for reel, stop in zip(reels, expected_stops, strict=True)
        ]
    assert payload["win_multiplier"] >= 0
    assert Fraction(payload["win_multiplier_exact"]) == Fraction(
        payload["win_multiplier"]
    ).limit_denominator(10**6)


def first_block_words() -> list[int]:
    digest = hmac.new(b"0" * 64, b"player:0:0", hashlib.sha256).digest()
    return [int.from_bytes(digest[k : k + 4], "big") for k in range(0, 32, 4)]
