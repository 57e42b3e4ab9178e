"""ProvablyFairSource: input validation, rejection sampling, stream bookkeeping, game helpers."""

from __future__ import annotations

import doctest
import hashlib
import hmac
from decimal import Decimal

import pytest

from croupier.domain import fairness as fairness_module
from croupier.domain.errors import InvalidInput
from croupier.domain.fairness import (
    NONCE_MAX,
    FairnessError,
    InvalidClientSeed,
    InvalidNonce,
    InvalidServerSeed,
    ProvablyFairSource,
    block,
    dice_roll,
    server_seed_hash,
    shuffled_shoe,
    slot_stops,
    slot_window,
    validate_server_seed_hash,
    verify_commitment,
)
from croupier.domain.games import roulette
from croupier.domain.rng import RngSource, shuffle

SEED = "00" * 32
OTHER_SEED = "0123456789abcdef" * 4


def first_words(server_seed: str, client_seed: str, nonce: int) -> list[int]:
    """The eight words of block(0), computed without croupier code."""
    message = f"{client_seed}:{nonce}:0".encode()
    digest = hmac.new(server_seed.encode(), message, hashlib.sha256).digest()
    return [int.from_bytes(digest[k : k + 4], "big") for k in range(0, 32, 4)]


def test_is_an_rng_source_every_game_can_use() -> None:
    source = ProvablyFairSource(SEED, "player", 0)
    assert isinstance(source, RngSource)
    cards = list(range(10))
    shuffle(source, cards)
    assert sorted(cards) == list(range(10))
    assert 0 <= roulette.spin(source) < 37


