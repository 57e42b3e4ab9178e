"""The seed-pair lifecycle: commit, play, change client seed, rotate and reveal."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.adapters.seeds import new_client_seed, new_seed_pair, new_server_seed_bytes
from croupier.domain.fairness import (
    NONCE_MAX,
    SCHEME,
    InvalidClientSeed,
    InvalidServerSeed,
    ProvablyFairSource,
    roulette_pocket,
    verify_commitment,
)
from croupier.domain.seed_pair import SeedPair, SeedPairRefusal, default_client_seed

SEED_BYTES = bytes(range(32))
OTHER_SEED_BYTES = bytes(range(32, 64))


def make_pair(client_seed: str = "player") -> SeedPair:
    return SeedPair.create(SEED_BYTES, client_seed)


def test_create_commits_to_the_hex_seed_and_starts_at_nonce_zero() -> None:
    pair = make_pair()
    assert pair.server_seed == SEED_BYTES.hex()
    assert pair.nonce == 0
    commitment = pair.commitment()
    assert commitment.scheme == SCHEME
    assert commitment.server_seed_hash == hashlib.sha256(SEED_BYTES.hex().encode()).hexdigest()
    assert commitment.next_nonce == 0
    assert pair.server_seed not in repr(pair)
    assert pair.server_seed not in repr(commitment)


@pytest.mark.parametrize("seed_bytes", [b"", bytes(31), bytes(33), "00" * 32])
def test_create_needs_32_bytes(seed_bytes: object) -> None:
    with pytest.raises(SeedPairRefusal):
        SeedPair.create(seed_bytes, "player")  # type: ignore[arg-type]


def test_direct_construction_validates() -> None:
    with pytest.raises(InvalidServerSeed):
        SeedPair("XYZ", "player")
    with pytest.raises(InvalidClientSeed):
        SeedPair("00" * 32, "no spaces")


def test_next_round_hands_out_each_nonce_once() -> None:
    pair = make_pair()
    pockets = []
    for expected_nonce in range(5):
        source, pair = pair.next_round()
        pockets.append(roulette_pocket(source))
        assert pair.nonce == expected_nonce + 1
        replay = ProvablyFairSource(SEED_BYTES.hex(), "player", expected_nonce)
        assert roulette_pocket(replay) == pockets[-1]
    assert pair.commitment().next_nonce == 5


def test_next_round_does_not_change_the_old_pair() -> None:
    pair = make_pair()
    pair.next_round()
    assert pair.nonce == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        pair.nonce = 3  # type: ignore[misc]


def test_last_nonce_refuses_to_advance() -> None:
    pair = SeedPair(SEED_BYTES.hex(), "player", NONCE_MAX)
    with pytest.raises(SeedPairRefusal):
        pair.next_round()


def test_client_seed_can_change_before_the_first_round() -> None:
    pair = make_pair().with_client_seed("lucky-7")
    assert pair.client_seed == "lucky-7"
    assert pair.nonce == 0
    assert pair.server_seed == SEED_BYTES.hex()


def test_client_seed_cannot_change_mid_pair() -> None:
    _, played = make_pair().next_round()
    assert not played.can_set_client_seed()
    with pytest.raises(SeedPairRefusal, match="rotate"):
        played.with_client_seed("lucky-7")
    assert played.client_seed == "player"


def test_bad_client_seed_is_refused_before_state_rules() -> None:
    with pytest.raises(InvalidClientSeed):
        make_pair().with_client_seed("")


def test_rotate_reveals_the_old_seed_and_restarts_the_count() -> None:
    pair = make_pair()
    for _ in range(3):
        _, pair = pair.next_round()
    published = pair.server_seed_hash
    revealed, fresh = pair.rotate(OTHER_SEED_BYTES, client_seed="new-seed")
    assert revealed.server_seed == SEED_BYTES.hex()
    assert revealed.rounds_played == 3
    assert revealed.client_seed == "player"
    assert verify_commitment(revealed.server_seed, published)
    assert fresh.server_seed == OTHER_SEED_BYTES.hex()
    assert (fresh.client_seed, fresh.nonce) == ("new-seed", 0)
    assert fresh.server_seed_hash != published


def test_rotate_keeps_client_seed_by_default_and_refuses_the_same_server_seed() -> None:
    _, fresh = make_pair().rotate(OTHER_SEED_BYTES)
    assert fresh.client_seed == "player"
    with pytest.raises(SeedPairRefusal):
        make_pair().rotate(SEED_BYTES)
    with pytest.raises(InvalidClientSeed):
        make_pair().rotate(OTHER_SEED_BYTES, client_seed="bad seed")


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=30))
def test_rounds_never_repeat_a_triple_across_rotations(seed_bytes: bytes, rounds: int) -> None:
    pair = SeedPair.create(seed_bytes, "player")
    seen = set()
    for _ in range(rounds):
        seen.add((pair.server_seed, pair.client_seed, pair.nonce))
        _, pair = pair.next_round()
    other = bytes(byte ^ 0xFF for byte in seed_bytes)
    _, pair = pair.rotate(other)
    assert (pair.server_seed, pair.client_seed, pair.nonce) not in seen


def test_default_client_seed_and_adapters() -> None:
    assert default_client_seed(bytes(8)) == "0" * 16
    with pytest.raises(SeedPairRefusal):
        default_client_seed(bytes(7))
    assert len(new_server_seed_bytes()) == 32
    assert new_server_seed_bytes() != new_server_seed_bytes()
    assert len(new_client_seed()) == 16
    pair = new_seed_pair()
    assert pair.nonce == 0
    assert new_seed_pair("mine").client_seed == "mine"
    with pytest.raises(InvalidClientSeed):
        new_seed_pair("")
