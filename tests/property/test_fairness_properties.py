"""Hypothesis: ProvablyFairSource agrees with a from-the-spec re-derivation on any valid input."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from croupier.domain.fairness import (
    NONCE_MAX,
    InvalidClientSeed,
    ProvablyFairSource,
    shuffled_shoe,
)

PRINTABLE = "".join(chr(code) for code in range(0x21, 0x7F))

server_seeds = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
client_seeds = st.text(alphabet=PRINTABLE, min_size=1, max_size=64)
nonces = st.integers(min_value=0, max_value=NONCE_MAX)
ranges = st.one_of(
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=1, max_value=2**32),
    st.sampled_from([2**31 + 1, 3 * 2**30, 2**32 - 1, 2**32]),
)


def reference_words(server_seed: str, client_seed: str, nonce: int) -> Iterator[int]:
    index = 0
    while True:
        message = f"{client_seed}:{nonce}:{index}".encode()
        digest = hmac.new(server_seed.encode(), message, hashlib.sha256).digest()
        for offset in range(0, 32, 4):
            yield int.from_bytes(digest[offset : offset + 4], "big")
        index += 1


def reference_uniform(words: Iterator[int], n: int) -> int:
    limit = 2**32 - (2**32 % n)
    while (x := next(words)) >= limit:
        pass
    return x % n


@given(server_seeds, client_seeds, nonces, st.lists(ranges, min_size=1, max_size=40))
def test_draws_match_the_reference(
    server_seed: str, client_seed: str, nonce: int, sizes: list[int]
) -> None:
    source = ProvablyFairSource(server_seed, client_seed, nonce)
    words = reference_words(server_seed, client_seed, nonce)
    for n in sizes:
        value = source.uniform(n)
        assert 0 <= value < n
        assert value == reference_uniform(words, n)


@settings(max_examples=30)
@given(server_seeds, client_seeds, nonces, st.integers(min_value=1, max_value=8))
def test_a_shoe_is_a_permutation(
    server_seed: str, client_seed: str, nonce: int, decks: int
) -> None:
    shoe = shuffled_shoe(ProvablyFairSource(server_seed, client_seed, nonce), decks)
    canonical = [rank + suit for rank in "23456789TJQKA" for suit in "cdhs"] * decks
    assert sorted(shoe) == sorted(canonical)


@given(client_seeds, st.characters(exclude_characters=PRINTABLE), st.data())
def test_any_character_outside_0x21_to_0x7e_is_refused(
    client_seed: str, bad: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(client_seed)))
    tainted = client_seed[:position] + bad + client_seed[position:]
    with pytest.raises(InvalidClientSeed):
        ProvablyFairSource("00" * 32, tainted[:64] if bad in tainted[:64] else bad, 0)