@pytest.mark.parametrize(
    "server_seed",
    ["00" * 31, "00" * 33, "AB" * 32, "g" + "0" * 63, " " + "0" * 63, b"0" * 64, None, 0],
)
def test_rejects_malformed_server_seed(server_seed: object) -> None:
    with pytest.raises(InvalidServerSeed):
        ProvablyFairSource(server_seed, "player", 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "client_seed", ["", "x" * 65, "has space", "tab\t", "del\x7f", "café", b"bytes", None]
)
def test_rejects_malformed_client_seed(client_seed: object) -> None:
    with pytest.raises(InvalidClientSeed):
        ProvablyFairSource(SEED, client_seed, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("client_seed", ["!", "~" * 64, "a:b:c", "Player_1-{}"])
def test_accepts_client_seed_edges(client_seed: str) -> None:
    source = ProvablyFairSource(SEED, client_seed, 0)
    assert source.next_word() == first_words(SEED, client_seed, 0)[0]


@pytest.mark.parametrize("nonce", [-1, NONCE_MAX + 1, True, 1.0, "0", None])
def test_rejects_bad_nonce(nonce: object) -> None:
    with pytest.raises(InvalidNonce):
        ProvablyFairSource(SEED, "player", nonce)  # type: ignore[arg-type]


def test_typed_errors_are_invalid_input() -> None:
    for error in (InvalidServerSeed, InvalidClientSeed, InvalidNonce):
        assert issubclass(error, FairnessError)
        assert issubclass(error, InvalidInput)
        assert issubclass(error, ValueError)


def test_largest_nonce_is_accepted_and_written_in_decimal() -> None:
    source = ProvablyFairSource(SEED, "player", NONCE_MAX)
    assert source.next_word() == first_words(SEED, "player", NONCE_MAX)[0]


def test_rejection_skips_a_word_at_or_above_the_limit() -> None:
    # For n = 2**31 + 1, limit = 2**32 - (2**32 mod n) = 2**31 + 1: about half of all words
    # are rejected. Nonce 5 of the worked seeds starts with such a word.
    n = 2**31 + 1
    limit = 2**32 - (2**32 % n)
    words = first_words(SEED, "player", 5)
    assert words[0] >= limit > words[1]
    source = ProvablyFairSource(SEED, "player", 5)
    assert source.uniform(n) == words[1] % n
    assert source.words_rejected == 1
    assert source.words_used == 2
    assert words[0] % n != words[1] % n  # so skipping actually changed the outcome


def test_rejection_can_repeat() -> None:
    n = 2**31 + 1
    words = first_words(SEED, "player", 3)
    limit = 2**32 - (2**32 % n)
    rejected = next(k for k, word in enumerate(words) if word < limit)
    assert rejected >= 2
    source = ProvablyFairSource(SEED, "player", 3)
    assert source.uniform(n) == words[rejected] % n
    assert source.words_rejected == rejected


def test_full_range_draw_is_the_raw_word_and_uniform_one_still_consumes() -> None:
    words = first_words(SEED, "player", 0)
    source = ProvablyFairSource(SEED, "player", 0)
    assert source.uniform(1) == 0
    assert source.uniform(2**32) == words[1]
    assert source.words_used == 2


def test_stream_crosses_into_the_next_block() -> None:
    source = ProvablyFairSource(SEED, "player", 0)
    for _ in range(8):
        source.next_word()
    second_block = block(SEED, "player", 0, 1)
    assert source.next_word() == int.from_bytes(second_block[:4], "big")
    assert source.words_used == 9


@pytest.mark.parametrize("n", [0, -3, 2**32 + 1, True, 2.0, "37"])
def test_uniform_rejects_bad_range_and_leaves_the_stream_untouched(n: object) -> None:
    source = ProvablyFairSource(SEED, "player", 0)
    with pytest.raises(InvalidInput):
        source.uniform(n)  # type: ignore[arg-type]
    assert source.words_used == 0
    assert source.uniform(37) == ProvablyFairSource(SEED, "player", 0).uniform(37)


def test_each_input_changes_the_stream() -> None:
    base = first_words(SEED, "player", 0)
    assert first_words(OTHER_SEED, "player", 0) != base
    assert ProvablyFairSource(OTHER_SEED, "player", 0).next_word() != base[0]
    assert ProvablyFairSource(SEED, "Player", 0).next_word() != base[0]
    assert ProvablyFairSource(SEED, "player", 1).next_word() != base[0]


def test_block_rejects_negative_index() -> None:
    with pytest.raises(FairnessError):
        block(SEED, "player", 0, -1)


def test_commitment_round_trip() -> None:
    commitment = server_seed_hash(OTHER_SEED)
    assert verify_commitment(OTHER_SEED, commitment)
    assert not verify_commitment(SEED, commitment)
    with pytest.raises(InvalidServerSeed):
        verify_commitment(SEED, commitment.upper())
    with pytest.raises(InvalidServerSeed):
        validate_server_seed_hash(commitment[:-1])


def test_dice_roll_has_two_places_in_range() -> None:
    for nonce in range(200):
        roll = dice_roll(ProvablyFairSource(SEED, "dice", nonce))
        assert 0 <= roll <= Decimal("99.99")
        assert roll.as_tuple().exponent == -2


def test_shoe_sizes_and_limits() -> None:
    shoe = shuffled_shoe(ProvablyFairSource(SEED, "cards", 0), 8)
    assert len(shoe) == 416
    assert all(shoe.count(card) == 8 for card in set(shoe))
    for decks in (0, 9, True):
        with pytest.raises(FairnessError):
            shuffled_shoe(ProvablyFairSource(SEED, "cards", 0), decks)


def test_slot_stops_validate_strip_lengths() -> None:
    source = ProvablyFairSource(SEED, "slots", 0)
    for lengths in ([0], [2**32 + 1], [True], [3.0]):
        with pytest.raises(FairnessError):
            slot_stops(source, lengths)  # type: ignore[arg-type]
    assert source.words_used == 0


def test_slot_window_wraps_around_the_strip() -> None:
    strips = [["A", "B", "C"], ["x", "y", "z", "w"]]
    assert slot_window(strips, (2, 3), 3) == [["C", "w"], ["A", "x"], ["B", "y"]]
    with pytest.raises(FairnessError):
        slot_window(strips, (0,), 3)
    with pytest.raises(FairnessError):
        slot_window(strips, (0, 0), 0)


def test_docstring_examples_hold() -> None:
    for module in (fairness_module, roulette):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0
