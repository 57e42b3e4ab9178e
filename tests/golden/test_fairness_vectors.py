"""Known-answer vectors for croupier-pf-1 (the spec's worked input and a few more).

Each vector is checked twice: against a minimal re-derivation written here from the spec with
plain ``hmac``/``hashlib`` (no croupier code), and against literal values pinned below. A change
to the implementation, to this re-derivation or to the pinned values is caught by one of them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from croupier.domain.fairness import (
    ProvablyFairSource,
    block,
    dice_roll,
    roulette_pocket,
    server_seed_hash,
    shuffled_shoe,
    slot_stops,
)
from croupier.domain.games import roulette

SERVER_SEED = "00" * 32
CLIENT_SEED = "player"

# --- pinned literals (spec worked input: server_seed "00"*32, client_seed "player", nonce 0) ---
PINNED_COMMITMENT = "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
PINNED_FIRST_BLOCK = "4ae5417e06deb4214c84ac3a5d5061eb3249cbecd73cc62732ceca5cee6fd853"
PINNED_POCKETS_BY_NONCE = [31, 16, 12, 28, 13]
PINNED_DICE_BY_NONCE = ["84.94", "99.33", "17.87", "44.57", "1.77"]
# fmt: off
PINNED_DECK = [
    "3c", "3d", "2h", "9s", "Js", "8d", "6d", "Jd", "Kd", "5c", "5d", "Ac", "7d",
    "As", "2s", "Tc", "6c", "9h", "4d", "3s", "Ts", "8h", "Ks", "Qc", "7s", "Ah",
    "Qd", "4h", "Th", "3h", "8s", "2c", "Jc", "8c", "Qs", "4s", "2d", "7h", "Kh",
    "Ad", "5h", "9d", "Kc", "6s", "6h", "Jh", "7c", "9c", "5s", "4c", "Td", "Qh",
]
# fmt: on
PINNED_SIX_DECK_FIRST_TEN = ["Kc", "5h", "Qd", "Td", "7c", "Jd", "9c", "Kc", "Tc", "Ks"]
PINNED_SLOT_STOPS: dict[tuple[int, ...], list[int]] = {
    (32, 30, 28, 26, 24): [30, 21, 22, 11, 4],
    (64, 64, 64, 64, 64): [62, 33, 58, 43, 44],
}


# --- independent re-derivation, straight from the spec text ---
def reference_words(server_seed: str, client_seed: str, nonce: int) -> Iterator[int]:
    index = 0
    while True:
        message = f"{client_seed}:{nonce}:{index}".encode()
        digest = hmac.new(server_seed.encode("ascii"), message, hashlib.sha256).digest()
        for offset in range(0, 32, 4):
            yield int.from_bytes(digest[offset : offset + 4], "big")
        index += 1


def reference_uniform(words: Iterator[int], n: int) -> int:
    limit = 2**32 - (2**32 % n)
    while True:
        x = next(words)
        if x < limit:
            return x % n


def reference_shoe(words: Iterator[int], decks: int) -> list[str]:
    deck = [rank + suit for rank in "23456789TJQKA" for suit in "cdhs"] * decks
    for i in range(len(deck) - 1, 0, -1):
        j = reference_uniform(words, i + 1)
        deck[i], deck[j] = deck[j], deck[i]
    return deck


def test_commitment_is_sha256_of_the_ascii_seed() -> None:
    expected = hashlib.sha256(SERVER_SEED.encode("ascii")).hexdigest()
    assert server_seed_hash(SERVER_SEED) == expected == PINNED_COMMITMENT


def test_first_block_of_the_worked_input() -> None:
    expected = hmac.new(b"0" * 64, b"player:0:0", hashlib.sha256).hexdigest()
    assert block(SERVER_SEED, CLIENT_SEED, 0, 0).hex() == expected == PINNED_FIRST_BLOCK


def test_stream_words_follow_block_order() -> None:
    source = ProvablyFairSource(SERVER_SEED, CLIENT_SEED, 0)
    reference = reference_words(SERVER_SEED, CLIENT_SEED, 0)
    # 20 words cross from block(0) into block(1) and block(2).
    assert [source.next_word() for _ in range(20)] == [next(reference) for _ in range(20)]
    first = ProvablyFairSource(SERVER_SEED, CLIENT_SEED, 0).next_word()
    assert first == int(PINNED_FIRST_BLOCK[:8], 16) == 0x4AE5417E


@pytest.mark.parametrize("nonce", range(5))
def test_roulette_pocket_by_nonce(nonce: int) -> None:
    expected = reference_uniform(reference_words(SERVER_SEED, CLIENT_SEED, nonce), 37)
    pocket = roulette_pocket(ProvablyFairSource(SERVER_SEED, CLIENT_SEED, nonce))
    assert pocket == expected == PINNED_POCKETS_BY_NONCE[nonce]
    assert roulette.spin(ProvablyFairSource(SERVER_SEED, CLIENT_SEED, nonce)) == pocket


@pytest.mark.parametrize("nonce", range(5))
def test_dice_roll_by_nonce(nonce: int) -> None:
    hundredths = reference_uniform(reference_words(SERVER_SEED, CLIENT_SEED, nonce), 10_000)
    roll = dice_roll(ProvablyFairSource(SERVER_SEED, CLIENT_SEED, nonce))
    assert roll == Decimal(hundredths) / 100 == Decimal(PINNED_DICE_BY_NONCE[nonce])
    assert f"{roll:.2f}" == PINNED_DICE_BY_NONCE[nonce]


def test_first_shuffled_deck() -> None:
    expected = reference_shoe(reference_words(SERVER_SEED, CLIENT_SEED, 0), 1)
    deck = shuffled_shoe(ProvablyFairSource(SERVER_SEED, CLIENT_SEED, 0), 1)
    assert deck == expected == PINNED_DECK
    assert sorted(deck) == sorted(rank + suit for rank in "23456789TJQKA" for suit in "cdhs")


def test_first_six_deck_shoe() -> None:
    expected = reference_shoe(reference_words(SERVER_SEED, CLIENT_SEED, 0), 6)
    shoe = shuffled_shoe(ProvablyFairSource(SERVER_SEED, CLIENT_SEED, 0), 6)
    assert shoe == expected
    assert shoe[:10] == PINNED_SIX_DECK_FIRST_TEN


@pytest.mark.parametrize("lengths", list(PINNED_SLOT_STOPS))
def test_first_slot_stops(lengths: tuple[int, ...]) -> None:
    words = reference_words(SERVER_SEED, CLIENT_SEED, 0)
    expected = [reference_uniform(words, length) for length in lengths]
    stops = slot_stops(ProvablyFairSource(SERVER_SEED, CLIENT_SEED, 0), lengths)
    assert list(stops) == expected == PINNED_SLOT_STOPS[lengths]


def test_the_players_snippet_in_the_docs_prints_what_the_docs_say() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "fairness.md").read_text("utf-8")
    snippet = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    printed = re.search(r"It prints:\n\n```text\n(.*?)```", text, re.DOTALL)
    assert snippet is not None and printed is not None
    result = subprocess.run(
        [sys.executable, "-I", "-c", snippet.group(1)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout == printed.group(1)
    assert "roulette pocket: 31" in result.stdout
